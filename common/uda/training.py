"""What both domain-adaptation trainers (P3 and the bonus) share: their common options, their data (labelled
images, unlabelled target images, and the validation split used for model selection; test splits never take part),
and everything around their own training step: set-up, resume, and the end of each epoch (validation, the metrics
log, the served checkpoint, latest.pt, --stop-after-epoch)."""
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from common.checkpoints import (MetricsLog, diverged, mark_finished, restore, save_latest, save_served, start_or_resume,
                                stop_here)
from common.config import print_config
from common.data import DOMAINS, TensorBatches, load_digits, train_val_split
from common.errors import UsageError
from common.training import choose_runtime, image_progress, seed_everything, stream_seed
from common.uda.predict import accuracy


@dataclass
class UDAConfig:
    """The options every domain-adaptation trainer takes; P3's and the bonus's Config add their method's own."""
    data_root: str = field(metadata={"help": "the hw2_data folder"})
    source: str = field(metadata={"choices": list(DOMAINS), "help": "source domain"})
    target: str = field(metadata={"choices": list(DOMAINS), "help": "target domain"})
    ckpt_dir: str = field(default="checkpoints", metadata={"help": "where the checkpoint and runs/ go"})
    epochs: int = field(default=60, metadata={"min": 1, "help": "passes over the labelled training split"})
    batch_size: int = field(default=128, metadata={"min": 2, "help": "images per domain per step"})
    augment: bool = field(default=True, metadata={"help": "random scale, rotation and shift of the training images"})
    invert_prob: float | None = field(default=None, metadata={"min": 0, "max": 1,
        "help": "chance of inverting a labelled training image's intensities; unset: 0.5 when the target is svhn "
                "(street numbers come in both polarities), else 0"})
    neighbour_prob: float | None = field(default=None, metadata={"min": 0, "max": 1,
        "help": "chance of showing parts of other digits beside a labelled training image; unset: 0.5 when the "
                "target is svhn (house-number crops show their neighbours), else 0"})
    select: str = field(default="last", metadata={
        "choices": ["last", "val"],
        "help": "the checkpoint served: the last epoch, or the best on the validation split"})
    val_fraction: float = field(default=0.1, metadata={
        "above": 0, "below": 1, "help": "share of the labelled training split held out for --select val"})
    log_target_test: bool = field(default=False, metadata={
        "help": "also log target test accuracy each epoch (a diagnostic for benchmarks; never used for selection)"})
    seed: int = field(default=0, metadata={"help": "seed of weights and batches"})
    stop_after_epoch: int | None = field(default=None, metadata={
        "min": 1, "help": "checkpoint and stop after this epoch, as an interrupted run would (--resume continues)"})
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


class UDARun:
    """One UDA training run around the trainer's own step, which its main() writes out:

        with UDARun(cfg, PROBLEM, name, labelled_domain, unlabelled_domain) as run:  # fp32 runtime, seed, data
            ... build the network and optimizer on run.rt.device ...
            for epoch in range(run.start(states), cfg.epochs + 1):  # a fresh run folder, or --resume
                for i in range(run.steps_per_epoch):
                    ... one step ...; run.add_losses(losses)
                if run.end_epoch(epoch, served_net, states):  # --stop-after-epoch
                    break
    """

    def __init__(self, cfg: UDAConfig, problem: str, name: str, labelled_domain: str, unlabelled_domain: str | None):
        print_config(cfg)
        self.cfg, self.problem, self.name = cfg, problem, name
        self.rt = choose_runtime("fp32")  # small networks: fp32 everywhere keeps CPU and GPU runs comparable
        seed_everything(cfg.seed)
        root = Path(cfg.data_root)
        self.data = domain_data(root, labelled_domain, unlabelled_domain, cfg.batch_size, cfg.val_fraction, cfg.seed,
                                self.rt.device)
        self.target_test = load_digits(root, cfg.target, "test") if cfg.log_target_test else None
        self.steps_per_epoch = self.data.labelled.batches_per_epoch
        self.total_steps = cfg.epochs * self.steps_per_epoch
        self.served_path = Path(cfg.ckpt_dir) / f"{name}.pt"
        self.best_val, self._sums, self.bar, self.last_epoch = -1.0, None, None, 0

    def __enter__(self) -> "UDARun":
        return self

    def __exit__(self, error, *_) -> None:
        if self.bar is not None:  # closed before any error line, which then starts a line of its own
            self.bar.close()
        if error is None and self.last_epoch == self.cfg.epochs:  # not after --stop-after-epoch
            mark_finished(self.served_path)
            print(f"done: {self.served_path} (best validation accuracy {self.best_val:.4f})")

    def start(self, states: dict) -> int:
        """Open the run folder (or with --resume, restore `states` and the counters from its latest.pt) and the
        progress bar; returns the first epoch to train."""
        self.run_dir, ckpt = start_or_resume(Path(self.cfg.ckpt_dir), self.name, self.cfg)
        self.log = MetricsLog(self.run_dir)
        done = 0
        if ckpt is not None:
            counters = restore(ckpt, self.run_dir, states)
            done, self.best_val = counters["epoch"], counters["best_val"]
        self.last_epoch = done
        self.bar = image_progress(self.total_steps * self.cfg.batch_size, self.name,
                                  initial=done * self.steps_per_epoch * self.cfg.batch_size)
        return done + 1

    def progress(self, epoch: int, step_in_epoch: int) -> float:
        """Training progress p in [0, 1) at this step, which the learning rate and λ schedules follow."""
        return ((epoch - 1) * self.steps_per_epoch + step_in_epoch) / self.total_steps

    def add_losses(self, losses: dict[str, torch.Tensor]) -> None:
        """Sum a step's losses on the device (no host read per step) for the epoch's means."""
        values = torch.stack([v.detach() for v in losses.values()])
        self._names = list(losses)
        self._sums = values if self._sums is None else self._sums + values
        self.bar.update(self.cfg.batch_size)

    def end_epoch(self, epoch: int, served: nn.Module, states: dict) -> bool:
        """Check the losses, validate `served` on the held-out labelled images, log, save the served checkpoint
        (every epoch with --select last, else when validation improved) and latest.pt; True when the run ends."""
        sums, self._sums = self._sums, None
        if not torch.isfinite(sums).all():
            raise diverged(self.run_dir, f"in epoch {epoch}")
        losses = dict(zip(self._names, (sums / self.steps_per_epoch).tolist()))
        val = accuracy(served, self.data.val_images, self.data.val_labels, self.rt.device)
        improved = val > self.best_val
        self.best_val = max(self.best_val, val)
        diagnostic = {} if self.target_test is None else {
            "target_test_accuracy": accuracy(served, *self.target_test, self.rt.device)}
        self.log.log(epoch=epoch, **losses, val_accuracy=val, best_val_accuracy=self.best_val, **diagnostic)
        self.bar.set_postfix(**{k.removeprefix("loss_"): f"{v:.3f}" for k, v in losses.items()}, val=f"{val:.3f}")
        if improved or self.cfg.select == "last":
            save_served(self.served_path, self.problem, self.name, self.cfg.arch, served.state_dict(),
                        {"epoch": epoch, "val_accuracy": val}, self.cfg)
        save_latest(self.run_dir, self.problem, self.name, self.cfg.arch, states,
                    {"epoch": epoch, "best_val": self.best_val}, self.cfg)
        self.last_epoch = epoch
        return stop_here(epoch, self.cfg.stop_after_epoch, "epoch")
