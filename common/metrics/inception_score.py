"""Inception Score exactly as the graders compute it.

torchvision's ImageNet inception_v3 with transform_input=False; images read as RGB, mapped to [-1, 1],
bilinearly resized to 299×299, batch 32; the files in sorted order cut into 10 consecutive splits; the
score is the mean over splits of exp(E_x KL(p(y|x) || p(y))).
"""

import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from common.checkpoints import load_checkpoint
from common.cli import MetricSkipped, UsageError
from common.images import folder_batches, list_images
from common.metrics.fid import he_init


def is_network(weights: str | None = None, device: str = "cpu") -> torch.nn.Module:
    """ImageNet Inception v3: weights from a local file (argument or IS_WEIGHTS), torchvision's download,
    "random" (tests only), or "none" (skip IS)."""
    weights = weights or os.environ.get("IS_WEIGHTS")
    if weights == "none":
        raise MetricSkipped("IS skipped: IS weights 'none' asked for no IS")
    import torchvision  # seconds to import: only when a network is built

    if weights == "random":
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            net = torchvision.models.inception_v3(
                weights=None, aux_logits=True, transform_input=False, init_weights=False
            )
            he_init(net)
    elif weights:
        if not Path(weights).is_file():
            raise UsageError(f"IS weights file {weights} does not exist")
        net = torchvision.models.inception_v3(weights=None, aux_logits=True, transform_input=False, init_weights=False)
        try:
            net.load_state_dict(load_checkpoint(weights))
        except RuntimeError:
            raise UsageError(f"IS weights file {weights} does not hold torchvision's inception_v3 weights") from None
    else:
        try:
            net = torchvision.models.inception_v3(
                weights=torchvision.models.Inception_V3_Weights.IMAGENET1K_V1, transform_input=False
            )
        except (OSError, RuntimeError) as e:
            raise MetricSkipped(
                f"IS skipped: the ImageNet Inception weights are not available offline ({e}); "
                "give a local copy with --weights PATH or IS_WEIGHTS=PATH"
            ) from None
    return net.eval().to(device)


@torch.no_grad()
def class_probabilities(batches, net: torch.nn.Module) -> np.ndarray:
    """p(y|x) for uint8 image batches, preprocessed as the graders do."""
    device = next(net.parameters()).device
    probs = []
    for b in batches:
        x = b.to(device).float() / 127.5 - 1.0
        x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
        probs.append(F.softmax(net(x), dim=1).double().cpu())
    return torch.cat(probs).numpy()


def score_from_probabilities(probs: np.ndarray, splits: int = 10) -> tuple[float, float]:
    """(mean, std) over `splits` consecutive chunks of exp(E_x KL(p(y|x) || p(y)))."""
    if not 1 <= splits <= len(probs):
        raise UsageError(
            f"the Inception Score of {len(probs)} image(s) in {splits} split(s) is undefined: "
            "it needs at least one image per split"
        )
    scores = []
    for part in np.array_split(probs, splits):
        py = part.mean(axis=0, keepdims=True)
        kl = (part * (np.log(part + 1e-12) - np.log(py + 1e-12))).sum(axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def inception_score_of_folder(
    folder: Path, weights: str | None = None, device: str = "cpu", splits: int = 10
) -> tuple[float, float]:
    n = len(list_images(folder))
    if not 1 <= splits <= n:  # refused before any network is built or downloaded
        raise UsageError(
            f"the Inception Score of {n} image(s) in {splits} split(s) is undefined: "
            "it needs at least one image per split"
        )
    net = is_network(weights, device)
    return score_from_probabilities(class_probabilities(folder_batches(folder, 32), net), splits)
