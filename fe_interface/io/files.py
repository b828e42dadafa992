"""Output files that appear complete or not at all.

Every file fe_interface writes is first written to a temporary file beside its target
and then renamed onto it (``os.replace`` is atomic on POSIX), so an interrupted run
never leaves a half-written result. The temporary file gets the permissions a newly
created file would get (``0o666`` minus the umask), not ``mkstemp``'s private ``0o600``:
results written into a mounted host folder (Docker) stay readable.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_file", "atomic_files", "write_bytes", "write_text"]


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_file(path: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``, on an
    exception it is removed (``suffix``: for writers that choose the format by it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp_", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, _new_file_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_bytes(path: str | Path, data: bytes, fsync: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (``fsync``: flush to disk before the rename,
    for checkpoints that must survive a crash)."""
    with atomic_file(path) as tmp, open(tmp, "wb") as f:
        f.write(data)
        if fsync:
            f.flush()
            os.fsync(f.fileno())


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    write_bytes(path, text.encode())


def atomic_files(target_files: list[Path], write: Callable[[Path], object]) -> None:
    """Call ``write(tmpdir)`` then move each produced file to its target."""
    parent = target_files[0].parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp_", dir=parent))
    try:
        write(tmp)
        for t in sorted(target_files, key=lambda f: f.suffix == ".xdmf"):  # h5 before xdmf
            os.replace(tmp / t.name, t)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
