"""Edges a user meets outside the happy path: full disks and file-size limits while training, SIGTERM, long and
odd names, images that would be misread, and arguments that look like options. Faults are real where the
machine can make them (a file-size limit, a signal) and injected where it cannot (a disk that fills)."""

import csv
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from common.checkpoints import atomic_save, load_checkpoint
from common.files import write_text
from common.images import list_images, read_rgb
from common.uda.predict import predict_folder_to_csv
from p3_dann.model import ARCHS as P3_ARCHS
from tests.helpers import REPO

PY_ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def tiny_uda_tree(root: Path, n: int = 40) -> Path:
    rng = np.random.default_rng(0)
    for domain in ("mnistm", "usps"):
        for split in ("train", "test"):
            folder = root / "digits" / domain / split
            folder.mkdir(parents=True)
            with open(folder.parent / f"{split}.csv", "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["image_name", "label"])
                for i in range(n):
                    Image.fromarray(rng.integers(0, 255, (28, 28, 3), dtype=np.uint8)).save(folder / f"{i:03d}.png")
                    w.writerow([f"{i:03d}.png", i % 10])
    return root


def p3_args(root: Path, ck: Path, *extra: str, batch_size: int = 8) -> list[str]:
    """The options of a P3 run on tiny_uda_tree's MNIST-M -> USPS."""
    return ["--data-root", str(root), "--source", "mnistm", "--target", "usps", "--ckpt-dir", str(ck),
            "--batch-size", str(batch_size), *extra]  # fmt: skip


def train_cmd(root: Path, ck: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "p3_dann.train", *p3_args(root, ck, *extra)]


def no_temporaries(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if ".tmp" in p.name]


def test_a_file_size_limit_while_training_is_one_line_and_keeps_the_last_checkpoint(tmp_path):
    root, ck = tiny_uda_tree(tmp_path / "data"), tmp_path / "ck"
    env = {**PY_ENV, "HW2_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run(
        train_cmd(root, ck, "--epochs", "2", "--stop-after-epoch", "1"), env=env, check=True, capture_output=True
    )
    latest = ck / "runs" / "p3_mnistm2usps" / "00000" / "latest.pt"
    before = latest.read_bytes()

    def limit_file_size():  # a real EFBIG on every write past 50 kB, as `ulimit -f` gives
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))

    proc = subprocess.run(
        train_cmd(root, ck, "--epochs", "2", "--resume"),
        env={**env, "HW2_CACHE_DIR": str(tmp_path / "c2")},
        preexec_fn=limit_file_size,
        capture_output=True,
        text=True,
    )
    errors = [x for x in proc.stderr.splitlines() if x.startswith("error:")]
    assert proc.returncode == 1 and len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "p3_mnistm2usps" in errors[0] and "file-size limit" in errors[0], errors[0]
    assert "warning: not caching decoded images" in proc.stderr  # the cache only warns; training went on to save
    assert latest.read_bytes() == before and load_checkpoint(latest)["counters"]["epoch"] == 1
    assert no_temporaries(ck)


def test_a_torn_torch_save_is_one_line_naming_the_file(tmp_path, monkeypatch):
    """torch.save reports a disk that fills mid-write as a RuntimeError from its zip writer."""
    atomic_save({"step": 1}, tmp_path / "latest.pt")

    def torn(obj, f, *a, **k):
        f.write(b"PK")
        raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 64 vs 0")

    monkeypatch.setattr(torch, "save", torn)
    with pytest.raises(OSError) as e:
        atomic_save({"step": 2}, tmp_path / "latest.pt")
    assert e.value.filename == str(tmp_path / "latest.pt") and "file-size limit" in e.value.strerror
    monkeypatch.undo()
    assert load_checkpoint(tmp_path / "latest.pt") == {"step": 1} and no_temporaries(tmp_path)


