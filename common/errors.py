"""User-facing errors: one clear line and a non-zero exit, never a traceback."""
import errno
import signal
import sys
import threading
from typing import Callable


class UsageError(Exception):
    """A problem with what the user gave us (a path, an option, a file): reported as one line."""


class TrainingDiverged(Exception):
    """A loss became NaN or Inf; the last good checkpoint stays on disk."""


def os_error_line(e: OSError) -> str:
    """An operating-system failure (full or read-only disk, permissions, a file where a folder should be) in one
    line naming the path and what to do."""
    what = e.strerror or type(e).__name__
    where = f" {e.filename}" if e.filename else ""
    advice = {errno.ENOSPC: "free some space and run it again", errno.EDQUOT: "free some space and run it again",
              errno.EROFS: "write somewhere writable", errno.EACCES: "check the permissions",
              errno.EPERM: "check the permissions", errno.EFBIG: "raise the file-size limit (ulimit -f)"}.get(e.errno, "")
    return f"cannot use{where}: {what}" + (f"; {advice}" if advice else "")


_warned: set[str] = set()


def warn_once(topic: str, text: str) -> None:
    """Print `warning: text` on stderr the first time `topic` comes up in this process (a trainer loading several
    data sets into an unwritable cache hears of it once)."""
    if topic not in _warned:
        _warned.add(topic)
        print(f"warning: {text}", file=sys.stderr)


class Terminated(KeyboardInterrupt):
    """SIGTERM (what `timeout` and job schedulers send), raised where the program is, like Ctrl-C: every
    `finally` runs, so temporaries are removed and the last checkpoint stays as it was."""


def _terminate(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the clean-up short
    raise Terminated()


def run_cli(main: Callable[[], None]) -> None:
    """Run a command-line entry point, turning expected failures into `error: ...` and exit code 2
    (an OS failure gives 1, SIGINT 130, SIGTERM 143). Whatever the command was writing was not published
    (common/atomic_output.py)."""
    in_main_thread = threading.current_thread() is threading.main_thread()  # only it may set handlers
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    try:
        main()
    except (UsageError, TrainingDiverged) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except OSError as e:
        print(f"error: {os_error_line(e)}", file=sys.stderr)
        sys.exit(1)
    except Terminated:
        print("terminated (SIGTERM); nothing half-written was left", file=sys.stderr)
        sys.exit(128 + signal.SIGTERM)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
