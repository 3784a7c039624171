"""Input normalisation that removes what separates digit domains before any weight sees it."""
import torch
from torch import nn


class GrayStandardize(nn.Module):
    """Per image: the mean of the colour channels, shifted and scaled to zero mean and unit variance, repeated
    into 3 channels (so the first convolution keeps its shape and parameter count).

    Colour, brightness and contrast differ between grayscale USPS, photo-textured MNIST-M and SVHN but carry no
    digit identity; removing them per image closes that part of the domain gap for every training mode alike.
    """

    def __init__(self, eps: float = 1e-5):
        super().__init__()
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gray = x.mean(dim=1, keepdim=True)
        var, mean = torch.var_mean(gray, dim=(2, 3), keepdim=True, correction=0)
        return ((gray - mean) * torch.rsqrt(var + self.eps)).expand(-1, x.shape[1], -1, -1)


class LocalContrastNorm(nn.Module):
    """Per image: grayscale, minus its local mean, divided by its local standard deviation (Gaussian windows),
    repeated into 3 channels; parameter-free.

    Beyond what GrayStandardize removes, it flattens uneven light and smooth textures (house walls, plates)
    and keeps strokes and edges, which is what a digit is in every domain (local contrast normalisation as
    used on SVHN by Sermanet et al., 2012).
    """

    def __init__(self, sigma: float = 2.0, size: int = 9, eps: float = 1e-2):
        super().__init__()
        r = torch.arange(size, dtype=torch.float32) - size // 2
        g = torch.exp(-r ** 2 / (2 * sigma ** 2))
        kernel = torch.outer(g, g)
        self.register_buffer("kernel", (kernel / kernel.sum()).view(1, 1, size, size), persistent=False)
        self.eps = eps

    def _blur(self, x: torch.Tensor) -> torch.Tensor:
        pad = self.kernel.shape[-1] // 2
        return torch.nn.functional.conv2d(torch.nn.functional.pad(x, [pad] * 4, mode="replicate"), self.kernel)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gray = x.mean(dim=1, keepdim=True)
        centred = gray - self._blur(gray)
        local_std = self._blur(centred ** 2).sqrt()
        floor = local_std.mean(dim=(2, 3), keepdim=True)  # low-contrast areas are not amplified into noise
        return (centred / torch.maximum(local_std, floor).clamp_min(self.eps)).expand(-1, x.shape[1], -1, -1)
