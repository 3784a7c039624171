"""P2 networks: the report's conditional ACGAN and the improved spectral-norm discriminator, and the
class-conditional inputs the graders' script and model selection generate from.

    python3 -m p2_acgan.model [--arch NAME]     # its layer tables, as in the report
"""
import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from common.gan import seeded_latents
from common.training import print_tables

LATENT_DIM, NUM_CLASSES = 128, 10


def _up(cin: int, cout: int, k: int, s: int, p: int) -> list[nn.Module]:
    return [nn.ConvTranspose2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout), nn.ReLU(True)]


class Generator(nn.Module):
    """(z (B, 128), digit (B,)) -> image (B, 3, 28, 28); the label embedding multiplies z. 1->4->4->8->14->28."""

    def __init__(self, z_dim: int = LATENT_DIM):
        super().__init__()
        self.z_dim = z_dim
        self.embed = nn.Embedding(NUM_CLASSES, z_dim)
        self.net = nn.Sequential(*_up(z_dim, 512, 4, 1, 0), *_up(512, 256, 1, 1, 0), *_up(256, 128, 4, 2, 1),
                                 *_up(128, 64, 2, 2, 1), nn.ConvTranspose2d(64, 3, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        h = (self.embed(labels) * z).view(len(z), self.z_dim, 1, 1)
        return self.net(h)


class Discriminator(nn.Module):
    """Shared trunk to a 512×7×7 map, then a real/fake head and a 10-way class head.

    `logits` gives (adv (B,), class (B, 10)) for the losses; `forward` gives the report's Sigmoid and
    Softmax outputs.
    """

    def __init__(self, spectral: bool = False):
        super().__init__()
        sn = spectral_norm if spectral else (lambda m: m)

        def block(cin, cout, k, s, p):
            norm = [] if spectral else [nn.BatchNorm2d(cout)]
            return [sn(nn.Conv2d(cin, cout, k, s, p, bias=spectral)), *norm, nn.LeakyReLU(0.2, True)]

        self.trunk = nn.Sequential(*block(3, 64, 4, 2, 1), *block(64, 128, 4, 2, 1), *block(128, 256, 3, 1, 1),
                                   *block(256, 512, 3, 1, 1))
        self.adv = nn.Sequential(sn(nn.Conv2d(512, 1, 7, bias=False)), nn.Flatten())
        self.adv_prob = nn.Sigmoid()
        self.cls = nn.Sequential(nn.Flatten(), sn(nn.Linear(512 * 7 * 7, NUM_CLASSES)))
        self.cls_prob = nn.Softmax(dim=1)

    def logits(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.trunk(x)
        return self.adv(h).squeeze(1), self.cls(h)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.trunk(x)
        return self.adv_prob(self.adv(h)), self.cls_prob(self.cls(h))


# arch name -> (generator factory, discriminator factory, adversarial loss)
ARCHS = {
    "acgan": (Generator, lambda: Discriminator(spectral=False), "bce"),  # the report's model
    "acgan_sn": (Generator, lambda: Discriminator(spectral=True), "hinge"),  # the improved default
}


def fixed_eval_inputs(seed: int, per_class: int = 100) -> tuple[torch.Tensor, torch.Tensor]:
    """`per_class` latents per digit, digits in order: the layout the graders' script generates."""
    labels = torch.arange(NUM_CLASSES).repeat_interleave(per_class)
    return seeded_latents(len(labels), LATENT_DIM, seed), labels


if __name__ == "__main__":
    print_tables({name: [("Generator", g, lambda: (torch.zeros(2, LATENT_DIM), torch.zeros(2, dtype=torch.long))),
                         ("Discriminator", d, lambda: (torch.zeros(2, 3, 28, 28),))]
                  for name, (g, d, _) in ARCHS.items()})
