"""t-SNE of trained P3 or bonus models' test features, both domains:

    python3 -m app.tsne --data-root ROOT --out DIR CKPT [CKPT ...] [--samples N]

For each checkpoint (its source and target are read from it) writes DIR/tsne_<stem>_class.png (coloured by
digit) and DIR/tsne_<stem>_domain.png (by domain), <stem> being the checkpoint's file stem.
"""
import argparse
from pathlib import Path

from app.uda_models import UDA_MODELS
from common.errors import UsageError, run_cli
from common.uda.tsne import tsne_figures


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-root", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("ckpts", type=Path, nargs="+", metavar="CKPT")
    p.add_argument("--samples", type=int, default=1000, help="test images per domain (a seeded subsample)")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    if a.samples < 2:
        raise UsageError("--samples must be at least 2")
    for ckpt in a.ckpts:
        for path in tsne_figures(a.data_root, ckpt, a.out, UDA_MODELS, a.samples, a.seed):
            print(f"wrote {path}")


if __name__ == "__main__":
    run_cli(main)
