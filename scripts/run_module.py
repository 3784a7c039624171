"""`python3 scripts/run_module.py MODULE ARGS...` is `python3 -m MODULE ARGS...` for this repository, from any folder:
how every script here starts the project's commands.

- The repository's folder goes first on the module path directly: through PYTHONPATH, a folder whose path holds a
  colon would be split in two.
- Running out of memory while the command's libraries load (an address-space limit such as `ulimit -v` can stop
  torch's shared libraries from mapping) is one `error:` line and exit 1, as it is once the command runs.
"""

import runpy
import sys
from pathlib import Path

MEMORY_SIGNS = ("failed to map segment", "cannot allocate memory", "can't allocate memory", "out of memory")

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # in place of scripts/, which python3 put there
module, sys.argv = sys.argv[1], sys.argv[1:]
try:
    runpy.run_module(module, run_name="__main__", alter_sys=True)
except (ImportError, OSError, MemoryError) as e:
    if not (isinstance(e, MemoryError) or any(sign in str(e).lower() for sign in MEMORY_SIGNS)):
        raise
    print(
        f"error: memory ran out while {module} loaded its libraries (an address-space limit such as ulimit -v?); "
        "free or allow more memory",
        file=sys.stderr,
    )
    sys.exit(1)
