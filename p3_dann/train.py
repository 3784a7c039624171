"""Train P3: source-only, DANN or target-only on one scenario.

    python3 -m p3_dann.train --data-root ROOT --source S --target T --method {source,dann,target} --ckpt-dir DIR

Writes DIR/p3_<S>2<T>.pt for dann and DIR/p3_<S>2<T>_<method>.pt for the bounds (the last epoch, or with
--select val the epoch with the best validation accuracy), plus a run folder DIR/runs/<that name>/NNNNN with
config.json, metrics.jsonl and latest.pt (saved every epoch; --resume continues from it and ends with the same
weights). The validation split comes from the labelled training data the method may use: source train for source
and dann, target train for target; never target labels in dann, never a test split.
"""

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from common.cli import run_training
from common.data import add_neighbours, invert_some, random_affine
from common.files import model_name
from common.uda.training import (
    UDAConfig,
    UDARun,
    annealed_lr,
    dann_lambda,
    domain_accuracy,
    domain_loss,
    two_domain_forward,
)
from p3_dann.model import ARCHS, PROBLEM


@dataclass
class Config(UDAConfig):
    """Train the report's DANN network on one scenario with one method."""

    method: str = field(
        default="dann",
        metadata={
            "choices": ["source", "dann", "target"],
            "help": "source-only lower bound, DANN, target-only upper bound",
        },
    )
    arch: str = field(
        default="dann_lcn",
        metadata={
            "choices": list(ARCHS),
            "help": "the report's network fed: dann = raw inputs; dann_lcn = grayscale, local contrast normalised",
        },
    )
    lambda_max: float = field(
        default=0.5, metadata={"min": 0, "help": "dann: the cap the adaptation weight λ ramps up to"}
    )
    lr: float = field(
        default=0.01, metadata={"above": 0, "help": "initial SGD learning rate μ0, annealed as μ0/(1+10p)^0.75"}
    )
    momentum: float = field(default=0.9, metadata={"min": 0, "below": 1, "help": "SGD momentum"})
    weight_decay: float = field(default=5e-4, metadata={"min": 0, "help": "SGD weight decay"})


def train_step(net, opt, xs, ys, xt, p: float, cfg: Config) -> dict[str, torch.Tensor]:
    """One SGD step at training progress p on a labelled batch (xs, ys) and, for DANN, an unlabelled target batch
    xt (None for the bounds: plain supervised training). Returns its losses."""
    for group in opt.param_groups:
        group["lr"] = annealed_lr(p, cfg.lr)
    xs = invert_some(add_neighbours(xs, cfg.labelled_neighbour_prob), cfg.labelled_invert_prob)
    if cfg.augment:
        xs = random_affine(xs)
    if xt is None:
        loss_cls = F.nll_loss(net.classify(xs), ys)
        loss_dom, watch = torch.zeros((), device=xs.device), {}
    else:
        if cfg.augment:
            xt = random_affine(xt)
        lambd = cfg.lambda_max * dann_lambda(p)
        class_lp, _, domain_lp = two_domain_forward(net, xs, xt, lambd)
        loss_cls = F.nll_loss(class_lp, ys)
        loss_dom, watch = domain_loss(domain_lp, len(xs)), domain_accuracy(domain_lp.detach(), len(xs))
    loss = loss_cls + loss_dom  # the reversal layer already weights the domain gradient by λ
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return {"loss_cls": loss_cls, "loss_domain": loss_dom, **watch}


def main(cfg: Config) -> None:
    name = model_name(cfg.method, cfg.source, cfg.target)
    with UDARun(
        cfg,
        PROBLEM,
        name,
        labelled_domain=cfg.target if cfg.method == "target" else cfg.source,
        unlabelled_domain=cfg.target if cfg.method == "dann" else None,
    ) as run:
        data = run.data
        net = ARCHS[cfg.arch]().to(run.rt.device)
        opt = torch.optim.SGD(net.parameters(), cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
        states = {"model": net, "optimizer": opt, "labelled": data.labelled, "unlabelled": data.unlabelled}

        for epoch in range(run.start(states), cfg.epochs + 1):
            net.train()
            for i in range(run.steps_per_epoch):
                xs, ys = next(data.labelled)
                xt = next(data.unlabelled)[0] if data.unlabelled is not None else None
                run.add_losses(train_step(net, opt, xs, ys, xt, run.progress(epoch, i), cfg))
            if run.end_epoch(epoch, net):
                break


if __name__ == "__main__":
    run_training(main, Config)
