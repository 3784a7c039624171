"""The shape every UDA network here shares: a feature extractor (after a parameter-free input layer), a class head,
and a domain head that reads the features through gradient reversal. Subclasses build `prep`, `features`,
`class_head` and `domain_head`; both heads return log-probabilities."""
from contextlib import contextmanager

import torch
from torch import nn

from common.uda.gradient_reversal import grad_reverse


class DomainAdversarialNet(nn.Module):
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


@contextmanager
def frozen_bn_statistics(net: nn.Module):
    """Batch norm inside the block normalises by the batch's own statistics as usual but leaves the running
    averages as they were (momentum 0), so that the averages describe only the batches seen outside it."""
    norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [m.momentum for m in norms]
    for m in norms:
        m.momentum = 0.0
    try:
        yield
    finally:
        for m, momentum in zip(norms, saved):
            m.momentum = momentum


def per_domain_forward(net: DomainAdversarialNet, xs: torch.Tensor, xt: torch.Tensor, lambd: float):
    """Source and target batches through `net` apart: batch norm normalises each by its own domain's statistics,
    which aligns every layer's per-channel moments across the domains, and the running averages, which the
    served model normalises with, are the target's (the domain it will see). Returns (source class log-probs,
    target class log-probs, domain log-probs of both, source rows first)."""
    with frozen_bn_statistics(net):
        class_s, domain_s = net(xs, lambd)
    class_t, domain_t = net(xt, lambd)
    return class_s, class_t, torch.cat([domain_s, domain_t])
