"""P1 and P2 end to end on the tiny demo tree: train briefly, run the graders' scripts twice, score."""
import json
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import REPO, run_module

COURSE_CLASSIFIER = REPO.parent / "shared" / "data" / "Classifier.pth"


def same_files(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir())
    return names == sorted(p.name for p in b.iterdir()) and all(
        (a / n).read_bytes() == (b / n).read_bytes() for n in names)


def test_p1_train_select_by_fid_and_generate_deterministically(demo_root, tmp_path):
    ck = tmp_path / "ck"
    run_module("p1_dcgan.train", "--data-root", str(demo_root), "--ckpt-dir", str(ck), "--steps", "3",
               "--batch-size", "8", "--fid-weights", "random", "--fid-samples", "8", "--eval-every", "2",
               "--ckpt-every", "2", "--fid-holdout", "0.1")
    metrics = [json.loads(line) for line in (ck / "runs/p1/00000/metrics.jsonl").read_text().splitlines()]
    fids = [m["fid"] for m in metrics if "fid" in m]
    assert len(fids) == 2 and all(f >= 0 for f in fids)
    assert (ck / "p1_dcgan.pt").exists() and (ck / "runs/p1/00000/best.pt").exists()
    env = {"HW2_CKPT_DIR": str(ck)}
    run_module("scripts/hw2_p1.sh", str(tmp_path / "o1"), env=env)
    run_module("scripts/hw2_p1.sh", str(tmp_path / "o2"), env=env)
    files = sorted((tmp_path / "o1").iterdir())
    assert len(files) == 1000 and same_files(tmp_path / "o1", tmp_path / "o2")
    with Image.open(files[0]) as im:
        assert im.mode == "RGB" and im.size == (64, 64)


def test_p1_resume_continues_the_run(demo_root, tmp_path):
    ck = tmp_path / "ck"
    args = ["p1_dcgan.train", "--data-root", str(demo_root), "--ckpt-dir", str(ck), "--batch-size", "4",
            "--ckpt-every", "1", "--arch", "dcgan", "--fid-weights", "random", "--eval-every", "1000",
            "--fid-samples", "4", "--fid-holdout", "0.1"]
    run_module(*args, "--steps", "2")
    out = run_module(*args, "--steps", "3", "--resume").stdout
    assert "resuming" in out and not (ck / "runs/p1/00001").exists()
    lines = (ck / "runs/p1/00000/metrics.jsonl").read_text()
    assert '"step": 3' in lines


def test_p1_dry_run_writes_nothing(demo_root, tmp_path):
    out = run_module("p1_dcgan.train", "--data-root", str(demo_root), "--ckpt-dir", str(tmp_path / "ck"),
                     "--batch-size", "4", "--dry-run").stdout
    assert "dry run ok" in out and not (tmp_path / "ck").exists()


def test_p1_bad_options_are_one_line_errors(demo_root, tmp_path):
    proc = run_module("p1_dcgan.train", "--data-root", str(demo_root), "--diffaugment", "blur", check=False)
    assert proc.returncode == 2 and "unknown DiffAugment policy blur" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_module("p1_dcgan.train", "--data-root", str(tmp_path / "none"), check=False)
    assert proc.returncode == 2 and "does not exist" in proc.stderr


def test_p2_train_generate_and_evaluate(demo_root, tmp_path):
    ck = tmp_path / "ck"
    run_module("p2_acgan.digit_classifier", "train", "--data-root", str(demo_root), "--out",
               str(ck / "digit_classifier.pt"), "--epochs", "1")
    run_module("p2_acgan.train", "--data-root", str(demo_root), "--ckpt-dir", str(ck), "--steps", "4",
               "--batch-size", "8", "--eval-every", "2", "--classifier", str(ck / "digit_classifier.pt"))
    accs = [json.loads(x) for x in (ck / "runs/p2/00000/metrics.jsonl").read_text().splitlines()]
    assert [a["step"] for a in accs if "accuracy" in a] == [2, 4]
    env = {"HW2_CKPT_DIR": str(ck)}
    run_module("scripts/hw2_p2.sh", str(tmp_path / "o1"), env=env)
    run_module("scripts/hw2_p2.sh", str(tmp_path / "o2"), env=env)
    names = sorted(p.name for p in (tmp_path / "o1").iterdir())
    assert len(names) == 1000 and names[0] == "0_001.png" and names[-1] == "9_100.png"
    assert same_files(tmp_path / "o1", tmp_path / "o2")
    with Image.open(tmp_path / "o1" / "3_042.png") as im:
        assert im.mode == "RGB" and im.size == (28, 28)
    clfs = ["--classifier", str(ck / "digit_classifier.pt")]
    if COURSE_CLASSIFIER.exists():
        clfs += ["--classifier", str(COURSE_CLASSIFIER)]
    out = run_module("p2_acgan.evaluate", str(tmp_path / "o1"), *clfs, env=env).stdout
    assert out.count("accuracy") == len(clfs) // 2 and "per class" in out
    (tmp_path / "o1" / "9_100.png").rename(tmp_path / "o1" / "x_100.png")
    proc = run_module("p2_acgan.evaluate", str(tmp_path / "o1"), *clfs, check=False)
    assert proc.returncode == 2 and "x_100.png" in proc.stderr
    (tmp_path / "o1" / "x_100.png").unlink()
    proc = run_module("p2_acgan.evaluate", str(tmp_path / "o1"), *clfs, check=False)
    assert proc.returncode == 2 and "expected 100 per digit" in proc.stderr


@pytest.mark.skipif(not COURSE_CLASSIFIER.exists(), reason="the course classifier is not on this machine")
def test_course_classifier_loads_on_cpu_and_reads_demo_mnistm(demo_root):
    from common.datasets import load_digits
    from p2_acgan.digit_classifier import load_classifier, predict

    images, labels = load_digits(demo_root, "mnistm", "test")
    acc = (predict(load_classifier(COURSE_CLASSIFIER), images) == labels).float().mean().item()
    assert acc > 0.7  # the course's MNIST-M classifier reads our MNIST-M-style digits


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    for script in ("scripts/hw2_p1.sh", "scripts/hw2_p2.sh"):
        proc = run_module(script, str(tmp_path / "out"), env={"HW2_CKPT_DIR": str(tmp_path)}, check=False)
        assert proc.returncode == 2 and "is missing; train it with" in proc.stderr
        assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()


def test_p1_divergence_keeps_the_last_good_checkpoint(demo_root, tmp_path):
    ck = tmp_path / "ck"
    args = ["p1_dcgan.train", "--data-root", str(demo_root), "--ckpt-dir", str(ck), "--batch-size", "4",
            "--ckpt-every", "1", "--fid-weights", "random", "--fid-samples", "4", "--fid-holdout", "0.1",
            "--eval-every", "1000"]
    run_module(*args, "--steps", "1")
    good = (ck / "runs/p1/00000/latest.pt").read_bytes()
    proc = run_module(*args, "--steps", "3", "--resume", "--lr-g", "1e30", "--lr-d", "1e30", check=False)
    assert proc.returncode == 2 and "NaN or Inf" in proc.stderr and "Traceback" not in proc.stderr
    assert (ck / "runs/p1/00000/latest.pt").read_bytes() == good  # the bad steps never reached the disk
