"""Score predictions: `python3 -m common.uda.evaluate PRED_CSV GT_CSV` prints
`Accuracy: correct/total (percent%)` as the course's script does, matching rows by image_name."""
import argparse
from pathlib import Path

from common.data.label_csv import read_label_csv
from common.errors import UsageError, run_cli


def score(pred_csv: Path, gt_csv: Path) -> tuple[int, int]:
    """(correct, total); every ground-truth name needs exactly one prediction and vice versa."""
    pred, gt = read_label_csv(pred_csv), read_label_csv(gt_csv)  # duplicates are refused there
    missing = [n for n in gt if n not in pred]
    extra = [n for n in pred if n not in gt]
    if missing:
        raise UsageError(f"{pred_csv} lacks {len(missing)} image(s) of {gt_csv}: {', '.join(missing[:5])}")
    if extra:
        raise UsageError(f"{pred_csv} has {len(extra)} image(s) not in {gt_csv}: {', '.join(extra[:5])}")
    return sum(pred[n] == y for n, y in gt.items()), len(gt)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("pred_csv", type=Path)
    p.add_argument("gt_csv", type=Path)
    a = p.parse_args()
    correct, total = score(a.pred_csv, a.gt_csv)
    print(f"Accuracy: {correct}/{total} ({100 * correct / total:.2f}%)")


if __name__ == "__main__":
    run_cli(main)