def test_sigterm_stops_a_trainer_like_ctrl_c_and_resume_continues(tmp_path):
    root, ck = tiny_uda_tree(tmp_path / "data", n=200), tmp_path / "ck"
    env = {**PY_ENV, "HW2_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen(
        train_cmd(root, ck, "--epochs", "50"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    latest = ck / "runs" / "p3_mnistm2usps" / "00000" / "latest.pt"
    deadline = time.time() + 120
    while not latest.exists() and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM and "Traceback" not in err, err
    epoch = load_checkpoint(latest)["counters"]["epoch"]
    assert 1 <= epoch < 50 and no_temporaries(ck)
    done = subprocess.run(
        train_cmd(root, ck, "--epochs", "50", "--stop-after-epoch", str(epoch + 1), "--resume"),
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and load_checkpoint(latest)["counters"]["epoch"] == epoch + 1, done.stderr


SLOW_FOLDER = """
import sys, time
from common.files import atomic_folder
from common.cli import run_cli
def main():
    with atomic_folder(sys.argv[1], [f"{i}.png" for i in range(100)]) as tmp:
        for i in range(100):
            (tmp / f"{i}.png").write_bytes(b"x")
            time.sleep(0.05)
run_cli(main)
"""


def test_temporaries_of_a_killed_writer_are_swept_by_the_next_write(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / f".preds.{dead.pid}-0123abcd.tmp.csv").write_text("half")
    (tmp_path / f".out.{dead.pid}-89abcdef.tmp").mkdir()
    alive = tmp_path / ".preds.1-0123abcd.tmp.csv"  # pid 1 always runs
    alive.write_text("another writer's")
    write_text(tmp_path / "preds.csv", "image_name,label\n")
    from common.files import atomic_folder

    with atomic_folder(tmp_path / "out", ["a.png"]) as tmp:
        (tmp / "a.png").write_bytes(b"x")
    assert sorted(os.listdir(tmp_path)) == sorted([alive.name, "out", "preds.csv"])


def test_a_legal_long_name_is_not_pushed_over_the_limit(tmp_path):
    name = "p" * 250 + ".csv"
    write_text(tmp_path / name, "ok")
    folder = tmp_path / ("d" * 255)
    from common.files import atomic_folder

    with atomic_folder(folder, ["0.png"]) as tmp:
        (tmp / "0.png").write_bytes(b"x")
    assert (tmp_path / name).read_text() == "ok" and (folder / "0.png").exists()


def test_an_out_csv_that_is_a_link_writes_its_target(tmp_path):
    (tmp_path / "real.csv").write_text("old")
    (tmp_path / "link.csv").symlink_to("real.csv")
    write_text(tmp_path / "link.csv", "new")
    assert (tmp_path / "link.csv").is_symlink() and (tmp_path / "real.csv").read_text() == "new"


def test_file_names_that_are_not_utf8_reach_the_csv_as_the_same_bytes(tmp_path):
    folder = tmp_path / "test"
    folder.mkdir()
    raw = b"\xff\xfe.png"
    Image.new("L", (28, 28), 9).save(os.path.join(os.fsencode(folder), raw), format="PNG")
    Image.new("L", (28, 28), 9).save(folder / "a.png")
    out = tmp_path / "out.csv"
    assert predict_folder_to_csv(P3_ARCHS["dann_lcn"]().eval(), folder, out, torch.device("cpu")) == 2
    rows = out.read_bytes().splitlines()
    assert rows[0] == b"image_name,label" and sorted(r.split(b",")[0] for r in rows[1:]) == sorted([raw, b"a.png"])


def test_float_images_are_scaled_by_their_range(tmp_path):
    ramp = np.linspace(0, 1, 28 * 28, dtype=np.float32).reshape(28, 28)
    Image.fromarray(ramp, "F").save(tmp_path / "unit.tif")
    Image.fromarray(ramp * 255, "F").save(tmp_path / "bytes.tif")
    unit, full = read_rgb(tmp_path / "unit.tif", 28), read_rgb(tmp_path / "bytes.tif", 28)
    assert unit.max() == 255 and np.abs(unit.astype(int) - full.astype(int)).max() <= 1


def test_everything_skipped_in_a_test_folder_is_named(tmp_path, capsys):
    Image.new("L", (28, 28)).save(tmp_path / "a.png")
    Image.new("L", (28, 28)).save(tmp_path / ".hidden.png")
    (tmp_path / "gone.png").symlink_to(tmp_path / "nowhere.png")
    (tmp_path / "notes.txt").write_text("x")
    assert [p.name for p in list_images(tmp_path)] == ["a.png"]
    warning = capsys.readouterr().err
    assert warning.count("\n") == 1 and "skipped 3 file(s)" in warning
    assert ".hidden.png (hidden)" in warning and "gone.png (a link to nothing)" in warning and "notes.txt" in warning


@pytest.mark.parametrize("script", ["hw2_p3.sh", "hw2_bonus.sh"])
def test_a_test_dir_that_looks_like_an_option_is_still_a_path(tmp_path, script):
    proc = subprocess.run(
        ["bash", str(REPO / "scripts" / script), "-h", "usps", str(tmp_path / "o.csv")],
        cwd=tmp_path,
        env={**PY_ENV, "HW2_CKPT_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "usage:" not in proc.stdout and "error:" in proc.stderr, proc.stderr
    assert not (tmp_path / "o.csv").exists()


def reuse_decision(ckpt: Path, name: str) -> tuple[str, str]:
    """What scripts/lib.sh (make demo, train_*.sh) decides for a checkpoint: (reuse|resume|train, its message)."""
    proc = subprocess.run(
        ["bash", "-c", f'source scripts/lib.sh; reuse_or_train "{ckpt}" "{name}"'],
        cwd=REPO,
        env=PY_ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip(), proc.stderr.strip()


def test_an_interrupted_run_is_resumed_on_the_rerun_never_served_as_finished(tmp_path):
    from p3_dann import train as p3
    from tests.helpers import train

    root, ck = tiny_uda_tree(tmp_path / "data"), tmp_path / "ck"
    args = p3_args(root, ck, "--epochs", "2", batch_size=16)
    train(p3, *args, "--stop-after-epoch", "1")  # as a Ctrl-C after epoch 1 leaves it
    served = ck / "p3_mnistm2usps.pt"
    assert load_checkpoint(served)["finished"] is False
    assert reuse_decision(served, "p3_mnistm2usps") == ("resume", f"resuming the interrupted run of {served}")
    train(p3, *args, "--resume")
    ckpt = load_checkpoint(served)
    assert ckpt["finished"] is True and ckpt["counters"]["epoch"] == 2
    assert reuse_decision(served, "p3_mnistm2usps")[0] == "reuse"
    # an interrupted model whose run folder is gone is retrained, not reused
    atomic_save({**ckpt, "finished": False}, served)
    for latest in ck.glob("runs/*/*/latest.pt"):
        latest.unlink()
    assert reuse_decision(served, "p3_mnistm2usps") == ("train", f"retraining {served}: its run did not finish")


def test_a_gan_run_is_finished_only_at_the_end_of_its_budget(demo_root, tmp_path):
    from p2_acgan import train as p2
    from tests.helpers import train

    args = ["--data-root", str(demo_root), "--ckpt-dir", str(tmp_path), "--steps", "3", "--batch-size", "8"]
    train(p2, *args, "--stop-after-step", "2")
    assert load_checkpoint(tmp_path / "p2_acgan.pt")["finished"] is False
    train(p2, *args, "--resume")
    assert load_checkpoint(tmp_path / "p2_acgan.pt")["finished"] is True


def test_graders_scripts_without_the_runtime_packages_say_so_in_one_line(tmp_path):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True)
    env = {**os.environ, "PATH": f"{tmp_path / 'bare' / 'bin'}:{os.environ['PATH']}"}
    proc = subprocess.run(
        ["bash", "scripts/hw2_p2.sh", str(tmp_path / "out")], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "lacks torch" in proc.stderr and "source .venv/bin/activate" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_checkpoint_that_is_a_loop_or_a_folder_is_named_as_such(tmp_path):
    from common.cli import UsageError

    (tmp_path / "a.pt").symlink_to(tmp_path / "b.pt")
    (tmp_path / "b.pt").symlink_to(tmp_path / "a.pt")
    (tmp_path / "dir.pt").mkdir()
    (tmp_path / "link.pt").symlink_to(tmp_path / "dir.pt")
    (tmp_path / "dangling.pt").symlink_to(tmp_path / "gone.pt")
    for name, what in (
        ("a.pt", "is a symbolic link loop"),
        ("dir.pt", "is a folder, not a file"),
        ("link.pt", "is a link to a folder"),
        ("dangling.pt", "which is missing"),
        ("none.pt", "is missing; train it with: X"),
    ):
        with pytest.raises(UsageError, match=what):
            load_checkpoint(tmp_path / name, trained_by="X")


def test_an_unwritable_cache_warns_once_per_process(tmp_path):
    script = (
        "from pathlib import Path; from PIL import Image; from common.images import cached_decode\n"
        f"p = Path('{tmp_path}')\n"
        "for n in range(3):\n"
        "    Image.new('RGB', (28, 28), (n, n, n)).save(p / f'{n}.png')\n"
        "    cached_decode([p / f'{n}.png'], 28)\n"
    )
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    env = {**PY_ENV, "HW2_CACHE_DIR": str(tmp_path / "cache" / "sub")}
    err = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True).stderr
    assert err.count("warning: not caching decoded images") == 1, err


class _RunsACommand:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_the_scripts_quick_status_read_agrees_with_the_full_load_and_runs_nothing(tmp_path):
    from app.model_files import run_status as quick
    from common.checkpoints import run_status as full

    done, cut = tmp_path / "done.pt", tmp_path / "cut.pt"
    atomic_save({"problem": "p3", "weights": {"w": torch.ones(2)}, "finished": True}, done)
    atomic_save({"problem": "p3", "weights": {"w": torch.ones(2)}, "finished": False}, cut)
    (tmp_path / "junk.pt").write_bytes(b"PK not a zip")
    for name in ("done.pt", "cut.pt", "junk.pt", "none.pt"):
        assert quick(tmp_path / name) == full(tmp_path / name), name
    marker = tmp_path / "ran"
    torch.save({"problem": "p3", "finished": True, "x": _RunsACommand(marker)}, tmp_path / "evil.pt")
    assert quick(tmp_path / "evil.pt") == "finished" and not marker.exists()  # its loading by the graders refuses it
    assert full(tmp_path / "evil.pt") == "unreadable" and not marker.exists()


def test_a_batch_larger_than_the_data_is_refused_and_one_as_large_counts_its_images(tmp_path, monkeypatch, capsys):
    import common.training
    from p3_dann import train as p3
    from tests.helpers import train, train_fails

    bars = []
    real_progress = common.training.image_progress
    monkeypatch.setattr(
        common.training, "image_progress", lambda *a, **k: bars.append(real_progress(*a, **k)) or bars[-1]
    )
    root, ck = tiny_uda_tree(tmp_path / "data"), tmp_path / "ck"
    # 40 labelled digits, 36 after the validation split
    line = train_fails(p3, capsys, *p3_args(root, ck, "--epochs", "2", batch_size=512))
    assert (
        line
        == "error: --batch-size 512 is larger than the 36 labelled mnistm training digits it draws from; use at most 36"
    )
    assert not (ck / "runs").exists()
    train(p3, *p3_args(root, ck, "--epochs", "2", batch_size=36))  # one step per epoch
    assert [(b.n, b.total) for b in bars] == [(2 * 36, 2 * 36)]


def test_the_image_cache_sees_new_pixels_under_old_names_sizes_and_times(tmp_path, monkeypatch):
    from common.images import cached_decode

    monkeypatch.setenv("HW2_CACHE_DIR", str(tmp_path / "cache"))
    files = [tmp_path / f"{i}.bmp" for i in range(3)]  # BMP: the same size whatever the pixels
    for i, f in enumerate(files):
        Image.new("RGB", (28, 28), (10 * i,) * 3).save(f)
    assert cached_decode(files, 28)[:, 0, 0, 0].tolist() == [0, 10, 20]
    times = [(f.stat().st_atime_ns, f.stat().st_mtime_ns) for f in files]
    for f, t in zip(files, times):  # re-extracted from an archive: new pixels, old names, sizes and times
        size = f.stat().st_size
        f.unlink()
        Image.new("RGB", (28, 28), (200, 200, 200)).save(f)
        os.utime(f, ns=t)
        assert f.stat().st_size == size
    assert cached_decode(files, 28)[:, 0, 0, 0].tolist() == [200, 200, 200]


def test_an_empty_cache_variable_means_the_default_folder(monkeypatch):
    from common.images import cache_dir

    monkeypatch.setenv("HW2_CACHE_DIR", "")
    assert cache_dir() == Path.home() / ".cache" / "hw2"


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_photos_are_read_upright(tmp_path, orientation):
    upright = Image.new("RGB", (40, 40), (0, 0, 0))
    upright.paste((255, 255, 255), (0, 0, 40, 20))  # white top half
    # As a phone stores it: the pixels turned, and the EXIF tag says how to turn them back.
    stored = upright.transpose({3: Image.ROTATE_180, 6: Image.ROTATE_90, 8: Image.ROTATE_270}[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored.save(tmp_path / "photo.jpg", exif=exif, quality=95)
    image = read_rgb(tmp_path / "photo.jpg", 28)
    assert image[:10].mean() > 200 and image[-10:].mean() < 50


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_during_an_all_or_nothing_folder_leaves_nothing(tmp_path, signum):
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_FOLDER, str(out)], env=PY_ENV, stderr=subprocess.PIPE, text=True
    )
    deadline = time.time() + 60
    while not list(tmp_path.glob(".out.*/5.png")) and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum and "Traceback" not in err and sorted(os.listdir(tmp_path)) == [], err


def test_the_scripts_run_from_a_path_with_a_colon(tmp_path):
    repo = tmp_path / "a:b" / "repo"
    shutil.copytree(
        REPO, repo, ignore=shutil.ignore_patterns(".venv", ".git", "demo_*", "checkpoints", "__pycache__", "assets")
    )
    env = {**os.environ, "HW2_CKPT_DIR": str(tmp_path / "ck")}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        ["bash", str(repo / "scripts" / "hw2_p3.sh"), str(tmp_path), "usps", str(tmp_path / "o.csv")],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2 and "p3_mnistm2usps.pt is missing; train it with" in proc.stderr, proc.stderr
    listing = subprocess.run(
        ["bash", "-c", f'source "{repo}/scripts/lib.sh"; py app.model_files checkpoint p1'],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert listing.stdout == "p1_dcgan.pt\n", listing.stderr


def test_a_grader_that_cannot_write_its_stdout_leaves_the_earlier_csv(tmp_path):
    ck, folder, out = tmp_path / "ck", tmp_path / "test", tmp_path / "out.csv"
    folder.mkdir()
    for i in range(3):
        Image.new("L", (16, 16), 40 * i).save(folder / f"{i}.png")
    atomic_save(
        {
            "problem": "p3",
            "name": "p3_mnistm2usps",
            "arch": "dann_lcn",
            "weights": P3_ARCHS["dann_lcn"]().state_dict(),
            "config": {"source": "mnistm", "target": "usps"},
        },
        ck / "p3_mnistm2usps.pt",
    )
    out.write_text("an earlier run's predictions\n")
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            ["bash", "scripts/hw2_p3.sh", str(folder), "usps", str(out)],
            cwd=REPO,
            env={**os.environ, "HW2_CKPT_DIR": str(ck)},
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert proc.returncode == 1 and proc.stderr.startswith("error: cannot use standard output"), proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and out.read_text() == "an earlier run's predictions\n"
    assert no_temporaries(tmp_path)


def test_an_address_space_limit_is_one_line(tmp_path):
    def limit_memory():  # as `ulimit -v` or `prlimit --as` does
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    proc = subprocess.run(
        ["bash", "scripts/hw2_p2.sh", str(tmp_path / "out")],
        cwd=REPO,
        env={**os.environ, "HW2_CKPT_DIR": str(tmp_path / "ck")},
        preexec_fn=limit_memory,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and proc.stderr.startswith("error: memory ran out"), proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and not (tmp_path / "out").exists()


def test_a_failed_allocation_is_one_line(capsys):
    from common.cli import run_cli

    def allocate():
        raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] . DefaultCPUAllocator: can't allocate memory")

    with pytest.raises(SystemExit) as e:
        run_cli(allocate)
    assert e.value.code == 1 and capsys.readouterr().err.startswith("error: memory ran out")


def test_the_queue_runs_side_by_side_says_when_and_reports_failures(tmp_path):
    runs = "a app.model_files checkpoint p1\nb app.model_files checkpoint p2\n'c d' app.model_files nonsense\n"
    proc = subprocess.run(
        [sys.executable, "-m", "app.run_queue", "--slots", "cpu,cpu", "--logs", str(tmp_path)],
        input=runs,
        cwd=REPO,
        env=PY_ENV,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "3 run(s) on 2 slot(s): cpu, cpu" in proc.stdout, proc.stdout + proc.stderr
    assert proc.stdout.count("start ") == 3 and "(3/3 done, all in" in proc.stdout
    assert "end c d in" in proc.stdout and "FAILED (exit 2)" in proc.stdout and "error: usage" in proc.stdout
    assert (tmp_path / "a.log").read_text() == "p1_dcgan.pt\n" and (tmp_path / "b.log").read_text() == "p2_acgan.pt\n"


def test_a_device_that_is_not_there_is_one_line(tmp_path, capsys):
    from p3_dann import train as p3
    from tests.helpers import train_fails

    root, ck = tiny_uda_tree(tmp_path / "data"), tmp_path / "ck"
    assert "not a device; use cpu, cuda, cuda:N or auto" in train_fails(
        p3, capsys, *p3_args(root, ck, "--device", "gpu")
    )
    if not torch.cuda.is_available():
        assert "no such GPU is visible" in train_fails(p3, capsys, *p3_args(root, ck, "--device", "cuda:7"))


def test_report_curves_say_when_a_gan_run_logged_nothing(tmp_path):
    from app.report import curves

    (tmp_path / "out").mkdir()
    made = curves(tmp_path / "checkpoints", tmp_path / "out")
    captions = [caption for path, caption in made if path is None]
    assert [c.split(":")[0] for c in captions] == ["P1", "P2", "P3 and bonus"]
    assert all("no curves" in c for c in captions) and not list((tmp_path / "out").iterdir())
