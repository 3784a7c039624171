"""Running a trained UDA classifier: labels, features, accuracy, and a test folder into the graders' CSV."""
import csv
from pathlib import Path

import torch

from common.atomic_output import atomic_path
from common.data.images import list_images
from common.data.pixels import to_signed_unit
from common.data.tensor_cache import decode_readable
from common.errors import UsageError


@torch.no_grad()
def predict_images(net: torch.nn.Module, images_uint8: torch.Tensor, device: torch.device,
                   batch_size: int = 1000) -> torch.Tensor:
    net = net.to(device).eval()
    return torch.cat([net.classify(to_signed_unit(images_uint8[i:i + batch_size].to(device))).argmax(1).cpu()
                      for i in range(0, len(images_uint8), batch_size)])


@torch.no_grad()
def features_of(net: torch.nn.Module, images_uint8: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    return torch.cat([net.embed(to_signed_unit(images_uint8[i:i + batch_size])).flatten(1)
                      for i in range(0, len(images_uint8), batch_size)])


def accuracy(net: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor, device: torch.device) -> float:
    """Share of `images` classified as `labels`; net's training mode is restored after."""
    was_training = net.training
    acc = (predict_images(net, images, device) == labels).float().mean().item()
    net.train(was_training)
    return acc


def predict_folder_to_csv(net: torch.nn.Module, folder: Path, out_csv: Path, device: torch.device) -> int:
    """Classify every image of `folder` (sorted) and write `image_name,label` rows to out_csv, whole or not at all.

    The graders need one row per image, so an unreadable image is an error; every image is decoded first, and the
    error names all that failed (up to three, and their count), so one run finds them all. Nothing is written then.
    """
    files = list_images(folder, what="test folder")
    images, readable, failures = decode_readable(files, 28)
    if failures:
        raise UsageError(f"{len(failures)} of {len(files)} image(s) in {folder} cannot be read, nothing written: "
                         + "; ".join(failures[:3]))
    labels = predict_images(net, images, device)
    with atomic_path(out_csv) as tmp:
        # A file name that is not valid UTF-8 is written back as the very bytes the file system gave.
        with open(tmp, "w", newline="", encoding="utf-8", errors="surrogateescape") as f:
            w = csv.writer(f)
            w.writerow(["image_name", "label"])
            w.writerows(zip((p.name for p in readable), labels.tolist()))
    return len(readable)
