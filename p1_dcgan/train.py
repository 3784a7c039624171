"""Train the P1 face GAN: `python3 -m p1_dcgan.train --data-root ROOT --ckpt-dir DIR [--arch ...]`.

Writes a numbered run folder DIR/runs/p1/NNNNN (config.json, metrics.jsonl, latest.pt, samples/)
and the graders' checkpoint DIR/p1_dcgan.pt (the EMA generator of the best step by FID).
"""
import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path

import torch

from common.data.batches import TensorBatches
from common.data.datasets import load_faces
from common.data.diffaugment import diff_augment, parse_policy
from common.data.image_grid import save_png, tile
from common.data.splits import train_val_split
from common.errors import UsageError
from common.gan.config import GANConfig
from common.gan.loop import run_steps
from common.gan.losses import d_loss_fn, g_loss_fn
from common.gan.sampling import generate_uint8, seeded_latents
from common.metrics import MetricSkipped
from common.metrics.fid import activations, fid_network, frechet_distance_to_features, gaussian_stats
from common.metrics.folder import tensor_batches
from common.training.checkpoint import atomic_save
from common.training.config import print_config, run_training
from common.training.ema import EMA
from common.training.progress import image_progress
from common.training.runs import MetricsLog, diverged, restore, save_latest, start_or_resume
from common.training.runtime import choose_runtime
from common.training.seeding import seed_everything, stream_seed
from p1_dcgan import GRADER_CHECKPOINT
from p1_dcgan.model import ARCHS, LATENT_DIM


@dataclass
class Config(GANConfig):
    """Train the P1 face GAN (DCGAN family) on hw2_data/face/train."""
    arch: str = field(default="sngan", metadata={"choices": list(ARCHS), "help": "dcgan = the report's model"})
    steps: int = field(default=60000, metadata={"min": 1, "help": "generator steps"})
    diffaugment: str = field(default="translation,color", metadata={"help": "DiffAugment policy, '' for none"})
    flip: bool = field(default=True, metadata={"help": "random horizontal flips of the training faces"})
    eval_every: int = field(default=2000, metadata={"min": 1, "help": "steps between FID evaluations"})
    fid_samples: int = field(default=1000, metadata={"min": 2, "help": "generated images per FID evaluation"})
    fid_holdout: float = field(default=0.05, metadata={
        "above": 0, "below": 1, "help": "fraction of training faces held out as FID reference"})
    fid_weights: str | None = field(default=None, metadata={
        "help": "FID Inception weights file (else FID_WEIGHTS or download); 'none': no FID, the latest step is kept"})
    dry_run: bool = field(default=False, metadata={"help": "two steps, nothing written: checks data and device"})

    def check(self):
        try:
            parse_policy(self.diffaugment)
        except ValueError as e:
            raise UsageError(str(e)) from None


