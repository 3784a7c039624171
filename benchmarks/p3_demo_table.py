"""The nine P3 runs on the demo data with one small budget, and the report's table.

    python3 -m benchmarks.p3_demo_table --data-root demo_data/hw2_data [--epochs 2]

Last line: `ratio=<mean DANN accuracy over mean source-only accuracy>` (goal > 1, and DANN above
source-only in at least two of the three scenarios).
"""
import argparse
import tempfile
from pathlib import Path

from benchmarks.uda_tables import table, train_runs


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-root", type=Path, required=True)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=64)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as ck:
        rows = ["source", "dann", "target"]
        seconds = train_runs(a.data_root, Path(ck), rows, a.epochs, a.batch_size)
        acc = table(a.data_root, Path(ck), rows)
    wins = sum(d > s for d, s in zip(acc["dann"], acc["source"]))
    print(f"{a.epochs} epochs, batch {a.batch_size}, nine runs in {seconds:.0f} s; DANN beats source-only in {wins}/3")
    print(f"ratio={sum(acc['dann']) / max(sum(acc['source']), 1e-9):.3f}")


if __name__ == "__main__":
    main()
