"""P3 and the bonus: training in-process on the tiny demo tree (exact resume, seeds, modes, divergence, option
errors), the graders' scripts' input errors (as subprocesses), and scoring."""

import csv
import os

import pytest
import torch
from PIL import Image

from bonus_uda import train as bonus
from p3_dann import train as p3
from tests.helpers import run_module, same_state, train, train_fails


def uda_args(root, ck, source: str, target: str, *extra: str) -> list[str]:
    return [
        "--data-root",
        str(root),
        "--source",
        source,
        "--target",
        target,
        "--ckpt-dir",
        str(ck),
        "--batch-size",
        "32",
        *extra,
    ]


@pytest.fixture(scope="module")
def served(demo_root, tmp_path_factory):
    """A checkpoint folder with the models the graders' scripts below serve: DANN for usps, the bonus for svhn."""
    ck = tmp_path_factory.mktemp("served")
    train(p3, *uda_args(demo_root, ck, "mnistm", "usps", "--epochs", "1"))
    train(bonus, *uda_args(demo_root, ck, "usps", "svhn", "--epochs", "1"))
    return ck


def test_grader_input_errors_and_conversions(served, tmp_path):
    env = {"HW2_CKPT_DIR": str(served)}
    test_dir = tmp_path / "test"
    test_dir.mkdir()
    Image.new("L", (16, 16), 255).save(test_dir / "a.png")
    Image.new("RGBA", (40, 30), (1, 2, 3, 4)).save(test_dir / "b.png")
    Image.new("RGB", (28, 28)).convert("P").save(test_dir / "c.png")
    (test_dir / "readme.txt").write_text("not an image")
    out = tmp_path / "pred" / "out.csv"
    cache = os.environ["HW2_CACHE_DIR"]
    before = sorted(os.listdir(cache))
    proc = run_module("scripts/hw2_p3.sh", str(test_dir), "usps", str(out), env=env)
    assert "skipped 1 file(s)" in proc.stderr
    assert [r[0] for r in csv.reader(out.read_text().splitlines())][1:] == ["a.png", "b.png", "c.png"]
    assert sorted(os.listdir(cache)) == before  # inference writes nothing but OUT_CSV
    for args, message in (
        ([str(test_dir), "mnist", str(out)], "unknown DOMAIN 'mnist'"),
        ([str(tmp_path / "nope"), "usps", str(out)], "does not exist"),
        ([str(tmp_path / "pred"), "usps", str(out)], "holds no images"),
    ):
        proc = run_module("scripts/hw2_p3.sh", *args, env=env, check=False)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
    (test_dir / "d.png").write_bytes(b"\x89PNG broken")
    before_csv = out.read_bytes()
    proc = run_module("scripts/hw2_bonus.sh", str(test_dir), "svhn", str(out), env=env, check=False)
    assert proc.returncode == 2 and "1 of 4 image(s)" in proc.stderr and "d.png" in proc.stderr
    assert "Traceback" not in proc.stderr and out.read_bytes() == before_csv  # the earlier CSV is untouched
    proc = run_module("scripts/hw2_p3.sh", str(test_dir), env=env, check=False)
    assert proc.returncode == 2 and "usage:" in proc.stderr


def test_evaluate_refuses_missing_and_duplicate_names(tmp_path):
    gt, pred = tmp_path / "gt.csv", tmp_path / "pred.csv"
    gt.write_text("image_name,label\na.png,1\nb.png,2\n")
    pred.write_text("image_name,label\na.png,1\n")
    proc = run_module("app.score", str(pred), str(gt), check=False)
    assert proc.returncode == 2 and "lacks 1 image(s)" in proc.stderr and "b.png" in proc.stderr
    pred.write_text("image_name,label\na.png,1\nb.png,2\na.png,3\n")
    proc = run_module("app.score", str(pred), str(gt), check=False)
    assert proc.returncode == 2 and "a.png appears twice" in proc.stderr
    pred.write_text("image_name,label\nb.png,2\na.png,0\n")
    assert run_module("app.score", str(pred), str(gt)).stdout.strip() == "Accuracy: 1/2 (50.00%)"


