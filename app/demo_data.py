"""Build the embedded demo data: a small `hw2_data` tree in the official layout, from real data the project ships
and packages carry.

    python3 -m app.demo_data --out demo_data        # writes demo_data/hw2_data

- digits/mnistm: real MNIST-M digits shipped in assets/mnistm_real6000.npz (the first 6,000 of the official
  training set, resized to 28×28 as the course's are), given their own train/test split.
- digits/usps: the real USPS training set shipped in assets/usps_train.npz (7,291 digits, 16×16 grayscale),
  given its own train/test split.
- digits/svhn: test = 300 real SVHN digits (assets/svhn_real554.npz); train = 254 other real ones (from other
  house numbers) and street-number crops rendered with the fonts matplotlib ships as SVHN's were cut (the
  digit filling the window, its neighbours cut by the edges, plate and wall colours of either polarity,
  photo texture, uneven light, tilt, low-resolution blur, noise); RGB 32×32.
- face: scikit-image's 100 small (25×25 grayscale) LFW faces upscaled to 64×64 RGB.

The same seed gives the same files. Needs scikit-image (requirements-dev.txt), never the runtime.
"""

import csv
import io
import shutil
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from common.cli import UsageError, command_parser, run_cli

ASSETS = Path(__file__).resolve().parent.parent / "assets"
MNISTM_FILE = ASSETS / "mnistm_real6000.npz"
USPS_FILE = ASSETS / "usps_train.npz"
# Colour photographs shipped by scikit-image; scikit-learn adds china.jpg and flower.jpg (colour_photos()).
SKIMAGE_PHOTOS = ("astronaut", "chelsea", "coffee", "hubble_deep_field", "immunohistochemistry", "retina", "rocket")


def colour_photos() -> list[np.ndarray]:
    """Every natural colour photograph the installed packages ship, as uint8 (H, W, 3)."""
    import skimage.data
    from sklearn.datasets import load_sample_images

    photos = [getattr(skimage.data, name)() for name in SKIMAGE_PHOTOS]
    photos += list(skimage.data.stereo_motorcycle()[:2])  # left and right views
    photos += list(load_sample_images().images)
    return [p[..., :3] for p in photos]


def split_indices(n: int, test_fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    perm = rng.permutation(n)
    n_test = max(1, round(n * test_fraction))
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])


def write_split(out: Path, domain: str, split: str, images: list[Image.Image], labels: np.ndarray) -> int:
    folder = out / "digits" / domain / split
    folder.mkdir(parents=True)
    with open(folder.parent / f"{split}.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image_name", "label"])
        for k, (image, label) in enumerate(zip(images, labels)):
            name = f"{k:05d}.png"
            image.save(folder / name)
            w.writerow([name, int(label)])
    return len(images)


def write_domain(
    out: Path,
    domain: str,
    images: list[Image.Image],
    labels: np.ndarray,
    test_fraction: float,
    rng: np.random.Generator,
) -> dict[str, int]:
    return {
        split: write_split(out, domain, split, [images[i] for i in idx], labels[idx])
        for split, idx in zip(("train", "test"), split_indices(len(images), test_fraction, rng))
    }


def write_svhn(out: Path, generated: int, rng: np.random.Generator) -> dict[str, int]:
    """svhn/train: `generated` street-number crops and the first SVHN_REAL_TRAIN real digits, shuffled together;
    svhn/test: the other real digits only, so every SVHN-target accuracy is measured on real street numbers."""
    real, real_labels = svhn_real()
    images, labels = svhn_images(generated, rng)
    images += [Image.fromarray(x, "RGB") for x in real[:SVHN_REAL_TRAIN]]
    labels = np.concatenate([labels, real_labels[:SVHN_REAL_TRAIN]])
    order = rng.permutation(len(images))
    return {
        "train": write_split(out, "svhn", "train", [images[i] for i in order], labels[order]),
        "test": write_split(
            out,
            "svhn",
            "test",
            [Image.fromarray(x, "RGB") for x in real[SVHN_REAL_TRAIN:]],
            real_labels[SVHN_REAL_TRAIN:],
        ),
    }


def mnistm_real() -> tuple[np.ndarray, np.ndarray]:
    """The real MNIST-M digits shipped in assets/ (uint8 (6000, 28, 28, 3), labels 0–9), cut from its atlas."""
    with np.load(MNISTM_FILE) as z:
        atlas, labels = np.asarray(Image.open(io.BytesIO(z["atlas_webp"].tobytes())).convert("RGB")), z["labels"]
    rows, columns = atlas.shape[0] // 28, atlas.shape[1] // 28
    digits = atlas.reshape(rows, 28, columns, 28, 3).transpose(0, 2, 1, 3, 4).reshape(-1, 28, 28, 3)
    return digits[: len(labels)], labels.astype(np.int64)


