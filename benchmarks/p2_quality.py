"""The report's ACGAN and the default, same data, step budget and seeds, scored like the graders score P2, at the
selected step and at the last.

    python3 -m benchmarks.p2_quality --data-root ROOT [--steps 1308 --batch-size 64 --seeds 0,1,2 --jobs 2]
        [--models acgan,composite,default] [--args "--cls-weight-g 5"]

ROOT: an hw2_data folder; on real MNIST-M, `python3 -m benchmarks.real_data mnistm ...` builds one (7,000 training
digits, as a user's CPU run, and 2,000 others to score against). Every run selects its best step with our LeNet
evaluator (trained here on ROOT's MNIST-M train); the graders' 1000 images of the selected generator, and of the
last step's, are scored by that evaluator and, when COURSE_CLASSIFIER names the course's Classifier.pth, by it too:
accuracy and per-digit accuracy, mean ± std over the seeds. `--args` adds options to every run (a lever to try).

Diversity, which accuracy alone does not see (a generator drawing one digit per class can score 100%): per digit,
the Fréchet distance in our evaluator's 64-d feature space between the 100 generated images of that digit and the
real MNIST-M test digits of that class (FD, lower is better), and the mean pairwise feature distance of the 100
generated images over that of the real ones (spread; 1 = as varied as real digits, near 0 = a collapsed class);
and, which those feature figures can miss (a digit classifier's features mostly ignore colour), how varied the
images' colours are: the standard deviation over the 1000 images of each image's mean colour, over that of the
real test digits (colours; 1 = as varied as real backgrounds, near 0 = one background colour).
Last line: `ratio=<default accuracy over the report's ACGAN's>` with our evaluator, at the selected steps.
"""

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

from common.checkpoints import load_checkpoint
from common.cli import command_parser
from common.data import NUM_DIGITS, load_digits
from common.gan import GRADER_SEED, generate_uint8, generator_from_checkpoint
from common.images import to_signed_unit
from common.metrics.fid import frechet_distance, gaussian_stats
from common.training import enable_deterministic_inference
from p2_acgan.digit_classifier import load_classifier, predict, train_classifier
from p2_acgan.model import ARCHS, NAME, PROBLEM, fixed_eval_inputs

REPO = Path(__file__).resolve().parent.parent
MODELS = {
    "acgan": (
        "the report's ACGAN (BN discriminator, BCE, class loss on fakes, no EMA)",
        ["--arch", "acgan", "--ema-decay", "0", "--fake-cls-start", "0", "--cls-weight-g", "1"],
    ),
    "composite": (
        "the composite generator as the default was before it was judged on real MNIST-M (untinted, class loss 5, "
        "fakes in the class head from step 1000)",
        ["--arch", "composite", "--cls-weight-g", "5", "--fake-cls-start", "1000"],
    ),
    "default": ("the default (the trainer's options as they stand)", []),
}


@torch.no_grad()
def features(net, images_uint8: torch.Tensor) -> np.ndarray:
    return net.features(to_signed_unit(images_uint8)).numpy().astype(np.float64)


def colour_variety(images: torch.Tensor) -> float:
    """The standard deviation over images of their mean colour, averaged over R, G and B."""
    return images.float().mean((2, 3)).std(0).mean().item()


def diversity(net, images: torch.Tensor, labels: torch.Tensor, real: torch.Tensor, real_labels: torch.Tensor):
    """(mean per-digit FD, mean per-digit spread, colours) as described in the module docstring."""
    fds, spreads = [], []
    for d in range(NUM_DIGITS):
        gen, ref = features(net, images[labels == d]), features(net, real[real_labels == d])
        fds.append(frechet_distance(gaussian_stats(gen), gaussian_stats(ref)))
        spreads.append(
            torch.pdist(torch.from_numpy(gen)).mean().item() / torch.pdist(torch.from_numpy(ref)).mean().item()
        )
    return float(np.mean(fds)), float(np.mean(spreads)), colour_variety(images) / colour_variety(real)


def mean_std(values: list[float], scale: float = 100.0, digits: int = 1) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{scale * statistics.mean(values):.{digits}f} ± {scale * sd:.{digits}f}"


def last_step_generator(run_dir: Path, arch: str) -> torch.nn.Module:
    """The generator of a run's last step, from its latest.pt: the EMA copy when the run kept one."""
    states = load_checkpoint(run_dir / "latest.pt")["states"]
    g = ARCHS[arch].generator()
    if "G_ema" in states:
        g.load_state_dict({k.removeprefix("module."): v for k, v in states["G_ema"].items() if k != "n_averaged"})
    else:
        g.load_state_dict(states["G"])
    return g


