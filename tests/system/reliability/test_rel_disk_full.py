"""Disk full, on a small tmpfs (root only: ``mount -t tmpfs``; skipped otherwise).

A steady export, a transient run, a checkpoint and a command-line run that run out of
space: one :class:`OutputError` ("no space left on device"), exit status 1 and one line
for the command line, no crash, no pages of h5py tracebacks, no temporaries left, and
the previous result set intact.  Under ``mpirun -n 2`` rank 0 mounts, every rank writes
its share and every rank gets the error.

A *nearly* full disk: room for some files of a set but not all, so that HDF5 (h5py)
and ADIOS2 (VTX) run out of space in the middle of a file -- where the C libraries used
to crash the process (SIGSEGV in HDF5 closing a file whose write failed, SIGABRT in
ADIOS2 closing its engine).  Steady, sweep and transient case runs, each with the free
space set to fractions of its result set's size; the file system must be unmountable
afterwards (no file left open).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mpi4py import MPI

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "unit" / "reliability"))

import relscript  # noqa: E402
from relcases import BASE, TRANSIENT, spoil, write_toml  # noqa: E402

from fe_interface.cli import main  # noqa: E402
from fe_interface.errors import OutputError  # noqa: E402
from fe_interface.io.files import verify_result_set  # noqa: E402

COMM = MPI.COMM_WORLD


def _mount(size_kb: int) -> str | None:
    """A tmpfs of ``size_kb`` on rank 0 (None: not possible here)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return None
    d = tempfile.mkdtemp(prefix="fe_full_")
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", d], capture_output=True
    )
    if r.returncode != 0:
        os.rmdir(d)
        return None
    return d


@pytest.fixture
def tmpfs():
    """A 1 MB tmpfs shared by the ranks, unmounted afterwards."""
    d = _mount(1024) if COMM.rank == 0 else None
    d = COMM.bcast(d, root=0)
    if d is None:
        pytest.skip("needs root and tmpfs (mount -t tmpfs)")
    try:
        yield Path(d)
    finally:
        COMM.barrier()
        if COMM.rank == 0:
            r = subprocess.run(["umount", d], capture_output=True, text=True)
            if r.returncode != 0:  # a file left open: lazily, and fail the test
                subprocess.run(["umount", "-l", d], check=False)
            os.rmdir(d)
            assert r.returncode == 0, f"the file system stays in use: {r.stderr}"


def fill(folder: Path, leave_kb: float) -> None:
    """Fill the file system of ``folder`` up to ``leave_kb`` kB of free space (rank 0)."""
    if COMM.rank == 0:
        free = shutil.disk_usage(folder).free
        n = max(int(free - leave_kb * 1024), 0)
        with open(folder / "filler", "wb") as f:
            f.write(b"\0" * n)
    COMM.barrier()


def test_export_disk_full_keeps_the_previous_set(tmpfs, capfd):
    tm = relscript.wall_mesh((0.5, 0.5), "triangle", 4)
    p = relscript.wall_problem(tm, (1.0, 2.0), (10.0,), solver="direct")
    p.run()
    p.export(tmpfs, "wall", vtx=False)
    assert verify_result_set(tmpfs, "wall") == []
    fill(tmpfs, 4)
    capfd.readouterr()
    with pytest.raises(OutputError, match=r"no space left on device") as ei:
        p.export(tmpfs, "wall", vtx=True)
    assert "\n" not in str(ei.value) and str(tmpfs) in str(ei.value)
    _, err = capfd.readouterr()
    assert "Traceback" not in err and "Exception ignored" not in err
    assert verify_result_set(tmpfs, "wall") == []
    if COMM.rank == 0:
        assert not list(tmpfs.glob(".tmp_*"))


def test_transient_disk_full_mid_run(tmpfs, capfd):
    relscript.transient(tmpfs, 0.02, False, 0.0)  # a small complete set first
    assert verify_result_set(tmpfs / "files", "stack") == []
    fill(tmpfs, 60)
    capfd.readouterr()
    with pytest.raises(OutputError, match="no space left on device"):
        relscript.transient(tmpfs, 5.0, False, 0.0)
    _, err = capfd.readouterr()
    assert "Exception ignored" not in err and "Traceback" not in err
    assert verify_result_set(tmpfs / "files", "stack") == []
    if COMM.rank == 0:
        assert not list((tmpfs / "files").glob(".tmp_*"))


