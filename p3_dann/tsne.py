"""t-SNE of trained models' test features, both domains:

    python3 -m p3_dann.tsne --data-root ROOT --out DIR CKPT [CKPT ...] [--samples N]

For each checkpoint (P3 or bonus; its source and target are read from it) writes DIR/tsne_<name>_class.png
(coloured by digit) and DIR/tsne_<name>_domain.png (by domain), <name> being the checkpoint's file stem.
"""
import argparse
from pathlib import Path

import numpy as np
import torch

from common.checkpoint import load_checkpoint
from common.datasets import load_digits
from common.errors import UsageError, run_cli
from common.tsne import embed_2d, scatter
from common.uda import classifier_from_checkpoint, features_of


def tsne_figures(data_root: Path, ckpt_path: Path, out: Path, samples: int = 1000, seed: int = 0) -> list[Path]:
    ckpt = load_checkpoint(ckpt_path)
    if "source" not in ckpt or "target" not in ckpt:
        raise UsageError(f"{ckpt_path} does not name its source and target domains; is it a P3 or bonus checkpoint?")
    net, source, target = classifier_from_checkpoint(ckpt), ckpt["source"], ckpt["target"]
    rng = np.random.default_rng(seed)
    feats, digits, domains = [], [], []
    for d, domain in enumerate((source, target)):
        images, labels = load_digits(data_root, domain, "test")
        pick = torch.from_numpy(np.sort(rng.permutation(len(images))[:samples]))
        feats.append(features_of(net, images[pick]))
        digits.append(labels[pick])
        domains.append(torch.full((len(pick),), d))
    points = embed_2d(torch.cat(feats).numpy(), seed)
    name = f"tsne_{Path(ckpt_path).stem}"
    title = f"{Path(ckpt_path).stem}: {source} → {target}"
    return [scatter(points, torch.cat(digits).numpy(), [str(i) for i in range(10)], f"{title}: digit",
                    out / f"{name}_class.png"),
            scatter(points, torch.cat(domains).numpy(), [f"source ({source})", f"target ({target})"],
                    f"{title}: domain", out / f"{name}_domain.png")]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-root", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("ckpts", type=Path, nargs="+", metavar="CKPT")
    p.add_argument("--samples", type=int, default=1000, help="test images per domain (a seeded subsample)")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    for ckpt in a.ckpts:
        for path in tsne_figures(a.data_root, ckpt, a.out, a.samples, a.seed):
            print(f"wrote {path}")


if __name__ == "__main__":
    run_cli(main)
