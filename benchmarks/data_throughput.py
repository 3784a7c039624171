"""Images/s of the cached tensor path against ImageFolder + DataLoader(num_workers=2), over 3 epochs.

    python3 -m benchmarks.data_throughput [--images 4000] [--batch-size 64]

Both read one folder of 64×64 PNGs and apply random horizontal flips; the last line is
`ratio=<cached over plain images/s, epochs 2-3>`.
"""

import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from common.cli import command_parser
from common.data import TensorBatches, load_faces


def write_pngs(folder: Path, n: int) -> None:
    rng = np.random.default_rng(0)
    (folder / "faces").mkdir(parents=True)  # ImageFolder wants one class folder
    base = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    for i in range(n):
        noisy = np.clip(base.astype(np.int16) + rng.integers(-20, 21, (64, 64, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(noisy).save(folder / "faces" / f"{i:05d}.png")


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("--images", type=int, default=4000, help="images to time")
    p.add_argument("--batch-size", type=int, default=64, help="images per batch")
    a = p.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["HW2_CACHE_DIR"] = str(tmp / "cache")
        write_pngs(tmp / "data", a.images)
        print(f"{a.images} PNGs of 64×64, batch {a.batch_size}, device {device}, {os.cpu_count()} CPU cores")

        plain = DataLoader(
            datasets.ImageFolder(
                str(tmp / "data"),
                transforms.Compose(
                    [
                        transforms.RandomHorizontalFlip(),
                        transforms.ToTensor(),
                        transforms.Normalize((0.5,) * 3, (0.5,) * 3),
                    ]
                ),
            ),
            batch_size=a.batch_size,
            shuffle=True,
            num_workers=2,
            drop_last=True,
        )
        plain_times = []
        for _ in range(3):
            t0 = time.perf_counter()
            for x, _ in plain:
                x.to(device)
            plain_times.append(time.perf_counter() - t0)

        cached_times = []
        t0 = time.perf_counter()
        images = load_faces(tmp / "data" / "faces")  # epoch 1 decodes and writes the cache
        batches = TensorBatches(images, None, a.batch_size, device, seed=0, flip=True)
        for _ in range(3):
            for _ in range(batches.batches_per_epoch):
                next(batches)
            if device.type == "cuda":
                torch.cuda.synchronize()
            cached_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
        t0 = time.perf_counter()
        load_faces(tmp / "data" / "faces")
        hit = time.perf_counter() - t0

    n = batches.batches_per_epoch * a.batch_size
    for name, times in (("plain ImageFolder+DataLoader(2 workers)", plain_times), ("cached tensor", cached_times)):
        print(f"{name:<40}" + "  ".join(f"epoch {i + 1}: {n / t:>10.0f} img/s" for i, t in enumerate(times)))
    print(f"a later run loads the cached split in {hit:.3f} s ({a.images / hit:.0f} img/s)")
    print(f"ratio={sum(plain_times[1:]) / sum(cached_times[1:]):.1f}")


if __name__ == "__main__":
    main()
