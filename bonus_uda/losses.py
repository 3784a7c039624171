"""Losses of the bonus method (VADA, Shu et al., "A DIRT-T Approach to Unsupervised Domain Adaptation",
2018): conditional entropy on the target and virtual adversarial training on both domains."""

from collections.abc import Callable

import torch


def conditional_entropy(log_probs: torch.Tensor) -> torch.Tensor:
    """Mean entropy of the predicted class distributions, -E_x Σ_y p(y|x) log p(y|x).

    Minimising it on the target pushes decision boundaries away from dense target regions (cluster
    assumption). 0 for one-hot predictions, log K for uniform ones.
    """
    return -(log_probs.exp() * log_probs).sum(dim=1).mean()


def marginal_entropy(log_probs: torch.Tensor) -> torch.Tensor:
    """Entropy of the batch's mean prediction, H(E_x p(y|x)): log K when the batch uses every class equally.

    Maximising it beside minimising the conditional entropy (information maximisation) stops the target
    predictions from collapsing onto a few confident classes.
    """
    mean = log_probs.exp().mean(dim=0)
    return -(mean * torch.log(mean + 1e-8)).sum()


def _unit(d: torch.Tensor) -> torch.Tensor:
    return d / d.flatten(1).norm(dim=1).clamp_min(1e-30).view(-1, *[1] * (d.dim() - 1))


def _kl(p_log: torch.Tensor, q_log: torch.Tensor) -> torch.Tensor:
    """KL(p || q) for log-probabilities, averaged over the batch."""
    return (p_log.exp() * (p_log - q_log)).sum(dim=1).mean()


def vat_perturbation(
    classify: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    log_probs: torch.Tensor,
    eps: float,
    xi: float = 1.0,
    iterations: int = 1,
) -> torch.Tensor:
    """The perturbation r, ||r||₂ = eps per image, that most changes the prediction (power iteration on
    the KL divergence's Hessian, Miyato et al. 2018). The probe step xi is large enough that float32
    gradients of the KL do not vanish, small against the ~50 L2 norm of a 28×28×3 image."""
    d = _unit(torch.randn_like(x))
    for _ in range(iterations):
        d.requires_grad_(True)
        dist = _kl(log_probs.detach(), classify(x + xi * d))
        d = _unit(torch.autograd.grad(dist, d)[0].detach())
    return eps * d


def vat_loss(
    classify: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, log_probs: torch.Tensor, eps: float
) -> torch.Tensor:
    """KL(p(y|x) || p(y|x + r_adv)): the prediction should not change within an eps-ball (local Lipschitz)."""
    r = vat_perturbation(classify, x, log_probs, eps)
    return _kl(log_probs.detach(), classify(x + r))
