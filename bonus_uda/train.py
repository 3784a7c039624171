"""Train the bonus UDA method on one scenario:

    python3 -m bonus_uda.train --data-root ROOT --source S --target T --ckpt-dir DIR [--epochs N]

The method (VADA-style): the report's shallow network behind grayscale, locally contrast-normalised
inputs; random scale, rotation and shift of both domains; domain-adversarial alignment
through gradient reversal (as DANN); conditional entropy on the target against a class-diversity term;
virtual adversarial training on both domains; source images inverted at random when the target is SVHN
(polarity invariance); an exponential moving average of the weights, which is what gets evaluated and saved,
and which serves as mean teacher for self-training on strongly augmented target views. Writes
DIR/bonus_<S>2<T>.pt (the last epoch, or with --select val the best on source validation) and
DIR/runs/bonus_<S>2<T>/.
"""
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F

from bonus_uda.losses import conditional_entropy, marginal_entropy, vat_loss
from bonus_uda.model import ARCHS, build
from common.data.augment import add_neighbours, invert_some, random_affine, random_intensity
from common.data.datasets import load_digits
from common.data.diffaugment import cutout
from common.training.checkpoint import atomic_save
from common.training.config import print_config, run_training
from common.training.ema import EMA
from common.training.progress import image_progress
from common.training.runs import MetricsLog, diverged, restore, save_latest, start_or_resume, stop_here
from common.training.runtime import choose_runtime
from common.training.seeding import seed_everything
from common.uda.config import UDAConfig
from common.uda.data import domain_data
from common.uda.network import frozen_bn_statistics, per_domain_forward
from common.uda.gradient_reversal import annealed_lr, dann_lambda, domain_loss
from common.uda.predict import accuracy
from common.uda.scenarios import checkpoint_stem


@dataclass
class Config(UDAConfig):
    """Train the improved UDA model on one scenario."""
    arch: str = field(default="report_lcn", metadata={"choices": list(ARCHS),
                                                     "help": "the report's bonus network fed: report = raw inputs; report_in = instance-normalised; "
                "report_gray = grayscale standardised; report_lcn = grayscale, local contrast normalised"})
    lr: float = field(default=1e-3, metadata={"above": 0, "help": "initial Adam learning rate, annealed as μ0/(1+10p)^0.75"})
    domain_weight: float = field(default=1.0, metadata={"min": 0, "help": "domain-adversarial loss weight (λ ramps it up)"})
    ent_weight: float = field(default=1.0, metadata={"min": 0, "help": "target conditional-entropy weight"})
    div_weight: float = field(default=1.0, metadata={"min": 0,
        "help": "target class-diversity weight (marginal entropy, against collapse onto a few classes)"})
    vat_weight: float = field(default=1.0, metadata={"min": 0, "help": "virtual adversarial training weight (both domains)"})
    vat_eps: float = field(default=1.0, metadata={"above": 0, "help": "VAT perturbation L2 norm per image (inputs in [-1, 1])"})
    pseudo_weight: float = field(default=1.0, metadata={"min": 0,
        "help": "weight of self-training: the EMA teacher's confident target labels taught on strongly augmented views"})
    pseudo_threshold: float = field(default=0.95, metadata={"min": 0, "max": 1, "help": "teacher confidence a pseudo-label needs"})
    ema_decay: float = field(default=0.998, metadata={"min": 0, "below": 1, "help": "EMA of the weights that is evaluated and saved"})


