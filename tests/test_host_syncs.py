"""Training steps never make the host wait for the GPU: no reads of device values, no host-device copies.

On a GPU each such read or (blocking) copy drains the queue, so the host's launch overhead and the GPU's work add
up instead of overlapping; a tiny GAN is bound by exactly that. The ops are caught at the dispatcher, so this
runs on the CPU (and on the meta device, where a host-to-device copy shows as a change of device).
"""

import collections

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

from common.data import TensorBatches
from common.gan import GAN
from common.training import choose_runtime
from p1_dcgan.model import ARCHS
from p1_dcgan.train import Config, train_step

HOST_READS = {
    "aten._local_scalar_dense.default",
    "aten.nonzero.default",
    "aten.is_nonzero.default",
    "aten.equal.default",
}


class HostTraffic(TorchDispatchMode):
    """Counts host reads of tensor values and copies between devices, by op name."""

    def __init__(self):
        super().__init__()
        self.seen = collections.Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        devices = {t.device for t in tree_leaves((args, kwargs, out)) if isinstance(t, torch.Tensor)}
        if str(func) in HOST_READS or len(devices) > 1:
            self.seen[str(func)] += 1
        return out


def test_batches_are_cut_on_the_device_with_one_copy_per_epoch():
    batches = TensorBatches(
        torch.zeros(12, 3, 4, 4, dtype=torch.uint8), torch.arange(12), 4, torch.device("meta"), seed=0, flip=True
    )
    with HostTraffic() as traffic:
        for _ in range(3):  # the whole first epoch
            x, y = next(batches)
    assert x.device.type == "meta" and x.shape == (4, 3, 4, 4) and y.shape == (4,)
    assert not traffic.seen
    with HostTraffic() as traffic:
        next(batches)  # a new epoch: its order and flips go to the device once
    assert sum(traffic.seen.values()) == 2


def test_gan_step_reads_nothing_back():
    rt = choose_runtime("fp32", "cpu")
    for arch, policy in (("dcgan", ()), ("sngan", ("translation", "color", "cutout"))):
        gan = GAN.build(ARCHS, Config(data_root="", arch=arch, batch_size=4), rt)
        real = torch.rand(4, 3, 64, 64) * 2 - 1
        train_step(gan, real, policy, rt)  # the first step creates the optimizer state
        with HostTraffic() as traffic:
            loss_d, loss_g = train_step(gan, real, policy, rt)
        assert not traffic.seen, f"{arch}: {dict(traffic.seen)}"
        assert torch.isfinite(loss_d) and torch.isfinite(loss_g)
        assert gan.G_ema.n_averaged.item() == 2
