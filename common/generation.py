"""Deterministic generation for the graders: latents from a seeded CPU generator, PNGs written in order."""
import os
from pathlib import Path

import torch
from PIL import Image


def seeded_latents(n: int, dim: int, seed: int) -> torch.Tensor:
    """(n, dim) standard normal latents drawn on the CPU, identical on every machine and run."""
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed))


def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """[-1, 1] float images -> uint8, exactly as they are written to PNG."""
    return ((x.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def save_pngs(images: torch.Tensor, names: list[str], out_dir: Path) -> None:
    """Write uint8 (N, 3, H, W) images as RGB PNGs named `names` into out_dir (created if missing)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for img, name in zip(images.permute(0, 2, 3, 1).cpu().numpy(), names):
        Image.fromarray(img, "RGB").save(out_dir / name)


def pick_device() -> torch.device:
    """The device for the graders' scripts, with deterministic kernels: cuDNN may otherwise pick a
    different (non-deterministic) transposed-convolution algorithm per run, and the graders need the
    same images and predictions every time."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS, set before CUDA starts
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    torch.use_deterministic_algorithms(True, warn_only=True)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
