"""The class-conditional evaluation inputs shared by P2 training (model selection) and the graders' script."""
import torch

from common.gan.sampling import seeded_latents
from p2_acgan.model import LATENT_DIM, NUM_CLASSES


def fixed_eval_inputs(seed: int, per_class: int = 100) -> tuple[torch.Tensor, torch.Tensor]:
    """`per_class` latents per digit, digits in order: the layout the graders' script generates."""
    labels = torch.arange(NUM_CLASSES).repeat_interleave(per_class)
    return seeded_latents(len(labels), LATENT_DIM, seed), labels
