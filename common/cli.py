"""The command line of every script: typed options from a dataclass, and failures as one clear line and a
non-zero exit, never a traceback.

Options: one dataclass per training script, turned into its command line; each field's `help` metadata
is its help text.

    @dataclass
    class Config:
        data_root: str = field(metadata={"help": "the hw2_data folder"})
        steps: int = field(default=1000, metadata={"help": "optimizer steps"})

becomes `--data-root` (required, no default) and `--steps N`. Booleans become `--flag/--no-flag`;
`choices` in the metadata restrict a value, and so do the bounds "min"/"max" (inclusive) and "above"/"below"
(exclusive); a float must be finite. A `check()` method on the config, if present, rejects impossible
combinations with a UsageError.
"""

import argparse
import dataclasses
import errno
import math
import operator
import signal
import sys
import threading
import typing
from collections.abc import Callable


class UsageError(Exception):
    """A problem with what the user gave us (a path, an option, a file): reported as one line."""


class TrainingDiverged(Exception):
    """A loss became NaN or Inf; the last good checkpoint stays on disk."""


class MetricSkipped(Exception):
    """A metric could not run (no Inception weights offline); its message is the one line to print."""


def os_error_line(e: OSError) -> str:
    """An operating-system failure (full or read-only disk, permissions, a file where a folder should be) in one
    line naming the path and what to do."""
    what = e.strerror or type(e).__name__
    where = f" {e.filename}" if e.filename else ""
    advice = {
        errno.ENOSPC: "free some space and run it again",
        errno.EDQUOT: "free some space and run it again",
        errno.EROFS: "write somewhere writable",
        errno.EACCES: "check the permissions",
        errno.EPERM: "check the permissions",
        errno.EFBIG: "raise the file-size limit (ulimit -f)",
    }.get(e.errno, "")
    return f"cannot use{where}: {what}" + (f"; {advice}" if advice else "")


_warned: set[str] = set()


def warn_once(topic: str, text: str) -> None:
    """Print `warning: text` on stderr the first time `topic` comes up in this process (a trainer loading several
    data sets into an unwritable cache hears of it once)."""
    if topic not in _warned:
        _warned.add(topic)
        print(f"warning: {text}", file=sys.stderr)


class Terminated(KeyboardInterrupt):
    """SIGTERM (what `timeout` and job schedulers send) or SIGHUP (a closing terminal or ssh session), raised where
    the program is, like Ctrl-C: every `finally` runs, so temporaries are removed and the last checkpoint stays as
    it was."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


STOP_SIGNALS = {signal.SIGTERM: "terminated (SIGTERM)", signal.SIGHUP: "hung up (SIGHUP)"}


def _terminate(signum, frame):
    for other in STOP_SIGNALS:  # a second signal must not cut the clean-up short
        signal.signal(other, signal.SIG_IGN)
    raise Terminated(signum)


def out_of_memory(e: BaseException) -> bool:
    """A failed allocation: Python's MemoryError, or torch's allocator reporting one as a RuntimeError."""
    text = str(e).lower()
    return isinstance(e, MemoryError) or (
        isinstance(e, RuntimeError) and ("can't allocate memory" in text or "out of memory" in text)
    )


MEMORY_ADVICE = (
    "memory ran out (a failed allocation or an address-space limit such as ulimit -v); free or allow more memory"
)


def run_cli(main: Callable[[], None]) -> None:
    """Run a command-line entry point, turning expected failures into `error: ...` and exit code 2
    (an OS failure or running out of memory gives 1, SIGINT 130, SIGHUP 129, SIGTERM 143). Whatever the command
    was writing was not published (common/files.py)."""
    in_main_thread = threading.current_thread() is threading.main_thread()  # only it may set handlers
    previous = {s: signal.signal(s, _terminate) for s in STOP_SIGNALS} if in_main_thread else {}
    try:
        main()
    except (UsageError, TrainingDiverged) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except OSError as e:
        print(f"error: {os_error_line(e)}", file=sys.stderr)
        sys.exit(1)
    except Terminated as e:
        print(f"{STOP_SIGNALS[e.signum]}; nothing half-written was left", file=sys.stderr)
        sys.exit(128 + e.signum)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except (MemoryError, RuntimeError) as e:
        if not out_of_memory(e):
            raise
        print(f"error: {MEMORY_ADVICE}", file=sys.stderr)
        sys.exit(1)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


# --- options from a dataclass ------------------------------------------------------------------------------------

BOUNDS = {
    "min": (operator.ge, "≥"),
    "max": (operator.le, "≤"),
    "above": (operator.gt, ">"),
    "below": (operator.lt, "<"),
}


def check_bounds(cfg) -> None:
    """One line naming the option for a value outside its field's bounds, or a float that is NaN or infinite."""
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        if value is None or isinstance(value, (bool, str)):
            continue
        option = "--" + f.name.replace("_", "-")
        if isinstance(value, float) and not math.isfinite(value):
            raise UsageError(f"{option} must be a finite number, got {value}")
        for key, (holds, sign) in BOUNDS.items():
            if key in f.metadata and not holds(value, f.metadata[key]):
                raise UsageError(f"{option} must be {sign} {f.metadata[key]}, got {value}")


def command_parser(module: str, doc: str | None, **kwargs) -> argparse.ArgumentParser:
    """The parser of `python3 -m module`: usage under that name, and the docstring's first paragraph, whole, as
    its description."""
    if module == "__main__" or module.endswith(".__main__"):  # a class defined in the module run with -m, a package
        main = sys.modules["__main__"].__spec__
        module = main.name if main is not None and module == "__main__" else module
    module = module.removesuffix(".__main__")
    description = " ".join((doc or "").strip().split("\n\n")[0].split())
    return argparse.ArgumentParser(prog=f"python3 -m {module}", description=description, **kwargs)


def parse_config(cls, argv: list[str] | None = None):
    parser = command_parser(cls.__module__, cls.__doc__)
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        kind = hints[f.name]
        has_default = f.default is not dataclasses.MISSING
        opts = {"help": f.metadata.get("help", ""), "dest": f.name}
        if "choices" in f.metadata:
            opts["choices"] = f.metadata["choices"]
        if kind is bool:
            opts["action"] = argparse.BooleanOptionalAction
        else:
            args = [a for a in typing.get_args(kind) if a is not type(None)]
            opts["type"] = args[0] if args else kind  # `int | None` parses as int
        if has_default:
            opts["default"] = f.default
            if f.default is not None:  # a None default's meaning is in the help text
                opts["help"] += f" (default: {f.default})"
        else:
            opts["required"] = True
        parser.add_argument("--" + f.name.replace("_", "-"), **opts)
    cfg = cls(**vars(parser.parse_args(argv)))
    check_bounds(cfg)
    if hasattr(cfg, "check"):
        cfg.check()
    return cfg


def print_config(cfg) -> None:
    print("config: " + " ".join(f"{k}={v}" for k, v in dataclasses.asdict(cfg).items()), flush=True)


def run_training(main, config_cls) -> None:
    """A training script's command line: its Config from argv, then main(config), failures as one line."""
    run_cli(lambda: main(parse_config(config_cls)))
