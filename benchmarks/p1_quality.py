"""The report's DCGAN against the improved default, same data and step budget, scored by FID in a
feature space available offline.

    python3 -m benchmarks.p1_quality --data-root demo_data/hw2_data [--steps 300]

Data: the demo MNIST-M digits upscaled to 64×64 (the demo's 80 faces are too few to tell models apart).
Score: Fréchet distance between 1000 generated images and the MNIST-M test digits in the 64-d
penultimate features of a LeNet digit classifier trained here on MNIST-M train (the Inception networks
need a download). Last line: `ratio=<reference FID over improved FID>` (goal > 1).
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F
from PIL import Image

from common.checkpoints import load_checkpoint
from common.cli import command_parser
from common.data import load_digits
from common.gan import GRADER_SEED
from common.images import to_signed_unit
from common.metrics.fid import frechet_distance, gaussian_stats
from p1_dcgan.inference import generate
from p1_dcgan.model import NAME
from p2_acgan.digit_classifier import LeNet, load_classifier, train_classifier

REPO = Path(__file__).resolve().parent.parent
MODELS = {  # name -> p1_dcgan.train options
    "reference DCGAN (report: BN discriminator, BCE, no EMA, no DiffAugment)": [
        "--arch",
        "dcgan",
        "--ema-decay",
        "0",
        "--diffaugment",
        "",
    ],
    "improved default (SN discriminator, hinge, EMA, DiffAugment)": ["--arch", "sngan"],
}


@torch.no_grad()
def lenet_stats(net: LeNet, images_uint8: torch.Tensor) -> tuple:
    x = to_signed_unit(images_uint8)
    if x.shape[-1] != 28:
        x = F.interpolate(x, size=(28, 28), mode="bilinear", antialias=True, align_corners=False)
    return gaussian_stats(net.features(x).double().numpy())


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("--data-root", type=Path, required=True)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--batch-size", type=int, default=32)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        faces = tmp / "digits64" / "face" / "train"
        faces.mkdir(parents=True)
        images, _ = load_digits(a.data_root, "mnistm", "train")
        for i, img in enumerate(images.permute(0, 2, 3, 1).numpy()):
            Image.fromarray(img).resize((64, 64), Image.BILINEAR).save(faces / f"{i:05d}.png")
        train_classifier(a.data_root, tmp / "lenet.pt", epochs=10)
        lenet = load_classifier(tmp / "lenet.pt")
        ref_stats = lenet_stats(lenet, load_digits(a.data_root, "mnistm", "test")[0])
        fids = {}
        for name, options in MODELS.items():
            ck = tmp / name.split()[0]
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "p1_dcgan.train",
                    "--data-root",
                    str(tmp / "digits64"),
                    "--ckpt-dir",
                    str(ck),
                    "--steps",
                    str(a.steps),
                    "--batch-size",
                    str(a.batch_size),
                    "--no-flip",
                    "--eval-every",
                    str(10 * a.steps),
                    *options,
                ],
                cwd=REPO,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "FID_WEIGHTS": ""},
            )
            path = ck / f"{NAME}.pt"
            fake = generate(load_checkpoint(path), path, 1000, GRADER_SEED, torch.device("cpu"))
            fids[name] = frechet_distance(lenet_stats(lenet, fake), ref_stats)
            print(f"{name}: LeNet-feature FID {fids[name]:.3f}", flush=True)
    ref, improved = fids.values()
    print(f"{a.steps} steps of batch {a.batch_size} each on {len(images)} MNIST-M digits at 64×64")
    print(f"ratio={ref / improved:.3f}")


if __name__ == "__main__":
    main()
