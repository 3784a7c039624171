"""The report's accuracy tables from trained checkpoints, scored on the target test sets:

    python3 -m app.uda_table --data-root ROOT --ckpt-dir DIR [--kinds source,dann,target,bonus] [--out FILE.md]

Each cell is `percent (correct/total)`; columns are MNIST-M→USPS, SVHN→MNIST-M, USPS→SVHN.
"""
import argparse
from pathlib import Path

from app.uda_models import UDA_MODELS
from common.atomic_output import write_text
from common.errors import run_cli
from common.uda.scenarios import parse_kinds
from common.uda.table import accuracies, markdown


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-root", type=Path, required=True)
    p.add_argument("--ckpt-dir", type=Path, required=True)
    p.add_argument("--kinds", default="source,dann,target",
                   help="rows: comma-separated from source, dann, target, bonus")
    p.add_argument("--out", type=Path, help="also write the markdown table here")
    a = p.parse_args()
    text = markdown(accuracies(a.data_root, a.ckpt_dir, parse_kinds(a.kinds), UDA_MODELS))
    print(text, end="")
    if a.out:
        write_text(a.out, text)


if __name__ == "__main__":
    run_cli(main)
