"""Class-conditional sampling shared by P2 training (model selection) and the graders' script."""
import torch

from common.generation import seeded_latents, to_uint8
from p2_acgan.model import LATENT_DIM, NUM_CLASSES


def fixed_eval_inputs(seed: int, per_class: int = 100) -> tuple[torch.Tensor, torch.Tensor]:
    """100 latents per digit, the same layout the graders' script generates."""
    labels = torch.arange(NUM_CLASSES).repeat_interleave(per_class)
    return seeded_latents(len(labels), LATENT_DIM, seed), labels


@torch.no_grad()
def generate(g: torch.nn.Module, z: torch.Tensor, labels: torch.Tensor, device: torch.device) -> torch.Tensor:
    """uint8 images from generator `g` in eval mode, 250 at a time."""
    g.eval()
    return torch.cat([to_uint8(g(z[i:i + 250].to(device), labels[i:i + 250].to(device))).cpu()
                      for i in range(0, len(z), 250)])
