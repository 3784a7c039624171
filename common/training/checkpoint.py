"""Checkpoints: one dict per file, written atomically, read back without unpickling arbitrary objects, and
found for the graders' scripts in ${HW2_CKPT_DIR:-<repository>/checkpoints}."""
import os
import pickle
import pickletools
import re
import warnings
import zipfile
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


# What torch's own checkpoints reference; anything else in a checkpoint's pickle is an object to refuse.
_PLAIN = re.compile(r"(torch|collections\.OrderedDict|_codecs\.encode|builtins\.(set|frozenset|bytearray|slice|complex))\b")


def _pickled_globals(path: Path) -> list[str]:
    """The `module.name` of every global the file's pickle references, read with pickletools: nothing runs."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            data = z.read(next(n for n in z.namelist() if n.endswith("data.pkl")))
    else:
        data = path.read_bytes()
    names, strings = [], []
    for op, arg, _ in pickletools.genops(data):
        if op.name in ("GLOBAL", "INST"):
            names.append(str(arg).replace(" ", "."))
        elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
            names.append(".".join(strings[-2:]))
        elif isinstance(arg, str):
            strings.append(arg)
    return list(dict.fromkeys(n for n in names if not _PLAIN.match(n)))


def _unpickling_reason(path: Path) -> str:
    """Why torch refused the file, in our words: the objects it holds, whatever torch's own wording."""
    try:
        objects = _pickled_globals(path)
    except Exception:  # not a pickle we can walk: damaged, or not a checkpoint at all
        objects = []
    if objects:
        return (f"it holds objects other than tensors and plain data ({', '.join(objects[:3])}"
                f"{', …' if len(objects) > 3 else ''}), refused for safety")
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
    except pickle.UnpicklingError:
        raise UsageError(f"cannot load checkpoint {path}: {_unpickling_reason(path)}") from None
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
