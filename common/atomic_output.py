"""Every file the project publishes appears whole or not at all.

Each writer fills a temporary name in the destination's own folder (same file system, so the final rename is
atomic) and renames it into place only once it is complete; on any failure the temporary is removed and an
existing file at the destination is left as it was. Temporary names are unique, so concurrent writers of one
path never see each other's halves. A temporary carries its writer's process id: one whose writer was killed
outright (SIGKILL, a power cut) is swept by the next write to the same destination; other signals and errors
remove it on the way out (common/errors.py turns SIGTERM into an interruption).
"""
import contextlib
import errno
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import Iterator

from common.errors import UsageError

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
        tail = _TEMP_TAIL.fullmatch(other.name[len(prefix):len(other.name) - len(suffix)] if suffix else
                                    other.name[len(prefix):])
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
    prefix = _temp_prefix(path.name[:len(path.name) - len(suffix)] if suffix else path.name, suffix)
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
    path = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)  # a link keeps pointing at the result
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
            raise OSError(errno.ENOSPC, "the write stopped short (a full disk or a file-size limit)", str(path)) from None
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
            raise UsageError(f"output folder {out_dir} already holds {len(others)} other file(s) "
                             f"({', '.join(others[:3])}); empty it or choose a new folder")


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
