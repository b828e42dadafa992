"""Folder locks and the temporaries of runs that died.

A run holds ``.fe_interface.lock`` in its output folder (an ``flock`` on the file, which
the kernel drops when the process dies, plus the pid, host and command in it for the
message); a second run into the same folder refuses with
:class:`~fe_interface.errors.OutputBusyError`.  Where ``flock`` is not available the pid
and host decide: a lock of a dead process on this host is stale and taken over.
Temporaries of dead runs (``.tmp_*`` whose pid is gone, or any, once the lock is held) are
removed; those of a live run never are.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from fe_interface.errors import OutputBusyError
from fe_interface.io.atomic import HOST, new_file_mode, output_error

__all__ = ["LOCK_NAME", "FolderLock", "clean_dead_temporaries", "pid_alive"]

LOCK_NAME = ".fe_interface.lock"


# --------------------------------------------------------------------------------------
# processes and temporaries
# --------------------------------------------------------------------------------------
def pid_alive(pid: int) -> bool:
    """True if a process with this pid exists on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    except OSError:
        return True
    return True


_OWNER = re.compile(r"^\.tmp_(?:.*_)?([^_]+)_(\d+)-[^-]*$")


_OLD_OWNER = re.compile(r"^\.tmp_.*_(\d+)_[a-z0-9_]{8}$")  # before host names: this host


def _temporary_owner(entry: str) -> tuple[str, int] | None:
    """The (host, pid) encoded in a temporary's name, or None.

    The name is ``.tmp_[tag_]<host>_<pid>-<random>`` (or the older
    ``.tmp_<name>_<pid>_<random>``).
    """
    m = _OWNER.match(entry)
    if m:
        return m.group(1), int(m.group(2))
    m = _OLD_OWNER.match(entry)
    return (HOST, int(m.group(1))) if m else None


def clean_dead_temporaries(folder: Path, locked: bool) -> list[Path]:
    """Remove ``.tmp_*`` entries of ``folder`` left by runs that died.

    A temporary of this host whose pid is gone is dead.  With ``locked`` (this process
    holds the folder's lock, so no other run writes here) temporaries of other hosts are
    dead too.  Entries whose name does not say who made them are never touched.
    Returns what was removed.
    """
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for p in folder.glob(".tmp_*"):
        owner = _temporary_owner(p.name)
        if owner is not None:
            host, pid = owner
            if host == HOST:
                dead = pid != os.getpid() and not pid_alive(pid)
            else:
                dead = locked
        else:
            dead = False
        if dead:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    p.unlink()
            removed.append(p)
    return removed


# --------------------------------------------------------------------------------------
# locks
# --------------------------------------------------------------------------------------
_HELD: dict[str, list[Any]] = {}  # realpath -> [count, fd, pid]


def _lock_info(purpose: str) -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": HOST,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "purpose": purpose,
        "command": " ".join(sys.argv)[:300],
    }


def _read_info(fd: int) -> dict[str, Any]:
    try:
        data = os.pread(fd, 4096, 0)
        info = json.loads(data.decode() or "{}")
        return info if isinstance(info, dict) else {}
    except (OSError, ValueError):
        return {}


class FolderLock:
    """The lock of an output or checkpoint folder (re-entrant within a process).

    Args:
        folder: the folder (created).
        purpose: what the holder does, for the message of a refused run.

    Raises:
        OutputBusyError: another live run holds the lock.
        OutputError: the folder cannot be created or written.
    """

    def __init__(self, folder: str | Path, purpose: str = "run") -> None:
        self.folder = Path(folder)
        self.purpose = purpose
        self.path = self.folder / LOCK_NAME
        self._key: str | None = None

    def acquire(self) -> FolderLock:
        """Take the lock (or raise)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise output_error(e, f"output folder {self.folder}") from None
        key = os.path.realpath(self.folder)
        held = _HELD.get(key)
        if held is not None and held[2] == os.getpid():
            held[0] += 1
            self._key = key
            return self
        for _ in range(20):
            fd = self._open()
            if self._flock(fd):
                try:
                    same = os.path.samestat(os.fstat(fd), os.stat(self.path))
                except FileNotFoundError:
                    same = False
                if not same:  # removed by the previous holder meanwhile: try again
                    os.close(fd)
                    continue
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, json.dumps(_lock_info(self.purpose)).encode(), 0)
            except OSError as e:
                os.close(fd)
                raise output_error(e, f"lock file {self.path}") from None
            _HELD[key] = [1, fd, os.getpid()]
            self._key = key
            return self
        raise OutputBusyError(f"output folder {self.folder}: could not take the lock {self.path}")

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, new_file_mode())
        except OSError as e:
            raise output_error(e, f"lock file {self.path}") from None

    def _busy(self, fd: int, info: dict[str, Any]) -> OutputBusyError:
        os.close(fd)
        who = f"pid {info.get('pid', '?')} on {info.get('host', '?')}"
        since = f", since {info['started']}" if info.get("started") else ""
        cmd = f" ({info['command']})" if info.get("command") else ""
        return OutputBusyError(
            f"output folder {self.folder} is in use by another run ({who}{since}{cmd}); "
            "wait for it to finish or choose another folder"
        )

    def _flock(self, fd: int) -> bool:
        """Take the ``flock``; True if flock works here (False: pid/host fallback done)."""
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            raise self._busy(fd, _read_info(fd)) from None
        except (OSError, ImportError):  # no flock on this file system: pid + host
            info = _read_info(fd)
            pid, host = info.get("pid"), info.get("host")
            if isinstance(pid, int) and pid != os.getpid():
                if host != HOST or pid_alive(pid):
                    raise self._busy(fd, info) from None
            return False  # no holder, or a stale lock of a dead process: take it over

    def release(self) -> None:
        """Release the lock (the last of nested acquisitions removes the file)."""
        key, self._key = self._key, None
        held = _HELD.get(key) if key else None
        if held is None or key is None:
            return
        held[0] -= 1
        if held[0] > 0:
            return
        del _HELD[key]
        fd = held[1]
        try:
            if os.path.samestat(os.fstat(fd), os.stat(self.path)):
                os.unlink(self.path)
        except OSError:
            pass
        os.close(fd)

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()
