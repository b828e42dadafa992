"""Bad input through the Python API: an :class:`InputError` (or :class:`SolverError` for
a solve that cannot be trusted) whose message names the item -- never a silently wrong
answer, never a foreign exception; NumPy scalars are accepted wherever numbers are.
Runs serially and under ``mpirun -n 2`` (every error is raised on every rank)."""

from __future__ import annotations

import math
import warnings

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from helpers.walls import wall_mesh, wall_problem

from fe_interface.errors import InputError, SolverError
from fe_interface.model import (
    Conductance,
    Convection,
    FacetConductance,
    FixedTemperature,
    HeatFlux,
    HeatSource,
    Interface,
    Material,
    Resistance,
    TimeFunction,
)
from fe_interface.model.laws import UserConductance
from fe_interface.postprocessing import sampling
from fe_interface.problems import SteadyProblem, TransientProblem

COMM = MPI.COMM_WORLD
K = (1.0, 2.0)
H = (10.0,)


@pytest.fixture(scope="module")
def tm():
    return wall_mesh((0.5, 0.5), "triangle", 2)


def solved(tm, **kw):
    p = wall_problem(tm, K, H, solver="direct", **kw)
    p.run()
    return p


# ------------------------------------------------------------------ model objects
@pytest.mark.parametrize(
    ("make", "expect"),
    [
        (lambda: Material("cu", -1.0), "material 'cu': conductivity"),
        (lambda: Material("cu", 0.0), "conductivity"),
        (lambda: Material("cu", math.nan), "finite"),
        (lambda: Material("cu", "400"), "finite number"),
        (lambda: Material("cu", 400.0, density=-1.0), "density"),
        (lambda: FixedTemperature("left", -10.0), "fixed temperature on 'left'"),
        (lambda: FixedTemperature("left", 0.0), "> 0"),
        (lambda: HeatFlux("right", math.inf), "heat flux on 'right'"),
        (lambda: Convection("right", -1.0, 300.0), "convection on 'right': h"),
        (lambda: Convection("right", 10.0, -300.0), "T_inf"),
        (lambda: HeatSource("m0", "hot"), "heat source in 'm0'"),
        (lambda: Resistance(0.0), "resistance R"),
        (lambda: Resistance(-1e-4), "resistance R"),
        (lambda: Conductance(-5.0), "conductance h"),
        (lambda: Conductance(math.nan), "conductance h"),
        (lambda: Interface("i0", 1e-4), "Resistance"),
        (lambda: Interface("i0", "perfect"), "not an interface law"),
        (lambda: FacetConductance(3.0), "FacetConductance"),
        (lambda: TimeFunction("t"), "TimeFunction"),
        (lambda: TimeFunction(lambda t: math.nan), "not finite"),
        (lambda: TimeFunction(lambda t: 1 / 0), "failed"),
        (lambda: UserConductance(5.0), "callable"),
    ],
)
def test_bad_model_objects(make, expect):
    with pytest.raises(InputError, match=expect):
        make()


def test_numpy_scalars_are_numbers(tm):
    mats = {
        "m0": Material("a", np.float32(1.0), np.float64(1000.0), np.int64(500)),
        "m1": Material("b", np.int32(2), 1000.0, 500.0),
    }
    bcs = [
        FixedTemperature("left", np.float32(400.0)),
        Convection("right", np.float64(10.0), np.int64(300)),
    ]
    ifc = [Interface("i0", Conductance(np.float32(10.0)), plus="m0")]
    src = [HeatSource("m0", np.float16(100.0))]
    p = SteadyProblem(tm, mats, ifc, bcs, src, degree=np.int64(1), solver="direct")
    p.run()
    tp = TransientProblem(
        tm, mats, ifc, bcs, src, initial_temperature=np.float32(300.0), solver="direct"
    )
    res = tp.run(np.float32(0.02), np.float64(0.01), output_every=np.int64(1), progress=False)
    assert res.steps == 2
    tp.run(0.02, 0.01, adaptive=True, tol=np.float32(0.5), dt_min=np.float64(1e-6), progress=False)


