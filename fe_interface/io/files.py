"""Output files that appear complete or not at all; result sets; folder locks.

Single files (:mod:`fe_interface.io.atomic`, re-exported here)
    Every file fe_interface writes is first written to a temporary file beside its
    target and then renamed onto it, so an interrupted run never leaves a half-written
    file (:func:`atomic_file`, :func:`write_bytes`, :func:`write_text`).

Result sets (:class:`ResultSet`)
    The files of one solution (``NAME.xdmf`` + ``NAME.h5``, ``NAME.vtu``,
    ``NAME_summary.json``, ``NAME_vtx.bp``, plots, ...) are written into a temporary
    folder beside the target, ``.tmp_NAME_<host>_<pid>_*``, with a *manifest*
    ``NAME.manifest.json`` (size and SHA-256 of every file), and switched in at the end in
    one step (:mod:`fe_interface.io.swap`: the visible names are links into
    ``.NAME.current``, a link to the current version that one rename replaces): whatever
    moment a run is killed, every visible file that opens belongs to the old set or every
    one to the new -- never an ``.xdmf`` of one with the ``.h5`` of the other.  (Where
    links cannot be made, the files are renamed one by one behind a manifest that says
    ``"complete": false``.)  :func:`verify_result_set` / :func:`check_result_file` are the
    readers' check (used by ``fe-interface render``).  A failure while writing (disk
    full, ...) raises :class:`~fe_interface.errors.OutputError` and leaves the previous
    set untouched.

Locks (:class:`FolderLock`, :mod:`fe_interface.io.locks`, re-exported here)
    A run holds ``.fe_interface.lock`` in its output folder (an ``flock`` on the file,
    which the kernel drops when the process dies, plus the pid, host and command in it
    for the message); a second run into the same folder refuses with
    :class:`~fe_interface.errors.OutputBusyError`.  Where ``flock`` is not available
    the pid and host decide: a lock of a dead process on this host is stale and taken
    over.  Temporaries of dead runs (``.tmp_*`` whose pid is gone, or any, once the lock
    is held) are removed; those of a live run never are.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fe_interface.errors import InputError, on_rank0
from fe_interface.io.atomic import (
    HOST,
    atomic_file,
    atomic_files,
    check_output_name,
    output_error,
    quiet_unraisable,
    tmp_prefix,
    write_bytes,
    write_text,
)
from fe_interface.io.locks import LOCK_NAME, FolderLock, clean_dead_temporaries
from fe_interface.io.swap import fsync_path, swap_by_renames, switch, symlinks_work

__all__ = [
    "HOST",
    "LOCK_NAME",
    "MANIFEST_SUFFIX",
    "FolderLock",
    "ResultSet",
    "atomic_file",
    "atomic_files",
    "check_output_name",
    "check_result_file",
    "clean_dead_temporaries",
    "output_error",
    "quiet_unraisable",
    "verify_result_set",
    "write_bytes",
    "write_text",
]

MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_FORMAT = "fe_interface result set"

#: test hook: called with a label before each step of a result-set swap (fault tests)
fault_hook: Callable[[str], None] | None = None
#: the temporary folders of this process's open result sets (a set written into one of
#: them is part of that set: its files are merged in, the outer set is switched)
_OPEN: set[str] = set()


def _fault(label: str) -> None:
    if fault_hook is not None:
        fault_hook(label)


# --------------------------------------------------------------------------------------
# result sets
# --------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _walk(root: Path) -> list[Path]:
    """Files under ``root`` (recursively), relative, sorted."""
    out = []
    for dirpath, _dirs, files in os.walk(root):
        for fn in files:
            out.append(Path(dirpath, fn).relative_to(root))
    return sorted(out)


def manifest_path(folder: Path, name: str) -> Path:
    """``folder/NAME.manifest.json``."""
    return Path(folder) / f"{name}{MANIFEST_SUFFIX}"


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest at ``path`` (None if absent or not a manifest)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("format") != MANIFEST_FORMAT:
        return None
    return doc


def _top(entries: Any) -> set[str]:
    return {Path(e).parts[0] for e in (entries or {}) if Path(e).parts}


class ResultSet:
    """Writer of one result set ``folder/NAME*`` (collective; rank 0 does the files).

    Usage::

        with ResultSet(folder, name, comm) as rs:
            write_something(rs.path(f"{name}.vtu"))   # into the temporary folder
            rs.commit()                                  # swap in, with the manifest

    Leaving the block without :meth:`commit` (an error) removes the temporary folder
    and leaves the previous set as it was.

    Args:
        folder: output folder (created).
        name: base name of the set (a plain file name).
        comm: MPI communicator (None: this process alone).
        kind: what the set holds ("steady", "transient", "case"), for the manifest.
    """

    def __init__(
        self, folder: str | Path, name: str, comm: Any = None, kind: str = "steady"
    ) -> None:
        self.folder = Path(folder)
        self.name = check_output_name(name)
        self.comm = comm
        self.kind = kind
        self.tmp: Path | None = None
        self.lock = FolderLock(self.folder, f"writing result set {name!r}")
        self.committed = False
        self._locked = False

    def _rank0(self) -> bool:
        return self.comm is None or self.comm.rank == 0

    def _bcast(self, v: Any) -> Any:
        return v if self.comm is None or self.comm.size == 1 else self.comm.bcast(v, root=0)

    def open(self) -> ResultSet:
        """Lock the folder, remove dead temporaries, create the temporary folder."""

        def start() -> str:
            self.lock.acquire()
            self._locked = True
            clean_dead_temporaries(self.folder, locked=True)
            try:
                return tempfile.mkdtemp(prefix=tmp_prefix(self.name), dir=self.folder)
            except OSError as e:
                raise output_error(e, f"result set {self.name!r} in {self.folder}") from None

        try:
            tmp = on_rank0(self.comm, start)
        except BaseException:
            self._release()
            raise
        self.tmp = Path(self._bcast(tmp))
        _OPEN.add(os.path.realpath(self.tmp))
        return self

    def __enter__(self) -> ResultSet:
        return self.open()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if not self.committed:
            self.abort()

    def path(self, filename: str) -> Path:
        """Where to write ``filename`` of the set (in the temporary folder)."""
        assert self.tmp is not None, "ResultSet.open() first"
        return self.tmp / filename

    def final(self, p: str | Path) -> Path:
        """The final path of a path in the temporary folder."""
        assert self.tmp is not None
        return self.folder / Path(p).relative_to(self.tmp)

    def what(self) -> str:
        """``result set 'NAME' in FOLDER``, for messages."""
        return f"result set {self.name!r} in {self.folder}"

    # ---------------------------------------------------------------- commit
    def commit(self) -> list[Path]:
        """Swap the temporary folder's files in (collective).

        Returns the final paths of the top-level entries.

        Raises:
            OutputError: a file could not be written or moved; nothing of the previous
                set has been touched unless the swap itself failed (then its manifest
                says it is incomplete).
        """
        entries = on_rank0(self.comm, self._swap, lambda e: output_error(e, self.what()))
        entries = self._bcast(entries)
        self.committed = True
        self._forget()
        self._release()
        return [self.folder / e for e in entries]

    def _manifest(self, files: list[Path], complete: bool, replacing: list[str]) -> dict[str, Any]:
        assert self.tmp is not None
        doc: dict[str, Any] = {
            "format": MANIFEST_FORMAT,
            "version": 1,
            "name": self.name,
            "kind": self.kind,
            "complete": complete,
            "written": time.strftime("%Y-%m-%d %H:%M:%S"),
            "writer": {"host": HOST, "pid": os.getpid()},
            "files": {},
        }
        for rel in files:
            p = self.tmp / rel
            doc["files"][rel.as_posix()] = {"size": p.stat().st_size, "sha256": _sha256(p)}
        if replacing:
            doc["replacing"] = replacing
        return doc

    def _swap(self) -> list[str]:
        """Put the temporary folder's files in place (rank 0); returns the visible names."""
        assert self.tmp is not None
        _fault("commit")
        tmp, folder = self.tmp, self.folder
        mname = manifest_path(folder, self.name).name
        for junk in (tmp / mname, tmp / LOCK_NAME):  # a nested set's manifest / lock
            with contextlib.suppress(FileNotFoundError):
                junk.unlink()
        for junk in tmp.glob(".tmp_*"):  # left by a nested writer that failed
            shutil.rmtree(junk, ignore_errors=True) if junk.is_dir() else junk.unlink()
        files = _walk(tmp)
        for rel in files:
            fsync_path(tmp / rel)
        top = sorted({f.parts[0] for f in files})
        if os.path.realpath(folder) in _OPEN:  # inside another set's temporary folder
            for e in top:
                if (folder / e).is_dir() and not (folder / e).is_symlink():
                    shutil.rmtree(folder / e)
                os.replace(tmp / e, folder / e)
            shutil.rmtree(tmp, ignore_errors=True)
            return top
        old = read_manifest(manifest_path(folder, self.name))
        old_top = _top(old.get("files")) | set(old.get("replacing", [])) if old else set()
        tag = tmp_prefix(self.name)
        if not symlinks_work(folder, tag):
            top = swap_by_renames(
                folder, tmp, mname, files, lambda c, r: self._manifest(files, c, r),
                old_top, _fault,
            )  # fmt: skip
            shutil.rmtree(tmp, ignore_errors=True)
            return [*top, mname]
        doc = json.dumps(self._manifest(files, True, []), indent=1).encode()
        write_bytes(tmp / mname, doc, fsync=True)
        switch(folder, self.name, tmp, [*top, mname], old_top, tag, _fault)
        return [*top, mname]

    # ---------------------------------------------------------------- abort
    def abort(self) -> None:
        """Remove the temporary folder and release the lock (no collective call)."""
        if self._rank0() and self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self._forget()
        self._release()

    def _forget(self) -> None:
        if self.tmp is not None:
            _OPEN.discard(os.path.realpath(self.tmp))

    def _release(self) -> None:
        if self._locked:
            self._locked = False
            self.lock.release()


