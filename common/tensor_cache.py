"""Decode a list of image files once into one uint8 tensor and keep it on disk.

Later epochs and later runs read the tensor instead of decoding PNGs. The cache key covers every file's
path, size and modification time plus the target size, so a changed, added or removed file rebuilds it.
"""
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

from common.checkpoint import atomic_save
from common.images import read_rgb


def cache_dir() -> Path:
    return Path(os.environ.get("HW2_CACHE_DIR", Path.home() / ".cache" / "hw2"))


def listing_key(paths: list[Path], extra: str = "") -> str:
    """A digest of the files' absolute paths, sizes and mtimes: it changes whenever any file does."""
    h = hashlib.sha256(extra.encode())
    for p in paths:
        st = os.stat(p)
        h.update(f"{Path(p).resolve()}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:32]


def decode_images(paths: list[Path], size: int) -> torch.Tensor:
    """Decode files into a (N, 3, size, size) uint8 tensor, several at a time (PIL releases the GIL)."""
    out = np.empty((len(paths), size, size, 3), dtype=np.uint8)

    def fill(i_path):
        i, path = i_path
        out[i] = read_rgb(path, size)

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        list(pool.map(fill, enumerate(paths)))
    return torch.from_numpy(out).permute(0, 3, 1, 2).contiguous()


def cached_decode(paths: list[Path], size: int) -> tuple[torch.Tensor, bool]:
    """The decoded tensor of `paths`, from the on-disk cache when it is current. Returns (images, cache_hit)."""
    file = cache_dir() / f"images_{size}px_{listing_key(paths, str(size))}.pt"
    if file.exists():
        try:
            return torch.load(file, weights_only=True)["images"], True
        except Exception:  # a damaged cache file is rebuilt, never trusted
            file.unlink(missing_ok=True)
    images = decode_images(paths, size)
    file.parent.mkdir(parents=True, exist_ok=True)
    atomic_save({"images": images}, file)
    return images, False
