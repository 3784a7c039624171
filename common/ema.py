"""An exponential moving average of a model's weights (and BN buffers), via torch's AveragedModel."""
import torch
from torch.optim.swa_utils import AveragedModel


def make_ema(model: torch.nn.Module, decay: float) -> AveragedModel:
    """EMA copy of `model`; call `.update_parameters(model)` after each optimizer step.

    The decay warms up as min(decay, (1 + n) / (10 + n)) over the first updates n, so short runs are
    not dominated by the random initial weights (0.999 would keep 74% of them after 300 steps).
    """
    def ema_update(averaged: list[torch.Tensor], current: list[torch.Tensor], n: torch.Tensor) -> None:
        if not averaged[0].is_floating_point():  # integer buffers (BN's num_batches_tracked) are copied
            torch._foreach_copy_(averaged, current)
            return
        # Tensor arithmetic on the device: no host sync per step.
        d = torch.clamp((1.0 + n.float()) / (10.0 + n.float()), max=decay).to(averaged[0].dtype)
        torch._foreach_mul_(averaged, d)
        torch._foreach_add_(averaged, torch._foreach_mul(current, 1.0 - d))

    ema = AveragedModel(model, multi_avg_fn=ema_update, use_buffers=True)
    ema.requires_grad_(False)
    return ema
