"""What the two domain-adaptation trainers (P3 and the bonus) share, beside their networks (common/uda/networks.py).

Training pieces of a domain-adversarial network (Ganin et al., "Unsupervised Domain Adaptation by
Backpropagation", 2015): the λ and learning-rate schedules, the domain loss and the domain classifier's accuracy,
and how source and target batches pass through the network (batch norm per domain or together).

The run: the options both take, their data (labelled images, unlabelled target images, and the validation split
used for model selection; test splits never take part), and the end of each epoch (validation, the metrics row,
the served checkpoint and latest.pt) around the common run lifecycle (common/training.py: Run).
"""

import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from common.cli import UsageError
from common.data import DOMAINS, TensorBatches, load_digits, train_val_split
from common.images import to_signed_unit
from common.training import Run, batched, stream_seed
from common.uda.networks import DomainAdversarialNet, grad_reverse


def dann_lambda(progress: float, gamma: float = 10.0) -> float:
    """Adaptation weight λ(p) = 2 / (1 + exp(-γ p)) - 1: 0 at the start (p=0), near 1 at the end (p=1).

    Ramping it up keeps the noisy early domain signal from wrecking features that are still forming.
    """
    return 2.0 / (1.0 + math.exp(-gamma * progress)) - 1.0


def annealed_lr(progress: float, lr0: float, alpha: float = 10.0, beta: float = 0.75) -> float:
    """Learning rate μ(p) = μ0 / (1 + α p)^β from the DANN paper."""
    return lr0 / (1.0 + alpha * progress) ** beta


def domain_loss(domain_log_probs: torch.Tensor, n_source: int) -> torch.Tensor:
    """Cross-entropy of the domain classifier's log-probabilities (B, 2) on a joint batch: the first `n_source`
    rows are source (0), the rest target (1)."""
    target = torch.ones(len(domain_log_probs), dtype=torch.long, device=domain_log_probs.device)
    target[:n_source] = 0
    return F.cross_entropy(domain_log_probs, target)  # log_softmax leaves log-probabilities as they are


@contextmanager
def frozen_bn_statistics(net: nn.Module):
    """Batch norm inside the block normalises by the batch's own statistics as usual but leaves the running
    averages as they were (momentum 0), so that the averages describe only the batches seen outside it."""
    norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [m.momentum for m in norms]
    for m in norms:
        m.momentum = 0.0
    try:
        yield
    finally:
        for m, momentum in zip(norms, saved):
            m.momentum = momentum


def two_domain_forward(net: DomainAdversarialNet, xs: torch.Tensor, xt: torch.Tensor, lambd: float):
    """Source and target batches through `net` apart: batch norm normalises each batch by its own domain's
    statistics, which aligns the per-channel moments of the layers across domains, and the running averages the
    served model normalises with are the target's (the source batch passes with frozen averages). The domain head
    normalises each domain apart too: it then tells the domains apart less often, yet DANN adapts better than with
    a head that sees both in one batch (docs/benchmarks.md, 2026-12-08). Returns (source class log-probs, target
    class log-probs, domain log-probs of both, source rows first)."""
    with frozen_bn_statistics(net):
        fs = net.embed(xs)
        class_s = net.class_head(fs)
    ft = net.embed(xt)
    class_t = net.class_head(ft)
    with frozen_bn_statistics(net):
        domain_s = net.domain_head(grad_reverse(fs, lambd))
    return class_s, class_t, torch.cat([domain_s, net.domain_head(grad_reverse(ft, lambd))])


def domain_accuracy(domain_log_probs: torch.Tensor, n_source: int) -> dict[str, torch.Tensor]:
    """How often the domain classifier names each domain right, on the device: near 0.5 when the features align."""
    said_target = domain_log_probs.argmax(1) == 1
    return {
        "domain_acc_source": (~said_target[:n_source]).float().mean(),
        "domain_acc_target": said_target[n_source:].float().mean(),
    }


