"""The `image_name,label` CSV files: the digit splits' labels, the graders' predictions, and scoring the one against
the other as the course's script does. Torch-free, so scoring is instant."""
import csv
from pathlib import Path

from common.atomic_output import atomic_path
from common.errors import UsageError


def read_label_csv(path: Path) -> dict[str, int]:
    """`image_name,label` rows as {image_name: label}; a bad header, label or duplicate name is an error."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"label file {path} is missing")
    with open(path, newline="", encoding="utf-8-sig") as f:  # a byte-order mark is not part of the header
        rows = list(csv.reader(f))
    if not rows or [c.strip() for c in rows[0][:2]] != ["image_name", "label"]:
        raise UsageError(f"{path} must start with the header 'image_name,label'")
    labels: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        try:
            name, label = row[0].strip(), int(row[1])
        except (IndexError, ValueError):
            raise UsageError(f"{path} line {line}: expected 'image_name,label', got {','.join(row)!r}") from None
        if name in labels:
            raise UsageError(f"{path} line {line}: {name} appears twice")
        labels[name] = label
    return labels


def write_label_csv(path: Path, names: list[str], labels: list[int]) -> None:
    """`image_name,label` rows, whole or not at all. A file name that is not valid UTF-8 is written back as the very
    bytes the file system gave."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8", errors="surrogateescape") as f:
            w = csv.writer(f)
            w.writerow(["image_name", "label"])
            w.writerows(zip(names, labels))


def score(pred_csv: Path, gt_csv: Path) -> tuple[int, int]:
    """(correct, total), rows matched by image_name; every ground-truth name needs exactly one prediction and
    vice versa."""
    pred, gt = read_label_csv(pred_csv), read_label_csv(gt_csv)  # duplicates are refused there
    missing = [n for n in gt if n not in pred]
    extra = [n for n in pred if n not in gt]
    if missing:
        raise UsageError(f"{pred_csv} lacks {len(missing)} image(s) of {gt_csv}: {', '.join(missing[:5])}")
    if extra:
        raise UsageError(f"{pred_csv} has {len(extra)} image(s) not in {gt_csv}: {', '.join(extra[:5])}")
    return sum(pred[n] == y for n, y in gt.items()), len(gt)
