"""P2 networks: the report's conditional ACGAN, and the default, which draws digits a classifier reads within a
thousand steps; plus the class-conditional inputs the graders' script and model selection generate from.

    python3 -m p2_acgan.model [--arch NAME]     # its layer tables, as in the report

The default (`tinted`) keeps the report's generator layout (z times a label embedding, 4->4->8->14->28); what
changes:
- class-conditional batch norm (a gain and bias per digit after every normalisation), so the class steers every
  layer, not only the input;
- the last layer draws a one-channel digit mask m, composed with a three-channel background b as MNIST-M itself was
  made from MNIST and photographs, |b - m| per channel: the digit's shape has a channel of its own, and reads early;
- the background comes from a branch of its own that sees z but not the digit, so the class cannot hide in the
  background's texture (which a classifier trained on real digits does not read);
- a linear map of z shifts each background's colour, drawn varied from the start: the class loss favours one
  high-contrast background, and without the shift the backgrounds settle on one dark grey-green where real
  MNIST-M's are photo patches of every colour (`composite` is the same generator without it);
- the discriminator scores real/fake with spectral norm, the hinge loss and a projection term (the inner product of
  a digit embedding with its features), beside an auxiliary digit classifier that learns from real digits;
- it also scores the spread of its features within groups of four images (minibatch standard deviation), which
  keeps the seeds' digits varied and readable alike;
- it stops at 256 channels on a 7×7 map (the report's fourth 512-channel layer is three quarters of the report's
  discriminator's multiply-adds), which is what makes a CPU budget reach readable digits.
"""

from functools import partial

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from common.data import DIGIT_SIZE, NUM_DIGITS
from common.files import GAN_NAMES
from common.gan import GANArch, seeded_latents

LATENT_DIM = 128

PROBLEM = "p2"
NAME = GAN_NAMES[PROBLEM]  # HW2_CKPT_DIR/p2_acgan.pt is what hw2_p2.sh serves; runs go to runs/p2_acgan/


def _up(cin: int, cout: int, k: int, s: int, p: int) -> list[nn.Module]:
    return [nn.ConvTranspose2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout), nn.ReLU(True)]


