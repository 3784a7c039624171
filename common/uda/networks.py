"""The networks of domain adaptation (P3 and the bonus): gradient reversal, local contrast normalisation of the
inputs, and `DomainAdversarialNet`, a feature extractor with a class head and a domain head behind gradient
reversal (both heads return log-probabilities), on which P3's and the bonus's model.py build."""

import torch
import torch.nn.functional as F
from torch import nn


class _GradientReversal(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, lambd: float) -> torch.Tensor:
        ctx.lambd = lambd
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        return -ctx.lambd * grad, None


def grad_reverse(x: torch.Tensor, lambd: float) -> torch.Tensor:
    """Identity in the forward pass; multiplies the gradient by -lambd in the backward pass.

    Placed between the feature extractor and the domain classifier, it lets one optimizer step train the
    domain classifier to tell the domains apart while pushing the features to make that impossible.
    """
    return _GradientReversal.apply(x, lambd)


# --- parameter-free input layers -------------------------------------------------------------------------


class LocalContrastNorm(nn.Module):
    """Per image: grayscale, minus its local mean, divided by its local standard deviation (Gaussian windows),
    repeated into 3 channels; parameter-free.

    Colour, brightness, contrast, uneven light and smooth textures (house walls, plates) separate grayscale USPS,
    photo-textured MNIST-M and SVHN but carry no digit identity; it keeps strokes and edges, which are what a digit
    is in every domain (local contrast normalisation as used on SVHN by Sermanet et al., 2012).
    """

    def __init__(self, sigma: float = 2.0, size: int = 9, eps: float = 1e-2):
        super().__init__()
        r = torch.arange(size, dtype=torch.float32) - size // 2
        g = torch.exp(-(r**2) / (2 * sigma**2))
        kernel = torch.outer(g, g)
        self.register_buffer("kernel", (kernel / kernel.sum()).view(1, 1, size, size), persistent=False)
        self.eps = eps

    def _blur(self, x: torch.Tensor) -> torch.Tensor:
        pad = self.kernel.shape[-1] // 2
        return F.conv2d(F.pad(x, [pad] * 4, mode="replicate"), self.kernel)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gray = x.mean(dim=1, keepdim=True)
        centred = gray - self._blur(gray)
        local_std = self._blur(centred**2).sqrt()
        floor = local_std.mean(dim=(2, 3), keepdim=True)  # low-contrast areas are not amplified into noise
        return (centred / torch.maximum(local_std, floor).clamp_min(self.eps)).expand(-1, x.shape[1], -1, -1)


# --- the network -------------------------------------------------------------------------------------------


class DomainAdversarialNet(nn.Module):
    """Subclasses build `prep`, `features`, `class_head` and `domain_head`."""

    prep: nn.Module
    features: nn.Module
    class_head: nn.Module
    domain_head: nn.Module

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """The features the heads read (B, D)."""
        return self.features(self.prep(x))

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        """Class log-probabilities (B, 10)."""
        return self.class_head(self.embed(x))

    def forward(self, x: torch.Tensor, lambd: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
        """(class log-probs (B, 10), domain log-probs (B, 2)); the domain gradient reaches the features × -λ."""
        f = self.embed(x)
        return self.class_head(f), self.domain_head(grad_reverse(f, lambd))


def head(in_dim: int, out_dim: int) -> nn.Sequential:
    """The report's class and domain heads: in_dim -> 100 -> out_dim log-probabilities."""
    return nn.Sequential(
        nn.Linear(in_dim, 100), nn.BatchNorm1d(100), nn.ReLU(True), nn.Linear(100, out_dim), nn.LogSoftmax(dim=1)
    )
