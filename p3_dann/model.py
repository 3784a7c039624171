"""P3 network: the report's DANN, a feature extractor, a class head and a domain head behind gradient reversal.
`dann` feeds it raw images (the report's model); `dann_lcn`, the default, the same network with the same parameters
behind a parameter-free input layer: grayscale local contrast normalisation.

    python3 -m p3_dann.model [--arch NAME]     # its layer table, as in the report
"""

import torch
from torch import nn

from common.data import DIGIT_SIZE, NUM_DIGITS
from common.files import UDA_METHODS
from common.uda.networks import DomainAdversarialNet, LocalContrastNorm, head

PROBLEM = UDA_METHODS[
    "dann"
]  # checkpoints p3_<S>2<T>.pt (DANN, what hw2_p3.sh serves), p3_<S>2<T>_source.pt, p3_<S>2<T>_target.pt


class DANN(DomainAdversarialNet):
    """28×28×3 digits -> 800 features -> (class log-probs (B, 10), domain log-probs (B, 2))."""

    def __init__(self, prep: nn.Module | None = None):
        super().__init__()
        self.prep = prep or nn.Identity()  # parameter-free
        self.features = nn.Sequential(
            nn.Conv2d(3, 128, 5),
            nn.BatchNorm2d(128),
            nn.MaxPool2d(2),
            nn.ReLU(True),  # 24 -> 12
            nn.Conv2d(128, 64, 5),
            nn.BatchNorm2d(64),
            nn.ReLU(True),  # 8
            nn.Conv2d(64, 64, 1),
            nn.BatchNorm2d(64),
            nn.ReLU(True),
            nn.Conv2d(64, 50, 1),
            nn.BatchNorm2d(50),
            nn.MaxPool2d(2),
            nn.ReLU(True),  # 4
            nn.Conv2d(50, 50, 1),
            nn.BatchNorm2d(50),
            nn.ReLU(True),
            nn.Flatten(),
        )  # 50*4*4 = 800
        self.class_head = head(800, NUM_DIGITS)
        self.domain_head = head(800, 2)


ARCHS = {"dann": lambda: DANN(), "dann_lcn": lambda: DANN(LocalContrastNorm())}


if __name__ == "__main__":
    from common.layer_tables import print_tables

    print_tables(
        {name: [("DANN", make, lambda: (torch.zeros(2, 3, DIGIT_SIZE, DIGIT_SIZE),))] for name, make in ARCHS.items()}
    )
