"""Failures at the edges, one representative case per class: the exit code, the one `error:` line, and nothing
half-written left behind. Tiny data and untrained models; everything in-process."""

import errno
import os
import random

import numpy as np
import pytest
import torch
from PIL import Image

import common.metrics.__main__ as metrics_cli
from bonus_uda import inference as bonus_inference
from common.checkpoints import atomic_save, load_checkpoint
from common.cli import UsageError
from common.files import atomic_path, read_label_csv
from common.images import read_rgb
from common.training import divergence_error
from p1_dcgan import inference as p1_inference
from p1_dcgan import train as p1_train
from p1_dcgan.model import ARCHS as P1_ARCHS
from p2_acgan import inference as p2_inference
from p3_dann import inference as p3_inference
from p3_dann import train as p3_train
from p3_dann.model import ARCHS as P3_ARCHS
from tests.helpers import command, train_fails


def fails(capsys, module, *argv: str, code: int = 2) -> str:
    """Run a command that must fail cleanly: exit `code`, exactly one `error:` line, no traceback."""
    with pytest.raises(SystemExit) as e:
        command(module, *argv)
    err = capsys.readouterr().err
    lines = [x for x in err.splitlines() if x.startswith("error:")]
    assert e.value.code == code and len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


def p3_checkpoint(name: str) -> dict:
    """A served P3 checkpoint of MNIST-M → USPS with untrained weights."""
    return {
        "problem": "p3",
        "name": name,
        "arch": "dann_lcn",
        "weights": P3_ARCHS["dann_lcn"]().state_dict(),
        "config": {"source": "mnistm", "target": "usps"},
    }


@pytest.fixture
def ckpt_dir(tmp_path, monkeypatch):
    """HW2_CKPT_DIR with an untrained P1 generator and an untrained P3 DANN for MNIST-M → USPS."""
    ck = tmp_path / "ck"
    g = P1_ARCHS["dcgan"].generator()
    atomic_save({"problem": "p1", "name": "p1_dcgan", "arch": "dcgan", "weights": g.state_dict()}, ck / "p1_dcgan.pt")
    atomic_save(p3_checkpoint("p3_mnistm2usps"), ck / "p3_mnistm2usps.pt")
    monkeypatch.setenv("HW2_CKPT_DIR", str(ck))
    return ck


@pytest.fixture
def test_dir(tmp_path):
    folder = tmp_path / "test"
    folder.mkdir()
    for i in range(3):
        Image.new("L", (16, 16), 40 * i).save(folder / f"{i}.png")
    return folder


# 1. All or nothing
def test_a_full_disk_mid_generation_leaves_no_images(ckpt_dir, tmp_path, monkeypatch, capsys):
    saved = []

    def save_until_full(self, fp, *args, **kwargs):
        if len(saved) == 5:
            raise OSError(errno.ENOSPC, "No space left on device", str(fp))
        saved.append(fp)
        return real_save(self, fp, *args, **kwargs)

    real_save = Image.Image.save
    monkeypatch.setattr(Image.Image, "save", save_until_full)
    monkeypatch.setattr(p1_inference, "generate", lambda *a: torch.zeros(1000, 3, 64, 64, dtype=torch.uint8))
    line = fails(capsys, p1_inference, "--out", str(tmp_path / "faces"), code=1)
    assert "No space left on device" in line and "free some space" in line
    assert not (tmp_path / "faces").exists() and leftovers(tmp_path) == []


def test_a_failed_csv_write_keeps_the_old_file(tmp_path):
    out = tmp_path / "pred.csv"
    out.write_text("old\n")
    with pytest.raises(OSError), atomic_path(out) as tmp:
        tmp.write_text("image_name,label\n0.png,")
        raise OSError(errno.EFBIG, "File too large")
    assert out.read_text() == "old\n" and leftovers(tmp_path) == []


# 2. One clean line at every edge
def test_checkpoints_of_another_problem_scenario_or_name_are_refused(ckpt_dir, test_dir, tmp_path, capsys):
    os.replace(ckpt_dir / "p1_dcgan.pt", ckpt_dir / "p2_acgan.pt")  # a P1 checkpoint where P2's belongs
    assert "not a p2 checkpoint (it was written by p1)" in fails(
        capsys, p2_inference, "--out", str(tmp_path / "digits")
    )
    os.replace(ckpt_dir / "p3_mnistm2usps.pt", ckpt_dir / "p3_svhn2mnistm.pt")  # another scenario's name
    line = fails(capsys, p3_inference, str(test_dir), "mnistm", str(tmp_path / "p.csv"))
    assert "trained for MNIST-M → USPS, not SVHN → MNIST-M" in line
    os.replace(ckpt_dir / "p3_svhn2mnistm.pt", ckpt_dir / "bonus_mnistm2usps.pt")  # a P3 model as the bonus
    line = fails(capsys, bonus_inference, str(test_dir), "usps", str(tmp_path / "p.csv"))
    assert "not a bonus digit classifier" in line
    assert not (tmp_path / "digits").exists() and not (tmp_path / "p.csv").exists()