class Generator(nn.Module):
    """The report's: (z (B, 128), digit (B,)) -> image (B, 3, 28, 28), 1->4->4->8->14->28; the label embedding
    multiplies z."""

    def __init__(self, z_dim: int = LATENT_DIM):
        super().__init__()
        self.z_dim = z_dim
        self.embed = nn.Embedding(NUM_DIGITS, z_dim)
        self.net = nn.Sequential(
            *_up(z_dim, 512, 4, 1, 0),
            *_up(512, 256, 1, 1, 0),
            *_up(256, 128, 4, 2, 1),
            *_up(128, 64, 2, 2, 1),
            nn.ConvTranspose2d(64, 3, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        h = (self.embed(labels) * z).view(len(z), self.z_dim, 1, 1)
        return self.net(h)


class Discriminator(nn.Module):
    """The report's: a shared trunk to a 512×7×7 map, then a real/fake head and a 10-way class head.

    `logits(x, labels)` gives (adv (B,), class (B, 10)) for the losses (this one ignores the labels); `forward`
    gives the report's Sigmoid and Softmax outputs.
    """

    def __init__(self):
        super().__init__()

        def block(cin, cout, k, s, p):
            return [nn.Conv2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout), nn.LeakyReLU(0.2, True)]

        self.trunk = nn.Sequential(
            *block(3, 64, 4, 2, 1), *block(64, 128, 4, 2, 1), *block(128, 256, 3, 1, 1), *block(256, 512, 3, 1, 1)
        )
        self.adv = nn.Sequential(nn.Conv2d(512, 1, 7, bias=False), nn.Flatten())
        self.adv_prob = nn.Sigmoid()
        self.cls = nn.Sequential(nn.Flatten(), nn.Linear(512 * 7 * 7, NUM_DIGITS))
        self.cls_prob = nn.Softmax(dim=1)

    def logits(self, x: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.trunk(x)
        return self.adv(h).squeeze(1), self.cls(h)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.trunk(x)
        return self.adv_prob(self.adv(h)), self.cls_prob(self.cls(h))


class ClassBatchNorm(nn.Module):
    """Batch norm whose gain and bias are looked up per digit (conditional batch norm); starts as plain BN."""

    def __init__(self, channels: int):
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=False)
        self.gain = nn.Embedding(NUM_DIGITS, channels)
        self.bias = nn.Embedding(NUM_DIGITS, channels)
        nn.init.ones_(self.gain.weight)
        nn.init.zeros_(self.bias.weight)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self.norm(x) * self.gain(labels)[:, :, None, None] + self.bias(labels)[:, :, None, None]


class CompositeGenerator(nn.Module):
    """(z (B, 128), digit (B,)) -> image (B, 3, 28, 28) = |background - digit mask| per channel, in [-1, 1].

    The mask is drawn by the class-conditional trunk, the background by a branch of its own (64 to 256 channels)
    that sees z only: knowing nothing of the digit, the background cannot draw it, so the class goes through the
    mask, as MNIST-M's digits came from MNIST's. With `tint`, a linear map of z adds a colour to each background.
    """

    def __init__(self, z_dim: int = LATENT_DIM, tint: bool = False):
        super().__init__()
        self.embed = nn.Embedding(NUM_DIGITS, z_dim)
        self.ups = nn.ModuleList(
            [
                nn.ConvTranspose2d(z_dim, 512, 4, 1, 0, bias=False),  # 1 -> 4
                nn.ConvTranspose2d(512, 256, 1, 1, 0, bias=False),  # 4 -> 4
                nn.ConvTranspose2d(256, 128, 4, 2, 1, bias=False),  # 4 -> 8
                nn.ConvTranspose2d(128, 64, 2, 2, 1, bias=False),  # 8 -> 14
            ]
        )
        self.norms = nn.ModuleList([ClassBatchNorm(c) for c in (512, 256, 128, 64)])
        self.mask = nn.ConvTranspose2d(64, 1, 4, 2, 1, bias=False)  # 14 -> 28: digit mask logits
        self.tint = None
        if tint:  # logits' std about 1 for z ~ N(0, I): varied colours from the first step
            self.tint = nn.Linear(z_dim, 3)
            nn.init.normal_(self.tint.weight, std=z_dim**-0.5)
            nn.init.zeros_(self.tint.bias)
        w = 64
        self.background = nn.Sequential(
            *_up(z_dim, 4 * w, 4, 1, 0),  # 1 -> 4
            *_up(4 * w, 2 * w, 4, 2, 1),  # 4 -> 8
            *_up(2 * w, w, 2, 2, 1),  # 8 -> 14
            nn.ConvTranspose2d(w, 3, 4, 2, 1, bias=False),  # 14 -> 28: background logits
        )

    def layers(self, z: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The two drawings before composition: mask (B, 1, 28, 28) and background (B, 3, 28, 28), in [0, 1]."""
        h = (self.embed(labels) * z)[:, :, None, None]
        for up, norm in zip(self.ups, self.norms):
            h = F.relu(norm(up(h), labels))
        background = self.background(z[:, :, None, None])
        if self.tint is not None:
            background = background + self.tint(z)[:, :, None, None]
        return torch.sigmoid(self.mask(h)), torch.sigmoid(background)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        mask, background = self.layers(z, labels)
        return (background - mask).abs() * 2 - 1


def minibatch_std(h: torch.Tensor, group: int = 4) -> torch.Tensor:
    """(B, 1): for each image, the mean standard deviation of the features (B, C) over its group of `group` images
    (images i, i + B/group, ...; a remainder shares the first groups' values); zeros for a batch of one."""
    g = min(group, len(h))
    if g < 2:
        return h.new_zeros(len(h), 1)
    whole = h[: len(h) // g * g]
    spread = whole.view(g, -1, h.shape[1]).std(0).mean(1).repeat(g)
    return torch.cat([spread, spread[: len(h) - len(spread)]])[:, None]


class ProjectionDiscriminator(nn.Module):
    """Spectral-norm trunk to a 256×7×7 map; real/fake = linear score + <digit embedding, features> (projection)
    + a learnt multiple of the minibatch standard deviation (ProGAN: the features' spread within a group of four
    images, so that a generator drawing alike digits is told apart), and an auxiliary 10-way classifier on the same
    features."""

    def __init__(self, width: int = 64):
        super().__init__()
        sn = spectral_norm
        self.trunk = nn.Sequential(
            sn(nn.Conv2d(3, width, 4, 2, 1)),
            nn.LeakyReLU(0.2, True),  # 28 -> 14
            sn(nn.Conv2d(width, 2 * width, 4, 2, 1)),
            nn.LeakyReLU(0.2, True),  # 14 -> 7
            sn(nn.Conv2d(2 * width, 4 * width, 3, 1, 1)),
            nn.LeakyReLU(0.2, True),
            nn.Flatten(),
        )
        features = 4 * width * 7 * 7
        self.adv = sn(nn.Linear(features, 1))
        self.project = sn(nn.Embedding(NUM_DIGITS, features))
        self.cls = nn.Linear(features, NUM_DIGITS)  # no spectral norm: it must learn the digits fast
        self.spread = sn(nn.Linear(1, 1))

    def logits(self, x: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.trunk(x)
        adv = self.adv(h).squeeze(1) + (self.project(labels) * h).sum(1) + self.spread(minibatch_std(h)).squeeze(1)
        return adv, self.cls(h)

    forward = logits


ARCHS = {
    "acgan": GANArch(Generator, Discriminator, "bce"),  # the report's model
    "composite": GANArch(CompositeGenerator, ProjectionDiscriminator, "hinge"),
    "tinted": GANArch(partial(CompositeGenerator, tint=True), ProjectionDiscriminator, "hinge"),
}


def fixed_eval_inputs(seed: int, per_class: int = 100) -> tuple[torch.Tensor, torch.Tensor]:
    """`per_class` latents per digit, digits in order: the layout the graders' script generates."""
    labels = torch.arange(NUM_DIGITS).repeat_interleave(per_class)
    return seeded_latents(len(labels), LATENT_DIM, seed), labels


if __name__ == "__main__":
    from common.layer_tables import print_tables

    print_tables(
        {
            name: [
                ("Generator", g, lambda: (torch.zeros(2, LATENT_DIM), torch.zeros(2, dtype=torch.long))),
                (
                    "Discriminator",
                    d,
                    lambda: (torch.zeros(2, 3, DIGIT_SIZE, DIGIT_SIZE), torch.zeros(2, dtype=torch.long)),
                ),
            ]
            for name, (g, d, _) in ARCHS.items()
        }
    )
