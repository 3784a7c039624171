"""The two pixel encodings: uint8 [0, 255] on disk and float [-1, 1] in every network, and the maps between."""
import torch


def to_signed_unit(images: torch.Tensor) -> torch.Tensor:
    """uint8 [0, 255] -> float [-1, 1] (Normalize(0.5, 0.5))."""
    return images.float().div_(127.5).sub_(1.0)


def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """float [-1, 1] -> uint8, exactly as the images are written to PNG."""
    return ((x.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
