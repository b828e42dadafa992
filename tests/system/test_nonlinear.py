"""Temperature-dependent interface laws: Newton with the exact Jacobian."""

from dataclasses import dataclass

from mpi4py import MPI

import numpy as np
import pytest
from dolfinx import mesh as dmesh
from helpers.laws import SIGMA, GapRadiation
from helpers.walls import nodal_errors, wall_mesh
from scipy.optimize import brentq

from fe_interface.errors import InputError, SolverError
from fe_interface.mesh import tag_mesh
from fe_interface.model import Conductance, FixedTemperature, Interface, Material
from fe_interface.problems.steady import SteadyProblem


def exact_radiating_wall(L, k, eps, T_left, T_right):
    """1D: q = k0 (T_left − T⁺)/L0 = σε(T⁺⁴ − T⁻⁴) = k1 (T⁻ − T_right)/L1."""

    def residual(q):
        Tp = T_left - q * L[0] / k[0]
        Tm = T_right + q * L[1] / k[1]
        return SIGMA * eps * (Tp**4 - Tm**4) - q

    q = brentq(residual, 0.0, (T_left - T_right) / (L[0] / k[0] + L[1] / k[1]))
    Tp, Tm = T_left - q * L[0] / k[0], T_right + q * L[1] / k[1]

    def T(i, x):
        return Tp - q * (x - L[0]) / k[0] if i == 0 else Tm - q * (x - L[0]) / k[1]

    return q, T


@pytest.mark.parametrize("solver", ["direct", "iterative"])
def test_radiation_gap_wall(solver):
    L, k, eps = (0.02, 0.03), (15.0, 40.0), 0.6
    tm = wall_mesh(L, "triangle", 3)
    p = SteadyProblem(
        tm,
        {"m0": Material("a", k[0]), "m1": Material("b", k[1])},
        [Interface("i0", GapRadiation(eps), plus="m0")],
        [FixedTemperature("left", 900.0), FixedTemperature("right", 300.0)],
        solver=solver,
        # a Jacobian at every step (no chord steps): the convergence rate tests it is exact
        petsc_options={"snes_lag_jacobian": 1},
    )
    res = p.run()
    assert p.formulation.nonlinear and p.formulation.coupling is None
    q, T = exact_radiating_wall(L, k, eps, 900.0, 300.0)
    assert nodal_errors(p, T, 2) < 1e-7
    (s,) = p.interface_table()
    assert s.heat_flow_W == pytest.approx(q, rel=1e-8)
    # quadratic convergence: log r_{n+1} / log r_n -> 2 once in the asymptotic range
    r = np.array(res.solve.residual_history)
    r = r[r > 1e-12 * r[0]]
    assert res.solve.newton_iterations <= 8
    ratios = np.log(r[2:] / r[0]) / np.log(r[1:-1] / r[0])
    assert ratios[-1] > 1.7, r
    assert p.energy_balance().relative_residual < 1e-8


def test_fixed_point_agrees_with_newton():
    """Picard iteration on h(T) (a different algorithm) converges to Newton's answer."""
    L, k, eps = (0.02, 0.03), (15.0, 40.0), 0.6
    tm = wall_mesh(L, "triangle", 3)
    mats = {"m0": Material("a", k[0]), "m1": Material("b", k[1])}
    bcs = [FixedTemperature("left", 900.0), FixedTemperature("right", 300.0)]
    newton = SteadyProblem(
        tm, mats, [Interface("i0", GapRadiation(eps), plus="m0")], bcs, solver="direct"
    )
    newton.run()
    (sn,) = newton.interface_table()
    Tp, Tm = 600.0, 600.0
    for _ in range(60):
        h = GapRadiation(eps).conductance(Tp, Tm)
        pic = SteadyProblem(
            tm, mats, [Interface("i0", Conductance(h), plus="m0")], bcs, solver="direct"
        )
        pic.run()
        (s,) = pic.interface_table()
        # interface temperatures from the jump and the 1D bulk profile
        Tp_new = 900.0 - s.heat_flow_W * L[0] / k[0]
        Tm_new = Tp_new - s.mean_jump_K
        if abs(Tp_new - Tp) + abs(Tm_new - Tm) < 1e-10:
            break
        Tp, Tm = Tp_new, Tm_new
    assert s.heat_flow_W == pytest.approx(sn.heat_flow_W, rel=1e-8)
    assert s.mean_jump_K == pytest.approx(sn.mean_jump_K, rel=1e-8)


def _wall_with(law, **kw):
    return SteadyProblem(
        wall_mesh((0.5, 0.5), "triangle", 2),
        {"m0": Material("a", 1.0), "m1": Material("b", 1.0)},
        [Interface("i0", law)],
        [FixedTemperature("left", 400.0), FixedTemperature("right", 300.0)],
        solver="direct",
        **kw,
    )


