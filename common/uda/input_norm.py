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
