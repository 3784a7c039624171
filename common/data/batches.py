"""Endless shuffled batches drawn from images held in one uint8 tensor, on the training device.

This is the fast path: no PNG decoding and no worker processes after the first load. Shuffling uses
its own CPU generator whose state goes into checkpoints, so a resumed run draws the same batches. An
epoch's order and flips are drawn at its start and copied to the device once: a batch is then cut out
on the device with no copy from the host and no host read, so on a GPU the host never waits for it.
"""
import torch

from common.data.pixels import to_signed_unit


class TensorBatches:
    """Iterate forever over (images, labels) batches of a dataset held as tensors.

    images: (N, 3, H, W) uint8; labels: (N,) int64 or None. Batches come out as float [-1, 1] on
    `device`, with random horizontal flips when `flip` is set. An epoch is a fresh permutation; the
    last incomplete batch of an epoch is dropped.
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor | None, batch_size: int,
                 device: torch.device, seed: int, flip: bool = False,
                 memory_format: torch.memory_format = torch.contiguous_format):
        if len(images) < batch_size:
            batch_size = len(images)  # tiny data sets still train
        self.images = images.to(device)
        self.labels = labels.to(device) if labels is not None else None
        self.batch_size, self.device, self.flip, self.memory_format = batch_size, device, flip, memory_format
        self.generator = torch.Generator().manual_seed(seed)
        self._new_epoch()

    @property
    def batches_per_epoch(self) -> int:
        return len(self.images) // self.batch_size

    def __iter__(self):
        return self

    def _new_epoch(self) -> None:
        n = len(self.images)
        self.perm = torch.randperm(n, generator=self.generator)
        self.flips = torch.rand(n, generator=self.generator) < 0.5 if self.flip else None
        self.pos = 0
        self._to_device()

    def _to_device(self) -> None:
        self._perm_on_device = self.perm.to(self.device)
        self._flips_on_device = self.flips.to(self.device) if self.flips is not None else None

    def __next__(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        if self.pos + self.batch_size > len(self.perm):
            self._new_epoch()
        batch = slice(self.pos, self.pos + self.batch_size)
        self.pos += self.batch_size
        idx = self._perm_on_device[batch]
        x = self.images.index_select(0, idx)  # far faster than advanced indexing on CPU
        if self.flips is not None:  # on the uint8 copy: a quarter of the memory traffic of flipping floats
            x = torch.where(self._flips_on_device[batch].view(-1, 1, 1, 1), x.flip(3), x)
        x = to_signed_unit(x.contiguous(memory_format=self.memory_format))
        return x, (self.labels.index_select(0, idx) if self.labels is not None else None)

    def state_dict(self) -> dict:
        return {"generator": self.generator.get_state(), "perm": self.perm, "flips": self.flips, "pos": self.pos}

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])
        self.perm, self.flips, self.pos = state["perm"], state["flips"], state["pos"]
        self._to_device()