def train(key: str, seed: int, a: argparse.Namespace, tmp: Path, threads: int) -> Path:
    ck = tmp / f"{key}{seed}"
    command = [
        sys.executable,
        "-m",
        "p2_acgan.train",
        "--data-root",
        str(a.data_root),
        "--ckpt-dir",
        str(ck),
        "--steps",
        str(a.steps),
        "--batch-size",
        str(a.batch_size),
        "--eval-every",
        "100",
        "--seed",
        str(seed),
        "--classifier",
        str(tmp / "lenet.pt"),
        *MODELS[key][1],
        *shlex.split(a.args),
    ]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "PYTHONPATH": str(REPO)}
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{proc.stderr[-2000:]}")
    return ck


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("--data-root", type=Path, required=True, help="an hw2_data folder (mnistm train and test)")
    p.add_argument("--steps", type=int, default=1308, help="steps of each run")
    p.add_argument("--batch-size", type=int, default=64, help="digits per step")
    p.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    p.add_argument("--models", default=",".join(MODELS), help=f"comma-separated from {', '.join(MODELS)}")
    p.add_argument("--args", default="", help="extra p2_acgan.train options for every run (a lever to try)")
    p.add_argument("--jobs", type=int, default=1, help="runs at a time (each gets cores / jobs threads)")
    a = p.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    keys = a.models.split(",")
    course = Path(os.environ["COURSE_CLASSIFIER"]) if os.environ.get("COURSE_CLASSIFIER") else None
    real, real_labels = load_digits(a.data_root, "mnistm", "test")
    device = enable_deterministic_inference()
    threads = max(1, (os.cpu_count() or 1) // a.jobs)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        train_classifier(a.data_root, tmp / "lenet.pt")
        judges = {"our evaluator": load_classifier(tmp / "lenet.pt")}
        if course is not None and course.exists():
            judges["course classifier"] = load_classifier(course)
        print(
            f"{a.steps} steps of {a.batch_size} on {a.data_root} ({len(real)} test digits), seeds {seeds}, "
            f"extra options {a.args!r}; judges (their accuracy on the real test digits): "
            + ", ".join(
                f"{j} {100 * (predict(net, real) == real_labels).float().mean().item():.1f}%"
                for j, net in judges.items()
            )
            + f"; real colours {colour_variety(real):.1f}",
            flush=True,
        )
        ratios = {}
        with ThreadPoolExecutor(a.jobs) as pool:
            folders = {(key, seed): pool.submit(train, key, seed, a, tmp, threads) for key in keys for seed in seeds}
            for key in keys:
                scores = {
                    which: {"acc": {j: [] for j in judges}, "digit": {j: [] for j in judges}, "div": []}
                    for which in ("selected", "last")
                }
                for seed in seeds:
                    ck = folders[(key, seed)].result()
                    path = ck / f"{NAME}.pt"
                    ckpt = load_checkpoint(path)
                    generators = {
                        "selected": generator_from_checkpoint(ckpt, path, PROBLEM, ARCHS, "p2_acgan.train"),
                        "last": last_step_generator(ck / "runs" / NAME / "00000", ckpt["arch"]),
                    }
                    line = []
                    for which, g in generators.items():
                        z, y = fixed_eval_inputs(GRADER_SEED)
                        images = generate_uint8(g.to(device), z, y, device=device)
                        for j, net in judges.items():
                            pred = predict(net, images)
                            scores[which]["acc"][j].append((pred == y).float().mean().item())
                            scores[which]["digit"][j].append(
                                [(pred[y == d] == d).float().mean().item() for d in range(NUM_DIGITS)]
                            )
                        scores[which]["div"].append(diversity(judges["our evaluator"], images, y, real, real_labels))
                        fd, spread, colours = scores[which]["div"][-1]
                        line.append(
                            f"{which}"
                            + (f" (step {ckpt['counters']['step']})" if which == "selected" else "")
                            + ": "
                            + ", ".join(f"{j} {100 * scores[which]['acc'][j][-1]:.1f}%" for j in judges)
                            + f", FD {fd:.1f}, spread {spread:.2f}, colours {colours:.2f}"
                        )
                    print(f"  {key} seed {seed}: " + "; ".join(line), flush=True)
                print(MODELS[key][0])
                for which, sc in scores.items():
                    for j in judges:
                        digits = np.mean(sc["digit"][j], axis=0)
                        print(
                            f"  {which} step, {j}: {mean_std(sc['acc'][j])}%; per digit (mean) "
                            + " ".join(f"{d}:{100 * v:.0f}" for d, v in enumerate(digits))
                            + f"; lowest {100 * digits.min():.0f}%"
                        )
                    print(
                        f"  {which} step, diversity: per-digit FD {mean_std([d[0] for d in sc['div']], 1)}, "
                        f"spread {mean_std([d[1] for d in sc['div']], 1, 2)}, "
                        f"colours {mean_std([d[2] for d in sc['div']], 1, 2)}",
                        flush=True,
                    )
                ratios[key] = statistics.mean(scores["selected"]["acc"]["our evaluator"])
    if "acgan" in ratios and "default" in ratios:
        print(f"ratio={ratios['default'] / max(ratios['acgan'], 1e-9):.3f}")


if __name__ == "__main__":
    main()
