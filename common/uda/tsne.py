"""t-SNE figures of a trained UDA model's features on both test sets (Agg backend, fixed random state)."""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.manifold import TSNE  # noqa: E402

from common.atomic_output import atomic_path  # noqa: E402
from common.data.datasets import load_digits  # noqa: E402
from common.errors import UsageError  # noqa: E402
from common.training.checkpoint import load_checkpoint  # noqa: E402
from common.uda.models import Registry, classifier_from_checkpoint  # noqa: E402
from common.uda.predict import features_of  # noqa: E402


def embed_2d(features: np.ndarray, seed: int = 0) -> np.ndarray:
    """(N, D) features -> (N, 2) t-SNE embedding (PCA initialisation, fixed random state)."""
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


def tsne_figures(data_root: Path, ckpt_path: Path, out: Path, registry: Registry, samples: int = 1000,
                 seed: int = 0) -> list[Path]:
    """out/tsne_<stem>_class.png (coloured by digit) and out/tsne_<stem>_domain.png (by domain) for one
    checkpoint, whose source and target are read from it; <stem> is the checkpoint's file stem."""
    ckpt = load_checkpoint(ckpt_path)
    if "source" not in ckpt or "target" not in ckpt:
        raise UsageError(f"{ckpt_path} does not name its source and target domains; is it a P3 or bonus checkpoint?")
    source, target = ckpt["source"], ckpt["target"]
    net = classifier_from_checkpoint(ckpt, ckpt_path, registry)
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
    return [scatter(points, torch.cat(digits).numpy(), [str(i) for i in range(10)], f"{title}: digit",
                    out / f"tsne_{stem}_class.png"),
            scatter(points, torch.cat(domains).numpy(), [f"source ({source})", f"target ({target})"],
                    f"{title}: domain", out / f"tsne_{stem}_domain.png")]
