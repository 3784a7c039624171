"""How real the demo's generated street numbers are, measured on the 554 real SVHN digits in assets/.

    python3 -m benchmarks.svhn_realism --data-root demo_data/hw2_data [--generated 4000] [--epochs 6] [--seed 0]

In a temporary tree it pairs the demo's USPS digits (from --data-root) with an SVHN domain whose training split
is `--generated` fresh crops from app.demo_data and whose test split is all 554 real digits, then trains, as a
user would, P3's network in three methods and scores each on 1000 other generated crops and on the real digits:

- target-only on generated SVHN: a classifier that has only seen generated street numbers. Its accuracy on real
  digits against generated ones says how much of what it learnt carries over (1.0: indistinguishable);
- source-only and DANN from USPS: the same model's accuracy on generated and on real targets, i.e. how far a
  benchmark on generated SVHN misjudges USPS → SVHN.

No model sees a real digit in training. Last line: `ratio=<real / generated accuracy of the target-only model>`.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from app.demo_data import svhn_images, svhn_real, write_split
from app.model_files import uda_archs
from common.cli import command_parser
from common.data import load_digits
from common.files import model_name
from common.uda.predict import classifier_from_checkpoint
from common.uda.training import accuracy

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("--data-root", type=Path, required=True, help="a hw2_data tree whose digits/usps is used")
    p.add_argument("--generated", type=int, default=4000, help="generated training crops")
    p.add_argument("--epochs", type=int, default=6, help="epochs of each run")
    p.add_argument("--batch-size", type=int, default=64, help="images per step")
    p.add_argument("--seed", type=int, default=0, help="seed of the runs")
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "hw2_data"
        shutil.copytree(a.data_root / "digits" / "usps", root / "digits" / "usps")
        write_split(root, "svhn", "train", *svhn_images(a.generated, rng))
        real, real_labels = svhn_real()
        write_split(root, "svhn", "test", [Image.fromarray(x, "RGB") for x in real], real_labels)
        generated_root = Path(tmp) / "generated_test" / "hw2_data"
        write_split(generated_root, "svhn", "test", *svhn_images(1000, rng))
        test_sets = {
            "generated": load_digits(generated_root, "svhn", "test"),
            "real": load_digits(root, "svhn", "test"),
        }

        print(
            f"USPS from {a.data_root}; SVHN train: {a.generated} generated crops; test: 1000 generated, "
            f"{len(real)} real; {a.epochs} epochs, seed {a.seed}"
        )
        print("| model | generated test | real test | real / generated |\n|---|---|---|---|")
        ratios = {}
        for method, title in (
            ("target", "trained on generated SVHN"),
            ("source", "USPS source-only"),
            ("dann", "USPS → SVHN DANN"),
        ):
            ck = Path(tmp) / method
            cmd = [
                sys.executable,
                "-m",
                "p3_dann.train",
                "--data-root",
                str(root),
                "--source",
                "usps",
                "--target",
                "svhn",
                "--method",
                method,
                "--ckpt-dir",
                str(ck),
                "--epochs",
                str(a.epochs),
                "--batch-size",
                str(a.batch_size),
                "--seed",
                str(a.seed),
            ]
            subprocess.run(cmd, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, check=True, capture_output=True)
            path = ck / f"{model_name(method, 'usps', 'svhn')}.pt"
            net = classifier_from_checkpoint(torch.load(path, map_location="cpu", weights_only=True), path, uda_archs())
            acc = {k: accuracy(net, x, y, torch.device("cpu")) for k, (x, y) in test_sets.items()}
            ratios[method] = acc["real"] / max(acc["generated"], 1e-9)
            print(
                f"| {title} | {100 * acc['generated']:.1f}% | {100 * acc['real']:.1f}% | {ratios[method]:.2f} |",
                flush=True,
            )
    print(f"ratio={ratios['target']:.3f}")


if __name__ == "__main__":
    main()
