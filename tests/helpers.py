"""Running the project's commands from tests: as a user would (a subprocess), or in-process through the same
`run_cli` wrapper the command line uses (no interpreter start-up, same exit codes and error lines)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from common.cli import parse_config, run_cli

REPO = Path(__file__).resolve().parent.parent


def run_module(*args: str, env: dict | None = None, check: bool = True):
    """Run `python -m ...` or a script the way a user does; returns the CompletedProcess."""
    cmd = [sys.executable, "-m", *args] if not args[0].endswith(".sh") else ["bash", *args]
    full_env = {**os.environ, **(env or {}), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.run(cmd, cwd=REPO, env=full_env, capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def train(module, *argv: str) -> None:
    """A training command in-process: `train(p3_dann.train, "--data-root", ...)`."""
    run_cli(lambda: module.main(parse_config(module.Config, list(argv))))


def command(module, *argv: str) -> None:
    """A non-training command (graders' inference, scoring) in-process, with its command line as given."""
    old = sys.argv
    sys.argv = [module.__name__, *argv]
    try:
        run_cli(module.main)
    finally:
        sys.argv = old


def train_fails(module, capsys, *argv: str) -> str:
    """Run a training command that must fail as the CLI does: exit code 2, one `error:` line, no traceback.
    Returns that line."""
    with pytest.raises(SystemExit) as e:
        train(module, *argv)
    err = capsys.readouterr().err
    lines = [x[x.index("error:") :] for x in err.splitlines() if "error:" in x]  # a progress bar may precede it
    assert e.value.code == 2 and len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def same_state(a, b) -> bool:
    """Two checkpoint states are equal: every tensor bitwise, every other value by ==, through dicts and lists."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same_state(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(same_state(x, y) for x, y in zip(a, b))
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
    return a == b


def same_files(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir())
    return names == sorted(p.name for p in b.iterdir()) and all(
        (a / n).read_bytes() == (b / n).read_bytes() for n in names
    )
