"""P1 networks: the report's DCGAN and the improved spectral-norm discriminator.

python3 -m p1_dcgan.model [--arch NAME]     # its layer tables, as in the report
"""

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from common.files import GAN_NAMES
from common.gan import GANArch

PROBLEM = "p1"
NAME = GAN_NAMES[PROBLEM]  # HW2_CKPT_DIR/p1_dcgan.pt is what hw2_p1.sh serves; runs go to runs/p1_dcgan/


LATENT_DIM = 128


def _up(cin: int, cout: int, k: int = 4, s: int = 2, p: int = 1) -> list[nn.Module]:
    return [nn.ConvTranspose2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout), nn.ReLU(True)]


class Generator(nn.Module):
    """z (B, 128) -> image (B, 3, 64, 64) in [-1, 1]: 1 -> 4 -> 8 -> 16 -> 32 -> 64."""

    def __init__(self, z_dim: int = LATENT_DIM, width: int = 64):
        super().__init__()
        self.z_dim = z_dim
        self.net = nn.Sequential(
            *_up(z_dim, width * 8, 4, 1, 0),
            *_up(width * 8, width * 4),
            *_up(width * 4, width * 2),
            *_up(width * 2, width),
            nn.ConvTranspose2d(width, 3, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z.view(len(z), self.z_dim, 1, 1))


class DCGANDiscriminator(nn.Module):
    """The report's discriminator: BN after every conv, Sigmoid output. Train on `logits`."""

    def __init__(self, width: int = 64):
        super().__init__()
        layers = []
        for cin, cout in ((3, width), (width, width * 2), (width * 2, width * 4), (width * 4, width * 8)):
            layers += [nn.Conv2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.LeakyReLU(0.2, True)]
        self.body = nn.Sequential(*layers, nn.Conv2d(width * 8, 1, 4, 1, 0, bias=False), nn.Flatten())
        self.prob = nn.Sigmoid()

    def logits(self, x: torch.Tensor) -> torch.Tensor:  # (B, 1)
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.prob(self.logits(x))


class SNDiscriminator(nn.Module):
    """Spectral-normalised convolutions and no batch norm (Miyato et al. 2018): a 1-Lipschitz-ish critic
    for the hinge loss, whose output does not depend on the rest of the batch."""

    def __init__(self, width: int = 64):
        super().__init__()
        layers = []
        for cin, cout in ((3, width), (width, width * 2), (width * 2, width * 4), (width * 4, width * 8)):
            layers += [spectral_norm(nn.Conv2d(cin, cout, 4, 2, 1)), nn.LeakyReLU(0.1, True)]
        self.body = nn.Sequential(*layers, spectral_norm(nn.Conv2d(width * 8, 1, 4, 1, 0)), nn.Flatten())

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.logits(x)


ARCHS = {
    "dcgan": GANArch(Generator, DCGANDiscriminator, "bce"),  # the report's model, non-saturating BCE on logits
    "sngan": GANArch(Generator, SNDiscriminator, "hinge"),  # the improved default
}


if __name__ == "__main__":
    from common.layer_tables import print_tables

    print_tables(
        {
            name: [
                ("Generator", g, lambda: (torch.zeros(2, LATENT_DIM),)),
                ("Discriminator", d, lambda: (torch.zeros(2, 3, 64, 64),)),
            ]
            for name, (g, d, _) in ARCHS.items()
        }
    )
