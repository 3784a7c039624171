"""The data layer on tiny generated trees: modes, sizes, label matching, errors, the cache, the demo builder."""

import csv
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import common.images
from common.cli import UsageError
from common.data import TensorBatches, digit_split_files, load_digits, load_faces, train_val_split
from common.images import list_images


def write_domain(root: Path, rows: list[tuple[str, int]], images: dict[str, Image.Image], split="train"):
    folder = root / "digits" / "usps" / split
    folder.mkdir(parents=True, exist_ok=True)
    for name, im in images.items():
        im.save(folder / name)
    with open(folder.parent / f"{split}.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image_name", "label"])
        w.writerows(rows)
    return folder


def mixed_images() -> dict[str, Image.Image]:
    gray = Image.new("L", (28, 28), 200)
    rgba = Image.new("RGBA", (28, 28), (10, 20, 30, 0))
    pal = Image.new("RGB", (28, 28), (255, 0, 0)).convert("P")
    small = Image.new("RGB", (16, 16), (0, 255, 0))
    return {"a.png": gray, "b.png": rgba, "c.png": pal, "d.png": small}


def test_any_mode_and_size_becomes_rgb_28(tmp_path):
    write_domain(tmp_path, [("a.png", 1), ("b.png", 2), ("c.png", 3), ("d.png", 4)], mixed_images())
    images, labels = load_digits(tmp_path, "usps", "train")
    assert images.shape == (4, 3, 28, 28) and images.dtype == torch.uint8
    assert images[0].unique().tolist() == [200]  # grayscale repeated into 3 channels
    assert images[1, :, 5, 5].tolist() == [10, 20, 30]  # RGBA keeps its colour
    assert images[2, :, 5, 5].tolist() == [255, 0, 0]  # palette resolved
    assert images[3, :, 14, 14].tolist() == [0, 255, 0]  # 16×16 resized
    assert labels.tolist() == [1, 2, 3, 4]


def test_labels_follow_image_name_not_csv_order(tmp_path):
    rows = [("d.png", 4), ("b.png", 2), ("a.png", 1), ("c.png", 3)]
    write_domain(tmp_path, rows, mixed_images())
    files, labels = digit_split_files(tmp_path, "usps", "train")
    assert [p.name for p in files] == ["a.png", "b.png", "c.png", "d.png"]
    assert labels.tolist() == [1, 2, 3, 4]
    images, labels = load_digits(tmp_path, "usps", "train")
    assert labels.tolist() == [1, 2, 3, 4] and images.shape == (4, 3, 28, 28) and images.dtype == torch.uint8


def test_csv_row_without_file_is_named(tmp_path):
    write_domain(tmp_path, [("a.png", 1), ("missing.png", 2)], {"a.png": Image.new("L", (28, 28))})
    with pytest.raises(UsageError, match="row.*without an image file: missing.png"):
        load_digits(tmp_path, "usps", "train")


def test_file_without_row_is_named(tmp_path):
    write_domain(tmp_path, [("a.png", 1)], {"a.png": Image.new("L", (28, 28)), "extra.png": Image.new("L", (28, 28))})
    with pytest.raises(UsageError, match="without a row.*extra.png"):
        load_digits(tmp_path, "usps", "train")


def test_corrupt_png_names_the_file(tmp_path):
    folder = write_domain(tmp_path, [("a.png", 1), ("bad.png", 2)], {"a.png": Image.new("L", (28, 28))})
    (folder / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(UsageError, match="bad.png"):
        load_digits(tmp_path, "usps", "train")


def test_image_folder_skips_stray_files_and_refuses_empty(tmp_path, capsys):
    (tmp_path / "x").mkdir()
    Image.new("RGB", (28, 28)).save(tmp_path / "x" / "b.png")
    Image.new("RGB", (28, 28)).save(tmp_path / "x" / "a.png")
    (tmp_path / "x" / "notes.txt").write_text("hello")
    assert [p.name for p in list_images(tmp_path / "x")] == ["a.png", "b.png"]
    assert "skipped 1 file(s)" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="holds no images"):
        list_images(tmp_path / "empty")
    with pytest.raises(UsageError, match="does not exist"):
        list_images(tmp_path / "nope")


def test_unknown_domain_is_refused(tmp_path):
    with pytest.raises(UsageError, match="unknown domain"):
        load_digits(tmp_path, "mnist", "train")


def test_cache_is_hit_then_rebuilt_after_a_change(tmp_path, monkeypatch):
    folder = tmp_path / "faces"
    folder.mkdir()
    for i in range(3):
        Image.new("RGB", (64, 64), (i, i, i)).save(folder / f"{i}.png")
    decoded = []
    real_decode = common.images.decode_images
    monkeypatch.setattr(common.images, "decode_images", lambda p, s: decoded.append(len(p)) or real_decode(p, s))
    first = load_faces(folder)
    second = load_faces(folder)
    assert decoded == [3] and torch.equal(first, second)  # second load decoded nothing
    Image.new("RGB", (64, 64), (99, 99, 99)).save(folder / "1.png")
    third = load_faces(folder)
    assert decoded == [3, 3] and third[1, 0, 0, 0] == 99
    (folder / "2.png").unlink()
    assert load_faces(folder).shape[0] == 2 and decoded == [3, 3, 2]


