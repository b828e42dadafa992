"""Single output files that appear complete or not at all.

Every file fe_interface writes is first written to a temporary file beside its target
and then renamed onto it (``os.replace`` is atomic on POSIX), so an interrupted run never
leaves a half-written file (:func:`atomic_file`, :func:`write_bytes`, :func:`write_text`).
The temporary file gets the permissions a newly created file would get (``0o666`` minus
the umask), not ``mkstemp``'s private ``0o600``: results written into a mounted host
folder (Docker) stay readable.  Temporaries are named ``.tmp_[tag_]<host>_<pid>-*``
(:func:`tmp_prefix`) so that :mod:`fe_interface.io.locks` can tell whose they are.
Result sets of several files: :mod:`fe_interface.io.files`.
"""

from __future__ import annotations

import errno
import gc
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fe_interface.errors import InputError, OutputError, describe

__all__ = [
    "HOST",
    "atomic_file",
    "atomic_files",
    "check_output_name",
    "new_file_mode",
    "output_error",
    "quiet_unraisable",
    "tmp_prefix",
    "write_bytes",
    "write_text",
]

#: this host's name in temporaries' names (no ``_`` or ``/``)
HOST = socket.gethostname().replace("_", "-").replace("/", "-") or "host"


def new_file_mode() -> int:
    """The permissions of a newly created file: ``0o666`` minus the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def tmp_prefix(tag: str = "") -> str:
    """Prefix of this process's temporaries.

    ``.tmp_[tag_]<host>_<pid>-`` (the random part that follows has no ``-``; the host has no
    ``_``).
    """
    tag = f"{tag}_" if tag else ""
    return f".tmp_{tag}{HOST}_{os.getpid()}-"


def output_error(e: BaseException, what: str) -> OutputError:
    """One line for a failed write: ``what: <reason>`` (disk full, permission, ...)."""
    if isinstance(e, OutputError):
        return e
    if isinstance(e, OSError) and e.errno == errno.ENOSPC:
        reason = "no space left on device"
    elif isinstance(e, OSError) and e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = f"permission denied ({e.strerror})"
    elif isinstance(e, OSError) and e.errno == errno.EDQUOT:
        reason = "disk quota exceeded"
    else:
        reason = describe(e).splitlines()[0] if str(e) else type(e).__name__
        if "No space left" in str(e) or "errno = 28" in str(e):
            reason = "no space left on device"
    err = OutputError(f"{what}: {reason}")
    if isinstance(e, OSError):
        err.errno = e.errno
    return err


@contextmanager
def quiet_unraisable(collect: bool = False) -> Iterator[None]:
    """Silence the unraisable-exception pages h5py prints when a flush fails.

    These are the "Exception ignored in ... __dealloc__" pages that h5py prints when a file it
    holds cannot be flushed (disk full).  When the block raises (or ``collect`` is set: a
    block that drops such objects on purpose), garbage is collected before leaving, so those
    objects die while the hook is installed.  A block that succeeds is not followed by a
    collection: a full ``gc.collect()`` costs ~0.1 s in a large process, and a time series
    enters this block at every frame.
    """
    old = sys.unraisablehook

    def hook(u: Any) -> None:
        if isinstance(u.exc_value, OSError) or "h5py" in repr(u.object):
            return
        old(u)

    sys.unraisablehook = hook
    try:
        yield
    except BaseException:
        gc.collect()
        raise
    else:
        if collect:
            gc.collect()
    finally:
        sys.unraisablehook = old


# --------------------------------------------------------------------------------------
# single files
# --------------------------------------------------------------------------------------
@contextmanager
def atomic_file(path: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path``.

    On success it replaces ``path``, on an exception it is removed (``suffix``: for writers that
    choose the format by it).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=tmp_prefix(), suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, new_file_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_bytes(path: str | Path, data: bytes, fsync: bool = False) -> None:
    """Write ``data`` to ``path`` atomically.

    ``fsync``: flush to disk before the rename, for checkpoints that must survive a crash.
    """
    with atomic_file(path) as tmp, open(tmp, "wb") as f:
        f.write(data)
        if fsync:
            f.flush()
            os.fsync(f.fileno())


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    write_bytes(path, text.encode())


def atomic_files(target_files: list[Path], write: Callable[[Path], object]) -> None:
    """Call ``write(tmpdir)`` then move each produced file to its target.

    The ``.xdmf`` file is moved last, after its ``.h5``.  Prefer :class:`ResultSet` for sets of files.
    """
    parent = target_files[0].parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=tmp_prefix(), dir=parent))
    try:
        write(tmp)
        for t in sorted(target_files, key=lambda f: f.suffix == ".xdmf"):  # h5 before xdmf
            os.replace(tmp / t.name, t)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_output_name(name: Any, what: str = "output name") -> str:
    """A base name for result files.

    A non-empty string without path separators, not ``.``/``..``, not starting with ``.``
    (hidden names are the temporaries').

    Raises:
        InputError: naming ``what``.
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{what} must be a non-empty file name, got {name!r}")
    bad = [c for c in ("/", "\\", "\0") if c in name]
    if bad or name in (".", "..") or ".." in name.split("."):
        raise InputError(
            f"{what} must be a plain file name (no folders, no '..'), got {name!r}; "
            "choose the folder with the output folder instead"
        )
    if name.startswith(".") or name != name.strip():
        raise InputError(f"{what} must not start with '.' or a space, got {name!r}")
    return name
