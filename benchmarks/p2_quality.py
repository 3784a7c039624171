"""The report's ACGAN against our default, same data, step budget and seeds, scored like the graders score P2.

    python3 -m benchmarks.p2_quality --data-root demo_data/hw2_data [--steps 1000 --batch-size 64 --seeds 0,1,2]

Every run selects its best step with our LeNet evaluator (trained here on MNIST-M train; each seed's line names
the step); the graders' 1000 images of the selected generator are then scored by that evaluator and, when
COURSE_CLASSIFIER names the course's Classifier.pth, by it too: accuracy and per-digit accuracy, mean ± std over the
seeds.

Diversity, which accuracy alone does not see (a generator drawing one digit per class can score 100%): per digit,
the Fréchet distance in our evaluator's 64-d feature space between the 100 generated images of that digit and the
real MNIST-M test digits of that class (FD, lower is better), and the mean pairwise feature distance of the 100
generated images over that of the real ones (spread; 1 = as varied as real digits, near 0 = a collapsed class);
and, which those feature figures can miss (a digit classifier's features mostly ignore colour), how varied the
images' colours are: the standard deviation over the 1000 images of each image's mean colour, over that of the
real test digits (colours; 1 = as varied as real backgrounds, near 0 = one background colour).
Last line: `ratio=<default accuracy over reference accuracy>` with our evaluator.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from common.checkpoints import load_checkpoint
from common.data import NUM_DIGITS, load_digits
from common.gan import GRADER_SEED, generate_uint8, generator_from_checkpoint
from common.images import to_signed_unit
from common.metrics.fid import frechet_distance, gaussian_stats
from common.training import enable_deterministic_inference
from p2_acgan.digit_classifier import load_classifier, predict, train_classifier
from p2_acgan.model import ARCHS, NAME, PROBLEM, fixed_eval_inputs

REPO = Path(__file__).resolve().parent.parent
MODELS = {
    "reference": (
        "the report's ACGAN (BN discriminator, BCE, class loss on fakes, no EMA)",
        ["--arch", "acgan", "--ema-decay", "0", "--fake-cls-start", "0", "--cls-weight-g", "1"],
    ),
    "default": ("default (composite generator, projection discriminator, hinge, EMA)", []),
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


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-root", type=Path, required=True)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--models", default=",".join(MODELS), help=f"comma-separated from {', '.join(MODELS)}")
    a = p.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    course = Path(os.environ["COURSE_CLASSIFIER"]) if os.environ.get("COURSE_CLASSIFIER") else None
    real, real_labels = load_digits(a.data_root, "mnistm", "test")
    device = enable_deterministic_inference()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        train_classifier(a.data_root, tmp / "lenet.pt")
        judges = {"our evaluator": load_classifier(tmp / "lenet.pt")}
        if course is not None and course.exists():
            judges["course classifier"] = load_classifier(course)
        print(f"{a.steps} steps of {a.batch_size} on {a.data_root}, seeds {seeds}; judges: {', '.join(judges)}")
        ratios = {}
        for key in a.models.split(","):
            title, options = MODELS[key]
            acc = {j: [] for j in judges}
            per_digit = {j: [] for j in judges}
            div = []
            for seed in seeds:
                ck = tmp / f"{key}{seed}"
                subprocess.run(
                    [
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
                        *options,
                    ],
                    cwd=REPO,
                    check=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                path = ck / f"{NAME}.pt"
                ckpt = load_checkpoint(path)
                g = generator_from_checkpoint(ckpt, path, PROBLEM, ARCHS, "p2_acgan.train")
                z, y = fixed_eval_inputs(GRADER_SEED)
                images = generate_uint8(g.to(device), z, y, device=device)
                for j, net in judges.items():
                    pred = predict(net, images)
                    acc[j].append((pred == y).float().mean().item())
                    per_digit[j].append([(pred[y == d] == d).float().mean().item() for d in range(NUM_DIGITS)])
                div.append(diversity(judges["our evaluator"], images, y, real, real_labels))
                print(
                    f"  {key} seed {seed}: "
                    + ", ".join(f"{j} {100 * acc[j][-1]:.1f}%" for j in judges)
                    + f", FD {div[-1][0]:.2f}, spread {div[-1][1]:.2f}, colours {div[-1][2]:.2f}, served step "
                    + str(ckpt["counters"]["step"]),
                    flush=True,
                )
            print(f"{title}")
            for j in judges:
                digits = np.mean(per_digit[j], axis=0)
                print(
                    f"  {j}: {mean_std(acc[j])}%; per digit (mean) "
                    + " ".join(f"{d}:{100 * v:.0f}" for d, v in enumerate(digits))
                    + f"; lowest {100 * digits.min():.0f}%"
                )
            print(
                f"  diversity: per-digit FD {mean_std([d[0] for d in div], 1)}, "
                f"spread {mean_std([d[1] for d in div], 1, 2)}, colours {mean_std([d[2] for d in div], 1, 2)}",
                flush=True,
            )
            ratios[key] = statistics.mean(acc["our evaluator"])
    if len(ratios) == 2:
        print(f"ratio={ratios['default'] / max(ratios['reference'], 1e-9):.3f}")


if __name__ == "__main__":
    main()
