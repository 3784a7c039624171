"""The official hw2_data layout (SPEC §1): face folders and digit domains with CSV labels.

Two ways in: torch `Dataset`s that decode files one by one (for DataLoader users and references), and
`load_faces` / `load_digits`, the fast path that returns whole splits as cached uint8 tensors.
"""
from pathlib import Path

import torch
from torch.utils.data import Dataset

from common.batches import to_signed_unit
from common.errors import UsageError
from common.images import list_images, read_rgb
from common.label_csv import read_label_csv
from common.tensor_cache import cached_decode

DOMAINS = ("mnistm", "svhn", "usps")
DIGIT_SIZE, FACE_SIZE = 28, 64


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
    return files, torch.tensor([labels[p.name] for p in files], dtype=torch.long)


def load_digits(root: Path, domain: str, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """A whole digit split as (uint8 (N, 3, 28, 28), int64 (N,)), decoded once and cached on disk."""
    files, labels = digit_split_files(root, domain, split)
    images, _ = cached_decode(files, DIGIT_SIZE)
    return images, labels


def load_faces(folder: Path) -> torch.Tensor:
    """A face folder as uint8 (N, 3, 64, 64), decoded once and cached on disk."""
    images, _ = cached_decode(list_images(folder, what="face folder"), FACE_SIZE)
    return images


class ImageFiles(Dataset):
    """Images decoded one by one as float [-1, 1] tensors (C, size, size), with optional labels."""

    def __init__(self, files: list[Path], size: int, labels: torch.Tensor | None = None):
        self.files, self.size, self.labels = files, size, labels

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, i: int):
        x = to_signed_unit(torch.from_numpy(read_rgb(self.files[i], self.size)).permute(2, 0, 1))
        return (x, int(self.labels[i])) if self.labels is not None else x


class FaceFolder(ImageFiles):
    """A folder of face images at 64×64."""

    def __init__(self, folder: Path):
        super().__init__(list_images(folder, what="face folder"), FACE_SIZE)


class DigitFolder(ImageFiles):
    """One split of a digit domain at 28×28, yielding (image, label)."""

    def __init__(self, root: Path, domain: str, split: str):
        files, labels = digit_split_files(root, domain, split)
        super().__init__(files, DIGIT_SIZE, labels)


class InferenceFolder(ImageFiles):
    """Every image of a test folder in sorted order; `.names` are the file names for the CSV rows."""

    def __init__(self, folder: Path, size: int = DIGIT_SIZE):
        super().__init__(list_images(folder, what="test folder"), size)
        self.names = [p.name for p in self.files]
