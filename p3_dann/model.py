"""P3 network: the report's DANN (SPEC §4): a feature extractor, a class head and a domain head behind
gradient reversal."""
import torch
from torch import nn

from common.domain_adversarial import grad_reverse


def _head(in_dim: int, out_dim: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(in_dim, 100), nn.BatchNorm1d(100), nn.ReLU(True), nn.Linear(100, out_dim),
                         nn.LogSoftmax(dim=1))


class DANN(nn.Module):
    """28×28×3 digits -> 800 features -> (class log-probs (B, 10), domain log-probs (B, 2))."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 128, 5), nn.BatchNorm2d(128), nn.MaxPool2d(2), nn.ReLU(True),  # 24 -> 12
            nn.Conv2d(128, 64, 5), nn.BatchNorm2d(64), nn.ReLU(True),  # 8
            nn.Conv2d(64, 64, 1), nn.BatchNorm2d(64), nn.ReLU(True),
            nn.Conv2d(64, 50, 1), nn.BatchNorm2d(50), nn.MaxPool2d(2), nn.ReLU(True),  # 4
            nn.Conv2d(50, 50, 1), nn.BatchNorm2d(50), nn.ReLU(True), nn.Flatten())  # 50*4*4 = 800
        self.class_head = _head(800, 10)
        self.domain_head = _head(800, 2)

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        return self.class_head(self.features(x))

    def forward(self, x: torch.Tensor, lambd: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
        f = self.features(x)
        return self.class_head(f), self.domain_head(grad_reverse(f, lambd))


def build(arch: str = "dann") -> nn.Module:
    if arch != "dann":
        raise ValueError(f"unknown P3 arch {arch!r}")
    return DANN()


if __name__ == "__main__":
    from common.layer_table import print_tables

    print_tables({"dann": [("DANN", DANN, lambda: (torch.zeros(2, 3, 28, 28),))]})
