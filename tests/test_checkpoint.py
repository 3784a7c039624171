"""Checkpoints: round trip, atomic saves, and refusing pickled objects."""

import pickle

import pytest
import torch

from common.checkpoints import atomic_save, load_checkpoint
from common.cli import UsageError


def test_round_trip(tmp_path):
    state = {"model": torch.nn.Linear(3, 2).state_dict(), "step": 7, "best": 0.5, "rng": torch.get_rng_state()}
    atomic_save(state, tmp_path / "c.pt")
    back = load_checkpoint(tmp_path / "c.pt")
    assert back["step"] == 7 and torch.equal(back["model"]["weight"], state["model"]["weight"])


def test_crash_mid_save_leaves_previous_checkpoint(tmp_path, monkeypatch):
    atomic_save({"step": 1}, tmp_path / "c.pt")

    def crashing_save(obj, f):
        f.write(b"half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", crashing_save)
    with pytest.raises(OSError):
        atomic_save({"step": 2}, tmp_path / "c.pt")
    assert load_checkpoint(tmp_path / "c.pt")["step"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"]  # no temporary file left behind


def test_concurrent_writers_never_publish_a_torn_file(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    big = {"w": torch.arange(200_000, dtype=torch.float32)}
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: atomic_save({**big, "writer": i}, tmp_path / "c.pt"), range(12)))
    assert torch.equal(load_checkpoint(tmp_path / "c.pt")["w"], big["w"])
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"]


class Payload:
    def __reduce__(self):
        return (print, ("this would run on load",))


class Shell:
    def __reduce__(self):
        import os

        return (os.system, ("touch payload-ran",))


def test_refuses_arbitrary_pickled_objects_naming_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    torch.save({"model": Payload()}, tmp_path / "evil.pt")
    with pytest.raises(
        UsageError, match=r"holds objects other than tensors and plain data \((__builtin__|builtins)\.print\)"
    ):
        load_checkpoint(tmp_path / "evil.pt")
    # A bare pickle of protocol 4, whose refusal torch words without naming anything: we name it all the same.
    (tmp_path / "raw.pt").write_bytes(pickle.dumps({"model": Shell()}, protocol=4))
    with pytest.raises(UsageError, match=r"\((posix|nt)\.system\), refused for safety"):
        load_checkpoint(tmp_path / "raw.pt")
    assert not (tmp_path / "payload-ran").exists()


def test_missing_checkpoint_names_the_training_command(tmp_path):
    with pytest.raises(UsageError, match="missing; train it with: python3 -m p3_dann.train"):
        load_checkpoint(tmp_path / "p3.pt", trained_by="python3 -m p3_dann.train ...")
