"""User-facing errors: one clear line and a non-zero exit, never a traceback."""
import errno
import sys
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


def run_cli(main: Callable[[], None]) -> None:
    """Run a command-line entry point, turning expected failures into `error: ...` and exit code 2
    (an OS failure gives 1). Whatever the command was writing was not published (common/atomic_output.py)."""
    try:
        main()
    except (UsageError, TrainingDiverged) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except OSError as e:
        print(f"error: {os_error_line(e)}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
