"""The step loop both GANs share, around each problem's own training step and evaluation."""
from typing import Callable

import torch

from common.training.runs import MetricsLog, save_due, stop_here


def run_steps(first: int, last: int, images_per_step: int,
              train_step: Callable[[int], tuple[torch.Tensor, torch.Tensor]], evaluate: Callable[[int], float | None], save: Callable[[int, float | None], None], ckpt_every: int,
              stop_after: int | None, log: MetricsLog, bar) -> None:
    """Steps first..last: `train_step(step)` returns the (discriminator, generator) losses, which are read back
    (a host sync) and logged only every 100 steps; `evaluate(step)` returns a metric when it measured one;
    `save(step, metric)` runs when a checkpoint is due; --stop-after ends the loop early, as an interruption would."""
    for step in range(first, last + 1):
        loss_d, loss_g = train_step(step)
        bar.update(images_per_step)
        if step % 100 == 0 or step == last:
            bar.set_postfix(loss_d=f"{loss_d.item():.3f}", loss_g=f"{loss_g.item():.3f}")
            log.log(step=step, loss_d=loss_d.item(), loss_g=loss_g.item())
        metric = evaluate(step)
        if save_due(step, last, ckpt_every, stop_after, evaluated=metric is not None):
            save(step, metric)
        if stop_here(step, stop_after, "step"):
            break
