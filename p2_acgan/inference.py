"""Generate the graders' digits: `python3 -m p2_acgan.inference --out OUT_DIR`.

1000 RGB 28×28 PNGs, 100 per digit, named <digit>_<001..100>.png; latents from a seeded CPU generator.
OUT_DIR may be missing, empty, or hold an earlier run's files (replaced); a folder holding others is refused.
"""
import argparse
from pathlib import Path

from common.atomic_output import check_output_folder
from common.errors import run_cli
from common.gan.png_folder import save_pngs
from common.gan.sampling import GRADER_SEED, generate_uint8, generator_from_checkpoint
from common.training.checkpoint import load_grader_checkpoint
from common.training.runtime import inference_device
from p2_acgan import GRADER_CHECKPOINT
from p2_acgan.model import ARCHS, NUM_CLASSES
from p2_acgan.sampling import fixed_eval_inputs

PER_CLASS = 100


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True, help="folder for the 1000 PNGs (created if missing)")
    a = p.parse_args()
    names = [f"{d}_{i:03d}.png" for d in range(NUM_CLASSES) for i in range(1, PER_CLASS + 1)]
    check_output_folder(a.out, names)  # before the work, not after
    ckpt = load_grader_checkpoint(GRADER_CHECKPOINT, "python3 -m p2_acgan.train --data-root hw2_data")
    device = inference_device()
    g = generator_from_checkpoint(ckpt, ARCHS, "P2", "p2_acgan.train").to(device)
    z, labels = fixed_eval_inputs(GRADER_SEED, PER_CLASS)
    save_pngs(generate_uint8(g, z, labels, device=device), names, a.out)
    print(f"wrote {len(names)} images to {a.out}")


if __name__ == "__main__":
    run_cli(main)
