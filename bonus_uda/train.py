"""Train the bonus UDA method on one scenario:

    python3 -m bonus_uda.train --data-root ROOT --source S --target T --ckpt-dir DIR [--epochs N]

The method (VADA-style): the report's shallow network behind grayscale, locally contrast-normalised
inputs; random scale, rotation and shift of both domains; domain-adversarial alignment
through gradient reversal (as DANN); conditional entropy on the target against a class-diversity term;
virtual adversarial training on both domains; source images inverted at random when the target is SVHN
(polarity invariance); an exponential moving average of the weights, which is what gets evaluated and saved,
and which serves as mean teacher for self-training on strongly augmented target views. Writes
DIR/bonus_<S>2<T>.pt (the last epoch, or with --select val the best on source validation) and
DIR/runs/bonus_<S>2<T>/NNNNN (as P3's).
"""

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from bonus_uda.losses import conditional_entropy, marginal_entropy, vat_loss
from bonus_uda.model import ARCHS, PROBLEM
from common.cli import run_training
from common.data import add_neighbours, cutout, invert_some, random_affine, random_intensity
from common.files import model_name
from common.training import EMA
from common.uda.training import (
    UDAConfig,
    UDARun,
    annealed_lr,
    dann_lambda,
    domain_loss,
    frozen_bn_statistics,
    per_domain_forward,
)


@dataclass
class Config(UDAConfig):
    """Train the improved UDA model on one scenario."""

    arch: str = field(
        default="report_lcn",
        metadata={
            "choices": list(ARCHS),
            "help": "the report's bonus network "
            "fed: report = raw inputs; report_lcn = grayscale, local contrast normalised",
        },
    )
    lr: float = field(
        default=1e-3, metadata={"above": 0, "help": "initial Adam learning rate, annealed as μ0/(1+10p)^0.75"}
    )
    domain_weight: float = field(
        default=1.0, metadata={"min": 0, "help": "domain-adversarial loss weight (λ ramps it up)"}
    )
    ent_weight: float = field(default=1.0, metadata={"min": 0, "help": "target conditional-entropy weight"})
    div_weight: float = field(
        default=1.0,
        metadata={
            "min": 0,
            "help": "target class-diversity weight (marginal entropy, against collapse onto a few classes)",
        },
    )
    vat_weight: float = field(
        default=1.0, metadata={"min": 0, "help": "virtual adversarial training weight (both domains)"}
    )
    vat_eps: float = field(
        default=1.0, metadata={"above": 0, "help": "VAT perturbation L2 norm per image (inputs in [-1, 1])"}
    )
    pseudo_weight: float = field(
        default=1.0,
        metadata={
            "min": 0,
            "help": "weight of self-training: the EMA teacher's confident target labels taught on strongly "
            "augmented views",
        },
    )
    pseudo_threshold: float = field(
        default=0.95, metadata={"min": 0, "max": 1, "help": "teacher confidence a pseudo-label needs"}
    )
    ema_decay: float = field(
        default=0.998, metadata={"min": 0, "below": 1, "help": "EMA of the weights that is evaluated and saved"}
    )


def train_step(net, ema: EMA, opt, xs, ys, xt, p: float, cfg: Config) -> dict[str, torch.Tensor]:
    """One Adam step at training progress p on a labelled source batch (xs, ys) and an unlabelled target batch xt,
    then the EMA update; returns its losses."""
    for group in opt.param_groups:
        group["lr"] = annealed_lr(p, cfg.lr)
    xs = invert_some(add_neighbours(xs, cfg.labelled_neighbour_prob), cfg.labelled_invert_prob)
    xt_raw = xt
    if cfg.augment:
        xs, xt = random_affine(xs), random_affine(xt)
    class_s, class_t, domain_lp = per_domain_forward(net, xs, xt, cfg.domain_weight * dann_lambda(p))
    loss_cls = F.nll_loss(class_s, ys)
    loss_dom = domain_loss(domain_lp, len(xs))
    loss_ent = conditional_entropy(class_t)
    loss_div = marginal_entropy(class_t)
    loss_vat = torch.zeros((), device=xs.device)
    if cfg.vat_weight:
        with frozen_bn_statistics(net):  # perturbed images leave the target's running averages alone
            loss_vat = (
                vat_loss(net.classify, xs, class_s, cfg.vat_eps) + vat_loss(net.classify, xt, class_t, cfg.vat_eps)
            ) / 2
    loss_pseudo = torch.zeros((), device=xs.device)
    if cfg.pseudo_weight:
        # Self-training (FixMatch-style, with the EMA as mean teacher): labels the teacher is sure of on the plain
        # target image are taught to the student on a strongly augmented view of it.
        with torch.no_grad():
            teacher_lp = ema.module.eval().classify(xt_raw)
        confidence, pseudo = teacher_lp.exp().max(dim=1)
        strong = cutout(random_intensity(random_affine(xt_raw), invert_prob=0.0), ratio=0.33)  # 9 px of 28
        with frozen_bn_statistics(net):
            per_image = F.nll_loss(net.classify(strong), pseudo, reduction="none")
        loss_pseudo = (per_image * (confidence >= cfg.pseudo_threshold)).mean()
    loss = (
        loss_cls
        + loss_dom
        + cfg.ent_weight * loss_ent
        - cfg.div_weight * loss_div
        + cfg.vat_weight * loss_vat
        + cfg.pseudo_weight * loss_pseudo
    )
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    ema.update(net)
    return {
        "loss_cls": loss_cls,
        "loss_domain": loss_dom,
        "loss_ent": loss_ent,
        "loss_div": loss_div,
        "loss_vat": loss_vat,
        "loss_pseudo": loss_pseudo,
    }


def main(cfg: Config) -> None:
    name = model_name("bonus", cfg.source, cfg.target)
    with UDARun(cfg, PROBLEM, name, labelled_domain=cfg.source, unlabelled_domain=cfg.target) as run:
        data = run.data
        net = ARCHS[cfg.arch]().to(run.rt.device)
        ema = EMA(net, cfg.ema_decay)
        opt = torch.optim.Adam(net.parameters(), cfg.lr)
        states = {"model": net, "ema": ema, "optimizer": opt, "labelled": data.labelled, "unlabelled": data.unlabelled}

        for epoch in range(run.start(states), cfg.epochs + 1):
            net.train()
            for i in range(run.steps_per_epoch):
                (xs, ys), (xt, _) = next(data.labelled), next(data.unlabelled)
                run.add_losses(train_step(net, ema, opt, xs, ys, xt, run.progress(epoch, i), cfg))
            # Source validation accuracy of the EMA weights, logged and used by --select val; target labels are off
            # limits, and unsupervised target criteria (entropy, agreement) reward a collapsed, confident model.
            if run.end_epoch(epoch, ema.module):
                break


if __name__ == "__main__":
    run_training(main, Config)
