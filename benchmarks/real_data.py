"""Real data for the development benchmarks, from files a developer is given (never shipped, never read at run
time): hw2_data trees in the official layout, and the compact real MNIST-M subset the demo ships in assets/.

    python3 -m benchmarks.real_data mnistm NPZ --out DIR [--train 7000 --test 2000]  # DIR/hw2_data/digits/mnistm
    python3 -m benchmarks.real_data usps NPZ --out DIR [--test 2007]                 # DIR/hw2_data/digits/usps
    python3 -m benchmarks.real_data faces TAR --out DIR [--test 1000]                # DIR/hw2_data/face
    python3 -m benchmarks.real_data mnistm-asset NPZ --out assets/mnistm_real6000.npz [--count 6000]

MNIST-M NPZ: 32×32 RGB digits with `images`, `labels`, `official_index` (the official release's training order);
they are resized to 28×28 as the course's PNGs are. `mnistm` takes its training digits from the end of the
asset's range (so a benchmark never trains on a digit the demo ships) and its test digits from the file's end.
USPS NPZ: `images` (N, 16, 16) grey, `labels`; split at random into train and test. Faces TAR: CelebA's aligned
faces; each is cropped as the course's were (the shorter side resized to 64, the centre 64×64 kept). CelebA is for
non-commercial research only: its tree stays where --out puts it, outside the repository.
"""

import csv
import io
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image

from common.cli import command_parser
from common.data import DIGIT_SIZE, FACE_SIZE

ASSET_COLUMNS = 100  # digits per row of the asset's atlas


def resize_digit(image: np.ndarray) -> Image.Image:
    return Image.fromarray(image).resize((DIGIT_SIZE, DIGIT_SIZE), Image.BILINEAR)  # antialiased when shrinking


def write_digits(root: Path, domain: str, split: str, images: list[Image.Image], labels: np.ndarray) -> None:
    folder = root / "digits" / domain / split
    folder.mkdir(parents=True, exist_ok=False)
    with open(folder.parent / f"{split}.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image_name", "label"])
        for k, (image, label) in enumerate(zip(images, labels)):
            image.save(folder / f"{k:05d}.png")
            w.writerow([f"{k:05d}.png", int(label)])


def mnistm(npz: Path, root: Path, train: int, test: int, skip: int) -> None:
    with np.load(npz) as z:
        images, labels = z["images"], z["labels"]
    if skip + train + test > len(images):
        raise SystemExit(f"error: {npz} holds {len(images)} digits, fewer than {skip} + {train} + {test}")
    for split, lo, hi in (("train", skip, skip + train), ("test", len(images) - test, len(images))):
        write_digits(root, "mnistm", split, [resize_digit(x) for x in images[lo:hi]], labels[lo:hi])


def usps(npz: Path, root: Path, test: int, seed: int = 0) -> None:
    with np.load(npz) as z:
        images, labels = z["images"], z["labels"]
    perm = np.random.default_rng(seed).permutation(len(images))
    for split, idx in (("train", np.sort(perm[test:])), ("test", np.sort(perm[:test]))):
        write_digits(root, "usps", split, [Image.fromarray(images[i], "L") for i in idx], labels[idx])


def course_crop(image: Image.Image) -> Image.Image:
    """The shorter side resized to 64, the centre 64×64 kept."""
    w, h = image.size
    scale = FACE_SIZE / min(w, h)
    image = image.convert("RGB").resize((round(w * scale), round(h * scale)), Image.BICUBIC)
    left, top = (image.width - FACE_SIZE) // 2, (image.height - FACE_SIZE) // 2
    return image.crop((left, top, left + FACE_SIZE, top + FACE_SIZE))


def faces(tar: Path, root: Path, test: int) -> None:
    with tarfile.open(tar) as t:
        members = sorted((m for m in t.getmembers() if m.isfile() and m.name.endswith(".jpg")), key=lambda m: m.name)
        crops = [course_crop(Image.open(io.BytesIO(t.extractfile(m).read()))) for m in members]
    for split, chunk, start in (("train", crops[:-test], 0), ("test", crops[-test:], len(crops) - test)):
        folder = root / "face" / split
        folder.mkdir(parents=True, exist_ok=False)
        for k, image in enumerate(chunk):
            image.save(folder / f"{start + k:05d}.png")


def mnistm_asset(npz: Path, out: Path, count: int) -> None:
    """The first `count` digits at 28×28 as one lossless WebP atlas (ASSET_COLUMNS to a row: WebP packs these
    photo-textured digits in 40% less space than npz or PNG), with their labels and official indices."""
    with np.load(npz) as z:
        images, labels, index = z["images"][:count], z["labels"][:count], z["official_index"][:count]
    small = np.stack([np.asarray(resize_digit(x)) for x in images])
    rows = -(-count // ASSET_COLUMNS)
    atlas = np.zeros((rows * ASSET_COLUMNS, DIGIT_SIZE, DIGIT_SIZE, 3), np.uint8)
    atlas[:count] = small
    atlas = atlas.reshape(rows, ASSET_COLUMNS, DIGIT_SIZE, DIGIT_SIZE, 3).transpose(0, 2, 1, 3, 4)
    buffer = io.BytesIO()
    Image.fromarray(atlas.reshape(rows * DIGIT_SIZE, ASSET_COLUMNS * DIGIT_SIZE, 3)).save(
        buffer, "WEBP", lossless=True, quality=100, method=6
    )
    np.savez(
        out,
        atlas_webp=np.frombuffer(buffer.getvalue(), np.uint8),
        labels=labels.astype(np.uint8),
        official_index=index.astype(np.int32),
    )


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("what", choices=["mnistm", "usps", "faces", "mnistm-asset"], help="what to build")
    p.add_argument("source", type=Path, help="the NPZ or TAR file it is built from")
    p.add_argument("--out", type=Path, required=True, help="DIR for the trees (DIR/hw2_data/...), a file for the asset")
    p.add_argument("--train", type=int, default=7000, help="mnistm: training digits")
    p.add_argument("--test", type=int, help="test images (mnistm 2000, usps 2007, faces 1000)")
    p.add_argument("--count", type=int, default=6000, help="mnistm-asset: digits")
    a = p.parse_args()
    root = a.out / "hw2_data"
    if a.what == "mnistm":
        mnistm(a.source, root, a.train, a.test or 2000, skip=a.count)
    elif a.what == "usps":
        usps(a.source, root, a.test or 2007)
    elif a.what == "faces":
        faces(a.source, root, a.test or 1000)
    else:
        mnistm_asset(a.source, a.out, a.count)
    print(f"wrote {a.out if a.what == 'mnistm-asset' else root}")


if __name__ == "__main__":
    main()
