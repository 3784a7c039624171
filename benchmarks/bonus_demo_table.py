"""Source-only, DANN and the bonus method on the three demo scenarios with one budget, in one run.

    python3 -m benchmarks.bonus_demo_table --data-root demo_data/hw2_data [--epochs 4]

Last line: `ratio=<smallest over scenarios of bonus accuracy over DANN accuracy>` (goal > 1).
"""
import argparse
import tempfile
from pathlib import Path

from benchmarks.uda_tables import table, train_runs


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-root", type=Path, required=True)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=64)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as ck:
        rows = ["source", "dann", "bonus"]
        seconds = train_runs(a.data_root, Path(ck), rows, a.epochs, a.batch_size)
        acc = table(a.data_root, Path(ck), rows)
    print(f"{a.epochs} epochs, batch {a.batch_size} for every method; nine runs in {seconds:.0f} s")
    print(f"ratio={min(b / max(d, 1e-9) for b, d in zip(acc['bonus'], acc['dann'])):.3f}")


if __name__ == "__main__":
    main()
