"""Device, precision and memory format for training, chosen once at the top of a script (loops have no device
branches), and the deterministic device of the graders' scripts."""
import contextlib
import os
from dataclasses import dataclass

import torch


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
