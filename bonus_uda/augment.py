"""Source augmentation of the bonus method."""
import torch


def invert_some(images: torch.Tensor, prob: float) -> torch.Tensor:
    """Negate the intensities of each image in [-1, 1] (255 − x in pixels) with probability `prob`.

    SVHN shows light digits on dark and dark digits on light backgrounds, while USPS and MNIST digits have
    one polarity; a classifier trained on one polarity is confidently wrong on the other half of such a
    target, and entropy minimisation then entrenches those mistakes. Inverted source images teach
    polarity invariance with correct labels. At prob 0 it returns `images` and draws no random numbers.
    """
    if prob == 0:
        return images
    flip = torch.rand(len(images), 1, 1, 1, device=images.device) < prob
    return torch.where(flip, -images, images)
