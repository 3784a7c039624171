"""Bonus network: the report's improved model, a shallower feature extractor with the same kind of heads. `report`
feeds it raw images (the report's model); `report_lcn`, the default, the same network behind grayscale local
contrast normalisation, a parameter-free layer that removes the colour, brightness, contrast and uneven light that
separate grayscale USPS, coloured MNIST-M and SVHN before any weight sees them.

    python3 -m bonus_uda.model [--arch NAME]     # its layer table, as in the report
"""

import torch
from torch import nn

from common.data import DIGIT_SIZE, NUM_DIGITS
from common.files import UDA_METHODS
from common.uda.networks import DomainAdversarialNet, LocalContrastNorm, head

PROBLEM = UDA_METHODS["bonus"]  # checkpoints bonus_<S>2<T>.pt, what hw2_bonus.sh serves


class ShallowUDA(DomainAdversarialNet):
    """Conv(3→64,k5) → BN → MaxPool → ReLU → Conv(64→50,k5) → BN → MaxPool → ReLU → Linear(800→512) → BN →
    Dropout → ReLU, then class (512→100→10) and domain (512→100→2) heads."""

    def __init__(self, prep: nn.Module | None = None):
        super().__init__()
        self.prep = prep or nn.Identity()  # parameter-free
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 5),
            nn.BatchNorm2d(64),
            nn.MaxPool2d(2),
            nn.ReLU(True),  # 24 -> 12
            nn.Conv2d(64, 50, 5),
            nn.BatchNorm2d(50),
            nn.MaxPool2d(2),
            nn.ReLU(True),
            nn.Flatten(),  # 50*4*4
            nn.Linear(800, 512),
            nn.BatchNorm1d(512),
            nn.Dropout(0.5),
            nn.ReLU(True),
        )
        self.class_head = head(512, NUM_DIGITS)
        self.domain_head = head(512, 2)


ARCHS = {"report": lambda: ShallowUDA(), "report_lcn": lambda: ShallowUDA(LocalContrastNorm())}


if __name__ == "__main__":
    from common.layer_tables import print_tables

    print_tables(
        {
            name: [("Bonus model", make, lambda: (torch.zeros(2, 3, DIGIT_SIZE, DIGIT_SIZE),))]
            for name, make in ARCHS.items()
        }
    )
