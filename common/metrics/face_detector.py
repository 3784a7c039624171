"""A face-likeness proxy that runs offline: the share of images in which OpenCV's frontal-face Haar cascade
(`haarcascade_frontalface_default.xml`, shipped inside opencv-python-headless) finds a face.

It is not FID: it finds a face in 95% of real 64×64 CelebA faces and in none of uniform noise, but it saturates once
images are face-like and is blind to diversity (one face repeated 1000 times scores 100%), so it says whether a
generator draws faces at all, never which of two good generators is better (`benchmarks.p1_quality
--calibrate-only`). Images are upscaled to 128×128 first, as every figure of docs/benchmarks.md was measured.
OpenCV is a development dependency (requirements-dev.txt); without it the metric is skipped.
"""

from pathlib import Path

import numpy as np

from common.cli import MetricSkipped
from common.images import list_images, read_rgb

CASCADE = "haarcascade_frontalface_default.xml"
NAME = "face detector (OpenCV's Haar cascade; a face-likeness proxy, not FID)"


def face_cascade():
    try:
        import cv2
    except ImportError:
        raise MetricSkipped(
            "face detector skipped: opencv-python-headless is not installed (pip install -r requirements-dev.txt)"
        ) from None
    return cv2, cv2.CascadeClassifier(cv2.data.haarcascades + CASCADE)


def faces_found(images: np.ndarray) -> np.ndarray:
    """For uint8 RGB images (N, H, W, 3): whether the cascade finds at least one face in each."""
    cv2, cascade = face_cascade()
    found = []
    for image in images:
        grey = cv2.cvtColor(cv2.resize(image, (128, 128), interpolation=cv2.INTER_LINEAR), cv2.COLOR_RGB2GRAY)
        found.append(len(cascade.detectMultiScale(grey)) > 0)
    return np.array(found, dtype=bool)


def face_rate_of_folder(folder: Path) -> tuple[int, int]:
    """(images with a face found, images) over every image of `folder`, each read as RGB at 64×64."""
    files = list_images(folder)
    found = faces_found(np.stack([read_rgb(p, 64) for p in files]))
    return int(found.sum()), len(files)
