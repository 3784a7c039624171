"""The report's accuracy tables from trained checkpoints, scored on the target test sets:

    python3 -m p3_dann.table --data-root ROOT --ckpt-dir DIR [--rows source,dann,target,bonus] [--out FILE.md]

Each cell is `percent (correct/total)`; columns are MNIST-M→USPS, SVHN→MNIST-M, USPS→SVHN.
"""
import argparse
from pathlib import Path

from common.datasets import load_digits
from common.errors import UsageError, run_cli
from common.generation import pick_device
from common.scenarios import SCENARIOS
from common.uda import load_classifier_checkpoint, predict_images

ROWS = {  # row key -> (label, checkpoint file pattern)
    "source": ("Trained on source", "p3_{s}2{t}_source.pt"),
    "dann": ("Adaptation (DANN)", "p3_{s}2{t}.pt"),
    "target": ("Trained on target", "p3_{s}2{t}_target.pt"),
    "bonus": ("Improved model (bonus)", "bonus_{s}2{t}.pt"),
}
NAMES = {"mnistm": "MNIST-M", "usps": "USPS", "svhn": "SVHN"}


def accuracies(data_root: Path, ckpt_dir: Path, rows: list[str]) -> dict[str, list[tuple[int, int]]]:
    """{row: [(correct, total) per scenario]} on the target test splits."""
    device = pick_device()
    tests = {t: load_digits(data_root, t, "test") for _, t in SCENARIOS}
    out = {}
    for row in rows:
        out[row] = []
        for s, t in SCENARIOS:
            net = load_classifier_checkpoint(ckpt_dir / ROWS[row][1].format(s=s, t=t))
            images, labels = tests[t]
            out[row].append((int((predict_images(net, images, device) == labels).sum()), len(labels)))
    return out


def markdown(table: dict[str, list[tuple[int, int]]]) -> str:
    lines = ["| | " + " | ".join(f"{NAMES[s]} → {NAMES[t]}" for s, t in SCENARIOS) + " |", "|---|---|---|---|"]
    for row, cells in table.items():
        lines.append(f"| {ROWS[row][0]} | " + " | ".join(f"{100 * c / n:.1f}% ({c}/{n})" for c, n in cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-root", type=Path, required=True)
    p.add_argument("--ckpt-dir", type=Path, required=True)
    p.add_argument("--rows", default="source,dann,target", help=f"comma-separated from {', '.join(ROWS)}")
    p.add_argument("--out", type=Path, help="also write the markdown table here")
    a = p.parse_args()
    rows = [r for r in a.rows.split(",") if r]
    if not rows or any(r not in ROWS for r in rows):
        raise UsageError(f"--rows takes a comma-separated list from {', '.join(ROWS)}")
    text = markdown(accuracies(a.data_root, a.ckpt_dir, rows))
    print(text, end="")
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(text)


if __name__ == "__main__":
    run_cli(main)
