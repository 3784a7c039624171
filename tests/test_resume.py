"""What --resume continues, and what it refuses: other options than the run's, data that changed since the run was
saved, and a run folder another process is training."""

import json
import shutil
import signal
import subprocess
import sys
import time

import pytest

from common.checkpoints import load_checkpoint
from p3_dann import train as p3
from tests.helpers import train, train_fails
from tests.test_edges import PY_ENV, p3_args, tiny_uda_tree

RUN = "runs/p3_mnistm2usps/00000"


@pytest.fixture
def interrupted(tmp_path):
    """A P3 run on a tiny MNIST-M -> USPS tree stopped after epoch 1 of 2: (data root, checkpoint folder, options)."""
    root, ck = tiny_uda_tree(tmp_path / "data"), tmp_path / "ck"
    args = p3_args(root, ck, "--epochs", "2")
    train(p3, *args, "--stop-after-epoch", "1")
    return root, ck, args


def test_resume_with_other_options_is_refused_naming_each(interrupted, capsys):
    root, ck, args = interrupted
    before = (ck / RUN / "latest.pt").read_bytes()
    line = train_fails(p3, capsys, *args, "--resume", "--lr", "0.05", "--seed", "1")
    assert "--seed 0 (given 1), --lr 0.01 (given 0.05)" in line and "start a new run without --resume" in line
    assert (ck / RUN / "latest.pt").read_bytes() == before
    train(p3, *args, "--resume")  # the run's own options continue it
    assert load_checkpoint(ck / RUN / "latest.pt")["counters"]["epoch"] == 2


def test_resume_from_moved_data_says_so_and_records_it(interrupted, tmp_path, capsys):
    root, ck, args = interrupted
    moved = tmp_path / "moved"
    shutil.copytree(root, moved)
    train(p3, *p3_args(moved, ck, "--epochs", "2"), "--resume")
    assert f"resuming with --data-root {moved} (the run had {root})" in capsys.readouterr().out
    rows = [json.loads(x) for x in (ck / RUN / "resumes.jsonl").read_text().splitlines()]
    assert rows[-1]["changed"] == {"data_root": [str(root), str(moved)]}
    assert json.loads((ck / RUN / "config.json").read_text())["data_root"] == str(root)  # what the run began with


@pytest.mark.parametrize("change", ["fewer", "other content"])
def test_resume_after_the_data_changed_is_refused(interrupted, capsys, change):
    root, ck, args = interrupted
    folder = root / "digits" / "mnistm" / "train"
    csv_rows = (folder.parent / "train.csv").read_text().splitlines()
    if change == "fewer":  # a third of the labelled digits removed
        for row in csv_rows[1:14]:
            (folder / row.split(",")[0]).unlink()
        (folder.parent / "train.csv").write_text("\n".join(csv_rows[:1] + csv_rows[14:]) + "\n")
        expected = "(36 then, 24 now)"
    else:  # as many digits, one of them another image
        first = folder / csv_rows[1].split(",")[0]
        first.write_bytes((folder / csv_rows[2].split(",")[0]).read_bytes())
        expected = "(as many, 36, with other content)"
    line = train_fails(p3, capsys, *args, "--resume")
    assert f"the labelled mnistm training digits changed since the run was saved {expected}" in line


LOCK_HOLDER = """
import fcntl, sys, time
f = open(sys.argv[1], "a+")
fcntl.flock(f, fcntl.LOCK_EX)
f.truncate(0); f.write("4242\\n"); f.flush()
print("held", flush=True)
time.sleep(120)
"""


def test_a_run_another_process_trains_is_refused_and_a_killed_one_frees_it(interrupted, capsys):
    root, ck, args = interrupted
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(ck / RUN / "train.lock")], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    try:
        line = train_fails(p3, capsys, *args, "--resume")
        assert line == (
            f"error: {ck / RUN} is being trained by another process (pid 4242); wait for it to end, or start a new "
            "run without --resume"
        )
    finally:
        holder.send_signal(signal.SIGKILL)  # as a crash or `kill -9` ends a trainer: the lock goes with it
        holder.wait()
    train(p3, *args, "--resume")
    assert load_checkpoint(ck / RUN / "latest.pt")["counters"]["epoch"] == 2


def test_two_resumes_at_once_train_the_run_once(tmp_path):
    root, ck = tiny_uda_tree(tmp_path / "data", n=200), tmp_path / "ck"
    env = {**PY_ENV, "HW2_CACHE_DIR": str(tmp_path / "cache")}
    cmd = [sys.executable, "-m", "p3_dann.train", *p3_args(root, ck, "--epochs", "3")]
    subprocess.run([*cmd, "--stop-after-epoch", "1"], env=env, check=True, capture_output=True)
    first = subprocess.Popen([*cmd, "--resume"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60  # until the first holds the lock (it writes its pid there)
    while (ck / RUN / "train.lock").read_text().strip() != str(first.pid) and time.time() < deadline:
        time.sleep(0.02)
    second = subprocess.run([*cmd, "--resume"], env=env, capture_output=True, text=True)
    first.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 2 and "being trained by another process" in second.stderr
    epochs = [json.loads(x)["epoch"] for x in (ck / RUN / "metrics.jsonl").read_text().splitlines()]
    assert epochs == [1, 2, 3]
