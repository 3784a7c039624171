"""Checkpoints: one dict written atomically and read back with `weights_only=True`, never unpickling objects.

Every trainer writes two kinds, both starting with one header, {"problem", "name", "arch", "config"}
(`CheckpointHeader`, built once per run):

- the served checkpoint, DIR/<name>.pt: the header and {"weights", "counters", "finished"}, what the graders'
  scripts load from ${HW2_CKPT_DIR:-<repository>/checkpoints}; "finished" turns true when its run has trained its
  whole budget, so that `make demo` and the train_*.sh scripts reuse only such files;
- DIR/runs/<name>/NNNNN/latest.pt: the header and {"states", "counters", "rng"}, what --resume continues from
  (common/training.py: Run).
"""

import errno
import os
import pickle
import pickletools
import re
import warnings
import zipfile
from pathlib import Path
from typing import NamedTuple

import torch
from torch import nn

from common.cli import UsageError
from common.files import atomic_path

REPO = Path(__file__).resolve().parents[1]


def atomic_save(obj: dict, path: Path) -> None:
    """A crash mid-save leaves the old file intact, and concurrent writers never publish a torn file."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())


# What torch's own checkpoints reference; anything else in a checkpoint's pickle is an object to refuse.
_PLAIN = re.compile(
    r"(torch|collections\.OrderedDict|_codecs\.encode|builtins\.(set|frozenset|bytearray|slice|complex))\b"
)


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
        return (
            f"it holds objects other than tensors and plain data ({', '.join(objects[:3])}"
            f"{', …' if len(objects) > 3 else ''}), refused for safety"
        )
    return "it is damaged or not a PyTorch checkpoint"


def _not_a_file(path: Path, trained_by: str) -> str:
    """What stands at `path` instead of a checkpoint file, in words."""
    if path.is_dir():
        return "is a link to a folder, not a file" if path.is_symlink() else "is a folder, not a file"
    if path.is_symlink():
        try:
            path.resolve(strict=True)
        except RuntimeError:  # Python 3.11-3.12 raise RuntimeError for a loop
            return "is a symbolic link loop"
        except OSError as e:
            if e.errno == errno.ELOOP:
                return "is a symbolic link loop"
            return f"is a link to {os.readlink(path)}, which is missing"
        return "is a link to something other than a file"
    if os.path.lexists(path):
        return "is not a regular file"
    return f"is missing; train it with: {trained_by}" if trained_by else "is missing"


def load_checkpoint(path: Path, trained_by: str = "") -> dict:
    """Load a checkpoint dict with `weights_only=True` onto the CPU.

    `trained_by` names the command that makes this file, for the error a missing file gives.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"checkpoint {path} {_not_a_file(path, trained_by)}")
    try:
        with warnings.catch_warnings():  # a damaged file can make torch warn about pickle protocols before failing
            warnings.simplefilter("ignore")
            ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except OSError as e:
        raise UsageError(f"cannot read checkpoint {path}: {e.strerror or e}") from None
    except pickle.UnpicklingError:
        raise UsageError(f"cannot load checkpoint {path}: {_unpickling_reason(path)}") from None
    except Exception as e:  # random bytes can break the unpickler in any of a dozen ways; all mean "not a checkpoint"
        raise UsageError(
            f"cannot load checkpoint {path}: it is damaged or not a PyTorch checkpoint "
            f"({str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__})"
        ) from None
    if not isinstance(ckpt, dict):
        raise UsageError(f"checkpoint {path} does not hold a dict")
    return ckpt


def checkpoint_dir() -> Path:
    """${HW2_CKPT_DIR:-checkpoints}; the default is the repository's checkpoints/ folder, from any cwd."""
    return Path(os.environ.get("HW2_CKPT_DIR") or REPO / "checkpoints")


def served_weights(ckpt: dict, path: Path, problem: str, archs: dict, trained_by: str) -> tuple[str, dict]:
    """(architecture, weights) of a served checkpoint of `problem`; a checkpoint of another problem or of an
    architecture `archs` does not name is refused with one line (`trained_by`: the command that makes one)."""
    if ckpt.get("problem") != problem:
        written_by = ckpt["problem"] if isinstance(ckpt.get("problem"), str) else "something else"
        raise UsageError(
            f"checkpoint {path} is not a {problem} checkpoint (it was written by {written_by}); "
            f"train one with: {trained_by}"
        )
    if ckpt.get("arch") not in archs or "weights" not in ckpt:
        raise UsageError(
            f"checkpoint {path} names architecture {ckpt.get('arch')!r}, which {problem} does not have "
            f"({', '.join(archs)})"
        )
    return ckpt["arch"], ckpt["weights"]


class CheckpointHeader(NamedTuple):
    """What every checkpoint of a run starts with, built once per run: the problem (p1, p2, p3, bonus), the model's
    name (its file stem), the architecture and the run's options."""

    problem: str
    name: str
    arch: str
    config: dict


def save_served(path: Path, header: CheckpointHeader, weights: dict, counters: dict) -> None:
    atomic_save({**header._asdict(), "weights": weights, "counters": counters, "finished": False}, path)


def load_weights(net: nn.Module, weights: dict, path: Path, problem: str, arch: str) -> nn.Module:
    """`net` with a served checkpoint's weights; weights of another shape are one line, not a traceback."""
    try:
        net.load_state_dict(weights)
    except RuntimeError:
        raise UsageError(f"checkpoint {path}: its weights do not fit the {problem} architecture {arch!r}") from None
    return net


def mark_finished(path: Path) -> None:
    """Record in a served checkpoint that its run trained its whole budget (the file may hold an earlier, better
    step: what matters is that no later step can replace it)."""
    ckpt = load_checkpoint(path)
    ckpt["finished"] = True
    atomic_save(ckpt, path)


def run_status(path: Path) -> str:
    """`finished`, `unfinished` (an interrupted run's model), `missing`, or `unreadable` (a damaged file, a folder,
    a link loop): what the scripts that train decide reuse, resume or retraining from."""
    path = Path(path)
    if not os.path.lexists(path):
        return "missing"
    try:
        ckpt = load_checkpoint(path)
    except UsageError:
        return "unreadable"
    return "finished" if ckpt.get("finished") is True else "unfinished"
