"""The official hw2_data layout, the batches training draws from it, and their augmentations.

Face folders, and digit domains whose splits have `image_name,label` CSV files (common/files.py); whole splits
come back as uint8 tensors (decoded once and cached, common/images.py). Training draws endless shuffled batches
from such a tensor on the training device: no PNG decoding and no worker processes after the first load. Shuffling
uses its own CPU generator whose state goes into checkpoints, so a resumed run draws the same batches; an epoch's
order and flips are drawn at its start and copied to the device once, and a batch is then cut out on the device
with no copy from the host and no host read, so on a GPU the host never waits for it.

Augmentations are drawn per image on the batch's device (no host round trip), for images in [-1, 1].

Digit classifiers: real digit domains differ in how large and where the digit sits (USPS digits fill their frame,
MNIST digits sit in a 20-pixel box in a 28-pixel frame, SVHN crops show neighbouring digits) and in polarity, so
random scale, rotation and shift, inversion and neighbours make a classifier that transfers; the intensity changes
serve self-training.

GANs with little data: DiffAugment (Zhao et al., "Differentiable Augmentation for Data-Efficient GAN Training",
2020), the same random colour, translation and cutout applied to real and fake images before the discriminator,
differentiable so the generator learns through it.
"""

import hashlib
import math
from pathlib import Path

import torch
import torch.nn.functional as F

from common.cli import UsageError
from common.files import read_label_csv
from common.images import cached_decode, list_images, to_signed_unit

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
        raise UsageError(
            f"{folder.parent / (split + '.csv')}: {len(no_file)} row(s) without an image file: {', '.join(no_file[:5])}"
        )
    if no_row:
        raise UsageError(f"{folder}: {len(no_row)} image(s) without a row in {split}.csv: {', '.join(no_row[:5])}")
    bad = [(n, y) for n, y in labels.items() if not 0 <= y < NUM_DIGITS]
    if bad:
        raise UsageError(
            f"{folder.parent / (split + '.csv')}: {len(bad)} label(s) outside 0–9, e.g. {bad[0][0]} has {bad[0][1]}"
        )
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


def data_digest(images: torch.Tensor, labels: torch.Tensor | None) -> str:
    """A SHA-256 of the images' pixels and the labels: what a resumed run checks its data against."""
    h = hashlib.sha256(memoryview(images.contiguous().numpy()).cast("B"))
    if labels is not None:
        h.update(memoryview(labels.contiguous().numpy()).cast("B"))
    return h.hexdigest()


# --- training batches -------------------------------------------------------------------------------------