def test_batches_flip_and_resume_identically():
    images = torch.arange(8 * 3 * 2 * 2, dtype=torch.uint8).view(8, 3, 2, 2)
    a = TensorBatches(images, torch.arange(8), 3, torch.device("cpu"), seed=1, flip=True)
    for _ in range(3):
        next(a)
    state = a.state_dict()
    expected = [next(a) for _ in range(4)]
    b = TensorBatches(images, torch.arange(8), 3, torch.device("cpu"), seed=99, flip=True)
    b.load_state_dict(state)
    for (x1, y1), (x2, y2) in zip(expected, [next(b) for _ in range(4)]):
        assert torch.equal(x1, x2) and torch.equal(y1, y2)
    x, y = expected[0]
    originals = images[y].float() / 127.5 - 1
    flipped = (x != originals).flatten(1).any(1)
    assert torch.equal(x[flipped], originals[flipped].flip(3))  # changed rows are exact mirror images


def test_split_is_deterministic_and_disjoint():
    tr, va = train_val_split(100, 0.2, seed=3)
    tr2, va2 = train_val_split(100, 0.2, seed=3)
    assert torch.equal(tr, tr2) and torch.equal(va, va2)
    assert len(va) == 20 and len(tr) == 80
    assert not set(tr.tolist()) & set(va.tolist()) and set(tr.tolist()) | set(va.tolist()) == set(range(100))
    assert not torch.equal(train_val_split(100, 0.2, seed=4)[1], va)  # the seed picks the split


def test_demo_builder_layout_counts_labels_and_modes(demo_root):
    for domain, mode, size in (("mnistm", "RGB", 28), ("usps", "L", 16), ("svhn", "RGB", 32)):
        counts = {}
        for split in ("train", "test"):
            with open(demo_root / "digits" / domain / f"{split}.csv") as f:
                rows = list(csv.reader(f))
            assert rows[0] == ["image_name", "label"]
            files = sorted((demo_root / "digits" / domain / split).iterdir())
            assert [r[0] for r in rows[1:]] == [p.name for p in files]
            assert {int(r[1]) for r in rows[1:]} <= set(range(10))
            counts[split] = len(files)
            with Image.open(files[0]) as im:
                assert im.mode == mode and im.size == (size, size)
        assert counts == ({"train": 200 + 254, "test": 300} if domain == "svhn" else {"train": 160, "test": 40})
    labels = [
        int(r[1])
        for r in csv.reader((demo_root / "digits" / "mnistm" / "train.csv").read_text().splitlines())
        if r[1] != "label"
    ]
    assert len(set(labels)) == 10  # every digit is present
    faces = sorted((demo_root / "face" / "train").iterdir())
    assert len(faces) == 32 and len(list((demo_root / "face" / "test").iterdir())) == 8
    with Image.open(faces[0]) as im:
        assert im.mode == "RGB" and im.size == (64, 64)


def test_demo_builder_is_deterministic_and_ships_real_usps_and_mnistm(tmp_path):
    from app.demo_data import USPS_FILE, build, main, mnistm_real

    main(
        ["--out", str(tmp_path / "a"), "--seed", "5", "--mnistm", "20", "--usps", "20", "--svhn", "20", "--faces", "10"]
    )
    build(tmp_path / "b", seed=5, mnistm=20, usps=20, svhn=20, faces=10)
    for rel in ("digits/svhn/train/00003.png", "digits/mnistm/test/00001.png", "face/train/00002.png"):
        assert (tmp_path / "a/hw2_data" / rel).read_bytes() == (tmp_path / "b/hw2_data" / rel).read_bytes()
    assert np.asarray(Image.open(tmp_path / "a/hw2_data/digits/svhn/train/00003.png")).std() > 5
    with np.load(USPS_FILE) as z:  # every demo USPS digit is one of the real USPS training digits, label included
        real = {(im.tobytes(), int(y)) for im, y in zip(z["images"], z["labels"])}
    folder = tmp_path / "a/hw2_data/digits/usps/train"
    for name, label in list(csv.reader((folder.parent / "train.csv").read_text().splitlines()))[1:]:
        assert (np.asarray(Image.open(folder / name)).tobytes(), int(label)) in real
    digits, labels = mnistm_real()  # every demo MNIST-M digit is one of the real ones shipped, label included
    assert digits.shape == (6000, 28, 28, 3) and np.bincount(labels).min() > 500
    real = {(im.tobytes(), int(y)) for im, y in zip(digits, labels)}
    folder = tmp_path / "a/hw2_data/digits/mnistm/train"
    for name, label in list(csv.reader((folder.parent / "train.csv").read_text().splitlines()))[1:]:
        assert (np.asarray(Image.open(folder / name)).tobytes(), int(label)) in real


def test_demo_svhn_is_judged_on_real_digits_it_never_trains_on(demo_root):
    from app.demo_data import SVHN_REAL_TRAIN, svhn_real

    real, real_labels = svhn_real()

    def split(name):
        folder = demo_root / "digits" / "svhn" / name
        return [
            (np.asarray(Image.open(folder / n)).tobytes(), int(y))
            for n, y in list(csv.reader(open(folder.parent / f"{name}.csv")))[1:]
        ]

    train, test = split("train"), split("test")
    assert test == [(x.tobytes(), int(y)) for x, y in zip(real[SVHN_REAL_TRAIN:], real_labels[SVHN_REAL_TRAIN:])]
    first = {(x.tobytes(), int(y)) for x, y in zip(real[:SVHN_REAL_TRAIN], real_labels[:SVHN_REAL_TRAIN])}
    assert first <= set(train) and len(train) == 200 + SVHN_REAL_TRAIN
    assert not {x for x, _ in train} & {x for x, _ in test}  # no test digit is a training image