# --- the run ---------------------------------------------------------------------------------------------------


@dataclass
class UDAConfig:
    """The options every domain-adaptation trainer takes; P3's and the bonus's Config add their method's own."""

    data_root: str = field(metadata={"help": "the hw2_data folder"})
    source: str = field(metadata={"choices": list(DOMAINS), "help": "source domain"})
    target: str = field(metadata={"choices": list(DOMAINS), "help": "target domain"})
    arch: str = field(metadata={"help": "the network (each trainer's Config names its choices and default)"})
    ckpt_dir: str = field(default="checkpoints", metadata={"help": "where the checkpoint and runs/ go"})
    epochs: int = field(default=60, metadata={"min": 1, "help": "passes over the labelled training split"})
    batch_size: int = field(default=128, metadata={"min": 2, "help": "images per domain per step"})
    augment: bool = field(default=True, metadata={"help": "random scale, rotation and shift of the training images"})
    invert_prob: float | None = field(
        default=None,
        metadata={
            "min": 0,
            "max": 1,
            "help": "chance of inverting a labelled training image's intensities; unset: 0.5 when the target is svhn "
            "(street numbers come in both polarities), else 0",
        },
    )
    neighbour_prob: float | None = field(
        default=None,
        metadata={
            "min": 0,
            "max": 1,
            "help": "chance of showing parts of other digits beside a labelled training image; unset: 0.5 when the "
            "target is svhn (house-number crops show their neighbours), else 0",
        },
    )
    select: str = field(
        default="last",
        metadata={
            "choices": ["last", "val"],
            "help": "the checkpoint served: the last epoch, or the best on the validation split",
        },
    )
    val_fraction: float = field(
        default=0.1,
        metadata={"above": 0, "below": 1, "help": "share of the labelled training split held out for --select val"},
    )
    log_target_test: bool = field(
        default=False,
        metadata={
            "help": "also log target test accuracy each epoch (a diagnostic for benchmarks; never used for selection)"
        },
    )
    seed: int = field(default=0, metadata={"help": "seed of weights and batches"})
    device: str = field(default="auto", metadata={"help": "cpu, cuda, cuda:N, or auto: a GPU when one is visible"})
    stop_after_epoch: int | None = field(
        default=None,
        metadata={
            "min": 1,
            "help": "checkpoint and stop after this epoch, as an interrupted run would (--resume continues)",
        },
    )
    resume: bool = field(default=False, metadata={"help": "continue the latest run of this model"})

    # Street-number augmentation of the labelled images, unless set: only an SVHN target shows digits in both
    # polarities and flanked by neighbours, while its source (USPS) shows neither; an MNIST-M target's source
    # (SVHN) already shows both. Every mode augments alike, so the bounds train as DANN does.
    @property
    def labelled_invert_prob(self) -> float:
        return self.invert_prob if self.invert_prob is not None else 0.5 * (self.target == "svhn")

    @property
    def labelled_neighbour_prob(self) -> float:
        return self.neighbour_prob if self.neighbour_prob is not None else 0.5 * (self.target == "svhn")

    def check(self):
        if self.source == self.target:
            raise UsageError("--source and --target must differ")


@dataclass
class DomainData:
    labelled: TensorBatches  # the labelled training stream (source; target for the upper bound)
    unlabelled: TensorBatches | None  # target training images without labels (adaptation only)
    val_images: torch.Tensor  # held out from the labelled training split, for model selection
    val_labels: torch.Tensor


def domain_data(
    root: Path,
    labelled_domain: str,
    unlabelled_domain: str | None,
    batch_size: int,
    val_fraction: float,
    seed: int,
    device: torch.device,
) -> DomainData:
    images, labels = load_digits(root, labelled_domain, "train")
    tr, va = train_val_split(len(images), val_fraction, seed)
    labelled = TensorBatches(
        images[tr], labels[tr], batch_size, device, seed, what=f"labelled {labelled_domain} training digits"
    )
    unlabelled = None
    if unlabelled_domain is not None:
        t_images, _ = load_digits(root, unlabelled_domain, "train")  # labels are loaded but never used
        unlabelled = TensorBatches(
            t_images,
            None,
            batch_size,
            device,
            stream_seed(seed, "target_batches"),
            what=f"unlabelled {unlabelled_domain} training digits",
        )
    return DomainData(labelled, unlabelled, images[va], labels[va])