def test_bounds_write_only_their_own_checkpoint(demo_root, tmp_path):
    train(p3, *uda_args(demo_root, tmp_path, "usps", "svhn", "--method", "source", "--epochs", "1"))
    assert [p.name for p in tmp_path.glob("*.pt")] == ["p3_usps2svhn_source.pt"]


def test_p3_interrupted_and_resumed_equals_uninterrupted(demo_root, tmp_path):
    train(p3, *uda_args(demo_root, tmp_path / "full", "mnistm", "usps", "--epochs", "3", "--seed", "3"))
    cut = uda_args(demo_root, tmp_path / "cut", "mnistm", "usps", "--epochs", "3", "--seed", "3")
    train(p3, *cut, "--stop-after-epoch", "1")
    train(p3, *cut, "--resume")
    a, b = (
        torch.load(tmp_path / run / "runs/p3_mnistm2usps/00000/latest.pt", weights_only=True) for run in ("full", "cut")
    )
    assert a["counters"]["epoch"] == b["counters"]["epoch"] == 3
    assert set(a["states"]) == {"model", "optimizer", "labelled", "unlabelled"}
    for key in ("states", "rng", "counters"):
        assert same_state(a[key], b[key]), key


def test_bonus_interrupted_and_resumed_equals_uninterrupted(demo_root, tmp_path):
    train(bonus, *uda_args(demo_root, tmp_path / "full", "usps", "svhn", "--epochs", "2"))
    cut = uda_args(demo_root, tmp_path / "cut", "usps", "svhn", "--epochs", "2")
    train(bonus, *cut, "--stop-after-epoch", "1")
    train(bonus, *cut, "--resume")
    a, b = (
        torch.load(tmp_path / run / "runs/bonus_usps2svhn/00000/latest.pt", weights_only=True)
        for run in ("full", "cut")
    )
    assert set(a["states"]) == {"model", "ema", "optimizer", "labelled", "unlabelled"}
    for key in ("states", "rng", "counters"):
        assert same_state(a[key], b[key]), key


def test_same_seed_same_result(demo_root, tmp_path):
    for out in ("a", "b"):
        train(bonus, *uda_args(demo_root, tmp_path / out, "svhn", "mnistm", "--epochs", "1"))
    a, b = (torch.load(tmp_path / out / "bonus_svhn2mnistm.pt", weights_only=True)["weights"] for out in "ab")
    assert same_state(a, b)


def test_target_test_diagnostic_is_logged_but_not_used(demo_root, tmp_path):
    import json

    for logged in (False, True):
        ck = tmp_path / str(logged)
        train(
            p3,
            *uda_args(
                demo_root,
                ck,
                "mnistm",
                "usps",
                "--epochs",
                "2",
                "--select",
                "val",
                *(["--log-target-test"] if logged else []),
            ),
        )
        rows = [json.loads(x) for x in (ck / "runs/p3_mnistm2usps/00000/metrics.jsonl").read_text().splitlines()]
        assert all(("target_test_accuracy" in r) == logged for r in rows)
    a, b = (torch.load(tmp_path / str(x) / "p3_mnistm2usps.pt", weights_only=True) for x in (False, True))
    assert a["counters"] == b["counters"] and same_state(a["weights"], b["weights"])


def test_option_errors_are_one_line(demo_root, capsys):
    assert "must differ" in train_fails(p3, capsys, *uda_args(demo_root, "ck", "usps", "usps"))
    line = train_fails(p3, capsys, *uda_args(demo_root, "ck", "mnistm", "usps", "--lambda-max", "nan"))
    assert "--lambda-max" in line


def test_divergence_stops_with_a_message_and_keeps_no_bad_checkpoint(demo_root, tmp_path, capsys):
    line = train_fails(p3, capsys, *uda_args(demo_root, tmp_path, "usps", "svhn", "--epochs", "1", "--lr", "1e30"))
    assert "NaN or Inf" in line and not (tmp_path / "p3_usps2svhn.pt").exists()