class TensorBatches:
    """Iterate forever over (images, labels) batches of a dataset held as tensors.

    images: (N, 3, H, W) uint8; labels: (N,) int64 or None. Batches come out as float [-1, 1] on
    `device`, with random horizontal flips when `flip` is set. An epoch is a fresh permutation; the
    last incomplete batch of an epoch is dropped. A batch larger than the data is refused, naming `what` the data
    is. Its state records a digest of the data, so that a resumed run refuses data that changed since it was saved.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor | None,
        batch_size: int,
        device: torch.device,
        seed: int,
        flip: bool = False,
        memory_format: torch.memory_format = torch.contiguous_format,
        what: str = "training images",
    ):
        if len(images) < batch_size:
            raise UsageError(
                f"--batch-size {batch_size} is larger than the {len(images)} {what} it draws from; "
                f"use at most {len(images)}"
            )
        self.what, self.digest = what, data_digest(images, labels)
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
        return {
            "generator": self.generator.get_state(),
            "perm": self.perm,
            "flips": self.flips,
            "pos": self.pos,
            "data": {"count": len(self.images), "digest": self.digest},
        }

    def load_state_dict(self, state: dict) -> None:
        saved = state["data"]
        if saved["digest"] != self.digest:
            change = (
                f"{saved['count']} then, {len(self.images)} now"
                if saved["count"] != len(self.images)
                else f"as many, {len(self.images)}, with other content"
            )
            raise UsageError(
                f"--resume: the {self.what} changed since the run was saved ({change}); resume with the data it "
                "trained on, or start a new run without --resume"
            )
        self.generator.set_state(state["generator"])
        self.perm, self.flips, self.pos = state["perm"], state["flips"], state["pos"]
        self._to_device()


# --- batch augmentations ---------------------------------------------------------------------------------------


def random_affine(
    x: torch.Tensor, rotation_deg: float = 10.0, scale: tuple[float, float] = (0.85, 1.2), shift: float = 0.1
) -> torch.Tensor:
    """Rotate by ±rotation_deg, zoom by a factor in `scale` (>1 enlarges the digit) and shift by ±shift of
    the image size, independently per image; edges repeat the border pixels."""
    b = x.shape[0]
    u = torch.rand(b, 4, device=x.device)
    angle = (u[:, 0] * 2 - 1) * math.radians(rotation_deg)
    zoom = scale[0] + u[:, 1] * (scale[1] - scale[0])
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack(
        [
            torch.stack([cos, -sin, (u[:, 2] * 2 - 1) * 2 * shift], 1),
            torch.stack([sin, cos, (u[:, 3] * 2 - 1) * 2 * shift], 1),
        ],
        1,
    )  # grid units span 2
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def random_intensity(x: torch.Tensor, invert_prob: float = 0.5, noise: float = 0.1) -> torch.Tensor:
    """Per image: random contrast (0.5–1.5×) and brightness (±0.3), inversion with `invert_prob`, and Gaussian
    noise of std up to `noise`; for images in [-1, 1]."""
    b = x.shape[0]
    u = torch.rand(b, 4, 1, 1, 1, device=x.device, dtype=x.dtype)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * (0.5 + u[:, 0]) + mean + (u[:, 1] * 2 - 1) * 0.3
    x = torch.where(u[:, 2] < invert_prob, -x, x)
    return x + torch.randn_like(x) * (u[:, 3] * noise)


def invert_some(images: torch.Tensor, prob: float) -> torch.Tensor:
    """Negate the intensities of each image in [-1, 1] (255 − x in pixels) with probability `prob`.

    SVHN shows light digits on dark and dark digits on light backgrounds, while USPS and MNIST digits have one
    polarity; a classifier trained on one polarity is confidently wrong on the other half of such a target.
    Inverted labelled images teach polarity invariance with correct labels. At prob 0 it returns `images` and
    draws no random numbers.
    """
    if prob == 0:
        return images
    flip = torch.rand(len(images), 1, 1, 1, device=images.device) < prob
    return torch.where(flip, -images, images)


def add_neighbours(x: torch.Tensor, prob: float, widen: tuple[float, float] = (1.1, 1.6)) -> torch.Tensor:
    """With probability `prob` per image, widen its frame by a factor in `widen` so that parts of two other
    images of the batch enter at the left and right edges, as SVHN's crops show the neighbouring digits of a
    house number; the image itself stays centred (and keeps its label), the new rows above and below take its
    border's median value. At prob 0 it returns `x` and draws no random numbers."""
    if prob == 0:
        return x
    b = x.shape[0]
    frame = torch.cat([x[..., 0, :], x[..., -1, :], x[..., :, 0], x[..., :, -1]], dim=-1)
    background = frame.median(dim=-1, keepdim=True).values.unsqueeze(-1)  # (B, C, 1, 1)
    strip = torch.cat([x.roll(1, 0), x, x.roll(-1, 0)], dim=3) - background  # (B, C, H, 3W)
    u = torch.rand(b, 2, device=x.device)
    zoom = widen[0] + u[:, 0] * (widen[1] - widen[0])
    theta = torch.zeros(b, 2, 3, device=x.device, dtype=x.dtype)
    theta[:, 0, 0], theta[:, 1, 1] = (zoom / 3).to(x.dtype), zoom.to(x.dtype)  # the centre image spans 1/3 of the strip
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    widened = F.grid_sample(strip, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + background
    return torch.where((u[:, 1] < prob).view(b, 1, 1, 1), widened, x)


# --- DiffAugment -------------------------------------------------------------------------------------------

POLICIES = ("color", "translation", "cutout")


def _color(x: torch.Tensor) -> torch.Tensor:
    b = x.shape[0]
    r = lambda: torch.rand(b, 1, 1, 1, device=x.device, dtype=x.dtype)  # noqa: E731
    x = x + (r() - 0.5)  # brightness
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (r() * 2) + mean  # saturation
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (r() + 0.5) + mean  # contrast


def _translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    """Shift each image by up to `ratio` of its size, filling with zeros (nearest sampling keeps pixels)."""
    b = x.shape[0]
    shift = (torch.rand(b, 2, device=x.device) * 2 - 1) * (2 * ratio)  # grid units span 2
    theta = torch.zeros(b, 2, 3, device=x.device, dtype=x.dtype)
    theta[:, 0, 0] = theta[:, 1, 1] = 1
    theta[:, :, 2] = shift.to(x.dtype)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="nearest", padding_mode="zeros", align_corners=False)


def cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    """Zero one square of `ratio` × the image size at a random place in each image."""
    b, _, h, w = x.shape
    ch, cw = int(h * ratio), int(w * ratio)
    cy = torch.randint(0, h, (b, 1, 1), device=x.device)
    cx = torch.randint(0, w, (b, 1, 1), device=x.device)
    ys = torch.arange(h, device=x.device).view(1, h, 1)
    xs = torch.arange(w, device=x.device).view(1, 1, w)
    inside = ((ys - cy).abs() <= ch // 2) & ((xs - cx).abs() <= cw // 2)
    return x * (~inside).unsqueeze(1).to(x.dtype)


def diff_augment(x: torch.Tensor, policy: tuple[str, ...]) -> torch.Tensor:
    for name in policy:
        x = {"color": _color, "translation": _translation, "cutout": cutout}[name](x)
    return x


def parse_policy(text: str) -> tuple[str, ...]:
    """'translation,color' -> ('translation', 'color'); '' -> (); an unknown name is a UsageError."""
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in POLICIES]
    if unknown:
        raise UsageError(f"unknown DiffAugment policy {', '.join(unknown)}; choose from {', '.join(POLICIES)}")
    return names
