"""Checkpoints: one dict per file, written atomically, read back without unpickling arbitrary objects, and
found for the graders' scripts in ${HW2_CKPT_DIR:-<repository>/checkpoints}."""
import os
import pickle
import re
import warnings
from pathlib import Path

import torch

from common.atomic_output import atomic_path
from common.errors import UsageError

REPO = Path(__file__).resolve().parents[2]


def atomic_save(obj: dict, path: Path) -> None:
    """A crash mid-save leaves the old file intact, and concurrent writers never publish a torn file."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())


def _unpickling_reason(e: Exception) -> str:
    """PyTorch's message, minus its advice to retry without weights_only (which this project never does)."""
    found = re.search(r"Unsupported global: GLOBAL (\S+)", str(e))
    if found:
        return f"it holds objects other than tensors and plain data ({found.group(1)}), refused for safety"
    return "it is damaged or not a PyTorch checkpoint"


def load_checkpoint(path: Path, trained_by: str = "") -> dict:
    """Load a checkpoint dict with `weights_only=True` onto the CPU.

    `trained_by` names the command that makes this file, for the error a missing file gives.
    """
    path = Path(path)
    if not path.is_file():
        hint = f"; train it with: {trained_by}" if trained_by else ""
        raise UsageError(f"checkpoint {path} is missing{hint}")
    try:
        with warnings.catch_warnings():  # a damaged file can make torch warn about pickle protocols before failing
            warnings.simplefilter("ignore")
            ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        raise UsageError(f"cannot load checkpoint {path}: {_unpickling_reason(e)}") from None
    except Exception as e:  # random bytes can break the unpickler in any of a dozen ways; all mean "not a checkpoint"
        raise UsageError(f"cannot load checkpoint {path}: it is damaged or not a PyTorch checkpoint "
                         f"({str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__})") from None
    if not isinstance(ckpt, dict):
        raise UsageError(f"checkpoint {path} does not hold a dict")
    return ckpt


def require_keys(ckpt: dict, path: Path, keys: tuple[str, ...], what: str) -> None:
    """Refuse a checkpoint that lacks what `what` needs (one written by another problem, say)."""
    missing = [k for k in keys if k not in ckpt]
    if missing:
        raise UsageError(f"checkpoint {path} is not a {what} checkpoint (it lacks {', '.join(missing)})")


def checkpoint_dir() -> Path:
    """${HW2_CKPT_DIR:-checkpoints}; the default is the repository's checkpoints/ folder, from any cwd."""
    return Path(os.environ.get("HW2_CKPT_DIR") or REPO / "checkpoints")


def load_grader_checkpoint(name: str, trained_by: str) -> dict:
    """Load checkpoint_dir()/name; a missing file is an error that says which command trains it."""
    return load_checkpoint(checkpoint_dir() / name, trained_by=trained_by)