# --------------------------------------------------------------------------------------
# readers' checks
# --------------------------------------------------------------------------------------
def verify_result_set(folder: str | Path, name: str, hashes: bool = True) -> list[str]:
    """Problems of the result set ``name`` in ``folder``, one message each.

    [] if it is complete and every file matches its manifest; ``hashes=False`` checks sizes
    only.
    """
    folder = Path(folder)
    mpath = manifest_path(folder, name)
    doc = read_manifest(mpath)
    if doc is None:
        return [f"{mpath}: no manifest (not a result set, or written before manifests existed)"]
    if not doc.get("complete"):
        return [
            f"result set {name!r} in {folder} is incomplete: a run was interrupted while "
            "writing it; run it again"
        ]
    problems = []
    for rel, meta in doc.get("files", {}).items():
        p = folder / rel
        if not p.is_file():
            problems.append(f"{p}: missing")
        elif p.stat().st_size != meta.get("size"):
            problems.append(
                f"{p}: size {p.stat().st_size} bytes, the manifest says {meta.get('size')}"
            )
        elif hashes and _sha256(p) != meta.get("sha256"):
            problems.append(f"{p}: contents differ from the manifest (changed after the run)")
    return problems


def check_result_file(path: str | Path, hashes: bool = True) -> str | None:
    """The name of the result set that holds ``path``, checked.

    None if no manifest in its folder lists it (a file from elsewhere).

    Raises:
        InputError: the set is incomplete or its files do not match the manifest.
    """
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        return None
    first = path.name
    for m in sorted(folder.glob(f"*{MANIFEST_SUFFIX}")):
        doc = read_manifest(m)
        if doc is None:
            continue
        listed = _top(doc.get("files")) | set(doc.get("replacing", []))
        if first not in listed:
            continue
        name = m.name.removesuffix(MANIFEST_SUFFIX)
        problems = verify_result_set(folder, name, hashes)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise InputError(f"{path}: {problems[0]}{more}")
        return name
    return None
