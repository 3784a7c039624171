"""A miniature `make demo` (the session's `mini_demo`): every output, the graders' scripts as the graders run them,
byte-identical reruns, scoring errors, reuse of trained models, and the report.

Every test that needs the miniature demo lives in this file: pytest-xdist (--dist loadfile) runs them on one
worker, which builds the demo once, while the other worker takes the rest of the suite.
"""

import csv
import re
import sys
from pathlib import Path

import pytest
from PIL import Image

from common.files import SCENARIOS
from tests.helpers import REPO, command, run_module, same_files

COURSE_CLASSIFIER = REPO.parent / "shared" / "data" / "Classifier.pth"


def test_every_graders_output_and_report_section(mini_demo):
    ev = mini_demo["eval"]
    assert len(list((ev / "p1_images").glob("*.png"))) == 1000
    assert len(list((ev / "p2_images").glob("*_*.png"))) == 1000
    for s, t in SCENARIOS:
        for name in (f"p3_{s}2{t}_source", f"p3_{s}2{t}", f"p3_{s}2{t}_target", f"bonus_{s}2{t}"):
            assert (ev / f"{name}.txt").read_text().startswith("Accuracy: ")
    report = (mini_demo["out"] / "report" / "README.md").read_text()
    for section in ("## P1", "## P2", "## P3", "## Bonus", "## Training curves"):
        assert section in report
    # skipped metrics in a few words; no machine's absolute path
    assert "| FID (1000 generated vs the test faces) | skipped: no Inception weights here (set FID_WEIGHTS" in report
    assert "| IS (10 splits) | skipped: no Inception weights here (set IS_WEIGHTS" in report
    assert re.search(r"\| face detector: .*a face-likeness proxy, not FID.* \| \d+\.\d% \(\d+/1000\) \|", report)
    assert str(mini_demo["out"]) not in report and str(REPO) not in report
    # each GAN's grid says what trained it (the miniature demo: 2 steps of 8) and what a full run uses
    assert re.search(
        r"Trained here: `--arch sngan` without DiffAugment, 2 steps of 8 images \(16 images\) "
        r"on 30 training faces of `[^`]+` \(2 more held out for FID\)",
        report,
    )
    assert re.search(r"Trained here: `--arch tinted`, 2 steps of 8 images \(16 images\) on 160 training digits", report)
    assert "the step `digit_classifier.pt` read best" in report  # P2's served step, and what chose it
    assert "A full run: `scripts/train_p1.sh`" in report and "A full run: `scripts/train_p2.sh`" in report
    assert report.count("% (") >= 15  # 3×3 P3 cells and 2×3 bonus cells, each `percent (correct/total)`
    for link in re.findall(r"\]\(([^)]+)\)", report):
        assert (mini_demo["out"] / "report" / link).exists(), link
    times = (mini_demo["out"] / "stage_times.txt").read_text()
    assert times.count(" s  ") == 5 and "the twelve UDA runs" in times
    assert "== stage times" in mini_demo["log"]


def test_the_runs_are_watchable_and_queued(mini_demo):
    log = mini_demo["log"]
    assert "12 run(s) on 2 slot(s): cpu, cpu" in log and "(12/12 done, all in" in log  # one queue, a count
    assert re.search(r"start bonus_usps2svhn on a share of the CPU cores", log)
    for run in mini_demo["ckpt"].glob("runs/*/00000"):
        assert list(run.glob("events.out.tfevents.*")), run  # TensorBoard beside metrics.jsonl
        assert (run / "metrics.jsonl").exists()
    for name in ("p3_mnistm2usps", "bonus_svhn2mnistm"):
        text = (mini_demo["out"] / "logs" / f"{name}.log").read_text()
        assert "\r" not in text and f"done: {mini_demo['ckpt'] / name}.pt" in text  # whole lines, to the end


