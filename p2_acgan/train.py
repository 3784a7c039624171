"""Train the P2 conditional GAN: `python3 -m p2_acgan.train --data-root ROOT --ckpt-dir DIR [--arch ...]`.

Writes DIR/runs/p2/NNNNN (config.json, metrics.jsonl, latest.pt, samples/) and the graders'
checkpoint DIR/p2_acgan.pt: the (EMA) generator of the step whose 100-per-class samples the digit
evaluator classifies best. GAN runs often get worse with longer training, so the best step is kept.
"""
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F

from common.data.batches import TensorBatches
from common.data.datasets import load_digits
from common.data.image_grid import save_png, tile
from common.errors import UsageError
from common.gan.config import GANConfig
from common.gan.loop import run_steps
from common.gan.losses import d_loss_fn, g_loss_fn
from common.gan.sampling import generate_uint8
from common.training.checkpoint import atomic_save
from common.training.config import print_config, run_training
from common.training.ema import EMA
from common.training.progress import image_progress
from common.training.runs import MetricsLog, diverged, restore, save_latest, start_or_resume
from common.training.runtime import choose_runtime
from common.training.seeding import seed_everything, stream_seed
from p2_acgan import GRADER_CHECKPOINT
from p2_acgan.digit_classifier import load_classifier, predict
from p2_acgan.model import ARCHS, LATENT_DIM, NUM_CLASSES
from p2_acgan.sampling import fixed_eval_inputs


@dataclass
class Config(GANConfig):
    """Train the P2 conditional ACGAN on hw2_data/digits/mnistm/train."""
    arch: str = field(default="acgan_sn", metadata={"choices": list(ARCHS), "help": "acgan = the report's model"})
    cls_weight: float = field(default=1.0, metadata={"min": 0, "help": "weight of the class cross-entropy terms"})
    fake_cls_start: int = field(default=1000, metadata={"min": 0,
        "help": "steps before the class head also learns from fakes (early fakes are noise, their labels mislead it)"})
    label_smoothing: float = field(default=0.0, metadata={"min": 0, "below": 1, "help": "BCE real target 1 - this (bce archs)"})
    classifier: str | None = field(default=None, metadata={
        "help": "digit evaluator for model selection (course Classifier.pth or ours); none: latest is best"})
    eval_every: int | None = field(default=None, metadata={"min": 1, "help": "steps between evaluations (default: an epoch)"})

    def check(self):
        if self.classifier and not Path(self.classifier).is_file():
            raise UsageError(f"--classifier {self.classifier} does not exist")
        if self.label_smoothing and ARCHS[self.arch][2] != "bce":
            raise UsageError("--label-smoothing applies to the BCE loss of --arch acgan only")


