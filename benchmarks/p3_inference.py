"""hw2_p3.sh on 26,032 generated 28×28 PNGs (the SVHN test size), timed end to end as the graders run it, with its
peak memory (the largest resident set of the processes it ran).

    python3 -m benchmarks.p3_inference --data-root demo_data/hw2_data [--ckpt-dir DIR]

Without --ckpt-dir a one-epoch USPS→SVHN model is trained first (speed does not depend on accuracy).
Last line: `ratio=<600 s, the graders' limit, over the measured seconds>` (goal ≥ 10).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from common.cli import command_parser

REPO = Path(__file__).resolve().parent.parent
COUNT = 26032
PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)  # kB on Linux


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("--data-root", type=Path, required=True, help="the hw2_data folder")
    p.add_argument(
        "--ckpt-dir", type=Path, help="a folder with p3_usps2svhn.pt (default: one trained here for an epoch)"
    )
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ck = a.ckpt_dir or tmp / "ck"
        if not (ck / "p3_usps2svhn.pt").exists():
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "p3_dann.train",
                    "--data-root",
                    str(a.data_root),
                    "--source",
                    "usps",
                    "--target",
                    "svhn",
                    "--ckpt-dir",
                    str(ck),
                    "--epochs",
                    "1",
                ],
                cwd=REPO,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        rng = np.random.default_rng(0)
        test = tmp / "test"
        test.mkdir()
        for i in range(COUNT):
            Image.fromarray(rng.integers(0, 256, (28, 28, 3), dtype=np.uint8)).save(test / f"{i:05d}.png")
        env = {**os.environ, "HW2_CKPT_DIR": str(ck)}
        t0 = time.perf_counter()
        # a parent of its own, so that the peak is the graders' script's, not the training's above
        peak_kb = subprocess.run(
            [
                sys.executable,
                "-c",
                PEAK,
                "bash",
                str(REPO / "scripts/hw2_p3.sh"),
                str(test),
                "svhn",
                str(tmp / "pred.csv"),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        seconds = time.perf_counter() - t0
        rows = len((tmp / "pred.csv").read_text().splitlines()) - 1
    print(
        f"{rows} predictions in {seconds:.1f} s on {os.cpu_count()} CPU cores ({rows / seconds:.0f} img/s), "
        f"peak memory {int(peak_kb.split()[-1]) / 2**20:.2f} GiB"
    )
    print(f"ratio={600 / seconds:.1f}")


if __name__ == "__main__":
    main()