def test_output_paths_that_cannot_be_written(ckpt_dir, test_dir, tmp_path, capsys):
    (tmp_path / "a_file").write_text("x")
    assert "is a folder" in fails(capsys, p3_inference, str(test_dir), "usps", str(tmp_path))
    assert "is a file, not a folder" in fails(
        capsys, p3_inference, str(test_dir), "usps", str(tmp_path / "a_file" / "p.csv")
    )
    assert "is a file" in fails(capsys, p1_inference, "--out", str(tmp_path / "a_file"))


def test_a_read_only_disk_is_one_line(ckpt_dir, test_dir, tmp_path, monkeypatch, capsys):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "p.csv"))

    monkeypatch.setattr("common.files._temporary", read_only)
    line = fails(capsys, p3_inference, str(test_dir), "usps", str(tmp_path / "p.csv"), code=1)
    assert "Read-only file system" in line and "write somewhere writable" in line


def test_a_decompression_bomb_is_named(tmp_path, monkeypatch):
    Image.new("RGB", (28, 28)).save(tmp_path / "huge.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # 28×28 is then over twice the limit, as 14000² is
    with pytest.raises(UsageError, match="huge.png: it is too large"):
        read_rgb(tmp_path / "huge.png", 28)


def tiny_digit_tree(root, label_of_domain: dict) -> None:
    """Four black 28×28 training digits per domain, all with the domain's label."""
    for domain, label in label_of_domain.items():
        folder = root / "digits" / domain / "train"
        folder.mkdir(parents=True)
        for i in range(4):
            Image.new("RGB", (28, 28)).save(folder / f"{i}.png")
        (folder.parent / "train.csv").write_text("image_name,label\n" + "".join(f"{i}.png,{label}\n" for i in range(4)))


def test_labels_outside_0_9_stop_training_before_a_run_folder(tmp_path, capsys):
    tiny_digit_tree(tmp_path / "hw2_data", {"mnistm": 10, "usps": 1})
    line = train_fails(
        p3_train,
        capsys,
        "--data-root",
        str(tmp_path / "hw2_data"),
        "--source",
        "mnistm",
        "--target",
        "usps",
        "--ckpt-dir",
        str(tmp_path / "ck"),
    )
    assert "outside 0–9" in line and "0.png has 10" in line
    assert not (tmp_path / "ck").exists()


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--val-fraction", "0", "--val-fraction must be > 0"),
        ("--lr", "-0.01", "--lr must be > 0"),
        ("--batch-size", "1", "--batch-size must be ≥ 2"),
    ],
)
def test_option_ranges_of_training(tmp_path, capsys, option, value, message):
    line = train_fails(
        p3_train, capsys, "--data-root", str(tmp_path), "--source", "mnistm", "--target", "usps", option, value
    )
    assert message in line


def test_a_nan_option_is_refused(tmp_path, capsys):
    assert "--lr-g must be a finite number" in train_fails(
        p1_train, capsys, "--data-root", str(tmp_path), "--lr-g", "nan"
    )


def test_option_ranges_of_the_metrics(test_dir, capsys):
    assert "--batch-size must be at least 1" in fails(
        capsys, metrics_cli, "fid", str(test_dir), str(test_dir), "--batch-size", "0"
    )
    assert "--splits must be at least 1" in fails(capsys, metrics_cli, "is", str(test_dir), "--splits", "0")


# 3. No wrong answer with exit 0
def test_16_bit_grayscale_is_scaled_not_clipped(tmp_path):
    values = np.array([[0, 128 * 257], [255 * 257, 65535]], dtype=np.uint16)
    Image.fromarray(values).save(tmp_path / "deep.png")
    with Image.open(tmp_path / "deep.png") as im:
        assert im.mode.startswith("I")  # really a 16-bit file
    assert read_rgb(tmp_path / "deep.png", 2)[..., 0].tolist() == [[0, 128], [255, 255]]


def test_metrics_refuse_what_they_cannot_score(tmp_path, capsys):
    one = tmp_path / "one"
    one.mkdir()
    Image.new("RGB", (64, 64)).save(one / "a.png")
    assert "at least 2 images" in fails(capsys, metrics_cli, "fid", str(one), str(one))
    assert "undefined" in fails(capsys, metrics_cli, "is", str(one))


def test_an_out_dir_with_other_files_is_refused_untouched(ckpt_dir, tmp_path, capsys):
    out = tmp_path / "faces"
    out.mkdir()
    (out / "mine.png").write_bytes(b"keep")
    line = fails(capsys, p1_inference, "--out", str(out))
    assert "already holds 1 other file(s) (mine.png)" in line
    assert sorted(os.listdir(out)) == ["mine.png"] and leftovers(tmp_path) == []


# 6. Smaller ones
def test_random_bytes_are_called_damaged_without_pytorch_advice(tmp_path):
    for seed in range(50):  # random bytes fail in many places of the unpickler
        (tmp_path / "noise.pt").write_bytes(random.Random(seed).randbytes(512))
        with pytest.raises(UsageError) as e:
            load_checkpoint(tmp_path / "noise.pt")
        assert "damaged or not a PyTorch checkpoint" in str(e.value) and "weights_only" not in str(e.value)


def test_the_divergence_message_names_only_a_checkpoint_that_exists(tmp_path):
    assert "before any checkpoint was saved" in str(divergence_error(tmp_path, "in epoch 1"))
    atomic_save({"epoch": 1}, tmp_path / "latest.pt")
    assert str(tmp_path / "latest.pt") in str(divergence_error(tmp_path, "in epoch 2"))


def test_a_csv_with_a_byte_order_mark_is_read(tmp_path):
    (tmp_path / "t.csv").write_bytes("image_name,label\n0.png,3\n".encode("utf-8-sig"))
    assert read_label_csv(tmp_path / "t.csv") == {"0.png": 3}


def test_an_unwritable_cache_only_warns(tmp_path, monkeypatch, capsys):
    from common.images import cached_decode

    Image.new("RGB", (28, 28), (9, 9, 9)).save(tmp_path / "a.png")
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    monkeypatch.setenv("HW2_CACHE_DIR", str(tmp_path / "cache" / "sub"))
    images = cached_decode([tmp_path / "a.png"], 28)
    assert images.shape == (1, 3, 28, 28) and int(images[0, 0, 0, 0]) == 9
    assert "warning: not caching" in capsys.readouterr().err


def test_8_bit_modes_with_alpha_read_as_before(tmp_path):
    Image.new("LA", (4, 4), (200, 255)).save(tmp_path / "la.png")
    assert read_rgb(tmp_path / "la.png", 4)[0, 0].tolist() == [200, 200, 200]


def test_resuming_with_another_architecture_is_one_line(tmp_path, capsys):
    from bonus_uda import train as bonus_train

    tiny_digit_tree(tmp_path / "hw2_data", {"mnistm": 1, "usps": 2})
    run = tmp_path / "ck" / "runs" / "bonus_mnistm2usps" / "00000"
    state = {"states": {"model": P3_ARCHS["dann"]().state_dict()}, "rng": {}, "counters": {"epoch": 1, "best_val": 0.5}}
    atomic_save(state, run / "latest.pt")  # a P3 network's weights where the bonus network's belong
    line = train_fails(
        bonus_train,
        capsys,
        "--data-root",
        str(tmp_path / "hw2_data"),
        "--source",
        "mnistm",
        "--target",
        "usps",
        "--ckpt-dir",
        str(tmp_path / "ck"),
        "--batch-size",
        "2",
        "--resume",
    )
    assert f"--resume: {run / 'latest.pt'} does not fit this run's options" in line


def test_a_bound_is_served_only_when_named(ckpt_dir, test_dir, tmp_path, capsys):
    atomic_save(p3_checkpoint("p3_mnistm2usps_source"), ckpt_dir / "p3_mnistm2usps_source.pt")
    command(
        p3_inference,
        str(test_dir),
        "usps",
        str(tmp_path / "b.csv"),
        "--ckpt",
        str(ckpt_dir / "p3_mnistm2usps_source.pt"),
    )
    assert (tmp_path / "b.csv").read_text().splitlines()[0] == "image_name,label"
    os.replace(ckpt_dir / "p3_mnistm2usps_source.pt", ckpt_dir / "p3_mnistm2usps.pt")  # a bound where DANN belongs
    line = fails(capsys, p3_inference, str(test_dir), "usps", str(tmp_path / "c.csv"))
    assert "holds the model 'p3_mnistm2usps_source', not 'p3_mnistm2usps'" in line