def main(cfg: Config) -> None:
    print_config(cfg)
    rt = choose_runtime(cfg.precision)
    seed_everything(cfg.seed)
    images, labels = load_digits(Path(cfg.data_root), "mnistm", "train")
    batches = TensorBatches(images, labels, cfg.batch_size, rt.device, cfg.seed, memory_format=rt.memory_format)
    g_cls, d_cls, adv_loss = ARCHS[cfg.arch]
    G, D = g_cls().to(rt.device), d_cls().to(rt.device, memory_format=rt.memory_format)
    opt_g = torch.optim.Adam(G.parameters(), cfg.lr_g, betas=(cfg.beta1, 0.999), fused=True)
    opt_d = torch.optim.Adam(D.parameters(), cfg.lr_d, betas=(cfg.beta1, 0.999), fused=True)
    scaler = rt.grad_scaler()
    G_ema = EMA(G, cfg.ema_decay) if cfg.ema_decay > 0 else None
    sampler = G_ema.module if G_ema is not None else G
    evaluator = load_classifier(Path(cfg.classifier), rt.device) if cfg.classifier else None
    eval_z, eval_y = fixed_eval_inputs(stream_seed(cfg.seed, "eval_latents"))
    eval_every = cfg.eval_every or batches.batches_per_epoch

    ckpt_dir = Path(cfg.ckpt_dir)
    run, ckpt = start_or_resume(ckpt_dir / "runs" / "p2", cfg.resume, dataclasses.asdict(cfg))
    log, start, best_acc = MetricsLog(run), 0, -1.0
    nonfinite = torch.zeros((), dtype=torch.bool, device=rt.device)
    if ckpt is not None:
        states = {"G": G, "D": D, "opt_g": opt_g, "opt_d": opt_d, "scaler": scaler, "batches": batches,
                  **({"G_ema": G_ema} if G_ema is not None else {})}
        start, best_acc = restore(ckpt, run, states, ("step", "best_acc"))
        for opt, lr in ((opt_g, cfg.lr_g), (opt_d, cfg.lr_d)):  # learning rates given at resume time win
            for group in opt.param_groups:
                group["lr"] = lr
    if evaluator is None:
        print("no --classifier: accuracy is not measured during training; the latest checkpoint serves as the best")

    def save(step: int, acc: float | None) -> None:
        if bool(nonfinite):
            raise diverged(run, f"before step {step}")
        save_latest(run, G=G.state_dict(), D=D.state_dict(), opt_g=opt_g.state_dict(), opt_d=opt_d.state_dict(),
                    scaler=scaler.state_dict(), G_ema=G_ema.state_dict() if G_ema is not None else None,
                    batches=batches.state_dict(), step=step, best_acc=best_acc, config=dataclasses.asdict(cfg))
        if evaluator is None or acc == best_acc:
            atomic_save({"arch": cfg.arch, "generator": sampler.state_dict(), "step": step, "accuracy": acc,
                         "config": dataclasses.asdict(cfg)}, ckpt_dir / GRADER_CHECKPOINT)

    real_target = 1.0 - cfg.label_smoothing

    def train_step(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        nonlocal nonfinite
        G.train()
        real, y_real = next(batches)
        z = torch.randn(len(real), LATENT_DIM, device=rt.device)
        y_fake = torch.randint(0, NUM_CLASSES, (len(real),), device=rt.device)
        # --- discriminator step: real/fake on both heads' inputs, class of real (and later of fake) digits
        with rt.autocast():
            fake = G(z, y_fake)
            adv_r, cls_r = (t.float() for t in D.logits(real))
            adv_f, cls_f = (t.float() for t in D.logits(fake.detach()))
            if adv_loss == "bce" and cfg.label_smoothing:
                loss_adv = F.binary_cross_entropy_with_logits(adv_r, torch.full_like(adv_r, real_target)) + \
                    F.binary_cross_entropy_with_logits(adv_f, torch.zeros_like(adv_f))
            else:
                loss_adv = d_loss_fn(adv_loss, adv_r, adv_f)
            loss_cls = F.cross_entropy(cls_r, y_real)
            if step > cfg.fake_cls_start:
                loss_cls = loss_cls + F.cross_entropy(cls_f, y_fake)
            loss_d = loss_adv + cfg.cls_weight * loss_cls
        opt_d.zero_grad(set_to_none=True)
        scaler.scale(loss_d).backward()
        scaler.step(opt_d)
        # --- generator step: fool the real/fake head and be classified as the requested digit
        with rt.autocast():
            adv_g, cls_g = (t.float() for t in D.logits(fake))
            loss_g = g_loss_fn(adv_loss, adv_g) + cfg.cls_weight * F.cross_entropy(cls_g, y_fake)
        opt_g.zero_grad(set_to_none=True)
        scaler.scale(loss_g).backward()
        scaler.step(opt_g)
        scaler.update()
        if G_ema is not None:
            G_ema.update(G)
        nonfinite |= ~(torch.isfinite(loss_d) & torch.isfinite(loss_g))
        return loss_d.detach(), loss_g.detach()

    def evaluate(step: int) -> float | None:
        """Every eval_every steps: a 10-per-digit sample grid, and the evaluator's accuracy when there is one."""
        nonlocal best_acc
        if not (step % eval_every == 0 or step == cfg.steps):
            return None
        samples = generate_uint8(sampler, eval_z, eval_y, device=rt.device)
        grid = torch.cat([samples[eval_y == d][:10] for d in range(NUM_CLASSES)])
        save_png(tile(list(grid.permute(0, 2, 3, 1).numpy()), 10), run / "samples" / f"step{step:07d}.png")
        if evaluator is None:
            return None
        acc = (predict(evaluator, samples) == eval_y).float().mean().item()
        best_acc = max(best_acc, acc)
        log.log_evaluation(bar, step, "accuracy", acc, best_acc, "accuracy {:.4f}")
        return acc

    (run / "samples").mkdir(exist_ok=True)
    with image_progress(cfg.steps * batches.batch_size, f"p2 {cfg.arch}", initial=start * batches.batch_size) as bar:
        run_steps(start + 1, cfg.steps, batches.batch_size, train_step, evaluate, save, cfg.ckpt_every,
                  cfg.stop_after, log, bar)
    print(f"done: {ckpt_dir / GRADER_CHECKPOINT} (best accuracy {best_acc if evaluator else 'not measured'})")


if __name__ == "__main__":
    run_training(main, Config)
