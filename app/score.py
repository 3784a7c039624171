"""Score predictions as the course's script does: `python3 -m app.score PRED_CSV GT_CSV` prints
`Accuracy: correct/total (percent%)`, rows matched by image_name."""

from pathlib import Path

from common.cli import command_parser, run_cli
from common.files import score


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("pred_csv", type=Path, help="predictions, image_name,label")
    p.add_argument("gt_csv", type=Path, help="ground truth, image_name,label")
    a = p.parse_args()
    correct, total = score(a.pred_csv, a.gt_csv)
    print(f"Accuracy: {correct}/{total} ({100 * correct / total:.2f}%)")


if __name__ == "__main__":
    run_cli(main)
