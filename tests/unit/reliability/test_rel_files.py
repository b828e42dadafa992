"""Result sets, manifests, folder locks and temporaries (:mod:`fe_interface.io.files`).

* a set is swapped in whole, with its manifest; files of the previous set that the new
  one lacks are removed; a failure before the swap leaves the previous set untouched,
  one during the swap leaves a manifest that says "incomplete" (readers refuse it);
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


def test_interrupted_swap_is_flagged(shared_tmp, monkeypatch):
    """A failure between two renames of the swap (a kill there is the same for the
    files): the manifest says incomplete; readers refuse; the next run repairs."""
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


def test_quiet_unraisable_reports_what_it_swallowed(capfd):
    """A write failure inside a ``__del__`` (how h5py shows a failed metadata write) is
    swallowed with its page and handed to the block, which must then stop writing (HDF5
    crashes on a flush after it); other output on stderr passes through."""
    import errno

    class Dataset:  # an object whose release fails like a h5py id on a full disk
        def __del__(self) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

    with files.quiet_unraisable() as failed:
        Dataset()
    assert [e.errno for e in failed] == [errno.ENOSPC]  # type: ignore[attr-defined]
    assert "Exception ignored" not in capfd.readouterr().err
    with files.quiet_unraisable() as failed:
        print("a warning", file=sys.stderr)
    assert failed == [] and "a warning" in capfd.readouterr().err


def test_time_series_refuses_a_frame_without_room(tmp_path, monkeypatch):
    """Before each write the free space is checked (arrays + margin): a full disk gives
    ENOSPC before HDF5 writes anything it could not finish."""
    import errno
    import shutil
    import types

    import numpy as np

    import fe_interface.io.timeseries as ts

    free = ts._FRAME_MARGIN + 800
    monkeypatch.setattr(shutil, "disk_usage", lambda p: types.SimpleNamespace(free=free))
    ts._check_space(tmp_path, [np.zeros(100)])  # 800 B + margin: fits exactly
    with pytest.raises(OSError) as ei:
        ts._check_space(tmp_path, [np.zeros(101)])
    assert ei.value.errno == errno.ENOSPC
    assert "no space left on device" in str(output_error(ei.value, "writing x.h5"))
