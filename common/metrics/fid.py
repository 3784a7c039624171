"""Fréchet Inception Distance on pytorch-fid's network (the TF FID Inception weights, 2048-d pool features).

Weights: a local file (argument or FID_WEIGHTS), else pytorch-fid's own download; "random" builds a
randomly initialised network of the same shape (tests and smoke runs only: its scores mean nothing);
"none" skips FID (training then keeps its latest checkpoint as the best).
Reference statistics of a folder are cached as .npz, so rescoring a checkpoint costs only the generated side.
"""

import os
from collections.abc import Iterable
from pathlib import Path
from unittest import mock

import numpy as np
import torch

from common.checkpoints import load_checkpoint
from common.cli import MetricSkipped, UsageError, os_error_line, warn_once
from common.files import atomic_path
from common.images import cache_dir, folder_batches, list_images, listing_key


def random_fid_state_dict(seed: int = 0) -> dict:
    """Random weights with the FID Inception's exact keys and shapes (its patched blocks only change forward)."""
    import torchvision

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = torchvision.models.inception_v3(num_classes=1008, aux_logits=False, weights=None, init_weights=False)
        he_init(net)
    return net.state_dict()


def he_init(net: torch.nn.Module) -> None:
    """He-normal convolutions keep activations O(1) through a random network's depth, so random
    features give finite, meaningful-to-compare statistics (torchvision's init explodes them)."""
    for m in net.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")


def fid_network(weights: str | None = None, device: str = "cpu") -> torch.nn.Module:
    """pytorch-fid's InceptionV3 returning pool3 features; raises MetricSkipped when weights cannot be had."""
    weights = weights or os.environ.get("FID_WEIGHTS")
    if weights == "none":
        raise MetricSkipped("FID skipped: FID weights 'none' asked for no FID")
    from pytorch_fid import inception as fid_inception  # with torchvision: seconds to import, so only when used

    if weights == "random":
        state = random_fid_state_dict()
    elif weights:
        if not Path(weights).is_file():
            raise UsageError(f"FID weights file {weights} does not exist")
        state = load_checkpoint(weights)
    else:
        state = None
    try:
        if state is None:  # pytorch-fid downloads (or finds in the torch hub cache) its own weights
            net = fid_inception.InceptionV3([3])
        else:  # hand pytorch-fid our state dict instead of letting it download
            with mock.patch.object(fid_inception, "load_state_dict_from_url", lambda *a, **k: state):
                try:
                    net = fid_inception.InceptionV3([3])
                except RuntimeError:
                    raise UsageError(
                        f"FID weights file {weights} does not hold pytorch-fid's Inception weights"
                    ) from None
    except (OSError, RuntimeError) as e:  # URLError is an OSError
        raise MetricSkipped(
            f"FID skipped: the FID Inception weights are not available offline ({e}); "
            "give a local copy with FID_WEIGHTS=PATH (or --weights / P1's --fid-weights)"
        ) from None
    return net.eval().to(device)


def weights_id(weights: str | None) -> str:
    """Names the network in cache keys, so statistics from other weights are never reused."""
    weights = weights or os.environ.get("FID_WEIGHTS")
    if weights and weights != "random":
        st = os.stat(weights)
        return f"{Path(weights).resolve()}:{st.st_size}:{st.st_mtime_ns}"
    return weights or "pytorch-fid-download"


@torch.no_grad()
def activations(batches: Iterable[torch.Tensor], net: torch.nn.Module) -> np.ndarray:
    """Pool3 features (N, 2048) of uint8 image batches; pytorch-fid resizes to 299 and maps to [-1, 1]."""
    device = next(net.parameters()).device
    feats = [net(b.to(device).float() / 255.0)[0].flatten(1).double().cpu() for b in batches]
    return torch.cat(feats).numpy()


def gaussian_stats(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(μ, Σ) of (N, D) features; a covariance needs N ≥ 2 (with one image it is NaN and the FID never ends)."""
    if len(features) < 2:
        raise UsageError(f"FID needs at least 2 images per set, got {len(features)}")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """Tr((Σ1 Σ2)^½) as Σ sqrt(eig(Σ1^½ Σ2 Σ1^½)): a symmetric PSD problem, stable when Σ is singular."""
    w, v = np.linalg.eigh(sigma1)
    root1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    return float(np.sqrt(np.clip(np.linalg.eigvalsh(root1 @ sigma2 @ root1), 0, None)).sum())


def frechet_distance(stats1: tuple, stats2: tuple) -> float:
    """||μ1-μ2||² + Tr(Σ1 + Σ2 - 2 (Σ1 Σ2)^½), pytorch-fid's quantity.

    pytorch-fid takes the square root of the non-symmetric Σ1 Σ2 with scipy.linalg.sqrtm: half a minute for
    2048 dimensions on two cores, and it gives up (complex roots) when there are fewer images than dimensions.
    The trace of that root equals Σ sqrt(eig(Σ1^½ Σ2 Σ1^½)), a symmetric problem that takes seconds and stays
    stable for singular Σ; tests check that both agree where sqrtm succeeds.
    """
    (mu1, s1), (mu2, s2) = stats1, stats2
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2 * _trace_sqrt_product(s1, s2))


def frechet_distance_to_features(ref_stats: tuple, features: np.ndarray) -> float:
    """frechet_distance(ref_stats, gaussian_stats(features)) without forming the features' covariance.

    With A the centred features (n × d), Σ2 = AᵀA / (n-1), and Σ1 Σ2 has the nonzero eigenvalues of the
    symmetric n × n matrix A Σ1 Aᵀ / (n-1): when n < d (1000 samples against 2048 dimensions) that is the
    smaller problem, and it is exact.
    """
    n, d = features.shape
    if n >= d or n < 2:
        return frechet_distance(ref_stats, gaussian_stats(features))
    mu1, s1 = ref_stats
    mu2 = features.mean(axis=0)
    a = features - mu2
    m = a @ s1 @ a.T / (n - 1)
    trace_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)).sum()
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(s1) + (a * a).sum() / (n - 1) - 2 * trace_sqrt)


def reference_stats(folder: Path, net: torch.nn.Module, weights: str | None, batch_size: int = 50) -> tuple:
    """(μ, Σ) of a folder's features, cached as .npz keyed by its files and the network's weights."""
    files = list_images(folder)
    file = cache_dir() / f"fid_ref_{listing_key(files, weights_id(weights))}.npz"
    if file.exists():
        with np.load(file) as z:
            return z["mu"], z["sigma"]
    mu, sigma = gaussian_stats(activations(folder_batches(folder, batch_size), net))
    try:
        with atomic_path(file) as tmp:
            np.savez(tmp, mu=mu, sigma=sigma)
    except OSError as e:  # the cache only saves time
        warn_once("fid cache", f"not caching the reference statistics ({os_error_line(e)})")
    return mu, sigma


def fid_of_folders(
    gen: Path, ref: Path, weights: str | None = None, device: str = "cpu", batch_size: int = 50
) -> float:
    for folder in (gen, ref):  # refused before any network is built or downloaded
        if len(list_images(folder)) < 2:
            raise UsageError(f"FID needs at least 2 images per set; {folder} holds fewer")
    net = fid_network(weights, device)
    ref_stats = reference_stats(ref, net, weights, batch_size)
    return frechet_distance_to_features(ref_stats, activations(folder_batches(gen, batch_size), net))
