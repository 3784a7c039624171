"""Checkpoints and run folders.

Every checkpoint is one dict written atomically and read back with `weights_only=True` (never unpickling arbitrary
objects). Every trainer writes two kinds, with one layout:

- the served checkpoint, DIR/<name>.pt: {"problem", "name", "arch", "weights", "counters", "config", "finished"},
  what the graders' scripts load from ${HW2_CKPT_DIR:-<repository>/checkpoints}; "finished" turns true when its run
  has trained its whole budget, so that `make demo` and the train_*.sh scripts reuse only such files;
- DIR/runs/<name>/NNNNN/latest.pt: {"problem", "name", "arch", "states", "counters", "config", "rng"}, what
  --resume continues from, beside config.json and metrics.jsonl.
"""
import dataclasses
import errno
import json
import os
import pickle
import pickletools
import re
import time
import warnings
import zipfile
from pathlib import Path

import torch

from common.atomic_output import atomic_path, write_text
from common.errors import TrainingDiverged, UsageError
from common.training import rng_state, set_rng_state

REPO = Path(__file__).resolve().parents[1]


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
        raise UsageError(f"cannot load checkpoint {path}: it is damaged or not a PyTorch checkpoint "
                         f"({str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__})") from None
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
        raise UsageError(f"checkpoint {path} is not a {problem} checkpoint (it was written by {written_by}); "
                         f"train one with: {trained_by}")
    if ckpt.get("arch") not in archs or "weights" not in ckpt:
        raise UsageError(f"checkpoint {path} names architecture {ckpt.get('arch')!r}, which {problem} does not have "
                         f"({', '.join(archs)})")
    return ckpt["arch"], ckpt["weights"]


def save_served(path: Path, problem: str, name: str, arch: str, weights: dict, counters: dict, cfg) -> None:
    atomic_save({"problem": problem, "name": name, "arch": arch, "weights": weights, "counters": counters,
                 "config": dataclasses.asdict(cfg), "finished": False}, path)


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


# --- run folders -----------------------------------------------------------------------------------------------

def new_run_dir(base: Path) -> Path:
    """Create base/00000, base/00001, ...: the next free number, never another run's folder."""
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    taken = [int(p.name) for p in base.iterdir() if p.is_dir() and p.name.isdigit()]
    number = max(taken, default=-1) + 1
    while True:
        run = base / f"{number:05d}"
        try:
            run.mkdir()
            return run
        except FileExistsError:  # another process took it first
            number += 1


def latest_run_dir(base: Path, needs: str) -> Path | None:
    """The highest-numbered run folder of `base` that holds the file `needs` (for --resume)."""
    base = Path(base)
    if not base.is_dir():
        return None
    runs = sorted((p for p in base.iterdir() if p.name.isdigit() and (p / needs).exists()), key=lambda p: int(p.name))
    return runs[-1] if runs else None


def start_or_resume(ckpt_dir: Path, name: str, cfg) -> tuple[Path, dict | None]:
    """A fresh numbered folder ckpt_dir/runs/<name>/NNNNN with config.json, or with --resume the latest such folder
    holding latest.pt, together with that checkpoint."""
    base = Path(ckpt_dir) / "runs" / name
    if cfg.resume:
        run = latest_run_dir(base, "latest.pt")
        if run is None:
            raise UsageError(f"--resume: no run with a latest.pt under {base}")
        print(f"resuming {run}", flush=True)
        return run, load_checkpoint(run / "latest.pt")
    run = new_run_dir(base)
    write_text(run / "config.json", json.dumps(dataclasses.asdict(cfg), indent=2, sort_keys=True) + "\n")
    print(f"run folder {run}", flush=True)
    return run, None


def save_latest(run_dir: Path, problem: str, name: str, arch: str, states: dict, counters: dict, cfg) -> None:
    """run_dir/latest.pt: the state --resume continues from (`states`: key -> object with state_dict(); models,
    optimizers, data streams), the counters, and the random generators' state, so that the continued run draws
    what the uninterrupted one would."""
    atomic_save({"problem": problem, "name": name, "arch": arch,
                 "states": {k: v.state_dict() for k, v in states.items() if v is not None},
                 "counters": counters, "config": dataclasses.asdict(cfg), "rng": rng_state()},
                Path(run_dir) / "latest.pt")


def restore(ckpt: dict, run_dir: Path, states: dict) -> dict:
    """Resume: load each object's state from latest.pt and the random generators', and return the counters. A
    latest.pt that does not fit this run's options (another architecture, say) is one line, not a traceback."""
    try:
        for key, obj in states.items():
            if obj is not None:
                obj.load_state_dict(ckpt["states"][key])
        set_rng_state(ckpt["rng"])
        return ckpt["counters"]
    except (KeyError, RuntimeError, ValueError, TypeError) as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UsageError(f"--resume: {Path(run_dir) / 'latest.pt'} does not fit this run's options ({reason[:200]}); "
                         "resume with the options in its config.json, or start a new run") from None


def stop_here(position: int, stop_after: int | None, unit: str) -> bool:
    """Whether --stop-after-<unit> interrupts the run here (after its checkpoint); says so if it does."""
    if position != stop_after:
        return False
    print(f"stopped after {unit} {position} as asked; --resume continues", flush=True)
    return True


def diverged(run_dir: Path, when: str) -> TrainingDiverged:
    """The error for a NaN or infinite loss, naming the checkpoint to resume from only when there is one."""
    latest = Path(run_dir) / "latest.pt"
    if latest.exists():
        return TrainingDiverged(f"a loss became NaN or Inf {when}; the last good checkpoint is {latest} "
                                "(--resume continues from it; a lower learning rate may help)")
    return TrainingDiverged(f"a loss became NaN or Inf {when}, before any checkpoint was saved; "
                            "lower the learning rate and start again")


class MetricsLog:
    """Append one JSON object per line to run_dir/metrics.jsonl, flushed at once so a crash loses nothing."""

    def __init__(self, run_dir: Path):
        self.path = Path(run_dir) / "metrics.jsonl"

    def log(self, **values) -> None:
        values = {"time": round(time.time(), 3), **values}
        with open(self.path, "a") as f:
            f.write(json.dumps(values) + "\n")


def read_metrics(run_dir: Path) -> list[dict]:
    """The rows of run_dir/metrics.jsonl (none if it is missing)."""
    path = Path(run_dir) / "metrics.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()] if path.exists() else []
