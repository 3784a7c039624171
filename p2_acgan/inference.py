"""Generate the graders' digits: `python3 -m p2_acgan.inference --out OUT_DIR`.

1000 RGB 28×28 PNGs, 100 per digit, named <digit>_<001..100>.png; latents from a seeded CPU generator.
"""
import argparse
from pathlib import Path

from common.errors import run_cli
from common.generation import pick_device, save_pngs
from common.grader_io import load_grader_checkpoint
from p2_acgan.model import ARCHS, NUM_CLASSES
from p2_acgan.sampling import fixed_eval_inputs, generate

SEED, PER_CLASS = 2022, 100


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True, help="folder for the 1000 PNGs (created if missing)")
    a = p.parse_args()
    ckpt = load_grader_checkpoint("p2_acgan.pt", "python3 -m p2_acgan.train --data-root hw2_data")
    g = ARCHS[ckpt["arch"]][0]()
    g.load_state_dict(ckpt["generator"])
    device = pick_device()
    z, labels = fixed_eval_inputs(SEED, PER_CLASS)
    images = generate(g.to(device), z, labels, device)
    names = [f"{d}_{i:03d}.png" for d in range(NUM_CLASSES) for i in range(1, PER_CLASS + 1)]
    save_pngs(images, names, a.out)
    print(f"wrote {len(names)} images to {a.out}")


if __name__ == "__main__":
    run_cli(main)
