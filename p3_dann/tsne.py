"""t-SNE of a trained model's test features, both domains:

    python3 -m p3_dann.tsne --data-root ROOT --source S --target T --ckpt PATH --out DIR [--samples N]

Writes DIR/tsne_<S>2<T>_class.png (coloured by digit) and DIR/tsne_<S>2<T>_domain.png (by domain).
Works for P3 and bonus checkpoints alike.
"""
import argparse
from pathlib import Path

import numpy as np
import torch

from common.datasets import DOMAINS, load_digits
from common.errors import run_cli
from common.tsne import embed_2d, scatter
from common.uda import features_of, load_classifier_checkpoint


def tsne_figures(data_root: Path, source: str, target: str, ckpt: Path, out: Path, samples: int = 1000,
                 seed: int = 0, tag: str = "") -> list[Path]:
    net = load_classifier_checkpoint(ckpt)
    rng = np.random.default_rng(seed)
    feats, digits, domains = [], [], []
    for d, domain in enumerate((source, target)):
        images, labels = load_digits(data_root, domain, "test")
        pick = torch.from_numpy(np.sort(rng.permutation(len(images))[:samples]))
        feats.append(features_of(net, images[pick]))
        digits.append(labels[pick])
        domains.append(torch.full((len(pick),), d))
    points = embed_2d(torch.cat(feats).numpy(), seed)
    name = f"tsne_{tag}{source}2{target}"
    title = f"{tag}{source} → {target}"
    return [scatter(points, torch.cat(digits).numpy(), [str(i) for i in range(10)], f"{title}: digit",
                    out / f"{name}_class.png"),
            scatter(points, torch.cat(domains).numpy(), [f"source ({source})", f"target ({target})"],
                    f"{title}: domain", out / f"{name}_domain.png")]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-root", type=Path, required=True)
    p.add_argument("--source", choices=DOMAINS, required=True)
    p.add_argument("--target", choices=DOMAINS, required=True)
    p.add_argument("--ckpt", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--samples", type=int, default=1000, help="test images per domain (a seeded subsample)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tag", default="", help="file-name prefix, e.g. 'bonus_'")
    a = p.parse_args()
    for path in tsne_figures(a.data_root, a.source, a.target, a.ckpt, a.out, a.samples, a.seed, a.tag):
        print(f"wrote {path}")


if __name__ == "__main__":
    run_cli(main)