def mnistm_images(n: int, rng: np.random.Generator) -> tuple[list[Image.Image], np.ndarray]:
    """`n` of the shipped real MNIST-M digits, drawn at random."""
    digits, labels = mnistm_real()
    if n > len(labels):
        raise UsageError(f"--mnistm {n}: {MNISTM_FILE.name} holds only {len(labels)} digits")
    pick = rng.permutation(len(labels))[:n]
    return [Image.fromarray(digits[i], "RGB") for i in pick], labels[pick]


def usps_images(n: int, rng: np.random.Generator) -> tuple[list[Image.Image], np.ndarray]:
    with np.load(USPS_FILE) as z:
        digits, labels = z["images"], z["labels"].astype(np.int64)
    if n > len(digits):
        raise UsageError(f"--usps {n}: {USPS_FILE.name} holds only {len(digits)} digits")
    pick = rng.permutation(len(digits))[:n]
    return [Image.fromarray(digits[i], "L") for i in pick], labels[pick]


SVHN_FILE = ASSETS / "svhn_real554.npz"
# The real digits are cut from SVHN's training images in order, so a contiguous cut keeps each house number's
# digits on one side (at most the one image at the cut spans both): the first 254 join svhn/train (labelled as
# the official training split is; the adaptation runs see them without labels), the other 300 are svhn/test.
SVHN_REAL_TRAIN = 254


def svhn_real() -> tuple[np.ndarray, np.ndarray]:
    """The 554 real SVHN digits shipped in assets/ (uint8 (554, 32, 32, 3), labels 0–9)."""
    with np.load(SVHN_FILE) as z:
        return z["images"], z["labels"].astype(np.int64)


def _desaturated(rng: np.random.Generator, luminance: float) -> np.ndarray:
    """An RGB colour of about the given luminance, mostly grey-ish as paint and weathered plates are."""
    hue = rng.integers(0, 256, 3).astype(np.float64)
    grey = np.full(3, 128.0)
    colour = grey + (hue - grey) * rng.uniform(0.0, 0.6) ** 1.5
    return np.clip(colour - colour @ [0.299, 0.587, 0.114] + luminance, 0, 255)


