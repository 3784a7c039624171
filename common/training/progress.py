"""A tqdm progress line counted in images, so its rate reads as images/s."""
import sys

from tqdm import tqdm


def image_progress(total_images: int, desc: str, initial: int = 0) -> tqdm:
    return tqdm(total=total_images, initial=initial, desc=desc, unit="img", unit_scale=True,
                dynamic_ncols=True, mininterval=1.0 if sys.stderr.isatty() else 10.0, file=sys.stderr)
