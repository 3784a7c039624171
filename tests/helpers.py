"""Running the project's commands from tests as a user would."""
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_module(*args: str, env: dict | None = None, check: bool = True):
    """Run `python -m ...` or a script the way a user does; returns the CompletedProcess."""
    cmd = [sys.executable, "-m", *args] if not args[0].endswith(".sh") else ["bash", *args]
    full_env = {**os.environ, **(env or {}), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.run(cmd, cwd=REPO, env=full_env, capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc
