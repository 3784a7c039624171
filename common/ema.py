"""An exponential moving average of a model's weights (and BN buffers), via torch's AveragedModel."""
import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn


def make_ema(model: torch.nn.Module, decay: float) -> AveragedModel:
    """EMA copy of `model`; call `.update_parameters(model)` after each optimizer step."""
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True)
    ema.requires_grad_(False)
    return ema
