"""Checkpoints: one dict per file, written atomically, read back without unpickling arbitrary objects."""
import os
import pickle
import tempfile
from pathlib import Path

import torch

from common.errors import UsageError


def atomic_save(obj: dict, path: Path) -> None:
    """Write to a temporary file beside `path`, then rename: a crash mid-save leaves the old file intact, and
    concurrent writers (each with its own temporary name) never publish a torn file."""
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_checkpoint(path: Path, trained_by: str = "") -> dict:
    """Load a checkpoint dict with `weights_only=True` onto the CPU.

    `trained_by` names the command that makes this file, for the error a missing file gives.
    """
    path = Path(path)
    if not path.is_file():
        hint = f"; train it with: {trained_by}" if trained_by else ""
        raise UsageError(f"checkpoint {path} is missing{hint}")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UsageError(f"refusing to load {path}: it holds objects other than tensors and plain data ({first})") from None
    except (RuntimeError, EOFError, OSError) as e:
        raise UsageError(f"checkpoint {path} is damaged or not a PyTorch file: {e}") from None
    if not isinstance(ckpt, dict):
        raise UsageError(f"checkpoint {path} does not hold a dict")
    return ckpt
