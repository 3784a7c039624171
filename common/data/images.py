"""Reading image files the way every problem needs them: any mode becomes RGB, any size becomes square."""
import sys
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from common.errors import UsageError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm"}


def _to_8bit(im: Image.Image) -> Image.Image:
    """Any PIL mode as RGB. 16-bit grayscale is scaled down (PIL's own convert would clip it to white)."""
    if im.mode.startswith("I;16") or im.mode in ("I", "F"):
        values = np.asarray(im, dtype=np.float64)
        if not np.isfinite(values).all():
            raise ValueError(f"its {im.mode} pixels include NaN or infinite values")
        if im.mode == "F" and values.min(initial=0) >= 0 and values.max(initial=0) <= 1:
            values = values * 255.0  # floating-point images conventionally hold intensities in [0, 1]
        elif im.mode.startswith("I;16") or values.max(initial=0) > 255:  # 16-bit data, maybe in a 32-bit container
            values = values / 257.0
        return Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8), "L").convert("RGB")
    # Palette and alpha images go through RGBA so transparency does not trigger PIL's warning.
    return im.convert("RGBA").convert("RGB") if im.mode in ("P", "PA", "LA", "RGBA") else im.convert("RGB")


def read_rgb(path: Path, size: int) -> np.ndarray:
    """Decode one image as a uint8 array (size, size, 3). Grayscale, 16-bit, RGBA and palette images become RGB."""
    try:
        with Image.open(path) as im:
            im = _to_8bit(im)
            if im.size != (size, size):
                im = im.resize((size, size), Image.BILINEAR)  # PIL antialiases when shrinking
            return np.array(im, dtype=np.uint8)
    except Image.DecompressionBombError:
        raise UsageError(f"cannot read image {path}: it is too large to be a digit or a face "
                         f"(over {Image.MAX_IMAGE_PIXELS * 2:,} pixels)") from None
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as e:
        raise UsageError(f"cannot read image {path}: {e}") from None


def read_size(path: Path) -> int:
    """The width of an image file, without decoding it."""
    try:
        with Image.open(path) as im:
            return im.size[0]
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        raise UsageError(f"cannot read image {path}: {e}") from None


def list_images(folder: Path, what: str = "image folder") -> list[Path]:
    """Image files of `folder` in sorted order. Everything else is skipped and named in one warning: hidden
    files (a leading dot), files without an image suffix, folders, and links that point nowhere.

    A missing folder or one without images is an error naming it.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"{what} {folder} does not exist or is not a folder")
    images, skipped = [], []
    for p in sorted(folder.iterdir()):
        if p.name.startswith("."):
            skipped.append(f"{p.name} (hidden)")
        elif not p.exists():
            skipped.append(f"{p.name} (a link to nothing)")
        elif not p.is_file():
            skipped.append(f"{p.name} (not a file)")
        elif p.suffix.lower() not in IMAGE_SUFFIXES:
            skipped.append(p.name)
        else:
            images.append(p)
    if skipped:
        names = ", ".join(ascii(n)[1:-1] if not n.isprintable() else n for n in skipped[:5])
        print(f"warning: skipped {len(skipped)} file(s) in {folder} that are not images: {names}"
              f"{', …' if len(skipped) > 5 else ''}", file=sys.stderr)
    if not images:
        raise UsageError(f"{what} {folder} holds no images")
    return images
