"""Writing through C libraries that must not meet a full disk: HDF5 and ADIOS2.

A C library that runs out of space in the middle of a file may take the process with it:
HDF5 (through h5py) crashes with SIGSEGV when it closes a file whose write failed
(``H5D__flush_all_cb``, after pages of "Exception ignored" tracebacks), and ADIOS2 (the
VTX writer) throws from a destructor when its engine is closed after a failed write, which
ends in ``std::terminate`` (SIGABRT).  So neither ever sees a failed write:

* **HDF5** files are opened on a :class:`GuardedFile` (h5py's ``fileobj`` driver): a
  Python file whose ``write`` never fails towards HDF5.  The first failure is kept (and
  every later write dropped); :meth:`GuardedFile.check` raises it after the library call,
  as an ordinary ``OSError`` that becomes one :class:`~fe_interface.errors.OutputError`
  line.  HDF5's state stays consistent, so the file closes cleanly.
* **ADIOS2** cannot be given a Python file: :func:`check_space` refuses a write when the
  file system has less free space than a safe upper bound of what it adds
  (:func:`vtx_step_bytes`), before ADIOS2 is called, collectively.  An ADIOS2 writer
  whose write failed anyway (a race with another process filling the disk) is never
  closed: :func:`abandon` keeps it alive until the process ends, after its files were
  truncated to free their space.  A writer that ADIOS2 never saw fail (a step refused
  before ADIOS2 was called) is closed normally, after its files were truncated.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
from pathlib import Path
from typing import Any

from fe_interface.errors import OutputError, agree

__all__ = [
    "GuardedFile",
    "abandon",
    "check_space",
    "free_bytes",
    "truncate_files",
    "vtx_step_bytes",
]

#: what a VTX step costs beyond its arrays, per process (ADIOS2 metadata, three files'
#: partly filled blocks); measured: 4-8 kB per step and process
_VTX_OVERHEAD = 16 * 1024


class GuardedFile:
    """A binary file for h5py's ``fileobj`` driver: no method ever raises.

    ``h5py.File(GuardedFile(path), "w")`` writes an ordinary HDF5 file.  A failed write
    (disk full, quota, I/O error) is kept, and every later write dropped; reads of what
    was dropped give zeros; after :meth:`close` everything is dropped (h5py may still
    flush a file it closes late).  Call :meth:`check` after each library call that writes
    (a flush, the close of the HDF5 file): it raises the first failure.

    Args:
        path: the file (created or truncated).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.error: OSError | None = None
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o666)
        self._pos = 0
        self._end = 0  # the size HDF5 believes the file has

    def _fail(self, e: OSError) -> None:
        if self.error is None:
            self.error = e

    def seek(self, pos: int, whence: int = os.SEEK_SET) -> int:
        """Move the position."""
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self._end}[whence]
        self._pos = base + pos
        return self._pos

    def tell(self) -> int:
        """The position."""
        return self._pos

    def readinto(self, buf: Any) -> int:
        """Read into ``buf``; what the file lacks (writes that were dropped) reads as 0."""
        view = memoryview(buf).cast("B")
        data = b""
        if self._fd >= 0:
            try:
                data = os.pread(self._fd, len(view), self._pos)
            except OSError as e:
                self._fail(e)
        view[: len(data)] = data
        view[len(data) :] = bytes(len(view) - len(data))
        self._pos += len(view)
        return len(view)

    def read(self, size: int = -1) -> bytes:
        """Read ``size`` bytes (h5py looks for this method to choose its driver)."""
        buf = bytearray(max(self._end - self._pos, 0) if size < 0 else size)
        self.readinto(buf)
        return bytes(buf)

    def write(self, data: Any) -> int:
        """Write ``data`` at the position (dropped after a failure or the close)."""
        view = memoryview(data).cast("B")
        if self.error is None and self._fd >= 0:
            try:
                done = 0
                while done < len(view):
                    n = os.pwrite(self._fd, view[done:], self._pos + done)
                    if n <= 0:
                        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                    done += n
            except OSError as e:
                self._fail(e)
        self._pos += len(view)
        self._end = max(self._end, self._pos)
        return len(view)

    def truncate(self, size: int | None = None) -> int:
        """Set the file's size."""
        size = self._pos if size is None else size
        if self.error is None and self._fd >= 0:
            try:
                os.ftruncate(self._fd, size)
            except OSError as e:
                self._fail(e)
        self._end = size
        return size

    def flush(self) -> None:
        """Nothing to flush: writes go to the file at once."""

    def close(self) -> None:
        """Close the file (call after the HDF5 file is closed; later calls do nothing)."""
        fd, self._fd = self._fd, -1
        if fd >= 0:
            try:
                os.close(fd)
            except OSError as e:
                self._fail(e)

    def check(self) -> None:
        """Raise the first failed write, if any.

        Raises:
            OSError: what the file system said (``errno`` kept: ENOSPC, EDQUOT, ...).
        """
        if self.error is not None:
            raise self.error