# ------------------------------------------------------------------ problems
def test_two_conditions_on_the_same_facets(tm):
    p = SteadyProblem(
        tm,
        {"m0": Material("a", 1.0), "m1": Material("b", 2.0)},
        [Interface("i0", Conductance(10.0))],
        [FixedTemperature("left", 400.0), HeatFlux("left", 1e3), FixedTemperature("right", 300.0)],
    )
    with pytest.raises(InputError, match=r"HeatFlux on 'left'.*also under FixedTemperature"):
        p.initialise()


@pytest.mark.parametrize(
    ("kw", "expect"),
    [
        ({"degree": 4}, "degree"),
        ({"solver": "magic"}, "unknown solver"),
        ({"petsc_options": {"ksp_rtol": -1.0}}, "'ksp_rtol': must be a number >= 0"),
        ({"petsc_options": {"ksp_atol": "small"}}, "'ksp_atol'"),
        ({"petsc_options": {"ksp_max_it": -3}}, "'ksp_max_it'"),
        ({"petsc_options": {"ksp_type": "nonsense"}}, "ksp_type = 'nonsense'"),
        ({"petsc_options": {"pc_type": "nope"}}, "pc_type = 'nope'"),
        ({"petsc_options": {"-ksp_type": "cg"}}, "leading '-'"),
        ({"petsc_options": {"ksp_type": ["cg"]}}, "string, number or boolean"),
        (
            {"solver": "direct", "petsc_options": {"pc_factor_mat_solver_type": "nosuch"}},
            "no solver package 'nosuch'",
        ),
    ],
)
def test_bad_problem_arguments(tm, kw, expect):
    with pytest.raises(InputError, match=expect):
        wall_problem(tm, K, H, **kw).run()


def test_results_before_run(tm, shared_tmp):
    p = wall_problem(tm, K, H)
    for call in (p.interface_table, p.energy_balance, lambda: p.export(shared_tmp)):
        with pytest.raises(InputError, match="run"):
            call()
    tp = TransientProblem(
        tm,
        {"m0": Material("a", 1.0, 1.0, 1.0), "m1": Material("b", 1.0, 1.0, 1.0)},
        [Interface("i0", Conductance(1.0))],
    )
    with pytest.raises(InputError, match="run"):
        tp.energy_balance()


def test_export_name_outside_the_folder(tm, shared_tmp):
    p = solved(tm)
    for name in ("../x", "a/b", "..", ""):
        with pytest.raises(InputError, match="name"):
            p.export(shared_tmp / "out", name=name)
    out = p.export(shared_tmp / "out", name="ok", vtx=False)
    assert out["xdmf"] == shared_tmp / "out" / "ok.xdmf"
    from fe_interface.io.files import verify_result_set

    assert verify_result_set(shared_tmp / "out", "ok") == []
    assert not (shared_tmp / "x.xdmf").exists()


def test_loose_or_preonly_solves_are_not_returned(tm):
    """The true residual is checked after the solve: a weak preconditioner with preonly,
    or a loose tolerance, is an error, not a 50-100 % wrong field."""
    for opts in ({"ksp_type": "preonly", "pc_type": "jacobi"}, {"ksp_rtol": 1e-2}):
        with pytest.raises(SolverError, match="true relative residual"):
            wall_problem(tm, K, H, petsc_options=opts).run()
    with pytest.warns(UserWarning, match="true relative residual"):
        wall_problem(tm, K, H, petsc_options={"ksp_rtol": 1e-5}).run()


def test_unused_petsc_option_is_reported(tm):
    with pytest.warns(UserWarning, match="not used.*ksp_rtool"):
        wall_problem(tm, K, H, petsc_options={"ksp_rtool": 1e-12}).run()


# ------------------------------------------------------------------ laws
def _law_problem(tm, law, **kw):
    return SteadyProblem(
        tm,
        {"m0": Material("a", 1.0), "m1": Material("b", 2.0)},
        [Interface("i0", law, plus="m0")],
        [FixedTemperature("left", 400.0), FixedTemperature("right", 300.0)],
        solver="direct",
        **kw,
    )


