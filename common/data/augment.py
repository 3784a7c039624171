"""Batch augmentations for digit classifiers, drawn per image on the batch's device (no host round trip).

Real digit domains differ in how large and where the digit sits (USPS digits fill their frame, MNIST digits
sit in a 20-pixel box in a 28-pixel frame, SVHN crops show neighbouring digits), so random scale, rotation and
shift of the training images make a classifier that transfers; the intensity changes serve self-training.
"""
import math

import torch
import torch.nn.functional as F


def random_affine(x: torch.Tensor, rotation_deg: float = 10.0, scale: tuple[float, float] = (0.85, 1.2),
                  shift: float = 0.1) -> torch.Tensor:
    """Rotate by ±rotation_deg, zoom by a factor in `scale` (>1 enlarges the digit) and shift by ±shift of
    the image size, independently per image; edges repeat the border pixels."""
    b = x.shape[0]
    u = torch.rand(b, 4, device=x.device)
    angle = (u[:, 0] * 2 - 1) * math.radians(rotation_deg)
    zoom = scale[0] + u[:, 1] * (scale[1] - scale[0])
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack([torch.stack([cos, -sin, (u[:, 2] * 2 - 1) * 2 * shift], 1),
                         torch.stack([sin, cos, (u[:, 3] * 2 - 1) * 2 * shift], 1)], 1)  # grid units span 2
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def random_intensity(x: torch.Tensor, invert_prob: float = 0.5, noise: float = 0.1) -> torch.Tensor:
    """Per image: random contrast (0.5–1.5×) and brightness (±0.3), inversion with `invert_prob`, and Gaussian
    noise of std up to `noise`; for images in [-1, 1]."""
    b = x.shape[0]
    u = torch.rand(b, 4, 1, 1, 1, device=x.device, dtype=x.dtype)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * (0.5 + u[:, 0]) + mean + (u[:, 1] * 2 - 1) * 0.3
    x = torch.where(u[:, 2] < invert_prob, -x, x)
    return x + torch.randn_like(x) * (u[:, 3] * noise)



def invert_some(images: torch.Tensor, prob: float) -> torch.Tensor:
    """Negate the intensities of each image in [-1, 1] (255 − x in pixels) with probability `prob`.

    SVHN shows light digits on dark and dark digits on light backgrounds, while USPS and MNIST digits have one
    polarity; a classifier trained on one polarity is confidently wrong on the other half of such a target.
    Inverted labelled images teach polarity invariance with correct labels. At prob 0 it returns `images` and
    draws no random numbers.
    """
    if prob == 0:
        return images
    flip = torch.rand(len(images), 1, 1, 1, device=images.device) < prob
    return torch.where(flip, -images, images)


def add_neighbours(x: torch.Tensor, prob: float, widen: tuple[float, float] = (1.1, 1.6)) -> torch.Tensor:
    """With probability `prob` per image, widen its frame by a factor in `widen` so that parts of two other
    images of the batch enter at the left and right edges, as SVHN's crops show the neighbouring digits of a
    house number; the image itself stays centred (and keeps its label), the new rows above and below take its
    border's median value. At prob 0 it returns `x` and draws no random numbers."""
    if prob == 0:
        return x
    b = x.shape[0]
    frame = torch.cat([x[..., 0, :], x[..., -1, :], x[..., :, 0], x[..., :, -1]], dim=-1)
    background = frame.median(dim=-1, keepdim=True).values.unsqueeze(-1)  # (B, C, 1, 1)
    strip = torch.cat([x.roll(1, 0), x, x.roll(-1, 0)], dim=3) - background  # (B, C, H, 3W)
    u = torch.rand(b, 2, device=x.device)
    zoom = widen[0] + u[:, 0] * (widen[1] - widen[0])
    theta = torch.zeros(b, 2, 3, device=x.device, dtype=x.dtype)
    theta[:, 0, 0], theta[:, 1, 1] = (zoom / 3).to(x.dtype), zoom.to(x.dtype)  # the centre image spans 1/3 of the strip
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    widened = F.grid_sample(strip, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + background
    return torch.where((u[:, 1] < prob).view(b, 1, 1, 1), widened, x)
