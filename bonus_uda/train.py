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

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

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
    domain_accuracy,
    domain_loss,
    frozen_bn_statistics,
    two_domain_forward,
)

# --- the losses of VADA (Shu et al., "A DIRT-T Approach to Unsupervised Domain Adaptation", 2018): conditional
# entropy on the target, against collapse a class-diversity term, and virtual adversarial training on both domains


def conditional_entropy(log_probs: torch.Tensor) -> torch.Tensor:
    """Mean entropy of the predicted class distributions, -E_x Σ_y p(y|x) log p(y|x).

    Minimising it on the target pushes decision boundaries away from dense target regions (cluster
    assumption). 0 for one-hot predictions, log K for uniform ones.
    """
    return -(log_probs.exp() * log_probs).sum(dim=1).mean()


def marginal_entropy(log_probs: torch.Tensor) -> torch.Tensor:
    """Entropy of the batch's mean prediction, H(E_x p(y|x)): log K when the batch uses every class equally.

    Maximising it beside minimising the conditional entropy (information maximisation) stops the target
    predictions from collapsing onto a few confident classes.
    """
    mean = log_probs.exp().mean(dim=0)
    return -(mean * torch.log(mean + 1e-8)).sum()


def _unit(d: torch.Tensor) -> torch.Tensor:
    return d / d.flatten(1).norm(dim=1).clamp_min(1e-30).view(-1, *[1] * (d.dim() - 1))


def _kl(p_log: torch.Tensor, q_log: torch.Tensor) -> torch.Tensor:
    """KL(p || q) for log-probabilities, averaged over the batch."""
    return (p_log.exp() * (p_log - q_log)).sum(dim=1).mean()


def vat_perturbation(
    classify: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    log_probs: torch.Tensor,
    eps: float,
    xi: float = 1.0,
    iterations: int = 1,
) -> torch.Tensor:
    """The perturbation r, ||r||₂ = eps per image, that most changes the prediction (power iteration on
    the KL divergence's Hessian, Miyato et al. 2018). The probe step xi is large enough that float32
    gradients of the KL do not vanish, small against the ~50 L2 norm of a 28×28×3 image."""
    d = _unit(torch.randn_like(x))
    for _ in range(iterations):
        d.requires_grad_(True)
        dist = _kl(log_probs.detach(), classify(x + xi * d))
        d = _unit(torch.autograd.grad(dist, d)[0].detach())
    return eps * d


def vat_loss(
    classify: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, log_probs: torch.Tensor, eps: float
) -> torch.Tensor:
    """KL(p(y|x) || p(y|x + r_adv)): the prediction should not change within an eps-ball (local Lipschitz)."""
    r = vat_perturbation(classify, x, log_probs, eps)
    return _kl(log_probs.detach(), classify(x + r))


# --- the run


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
    class_s, class_t, domain_lp = two_domain_forward(net, xs, xt, cfg.domain_weight * dann_lambda(p))
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
        **domain_accuracy(domain_lp.detach(), len(xs)),
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
