"""The Python steps of benchmarks/gpu_check.sh:

python3 -m benchmarks.gpu_probe device                      # torch version and GPU name
python3 -m benchmarks.gpu_probe face-folder DATA_ROOT OUT   # OUT/face/train: 6000 64×64 faces for throughput
python3 -m benchmarks.gpu_probe host-syncs FACE_ROOT        # does a P1 step make the host wait? (CUDA only)
python3 -m benchmarks.gpu_probe speeds CKPT_DIR             # seconds per step or epoch of each run there
"""

from pathlib import Path

import torch
from PIL import Image

from common.cli import command_parser
from common.data import TensorBatches, load_faces
from common.training import choose_runtime, read_metrics


def face_folder(data: Path, out: Path, count: int = 6000) -> None:
    """Demo faces and MNIST-M digits upscaled to 64×64, repeated up to `count` files."""
    big = out / "face" / "train"
    big.mkdir(parents=True)
    src = sorted((data / "face/train").iterdir()) + sorted((data / "digits/mnistm/train").iterdir())
    for i in range(count):
        with Image.open(src[i % len(src)]) as im:
            im.convert("RGB").resize((64, 64), Image.BILINEAR).save(big / f"{i:05d}.png")


def host_syncs(face_root: Path) -> None:
    from common.gan import GAN
    from p1_dcgan.model import ARCHS
    from p1_dcgan.train import Config, train_step

    rt = choose_runtime()
    for arch, policy in (("dcgan", ()), ("sngan", ("translation", "color", "cutout"))):
        gan = GAN.build(ARCHS, Config(data_root="", arch=arch), rt)
        batches = TensorBatches(
            load_faces(face_root / "face" / "train"), None, 64, rt.device, 0, flip=True, memory_format=rt.memory_format
        )
        for _ in range(3):  # warm-up: allocations and autotuning may sync
            train_step(gan, next(batches)[0], policy, rt)
        torch.cuda.set_sync_debug_mode("error")
        try:
            for _ in range(20):
                train_step(gan, next(batches)[0], policy, rt)
            print(f"{arch}: 20 steps, no host sync")
        except RuntimeError as e:
            print(f"{arch}: HOST SYNC: {e}")
        finally:
            torch.cuda.set_sync_debug_mode("default")


def speeds(ckpt_dir: Path) -> None:
    for run in sorted((ckpt_dir / "runs").glob("*/00000")):
        rows = read_metrics(run)
        if len(rows) < 2:
            continue
        key = "step" if "step" in rows[-1] else "epoch"
        span = rows[-1][key] - rows[0][key]
        if span:
            print(f"{run.parent.name:<22} {(rows[-1]['time'] - rows[0]['time']) / span:8.4f} s per {key}")


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    sub = p.add_subparsers(dest="what", required=True)
    sub.add_parser("device")
    f = sub.add_parser("face-folder")
    f.add_argument("data", type=Path, help="a face folder")
    f.add_argument("out", type=Path, help="where to write")
    sub.add_parser("host-syncs").add_argument("face_root", type=Path, help="an hw2_data folder")
    sub.add_parser("speeds").add_argument("ckpt_dir", type=Path, help="a checkpoint folder")
    a = p.parse_args()
    if a.what == "device":
        print("torch", torch.__version__, torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU")
    elif a.what == "face-folder":
        face_folder(a.data, a.out)
    elif a.what == "host-syncs":
        host_syncs(a.face_root)
    else:
        speeds(a.ckpt_dir)


if __name__ == "__main__":
    main()
