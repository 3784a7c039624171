"""Bonus networks: the report's improved model, and the same network behind a parameter-free input layer
(instance norm, grayscale standardisation, or the default `report_lcn`: grayscale local contrast normalisation),
which removes the colour, brightness, contrast and uneven light that separate grayscale USPS, coloured MNIST-M
and SVHN before any weight sees them."""
import torch
from torch import nn

from common.uda.input_norm import GrayStandardize, LocalContrastNorm
from common.uda.network import DomainAdversarialNet


def _head(out_dim: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(512, 100), nn.BatchNorm1d(100), nn.ReLU(True), nn.Linear(100, out_dim),
                         nn.LogSoftmax(dim=1))


class ShallowUDA(DomainAdversarialNet):
    """Conv(3→64,k5) → BN → MaxPool → ReLU → Conv(64→50,k5) → BN → MaxPool → ReLU → Linear(800→512) → BN →
    Dropout → ReLU, then class (512→100→10) and domain (512→100→2) heads."""

    def __init__(self, instance_norm: bool = False, prep: nn.Module | None = None):
        super().__init__()
        self.prep = prep or nn.Identity()  # parameter-free
        self.features = nn.Sequential(
            *([nn.InstanceNorm2d(3)] if instance_norm else []),
            nn.Conv2d(3, 64, 5), nn.BatchNorm2d(64), nn.MaxPool2d(2), nn.ReLU(True),  # 24 -> 12
            nn.Conv2d(64, 50, 5), nn.BatchNorm2d(50), nn.MaxPool2d(2), nn.ReLU(True), nn.Flatten(),  # 50*4*4
            nn.Linear(800, 512), nn.BatchNorm1d(512), nn.Dropout(0.5), nn.ReLU(True))
        self.class_head = _head(10)
        self.domain_head = _head(2)


ARCHS = {"report": lambda: ShallowUDA(), "report_in": lambda: ShallowUDA(instance_norm=True),
         "report_gray": lambda: ShallowUDA(prep=GrayStandardize()), "report_lcn": lambda: ShallowUDA(prep=LocalContrastNorm())}


def build(arch: str) -> nn.Module:
    if arch not in ARCHS:
        raise ValueError(f"unknown bonus arch {arch!r}")
    return ARCHS[arch]()


if __name__ == "__main__":
    from common.training.layer_table import print_tables

    print_tables({name: [("Bonus model", make, lambda: (torch.zeros(2, 3, 28, 28),))] for name, make in ARCHS.items()})
