"""Image files and image tensors: reading any image file as RGB at a square size, decoding whole folders once
into a uint8 tensor cached on disk, the two pixel encodings (uint8 on disk, float [-1, 1] in every network), and
writing PNGs: the graders' folders (all files or none) and tiled sample grids."""

import hashlib
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from common.cli import UsageError, os_error_line, warn_once
from common.files import announce, atomic_folder, atomic_path

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
            im = _to_8bit(ImageOps.exif_transpose(im))  # upright, as a photo viewer shows it
            if im.size != (size, size):
                im = im.resize((size, size), Image.BILINEAR)  # PIL antialiases when shrinking
            return np.array(im, dtype=np.uint8)
    except Image.DecompressionBombError:
        raise UsageError(
            f"cannot read image {path}: it is too large to be a digit or a face "
            f"(over {Image.MAX_IMAGE_PIXELS * 2:,} pixels)"
        ) from None
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as e:
        raise UsageError(f"cannot read image {path}: {e}") from None


def read_size(path: Path) -> int:
    """The width of an image file as it is shown upright (EXIF orientation applied), without decoding it."""
    try:
        with Image.open(path) as im:
            turned = im.getexif().get(ExifTags.Base.Orientation, 1) in (5, 6, 7, 8)  # a quarter turn swaps the sides
            return im.size[1] if turned else im.size[0]
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
        print(
            f"warning: skipped {len(skipped)} file(s) in {folder} that are not images: {names}"
            f"{', …' if len(skipped) > 5 else ''}",
            file=sys.stderr,
        )
    if not images:
        raise UsageError(f"{what} {folder} holds no images")
    return images


# --- pixels ------------------------------------------------------------------------------------------------


def to_signed_unit(images: torch.Tensor) -> torch.Tensor:
    """uint8 [0, 255] -> float [-1, 1] (Normalize(0.5, 0.5))."""
    return images.float().div_(127.5).sub_(1.0)


def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """float [-1, 1] -> uint8, exactly as the images are written to PNG."""
    return ((x.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


# --- whole folders, decoded once and cached ---------------------------------------------------------------


def cache_dir() -> Path:
    """${HW2_CACHE_DIR:-~/.cache/hw2}: decoded data sets and FID reference statistics (set but empty: the default)."""
    return Path(os.environ.get("HW2_CACHE_DIR") or Path.home() / ".cache" / "hw2")


def listing_key(paths: list[Path], extra: str = "") -> str:
    """A digest of the files' absolute paths, sizes, modification and change times and inodes: it changes whenever
    any file does, including files replaced under their old names, sizes and modification times (re-extracted from
    an archive, say): a new file gets a new inode and change time, which no program can set back."""
    h = hashlib.sha256(extra.encode())
    for p in paths:
        st = os.stat(p)
        h.update(f"{Path(p).resolve()}\t{st.st_size}\t{st.st_mtime_ns}\t{st.st_ctime_ns}\t{st.st_ino}\n".encode())
    return h.hexdigest()[:32]


def decode_images(paths: list[Path], size: int) -> torch.Tensor:
    """Decode files into a (N, 3, size, size) uint8 tensor, several at a time (PIL releases the GIL)."""
    images, _, failures = decode_readable(paths, size)
    if failures:
        raise UsageError(failures[0])
    return images


def decode_readable(paths: list[Path], size: int) -> tuple[torch.Tensor, list[Path], list[str]]:
    """Decode what can be decoded: (images of the readable files, those files, one message per unreadable one)."""
    out = np.empty((len(paths), size, size, 3), dtype=np.uint8)

    def fill(i_path) -> str | None:
        i, path = i_path
        try:
            out[i] = read_rgb(path, size)
        except UsageError as e:
            return str(e)
        return None

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        errors = list(pool.map(fill, enumerate(paths)))
    ok = [i for i, e in enumerate(errors) if e is None]
    images = torch.from_numpy(out[ok] if len(ok) < len(paths) else out).permute(0, 3, 1, 2).contiguous()
    return images, [paths[i] for i in ok], [e for e in errors if e is not None]


def cached_decode(paths: list[Path], size: int) -> torch.Tensor:
    """The decoded tensor of `paths`, from the on-disk cache when it is current."""
    file = cache_dir() / f"images_{size}px_{listing_key(paths, str(size))}.pt"
    if file.exists():
        try:
            return torch.load(file, weights_only=True)["images"]
        except Exception:  # a damaged cache file is rebuilt, never trusted
            file.unlink(missing_ok=True)
    images = decode_images(paths, size)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(file) as tmp:
            torch.save({"images": images}, tmp)
    except OSError as e:  # the cache only saves time: an unwritable cache folder must not stop the run
        warn_once("image cache", f"not caching decoded images ({os_error_line(e)})")
    return images


# --- folders in batches, as the metrics read them --------------------------------------------------------------


def folder_batches(folder: Path, batch_size: int) -> Iterator[torch.Tensor]:
    """uint8 (B, 3, H, W) batches of every image of `folder` in sorted order, at the first image's size."""
    files = list_images(folder)
    size = read_size(files[0])
    for i in range(0, len(files), batch_size):
        chunk = np.stack([read_rgb(p, size) for p in files[i : i + batch_size]])
        yield torch.from_numpy(chunk).permute(0, 3, 1, 2)


# --- writing PNGs ------------------------------------------------------------------------------------------


def save_pngs(images: torch.Tensor, names: list[str], out_dir: Path, announce_as: str = "") -> None:
    """Write uint8 (N, 3, H, W) images as RGB PNGs named `names` into out_dir (created if missing), all or none;
    `announce_as`: the line to print once they are complete, before they are published (common/files.py)."""
    with atomic_folder(out_dir, names) as tmp:
        for img, name in zip(images.permute(0, 2, 3, 1).cpu().numpy(), names):
            Image.fromarray(img, "RGB").save(tmp / name)
        announce(announce_as)


PAD = 2  # tiles are separated by a 2-pixel black border, as torchvision's save_image draws them


def tile(images: list[np.ndarray], columns: int) -> Image.Image:
    """uint8 (H, W, 3) images, all of one size, row by row into one picture."""
    h, w = images[0].shape[:2]
    rows = -(-len(images) // columns)
    grid = Image.new("RGB", (PAD + columns * (w + PAD), PAD + rows * (h + PAD)))
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        grid.paste(Image.fromarray(image), (PAD + c * (w + PAD), PAD + r * (h + PAD)))
    return grid


def save_png(image: Image.Image, path: Path) -> None:
    """Write a picture as PNG, whole or not at all."""
    with atomic_path(path) as tmp:
        image.save(tmp, format="PNG")


def tile_files(files: list[Path], columns: int) -> Image.Image:
    """The files tiled at the first one's width (each read as RGB, squared)."""
    size = read_size(files[0])
    return tile([read_rgb(path, size) for path in files], columns)
