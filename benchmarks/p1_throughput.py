"""P1 training images/s: our step against a reference built as pytorch/examples' dcgan builds it.

    python3 -m benchmarks.p1_throughput --data-root ROOT [--steps N]

Same model (the report's DCGAN), same faces, same run. Reference: ImageFolder + DataLoader(num_workers=2),
fp32, Sigmoid + BCELoss. Ours: the cached tensor path on the device, bf16 autocast and channels_last on a
GPU, losses on logits, fused Adam, a generator EMA, and no host sync in the step, so the host queues the
next step while the GPU runs this one (p1_dcgan.train.train_step; tests/test_host_syncs.py).
Last line: `ratio=<ours over reference img/s>`.
"""

import os
import tempfile
import time
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from common.cli import command_parser
from common.data import TensorBatches, load_faces
from common.gan import GAN
from common.training import choose_runtime
from p1_dcgan.model import ARCHS, LATENT_DIM, DCGANDiscriminator, Generator
from p1_dcgan.train import Config, train_step


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def reference_images_per_s(face_dir: Path, steps: int, batch: int, device: torch.device) -> float:
    with tempfile.TemporaryDirectory() as tmp:  # ImageFolder needs a class folder: link the faces into one
        (Path(tmp) / "faces").symlink_to(face_dir.resolve())
        data = datasets.ImageFolder(
            tmp,
            transforms.Compose(
                [transforms.RandomHorizontalFlip(), transforms.ToTensor(), transforms.Normalize((0.5,) * 3, (0.5,) * 3)]
            ),
        )
        loader = DataLoader(data, batch_size=batch, shuffle=True, num_workers=2, drop_last=True)
        G, D = Generator().to(device), DCGANDiscriminator().to(device)
        opt_g = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
        bce = nn.BCELoss()
        done, t0 = -3, None  # three warm-up steps
        while done < steps:
            for x, _ in loader:
                if done == 0:
                    sync(device)
                    t0 = time.perf_counter()
                x = x.to(device)
                z = torch.randn(len(x), LATENT_DIM, device=device)
                fake = G(z)
                loss_d = bce(D(x), torch.ones(len(x), 1, device=device)) + bce(
                    D(fake.detach()), torch.zeros(len(x), 1, device=device)
                )
                opt_d.zero_grad()
                loss_d.backward()
                opt_d.step()
                loss_g = bce(D(fake), torch.ones(len(x), 1, device=device))
                opt_g.zero_grad()
                loss_g.backward()
                opt_g.step()
                done += 1
                if done == steps:
                    break
        sync(device)
        return steps * batch / (time.perf_counter() - t0)


def ours_images_per_s(face_dir: Path, steps: int, batch: int) -> float:
    cfg = Config(data_root="", arch="dcgan", batch_size=batch, diffaugment="")
    rt = choose_runtime()
    gan = GAN.build(ARCHS, cfg, rt)
    batches = TensorBatches(
        load_faces(face_dir), None, batch, rt.device, seed=0, flip=True, memory_format=rt.memory_format
    )
    for _ in range(3):
        train_step(gan, next(batches)[0], (), rt)
    sync(rt.device)
    t0 = time.perf_counter()
    for _ in range(steps):
        train_step(gan, next(batches)[0], (), rt)
    sync(rt.device)
    return steps * batch / (time.perf_counter() - t0)


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("--data-root", type=Path, required=True, help="an hw2_data folder with faces")
    p.add_argument("--steps", type=int, default=None, help="timed steps (default: 300 on a GPU, 15 on a CPU)")
    p.add_argument("--batch-size", type=int, default=64, help="faces per step")
    a = p.parse_args()
    device = choose_runtime().device
    steps = a.steps or (300 if device.type == "cuda" else 15)
    face_dir = a.data_root / "face" / "train"
    os.environ.setdefault("HW2_CACHE_DIR", tempfile.mkdtemp())
    load_faces(face_dir)  # decode once; a later run of ours starts from the cache
    name = torch.cuda.get_device_name() if device.type == "cuda" else f"CPU ({os.cpu_count()} cores)"
    print(f"device {name}, batch {a.batch_size}, {steps} timed steps")
    ref = reference_images_per_s(face_dir, steps, a.batch_size, device)
    ours = ours_images_per_s(face_dir, steps, a.batch_size)
    print(f"reference (pytorch/examples style): {ref:10.1f} img/s")
    print(f"ours (cached tensors, {'bf16, channels_last' if device.type == 'cuda' else 'fp32'}): {ours:10.1f} img/s")
    print(f"ratio={ours / ref:.2f}")


if __name__ == "__main__":
    main()
