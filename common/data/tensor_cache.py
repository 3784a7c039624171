"""Decode a list of image files once into one uint8 tensor and keep it on disk.

Later epochs and later runs read the tensor instead of decoding PNGs. The cache key covers every file's
path, size and modification time plus the target size, so a changed, added or removed file rebuilds it.
"""
import hashlib
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch

from common.data.images import read_rgb
from common.errors import UsageError, os_error_line
from common.training.checkpoint import atomic_save


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
    images, _, failures = decode_readable(paths, size)
    if failures:
        raise UsageError(failures[0])
    return images


def decode_readable(paths: list[Path], size: int) -> tuple[torch.Tensor, list[Path], list[str]]:
    """Decode what can be decoded: (images of the readable files, those files, one message per unreadable one)."""
    out = np.empty((len(paths), size, size, 3), dtype=np.uint8)

    def fill(i_path) -> str | None:
        i, path = i_path
        try:
            out[i] = read_rgb(path, size)
        except UsageError as e:
            return str(e)
        return None

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        errors = list(pool.map(fill, enumerate(paths)))
    ok = [i for i, e in enumerate(errors) if e is None]
    images = torch.from_numpy(out[ok] if len(ok) < len(paths) else out).permute(0, 3, 1, 2).contiguous()
    return images, [paths[i] for i in ok], [e for e in errors if e is not None]


def cached_decode(paths: list[Path], size: int) -> torch.Tensor:
    """The decoded tensor of `paths`, from the on-disk cache when it is current."""
    file = cache_dir() / f"images_{size}px_{listing_key(paths, str(size))}.pt"
    if file.exists():
        try:
            return torch.load(file, weights_only=True)["images"]
        except Exception:  # a damaged cache file is rebuilt, never trusted
            file.unlink(missing_ok=True)
    images = decode_images(paths, size)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        atomic_save({"images": images}, file)
    except OSError as e:  # the cache only saves time: an unwritable cache folder must not stop the run
        print(f"warning: not caching decoded images ({os_error_line(e)})", file=sys.stderr)
    return images
