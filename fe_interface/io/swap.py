"""Putting a result set in place: the visible files switch from the old set to the new in one step.

Where the file system has symbolic links (every Linux and macOS file system; not FAT,
and not every network share) a set ``NAME`` in ``folder`` is::

    folder/NAME.xdmf           -> .NAME.current/NAME.xdmf    one link per file of the set
    folder/NAME.h5             -> .NAME.current/NAME.h5      (they stay as they are)
    folder/NAME.manifest.json  -> .NAME.current/NAME.manifest.json
    folder/.NAME.current       -> .NAME.sets/<version>        the one link a commit replaces
    folder/.NAME.sets/<version>/NAME.xdmf, NAME.h5, ..., NAME.manifest.json

A commit (:func:`switch`) renames the finished temporary folder to a new
``.NAME.sets/<version>``, adds the links of files the previous set did not have (they
dangle, so nobody opens them, until the switch), then replaces ``.NAME.current`` with a
link to the new version -- one ``rename``, atomic on POSIX -- and only then removes the
links of files the new set lacks and the older versions.  Whenever the process dies, every
visible name that opens is a file of one and the same set, the old or the new, manifest
included: ParaView never opens an ``.xdmf`` of one set with the ``.h5`` of another.  The
next commit of the set removes what a killed one left (versions that are not current).

A folder written by an older version of fe_interface (the set's files plain, not links)
is taken over in the same way: the plain files are hard-linked (folders moved) into a
version of their own, ``.NAME.current`` made to point at it and each plain name replaced
by its link -- the same contents all along -- before the switch.

Where links cannot be made, :func:`swap_by_renames` renames the files into place one by
one behind a manifest that says ``"complete": false`` until the last rename.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fe_interface.io.atomic import write_bytes

__all__ = ["current_link", "fsync_path", "swap_by_renames", "switch", "symlinks_work", "versions"]

Fault = Callable[[str], None]
_PROBED: dict[str, bool] = {}


def fsync_path(path: Path) -> None:
    """``fsync`` a file or folder (its entries), where the system allows."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def current_link(folder: Path, name: str) -> Path:
    """``folder/.NAME.current``: the link to the set's current version."""
    return Path(folder) / f".{name}.current"


def versions(folder: Path, name: str) -> Path:
    """``folder/.NAME.sets``: the versions of the set."""
    return Path(folder) / f".{name}.sets"


def symlinks_work(folder: Path, tag: str) -> bool:
    """True if symbolic links can be made in ``folder`` (probed once per folder).

    ``tag``: this process's temporary prefix, for the probe's name.
    """
    key = os.path.realpath(folder)
    if key not in _PROBED:
        probe = Path(folder) / f"{tag}probe"
        try:
            os.symlink("target", probe)
            probe.unlink()
            _PROBED[key] = True
        except (OSError, NotImplementedError):
            _PROBED[key] = False
    return _PROBED[key]


def _point(path: Path, target: str, tag: str) -> None:
    """Make ``path`` a link to ``target`` in one rename (nothing if it already is one)."""
    if path.is_symlink() and os.readlink(path) == target:
        return
    tmp = path.parent / f"{tag}{secrets.token_hex(4)}"
    os.symlink(target, tmp)
    try:
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _new_folder_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def _remove(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            p.unlink()


def _new_version(sets: Path) -> Path:
    """A new version's folder: when, by which process (a name no other commit takes)."""
    return sets / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"


def _adopt(folder: Path, name: str, names: set[str], tag: str) -> None:
    """Turn plain entries among ``names`` (an older layout, or strays) into links.

    Without a current version the plain entries are the visible set: they become a
    version of their own first (files hard-linked or copied, folders moved), so a reader
    sees the same contents throughout.  Strays beside a current version are removed.
    """
    plain = sorted(e for e in names if (folder / e).exists() and not (folder / e).is_symlink())
    if not plain:
        return
    current = current_link(folder, name)
    if current.exists():
        for e in plain:
            _remove(folder / e)
        return
    legacy = _new_version(versions(folder, name))
    legacy.mkdir(parents=True)
    for e in plain:
        src = folder / e
        if src.is_dir():
            os.rename(src, legacy / e)  # absent until its link below: never mixed
        else:
            try:
                os.link(src, legacy / e)
            except OSError:
                shutil.copy2(src, legacy / e)
    fsync_path(legacy)
    _point(current, f"{versions(folder, name).name}/{legacy.name}", tag)
    for e in plain:
        _point(folder / e, f"{current.name}/{e}", tag)


def switch(
    folder: Path, name: str, tmp: Path, top: list[str], old: set[str], tag: str, fault: Fault
) -> None:
    """Make the finished temporary folder ``tmp`` the visible set ``name`` (one rename).

    Args:
        folder: the output folder.
        name: the set's name.
        tmp: the temporary folder: the set's files and its complete manifest.
        top: the top-level entries of ``tmp`` (the visible names).
        old: visible names of the previous set (its manifest), to be taken over if
            plain.
        tag: this process's temporary prefix.
        fault: called with a label before each step (fault tests).
    """
    sets, current = versions(folder, name), current_link(folder, name)
    sets.mkdir(exist_ok=True)
    version = _new_version(sets)
    fault("version")
    os.chmod(tmp, _new_folder_mode())  # mkdtemp's folders are private (0o700)
    os.rename(tmp, version)
    fsync_path(sets)
    fault("links")
    _adopt(folder, name, set(top) | old, tag)
    for e in top:
        _point(folder / e, f"{current.name}/{e}", tag)
    fsync_path(folder)
    fault("switch")
    _point(current, f"{sets.name}/{version.name}", tag)
    fsync_path(folder)
    fault("cleanup")
    prefix = f"{current.name}/"
    for p in folder.iterdir():
        if p.is_symlink() and p.name not in top and os.readlink(p) == prefix + p.name:
            p.unlink()
    for v in sets.iterdir():
        if v.name != version.name:
            _remove(v)
    fsync_path(folder)


def swap_by_renames(
    folder: Path,
    tmp: Path,
    mname: str,
    files: list[Path],
    manifest: Callable[[bool, list[str]], dict[str, Any]],
    old: set[str],
    fault: Fault,
) -> list[str]:
    """Rename the set's files into place behind an "incomplete" manifest (no links).

    The ``.h5`` before the ``.xdmf`` that points to it; files of the previous set (``old``)
    that the new one lacks are removed; the complete manifest last.  Returns the
    top-level entries.
    """
    top = sorted({f.parts[0] for f in files}, key=lambda e: (e.endswith(".xdmf"), e))
    pending = manifest(False, sorted(old | set(top)))
    write_bytes(folder / mname, json.dumps(pending, indent=1).encode(), fsync=True)
    write_bytes(tmp / mname, json.dumps(manifest(True, []), indent=1).encode(), fsync=True)
    trash = tmp / ".old"
    trash.mkdir()
    for e in top:
        fault(f"rename:{e}")
        src, dst = tmp / e, folder / e
        if (dst.is_dir() and not dst.is_symlink()) or (src.is_dir() and dst.exists()):
            os.rename(dst, trash / e)
        os.replace(src, dst)
    for e in sorted(old - set(top)):
        if "/" not in e and e not in ("", ".", "..", mname):
            _remove(folder / e)
    fault("rename:manifest")
    os.replace(tmp / mname, folder / mname)
    fsync_path(folder)
    return top
