"""Data for domain-adaptation training: labelled source, unlabelled target, and the validation split
used for model selection. Test splits never take part."""
from dataclasses import dataclass
from pathlib import Path

import torch

from common.data.batches import TensorBatches
from common.data.datasets import load_digits
from common.data.splits import train_val_split
from common.training.seeding import stream_seed


@dataclass
class DomainData:
    labelled: TensorBatches  # the labelled training stream (source; target for the upper bound)
    unlabelled: TensorBatches | None  # target training images without labels (adaptation only)
    val_images: torch.Tensor  # held out from the labelled training split, for model selection
    val_labels: torch.Tensor


def domain_data(root: Path, labelled_domain: str, unlabelled_domain: str | None, batch_size: int,
                val_fraction: float, seed: int, device: torch.device) -> DomainData:
    images, labels = load_digits(root, labelled_domain, "train")
    tr, va = train_val_split(len(images), val_fraction, seed)
    labelled = TensorBatches(images[tr], labels[tr], batch_size, device, seed)
    unlabelled = None
    if unlabelled_domain is not None:
        t_images, _ = load_digits(root, unlabelled_domain, "train")  # labels are loaded but never used
        unlabelled = TensorBatches(t_images, None, batch_size, device, stream_seed(seed, "target_batches"))
    return DomainData(labelled, unlabelled, images[va], labels[va])

