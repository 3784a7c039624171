"""The shape every UDA network here shares: a feature extractor (after a parameter-free input layer), a class head,
and a domain head that reads the features through gradient reversal. Subclasses build `prep`, `features`,
`class_head` and `domain_head`; both heads return log-probabilities."""
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