def svhn_image(label: int, fonts: list[Path], photos: list[np.ndarray], rng: np.random.Generator) -> Image.Image:
    """One street-number crop as SVHN's were cut: a square window around the labelled digit, which fills most
    of its height, with its neighbours cut by the edges; plate or wall colours of either polarity, texture from a
    blurred photograph, uneven light, a slight tilt, and the blur and noise of a small camera crop."""
    font = ImageFont.truetype(str(fonts[rng.integers(len(fonts))]), int(rng.integers(40, 56)))
    bg_lum = rng.uniform(20, 235)
    contrast = rng.uniform(35, 150) * (1 if bg_lum < 128 else -1) * (1 if rng.random() < 0.85 else -1)
    bg, fg = _desaturated(rng, bg_lum), _desaturated(rng, np.clip(bg_lum + contrast, 0, 255))
    photo = photos[rng.integers(len(photos))]
    y, x = rng.integers(0, photo.shape[0] - 96), rng.integers(0, photo.shape[1] - 128)
    texture = np.asarray(
        Image.fromarray(photo[y : y + 96, x : x + 128]).filter(ImageFilter.GaussianBlur(3)), np.float64
    )
    texture = (texture - texture.mean()) * rng.uniform(0.1, 0.5)
    canvas = Image.fromarray(np.clip(bg + texture, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(canvas)
    text = f"{rng.integers(10)}{label}{rng.integers(10)}"
    widths = [draw.textlength(c, font=font) for c in text]
    gap = float(rng.uniform(-2, 5))
    left, top, right, bottom = draw.textbbox((0, 0), text[1], font=font)
    x0 = 64 - widths[0] - gap - widths[1] / 2
    y0 = 48 - (top + bottom) / 2
    for c, offset in zip(text, [0, widths[0] + gap, widths[0] + widths[1] + 2 * gap]):
        draw.text((x0 + offset, y0), c, fill=tuple(int(v) for v in fg), font=font)
    canvas = canvas.rotate(float(rng.uniform(-8, 8)), resample=Image.BILINEAR, fillcolor=tuple(int(v) for v in bg))
    half = (bottom - top) * float(rng.uniform(0.52, 0.7))
    crop = canvas.crop((round(64 - half), round(48 - half), round(64 + half), round(48 + half)))
    low = int(rng.integers(12, 33))  # many SVHN crops are upscaled from a few pixels
    crop = crop.resize((low, low), Image.BILINEAR).resize((32, 32), Image.BILINEAR)
    crop = crop.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.2, 1.0))))
    yy, xx = np.mgrid[-1:1:32j, -1:1:32j]
    angle = rng.uniform(0, 2 * np.pi)
    light = 1 + rng.uniform(0, 0.35) * (np.cos(angle) * xx + np.sin(angle) * yy)
    pixels = np.asarray(crop, dtype=np.float64) * light[..., None] + rng.normal(0, rng.uniform(1, 6), (32, 32, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def _draws_digits(font_file: Path) -> bool:
    """Some bundled fonts are symbol-only: keep those whose '8' has ink."""
    left, top, right, bottom = ImageFont.truetype(str(font_file), 40).getbbox("8")
    return right - left > 8 and bottom - top > 16


def svhn_images(n: int, rng: np.random.Generator) -> tuple[list[Image.Image], np.ndarray]:
    font_dir = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    # Upright text fonts only: the symbol fonts (cmsy, cmex, STIXSize...) map digits to other glyphs, and house
    # numbers are rarely italic.
    fonts = [
        p
        for p in sorted(font_dir.glob("*.ttf"))
        if p.stem.startswith(("DejaVu", "STIXGeneral", "cmr", "cmss", "cmtt", "cmb"))
        and not any(k in p.stem for k in ("Oblique", "Italic", "Ita"))
        and _draws_digits(p)
    ]
    photos = colour_photos()
    labels = rng.integers(0, 10, n)
    return [svhn_image(int(y), fonts, photos, rng) for y in labels], labels


def face_images(n: int) -> list[Image.Image]:
    import skimage.data

    faces = skimage.data.lfw_subset()[:100]  # the first 100 of the 200 are faces, the rest are not
    if n > len(faces):
        raise UsageError(f"--faces {n}: scikit-image ships only {len(faces)} LFW faces")
    return [
        Image.fromarray((f * 255).round().astype(np.uint8), "L").resize((64, 64), Image.BICUBIC).convert("RGB")
        for f in faces[:n]
    ]


def build(
    out: Path,
    seed: int = 0,
    mnistm: int = 6000,
    usps: int = 7291,
    svhn: int = 4000,
    faces: int = 100,
    test_fraction: float = 0.2,
) -> dict:
    """Write out/hw2_data and return {domain: {split: count}}. An existing tree is replaced. The tree is built
    under out/hw2_data.partial and renamed when complete, so an interrupted build never passes for a finished one."""
    final, root = Path(out) / "hw2_data", Path(out) / "hw2_data.partial"
    for folder in (final, root):
        if folder.exists():
            shutil.rmtree(folder)
    rng = np.random.default_rng(seed)
    counts = {}
    for domain, make in (("mnistm", lambda: mnistm_images(mnistm, rng)), ("usps", lambda: usps_images(usps, rng))):
        images, labels = make()
        counts[domain] = write_domain(root, domain, images, labels, test_fraction, rng)
    counts["svhn"] = write_svhn(root, svhn, rng)
    train_idx, test_idx = split_indices(faces, test_fraction, rng)
    all_faces = face_images(faces)
    for split, idx, start in (("train", train_idx, 0), ("test", test_idx, len(train_idx))):
        folder = root / "face" / split
        folder.mkdir(parents=True)
        for k, i in enumerate(idx):
            all_faces[i].save(folder / f"{start + k:05d}.png")
    counts["face"] = {"train": len(train_idx), "test": len(test_idx)}
    root.rename(final)
    return counts


def main(argv=None) -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("--out", required=True, help="folder to write hw2_data into")
    p.add_argument("--seed", type=int, default=0, help="seed of the splits and the rendered street numbers")
    p.add_argument("--mnistm", type=int, default=6000, help="MNIST-M images (at most 6000)")
    p.add_argument("--usps", type=int, default=7291, help="USPS images (at most 7291)")
    p.add_argument(
        "--svhn", type=int, default=4000, help="generated street-number digits (svhn/train; the real ones are fixed)"
    )
    p.add_argument("--faces", type=int, default=100, help="faces (at most 100)")
    p.add_argument("--test-fraction", type=float, default=0.2, help="share of mnistm, usps and faces kept for test")
    a = p.parse_args(argv)
    counts = build(Path(a.out), a.seed, a.mnistm, a.usps, a.svhn, a.faces, a.test_fraction)
    print(f"demo data in {Path(a.out) / 'hw2_data'}")
    print(f"{'set':<8}{'train':>8}{'test':>8}")
    for name, c in counts.items():
        print(f"{name:<8}{c['train']:>8}{c['test']:>8}")


if __name__ == "__main__":
    run_cli(main)
