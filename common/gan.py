"""What the two GAN trainers (P1 and P2) share: their common options, the adversarial losses, the networks with
their optimizers, loss scaler and generator EMA set up once, and deterministic sampling for the graders."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from common.checkpoints import load_weights, served_weights
from common.images import to_uint8
from common.training import EMA, Runtime, batched

GRADER_SEED = 2022  # latents of the graders' images: one fixed seed, so every run writes the same files


@dataclass
class GANConfig:
    """The options both GAN trainers take; P1's and P2's Config add their problem's own and set `steps` and `arch`."""

    data_root: str = field(metadata={"help": "the hw2_data folder"})
    arch: str = field(metadata={"help": "the networks (each trainer's Config names its choices and default)"})
    ckpt_dir: str = field(default="checkpoints", metadata={"help": "where the graders' checkpoint and runs/ go"})
    steps: int = field(default=30000, metadata={"min": 1, "help": "generator steps"})
    batch_size: int = field(default=64, metadata={"min": 1, "help": "images per step"})
    lr_g: float = field(default=2e-4, metadata={"above": 0, "help": "generator Adam learning rate"})
    lr_d: float = field(default=2e-4, metadata={"above": 0, "help": "discriminator Adam learning rate"})
    beta1: float = field(default=0.5, metadata={"min": 0, "below": 1, "help": "Adam beta1 (beta2 is 0.999)"})
    ema_decay: float = field(
        default=0.999,
        metadata={"min": 0, "below": 1, "help": "EMA of the generator (what is sampled and served); 0 turns it off"},
    )
    ckpt_every: int = field(default=1000, metadata={"min": 1, "help": "steps between checkpoints"})
    seed: int = field(default=0, metadata={"help": "seed of weights, batches and the sample noise"})
    device: str = field(default="auto", metadata={"help": "cpu, cuda, cuda:N, or auto: a GPU when one is visible"})
    precision: str = field(
        default="auto",
        metadata={"choices": ["auto", "fp32", "bf16", "fp16"], "help": "auto: bf16 on a GPU, fp32 on a CPU"},
    )
    resume: bool = field(default=False, metadata={"help": "continue the latest run in ckpt-dir"})
    stop_after_step: int | None = field(
        default=None,
        metadata={
            "min": 1,
            "help": "checkpoint and stop after this step, as an interrupted run would (--resume continues)",
        },
    )


# --- losses on discriminator logits: "bce" (the non-saturating loss of DCGAN/ACGAN) or "hinge" (SNGAN's) ---------


def d_loss_fn(loss: str, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    if loss == "hinge":
        return F.relu(1 - real).mean() + F.relu(1 + fake).mean()
    return F.binary_cross_entropy_with_logits(real, torch.ones_like(real)) + F.binary_cross_entropy_with_logits(
        fake, torch.zeros_like(fake)
    )


def g_loss_fn(loss: str, fake: torch.Tensor) -> torch.Tensor:
    if loss == "hinge":
        return -fake.mean()
    return F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))  # non-saturating


class GANArch(NamedTuple):
    """One entry of a GAN problem's ARCHS table: {name: GANArch(...)}."""

    generator: Callable[[], nn.Module]
    discriminator: Callable[[], nn.Module]
    loss: str  # "bce" or "hinge"


@dataclass
class GAN:
    """A GAN run's networks and what trains them: Adam for each, the fp16 loss scaler, and the generator's EMA,
    which samples and is served (none with --ema-decay 0)."""

    G: nn.Module
    D: nn.Module
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    scaler: torch.amp.GradScaler
    G_ema: EMA | None
    loss: str

    @classmethod
    def build(cls, archs: dict[str, GANArch], cfg: GANConfig, rt: Runtime) -> "GAN":
        arch = archs[cfg.arch]
        G = arch.generator().to(rt.device, memory_format=rt.memory_format)
        D = arch.discriminator().to(rt.device, memory_format=rt.memory_format)
        opt_g = torch.optim.Adam(G.parameters(), cfg.lr_g, betas=(cfg.beta1, 0.999), fused=True)
        opt_d = torch.optim.Adam(D.parameters(), cfg.lr_d, betas=(cfg.beta1, 0.999), fused=True)
        return cls(
            G, D, opt_g, opt_d, rt.grad_scaler(), EMA(G, cfg.ema_decay) if cfg.ema_decay > 0 else None, arch.loss
        )

    @property
    def sampler(self) -> nn.Module:
        """The generator that samples and is served: the EMA copy when there is one."""
        return self.G_ema.module if self.G_ema is not None else self.G

    def states(self) -> dict:
        """What latest.pt keeps of it (common/training.py: Run.save)."""
        return {
            "G": self.G,
            "D": self.D,
            "opt_g": self.opt_g,
            "opt_d": self.opt_d,
            "scaler": self.scaler,
            "G_ema": self.G_ema,
        }


def checkpoint_due(step: int, cfg: GANConfig, evaluated: bool) -> bool:
    """Every --ckpt-every steps, at the end, after an evaluation (which may have found a new best), and where
    --stop-after-step interrupts the run."""
    return step % cfg.ckpt_every == 0 or step == cfg.steps or evaluated or step == cfg.stop_after_step


# --- sampling ---------------------------------------------------------------------------------------------------


def seeded_latents(n: int, dim: int, seed: int) -> torch.Tensor:
    """(n, dim) standard normal latents drawn on the CPU, identical on every machine and run."""
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed))


@torch.no_grad()
def generate_uint8(
    g: nn.Module, z: torch.Tensor, *conditions: torch.Tensor, device: torch.device, batch_size: int = 250
) -> torch.Tensor:
    """uint8 images (N, 3, H, W) on the CPU from generator `g` in eval mode (batch norm's running statistics),
    `batch_size` latents (and their conditions, e.g. class labels) at a time; g's mode is restored after."""
    was_training = g.training
    g.eval()
    out = batched(lambda *inputs: to_uint8(g(*inputs)), z, *conditions, batch_size=batch_size, device=device)
    g.train(was_training)
    return out


def generator_from_checkpoint(
    ckpt: dict, path: Path, problem: str, archs: dict[str, GANArch], trained_by: str
) -> nn.Module:
    """The (EMA) generator a served checkpoint of `problem` holds; one of another problem or architecture is refused."""
    arch, weights = served_weights(ckpt, path, problem, archs, trained_by)
    return load_weights(archs[arch].generator(), weights, path, problem, arch)
