"""What a digit classifier reads in a served P2 generator that composes (`tinted`, `composite`), and what not:

    python3 -m benchmarks.p2_diagnosis CKPT --data-root demo_data/hw2_data --classifier FILE [--classifier FILE ...]

On the graders' 1000 images (hw2_p2.sh's latents) it prints:
- the digit mask's statistics (mean, share of pixels between 0.2 and 0.8: a digit mask is near 0 or 1);
- each classifier's accuracy as drawn, with only the background blurred (Gaussian σ 0.7 and 1.5: how much of the
  digit lives in the background's fine detail), and in grayscale beside real test digits in grayscale (how much
  the digit stands out by brightness rather than colour);
- the mean absolute difference of neighbouring pixels, generated and real (pixel-level noise).
Last line: `ratio=<first classifier's accuracy with the background blurred at σ 1.5 over as drawn>`.
"""

from pathlib import Path

import torch
import torch.nn.functional as F

from common.checkpoints import load_checkpoint
from common.cli import command_parser
from common.data import NUM_DIGITS, load_digits
from common.gan import GRADER_SEED, generator_from_checkpoint
from common.images import to_uint8
from p2_acgan.digit_classifier import load_classifier, predict
from p2_acgan.model import ARCHS, PROBLEM, CompositeGenerator, fixed_eval_inputs


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    k = torch.exp(-(torch.arange(-2, 3.0) ** 2) / (2 * sigma**2))
    k = (k[:, None] * k[None, :] / k.sum() ** 2).expand(x.shape[1], 1, 5, 5)
    return F.conv2d(F.pad(x, (2, 2, 2, 2), mode="replicate"), k, groups=x.shape[1])


def gray(images: torch.Tensor) -> torch.Tensor:
    return images.float().mean(1, keepdim=True).expand(-1, 3, -1, -1).round().to(torch.uint8)


def neighbour_difference(images: torch.Tensor) -> float:
    x = images.float().mean(1)
    return ((x[:, 1:] - x[:, :-1]).abs().mean() + (x[:, :, 1:] - x[:, :, :-1]).abs().mean()).item()


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("ckpt", type=Path, help="a served P2 checkpoint of a composing generator (tinted or composite)")
    p.add_argument("--data-root", type=Path, required=True, help="the hw2_data folder (real test digits)")
    p.add_argument(
        "--classifier", type=Path, action="append", required=True, help="a digit classifier; repeat for several"
    )
    a = p.parse_args()
    g = generator_from_checkpoint(load_checkpoint(a.ckpt), a.ckpt, PROBLEM, ARCHS, "p2_acgan.train").eval()
    if not isinstance(g, CompositeGenerator):
        raise SystemExit("error: the diagnosis reads the mask of --arch tinted or composite generators only")
    z, y = fixed_eval_inputs(GRADER_SEED)
    real, real_labels = load_digits(a.data_root, "mnistm", "test")
    with torch.no_grad():
        mask, background = g.layers(z, y)
        drawn = {
            "as drawn": to_uint8((background - mask).abs() * 2 - 1),
            "background blurred σ 0.7": to_uint8((gaussian_blur(background, 0.7) - mask).abs() * 2 - 1),
            "background blurred σ 1.5": to_uint8((gaussian_blur(background, 1.5) - mask).abs() * 2 - 1),
        }
    drawn["grayscale"] = gray(drawn["as drawn"])
    middle = ((mask > 0.2) & (mask < 0.8)).float().mean().item()
    print(f"mask: mean {mask.mean().item():.2f}, {100 * middle:.0f}% of its pixels between 0.2 and 0.8")
    accuracies = []
    for path in a.classifier:
        net = load_classifier(path)
        for what, images in {**drawn, "real test digits": real, "real test digits, grayscale": gray(real)}.items():
            labels = real_labels if what.startswith("real") else y
            hit = predict(net, images) == labels
            per_digit = " ".join(f"{d}:{100 * hit[labels == d].float().mean().item():.0f}" for d in range(NUM_DIGITS))
            print(f"{path.name} {what}: {100 * hit.float().mean().item():.1f}% ({per_digit})")
            accuracies.append(hit.float().mean().item())
    print(f"neighbouring-pixel difference: generated {neighbour_difference(drawn['as drawn']):.1f}, "
          f"real {neighbour_difference(real):.1f} grey levels")  # fmt: skip
    print(f"ratio={accuracies[2] / max(accuracies[0], 1e-9):.3f}")


if __name__ == "__main__":
    main()
