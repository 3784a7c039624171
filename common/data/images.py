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
        if im.mode.startswith("I;16") or values.max(initial=0) > 255:  # 16-bit data, maybe in a 32-bit container
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
    """Image files of `folder` in sorted order. Other files are skipped with one warning.

    A missing folder or one without images is an error naming it.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"{what} {folder} does not exist or is not a folder")
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    images = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES]
    skipped = [p.name for p in files if p.suffix.lower() not in IMAGE_SUFFIXES]
    if skipped:
        print(f"warning: skipped {len(skipped)} non-image file(s) in {folder}: {', '.join(skipped[:5])}",
              file=sys.stderr)
    if not images:
        raise UsageError(f"{what} {folder} holds no images")
    return images
