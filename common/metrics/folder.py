"""Batches of a folder's images in sorted file order, as the metrics read them."""
from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from common.data.images import list_images, read_rgb, read_size


def folder_batches(folder: Path, batch_size: int) -> Iterator[torch.Tensor]:
    """uint8 (B, 3, H, W) batches of every image of `folder` in sorted order, at the first image's size."""
    files = list_images(folder)
    size = read_size(files[0])
    for i in range(0, len(files), batch_size):
        chunk = np.stack([read_rgb(p, size) for p in files[i:i + batch_size]])
        yield torch.from_numpy(chunk).permute(0, 3, 1, 2)


def tensor_batches(images: torch.Tensor, batch_size: int) -> Iterator[torch.Tensor]:
    """The same batches from images already in memory (uint8, N×3×H×W), e.g. samples inside training."""
    for i in range(0, len(images), batch_size):
        yield images[i:i + batch_size]
