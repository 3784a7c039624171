"""The pieces of domain-adversarial training (Ganin et al., "Unsupervised Domain Adaptation by
Backpropagation", 2015) shared by DANN and the bonus method."""
import math

import torch
import torch.nn.functional as F


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


def dann_lambda(progress: float, gamma: float = 10.0) -> float:
    """Adaptation weight λ(p) = 2 / (1 + exp(-γ p)) - 1: 0 at the start (p=0), near 1 at the end (p=1).

    Ramping it up keeps the noisy early domain signal from wrecking features that are still forming.
    """
    return 2.0 / (1.0 + math.exp(-gamma * progress)) - 1.0


def annealed_lr(progress: float, lr0: float, alpha: float = 10.0, beta: float = 0.75) -> float:
    """Learning rate μ(p) = μ0 / (1 + α p)^β from the DANN paper."""
    return lr0 / (1.0 + alpha * progress) ** beta


def domain_loss(domain_log_probs: torch.Tensor, n_source: int) -> torch.Tensor:
    """Cross-entropy of the domain classifier's log-probabilities (B, 2) on a joint batch: the first `n_source`
    rows are source (0), the rest target (1)."""
    target = torch.ones(len(domain_log_probs), dtype=torch.long, device=domain_log_probs.device)
    target[:n_source] = 0
    # cross_entropy re-normalises log-probabilities, which changes them only by rounding; nll_loss would be
    # equivalent but would not reproduce, bit for bit, the checkpoints a seed has given so far.
    return F.cross_entropy(domain_log_probs, target)
