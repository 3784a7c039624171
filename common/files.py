"""The files the project writes, torch-free: each appears whole or not at all; what every model's files are
called (and the three adaptation scenarios they are named by); the label CSVs.

Atomic output.

Each writer fills a temporary name in the destination's own folder (same file system, so the final rename is
atomic) and renames it into place only once it is complete; on any failure the temporary is removed and an
existing file at the destination is left as it was. Temporary names are unique, so concurrent writers of one
path never see each other's halves. A temporary carries its writer's process id: one whose writer was killed
outright (SIGKILL, a power cut) is swept by the next write to the same destination; other signals and errors
remove it on the way out (common/cli.py turns SIGTERM into an interruption).

Label CSVs: the `image_name,label` files of the digit splits' labels and of the graders' predictions, and scoring the
one against the other as the course's script does. Torch-free, so scoring is instant.
"""

import contextlib
import csv
import errno
import io
import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from common.cli import UsageError

NAME_MAX = 255  # bytes in one file name on Linux, macOS and Windows file systems
_TEMP_TAIL = re.compile(r"\.(\d+)-[0-9a-f]{8}\.tmp")


def _temp_prefix(name: str, suffix: str) -> str:
    """`.<name>` cut short enough that every temporary name ending in `suffix` stays within NAME_MAX bytes."""
    room = NAME_MAX - len(".") - len(".4194304-01234567.tmp") - len(os.fsencode(suffix))
    while len(os.fsencode(name)) > room:
        name = name[:-1]
    return f".{name}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _sweep(folder: Path, prefix: str, suffix: str) -> None:
    """Remove temporaries of this destination whose writer no longer runs."""
    for other in folder.glob(f"{_glob_escape(prefix)}.*.tmp{_glob_escape(suffix)}"):
        tail = _TEMP_TAIL.fullmatch(
            other.name[len(prefix) : len(other.name) - len(suffix)] if suffix else other.name[len(prefix) :]
        )
        if tail and int(tail.group(1)) != os.getpid() and not _alive(int(tail.group(1))):
            if other.is_dir() and not other.is_symlink():
                shutil.rmtree(other, ignore_errors=True)
            else:
                other.unlink(missing_ok=True)


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _temporary(path: Path, folder: bool) -> Path:
    """Create a fresh temporary file or folder beside `path`, after sweeping those of dead writers."""
    parent = _parent_folder(path)
    suffix = "" if folder else path.suffix
    prefix = _temp_prefix(path.name[: len(path.name) - len(suffix)] if suffix else path.name, suffix)
    _sweep(parent, prefix, suffix)
    while True:
        tmp = parent / f"{prefix}.{os.getpid()}-{secrets.token_hex(4)}.tmp{suffix}"
        try:
            if folder:
                tmp.mkdir()
            else:
                os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            return tmp
        except FileExistsError:
            continue


