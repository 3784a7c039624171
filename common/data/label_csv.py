"""The `image_name,label` CSV files of the data and of the graders' predictions (no torch: scoring stays instant)."""
import csv
from pathlib import Path

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
