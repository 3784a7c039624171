"""Deterministic sampling from a trained generator, shared by both GANs' training and graders' scripts."""
import torch

from common.data.pixels import to_uint8
from common.errors import UsageError

GRADER_SEED = 2022  # latents of the graders' images: one fixed seed, so every run writes the same files


def seeded_latents(n: int, dim: int, seed: int) -> torch.Tensor:
    """(n, dim) standard normal latents drawn on the CPU, identical on every machine and run."""
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed))


@torch.no_grad()
def generate_uint8(g: torch.nn.Module, z: torch.Tensor, *conditions: torch.Tensor, device: torch.device,
                   batch_size: int = 250) -> torch.Tensor:
    """uint8 images (N, 3, H, W) on the CPU from generator `g` in eval mode (batch norm's running statistics),
    `batch_size` latents (and their conditions, e.g. class labels) at a time; g's mode is restored after."""
    was_training = g.training
    g.eval()
    out = torch.cat([to_uint8(g(z[i:i + batch_size].to(device),
                                *(c[i:i + batch_size].to(device) for c in conditions))).cpu()
                     for i in range(0, len(z), batch_size)])
    g.train(was_training)
    return out


def generator_from_checkpoint(ckpt: dict, archs: dict, problem: str, trainer: str) -> torch.nn.Module:
    """The (EMA) generator a graders' checkpoint holds. `archs` maps an architecture name to its
    (generator class, discriminator class, loss); a checkpoint of another problem or architecture is refused."""
    if ckpt.get("arch") not in archs or "generator" not in ckpt:
        raise UsageError(f"this is not a {problem} checkpoint (architecture {ckpt.get('arch')!r}; {problem} has "
                         f"{', '.join(archs)}); retrain with python3 -m {trainer}")
    g = archs[ckpt["arch"]][0]()
    try:
        g.load_state_dict(ckpt["generator"])
    except RuntimeError:
        raise UsageError(f"the {problem} checkpoint's weights do not fit its architecture {ckpt['arch']!r}") from None
    return g
