"""The report's DCGAN against the default on real faces, at equal budgets and seeds: how often a face detector
finds a face in the 1000 images `hw2_p1.sh` writes, distances between the generated and the real faces that see
diversity, and sample grids beside real faces.

    python3 -m benchmarks.real_data faces celeba_faces_10k.tar --out /tmp/faces    # a face folder, kept outside
    python3 -m benchmarks.p1_quality --data-root /tmp/faces/hw2_data [--steps 600,2000] [--seeds 0,1,2]
        [--models dcgan,default] [--out DIR] [--calibrate-only]

Every run trains with `--fid-weights none` (no Inception weights offline: the last step is served) to the largest
budget, scored at each smaller one on the way (--stop-after-step, then --resume: the same weights as a run of that
budget). Its 1000 images (the graders' latents) are scored against 1000 real test faces:
- detector: the share of images in which OpenCV's Haar cascade finds a face (common/metrics/face_detector.py, as the
  report prints it); it saturates once faces are face-like, so it cannot rank good generators;
- distances that see diversity and detail, in three feature spaces: `pixel FD` (Fréchet distance of 64 principal
  components of 32×32 images, fitted on real training faces), `HOG KID` (kernel inception distance, ×1000, of HOG
  descriptors of the grey 64×64 images: edges and their directions), and `randconv FD` (Fréchet distance of a fixed,
  randomly initialised convolutional network's pooled features). The calibration rows first score 1000 other
  real faces, uniform noise, the real faces blurred (Gaussian σ 1.5) and one real face repeated 1000 times against
  the real test faces: a measure worth reading orders them real < blurred < {noise, repeated}.
Grids: DIR/p1_<model>_s<steps>_seed<k>.png, 32 generated faces beside 32 real ones (DIR defaults to a temporary
folder). Last line: `ratio=<mean dcgan HOG KID over mean default HOG KID>` at the largest budget.
"""

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageFilter

from common.checkpoints import load_checkpoint
from common.cli import command_parser
from common.data import load_faces
from common.gan import GRADER_SEED
from common.images import save_png, tile
from common.metrics.face_detector import faces_found
from common.metrics.fid import frechet_distance, gaussian_stats
from p1_dcgan.inference import generate
from p1_dcgan.model import NAME

REPO = Path(__file__).resolve().parent.parent
MODELS = {
    "dcgan": (
        "the report's DCGAN (BN discriminator, BCE, no EMA, no DiffAugment)",
        ["--arch", "dcgan", "--ema-decay", "0", "--diffaugment", ""],
    ),
    "default": ("the default (the trainer's options as they stand)", []),
}


# --- the measures ------------------------------------------------------------------------------------------------


def hog_features(images: np.ndarray) -> np.ndarray:
    from skimage.feature import hog

    return np.stack(
        [hog(image.mean(2), orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2)) for image in images]
    )


