"""What P3 (DANN) and the bonus share beyond the adversarial pieces: loading a trained digit classifier from
its checkpoint, and predicting a folder of test images into the graders' CSV."""
import csv
import importlib
from pathlib import Path

import torch

from common.batches import to_signed_unit
from common.checkpoint import load_checkpoint
from common.datasets import InferenceFolder
from common.errors import UsageError
from common.tensor_cache import decode_images

MODEL_MODULES = ("p3_dann.model", "bonus_uda.model")  # where a checkpoint's "module" may point


def classifier_from_checkpoint(ckpt: dict) -> torch.nn.Module:
    """Rebuild the network a checkpoint names (module + arch) and load its weights, in eval mode."""
    if ckpt.get("module") not in MODEL_MODULES:
        raise UsageError(f"checkpoint names an unknown model module {ckpt.get('module')!r}")
    net = importlib.import_module(ckpt["module"]).build(ckpt["arch"])
    net.load_state_dict(ckpt["model"])
    return net.eval()


def load_classifier_checkpoint(path: Path, trained_by: str = "") -> torch.nn.Module:
    return classifier_from_checkpoint(load_checkpoint(path, trained_by))


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


def predict_folder_to_csv(net: torch.nn.Module, folder: Path, out_csv: Path, device: torch.device) -> int:
    """Classify every image of `folder` (sorted) and write `image_name,label` rows. Writes only out_csv."""
    files = InferenceFolder(folder)
    labels = predict_images(net, decode_images(files.files, 28), device)
    out_csv = Path(out_csv)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    with open(out_csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image_name", "label"])
        w.writerows(zip(files.names, labels.tolist()))
    return len(files.names)
