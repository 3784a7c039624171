"""P3 and the bonus end to end on the tiny demo tree: training, resume, graders' scripts, errors, t-SNE."""
import csv
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from PIL import Image

from common.uda import SCENARIOS
from tests.helpers import REPO, run_module


@pytest.fixture(scope="module")
def trained(demo_root, tmp_path_factory):
    """A DANN and a bonus model for every scenario, one epoch each."""
    ck = tmp_path_factory.mktemp("ck")
    for s, t in SCENARIOS:
        common = ["--data-root", str(demo_root), "--source", s, "--target", t, "--ckpt-dir", str(ck),
                  "--epochs", "1", "--batch-size", "32"]
        run_module("p3_dann.train", *common)
        run_module("bonus_uda.train", *common)
    return ck


@pytest.mark.parametrize("script", ["scripts/hw2_p3.sh", "scripts/hw2_bonus.sh"])
def test_graders_scripts_serve_every_target(trained, demo_root, tmp_path, script):
    for _, target in SCENARIOS:
        out = tmp_path / f"{target}.csv"
        run_module(script, str(demo_root / "digits" / target / "test"), target, str(out),
                   env={"HW2_CKPT_DIR": str(trained)})
        rows = list(csv.reader(open(out)))
        names = sorted(p.name for p in (demo_root / "digits" / target / "test").iterdir())
        assert rows[0] == ["image_name", "label"] and [r[0] for r in rows[1:]] == names
        assert {int(r[1]) for r in rows[1:]} <= set(range(10))
        printed = run_module("p3_dann.evaluate", str(out), str(demo_root / "digits" / target / "test.csv")).stdout
        assert printed.startswith("Accuracy: ") and f"/{len(names)} (" in printed


def test_grader_input_errors_and_conversions(trained, tmp_path):
    env = {"HW2_CKPT_DIR": str(trained)}
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
    assert "skipped 1 non-image file" in proc.stderr
    assert [r[0] for r in csv.reader(open(out))][1:] == ["a.png", "b.png", "c.png"]
    assert sorted(os.listdir(cache)) == before  # inference writes nothing but OUT_CSV
    for args, message in (([str(test_dir), "mnist", str(out)], "unknown DOMAIN 'mnist'"),
                          ([str(tmp_path / "nope"), "usps", str(out)], "does not exist"),
                          ([str(tmp_path / "pred"), "usps", str(out)], "holds no images")):
        proc = run_module("scripts/hw2_p3.sh", *args, env=env, check=False)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
    (test_dir / "d.png").write_bytes(b"\x89PNG broken")
    proc = run_module("scripts/hw2_bonus.sh", str(test_dir), "svhn", str(out), env=env, check=False)
    assert proc.returncode == 2 and "d.png" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_module("scripts/hw2_p3.sh", str(test_dir), env=env, check=False)
    assert proc.returncode == 2 and "usage:" in proc.stderr


def test_evaluate_refuses_missing_and_duplicate_names(tmp_path):
    gt, pred = tmp_path / "gt.csv", tmp_path / "pred.csv"
    gt.write_text("image_name,label\na.png,1\nb.png,2\n")
    pred.write_text("image_name,label\na.png,1\n")
    proc = run_module("p3_dann.evaluate", str(pred), str(gt), check=False)
    assert proc.returncode == 2 and "lacks 1 image(s)" in proc.stderr and "b.png" in proc.stderr
    pred.write_text("image_name,label\na.png,1\nb.png,2\na.png,3\n")
    proc = run_module("p3_dann.evaluate", str(pred), str(gt), check=False)
    assert proc.returncode == 2 and "a.png appears twice" in proc.stderr
    pred.write_text("image_name,label\nb.png,2\na.png,0\n")
    assert run_module("p3_dann.evaluate", str(pred), str(gt)).stdout.strip() == "Accuracy: 1/2 (50.00%)"


def test_bounds_write_their_own_checkpoints(demo_root, tmp_path):
    for mode in ("source", "target"):
        run_module("p3_dann.train", "--data-root", str(demo_root), "--source", "usps", "--target", "svhn",
                   "--mode", mode, "--ckpt-dir", str(tmp_path), "--epochs", "1", "--batch-size", "32")
        assert (tmp_path / f"p3_usps2svhn_{mode}.pt").exists()
    assert not (tmp_path / "p3_usps2svhn.pt").exists()


def test_killed_run_resumed_ends_with_the_same_weights(demo_root, tmp_path):
    args = [sys.executable, "-m", "p3_dann.train", "--data-root", str(demo_root), "--source", "mnistm",
            "--target", "usps", "--epochs", "6", "--batch-size", "16", "--seed", "3"]
    subprocess.run(args + ["--ckpt-dir", str(tmp_path / "full")], cwd=REPO, check=True, capture_output=True)
    latest = tmp_path / "cut" / "runs" / "p3_mnistm2usps" / "00000" / "latest.pt"
    proc = subprocess.Popen(args + ["--ckpt-dir", str(tmp_path / "cut")], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not latest.exists() and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    epoch_at_kill = torch.load(latest, weights_only=True)["epoch"]
    assert 1 <= epoch_at_kill < 6, "the run finished before it could be killed"
    run_module(*args[2:], "--ckpt-dir", str(tmp_path / "cut"), "--resume")
    full = torch.load(tmp_path / "full/runs/p3_mnistm2usps/00000/latest.pt", weights_only=True)
    cut = torch.load(latest, weights_only=True)
    assert cut["epoch"] == full["epoch"] == 6
    for k, v in full["model"].items():
        assert torch.equal(v, cut["model"][k]), k


def test_same_seed_same_result(demo_root, tmp_path):
    for out in ("a", "b"):
        run_module("bonus_uda.train", "--data-root", str(demo_root), "--source", "svhn", "--target", "mnistm",
                   "--ckpt-dir", str(tmp_path / out), "--epochs", "1", "--batch-size", "32")
    a = torch.load(tmp_path / "a/bonus_svhn2mnistm.pt", weights_only=True)["model"]
    b = torch.load(tmp_path / "b/bonus_svhn2mnistm.pt", weights_only=True)["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_tsne_figures(trained, demo_root, tmp_path):
    out = run_module("p3_dann.tsne", "--data-root", str(demo_root), "--source", "mnistm", "--target", "usps",
                     "--ckpt", str(trained / "p3_mnistm2usps.pt"), "--out", str(tmp_path), "--samples", "30").stdout
    for kind in ("class", "domain"):
        with Image.open(tmp_path / f"tsne_mnistm2usps_{kind}.png") as im:
            assert im.size[0] > 300
    assert out.count("wrote") == 2


def test_same_domain_twice_is_refused(demo_root):
    proc = run_module("p3_dann.train", "--data-root", str(demo_root), "--source", "usps", "--target", "usps",
                      check=False)
    assert proc.returncode == 2 and "must differ" in proc.stderr


def test_divergence_stops_with_a_message_and_keeps_no_bad_checkpoint(demo_root, tmp_path):
    proc = run_module("p3_dann.train", "--data-root", str(demo_root), "--source", "usps", "--target", "svhn",
                      "--ckpt-dir", str(tmp_path), "--epochs", "1", "--batch-size", "32", "--lr", "1e30", check=False)
    assert proc.returncode == 2 and "NaN or Inf" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "p3_usps2svhn.pt").exists()
