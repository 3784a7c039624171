"""An exponential moving average of a model's weights and buffers (BN statistics), updated on the device."""
import copy
import itertools

import torch
from torch import nn


class EMA(nn.Module):
    """EMA copy of `model` in `.module`; call `.update(model)` after each optimizer step.

    The decay warms up as min(decay, (1 + n) / (10 + n)) over the updates n = 1, 2, ... (the first update
    copies), so short runs are not dominated by the random initial weights (0.999 would keep 74% of them after
    300 steps). Integer buffers (BN's num_batches_tracked) are copied. Unlike torch's AveragedModel, which
    branches on its update count, the count stays on the device and is never read by the host: on a GPU the
    update queues behind the training step instead of waiting for it to finish. The state-dict keys are
    AveragedModel's, so its checkpoints load.
    """

    def __init__(self, model: nn.Module, decay: float):
        super().__init__()
        self.module = copy.deepcopy(model).requires_grad_(False)
        self.decay = decay
        device = next(model.parameters()).device
        self.register_buffer("n_averaged", torch.zeros((), dtype=torch.long, device=device))

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        pairs = zip(itertools.chain(self.module.parameters(), self.module.buffers()),
                    itertools.chain(model.parameters(), model.buffers()), strict=True)
        floats, ints = [], []
        for averaged, current in pairs:
            (floats if averaged.is_floating_point() else ints).append((averaged, current))
        n = self.n_averaged.float()
        d = torch.where(n > 0, torch.clamp((1.0 + n) / (10.0 + n), max=self.decay), 0.0)  # 0: the first update copies
        averaged, current = zip(*floats)
        torch._foreach_mul_(averaged, d)
        torch._foreach_add_(averaged, torch._foreach_mul(current, 1.0 - d))
        if ints:
            torch._foreach_copy_(*map(list, zip(*ints)))
        self.n_averaged += 1
