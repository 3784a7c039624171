"""The course's LeNet digit classifier, and training our own evaluator of the same shape.

    python3 -m p2_acgan.digit_classifier train --data-root ROOT --out PATH

Checkpoints are dicts whose `state_dict` fits LeNet, like the course's Classifier.pth. Input: images in
[-1, 1] (ToTensor then Normalize(0.5, 0.5) per channel), the convention of every network here.
"""

import copy
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from common.checkpoints import atomic_save, load_checkpoint
from common.cli import UsageError, command_parser, run_cli
from common.data import NUM_DIGITS, TensorBatches, load_digits, train_val_split
from common.images import to_signed_unit
from common.training import batched, seed_everything


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(256, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, NUM_DIGITS)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The 64-d penultimate activations (a feature space for Fréchet distances between digit sets)."""
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)  # (B, 6, 12, 12)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # (B, 16, 4, 4)
        return F.relu(self.fc2(F.relu(self.fc1(x.flatten(1)))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc3(self.features(x))


def load_classifier(path: Path, device: torch.device = torch.device("cpu")) -> LeNet:
    """Load a course-style checkpoint strictly from its `state_dict` key (GPU-saved files load on a CPU)."""
    ckpt = load_checkpoint(
        path, trained_by="python3 -m p2_acgan.digit_classifier train --data-root hw2_data --out PATH"
    )
    if "state_dict" not in ckpt:
        raise UsageError(f"{path} has no 'state_dict' key; is it a digit classifier checkpoint?")
    net = LeNet()
    try:
        net.load_state_dict(ckpt["state_dict"])
    except RuntimeError as e:
        raise UsageError(f"{path} does not fit the LeNet classifier: {str(e).splitlines()[0]}") from None
    return net.eval().to(device)


def predict(net: nn.Module, images_uint8: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """The digit `net` gives each uint8 image, on the device of its weights."""
    return batched(
        lambda x: net(to_signed_unit(x)).argmax(1),
        images_uint8,
        batch_size=batch_size,
        device=next(net.parameters()).device,
    )


def train_classifier(data_root: Path, out: Path, epochs: int = 15, seed: int = 0, batch_size: int = 128) -> float:
    """Train LeNet on mnistm train; save the epoch with the best validation accuracy at the end, and return it."""
    seed_everything(seed)
    images, labels = load_digits(data_root, "mnistm", "train")
    tr, va = train_val_split(len(images), 0.1, seed)
    net = LeNet()
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    batches = TensorBatches(images[tr], labels[tr], batch_size, torch.device("cpu"), seed)
    best, best_state = -1.0, None
    for epoch in range(1, epochs + 1):
        net.train()
        for _ in range(batches.batches_per_epoch):
            x, y = next(batches)
            loss = F.cross_entropy(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        acc = (predict(net, images[va]) == labels[va]).float().mean().item()
        print(f"epoch {epoch}: validation accuracy {acc:.4f}", flush=True)
        if acc > best:
            best, best_state = acc, {"state_dict": copy.deepcopy(net.state_dict()), "val_accuracy": acc, "epoch": epoch}
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_save({**best_state, "finished": True}, out)  # written once, at the end: no file means no evaluator
    return best


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train our evaluator on hw2_data's MNIST-M train")
    t.add_argument("--data-root", type=Path, required=True, help="the hw2_data folder")
    t.add_argument("--out", type=Path, required=True, help="the checkpoint to write")
    t.add_argument("--epochs", type=int, default=15, help="passes over the training digits (the best is kept)")
    t.add_argument("--seed", type=int, default=0, help="seed of weights, split and batches")
    a = p.parse_args()
    best = train_classifier(a.data_root, a.out, a.epochs, a.seed)
    print(f"saved {a.out} (validation accuracy {best:.4f})")


if __name__ == "__main__":
    run_cli(main)
