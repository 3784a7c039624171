"""The options every domain-adaptation trainer takes; P3's and the bonus's Config add their method's own."""
from dataclasses import dataclass, field

from common.data.datasets import DOMAINS
from common.errors import UsageError


@dataclass
class UDAConfig:
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
    stop_after: int | None = field(default=None, metadata={
        "min": 1, "help": "checkpoint and stop after this epoch, as an interrupted run would (--resume continues)"})
    resume: bool = field(default=False, metadata={"help": "continue the latest run of this scenario (and mode)"})

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