def predict_images(
    net: nn.Module, images_uint8: torch.Tensor, device: torch.device, batch_size: int = 1000
) -> torch.Tensor:
    """The class `net` (in eval mode) gives each uint8 image."""
    net = net.to(device).eval()
    return batched(
        lambda x: net.classify(to_signed_unit(x)).argmax(1), images_uint8, batch_size=batch_size, device=device
    )


def accuracy(net: nn.Module, images: torch.Tensor, labels: torch.Tensor, device: torch.device) -> float:
    """Share of `images` classified as `labels`; net's training mode is restored after."""
    was_training = net.training
    acc = (predict_images(net, images, device) == labels).float().mean().item()
    net.train(was_training)
    return acc


class UDARun(Run):
    """The run lifecycle (common/training.py: Run) counted in epochs, in fp32, with the domain data, and validation
    at the end of each epoch. The trainer's main() writes out its own step:

        with UDARun(cfg, PROBLEM, name, labelled_domain, unlabelled_domain) as run:  # runtime, seed, data
            ... build the network and optimizer on run.rt.device ...
            for epoch in range(run.start(states), cfg.epochs + 1):  # a new run folder, or --resume
                for i in range(run.steps_per_epoch):
                    ... one step ...; run.add_losses(losses)
                if run.end_epoch(epoch, served_net):  # --stop-after-epoch
                    break
    """

    def __init__(self, cfg: UDAConfig, problem: str, name: str, labelled_domain: str, unlabelled_domain: str | None):
        # small networks: fp32 everywhere keeps CPU and GPU runs comparable
        super().__init__(cfg, problem, name, unit="epoch", total=cfg.epochs, precision="fp32")
        root = Path(cfg.data_root)
        self.data = domain_data(
            root, labelled_domain, unlabelled_domain, cfg.batch_size, cfg.val_fraction, cfg.seed, self.rt.device
        )
        self.target_test = load_digits(root, cfg.target, "test") if cfg.log_target_test else None
        self.steps_per_epoch = self.data.labelled.batches_per_epoch
        self.best_val = -1.0

    def start(self, states: dict) -> int:
        first = super().start(states, self.data.labelled.batch_size, self.steps_per_epoch)
        self.best_val = self.counters.get("best_val", -1.0)
        return first

    def progress(self, epoch: int, step_in_epoch: int) -> float:
        """Training progress p in [0, 1) at this step, which the learning rate and λ schedules follow."""
        return ((epoch - 1) * self.steps_per_epoch + step_in_epoch) / (self.cfg.epochs * self.steps_per_epoch)

    def end_epoch(self, epoch: int, served: nn.Module) -> bool:
        """Validate `served` on the held-out labelled images, log, save the served checkpoint (every epoch with
        --select last, else when validation improved) and latest.pt; True when --stop-after-epoch ends the run."""
        val = accuracy(served, self.data.val_images, self.data.val_labels, self.rt.device)
        improved = val > self.best_val
        self.best_val = max(self.best_val, val)
        diagnostic = (
            {}
            if self.target_test is None
            else {"target_test_accuracy": accuracy(served, *self.target_test, self.rt.device)}
        )
        self.log_losses(epoch, val_accuracy=val, best_val_accuracy=self.best_val, **diagnostic)
        weights = served.state_dict() if improved or self.cfg.select == "last" else None
        self.save(epoch, {"best_val": self.best_val}, served=weights, served_counters={"val_accuracy": val})
        return self.stop_here(epoch)
