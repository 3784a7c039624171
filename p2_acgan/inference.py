"""Generate the graders' digits: `python3 -m p2_acgan.inference --out OUT_DIR`.

1000 RGB 28×28 PNGs, 100 per digit, named <digit>_<001..100>.png, from HW2_CKPT_DIR/p2_acgan.pt; latents from a
seeded CPU generator. OUT_DIR may be missing, empty, or hold an earlier run's files (replaced); a folder holding
others is refused.
"""

from pathlib import Path

from common.checkpoints import checkpoint_dir, load_checkpoint
from common.cli import command_parser, run_cli
from common.data import NUM_DIGITS
from common.files import check_output_folder
from common.gan import GRADER_SEED, generate_uint8, generator_from_checkpoint
from common.images import save_pngs
from common.training import enable_deterministic_inference
from p2_acgan.model import ARCHS, NAME, PROBLEM, fixed_eval_inputs

PER_CLASS = 100
TRAINED_BY = "python3 -m p2_acgan.train --data-root hw2_data"


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("--out", type=Path, required=True, help="folder for the 1000 PNGs (created if missing)")
    a = p.parse_args()
    names = [f"{d}_{i:03d}.png" for d in range(NUM_DIGITS) for i in range(1, PER_CLASS + 1)]
    check_output_folder(a.out, names)  # before the work, not after
    path = checkpoint_dir() / f"{NAME}.pt"
    ckpt = load_checkpoint(path, trained_by=TRAINED_BY)
    device = enable_deterministic_inference()
    g = generator_from_checkpoint(ckpt, path, PROBLEM, ARCHS, TRAINED_BY).to(device)
    z, labels = fixed_eval_inputs(GRADER_SEED, PER_CLASS)
    images = generate_uint8(g, z, labels, device=device)
    save_pngs(images, names, a.out, announce_as=f"wrote {len(names)} images to {a.out}")


if __name__ == "__main__":
    run_cli(main)
