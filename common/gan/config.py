"""The options both GAN trainers take; P1's and P2's Config add their problem's own and set `steps` and `arch`."""
from dataclasses import dataclass, field


@dataclass
class GANConfig:
    data_root: str = field(metadata={"help": "the hw2_data folder"})
    ckpt_dir: str = field(default="checkpoints", metadata={"help": "where the graders' checkpoint and runs/ go"})
    steps: int = field(default=30000, metadata={"min": 1, "help": "generator steps"})
    batch_size: int = field(default=64, metadata={"min": 1, "help": "images per step"})
    lr_g: float = field(default=2e-4, metadata={"above": 0, "help": "generator Adam learning rate"})
    lr_d: float = field(default=2e-4, metadata={"above": 0, "help": "discriminator Adam learning rate"})
    beta1: float = field(default=0.5, metadata={"min": 0, "below": 1, "help": "Adam beta1 (beta2 is 0.999)"})
    ema_decay: float = field(default=0.999, metadata={
        "min": 0, "below": 1, "help": "EMA of the generator (what is sampled and served); 0 turns it off"})
    ckpt_every: int = field(default=1000, metadata={"min": 1, "help": "steps between checkpoints"})
    seed: int = field(default=0, metadata={"help": "seed of weights, batches and the sample noise"})
    precision: str = field(default="auto", metadata={
        "choices": ["auto", "fp32", "bf16", "fp16"], "help": "auto: bf16 on a GPU, fp32 on a CPU"})
    resume: bool = field(default=False, metadata={"help": "continue the latest run in ckpt-dir"})
    stop_after: int | None = field(default=None, metadata={
        "min": 1, "help": "checkpoint and stop after this step, as an interrupted run would (--resume continues)"})
