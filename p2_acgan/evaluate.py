"""Score generated digits: `python3 -m p2_acgan.evaluate OUT_DIR [--classifier PATH ...]`.

The label of each image is the first character of its name (<digit>_<NNN>.png). Prints overall and
per-class accuracy for each classifier (default: our evaluator in the checkpoint folder).
"""

import re
from pathlib import Path

import torch

from common.checkpoints import checkpoint_dir
from common.cli import UsageError, command_parser, run_cli
from common.data import DIGIT_SIZE, NUM_DIGITS
from common.files import EVALUATOR_CHECKPOINT
from common.images import decode_images, list_images
from p2_acgan.digit_classifier import load_classifier, predict

NAME = re.compile(r"^([0-9])_([0-9]{3})\.png$")


def labelled_images(folder: Path, per_class: int = 100) -> tuple[torch.Tensor, torch.Tensor]:
    files = list_images(folder, what="image folder")
    bad = [p.name for p in files if not NAME.match(p.name)]
    if bad:
        raise UsageError(f"{len(bad)} file(s) in {folder} are not named <digit>_<NNN>.png: {', '.join(bad[:5])}")
    labels = torch.tensor([int(p.name[0]) for p in files])
    counts = torch.bincount(labels, minlength=10)
    if len(files) != NUM_DIGITS * per_class or (counts != per_class).any():
        raise UsageError(
            f"{folder} holds {len(files)} images ({', '.join(f'{d}: {int(c)}' for d, c in enumerate(counts))}); "
            f"expected {per_class} per digit"
        )
    return decode_images(files, DIGIT_SIZE), labels


def accuracy_report(images: torch.Tensor, labels: torch.Tensor, classifier: Path) -> tuple[float, list[float]]:
    pred = predict(load_classifier(classifier), images)
    per_class = [(pred[labels == d] == d).float().mean().item() for d in range(NUM_DIGITS)]
    return (pred == labels).float().mean().item(), per_class


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("out_dir", type=Path, help="the folder hw2_p2.sh wrote")
    p.add_argument(
        "--classifier",
        type=Path,
        action="append",
        help="digit classifier checkpoint; repeat for several (default: HW2_CKPT_DIR/digit_classifier.pt)",
    )
    a = p.parse_args()
    images, labels = labelled_images(a.out_dir)
    for clf in a.classifier or [checkpoint_dir() / EVALUATOR_CHECKPOINT]:
        acc, per_class = accuracy_report(images, labels, clf)
        print(f"{clf}: accuracy {acc * 100:.2f}% ({int(round(acc * len(labels)))}/{len(labels)})")
        print("  per class: " + "  ".join(f"{d}:{a * 100:.0f}%" for d, a in enumerate(per_class)))


if __name__ == "__main__":
    run_cli(main)
