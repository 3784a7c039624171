"""P3 network: the report's DANN: a feature extractor, a class head and a domain head behind
gradient reversal. `dann_gray` and `dann_lcn` are the same network (same layers and parameters) behind a
parameter-free input layer: per-image grayscale standardisation, or grayscale local contrast normalisation."""
import torch
from torch import nn

from common.uda.input_norm import GrayStandardize, LocalContrastNorm
from common.uda.network import DomainAdversarialNet


def _head(in_dim: int, out_dim: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(in_dim, 100), nn.BatchNorm1d(100), nn.ReLU(True), nn.Linear(100, out_dim),
                         nn.LogSoftmax(dim=1))


class DANN(DomainAdversarialNet):
    """28×28×3 digits -> 800 features -> (class log-probs (B, 10), domain log-probs (B, 2))."""

    def __init__(self, prep: nn.Module | None = None):
        super().__init__()
        self.prep = prep or nn.Identity()  # parameter-free
        self.features = nn.Sequential(
            nn.Conv2d(3, 128, 5), nn.BatchNorm2d(128), nn.MaxPool2d(2), nn.ReLU(True),  # 24 -> 12
            nn.Conv2d(128, 64, 5), nn.BatchNorm2d(64), nn.ReLU(True),  # 8
            nn.Conv2d(64, 64, 1), nn.BatchNorm2d(64), nn.ReLU(True),
            nn.Conv2d(64, 50, 1), nn.BatchNorm2d(50), nn.MaxPool2d(2), nn.ReLU(True),  # 4
            nn.Conv2d(50, 50, 1), nn.BatchNorm2d(50), nn.ReLU(True), nn.Flatten())  # 50*4*4 = 800
        self.class_head = _head(800, 10)
        self.domain_head = _head(800, 2)


ARCHS = {"dann": lambda: DANN(), "dann_gray": lambda: DANN(GrayStandardize()), "dann_lcn": lambda: DANN(LocalContrastNorm())}


def build(arch: str = "dann") -> nn.Module:
    if arch not in ARCHS:
        raise ValueError(f"unknown P3 arch {arch!r}")
    return ARCHS[arch]()


if __name__ == "__main__":
    from common.training.layer_table import print_tables

    print_tables({name: [("DANN", make, lambda: (torch.zeros(2, 3, 28, 28),))] for name, make in ARCHS.items()})
