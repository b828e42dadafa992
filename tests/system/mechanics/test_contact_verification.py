"""Contact mechanics and thermo-mechanical coupling against exact and literature values
(the cases of ``tests/helpers/contact_cases.py``; their docstrings give the
formulas and references):

* Hertz, cylinder on a flat (plane strain) and sphere on a flat (axisymmetric): the
  half-width, the peak pressure and every nodal pressure (against the lumped exact
  distribution) within 2 % at h = a/20, and the errors falling with refinement (slow);
* a near-rigid flat punch: the force 2 a E′ δ and the interior pressure within 2 %
  (h = a/40), the force error falling with refinement (slow);
* two blocks under a uniform load (2D triangles, 3D hexahedra): P = F/A at every node to
  the augmentation tolerance, the heat problem with h(P(x)) equal to the constant-P CMY
  law to 1e-10;
* a gap that opens (lift + tilt): P = 0, the gap of the rigid motion, h of the local
  gap (gas + radiation) at the heat problem's points; uniform lift: the 1D solution;
* two-way coupling: thermal expansion closing (and not closing) a clearance, against the
  1D thermo-elastic solution to 1e-7;
* serial = ``mpirun -n 2`` for every check (to its parallel_rtol, 1e-8 or tighter).

Newton and augmentation counts are printed (``pytest -s``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from mpi4py import MPI

import pytest
from helpers import contact_cases as V

import fe_interface as fi  # noqa: F401
from fe_interface.postprocessing.checks import compare_runs, failures, format_checks
from fe_interface.postprocessing.exact_contact import expansion_gap_exact

#: the cases compared between serial and parallel runs (moderate meshes)
CASES = {
    "hertz_plane": lambda info: V.hertz("plane_strain", info=info),
    "hertz_axisymmetric": lambda info: V.hertz("axisymmetric", info=info),
    "flat_punch": lambda info: V.flat_punch(info=info),
    "uniform_load_2d": lambda info: V.uniform_load(2, info=info),
    "uniform_load_3d": lambda info: V.uniform_load(3, info=info),
    "gap_opening": lambda info: V.gap_opening(info=info),
    "gap_opening_uniform": lambda info: V.gap_opening(0.0, info=info),
    "expansion_gap_open": lambda info: V.expansion_gap(T_bottom=298.15, info=info)[0],
    "expansion_gap_closed": lambda info: V.expansion_gap(T_bottom=318.15, info=info)[0],
}
_SERIAL: dict[str, dict] = {}


def _check(name: str, checks: dict, info: dict) -> None:
    bad = failures(checks)
    if MPI.COMM_WORLD.rank == 0:
        print(f"\n{name}: {json.dumps(info, default=float)}\n{format_checks(checks)}")
    assert not bad, f"{name}:\n" + "\n".join(bad)
    for key, c in checks.items():
        assert c.note, f"{name}: check {key!r} has no note"


@pytest.mark.parametrize("name", list(CASES))
def test_case(name):
    info: dict = {}
    checks = CASES[name](info)
    _check(name, checks, info)
    if MPI.COMM_WORLD.size == 1:
        _SERIAL[name] = checks


def test_expansion_gap_regimes():
    """5 K: the clearance stays open; 25 K: it closes and carries pressure."""
    info: dict = {}
    data = {"law": V.EXPANSION_LAW, "mat": V.ALU, "k": V.K_ALU}
    ex_open = expansion_gap_exact(8e-6, 0.01, 293.15, T_bottom=298.15, **data)
    ex_closed = expansion_gap_exact(8e-6, 0.01, 293.15, T_bottom=318.15, **data)
    assert ex_open["g"] > 0 and ex_open["P"] == 0
    assert ex_closed["g"] == 0 and ex_closed["P"] > 0
    del info


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["plane_strain", "axisymmetric"])
def test_hertz_converges(kind):
    """Errors of the half-width, the peak pressure and the nodal pressures fall with h
    (first order: the square-root edge)."""
    errs = []
    for h in (0.1, 0.05, 0.025):
        info: dict = {}
        V.hertz(kind, h_over_a=h, info=info, tol=0.1)
        errs.append(info["errors"])
        print(kind, h, info["errors"], info["hertz"]["newton_per_solve"])
    for key in ("half_width", "pressure_max"):
        e = [abs(x[key]) for x in errs]
        assert e[2] < e[1] < e[0], (key, e)
    assert abs(errs[2]["peak"]) < 0.01


@pytest.mark.slow
def test_flat_punch_converges():
    errs = []
    for h in (1 / 20, 1 / 40, 1 / 80):
        info: dict = {}
        V.flat_punch(h_over_a=h, info=info, tol=0.1)
        errs.append(info["errors"])
        print("punch", h, info["errors"])
    for key in ("force", "interior_pressure"):
        e = [abs(x[key]) for x in errs]
        assert e[2] < e[1] < e[0], (key, e)


_SCRIPT = """
import json, sys
import fe_interface
from mpi4py import MPI
sys.path.insert(0, {here!r})
sys.path.insert(0, {tests!r})
from test_contact_verification import CASES
out = {{name: f({{}}) for name, f in CASES.items()}}
if MPI.COMM_WORLD.rank == 0:
    json.dump(out, open({path!r}, "w"))
"""


def _run(nproc: int, tmp: Path) -> dict:
    path = tmp / f"np{nproc}.json"
    here = Path(__file__).parent
    code = _SCRIPT.format(here=str(here), tests=str(here.parents[1]), path=str(path))
    mpirun = shutil.which("mpirun", path=str(Path(sys.executable).parent)) or "mpirun"
    subprocess.run(
        [mpirun, "-n", str(nproc), sys.executable, "-c", code],
        check=True,
        env=dict(os.environ),
        timeout=900,
    )
    return json.loads(path.read_text())


@pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="launches mpirun itself")
def test_serial_equals_parallel(tmp_path):
    """Every check of every case agrees between 1 and 2 ranks to its parallel_rtol."""
    serial = {k: v for k, v in _SERIAL.items()} if len(_SERIAL) == len(CASES) else _run(1, tmp_path)
    parallel = _run(2, tmp_path)
    bad = []
    for name in CASES:
        bad += [f"{name}: {line}" for line in compare_runs(serial[name], parallel[name])]
    assert not bad, "\n".join(bad)
