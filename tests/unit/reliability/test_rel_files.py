"""Result sets, manifests, folder locks and temporaries (:mod:`fe_interface.io.files`).

* a set is swapped in whole, with its manifest; files of the previous set that the new
  one lacks are removed; a failure before the swap leaves the previous set untouched;
  at every step of the swap (where a failure or kill -9 leaves it) a reader sees the
  whole old set or the whole new one; without links (a fallback) a failure during the
  swap leaves a manifest that says "incomplete" (readers refuse it);
* a folder held by a live process refuses a second writer (with pid and host in the
  message); the lock of a dead process is taken over;
* temporaries of dead processes are removed, those of live ones never;
* output names with folders or '..' are refused.

Rank 0 does the file work; under MPI every rank must see the same outcome.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from mpi4py import MPI

import pytest

import fe_interface.io.files as files
from fe_interface.errors import InputError, OutputBusyError, OutputError
from fe_interface.io.files import (
    LOCK_NAME,
    FolderLock,
    ResultSet,
    check_output_name,
    check_result_file,
    clean_dead_temporaries,
    output_error,
    verify_result_set,
)

COMM = MPI.COMM_WORLD
serial_only = pytest.mark.skipif(COMM.size > 1, reason="starts processes of its own")


def _write_set(folder: Path, name: str, contents: dict[str, str], comm=COMM) -> list[Path]:
    with ResultSet(folder, name, comm) as rs:
        if comm.rank == 0:
            for rel, text in contents.items():
                p = rs.path(rel)
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(text)
        return rs.commit()


def test_set_is_swapped_in_with_its_manifest(shared_tmp):
    _write_set(shared_tmp, "r", {"r.xdmf": "x1", "r.h5": "h1", "r.png": "p", "r_vtx.bp/data": "v1"})
    assert verify_result_set(shared_tmp, "r") == []
    _write_set(shared_tmp, "r", {"r.xdmf": "x2", "r.h5": "h2", "r_vtx.bp/data": "v2"})
    if COMM.rank == 0:
        assert (shared_tmp / "r.h5").read_text() == "h2"
        assert (shared_tmp / "r_vtx.bp" / "data").read_text() == "v2"
        assert not (shared_tmp / "r.png").exists()  # of the previous set only
        assert not list(shared_tmp.glob(".tmp_*")) and not (shared_tmp / LOCK_NAME).exists()
        doc = json.loads((shared_tmp / "r.manifest.json").read_text())
        assert doc["complete"] and set(doc["files"]) == {"r.xdmf", "r.h5", "r_vtx.bp/data"}
        umask = os.umask(0)
        os.umask(umask)  # the version folder is as readable as a new folder (not mkdtemp's 0o700)
        assert (shared_tmp / ".r.current").resolve().stat().st_mode & 0o777 == 0o777 & ~umask
    assert verify_result_set(shared_tmp, "r") == []
    assert check_result_file(shared_tmp / "r.xdmf") == "r"


def test_failure_before_the_swap_keeps_the_previous_set(shared_tmp):
    _write_set(shared_tmp, "r", {"r.vtu": "old"})
    with pytest.raises(RuntimeError), ResultSet(shared_tmp, "r", COMM) as rs:
        if COMM.rank == 0:
            rs.path("r.vtu").write_text("new")
        raise RuntimeError("the solver died")
    assert verify_result_set(shared_tmp, "r") == []
    if COMM.rank == 0:
        assert (shared_tmp / "r.vtu").read_text() == "old"
        assert not list(shared_tmp.glob(".tmp_*"))


def _visible(folder: Path) -> dict[str, str]:
    """What a reader sees: every top-level name (not hidden) that opens, with its text
    (a folder: its files' texts); the manifest by its "complete" flag."""
    out: dict[str, str] = {}
    for p in sorted(folder.iterdir()):
        if p.name.startswith(".") or not p.exists():  # hidden, or a dangling link
            continue
        if p.name.endswith(files.MANIFEST_SUFFIX):
            out[p.name] = "complete" if json.loads(p.read_text())["complete"] else "incomplete"
        elif p.is_dir():
            out[p.name] = "|".join(f.read_text() for f in sorted(p.rglob("*")) if f.is_file())
        else:
            out[p.name] = p.read_text()
    return out


OLD = {"r.xdmf": "x1", "r.h5": "h1", "r.png": "p1", "r_vtx.bp/data": "v1"}
NEW = {"r.xdmf": "x2", "r.h5": "h2", "r.csv": "c2", "r_vtx.bp/data": "v2"}


def _texts(contents: dict[str, str], manifest: bool) -> dict[str, str]:
    out = {k.split("/")[0]: v for k, v in contents.items()}
    return out | ({"r.manifest.json": "complete"} if manifest else {})


@pytest.mark.parametrize("before", ["a set", "plain files", "nothing"])
def test_every_step_of_a_swap_shows_one_whole_set(shared_tmp, monkeypatch, before):
    """At every step of a swap (where a kill -9 would leave the folder as it is) a reader
    sees the whole previous set or the whole new one: never an .xdmf of one beside the
    .h5 of the other, never an incomplete manifest.  The previous set may be one with its
    files as links, plain files (as an older version, or a file system without links,
    writes them), or nothing."""
    if before != "nothing":
        with monkeypatch.context() as m:
            if before == "plain files":
                m.setattr(files, "symlinks_work", lambda folder, tag: False)
            _write_set(shared_tmp, "r", OLD)
    old = _texts(OLD, True) if before != "nothing" else {}
    new = _texts(NEW, True)
    seen: list[tuple[str, dict[str, str]]] = []

    def hook(label: str) -> None:  # rank 0 does the swap
        seen.append((label, _visible(shared_tmp)))

    monkeypatch.setattr(files, "fault_hook", hook)
    _write_set(shared_tmp, "r", NEW)
    monkeypatch.setattr(files, "fault_hook", None)
    if COMM.rank == 0:
        assert len(seen) >= 4
        mixed = [(label, state) for label, state in seen if state not in (old, new)]
        assert not mixed, mixed
        assert seen[-1][1] in (old, new) and _visible(shared_tmp) == new
    assert verify_result_set(shared_tmp, "r") == []


@pytest.mark.parametrize("at", ["commit", "version", "links", "switch", "cleanup"])
def test_failure_during_the_swap_leaves_one_whole_set(shared_tmp, monkeypatch, at):
    """A failure at a step of the swap: the folder shows the whole old set or the whole
    new one (complete manifest); the next run removes what the failed one left."""
    _write_set(shared_tmp, "r", OLD)

    def hook(label):
        if label == at:
            raise OSError(5, "simulated I/O error")

    monkeypatch.setattr(files, "fault_hook", hook)
    with pytest.raises(OutputError, match="simulated"):
        _write_set(shared_tmp, "r", NEW)
    monkeypatch.setattr(files, "fault_hook", None)
    assert verify_result_set(shared_tmp, "r") == []
    if COMM.rank == 0:
        assert _visible(shared_tmp) in (_texts(OLD, True), _texts(NEW, True))
    _write_set(shared_tmp, "r", {"r.xdmf": "x3", "r.h5": "h3"})
    assert verify_result_set(shared_tmp, "r") == []
    if COMM.rank == 0:
        assert _visible(shared_tmp) == _texts({"r.xdmf": "x3", "r.h5": "h3"}, True)
        assert len(list((shared_tmp / ".r.sets").iterdir())) == 1
        assert not list(shared_tmp.glob(".tmp_*"))


def test_interrupted_swap_without_links_is_flagged(shared_tmp, monkeypatch):
    """Where links cannot be made the files are renamed one by one: a failure between two
    renames leaves a manifest that says incomplete; readers refuse; the next run repairs."""
    monkeypatch.setattr(files, "symlinks_work", lambda folder, tag: False)
    _write_set(shared_tmp, "r", {"r.xdmf": "x1", "r.h5": "h1"})

    def hook(label):
        if label == "rename:r.xdmf":  # after r.h5 moved, before r.xdmf
            raise OSError(5, "simulated I/O error")

    monkeypatch.setattr(files, "fault_hook", hook)
    with pytest.raises(OutputError, match="simulated"):
        _write_set(shared_tmp, "r", {"r.xdmf": "x2", "r.h5": "h2"})
    monkeypatch.setattr(files, "fault_hook", None)
    problems = verify_result_set(shared_tmp, "r")
    assert problems and "incomplete" in problems[0]
    with pytest.raises(InputError, match="incomplete"):
        check_result_file(shared_tmp / "r.xdmf")
    _write_set(shared_tmp, "r", {"r.xdmf": "x3", "r.h5": "h3"})
    assert verify_result_set(shared_tmp, "r") == []


def test_changed_file_is_detected(shared_tmp):
    _write_set(shared_tmp, "r", {"r.vtu": "abc"})
    if COMM.rank == 0:
        (shared_tmp / "r.vtu").write_text("abd")
        with pytest.raises(InputError, match="differ"):
            check_result_file(shared_tmp / "r.vtu")
        (shared_tmp / "r.vtu").write_text("abcd")
        assert "size" in verify_result_set(shared_tmp, "r")[0]
        assert check_result_file(shared_tmp / "other.vtu") is None  # not in a set


@pytest.mark.parametrize(
    "name",
    ["../x", "a/b", "a\\b", "..", ".", "", " x", ".hidden", "x..y.z".replace("..", "/.."), None, 3],
)
def test_bad_output_names(name):
    with pytest.raises(InputError):
        check_output_name(name)
    with pytest.raises(InputError):
        ResultSet(".", name)


def test_good_output_names():
    for n in ("two_blocks", "T-1.5", "run 3", "a.b"):
        assert check_output_name(n) == n


def test_output_error_one_line():
    e = output_error(OSError(28, "No space left on device"), "writing x")
    assert str(e) == "writing x: no space left on device" and e.errno == 28
    e = output_error(OSError(13, "Permission denied"), "writing x")
    assert "permission denied" in str(e)
    e = output_error(RuntimeError("Driver write request failed (errno = 28)"), "writing x")
    assert "no space" in str(e)


# ------------------------------------------------------------------ locks
def test_lock_is_reentrant_and_released(tmp_path):
    a = FolderLock(tmp_path).acquire()
    b = FolderLock(tmp_path).acquire()  # the same process: nested
    info = json.loads((tmp_path / LOCK_NAME).read_text())
    assert info["pid"] == os.getpid() and info["host"] == files.HOST
    b.release()
    assert (tmp_path / LOCK_NAME).exists()
    a.release()
    assert not (tmp_path / LOCK_NAME).exists()


HOLDER = textwrap.dedent(
    """
    import fcntl, json, os, socket, sys, time
    p = sys.argv[1]
    fd = os.open(p, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, json.dumps({"pid": os.getpid(), "host": "otherhost", "started": "now",
                             "command": "fe-interface run other.toml"}).encode())
    print("LOCKED", flush=True)
    time.sleep(60)
    """
)


@serial_only
def test_busy_folder_is_refused(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / LOCK_NAME)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "LOCKED"
        with pytest.raises(OutputBusyError, match=r"in use by another run.*otherhost.*other\.toml"):
            FolderLock(tmp_path).acquire()
        with pytest.raises(OutputBusyError):
            ResultSet(tmp_path, "r").open()
        assert not list(tmp_path.glob(".tmp_*"))
    finally:
        proc.kill()
        proc.wait()
    FolderLock(tmp_path).acquire().release()  # the holder died: free again


@serial_only
def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": pid, "host": files.HOST}))
    lock = FolderLock(tmp_path).acquire()
    assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()
    lock.release()


@serial_only
def test_dead_temporaries_go_live_ones_stay(tmp_path):
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    try:
        d_live = tmp_path / f".tmp_r_{files.HOST}_{live.pid}-abc"
        d_dead = tmp_path / f".tmp_r_{files.HOST}_{int(dead.stdout)}-abc"
        f_dead = tmp_path / f".tmp_{files.HOST}_{int(dead.stdout)}-x.png"
        other = tmp_path / ".tmp_r_elsewhere_12345-abc"
        for p in (d_live, d_dead, other):
            p.mkdir()
        f_dead.write_text("x")
        removed = clean_dead_temporaries(tmp_path, locked=False)
        assert set(removed) == {d_dead, f_dead}
        assert d_live.exists() and other.exists()
        foreign = tmp_path / ".tmp_notes"  # not ours: never touched
        foreign.write_text("x")
        clean_dead_temporaries(tmp_path, locked=True)  # the lock held: other hosts' too
        assert d_live.exists() and not other.exists() and foreign.exists()
    finally:
        live.kill()
        live.wait()


def test_result_set_under_mpi_agrees(shared_tmp):
    """An error on rank 0 alone (here: a file that cannot be written) is raised on every
    rank, and no rank waits for another."""
    blocker = shared_tmp / "blocked"
    if COMM.rank == 0:
        blocker.write_text("a file where the folder should be")
    COMM.barrier()
    t0 = time.monotonic()
    with pytest.raises(OutputError):
        _write_set(blocker / "sub", "r", {"r.vtu": "x"})
    assert time.monotonic() - t0 < 30
