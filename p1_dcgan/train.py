"""Train the P1 face GAN: `python3 -m p1_dcgan.train --data-root ROOT --ckpt-dir DIR [--arch ...]`.

Writes a numbered run folder DIR/runs/p1_dcgan/NNNNN (config.json, metrics.jsonl, latest.pt, samples/) and the
graders' checkpoint DIR/p1_dcgan.pt (the EMA generator of the best step by FID).
"""

import math
from dataclasses import dataclass, field
from pathlib import Path

import torch

from common.cli import MetricSkipped, run_training
from common.data import TensorBatches, diff_augment, load_faces, parse_policy, train_val_split
from common.gan import GAN, GANConfig, checkpoint_due, d_loss_fn, g_loss_fn, generate_uint8, seeded_latents
from common.metrics.fid import activations, fid_network, frechet_distance_to_features, gaussian_stats
from common.training import Run, Runtime, stream_seed
from p1_dcgan.model import ARCHS, LATENT_DIM, NAME, PROBLEM


@dataclass
class Config(GANConfig):
    """Train the P1 face GAN (DCGAN family) on hw2_data/face/train."""

    arch: str = field(default="sngan", metadata={"choices": list(ARCHS), "help": "dcgan = the report's model"})
    steps: int = field(default=60000, metadata={"min": 1, "help": "generator steps"})
    diffaugment: str = field(default="translation,color", metadata={"help": "DiffAugment policy, '' for none"})
    flip: bool = field(default=True, metadata={"help": "random horizontal flips of the training faces"})
    eval_every: int = field(default=2000, metadata={"min": 1, "help": "steps between FID evaluations"})
    fid_samples: int = field(default=1000, metadata={"min": 2, "help": "generated images per FID evaluation"})
    fid_holdout: float = field(
        default=0.05, metadata={"above": 0, "below": 1, "help": "fraction of training faces held out as FID reference"}
    )
    fid_weights: str | None = field(
        default=None,
        metadata={
            "help": "FID Inception weights file (else FID_WEIGHTS or download); 'none': no FID, the latest step is kept"
        },
    )

    def check(self):
        parse_policy(self.diffaugment)


def train_step(gan: GAN, real: torch.Tensor, policy: tuple[str, ...], rt: Runtime) -> tuple[torch.Tensor, torch.Tensor]:
    """One discriminator and one generator step on a batch of real faces; returns the two losses, on the device
    (nothing in it makes the host wait for the GPU: tests/test_host_syncs.py)."""
    z = torch.randn(len(real), LATENT_DIM, device=rt.device)
    # --- discriminator step: real up, fake down
    with rt.autocast():
        fake = gan.G(z)
        d_real = gan.D.logits(diff_augment(real, policy)).float()
        d_fake = gan.D.logits(diff_augment(fake.detach(), policy)).float()
        loss_d = d_loss_fn(gan.loss, d_real, d_fake)
    gan.opt_d.zero_grad(set_to_none=True)
    gan.scaler.scale(loss_d).backward()
    gan.scaler.step(gan.opt_d)
    # --- generator step: make the discriminator call the same fakes real
    with rt.autocast():
        loss_g = g_loss_fn(gan.loss, gan.D.logits(diff_augment(fake, policy)).float())
    gan.opt_g.zero_grad(set_to_none=True)
    gan.scaler.scale(loss_g).backward()
    gan.scaler.step(gan.opt_g)
    gan.scaler.update()
    if gan.G_ema is not None:
        gan.G_ema.update(gan.G)
    return loss_d.detach(), loss_g.detach()


def main(cfg: Config) -> None:
    with Run(cfg, PROBLEM, NAME, unit="step", total=cfg.steps, precision=cfg.precision) as run:
        rt = run.rt
        faces = load_faces(Path(cfg.data_root) / "face" / "train")
        train_idx, ref_idx = train_val_split(len(faces), cfg.fid_holdout, cfg.seed)
        batches = TensorBatches(
            faces[train_idx],
            None,
            cfg.batch_size,
            rt.device,
            cfg.seed,
            flip=cfg.flip,
            memory_format=rt.memory_format,
            what="training faces (after the FID hold-out)",
        )
        gan = GAN.build(ARCHS, cfg, rt)
        policy = parse_policy(cfg.diffaugment)
        fixed_z = seeded_latents(64, LATENT_DIM, stream_seed(cfg.seed, "sample_grid"))
        eval_z = seeded_latents(cfg.fid_samples, LATENT_DIM, stream_seed(cfg.seed, "eval_latents"))
        print(
            f"{len(train_idx)} training faces, {len(ref_idx)} held out for FID; device {rt.device}, "
            f"precision {rt.amp_dtype or 'fp32'}",
            flush=True,
        )

        first = run.start({**gan.states(), "batches": batches}, images_per_step=batches.batch_size)
        best_fid = run.counters.get("best_fid", math.inf)
        try:  # FID needs the Inception weights; without them the latest checkpoint serves as the best
            with torch.random.fork_rng(devices=[]):  # building it must not draw from the training's random stream
                fid_net = fid_network(cfg.fid_weights, str(rt.device))
            ref_stats = gaussian_stats(activations(faces[ref_idx].split(50), fid_net))
        except MetricSkipped as e:
            print(f"{e}; the latest checkpoint serves as the best", flush=True)
            fid_net = None

        for step in range(first, cfg.steps + 1):
            loss_d, loss_g = train_step(gan, next(batches)[0], policy, rt)
            run.add_losses({"loss_d": loss_d, "loss_g": loss_g})
            if step % 100 == 0 or step == cfg.steps:  # a host read: only every 100 steps
                run.log_losses(step)
            if step % max(batches.batches_per_epoch, 100) == 0 or step == cfg.steps:  # a sample grid every epoch
                samples = generate_uint8(gan.sampler, fixed_z, device=rt.device)
                run.save_samples(samples, 8, step)
            fid = None
            if fid_net is not None and (step % cfg.eval_every == 0 or step == cfg.steps):
                fake = generate_uint8(gan.sampler, eval_z, device=rt.device)
                fid = frechet_distance_to_features(ref_stats, activations(fake.split(50), fid_net))
                best_fid = min(best_fid, fid)
                run.log(step=step, fid=fid, best_fid=best_fid)
                run.bar.write(f"step {step}: FID {fid:.2f} (best {best_fid:.2f})")
            if checkpoint_due(step, cfg, evaluated=fid is not None):
                best = fid_net is None or fid == best_fid  # without FID the latest serves
                run.save(
                    step,
                    {"best_fid": best_fid},
                    served=gan.sampler.state_dict() if best else None,
                    served_counters={"fid": fid},
                )
            if run.stop_here(step):
                break


if __name__ == "__main__":
    run_training(main, Config)
