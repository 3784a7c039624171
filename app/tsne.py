"""t-SNE of trained P3 or bonus models' test features, both domains:

    python3 -m app.tsne --data-root ROOT --out DIR CKPT [CKPT ...] [--samples N]

For each checkpoint (its source and target are read from it) writes DIR/tsne_<stem>_class.png (coloured by
digit) and DIR/tsne_<stem>_domain.png (by domain), <stem> being the checkpoint's file stem. Agg backend, PCA
initialisation and a fixed random state: the same figures on every run.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.manifold import TSNE  # noqa: E402

from app.model_files import uda_archs  # noqa: E402
from common.checkpoints import load_checkpoint  # noqa: E402
from common.cli import UsageError, command_parser, run_cli  # noqa: E402
from common.data import load_digits  # noqa: E402
from common.files import atomic_path  # noqa: E402
from common.uda.predict import classifier_from_checkpoint, features_of  # noqa: E402


def embed_2d(features: np.ndarray, seed: int = 0) -> np.ndarray:
    """(N, D) features -> (N, 2) t-SNE embedding."""
    perplexity = min(30.0, max(2.0, (len(features) - 1) / 3))
    return TSNE(n_components=2, init="pca", perplexity=perplexity, random_state=seed).fit_transform(features)


def scatter(points: np.ndarray, groups: np.ndarray, names: list[str], title: str, path: Path) -> Path:
    """One scatter plot of `points` coloured by integer `groups`, with a legend of `names`."""
    fig, ax = plt.subplots(figsize=(6, 6), dpi=120)
    cmap = plt.get_cmap("tab10")
    for g, name in enumerate(names):
        sel = groups == g
        ax.scatter(points[sel, 0], points[sel, 1], s=4, color=cmap(g % 10), label=name, alpha=0.7)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(markerscale=3, fontsize=7, loc="best")
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp)
    plt.close(fig)
    return path


def tsne_figures(data_root: Path, ckpt_path: Path, out: Path, samples: int = 1000, seed: int = 0) -> list[Path]:
    """The two figures of one checkpoint: `samples` test images per domain, a seeded subsample."""
    ckpt = load_checkpoint(ckpt_path)
    net = classifier_from_checkpoint(ckpt, ckpt_path, uda_archs())
    source, target = ckpt["config"]["source"], ckpt["config"]["target"]
    rng = np.random.default_rng(seed)
    feats, digits, domains = [], [], []
    for d, domain in enumerate((source, target)):
        images, labels = load_digits(data_root, domain, "test")
        pick = torch.from_numpy(np.sort(rng.permutation(len(images))[:samples]))
        feats.append(features_of(net, images[pick]))
        digits.append(labels[pick])
        domains.append(torch.full((len(pick),), d))
    points = embed_2d(torch.cat(feats).numpy(), seed)
    stem = Path(ckpt_path).stem
    title = f"{stem}: {source} → {target}"
    return [
        scatter(
            points,
            torch.cat(digits).numpy(),
            [str(i) for i in range(10)],
            f"{title}: digit",
            out / f"tsne_{stem}_class.png",
        ),
        scatter(
            points,
            torch.cat(domains).numpy(),
            [f"source ({source})", f"target ({target})"],
            f"{title}: domain",
            out / f"tsne_{stem}_domain.png",
        ),
    ]


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("--data-root", type=Path, required=True, help="the hw2_data folder")
    p.add_argument("--out", type=Path, required=True, help="folder for the figures")
    p.add_argument("ckpts", type=Path, nargs="+", metavar="CKPT", help="served P3 or bonus checkpoints")
    p.add_argument("--samples", type=int, default=1000, help="test images per domain (a seeded subsample)")
    p.add_argument("--seed", type=int, default=0, help="t-SNE's random state and the sampled test images")
    a = p.parse_args()
    if a.samples < 2:
        raise UsageError("--samples must be at least 2")
    for ckpt in a.ckpts:
        for path in tsne_figures(a.data_root, ckpt, a.out, a.samples, a.seed):
            print(f"wrote {path}")


if __name__ == "__main__":
    run_cli(main)
