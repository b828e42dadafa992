"""Case runs and the command line, in-process (serially and under ``mpirun -n 2``).

* a case whose interface flux is uniform (every 1D case) writes its flux plot (the
  histogram of equal values);
* a plot that fails -- even on rank 0 alone -- is a warning, the run succeeds and no
  rank waits for another;
* the outputs are one result set with its manifest; a second run replaces it;
* exit statuses: 2 for bad input (case, mesh, busy folder, incomplete result set given
  to ``render``), 1 for a solve that cannot be trusted; one line, no traceback unless
  ``--debug``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from mpi4py import MPI

import pytest
from relcases import BASE, TRANSIENT, spoil, write_toml

import fe_interface.io.plots as plots
from fe_interface.case import parse_case, run_case
from fe_interface.cli import main
from fe_interface.errors import OutputBusyError
from fe_interface.io.files import LOCK_NAME, verify_result_set

COMM = MPI.COMM_WORLD
WITH_PLOTS = spoil(BASE, "outputs.files", ["xdmf", "summary", "plots"])


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_uniform_flux_plot(shared_tmp):
    res = run_case(parse_case(WITH_PLOTS), out=shared_tmp)
    assert res.warnings == []
    assert {"line_plot", "flux_plot_interface0", "xdmf", "summary"} <= set(res.files)
    assert verify_result_set(shared_tmp, "rel") == []
    if COMM.rank == 0:
        assert (shared_tmp / "rel_flux_interface0.png").stat().st_size > 0


def test_failing_plot_is_a_warning(shared_tmp, monkeypatch):
    real = plots.save_figure

    def save(fig, path):
        if COMM.rank == 0 and "flux" in path.name:
            raise ValueError("Too many bins for data range")
        real(fig, path)

    monkeypatch.setattr(plots, "save_figure", save)
    res = run_case(parse_case(WITH_PLOTS), out=shared_tmp)
    assert any("flux plot of interface 'interface0' not written" in w for w in res.warnings)
    assert "line_plot" in res.files and "flux_plot_interface0" not in res.files
    assert verify_result_set(shared_tmp, "rel") == []


def test_second_run_replaces_the_set(shared_tmp):
    run_case(parse_case(WITH_PLOTS), out=shared_tmp)
    run_case(parse_case(BASE), out=shared_tmp)  # no plots this time
    assert verify_result_set(shared_tmp, "rel") == []
    if COMM.rank == 0:
        assert not (shared_tmp / "rel_line.png").exists()
        assert not list(shared_tmp.glob(".tmp_*")) and not (shared_tmp / LOCK_NAME).exists()


def test_transient_case_is_one_set(shared_tmp):
    case = parse_case(spoil(TRANSIENT, "analysis.checkpoint", "ck"))
    res = run_case(case, out=shared_tmp)
    assert {"xdmf", "csv", "summary"} <= set(res.files)
    assert verify_result_set(shared_tmp, "rel") == []
    if COMM.rank == 0:
        assert (shared_tmp / "ck" / "state.npz").is_file()
        assert not (shared_tmp / "ck" / LOCK_NAME).exists()


HOLDER = textwrap.dedent(
    """
    import fcntl, json, os, sys, time
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, json.dumps({"pid": os.getpid(), "host": "elsewhere"}).encode())
    print("LOCKED", flush=True)
    time.sleep(60)
    """
)


def test_busy_output_folder(shared_tmp, capsys):
    proc = None
    if COMM.rank == 0:
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(shared_tmp / LOCK_NAME)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().strip() == "LOCKED"
    COMM.barrier()
    try:
        with pytest.raises(OutputBusyError, match="in use by another run"):
            run_case(parse_case(BASE), out=shared_tmp)
        case = write_toml(shared_tmp / f"busy{COMM.rank}.toml", BASE)
        code, _, err = run_cli(capsys, "run", case, "--out", shared_tmp)
        assert code == 2
        if COMM.rank == 0:
            assert "in use by another run" in err and "Traceback" not in err
    finally:
        COMM.barrier()
        if proc is not None:
            proc.kill()
            proc.wait()


# ------------------------------------------------------------------ the command line
def test_exit_codes_and_messages(shared_tmp, capsys):
    r = COMM.rank
    bad = write_toml(shared_tmp / f"bad{r}.toml", spoil(BASE, "materials.a.conductivity", -1.0))
    code, _, err = run_cli(capsys, "run", bad, "--out", shared_tmp / "o")
    assert code == 2
    if r == 0:
        assert "materials.a.conductivity: must be > 0" in err and "Traceback" not in err
        assert err.count("\n") == 1
    # a solve that is not trusted (preonly + Jacobi): exit 1, one line
    loose = spoil(
        BASE,
        "solver",
        {"type": "iterative", "petsc_options": {"ksp_type": "preonly", "pc_type": "jacobi"}},
    )
    code, _, err = run_cli(
        capsys, "run", write_toml(shared_tmp / f"loose{r}.toml", loose), "--out", shared_tmp / "o"
    )
    assert code == 1
    if r == 0:
        assert "true relative residual" in err and "Traceback" not in err
    # --debug shows the traceback
    code, _, err = run_cli(capsys, "--debug", "run", bad, "--out", shared_tmp / "o")
    assert code == 2
    if r == 0:
        assert "Traceback" in err
    # a mesh file that is not one
    msh = shared_tmp / f"x{r}.msh"
    msh.write_bytes(b"\x00" * 10)
    meshcase = write_toml(shared_tmp / f"mesh{r}.toml", spoil(BASE, "geometry", {"mesh": msh.name}))
    code, _, err = run_cli(capsys, "check", meshcase)
    assert code == 2
    if r == 0:
        assert "geometry.mesh" in err and msh.name in err
    # a binary case file
    binary = shared_tmp / f"bin{r}.toml"
    binary.write_bytes(bytes(range(256)))
    code, _, err = run_cli(capsys, "check", binary)
    assert code == 2
    if r == 0:
        assert "not a text file" in err


def test_warnings_are_printed(shared_tmp, capsys):
    case = spoil(BASE, "solver", {"type": "direct", "petsc_options": {"ksp_monitr": True}})
    p = write_toml(shared_tmp / f"w{COMM.rank}.toml", case)
    code, out, err = run_cli(capsys, "run", p, "--out", shared_tmp / "o", "-q")
    assert code == 0
    if COMM.rank == 0:
        assert "warning: PETSc options not used by the solver: ['ksp_monitr']" in out + err


def test_render_refuses_an_incomplete_set(shared_tmp, capsys):
    run_case(parse_case(BASE), out=shared_tmp)
    if COMM.rank == 0:
        (shared_tmp / "rel.h5").write_bytes(b"not the data the manifest lists")
    COMM.barrier()
    code, _, err = run_cli(capsys, "render", shared_tmp / "rel.xdmf", "--png", shared_tmp / "x.png")
    assert code == 2
    if COMM.rank == 0:
        assert "rel.h5" in err and ("differ" in err or "size" in err)
    code, _, err = run_cli(capsys, "render", shared_tmp / "nope.vtu")
    assert code == 2


def test_cases_folder_still_valid():
    root = Path(__file__).resolve().parents[3] / "cases"
    for p in sorted(root.glob("*.toml")):
        from fe_interface.case import load_case

        load_case(p)


def test_failing_post_processing_is_a_warning(shared_tmp, monkeypatch):
    """The table and the balance are post-processing too: a failure is a warning and
    the solved field is still written."""
    from fe_interface.problems import SteadyProblem

    def broken(self):
        raise ZeroDivisionError("in a breakdown")

    monkeypatch.setattr(SteadyProblem, "energy_balance", broken)
    res = run_case(parse_case(WITH_PLOTS), out=shared_tmp)
    assert any("energy balance not computed: ZeroDivisionError" in w for w in res.warnings)
    assert res.balance is None and {"xdmf", "summary"} <= set(res.files)
    assert verify_result_set(shared_tmp, "rel") == []
