"""Every file the project publishes appears whole or not at all.

Each writer fills a temporary name in the destination's own folder (same file system, so the final rename is
atomic) and renames it into place only once it is complete; on any failure the temporary is removed and an
existing file at the destination is left as it was. Temporary names are unique, so concurrent writers of one
path never see each other's halves.
"""
import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from common.errors import UsageError


def _parent_folder(path: Path) -> Path:
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise UsageError(f"cannot write {path}: {parent} is a file, not a folder")
    parent.mkdir(parents=True, exist_ok=True)
    return parent


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path (same folder, same suffix) to write; on success it replaces `path`."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder")
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=_parent_folder(path))
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as e:
        if e.filename is None:  # a failed write names no file; name the one being published
            raise OSError(e.errno, e.strerror, str(path)) from None
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
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=_parent_folder(out_dir)))
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
