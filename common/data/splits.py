"""Deterministic train/validation splits for model selection. Test splits never take part."""
import torch


def train_val_split(n: int, val_fraction: float, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices (train, val) of a seeded permutation of range(n); val gets round(n * val_fraction), at least 1."""
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = min(n - 1, max(1, round(n * val_fraction)))
    return perm[n_val:].sort().values, perm[:n_val].sort().values