def _parent_folder(path: Path) -> Path:
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise UsageError(f"cannot write {path}: {parent} is a file, not a folder")
    parent.mkdir(parents=True, exist_ok=True)
    return parent


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path (same folder, same suffix) to write; on success it replaces `path` (a symbolic
    link's target, when `path` is a link)."""
    path = (
        Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    )  # a link keeps pointing at the result
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder")
    tmp = _temporary(path, folder=False)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as e:
        if e.filename is None:  # a failed write names no file; name the one being published
            raise OSError(e.errno, e.strerror, str(path)) from None
        raise
    except RuntimeError as e:  # torch.save reports a short write (full disk, file-size limit) as a RuntimeError
        if any(k in str(e) for k in ("unexpected pos", "PytorchStreamWriter", "file write failed")):
            raise OSError(
                errno.ENOSPC, "the write stopped short (a full disk or a file-size limit)", str(path)
            ) from None
        raise
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def check_output_folder(out_dir: Path, names: list[str]) -> None:
    """Refuse, before any work, an output folder that is a file or holds files other than `names`."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"output folder {out_dir} is a file")
    if out_dir.is_dir():
        ours = set(names)
        others = sorted(p.name for p in out_dir.iterdir() if p.name not in ours)
        if others:
            raise UsageError(
                f"output folder {out_dir} already holds {len(others)} other file(s) "
                f"({', '.join(others[:3])}); empty it or choose a new folder"
            )


@contextlib.contextmanager
def atomic_folder(out_dir: Path, names: list[str]) -> Iterator[Path]:
    """Yield a temporary folder in which to write exactly the files `names`; on success they move into out_dir.

    An out_dir that already holds other files is refused before anything is written: the graders count
    what the folder holds, so stray files would change the count. Our own names from an earlier run are replaced.
    """
    out_dir = Path(out_dir)
    check_output_folder(out_dir, names)
    tmp = _temporary(out_dir, folder=True)
    try:
        try:
            yield tmp
        except OSError as e:
            if e.filename is None:  # a failed write names no file; name the folder being published
                raise OSError(e.errno, e.strerror, str(out_dir)) from None
            raise
        missing = [n for n in names if not (tmp / n).is_file()]
        if missing:
            raise RuntimeError(f"atomic_folder: {len(missing)} promised file(s) were not written ({missing[0]})")
        if not out_dir.exists():
            os.rename(tmp, out_dir)  # the whole folder appears at once
        else:
            for n in names:  # renames on one file system: they cannot run out of space half way
                os.replace(tmp / n, out_dir / n)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- what the models' files are called -------------------------------------------------------------------------

# A model's name is the stem of its checkpoint HW2_CKPT_DIR/<name>.pt, of its run folders runs/<name>/ and, for a
# UDA model, of its predictions and score eval/<name>.csv and .txt. Kept here, torch-free, for the shell scripts.
GAN_NAMES = {"p1": "p1_dcgan", "p2": "p2_acgan"}  # the problem's graders' checkpoint
EVALUATOR_CHECKPOINT = "digit_classifier.pt"  # our digit evaluator, which P2 selects with when Classifier.pth is absent
# The UDA methods the report compares on each scenario, and the problem that trains each.
UDA_METHODS = {"source": "p3", "dann": "p3", "target": "p3", "bonus": "bonus"}
SERVED_METHODS = ("dann", "bonus")  # what hw2_p3.sh and hw2_bonus.sh serve; P3's bounds are other models of p3

DOMAIN_NAMES = {"mnistm": "MNIST-M", "usps": "USPS", "svhn": "SVHN"}
# The graders name the *target* domain; each target has one scenario.
SOURCE_OF_TARGET = {"usps": "mnistm", "mnistm": "svhn", "svhn": "usps"}
SCENARIOS = [(s, t) for t, s in SOURCE_OF_TARGET.items()]  # (mnistm, usps), (svhn, mnistm), (usps, svhn)


def source_for(target: str) -> str:
    if target not in SOURCE_OF_TARGET:
        raise UsageError(f"unknown DOMAIN {target!r}; expected one of {', '.join(SOURCE_OF_TARGET)}")
    return SOURCE_OF_TARGET[target]


def scenario_title(source: str, target: str) -> str:
    return f"{DOMAIN_NAMES[source]} → {DOMAIN_NAMES[target]}"


def model_name(method: str, source: str, target: str) -> str:
    """<problem>_<S>2<T> for a model the graders' scripts serve (p3_mnistm2usps, bonus_mnistm2usps), and
    <problem>_<S>2<T>_<method> for P3's bounds (p3_mnistm2usps_source, p3_mnistm2usps_target)."""
    return f"{UDA_METHODS[method]}_{source}2{target}" + ("" if method in SERVED_METHODS else f"_{method}")


# --- label CSVs ------------------------------------------------------------------------------------------------


def read_label_csv(path: Path) -> dict[str, int]:
    """`image_name,label` rows as {image_name: label}; a bad header, label or duplicate name is an error."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"label file {path} is missing")
    with open(path, newline="", encoding="utf-8-sig") as f:  # a byte-order mark is not part of the header
        rows = list(csv.reader(f))
    if not rows or [c.strip() for c in rows[0][:2]] != ["image_name", "label"]:
        raise UsageError(f"{path} must start with the header 'image_name,label'")
    labels: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        try:
            name, label = row[0].strip(), int(row[1])
        except (IndexError, ValueError):
            raise UsageError(f"{path} line {line}: expected 'image_name,label', got {','.join(row)!r}") from None
        if name in labels:
            raise UsageError(f"{path} line {line}: {name} appears twice")
        labels[name] = label
    return labels


def write_label_csv(path: Path, names: list[str], labels: list[int], announce_as: str = "") -> None:
    """`image_name,label` rows, whole or not at all. A file name that is not valid UTF-8 is written back as the very
    bytes the file system gave. `announce_as`: the line to print once the file is complete, before it replaces
    `path` (announce)."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8", errors="surrogateescape") as f:
            w = csv.writer(f)
            w.writerow(["image_name", "label"])
            w.writerows(zip(names, labels))
        announce(announce_as)


def announce(line: str) -> None:
    """Print a command's closing line on stdout before its output is published, so that a stdout that cannot be
    written (a closed pipe, a full disk) fails the command with the earlier output left as it was. Written to the
    file descriptor directly: a failed line stays in no buffer to fail again at exit."""
    if not line:
        return
    try:
        sys.stdout.flush()
        try:
            fd = sys.stdout.fileno()
        except (AttributeError, ValueError, io.UnsupportedOperation):  # a stream without one (a test's capture)
            print(line, flush=True)
            return
        os.write(fd, (line + "\n").encode())
    except OSError as e:
        raise OSError(e.errno, e.strerror, "standard output") from None


def score(pred_csv: Path, gt_csv: Path) -> tuple[int, int]:
    """(correct, total), rows matched by image_name; every ground-truth name needs exactly one prediction and
    vice versa."""
    pred, gt = read_label_csv(pred_csv), read_label_csv(gt_csv)  # duplicates are refused there
    missing = [n for n in gt if n not in pred]
    extra = [n for n in pred if n not in gt]
    if missing:
        raise UsageError(f"{pred_csv} lacks {len(missing)} image(s) of {gt_csv}: {', '.join(missing[:5])}")
    if extra:
        raise UsageError(f"{pred_csv} has {len(extra)} image(s) not in {gt_csv}: {', '.join(extra[:5])}")
    return sum(pred[n] == y for n, y in gt.items()), len(gt)
