"""Shared by the UDA benchmarks: train runs on the demo data with one budget, then score the target tests."""
import subprocess
import sys
import time
from pathlib import Path

from common.uda import SCENARIOS
from p3_dann.table import accuracies, markdown

REPO = Path(__file__).resolve().parent.parent


def train_runs(data_root: Path, ckpt_dir: Path, rows: list[str], epochs: int, batch_size: int) -> float:
    """Train every (row, scenario) as a user would; returns the seconds spent."""
    t0 = time.perf_counter()
    for s, t in SCENARIOS:
        for row in rows:
            module, extra = ("bonus_uda.train", []) if row == "bonus" else ("p3_dann.train", ["--mode", row])
            cmd = [sys.executable, "-m", module, "--data-root", str(data_root), "--source", s, "--target", t,
                   "--ckpt-dir", str(ckpt_dir), "--epochs", str(epochs), "--batch-size", str(batch_size), *extra]
            print(f"training {row} {s}->{t}", flush=True)
            subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def table(data_root: Path, ckpt_dir: Path, rows: list[str]) -> dict[str, list[float]]:
    """Prints the markdown table; returns {row: [accuracy per scenario]}."""
    acc = accuracies(data_root, ckpt_dir, rows)
    print(markdown(acc), end="")
    return {row: [c / n for c, n in cells] for row, cells in acc.items()}
