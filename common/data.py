"""The official hw2_data layout and the batches training draws from it.

Face folders, and digit domains whose splits have `image_name,label` CSV files (common/labels.py); whole splits
come back as uint8 tensors (decoded once and cached, common/images.py). Training draws endless shuffled batches from such a tensor on
the training device: no PNG decoding and no worker processes after the first load. Shuffling uses its own CPU
generator whose state goes into checkpoints, so a resumed run draws the same batches; an epoch's order and flips
are drawn at its start and copied to the device once, and a batch is then cut out on the device with no copy from
the host and no host read, so on a GPU the host never waits for it.
"""
from pathlib import Path

import torch

from common.errors import UsageError
from common.images import cached_decode, list_images, to_signed_unit
from common.labels import read_label_csv

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


def train_val_split(n: int, val_fraction: float, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices (train, val) of a seeded permutation of range(n); val gets round(n * val_fraction), at least 1."""
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = min(n - 1, max(1, round(n * val_fraction)))
    return perm[n_val:].sort().values, perm[:n_val].sort().values


# --- training batches -------------------------------------------------------------------------------------

class TensorBatches:
    """Iterate forever over (images, labels) batches of a dataset held as tensors.

    images: (N, 3, H, W) uint8; labels: (N,) int64 or None. Batches come out as float [-1, 1] on
    `device`, with random horizontal flips when `flip` is set. An epoch is a fresh permutation; the
    last incomplete batch of an epoch is dropped.
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor | None, batch_size: int,
                 device: torch.device, seed: int, flip: bool = False,
                 memory_format: torch.memory_format = torch.contiguous_format):
        if len(images) < batch_size:
            batch_size = len(images)  # tiny data sets still train
        self.images = images.to(device)
        self.labels = labels.to(device) if labels is not None else None
        self.batch_size, self.device, self.flip, self.memory_format = batch_size, device, flip, memory_format
        self.generator = torch.Generator().manual_seed(seed)
        self._new_epoch()

    @property
    def batches_per_epoch(self) -> int:
        return len(self.images) // self.batch_size

    def __iter__(self):
        return self

    def _new_epoch(self) -> None:
        n = len(self.images)
        self.perm = torch.randperm(n, generator=self.generator)
        self.flips = torch.rand(n, generator=self.generator) < 0.5 if self.flip else None
        self.pos = 0
        self._to_device()

    def _to_device(self) -> None:
        self._perm_on_device = self.perm.to(self.device)
        self._flips_on_device = self.flips.to(self.device) if self.flips is not None else None

    def __next__(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        if self.pos + self.batch_size > len(self.perm):
            self._new_epoch()
        batch = slice(self.pos, self.pos + self.batch_size)
        self.pos += self.batch_size
        idx = self._perm_on_device[batch]
        x = self.images.index_select(0, idx)  # far faster than advanced indexing on CPU
        if self.flips is not None:  # on the uint8 copy: a quarter of the memory traffic of flipping floats
            x = torch.where(self._flips_on_device[batch].view(-1, 1, 1, 1), x.flip(3), x)
        x = to_signed_unit(x.contiguous(memory_format=self.memory_format))
        return x, (self.labels.index_select(0, idx) if self.labels is not None else None)

    def state_dict(self) -> dict:
        return {"generator": self.generator.get_state(), "perm": self.perm, "flips": self.flips, "pos": self.pos}

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
        self.perm, self.flips, self.pos = state["perm"], state["flips"], state["pos"]
        self._to_device()
