"""User-facing errors: one clear line and a non-zero exit, never a traceback."""
import sys
from typing import Callable


class UsageError(Exception):
    """A problem with what the user gave us (a path, an option, a file): reported as one line."""


class TrainingDiverged(Exception):
    """A loss became NaN or Inf; the last good checkpoint stays on disk."""


def run_cli(main: Callable[[], None]) -> None:
    """Run a command-line entry point, turning expected failures into `error: ...` and exit code 2."""
    try:
        main()
    except (UsageError, TrainingDiverged) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
