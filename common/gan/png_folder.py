"""The graders' image folders: uint8 images written as RGB PNGs, all of them or none (common/atomic_output.py)."""
from pathlib import Path

import torch
from PIL import Image

from common.atomic_output import atomic_folder


def save_pngs(images: torch.Tensor, names: list[str], out_dir: Path) -> None:
    """Write uint8 (N, 3, H, W) images as RGB PNGs named `names` into out_dir (created if missing)."""
    with atomic_folder(out_dir, names) as tmp:
        for img, name in zip(images.permute(0, 2, 3, 1).cpu().numpy(), names):
            Image.fromarray(img, "RGB").save(tmp / name)