class GANTrainer:
    """Models, optimizers and one training step; shared with benchmarks/p1_throughput.py."""

    def __init__(self, cfg: Config, rt):
        g_cls, d_cls, self.loss_kind = ARCHS[cfg.arch]
        self.cfg, self.rt = cfg, rt
        self.G = g_cls().to(rt.device, memory_format=rt.memory_format)
        self.D = d_cls().to(rt.device, memory_format=rt.memory_format)
        self.opt_g = torch.optim.Adam(self.G.parameters(), cfg.lr_g, betas=(cfg.beta1, 0.999), fused=True)
        self.opt_d = torch.optim.Adam(self.D.parameters(), cfg.lr_d, betas=(cfg.beta1, 0.999), fused=True)
        self.scaler = rt.grad_scaler()
        self.G_ema = EMA(self.G, cfg.ema_decay) if cfg.ema_decay > 0 else None
        self.policy = parse_policy(cfg.diffaugment)
        # Non-finite losses are collected on the device and checked only at log/checkpoint time (no sync per step).
        self.nonfinite = torch.zeros((), dtype=torch.bool, device=rt.device)

    def step(self, real: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = torch.randn(len(real), LATENT_DIM, device=self.rt.device)
        # --- discriminator step: real up, fake down
        with self.rt.autocast():
            fake = self.G(z)
            d_real = self.D.logits(diff_augment(real, self.policy)).float()
            d_fake = self.D.logits(diff_augment(fake.detach(), self.policy)).float()
            loss_d = d_loss_fn(self.loss_kind, d_real, d_fake)
        self.opt_d.zero_grad(set_to_none=True)
        self.scaler.scale(loss_d).backward()
        self.scaler.step(self.opt_d)
        # --- generator step: make the discriminator call the same fakes real
        with self.rt.autocast():
            loss_g = g_loss_fn(self.loss_kind, self.D.logits(diff_augment(fake, self.policy)).float())
        self.opt_g.zero_grad(set_to_none=True)
        self.scaler.scale(loss_g).backward()
        self.scaler.step(self.opt_g)
        self.scaler.update()
        if self.G_ema is not None:
            self.G_ema.update(self.G)
        self.nonfinite |= ~(torch.isfinite(loss_d) & torch.isfinite(loss_g))
        return loss_d.detach(), loss_g.detach()

    def sampling_generator(self) -> torch.nn.Module:
        """The generator that samples and is served: the EMA copy when there is one."""
        return self.G_ema.module if self.G_ema is not None else self.G

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        """uint8 images from the sampling generator in eval mode (its training mode is restored)."""
        return generate_uint8(self.sampling_generator(), z, device=self.rt.device)

    def state_dict(self) -> dict:
        return {"G": self.G.state_dict(), "D": self.D.state_dict(), "opt_g": self.opt_g.state_dict(),
                "opt_d": self.opt_d.state_dict(), "scaler": self.scaler.state_dict(),
                "G_ema": self.G_ema.state_dict() if self.G_ema is not None else None}

    def load_state_dict(self, s: dict) -> None:
        self.G.load_state_dict(s["G"])
        self.D.load_state_dict(s["D"])
        self.opt_g.load_state_dict(s["opt_g"])
        self.opt_d.load_state_dict(s["opt_d"])
        self.scaler.load_state_dict(s["scaler"])
        if self.G_ema is not None:
            self.G_ema.load_state_dict(s["G_ema"])
        # The config is the truth: learning rates given at resume time replace the saved ones.
        for opt, lr in ((self.opt_g, self.cfg.lr_g), (self.opt_d, self.cfg.lr_d)):
            for group in opt.param_groups:
                group["lr"] = lr


def main(cfg: Config) -> None:
    print_config(cfg)
    rt = choose_runtime(cfg.precision)
    seed_everything(cfg.seed)
    faces = load_faces(Path(cfg.data_root) / "face" / "train")
    train_idx, ref_idx = train_val_split(len(faces), cfg.fid_holdout, cfg.seed)
    batches = TensorBatches(faces[train_idx], None, cfg.batch_size, rt.device, cfg.seed, flip=cfg.flip,
                            memory_format=rt.memory_format)
    trainer = GANTrainer(cfg, rt)
    fixed_z = seeded_latents(64, LATENT_DIM, stream_seed(cfg.seed, "sample_grid"))
    eval_z = seeded_latents(cfg.fid_samples, LATENT_DIM, stream_seed(cfg.seed, "eval_latents"))
    print(f"{len(train_idx)} training faces, {len(ref_idx)} held out for FID; device {rt.device}, "
          f"precision {rt.amp_dtype or 'fp32'}", flush=True)
    if cfg.dry_run:
        for _ in range(2):
            trainer.step(next(batches)[0])
        print(f"dry run ok: two steps on {rt.device}; nothing written")
        return

    ckpt_dir = Path(cfg.ckpt_dir)
    run, ckpt = start_or_resume(ckpt_dir / "runs" / "p1", cfg.resume, dataclasses.asdict(cfg))
    log, start, best_fid = MetricsLog(run), 0, math.inf
    if ckpt is not None:
        start, best_fid = restore(ckpt, run, {"trainer": trainer, "batches": batches}, ("step", "best_fid"))

    try:  # FID needs the Inception weights; without them the latest checkpoint serves as the best
        with torch.random.fork_rng(devices=[]):  # building it must not draw from the training's random stream
            fid_net = fid_network(cfg.fid_weights, str(rt.device))
        ref_stats = gaussian_stats(activations(tensor_batches(faces[ref_idx], 50), fid_net))
    except MetricSkipped as e:
        print(f"{e}; the latest checkpoint serves as the best", flush=True)
        fid_net = None

    def save(step: int, fid: float | None) -> None:
        if bool(trainer.nonfinite):
            raise diverged(run, f"before step {step}")
        save_latest(run, trainer=trainer.state_dict(), batches=batches.state_dict(), step=step, best_fid=best_fid,
                    config=dataclasses.asdict(cfg))
        if fid_net is None or fid == best_fid:
            atomic_save({"arch": cfg.arch, "generator": trainer.sampling_generator().state_dict(), "step": step,
                         "fid": fid, "config": dataclasses.asdict(cfg)}, ckpt_dir / GRADER_CHECKPOINT)

    def evaluate(step: int) -> float | None:
        """A sample grid every epoch (tiny data sets: every 100 steps); FID every --eval-every steps."""
        nonlocal best_fid
        if step % max(batches.batches_per_epoch, 100) == 0 or step == cfg.steps:
            grid = trainer.generate(fixed_z).permute(0, 2, 3, 1).numpy()
            save_png(tile(list(grid), 8), run / "samples" / f"step{step:07d}.png")
        if fid_net is None or not (step % cfg.eval_every == 0 or step == cfg.steps):
            return None
        fake = trainer.generate(eval_z)
        fid = frechet_distance_to_features(ref_stats, activations(tensor_batches(fake, 50), fid_net))
        best_fid = min(best_fid, fid)
        log.log_evaluation(bar, step, "fid", fid, best_fid, "FID {:.2f}")
        return fid

    (run / "samples").mkdir(exist_ok=True)
    with image_progress(cfg.steps * batches.batch_size, f"p1 {cfg.arch}", initial=start * batches.batch_size) as bar:
        run_steps(start + 1, cfg.steps, batches.batch_size, lambda step: trainer.step(next(batches)[0]), evaluate,
                  save, cfg.ckpt_every, cfg.stop_after, log, bar)
    print(f"done: {ckpt_dir / GRADER_CHECKPOINT} (best FID {best_fid if fid_net else 'not measured'})")


if __name__ == "__main__":
    run_training(main, Config)