def free_bytes(folder: str | Path) -> int:
    """Bytes an unprivileged process may still write in ``folder``'s file system."""
    p = Path(folder)
    while not p.exists() and p != p.parent:
        p = p.parent
    st = os.statvfs(p)
    return int(st.f_bavail * st.f_frsize)


def check_space(comm: Any, folder: str | Path, nbytes: int, what: str) -> None:
    """Raise on every rank unless ``folder`` has room for ``nbytes`` (collective).

    Rank 0 looks at the file system, for every rank (they share it).

    Raises:
        OutputError: ``what: no space left on device (needs about N, F free)``.
    """
    err = None
    if comm is None or comm.rank == 0:
        try:
            free = free_bytes(folder)
        except OSError:
            free = None  # no statvfs here: let the writer try
        if free is not None and free < nbytes:
            err = OutputError(
                f"{what}: no space left on device (needs about {_size(nbytes)}, {_size(free)} free)"
            )
            err.errno = errno.ENOSPC
    agree(comm, err)


def _size(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"  # pragma: no cover


def vtx_step_bytes(functions: list[Any]) -> int:
    """An upper bound of the bytes one VTX write of ``functions`` adds (collective).

    DOLFINx writes the mesh with every step: per process its local (owned and ghost)
    dof coordinates, the cells' dofs, offsets and types and each function's values.
    Measured on triangles and hexahedra, P1 and P2, 1 and 2 ranks: 1.1-1.5 times these
    arrays plus 4-8 kB per process; the bound is twice the arrays plus 64 kB per process.
    """
    V = functions[0].function_space
    mesh = V.mesh
    imap = V.dofmap.index_map
    ndofs = imap.size_local + imap.num_ghosts
    tdim = mesh.topology.dim
    cmap = mesh.topology.index_map(tdim)
    ncells = cmap.size_local + cmap.num_ghosts
    per_cell = V.dofmap.dof_layout.num_dofs
    local = 8 * ndofs * (3 + len(functions)) + 8 * ncells * (per_cell + 2)
    return int(V.mesh.comm.allreduce(2 * local + _VTX_OVERHEAD))


def abandon(writer: Any, files: str | Path | None = None) -> None:
    """Never close or destroy ``writer`` (a native object whose close would abort).

    Its reference count is raised once more than anyone will lower it, so its destructor
    never runs, not even at exit.  ``files``: the folder of its files, truncated
    (:func:`truncate_files`).  Its open file descriptors stay open (ADIOS2 may still be
    opening files in a thread of its own; closing them under it is not safe) until the
    process ends: a file system with an abandoned writer's files cannot be unmounted
    before then.
    """
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(writer))
    if files is not None:
        truncate_files(files)


def truncate_files(folder: str | Path) -> None:
    """Truncate every file under ``folder`` to 0 bytes (frees their space at once).

    For files that are to be deleted while a writer still holds them open (the blocks
    of a deleted file are freed only when its last descriptor closes).
    """
    for dirpath, _dirs, names in os.walk(folder):
        for n in names:
            with contextlib.suppress(OSError):
                os.truncate(Path(dirpath, n), 0)
