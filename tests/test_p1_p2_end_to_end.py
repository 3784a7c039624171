"""P1 and P2 training on the tiny demo tree, in-process: selection by the metric, exact resume, divergence and
option errors; the graders' scripts themselves run in the miniature demo (test_demo_pipeline)."""

import json

import pytest
import torch

from p1_dcgan import train as p1
from p2_acgan import train as p2
from tests.helpers import REPO, command, run_module, same_state, train, train_fails

COURSE_CLASSIFIER = REPO.parent / "shared" / "data" / "Classifier.pth"


def p1_args(root, ck, *extra: str, fid: str = "random") -> list[str]:
    return [
        "--data-root",
        str(root),
        "--ckpt-dir",
        str(ck),
        "--batch-size",
        "4",
        "--fid-weights",
        fid,
        "--fid-samples",
        "4",
        "--fid-holdout",
        "0.1",
        *extra,
    ]


def test_p1_selects_by_fid(demo_root, tmp_path):
    train(p1, *p1_args(demo_root, tmp_path, "--steps", "3", "--eval-every", "2", "--ckpt-every", "2"))
    metrics = [json.loads(line) for line in (tmp_path / "runs/p1_dcgan/00000/metrics.jsonl").read_text().splitlines()]
    fids = [m["fid"] for m in metrics if "fid" in m]
    assert len(fids) == 2 and all(f >= 0 for f in fids)  # steps 2 and 3
    best = torch.load(tmp_path / "p1_dcgan.pt", weights_only=True)
    assert (
        best["problem"] == "p1"
        and best["counters"]["fid"] == min(fids)
        and not (tmp_path / "runs/p1_dcgan/00000/best.pt").exists()
    )


def test_p1_interrupted_and_resumed_equals_uninterrupted(demo_root, tmp_path):
    # FID only at the last step; its network is still built (from random weights) by every run and resumption.
    args = p1_args(demo_root, tmp_path / "full", "--steps", "3", "--eval-every", "1000")
    train(p1, *args)
    cut = p1_args(demo_root, tmp_path / "cut", "--steps", "3", "--eval-every", "1000")
    train(p1, *cut, "--stop-after-step", "2")
    assert torch.load(tmp_path / "cut/runs/p1_dcgan/00000/latest.pt", weights_only=True)["counters"]["step"] == 2
    train(p1, *cut, "--resume")
    assert not (tmp_path / "cut/runs/p1_dcgan/00001").exists()
    a, b = (torch.load(tmp_path / run / "runs/p1_dcgan/00000/latest.pt", weights_only=True) for run in ("full", "cut"))
    for key in ("states", "rng", "counters"):
        assert same_state(a[key], b[key]), key
    assert set(a["states"]) == {"G", "D", "opt_g", "opt_d", "scaler", "G_ema", "batches"}


def test_p1_bad_options_are_one_line_errors(demo_root, tmp_path, capsys):
    assert "unknown DiffAugment policy blur" in train_fails(
        p1, capsys, "--data-root", str(demo_root), "--diffaugment", "blur"
    )
    assert "does not exist" in train_fails(p1, capsys, "--data-root", str(tmp_path / "none"))
    proc = run_module("p1_dcgan.train", "--data-root", str(demo_root), "--steps", "0", check=False)
    assert proc.returncode == 2 and proc.stderr.count("error:") == 1 and "Traceback" not in proc.stderr


def test_p1_divergence_keeps_the_last_good_checkpoint(demo_root, tmp_path, capsys, monkeypatch):
    real_step, calls = p1.train_step, []

    def diverging_from_step_2(*args, **kwargs):  # as a learning rate too high for the run would, from step 2 on
        calls.append(1)
        loss_d, loss_g = real_step(*args, **kwargs)
        return (loss_d * float("nan") if len(calls) >= 2 else loss_d), loss_g

    monkeypatch.setattr(p1, "train_step", diverging_from_step_2)
    args = p1_args(demo_root, tmp_path, "--ckpt-every", "1", fid="none")
    line = train_fails(p1, capsys, *args, "--steps", "3")
    assert "NaN or Inf by step 2" in line and "--resume continues from it" in line
    saved = torch.load(tmp_path / "runs/p1_dcgan/00000/latest.pt", weights_only=True)
    assert saved["counters"]["step"] == 1  # the bad steps never reached the disk


