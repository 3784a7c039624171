"""t-SNE figures of features: pure functions, Agg backend, fixed random state."""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.manifold import TSNE  # noqa: E402


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
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
