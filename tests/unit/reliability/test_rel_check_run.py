"""``fe-interface check`` finds what ``run`` refuses (issue 18).

``check`` used to stop after the mesh and the case-against-mesh checks, so every refusal
of the problem itself (its model, discretisation, initial state, laws at the initial
guess, supports of the mechanics) passed ``check`` and failed ``run``.  Now ``check`` runs
the code ``run`` runs up to its first solve (the problem's ``check()``): for each case
below both commands exit with the same status and print the same error line, serially
and under ``mpirun -n 2``.  A sweep is checked run by run, the failing run named, and
its output selectors against the case's names (``run`` used to find a selector that
names nothing after the first run).

The laws Newton cannot differentiate (the integral gas-gap form of a temperature-
dependent ``contact`` law) are refused when the case is read, at the key path to change.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from mpi4py import MPI

import pytest
from helpers.cases import DELETE, with_key
from relcases import BASE, TRANSIENT, write_toml

from fe_interface.case import CaseError, check_case, parse_case
from fe_interface.cli import main

COMM = MPI.COMM_WORLD
ROOT = Path(__file__).resolve().parents[3]


def edit(data, *pairs):
    for key, value in zip(pairs[::2], pairs[1::2], strict=True):
        data = with_key(data, key, value)
    return data


SURFACE = {"sigma": 1e-6, "k": 16.0, "m": 0.1}
GAS_CONTACT = {
    "law": "contact",
    "plus": "a",
    "solid": {
        "law": "cmy_plastic",
        "pressure": 1e6,
        "H_c": 3e9,
        "surface_plus": SURFACE,
        "surface_minus": SURFACE,
    },
    "gas": {
        "law": "gas_gap",
        "gas": "air",
        "p_gas": 101325.0,
        "accommodation_plus": 0.9,
        "accommodation_minus": 0.9,
        "sigma": 1e-6,
    },
}
PRESSED = edit(
    tomllib.loads((ROOT / "cases" / "pressed_blocks_contact.toml").read_text()),
    "outputs.files", ["summary"],
)  # fmt: skip

#: name -> (case, status, the start of the error after the file name)
CASES = {
    "floating_body": (
        edit(BASE, "boundaries.x0", DELETE),
        2,
        "no fixed-temperature, convection or radiation",
    ),
    "zero_conductance_splits_the_body": (
        edit(BASE, "interfaces.interface0", {"law": "conductance", "h": 0.0, "plus": "a"}),
        2,
        "no fixed-temperature, convection or radiation boundary on the body made of regions ['b']",
    ),
    "transient_without_density": (
        edit(TRANSIENT, "materials.a.density", DELETE),
        2,
        "material 'a' (region 'a'): a transient",
    ),
    "initial_temperature_of_one_region": (
        edit(TRANSIENT, "analysis.initial_temperature", {"a": 300.0}),
        2,
        "initial_temperature: no value for region(s) ['b']",
    ),
    "adaptive_dt_min_above_t_end": (
        edit(TRANSIENT, "analysis.adaptive", True, "analysis.dt_min", 10.0),
        2,
        "analysis.dt_min: must be <= t_end (0.5), got 10",
    ),
    "depth_in_axisymmetric": (
        edit(BASE, "sources.a", {"power": 1.0, "depth": 0.01}, "analysis.axisymmetric", True),
        2,
        "heat source in 'a': depth (m) is only for 2D planar models",
    ),
    "petsc_rejects_an_option": (
        edit(BASE, "solver", {"type": "iterative", "petsc_options": {"pc_type": "hypre"}}),
        2,
        "PETSc rejected the solver options: pc_type = 'hypre'",
    ),
    "gas_gap_newton_cannot_differentiate": (
        edit(BASE, "interfaces.interface0", GAS_CONTACT),
        2,
        "interfaces.interface0.gas.form: the gas gap's form 'integral'",
    ),
    "symmetry_on_two_planes": (
        edit(PRESSED, "geometry.parameters.dim", 3, "geometry.parameters.mesh_size", 0.01),
        2,
        "symmetry on 'sides': the facets must lie in one plane",
    ),
    "mechanics_without_lateral_support": (
        edit(PRESSED, "mechanics.boundaries.sides", DELETE),
        2,
        "mechanics: body 'lower' can move in y; body 'upper' can move in y: no displacement",
    ),
    "sweep_output_that_names_nothing": (
        edit(
            BASE,
            "sweep",
            {
                "outputs": ["interfaces.joint.mean_jump_K"],
                "parameters": [{"key": "interfaces.interface0.R", "values": [1e-4, 2e-4]}],
            },
        ),
        2,
        "sweep.outputs[0]: no output 'interfaces.joint.mean_jump_K' in this case: no interface "
        "'joint' (interfaces: interface0)",
    ),
    "mechanics_held_by_an_open_contact": (
        edit(PRESSED, "mechanics.contacts.interface0.initial_gap", 1e-3),
        1,
        "contact solve cannot start: body 'upper' can move in x, held only by contact "
        "'interface0' (gap up to 0.001 m), open at the start",
    ),
}


def last_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    return err[-1] if err else ""


@pytest.mark.parametrize("name", list(CASES))
def test_check_finds_what_run_refuses(name, shared_tmp, capsys):
    data, status, expect = CASES[name]
    path = shared_tmp / f"{name}.toml"
    if COMM.rank == 0:
        write_toml(path, data)
    COMM.barrier()
    code_check = main(["check", str(path)])
    line_check = last_line(capsys)
    code_run = main(["run", str(path), "--out", str(shared_tmp / "out"), "-q"])
    line_run = last_line(capsys)
    assert (code_check, code_run) == (status, status)
    if COMM.rank == 0:
        assert line_check == line_run
        where = f"{path}: " if status == 2 else ""  # a case error names the file
        assert line_check.startswith(f"fe-interface: error: {where}{expect}"), line_check
        assert "Traceback" not in line_check
    assert not (shared_tmp / "out" / "rel_summary.json").exists()


def test_a_good_case_passes_check(shared_tmp, capsys):
    path = shared_tmp / "good.toml"
    if COMM.rank == 0:
        write_toml(path, PRESSED)
    COMM.barrier()
    assert main(["check", str(path)]) == 0
    if COMM.rank == 0:
        assert capsys.readouterr().out.startswith(f"{path}: OK (")


def test_sweep_is_checked_run_by_run():
    """h = 0 in the third of four runs splits the body: that run is named."""
    data = edit(
        BASE,
        "interfaces.interface0", {"law": "conductance", "h": 1e3, "plus": "a"},
        "sweep", {"parameters": [{"key": "interfaces.interface0.h",
                                  "values": [1e3, 1e2, 0.0, 1e4], "name": "h"}]},
    )  # fmt: skip
    with pytest.raises(CaseError, match=r"^sweep run 2 \(h = 0\.0\): .* regions \['b'\]"):
        check_case(parse_case(data))
    check_case(parse_case(edit(data, "sweep.parameters", [{**data["sweep"]["parameters"][0],
                                                           "values": [1e3, 1e4]}])))  # fmt: skip