def test_law_with_negative_h_is_named(tm):
    """h(T) = 5 (T⁺ − 380): negative in part of the range the solution covers."""
    law = UserConductance(lambda Tp, Tm: 5.0 * (Tp - 380.0))
    with pytest.raises(
        InputError, match=r"interface 'i0': UserConductance gives h = .* at T\+ = .* K, T- = .* K"
    ):
        _law_problem(tm, law).run()


def test_law_with_nan_is_named(tm):
    def h(Tp, Tm):
        if isinstance(Tp, np.ndarray) or np.isscalar(Tp):
            return np.sqrt(np.asarray(Tp, float) - 1000.0)
        return ufl.sqrt(Tp - 1000.0)

    with pytest.raises(InputError, match=r"interface 'i0'.*h = nan"):
        _law_problem(tm, UserConductance(h)).run()


def test_position_law_negative_is_named(tm):
    law = Conductance(lambda x: 10.0 - 100.0 * x[1])  # < 0 for y > 0.1
    with pytest.raises(InputError, match=r"interface 'i0': h\(x\) = .* at x ="):
        _law_problem(tm, law).run()
    with pytest.raises(InputError, match="FacetConductance: h = "):
        _law_problem(tm, FacetConductance(lambda x: -1.0 + 0 * x[0])).run()


# ------------------------------------------------------------------ sampling
def test_line_outside_the_domain(tm):
    p = solved(tm)
    with pytest.raises(InputError, match=r"end point .* outside the mesh"):
        sampling.line_profile(p, [0.1, 0.5], [3.0, 0.5])
    with pytest.raises(InputError, match="start and end points"):
        sampling.line_profile(p, [5.0, 5.0], [6.0, 5.0])
    prof = sampling.line_profile(p, [0.0, 0.5], [1.0, 0.5], 20)  # on the boundary: fine
    assert np.all(np.isfinite(prof.temperature))
    with pytest.raises(InputError, match="no interface"):
        sampling.interface_flux(p, "nope")


# ------------------------------------------------------------------ warnings, not errors
def _caught(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn()
    return out, [str(x.message) for x in w]


def test_contrast_warnings(tm):
    _, msgs = _caught(lambda: wall_problem(tm, (1.0, 1e10), H, solver="direct").run())
    assert any("conductivity contrast 1.0e+10" in m for m in msgs), msgs
    p = wall_problem(tm, K, (1e9,))
    _, msgs = _caught(lambda: p.initialise())
    assert any("interface conductance contrast" in m and "'i0'" in m for m in msgs), msgs
    _, msgs = _caught(lambda: wall_problem(tm, K, H).run())
    assert not any("contrast" in m for m in msgs)


def test_balance_of_tiny_terms_is_not_flagged(tm):
    """Equal temperatures at both ends (every heat rate is round-off) and an insulated
    transient body: the relative residual is measured against the resolution floor."""
    p = wall_problem(tm, K, H, T_left=300.0, T_right=300.0)
    p.run()
    b, msgs = _caught(p.energy_balance)
    assert b.relative_residual < 1e-6 and not any("energy balance" in m for m in msgs)
    tp = TransientProblem(
        tm,
        {"m0": Material("a", 1.0, 1.0, 1.0), "m1": Material("b", 2.0, 1.0, 1.0)},
        [Interface("i0", Conductance(10.0))],
        initial_temperature=300.0,
        solver="direct",
    )
    tp.run(1e-3, 1e-4, progress=False)
    b, msgs = _caught(tp.energy_balance)
    assert b.relative_residual < 1e-6 and not any("energy balance" in m for m in msgs)


def test_balance_warning_when_it_does_not_close():
    from fe_interface.postprocessing.balance import balance_warning, make_balance

    assert balance_warning(make_balance(0.0, {"a": 1.0, "b": -1.0})) is None
    msg = balance_warning(make_balance(0.0, {"a": 1.0, "b": -0.9}))
    assert msg and "does not close" in msg
    # the floor: a residual of round-off size against tiny terms is not flagged
    assert balance_warning(make_balance(0.0, {"a": 1e-14, "b": 0.0}, floor_W=1.0)) is None
