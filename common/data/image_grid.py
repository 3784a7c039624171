"""Tile image files into one figure: `python3 -m common.data.image_grid OUT.png COLUMNS FILE [FILE ...]`.

Draws the report's sample grids from the files the graders' scripts wrote (no second generation pass).
Images are tiled row by row at the first image's size with a 2-pixel black border, as torchvision's save_image.
"""
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from common.atomic_output import atomic_path
from common.data.images import read_rgb, read_size
from common.errors import UsageError, run_cli

PAD = 2


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


def main() -> None:
    if len(sys.argv) < 4 or not sys.argv[2].isdigit() or int(sys.argv[2]) < 1:
        raise UsageError("usage: python3 -m common.data.image_grid OUT.png COLUMNS FILE [FILE ...]")
    out, columns, files = Path(sys.argv[1]), int(sys.argv[2]), [Path(f) for f in sys.argv[3:]]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise UsageError(f"{len(missing)} image(s) to tile do not exist: {', '.join(missing[:3])}")
    save_png(tile_files(files, columns), out)
    print(f"wrote {out}")


if __name__ == "__main__":
    run_cli(main)
