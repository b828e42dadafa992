"""Tabulated conductance in the solver: a table read at a fixed pressure is a constant
law (the facet-wise path, exact series solution); a table with a temperature axis is
solved by Newton with the exact (UFL) Jacobian: quadratic convergence to the 1D
solution found by a root finder."""

import numpy as np
import pytest
from helpers.walls import wall_mesh
from scipy.optimize import brentq

import fe_interface as fi
from fe_interface.discretisation.terms import InterfaceTerm
from fe_interface.model.laws import ConductanceTable, TabulatedConductance

L, K = (0.02, 0.03), (15.0, 40.0)  # m, W/(m K)
T_LEFT, T_RIGHT = 420.0, 300.0  # K


def _solve(law, cell="triangle"):
    tm = wall_mesh(L, cell, 3)
    p = fi.SteadyProblem(
        tm, {"m0": fi.Material("a", K[0]), "m1": fi.Material("b", K[1])},
        [fi.Interface("i0", law, plus="m0")],
        [fi.FixedTemperature("left", T_LEFT), fi.FixedTemperature("right", T_RIGHT)],
        solver="direct",
    )  # fmt: skip
    return p, p.run()


def test_pressure_table_at_a_fixed_pressure_is_the_constant_fast_path():
    table = ConductanceTable("pressure", [1e4, 1e5, 1e6], [300.0, 2000.0, 15000.0])
    law = TabulatedConductance(table, 4e5)
    h = 2000.0 + (15000.0 - 2000.0) * (4e5 - 1e5) / (1e6 - 1e5)  # linear in P
    p, _ = _solve(law)
    f = p.formulation
    assert f.coupling is not None and not f.nonlinear
    assert not any(isinstance(t, InterfaceTerm) for t in f.terms)
    q = (T_LEFT - T_RIGHT) / (L[0] / K[0] + 1 / h + L[1] / K[1])
    (s,) = p.interface_table()
    assert s.heat_flow_W == pytest.approx(q, rel=1e-11)
    assert s.conductance_W_m2K == pytest.approx(h, rel=1e-11)


@pytest.mark.parametrize("method", ["linear", "pchip"])
def test_temperature_table_newton_exact_and_quadratic(method):
    """h(P, T) read at P = 3e5 Pa, T between 300 and 420 K: Newton with the UFL
    derivative of the interpolant converges quadratically (the pchip interpolant is
    C¹; the linear one within a piece) to the root of the 1D balance."""
    table = ConductanceTable(
        "pressure", [1e5, 1e6], [[500.0, 900.0, 1500.0, 1800.0], [5000.0, 6000.0, 8000.0, 9000.0]],
        temperature=[300.0, 340.0, 380.0, 420.0], interpolation=method,
    )  # fmt: skip
    law = TabulatedConductance(table, 3e5)
    p, res = _solve(law)
    assert p.formulation.nonlinear

    def residual(q):  # the interface temperatures for a flux q, and the law's flux
        Tp, Tm = T_LEFT - q * L[0] / K[0], T_RIGHT + q * L[1] / K[1]
        return law.conductance(Tp, Tm) * (Tp - Tm) - q

    q = brentq(
        residual, 1.0, (T_LEFT - T_RIGHT) / (L[0] / K[0] + L[1] / K[1]), xtol=1e-14, rtol=1e-15
    )
    (s,) = p.interface_table()
    assert s.heat_flow_W == pytest.approx(q, rel=1e-9)
    Tp, Tm = T_LEFT - q * L[0] / K[0], T_RIGHT + q * L[1] / K[1]
    assert s.mean_jump_K == pytest.approx(Tp - Tm, rel=1e-9)
    r = np.array(res.solve.residual_history)
    r = r[r > 1e-12 * r[0]]
    ratios = np.log(r[2:] / r[0]) / np.log(r[1:-1] / r[0])
    assert ratios[-1] > 1.7, r
    assert p.energy_balance().relative_residual < 1e-9


def test_gap_map_in_the_solver():
    """h(gap) per facet (``gap_conductance_map``, the facet-wise path): a uniform gap of
    20 µm gives the series solution with h = 3000 - 2400 (10/40) = 2400 W/(m² K)
    (linear in g), to round-off."""
    from fe_interface.model.interfaces import law_kind
    from fe_interface.model.laws import gap_conductance_map

    table = ConductanceTable("gap", [0.0, 1e-5, 5e-5], [1.0e4, 3.0e3, 6.0e2])
    law = gap_conductance_map(table, lambda x: np.full(x.shape[1], 2e-5))
    assert law_kind(law) == "facet"
    h = 3.0e3 + (6.0e2 - 3.0e3) * (2e-5 - 1e-5) / (5e-5 - 1e-5)
    p, _ = _solve(law)
    q = (T_LEFT - T_RIGHT) / (L[0] / K[0] + 1 / h + L[1] / K[1])
    (s,) = p.interface_table()
    assert s.heat_flow_W == pytest.approx(q, rel=1e-11)
    assert s.mean_jump_K == pytest.approx(q / h, rel=1e-11)