def test_newton_failure_is_reported():
    """A valid but stiff law and too few Newton steps: SolverError with the reason."""

    @dataclass(frozen=True)
    class Stiff:
        temperature_dependent = True

        def conductance(self, Tp, Tm):
            return 1.0 + 1e-3 * (Tp - Tm) ** 6

    p = _wall_with(Stiff(), petsc_options={"snes_max_it": 2})
    with pytest.raises(SolverError, match=r"Newton did not converge: DIVERGED_MAX_IT"):
        p.run()


def test_negative_conductance_is_named():
    """A law that gives h < 0 on the way is named with its temperatures (InputError),
    not reported as a bare PETSc failure."""

    @dataclass(frozen=True)
    class Bad:
        temperature_dependent = True

        def conductance(self, Tp, Tm):
            return -1e6 * (Tp - Tm) ** 2  # negative conductance: no solution

    p = _wall_with(Bad(), petsc_options={"snes_max_it": 5})
    with pytest.raises(
        InputError, match=r"interface 'i0': Bad gives h = -.*must be finite and >= 0"
    ):
        p.run()


def _alternating_wall(L, comm=MPI.COMM_WORLD):
    """Four layers along x alternating between regions "a" and "b" (a|b|a|b), with one
    facet group per interface plane ("i0", "i1", "i2", tags 100..102)."""
    xs = np.r_[0.0, np.cumsum(L)]
    m = dmesh.create_rectangle(
        comm, [[0, 0], [4, 1]], [8, 3], ghost_mode=dmesh.GhostMode.shared_facet
    )
    m.geometry.x[:, 0] = np.interp(m.geometry.x[:, 0], np.arange(5), xs)

    def layers(*idx):
        return lambda x: np.any([(x[0] > xs[i]) & (x[0] < xs[i + 1]) for i in idx], axis=0)

    tm = tag_mesh(
        m,
        {"a": (1, layers(0, 2)), "b": (2, layers(1, 3))},
        {
            "left": (1, lambda x: np.isclose(x[0], 0.0)),
            "right": (2, lambda x: np.isclose(x[0], xs[-1])),
        },
    )
    ft = tm.facet_tags
    idx, val = [ft.indices], [ft.values]
    for i in range(3):
        f = dmesh.locate_entities(m, 1, lambda x, i=i: np.isclose(x[0], xs[i + 1]))
        idx.append(f)
        val.append(np.full(f.size, 100 + i, dtype=np.int32))
    idx, val = np.concatenate(idx), np.concatenate(val)
    order = np.argsort(idx)
    ft = dmesh.meshtags(m, 1, idx[order].astype(np.int32), val[order])
    return tm._replace(
        facet_tags=ft, facet_names=tm.facet_names | {f"i{i}": 100 + i for i in range(3)}
    )


def test_equal_laws_share_one_integral():
    """Three radiating gaps in a wall a|b|a|b: equal laws between the same sides share one
    ``dS`` integral (two here: a -> b twice, b -> a once) and the answer is the exact 1D
    one (q from a scalar root solve, marching T through layers and gaps)."""
    L, k, eps = (0.01, 0.02, 0.01, 0.02), (15.0, 40.0, 15.0, 40.0), 0.7
    law = GapRadiation(eps)
    p = SteadyProblem(
        _alternating_wall(L),
        {"a": Material("a", k[0]), "b": Material("b", k[1])},
        [Interface(f"i{i}", law, plus="ab"[i % 2]) for i in range(3)],
        [FixedTemperature("left", 1000.0), FixedTemperature("right", 300.0)],
        solver="direct",
    )
    p.run()
    terms = [t.label for t in p.formulation.terms if t.kind == "interface"]
    assert sorted(terms) == ["i0,i2", "i1"]
    assert p.formulation.broken.num_colours == 2

    def march(q):
        T = 1000.0
        for i in range(4):
            T -= q * L[i] / k[i]
            if i < 3:
                if T**4 < q / (SIGMA * eps):
                    return -1e9  # the gap cannot carry q
                T = (T**4 - q / (SIGMA * eps)) ** 0.25
        return T - 300.0

    q = brentq(march, 1.0, 700.0 / sum(li / ki for li, ki in zip(L, k, strict=True)))
    table = p.interface_table()
    assert [s.name for s in table] == ["i0", "i1", "i2"]
    for s in table:
        assert s.heat_flow_W == pytest.approx(q, rel=1e-8)
    assert p.energy_balance().relative_residual < 1e-8
