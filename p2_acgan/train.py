"""Train the P2 conditional GAN: `python3 -m p2_acgan.train --data-root ROOT --ckpt-dir DIR [--arch ...]`.

Writes DIR/runs/p2_acgan/NNNNN (config.json, metrics.jsonl, latest.pt, samples/) and the graders' checkpoint
DIR/p2_acgan.pt: the (EMA) generator of the step whose 100-per-class samples the digit evaluator classifies best.
GAN runs often get worse with longer training, so the best step is kept.
"""

from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F

from common.cli import UsageError, run_training
from common.data import NUM_DIGITS, TensorBatches, load_digits
from common.gan import GAN, GANConfig, checkpoint_due, d_loss_fn, g_loss_fn, generate_uint8
from common.training import Run, Runtime, stream_seed
from p2_acgan.digit_classifier import load_classifier, predict
from p2_acgan.model import ARCHS, LATENT_DIM, NAME, PROBLEM, fixed_eval_inputs


@dataclass
class Config(GANConfig):
    """Train the P2 conditional ACGAN on hw2_data/digits/mnistm/train."""

    arch: str = field(
        default="tinted",
        metadata={"choices": list(ARCHS), "help": "acgan = the report's model; composite = tinted without the tint"},
    )
    steps: int = field(default=15000, metadata={"min": 1, "help": "generator steps (scripts/train_p2.sh's budget)"})
    cls_weight_d: float = field(default=1.0, metadata={"min": 0, "help": "weight of the discriminator's class loss"})
    cls_weight_g: float = field(
        default=20.0,
        metadata={
            "min": 0,
            "help": "weight of the generator's class loss (the report's model used 1; 20 keeps real MNIST-M's digits "
            "readable to the last step)",
        },
    )
    fake_cls_start: int | None = field(
        default=None,
        metadata={
            "min": 0,
            "help": "steps before the class head also learns from fakes (the report's ACGAN: 0); by default it learns "
            "from real digits only, which keeps the generator's digits readable to a classifier of real ones",
        },
    )
    classifier: str | None = field(
        default=None,
        metadata={"help": "digit evaluator for model selection (course Classifier.pth or ours); none: latest is best"},
    )
    eval_every: int | None = field(
        default=None, metadata={"min": 1, "help": "steps between evaluations (default: an epoch)"}
    )

    def check(self):
        if self.classifier and not Path(self.classifier).is_file():
            raise UsageError(f"--classifier {self.classifier} does not exist")


def train_step(
    gan: GAN, real: torch.Tensor, y_real: torch.Tensor, step: int, cfg: Config, rt: Runtime
) -> tuple[torch.Tensor, torch.Tensor]:
    """One discriminator and one generator step on a batch of real digits and their labels; returns the two
    losses, on the device."""
    gan.G.train()
    z = torch.randn(len(real), LATENT_DIM, device=rt.device)
    y_fake = torch.randint(0, NUM_DIGITS, (len(real),), device=rt.device)
    # --- discriminator step: real/fake on both heads' inputs, class of real (and later of fake) digits
    with rt.autocast():
        fake = gan.G(z, y_fake)
        adv_r, cls_r = (t.float() for t in gan.D.logits(real, y_real))
        adv_f, cls_f = (t.float() for t in gan.D.logits(fake.detach(), y_fake))
        loss_adv = d_loss_fn(gan.loss, adv_r, adv_f)
        loss_cls = F.cross_entropy(cls_r, y_real)
        if cfg.fake_cls_start is not None and step > cfg.fake_cls_start:
            loss_cls = loss_cls + F.cross_entropy(cls_f, y_fake)
        loss_d = loss_adv + cfg.cls_weight_d * loss_cls
    gan.opt_d.zero_grad(set_to_none=True)
    gan.scaler.scale(loss_d).backward()
    gan.scaler.step(gan.opt_d)
    # --- generator step: fool the real/fake head and be classified as the requested digit
    with rt.autocast():
        adv_g, cls_g = (t.float() for t in gan.D.logits(fake, y_fake))
        loss_g = g_loss_fn(gan.loss, adv_g) + cfg.cls_weight_g * F.cross_entropy(cls_g, y_fake)
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
        images, labels = load_digits(Path(cfg.data_root), "mnistm", "train")
        batches = TensorBatches(
            images,
            labels,
            cfg.batch_size,
            rt.device,
            cfg.seed,
            memory_format=rt.memory_format,
            what="MNIST-M training digits",
        )
        gan = GAN.build(ARCHS, cfg, rt)
        evaluator = load_classifier(Path(cfg.classifier), rt.device) if cfg.classifier else None
        eval_z, eval_y = fixed_eval_inputs(stream_seed(cfg.seed, "eval_latents"))
        eval_every = cfg.eval_every or batches.batches_per_epoch

        first = run.start({**gan.states(), "batches": batches}, images_per_step=batches.batch_size)
        best_acc = run.counters.get("best_acc", -1.0)
        if evaluator is None:
            print("no --classifier: accuracy is not measured during training; the latest checkpoint serves as the best")

        for step in range(first, cfg.steps + 1):
            real, y_real = next(batches)
            loss_d, loss_g = train_step(gan, real, y_real, step, cfg, rt)
            run.add_losses({"loss_d": loss_d, "loss_g": loss_g})
            if step % 100 == 0 or step == cfg.steps:  # a host read: only every 100 steps
                run.log_losses(step)
            acc = None
            if step % eval_every == 0 or step == cfg.steps:  # a 10-per-digit sample grid, and the evaluator's accuracy
                samples = generate_uint8(gan.sampler, eval_z, eval_y, device=rt.device)
                grid = torch.cat([samples[eval_y == d][:10] for d in range(NUM_DIGITS)])
                run.save_samples(grid, 10, step)
                if evaluator is not None:
                    acc = (predict(evaluator, samples) == eval_y).float().mean().item()
                    best_acc = max(best_acc, acc)
                    run.log(step=step, accuracy=acc, best_accuracy=best_acc)
                    run.bar.write(f"step {step}: accuracy {acc:.4f} (best {best_acc:.4f})")
            if checkpoint_due(step, cfg, evaluated=acc is not None):
                best = evaluator is None or acc == best_acc  # without an evaluator the latest serves
                run.save(
                    step,
                    {"best_acc": best_acc},
                    served=gan.sampler.state_dict() if best else None,
                    served_counters={"accuracy": acc},
                )
            if run.stop_here(step):
                break


if __name__ == "__main__":
    run_training(main, Config)