def kid(a: np.ndarray, b: np.ndarray, subsets: int = 10, size: int = 500, seed: int = 0) -> float:
    """Kernel inception distance (Bińkowski et al. 2018): the unbiased MMD² with the cubic polynomial kernel, mean
    over random subsets, ×1000."""
    rng = np.random.default_rng(seed)
    d = a.shape[1]
    total = 0.0
    for _ in range(subsets):
        x, y = a[rng.choice(len(a), size, replace=False)], b[rng.choice(len(b), size, replace=False)]
        kxx, kyy, kxy = ((x @ x.T) / d + 1) ** 3, ((y @ y.T) / d + 1) ** 3, ((x @ y.T) / d + 1) ** 3
        n = size
        total += (kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
        total -= 2 * kxy.mean()
    return 1000 * total / subsets


class RandomConv(torch.nn.Module):
    """A fixed, randomly initialised convolutional network (seed 0): 64×64 RGB -> 256 pooled features."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        layers, c = [], 3
        for width in (32, 64, 128, 256):
            layers += [torch.nn.Conv2d(c, width, 3, 2, 1), torch.nn.ReLU()]
            c = width
        self.net = torch.nn.Sequential(*layers)

    @torch.no_grad()
    def forward(self, images: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1
        return torch.cat([self.net(b).mean((2, 3)) for b in x.split(250)]).double().numpy()


class Measures:
    """Every distance between a set of images and the real test faces (features of the reals computed once)."""

    def __init__(self, real: np.ndarray, train: np.ndarray):
        small = self._small(train)
        self.mean = small.mean(0)
        self.components = np.linalg.svd(small - self.mean, full_matrices=False)[2][:64]
        self.randconv = RandomConv()
        self.real = self._features(real)

    @staticmethod
    def _small(images: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(images).permute(0, 3, 1, 2).float()
        return F.interpolate(x, size=(32, 32), mode="area").flatten(1).double().numpy() / 255

    def _features(self, images: np.ndarray) -> dict:
        return {
            "pixel FD": gaussian_stats((self._small(images) - self.mean) @ self.components.T),
            "HOG KID": hog_features(images),
            "randconv FD": gaussian_stats(self.randconv(images)),
        }

    def against_real(self, images: np.ndarray) -> dict[str, float]:
        mine = self._features(images)
        return {
            "pixel FD": frechet_distance(mine["pixel FD"], self.real["pixel FD"]),
            "HOG KID": kid(mine["HOG KID"], self.real["HOG KID"]),
            "randconv FD": frechet_distance(mine["randconv FD"], self.real["randconv FD"]) * 1000,
            "detector": 100 * faces_found(images).mean(),
        }


def blurred(images: np.ndarray, sigma: float = 1.5) -> np.ndarray:
    return np.stack([np.asarray(Image.fromarray(x).filter(ImageFilter.GaussianBlur(sigma))) for x in images])


def calibrate(measures: Measures, other_real: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    rows = {
        "real vs other real": other_real,
        "real vs blurred real (σ 1.5)": blurred(other_real),
        "real vs uniform noise": rng.integers(0, 256, other_real.shape, dtype=np.uint8),
        "real vs one face repeated": np.repeat(other_real[:1], len(other_real), axis=0),
    }
    print("calibration: each set of 1000 against 1000 real test faces (lower is closer; detector: % found)")
    for name, images in rows.items():
        print(
            f"  {name:30s} " + ", ".join(f"{k} {v:.2f}" for k, v in measures.against_real(images).items()), flush=True
        )


# --- the runs ----------------------------------------------------------------------------------------------------


def train(cmd_options: list[str], ck: Path, steps: int, stop: int | None, resume: bool, threads: int) -> None:
    command = [
        sys.executable, "-m", "p1_dcgan.train", *cmd_options, "--ckpt-dir", str(ck), "--steps", str(steps),
        "--fid-weights", "none", *(["--stop-after-step", str(stop)] if stop else []), *(["--resume"] if resume else []),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": str(threads)}
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{proc.stderr[-2000:]}")


def grid_beside_real(images: np.ndarray, real: np.ndarray, path: Path) -> None:
    a, b = tile(list(images[:32]), 8), tile(list(real[:32]), 8)
    canvas = Image.new("RGB", (a.width + b.width + 12, a.height), "white")
    canvas.paste(a, (0, 0))
    canvas.paste(b, (a.width + 12, 0))
    save_png(canvas, path)


def mean_std(values: list[float]) -> str:
    return f"{statistics.mean(values):.2f} ± {statistics.stdev(values) if len(values) > 1 else 0.0:.2f}"


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("--data-root", type=Path, required=True, help="an hw2_data folder with face/train and face/test")
    p.add_argument("--steps", default="600,2000", help="comma-separated budgets, scored on the way to the largest")
    p.add_argument("--batch-size", type=int, default=64, help="faces per step")
    p.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    p.add_argument("--models", default=",".join(MODELS), help=f"comma-separated from {', '.join(MODELS)}")
    p.add_argument("--args", default="", help="extra p1_dcgan.train options for the default's runs (a lever)")
    p.add_argument("--out", type=Path, help="folder for the sample grids (default: a temporary folder)")
    p.add_argument("--calibrate-only", action="store_true", help="print the calibration rows and stop")
    a = p.parse_args()
    budgets = sorted(int(s) for s in a.steps.split(","))
    seeds = [int(s) for s in a.seeds.split(",")]
    real = load_faces(a.data_root / "face" / "test").permute(0, 2, 3, 1).numpy()[:1000]
    train_faces = load_faces(a.data_root / "face" / "train").permute(0, 2, 3, 1).numpy()
    measures = Measures(real, train_faces[:5000])
    calibrate(measures, train_faces[-1000:])
    if a.calibrate_only:
        return
    threads = os.cpu_count() or 1
    results: dict[tuple[str, int], list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = a.out or Path(tmp) / "grids"
        for key in a.models.split(","):
            options = ["--data-root", str(a.data_root), "--batch-size", str(a.batch_size), *MODELS[key][1]]
            if key == "default" and a.args:
                options += a.args.split()
            for seed in seeds:
                ck = Path(tmp) / f"{key}{seed}"
                for i, steps in enumerate(budgets):
                    last = i == len(budgets) - 1
                    train([*options, "--seed", str(seed)], ck, budgets[-1], None if last else steps, i > 0, threads)
                    path = ck / f"{NAME}.pt"
                    images = generate(load_checkpoint(path), path, 1000, GRADER_SEED, torch.device("cpu"))
                    images = images.permute(0, 2, 3, 1).numpy()
                    scores = measures.against_real(images)
                    results.setdefault((key, steps), []).append(scores)
                    grid_beside_real(images, real, out / f"p1_{key}_s{steps}_seed{seed}.png")
                    print(
                        f"  {key} {steps} steps seed {seed}: " + ", ".join(f"{k} {v:.2f}" for k, v in scores.items()),
                        flush=True,
                    )
        print(f"\n{a.batch_size} faces a step on {len(train_faces)} training faces; seeds {seeds}; grids in {out}")
        for (key, steps), rows in results.items():
            print(f"  {key} {steps} steps: " + ", ".join(f"{k} {mean_std([r[k] for r in rows])}" for k in rows[0]))
    top = budgets[-1]
    if ("dcgan", top) in results and ("default", top) in results:
        kids = {k: statistics.mean(r["HOG KID"] for r in results[(k, top)]) for k in ("dcgan", "default")}
        print(f"ratio={kids['dcgan'] / max(kids['default'], 1e-9):.3f}")


if __name__ == "__main__":
    main()