@pytest.fixture(scope="module")
def evaluator(demo_root, tmp_path_factory):
    from p2_acgan.digit_classifier import train_classifier

    out = tmp_path_factory.mktemp("clf") / "digit_classifier.pt"
    train_classifier(demo_root, out, epochs=1)
    return out


def test_p2_selects_by_the_evaluator(demo_root, tmp_path, evaluator):
    train(
        p2,
        "--data-root",
        str(demo_root),
        "--ckpt-dir",
        str(tmp_path),
        "--steps",
        "4",
        "--batch-size",
        "8",
        "--eval-every",
        "2",
        "--classifier",
        str(evaluator),
    )
    accs = [json.loads(x) for x in (tmp_path / "runs/p2_acgan/00000/metrics.jsonl").read_text().splitlines()]
    measured = {a["step"]: a["accuracy"] for a in accs if "accuracy" in a}
    assert list(measured) == [2, 4]
    assert torch.load(tmp_path / "p2_acgan.pt", weights_only=True)["counters"]["accuracy"] == max(measured.values())


def test_p2_interrupted_and_resumed_equals_uninterrupted(demo_root, tmp_path, evaluator):
    def args(run):
        return [
            "--data-root",
            str(demo_root),
            "--ckpt-dir",
            str(tmp_path / run),
            "--steps",
            "4",
            "--batch-size",
            "8",
            "--eval-every",
            "3",
            "--fake-cls-start",
            "1",
            "--classifier",
            str(evaluator),
        ]

    train(p2, *args("full"))
    train(p2, *args("cut"), "--stop-after-step", "2")
    train(p2, *args("cut"), "--resume")
    a, b = (torch.load(tmp_path / run / "runs/p2_acgan/00000/latest.pt", weights_only=True) for run in ("full", "cut"))
    for key in ("states", "rng", "counters"):
        assert same_state(a[key], b[key]), key


@pytest.mark.skipif(not COURSE_CLASSIFIER.exists(), reason="the course classifier is not on this machine")
def test_course_classifier_loads_on_cpu_and_reads_demo_mnistm(demo_root):
    from common.data import load_digits
    from p2_acgan.digit_classifier import load_classifier, predict

    images, labels = load_digits(demo_root, "mnistm", "test")
    acc = (predict(load_classifier(COURSE_CLASSIFIER), images) == labels).float().mean().item()
    assert acc > 0.7  # the course's MNIST-M classifier reads our MNIST-M-style digits


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    for script in ("scripts/hw2_p1.sh", "scripts/hw2_p2.sh"):
        proc = run_module(script, str(tmp_path / "out"), env={"HW2_CKPT_DIR": str(tmp_path)}, check=False)
        assert proc.returncode == 2 and "is missing; train it with" in proc.stderr
        assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()


def test_an_image_named_3_shows_a_3_to_the_evaluator(demo_root, tmp_path, monkeypatch, capsys):
    """The graders' P2 script asks the generator for each file's class: with a generator that draws real digits
    of the class it is asked for, the evaluator reads each file's first character far above chance."""
    from common.data import load_digits
    from common.images import to_signed_unit
    from p2_acgan import evaluate
    from p2_acgan import inference as p2_inference
    from p2_acgan.digit_classifier import train_classifier

    train_classifier(demo_root, tmp_path / "lenet.pt", epochs=40, batch_size=16)
    images, labels = load_digits(demo_root, "mnistm", "train")

    class RealDigits(torch.nn.Module):  # a perfect conditional generator, from the evaluator's own training data
        def forward(self, z, wanted):
            picks = [
                int(torch.nonzero(labels == y)[int(abs(z[i, 0]) * 1000) % int((labels == y).sum())])
                for i, y in enumerate(wanted.tolist())
            ]
            return to_signed_unit(images[picks])

    monkeypatch.setattr(p2_inference, "generator_from_checkpoint", lambda *a: RealDigits())
    monkeypatch.setattr(p2_inference, "load_checkpoint", lambda *a, **k: {})
    command(p2_inference, "--out", str(tmp_path / "digits"))
    capsys.readouterr()
    command(evaluate, str(tmp_path / "digits"), "--classifier", str(tmp_path / "lenet.pt"))
    out = capsys.readouterr().out
    per_class = out.split("per class: ")[1].split()
    # chance is 10%; a LeNet that saw 144 real MNIST-M digits reads its own training digits well above it
    assert int(per_class[3].split(":")[1].rstrip("%")) > 30, per_class
    assert sum(int(c.split(":")[1].rstrip("%")) for c in per_class) / 10 > 40, per_class