def test_cli_disk_full_exit_1(tmpfs, capsys):
    case = spoil(TRANSIENT, "analysis.t_end", 50.0)
    case = spoil(case, "analysis.checkpoint", "ck")
    path = write_toml(Path(tempfile.gettempdir()) / f"full{COMM.rank}_{os.getpid()}.toml", case)
    fill(tmpfs, 40)
    try:
        code = main(["run", str(path), "--out", str(tmpfs / "out"), "-q"])
    finally:
        path.unlink()
    _, err = capsys.readouterr()
    assert code == 1
    if COMM.rank == 0:
        assert "no space left on device" in err and "Traceback" not in err
        assert err.strip().count("\n") == 0, err


# ------------------------------------------------------------------ nearly full
_FILES = ["xdmf", "vtu", "summary", "vtx"]


def _sweep(values: list[float], resume: bool = True) -> dict:
    return spoil(
        spoil(BASE, "outputs.files", _FILES),
        "sweep",
        {"parameters": [{"key": "interfaces.interface0.R", "values": values}],
         "run_files": True, "plot": False, "resume": resume},
    )  # fmt: skip


NEARLY = {
    "steady": spoil(BASE, "outputs.files", _FILES),
    "transient": spoil(
        spoil(TRANSIENT, "outputs.files", ["xdmf", "summary", "vtx"]), "analysis.t_end", 0.4
    ),
    "transient_h5": spoil(  # without VTX: the frames' HDF5 writes meet the full disk
        spoil(TRANSIENT, "outputs.files", ["xdmf", "summary"]), "analysis.t_end", 0.4
    ),
    "sweep": _sweep([1e-4, 2e-4, 3e-4]),
}
#: the free space of each attempt, in fractions of the first complete set's size
FRACTIONS = (0.1, 0.3, 0.5, 0.7, 0.9)


def _set_bytes(folder: Path) -> int:
    """Disk space (allocated blocks) of everything in ``folder`` (rank 0)."""
    total = 0
    for dirpath, _dirs, names in os.walk(folder):
        for n in names:
            p = Path(dirpath, n)
            if not p.is_symlink():
                total += p.stat().st_blocks * 512
    return total


def _run(case: dict, out: Path, tag: str) -> int:
    path = write_toml(Path(tempfile.gettempdir()) / f"nf_{tag}{COMM.rank}_{os.getpid()}.toml", case)
    try:
        return main(["run", str(path), "--out", str(out), "-q"])
    finally:
        path.unlink()


@pytest.mark.parametrize("kind", sorted(NEARLY))
def test_nearly_full_disk_one_clear_error(tmpfs, capfd, kind):
    case = NEARLY[kind]
    out = tmpfs / "out"
    assert _run(case, out, kind) == 0
    size = COMM.bcast(_set_bytes(out) if COMM.rank == 0 else None, root=0)
    name = "rel"
    assert verify_result_set(out, name) == []
    later = case if kind != "sweep" else _sweep([4e-4, 5e-4, 6e-4, 7e-4, 8e-4], resume=False)
    outcomes = []
    for frac in FRACTIONS if kind != "sweep" else FRACTIONS[::2]:  # a sweep: 6 runs each
        fill(tmpfs, frac * size / 1024)
        capfd.readouterr()
        code = _run(later, out, kind)
        _, err = capfd.readouterr()
        outcomes.append(code)
        if COMM.rank == 0:
            assert "Traceback" not in err and "Exception ignored" not in err, err[-2000:]
            if code != 0:
                assert code == 1 and "no space left on device" in err, err[-2000:]
                assert err.strip().count("\n") == 0, err
            assert verify_result_set(out, name) == []
            assert not [p for p in out.rglob(".tmp_*")], list(out.rglob(".tmp_*"))
            (tmpfs / "filler").unlink()
        COMM.barrier()
    assert 1 in outcomes  # the disk was too full at least once
