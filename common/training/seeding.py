"""One seeding helper, and the RNG state a checkpoint needs to resume a run exactly."""
import random

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


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


# A run's --seed seeds its weights and main batch stream; the other random streams it needs are seeded with
# fixed offsets from it so that they are independent of each other. The offsets are part of what makes a seed
# reproduce a run: changing one changes every result.
STREAM_OFFSETS = {"target_batches": 1, "sample_grid": 1, "eval_latents": 2}


def stream_seed(seed: int, stream: str) -> int:
    return seed + STREAM_OFFSETS[stream]
