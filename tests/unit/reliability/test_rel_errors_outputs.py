"""Outputs and sweeps whose errors said the wrong thing (issue 18).

* a transient case asking for ``vtu`` is told that vtu is for steady runs and what a
  transient run writes -- not "unknown file kind (choices: xdmf, vtu, ...)";
* sweep values keep their type: integers stay integers (``analysis.degree = [1, 2]``
  runs); an invalid value is blamed on the sweep parameter that set it, not on all;
* ``fe-interface demo NAME --png`` without ParaView: the demo ran, the missing PNG is a
  warning and the status 0 (as for case files).
"""

from __future__ import annotations

from mpi4py import MPI

import pytest
from helpers.cases import errors_of, with_key
from relcases import BASE, TRANSIENT

import fe_interface.io.paraview as paraview
from fe_interface.case import CaseError, check_case, parse_case
from fe_interface.case.sweep import variants
from fe_interface.cli import main

COMM = MPI.COMM_WORLD


def test_transient_vtu_is_explained():
    msg = errors_of(with_key(TRANSIENT, "outputs.files", ["vtu", "summary"]))
    assert msg.startswith("outputs.files: 'vtu' is written by steady runs only: a transient run")
    assert "choices for transient runs: xdmf, summary, vtx, plots, png" in msg
    assert "unknown" not in msg
    # an unknown kind in a transient case is still unknown, with every kind listed
    msg = errors_of(with_key(TRANSIENT, "outputs.files", ["pdf"]))
    assert msg.startswith("outputs.files: unknown file kind(s) ['pdf']")


def sweep_of(*parameters):
    data = with_key(BASE, "analysis.degree", 1)  # a swept key must be in the case
    return with_key(data, "sweep", {"parameters": list(parameters)})


def test_sweep_keeps_integers():
    case = parse_case(
        sweep_of(
            {"key": "analysis.degree", "values": [1, 2]},
            {"key": "interfaces.interface0.R", "values": [1e-4, 2e-4]},
        )
    )
    runs = variants(case)
    assert [p["analysis.degree"] for p, _ in runs] == [1, 1, 2, 2]
    assert all(type(p["analysis.degree"]) is int for p, _ in runs)
    assert [c.degree for _, c in runs] == [1, 1, 2, 2]
    check_case(case)  # every run's problem is built


def test_sweep_blames_the_parameter_that_set_the_value():
    data = sweep_of(
        {"key": "interfaces.interface0.R", "values": [1e-4, -1e-4]},
        {"key": "boundaries.x1.value", "values": [1e4, 2e4]},
    )
    with pytest.raises(CaseError) as e:
        variants(parse_case(data))  # every run's case is validated before anything runs
    assert len(e.value.errors) == 1  # runs 2 and 4 (R = -1e-4, either flux): one line
    for path, msg in e.value.errors:
        assert path == "interfaces.interface0.R"
        assert msg == "must be > 0, got -0.0001 (set by sweep.parameters[0].values[1])", msg


def test_demo_png_without_paraview_is_a_warning(tmp_path_factory, monkeypatch, capsys):
    folder = tmp_path_factory.mktemp("demos") if COMM.rank == 0 else None
    folder = COMM.bcast(str(folder) if folder else None, root=0)
    if COMM.rank == 0:
        with open(f"{folder}/demo_tiny.py", "w", encoding="utf-8") as fh:
            fh.write(
                '"""A demo that writes a result file."""\n'
                "from pathlib import Path\n"
                "from mpi4py import MPI\n\n"
                "def main(out='results/tiny'):\n"
                "    Path(out).mkdir(parents=True, exist_ok=True)\n"
                "    if MPI.COMM_WORLD.rank == 0:\n"
                "        (Path(out) / 'tiny.vtu').write_text('<VTKFile/>')\n"
                "    MPI.COMM_WORLD.barrier()\n"
                "    return {}\n"
            )
    COMM.barrier()
    monkeypatch.setenv("FE_INTERFACE_DEMOS", folder)
    monkeypatch.setattr(paraview, "find_pvbatch", lambda: None)
    code = main(["demo", "tiny", "--png", "--out", f"{folder}/out"])
    err = capsys.readouterr().err
    assert code == 0
    if COMM.rank == 0:
        assert "fe-interface: warning: PNG not written: pvbatch not found" in err
        assert "error" not in err


@pytest.mark.parametrize("status", [2])
def test_demo_png_without_output_folder_is_still_an_error(status, monkeypatch, tmp_path):
    """A command-line mistake stays an error: --png of a demo without an output folder."""
    folder = COMM.bcast(str(tmp_path) if COMM.rank == 0 else None, root=0)
    if COMM.rank == 0:
        with open(f"{folder}/demo_nofolder.py", "w", encoding="utf-8") as fh:
            fh.write('"""No output."""\n\ndef main():\n    return {}\n')
    COMM.barrier()
    monkeypatch.setenv("FE_INTERFACE_DEMOS", folder)
    assert main(["demo", "nofolder", "--png"]) == status