def main(cfg: Config) -> None:
    print_config(cfg)
    rt = choose_runtime("fp32")
    seed_everything(cfg.seed)
    data = domain_data(Path(cfg.data_root), cfg.source, cfg.target, cfg.batch_size, cfg.val_fraction, cfg.seed,
                       rt.device)
    net = build(cfg.arch).to(rt.device)
    ema = EMA(net, cfg.ema_decay)
    opt = torch.optim.Adam(net.parameters(), cfg.lr)
    steps_per_epoch = data.labelled.batches_per_epoch
    total = cfg.epochs * steps_per_epoch
    name = checkpoint_stem("bonus", cfg.source, cfg.target)
    target_test = load_digits(Path(cfg.data_root), cfg.target, "test") if cfg.log_target_test else None

    ckpt_dir = Path(cfg.ckpt_dir)
    run, ckpt = start_or_resume(ckpt_dir / "runs" / name, cfg.resume, dataclasses.asdict(cfg))
    log, start_epoch, best = MetricsLog(run), 0, -1.0
    if ckpt is not None:
        states = {"model": net, "ema": ema, "optimizer": opt, "labelled": data.labelled, "unlabelled": data.unlabelled}
        start_epoch, best = restore(ckpt, run, states, ("epoch", "best_val"))

    with image_progress(total * cfg.batch_size, name, initial=start_epoch * steps_per_epoch * cfg.batch_size) as bar:
        for epoch in range(start_epoch + 1, cfg.epochs + 1):
            net.train()
            sums = torch.zeros(6, device=rt.device)
            for i in range(steps_per_epoch):
                p = ((epoch - 1) * steps_per_epoch + i) / total
                for group in opt.param_groups:
                    group["lr"] = annealed_lr(p, cfg.lr)
                (xs, ys), (xt, _) = next(data.labelled), next(data.unlabelled)
                xs = invert_some(add_neighbours(xs, cfg.labelled_neighbour_prob), cfg.labelled_invert_prob)
                xt_raw = xt
                if cfg.augment:
                    xs, xt = random_affine(xs), random_affine(xt)
                class_s, class_t, domain_lp = per_domain_forward(net, xs, xt, cfg.domain_weight * dann_lambda(p))
                loss_cls = F.nll_loss(class_s, ys)
                loss_dom = domain_loss(domain_lp, len(xs))
                loss_ent = conditional_entropy(class_t)
                loss_div = marginal_entropy(class_t)
                loss_vat = torch.zeros((), device=rt.device)
                if cfg.vat_weight:
                    with frozen_bn_statistics(net):  # perturbed images leave the target's running averages alone
                        loss_vat = (vat_loss(net.classify, xs, class_s, cfg.vat_eps) +
                                    vat_loss(net.classify, xt, class_t, cfg.vat_eps)) / 2
                loss_pseudo = torch.zeros((), device=rt.device)
                if cfg.pseudo_weight:
                    # Self-training (FixMatch-style, with the EMA as mean teacher): labels the teacher is sure of on
                    # the plain target image are taught to the student on a strongly augmented view of it.
                    with torch.no_grad():
                        teacher_lp = ema.module.eval().classify(xt_raw)
                    confidence, pseudo = teacher_lp.exp().max(dim=1)
                    strong = cutout(random_intensity(random_affine(xt_raw), invert_prob=0.0), ratio=0.33)  # 9 px of 28
                    with frozen_bn_statistics(net):
                        per_image = F.nll_loss(net.classify(strong), pseudo, reduction="none")
                    loss_pseudo = (per_image * (confidence >= cfg.pseudo_threshold)).mean()
                loss = loss_cls + loss_dom + cfg.ent_weight * loss_ent - cfg.div_weight * loss_div + \
                    cfg.vat_weight * loss_vat + cfg.pseudo_weight * loss_pseudo
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                ema.update(net)
                sums += torch.stack([t.detach() for t in (loss_cls, loss_dom, loss_ent, loss_div, loss_vat, loss_pseudo)])
                bar.update(cfg.batch_size)
            if not torch.isfinite(sums).all():
                raise diverged(run, f"in epoch {epoch}")
            loss_cls, loss_dom, loss_ent, loss_div, loss_vat, loss_pseudo = (sums / steps_per_epoch).tolist()
            # Source validation accuracy of the EMA weights, logged and used by --select val; target labels are
            # off limits, and unsupervised target criteria (entropy, agreement) reward a collapsed, confident model.
            val = accuracy(ema.module, data.val_images, data.val_labels, rt.device)
            improved = val > best
            best = max(best, val)
            log.log(epoch=epoch, loss_cls=loss_cls, loss_domain=loss_dom, loss_ent=loss_ent, loss_div=loss_div,
                    loss_vat=loss_vat, loss_pseudo=loss_pseudo, val_accuracy=val, best_val_accuracy=best,
                    **({} if target_test is None else {"target_test_accuracy": accuracy(ema.module, *target_test, rt.device)}))
            bar.set_postfix(cls=f"{loss_cls:.3f}", ent=f"{loss_ent:.3f}", val=f"{val:.3f}")
            if improved or cfg.select == "last":
                atomic_save({"problem": "bonus", "arch": cfg.arch, "model": ema.module.state_dict(),
                             "source": cfg.source, "target": cfg.target, "epoch": epoch, "val_accuracy": val,
                             "config": dataclasses.asdict(cfg)}, ckpt_dir / f"{name}.pt")
            save_latest(run, model=net.state_dict(), ema=ema.state_dict(), optimizer=opt.state_dict(),
                        labelled=data.labelled.state_dict(), unlabelled=data.unlabelled.state_dict(), epoch=epoch,
                        best_val=best, config=dataclasses.asdict(cfg))
            if stop_here(epoch, cfg.stop_after, "epoch"):
                break
    print(f"done: {ckpt_dir / (name + '.pt')} (best validation accuracy {best:.4f})")


if __name__ == "__main__":
    run_training(main, Config)
