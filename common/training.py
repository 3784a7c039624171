"""What every trainer sets up once at the top: the device, precision and memory format (loops then have no device
branches), seeds and the random state a resumed run needs, an EMA of the weights, a progress bar; and the
deterministic device of the graders' scripts, and the report's layer tables."""
import argparse
import contextlib
import copy
import itertools
import os
import random
import sys
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from tqdm import tqdm


@dataclass
class Runtime:
    device: torch.device
    amp_dtype: torch.dtype | None  # autocast dtype, None for fp32
    memory_format: torch.memory_format

    def autocast(self):
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.amp_dtype)

    def grad_scaler(self) -> torch.amp.GradScaler:
        # Only fp16 needs loss scaling; bf16 has fp32's range. A disabled scaler is a no-op passthrough.
        return torch.amp.GradScaler(self.device.type, enabled=self.amp_dtype == torch.float16)


def choose_runtime(precision: str = "auto", device: str = "auto") -> Runtime:
    """`auto` picks CUDA with bf16 autocast and channels_last when a GPU exists, else CPU fp32."""
    dev = torch.device("cuda" if device == "auto" and torch.cuda.is_available() else ("cpu" if device == "auto" else device))
    if precision == "auto":
        precision = "bf16" if dev.type == "cuda" else "fp32"
    dtype = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    fmt = torch.channels_last if dev.type == "cuda" else torch.contiguous_format
    return Runtime(dev, dtype, fmt)


def inference_device() -> torch.device:
    """The device for the graders' scripts, with deterministic kernels: cuDNN may otherwise pick a
    different (non-deterministic) transposed-convolution algorithm per run, and the graders need the
    same images and predictions every time."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS, set before CUDA starts
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    torch.use_deterministic_algorithms(True, warn_only=True)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


# --- seeds and random state ------------------------------------------------------------------------------------

def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


# A run's --seed seeds its weights and main batch stream; each other stream a problem draws from is seeded at a
# fixed offset from it, distinct within a problem (target_batches is UDA's, sample_grid P1's: they may share one).
# The offsets are part of what makes a seed reproduce a run: changing one changes every result.
STREAM_OFFSETS = {"target_batches": 1, "sample_grid": 1, "eval_latents": 2}


def stream_seed(seed: int, stream: str) -> int:
    return seed + STREAM_OFFSETS[stream]


def rng_state() -> dict:
    """Torch (CPU and CUDA) and Python RNG states as tensors and plain data, safe for weights_only loading."""
    state = {"torch": torch.get_rng_state(), "python": list(random.getstate()[1])}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate((3, tuple(state["python"]), None))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


# --- an exponential moving average of the weights --------------------------------------------------------------

class EMA(nn.Module):
    """EMA copy of `model` in `.module`; call `.update(model)` after each optimizer step.

    The decay warms up as min(decay, (1 + n) / (10 + n)) over the updates n = 1, 2, ... (the first update
    copies), so short runs are not dominated by the random initial weights (0.999 would keep 74% of them after
    300 steps). Integer buffers (BN's num_batches_tracked) are copied. Unlike torch's AveragedModel, which
    branches on its update count, the count stays on the device and is never read by the host: on a GPU the
    update queues behind the training step instead of waiting for it to finish.
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


def image_progress(total_images: int, desc: str, initial: int = 0) -> tqdm:
    """A progress line counted in images, so its rate reads as images/s."""
    return tqdm(total=total_images, initial=initial, desc=desc, unit="img", unit_scale=True,
                dynamic_ncols=True, mininterval=1.0 if sys.stderr.isatty() else 10.0, file=sys.stderr)


# --- layer tables like the report's -----------------------------------------------------------------------------

def layer_rows(model: nn.Module, *inputs: torch.Tensor) -> list[tuple[str, tuple, int]]:
    """(name like 'Conv2d-1', output shape with batch -1, own parameter count) for every leaf call, in call order
    (torchsummary's format), from forward hooks on one dummy batch."""
    rows, hooks = [], []

    def hook(module, _inp, out):
        out = out[0] if isinstance(out, (tuple, list)) else out
        name = f"{type(module).__name__}-{len(rows) + 1}"
        rows.append((name, (-1, *out.shape[1:]), sum(p.numel() for p in module.parameters(recurse=False))))

    for m in model.modules():
        if not list(m.children()):
            hooks.append(m.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(*inputs)
    model.train(was_training)
    for h in hooks:
        h.remove()
    return rows


def format_table(title: str, rows: list[tuple[str, tuple, int]], model: nn.Module) -> str:
    line = "=" * 64
    out = [title, f"{'Layer (type)':<28}{'Output Shape':<24}{'Param #':>12}", line]
    out += [f"{n:<28}{str(list(s)):<24}{p:>12,}" for n, s, p in rows]
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    out += [line, f"Total params: {total:,}", f"Trainable params: {trainable:,}", ""]
    return "\n".join(out)


def print_tables(tables: dict, argv: list[str] | None = None) -> None:
    """The command line of a model file (`python3 -m p1_dcgan.model --arch NAME`): that architecture's tables.

    tables: {arch: [(title, build_model, example_inputs), ...]}, builders and inputs as zero-argument callables.
    """
    p = argparse.ArgumentParser(description="Print the layer table of an architecture.")
    p.add_argument("--arch", choices=list(tables), default=list(tables)[0])
    arch = p.parse_args(argv).arch
    for title, build, inputs in tables[arch]:
        model = build()
        print(format_table(f"{title} ({arch})", layer_rows(model, *inputs()), model))
