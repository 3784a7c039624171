"""Generate the graders' 1000 faces: `python3 -m p1_dcgan.inference --out OUT_DIR`.

Latents come from a seeded CPU generator, so every run writes the same files.
"""
import argparse
from pathlib import Path

import torch

from common.errors import run_cli
from common.generation import pick_device, save_pngs, seeded_latents, to_uint8
from common.grader_io import load_grader_checkpoint
from p1_dcgan.model import ARCHS, LATENT_DIM

SEED, COUNT = 2022, 1000


@torch.no_grad()
def generate(ckpt: dict, n: int, seed: int, device: torch.device) -> torch.Tensor:
    """n images as uint8 (n, 3, 64, 64) from the checkpoint's (EMA) generator in eval mode."""
    g = ARCHS[ckpt["arch"]][0]()
    g.load_state_dict(ckpt["generator"])
    g.eval().to(device)
    z = seeded_latents(n, LATENT_DIM, seed)
    return torch.cat([to_uint8(g(z[i:i + 200].to(device))).cpu() for i in range(0, n, 200)])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True, help="folder for the 1000 PNGs (created if missing)")
    a = p.parse_args()
    ckpt = load_grader_checkpoint("p1_dcgan.pt", "python3 -m p1_dcgan.train --data-root hw2_data")
    images = generate(ckpt, COUNT, SEED, pick_device())
    save_pngs(images, [f"{i:04d}.png" for i in range(COUNT)], a.out)
    print(f"wrote {COUNT} images to {a.out}")


if __name__ == "__main__":
    run_cli(main)
