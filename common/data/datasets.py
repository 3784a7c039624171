"""The official hw2_data layout: face folders, and digit domains whose splits have CSV labels. Whole splits
come back as uint8 tensors, decoded once and cached on disk."""
from pathlib import Path

import torch

from common.data.images import list_images
from common.data.label_csv import read_label_csv
from common.data.tensor_cache import cached_decode
from common.errors import UsageError

DOMAINS = ("mnistm", "svhn", "usps")
DIGIT_SIZE, FACE_SIZE = 28, 64
NUM_DIGITS = 10


def digit_split_files(root: Path, domain: str, split: str) -> tuple[list[Path], torch.Tensor]:
    """Files of digits/<domain>/<split>/ in sorted order and their labels, matched by image_name."""
    if domain not in DOMAINS:
        raise UsageError(f"unknown domain {domain!r}; expected one of {', '.join(DOMAINS)}")
    folder = Path(root) / "digits" / domain / split
    files = list_images(folder, what=f"{domain} {split} folder")
    labels = read_label_csv(folder.parent / f"{split}.csv")
    names = {p.name for p in files}
    no_file = [n for n in labels if n not in names]
    no_row = [p.name for p in files if p.name not in labels]
    if no_file:
        raise UsageError(f"{folder.parent / (split + '.csv')}: {len(no_file)} row(s) without an image file: "
                         f"{', '.join(no_file[:5])}")
    if no_row:
        raise UsageError(f"{folder}: {len(no_row)} image(s) without a row in {split}.csv: {', '.join(no_row[:5])}")
    bad = [(n, y) for n, y in labels.items() if not 0 <= y < NUM_DIGITS]
    if bad:
        raise UsageError(f"{folder.parent / (split + '.csv')}: {len(bad)} label(s) outside 0–9, e.g. "
                         f"{bad[0][0]} has {bad[0][1]}")
    return files, torch.tensor([labels[p.name] for p in files], dtype=torch.long)


def load_digits(root: Path, domain: str, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """A whole digit split as (uint8 (N, 3, 28, 28), int64 (N,)), decoded once and cached on disk."""
    files, labels = digit_split_files(root, domain, split)
    images = cached_decode(files, DIGIT_SIZE)
    return images, labels


def load_faces(folder: Path) -> torch.Tensor:
    """A face folder as uint8 (N, 3, 64, 64), decoded once and cached on disk."""
    images = cached_decode(list_images(folder, what="face folder"), FACE_SIZE)
    return images