def test_uda_graders_scripts_serve_every_target(mini_demo, demo_root):
    for s, t in SCENARIOS:
        names = sorted(p.name for p in (demo_root / "digits" / t / "test").iterdir())
        for name in (f"p3_{s}2{t}", f"p3_{s}2{t}_source", f"p3_{s}2{t}_target", f"bonus_{s}2{t}"):
            rows = list(csv.reader((mini_demo["eval"] / f"{name}.csv").read_text().splitlines()))
            assert rows[0] == ["image_name", "label"] and [r[0] for r in rows[1:]] == names
            assert {int(r[1]) for r in rows[1:]} <= set(range(10))
            assert (mini_demo["ckpt"] / f"{name}.pt").exists()  # each method writes its own checkpoint
        assert f"/{len(names)} (" in (mini_demo["eval"] / f"p3_{s}2{t}.txt").read_text()
        for kind in ("class", "domain"):
            for model in ("p3", "bonus"):
                with Image.open(mini_demo["eval"] / f"tsne_{model}_{s}2{t}_{kind}.png") as im:
                    assert im.size[0] > 300


def test_gan_generation_writes_the_same_files_again(mini_demo, tmp_path, monkeypatch):
    from p1_dcgan import inference as p1
    from p2_acgan import inference as p2

    monkeypatch.setenv("HW2_CKPT_DIR", str(mini_demo["ckpt"]))
    for module, folder, first, size in ((p1, "p1_images", "0000.png", 64), (p2, "p2_images", "0_001.png", 28)):
        command(module, "--out", str(tmp_path / folder))  # what hw2_p1.sh / hw2_p2.sh run, in-process
        assert same_files(tmp_path / folder, mini_demo["eval"] / folder)
        with Image.open(tmp_path / folder / first) as im:
            assert im.mode == "RGB" and im.size == (size, size)
    names = sorted(p.name for p in (tmp_path / "p2_images").iterdir())
    assert names[0] == "0_001.png" and names[-1] == "9_100.png"


def test_a_second_demo_reuses_every_trained_model(mini_demo):
    proc = run_module("scripts/demo_train.sh", env=mini_demo["env"])
    again = proc.stdout + proc.stderr
    assert "run folder" in mini_demo["log"] and "run folder" not in again
    assert again.count("reusing") == 3 + 4 * 3  # evaluator, P1, P2, and four models per scenario


def test_p2_evaluate_refuses_misnamed_and_missing_files(mini_demo, tmp_path, capsys):
    import shutil

    from p2_acgan import evaluate

    images = tmp_path / "p2"
    shutil.copytree(mini_demo["eval"] / "p2_images", images)
    clfs = ["--classifier", str(mini_demo["ckpt"] / "digit_classifier.pt")]
    if COURSE_CLASSIFIER.exists():
        clfs += ["--classifier", str(COURSE_CLASSIFIER)]
    command(evaluate, str(images), *clfs)
    out = capsys.readouterr().out
    assert out.count("accuracy") == len(clfs) // 2 and "per class" in out
    (images / "9_100.png").rename(images / "x_100.png")
    proc = run_module("p2_acgan.evaluate", str(images), *clfs, check=False)  # the CLI's exit code and line
    assert proc.returncode == 2 and "x_100.png" in proc.stderr and "Traceback" not in proc.stderr
    (images / "x_100.png").unlink()
    with pytest.raises(SystemExit) as e:
        command(evaluate, str(images), *clfs)
    assert e.value.code == 2 and "expected 100 per digit" in capsys.readouterr().err


def test_graders_scripts_from_another_folder_read_the_repository_checkpoints(mini_demo, demo_root, tmp_path):
    import os
    import shutil
    import subprocess

    # A copy of the repository's code with the trained checkpoints in its default checkpoints/ folder, run from
    # an unrelated working directory with HW2_CKPT_DIR unset: the scripts must find that folder by themselves.
    repo = tmp_path / "repo"
    for folder in ("common", "p2_acgan", "p3_dann", "scripts"):
        shutil.copytree(REPO / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "checkpoints").mkdir()
    for name in ("p2_acgan.pt", "p3_usps2svhn.pt"):
        shutil.copy(mini_demo["ckpt"] / name, repo / "checkpoints" / name)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("HW2_CKPT_DIR", "PYTHONPATH")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    for args in (
        (repo / "scripts/hw2_p3.sh", demo_root / "digits/svhn/test", "svhn", "pred.csv"),
        (repo / "scripts/hw2_p2.sh", "digits"),
    ):
        proc = subprocess.run(["bash", *map(str, args)], cwd=elsewhere, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    assert (elsewhere / "pred.csv").read_bytes() == (mini_demo["eval"] / "p3_usps2svhn.csv").read_bytes()
    assert same_files(elsewhere / "digits", mini_demo["eval"] / "p2_images")
