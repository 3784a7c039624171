"""Train P3: source-only, DANN or target-only on one scenario.

    python3 -m p3_dann.train --data-root ROOT --source S --target T --mode {source,dann,target} --ckpt-dir DIR

Writes DIR/p3_<S>2<T>.pt for dann and DIR/p3_<S>2<T>_<mode>.pt for the bounds (the last epoch, or with
--select val the epoch with the best validation accuracy), plus a run folder DIR/runs/p3_<S>2<T>_<mode>/NNNNN
with config.json, metrics.jsonl and latest.pt (saved every epoch; --resume continues from it and ends with the
same weights). The validation split comes from the labelled training data the mode may use: source train for
source and dann, target train for target; never target labels in dann, never a test split.
"""
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F

from common.data.augment import add_neighbours, invert_some, random_affine
from common.data.datasets import load_digits
from common.training.checkpoint import atomic_save
from common.training.config import print_config, run_training
from common.training.progress import image_progress
from common.training.runs import MetricsLog, diverged, restore, save_latest, start_or_resume, stop_here
from common.training.runtime import choose_runtime
from common.training.seeding import seed_everything
from common.uda.config import UDAConfig
from common.uda.data import domain_data
from common.uda.network import per_domain_forward
from common.uda.gradient_reversal import annealed_lr, dann_lambda, domain_loss
from common.uda.predict import accuracy
from common.uda.scenarios import checkpoint_stem
from p3_dann.model import ARCHS, build


@dataclass
class Config(UDAConfig):
    """Train the report's DANN network on one scenario in one mode."""
    mode: str = field(default="dann", metadata={"choices": ["source", "dann", "target"],
                                                "help": "source-only lower bound, DANN, target-only upper bound"})
    arch: str = field(default="dann_lcn", metadata={"choices": list(ARCHS),
                                                "help": "the report's network fed: dann = raw inputs; dann_gray = per-image grayscale standardised; "
                "dann_lcn = grayscale, local contrast normalised"})
    bn_passes: str = field(default="per-domain", metadata={
        "choices": ["per-domain", "joint"],
        "help": "dann: source and target batch-normalised apart (the running averages served are the target's) or together"})
    lambda_max: float = field(default=0.5, metadata={"min": 0, "help": "dann: the cap the adaptation weight λ ramps up to"})
    lr: float = field(default=0.01, metadata={"above": 0, "help": "initial SGD learning rate μ0, annealed as μ0/(1+10p)^0.75"})
    momentum: float = field(default=0.9, metadata={"min": 0, "below": 1, "help": "SGD momentum"})
    weight_decay: float = field(default=5e-4, metadata={"min": 0, "help": "SGD weight decay"})

    @property
    def name(self) -> str:
        return checkpoint_stem(self.mode, self.source, self.target)


def main(cfg: Config) -> None:
    print_config(cfg)
    rt = choose_runtime("fp32")  # a small network: fp32 everywhere keeps CPU and GPU runs comparable
    seed_everything(cfg.seed)
    labelled_domain = cfg.target if cfg.mode == "target" else cfg.source
    data = domain_data(Path(cfg.data_root), labelled_domain, cfg.target if cfg.mode == "dann" else None,
                       cfg.batch_size, cfg.val_fraction, cfg.seed, rt.device)
    net = build(cfg.arch).to(rt.device)
    target_test = load_digits(Path(cfg.data_root), cfg.target, "test") if cfg.log_target_test else None
    opt = torch.optim.SGD(net.parameters(), cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    steps_per_epoch = data.labelled.batches_per_epoch
    total = cfg.epochs * steps_per_epoch

    ckpt_dir = Path(cfg.ckpt_dir)
    run, ckpt = start_or_resume(ckpt_dir / "runs" / cfg.name, cfg.resume, dataclasses.asdict(cfg))
    log, start_epoch, best = MetricsLog(run), 0, -1.0
    if ckpt is not None:
        states = {"model": net, "optimizer": opt, "labelled": data.labelled,
                  **({"unlabelled": data.unlabelled} if data.unlabelled is not None else {})}
        start_epoch, best = restore(ckpt, run, states, ("epoch", "best_val"))

    with image_progress(total * cfg.batch_size, cfg.name, initial=start_epoch * steps_per_epoch * cfg.batch_size) as bar:
        for epoch in range(start_epoch + 1, cfg.epochs + 1):
            net.train()
            sums = torch.zeros(2, device=rt.device)
            for i in range(steps_per_epoch):
                p = ((epoch - 1) * steps_per_epoch + i) / total  # training progress in [0, 1)
                for group in opt.param_groups:
                    group["lr"] = annealed_lr(p, cfg.lr)
                xs, ys = next(data.labelled)
                xs = invert_some(add_neighbours(xs, cfg.labelled_neighbour_prob), cfg.labelled_invert_prob)
                if cfg.augment:
                    xs = random_affine(xs)
                if data.unlabelled is None:  # source-only or target-only: plain supervised training
                    loss_cls = F.nll_loss(net.classify(xs), ys)
                    loss_dom = torch.zeros((), device=rt.device)
                else:
                    xt, _ = next(data.unlabelled)
                    if cfg.augment:
                        xt = random_affine(xt)
                    lambd = cfg.lambda_max * dann_lambda(p)
                    if cfg.bn_passes == "per-domain":
                        class_lp, _, domain_lp = per_domain_forward(net, xs, xt, lambd)
                    else:
                        class_lp, domain_lp = net(torch.cat([xs, xt]), lambd)
                        class_lp = class_lp[:len(xs)]
                    loss_cls = F.nll_loss(class_lp, ys)
                    loss_dom = domain_loss(domain_lp, len(xs))
                loss = loss_cls + loss_dom  # the reversal layer already weights the domain gradient by λ
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sums += torch.stack([loss_cls.detach(), loss_dom.detach()])
                bar.update(cfg.batch_size)
            loss_cls, loss_dom = (sums / steps_per_epoch).tolist()
            if not (torch.isfinite(sums).all()):
                raise diverged(run, f"in epoch {epoch}")
            val = accuracy(net, data.val_images, data.val_labels, rt.device)
            improved = val > best
            best = max(best, val)
            diagnostic = {} if target_test is None else {
                "target_test_accuracy": accuracy(net, *target_test, rt.device)}
            log.log(epoch=epoch, loss_cls=loss_cls, loss_domain=loss_dom, val_accuracy=val, best_val_accuracy=best,
                    **diagnostic)
            bar.set_postfix(cls=f"{loss_cls:.3f}", dom=f"{loss_dom:.3f}", val=f"{val:.3f}")
            if improved or cfg.select == "last":
                atomic_save({"problem": "p3", "arch": cfg.arch, "model": net.state_dict(), "source": cfg.source,
                             "target": cfg.target, "mode": cfg.mode, "epoch": epoch, "val_accuracy": val,
                             "config": dataclasses.asdict(cfg)}, ckpt_dir / f"{cfg.name}.pt")
            save_latest(run, model=net.state_dict(), optimizer=opt.state_dict(), labelled=data.labelled.state_dict(),
                        unlabelled=data.unlabelled.state_dict() if data.unlabelled is not None else None,
                        epoch=epoch, best_val=best, config=dataclasses.asdict(cfg))
            if stop_here(epoch, cfg.stop_after, "epoch"):
                break
    print(f"done: {ckpt_dir / (cfg.name + '.pt')} (best validation accuracy {best:.4f})")


if __name__ == "__main__":
    run_training(main, Config)
