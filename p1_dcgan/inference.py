"""Generate the graders' 1000 faces: `python3 -m p1_dcgan.inference --out OUT_DIR`.

The generator is HW2_CKPT_DIR/p1_dcgan.pt. Latents come from a seeded CPU generator, so every run writes the same
files. OUT_DIR may be missing, empty, or hold an earlier run's 0000.png ... 0999.png (replaced); a folder holding
anything else is refused.
"""

from pathlib import Path

import torch

from common.checkpoints import checkpoint_dir, load_checkpoint
from common.cli import command_parser, run_cli
from common.files import check_output_folder
from common.gan import GRADER_SEED, generate_uint8, generator_from_checkpoint, seeded_latents
from common.images import save_pngs
from common.training import enable_deterministic_inference
from p1_dcgan.model import ARCHS, LATENT_DIM, NAME, PROBLEM

COUNT = 1000
TRAINED_BY = "python3 -m p1_dcgan.train --data-root hw2_data"


def generate(ckpt: dict, path: Path, n: int, seed: int, device: torch.device) -> torch.Tensor:
    """n images as uint8 (n, 3, 64, 64) from the checkpoint's (EMA) generator."""
    g = generator_from_checkpoint(ckpt, path, PROBLEM, ARCHS, TRAINED_BY).to(device)
    return generate_uint8(g, seeded_latents(n, LATENT_DIM, seed), device=device, batch_size=200)


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("--out", type=Path, required=True, help="folder for the 1000 PNGs (created if missing)")
    a = p.parse_args()
    names = [f"{i:04d}.png" for i in range(COUNT)]
    check_output_folder(a.out, names)  # before the work, not after
    path = checkpoint_dir() / f"{NAME}.pt"
    ckpt = load_checkpoint(path, trained_by=TRAINED_BY)
    images = generate(ckpt, path, COUNT, GRADER_SEED, enable_deterministic_inference())
    save_pngs(images, names, a.out, announce_as=f"wrote {COUNT} images to {a.out}")


if __name__ == "__main__":
    run_cli(main)
