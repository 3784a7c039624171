"""Score predictions as the course's script does: `python3 -m app.score PRED_CSV GT_CSV` prints
`Accuracy: correct/total (percent%)`, rows matched by image_name."""

import argparse
from pathlib import Path

from common.cli import run_cli
from common.files import score


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("pred_csv", type=Path)
    p.add_argument("gt_csv", type=Path)
    a = p.parse_args()
    correct, total = score(a.pred_csv, a.gt_csv)
    print(f"Accuracy: {correct}/{total} ({100 * correct / total:.2f}%)")


if __name__ == "__main__":
    run_cli(main)
