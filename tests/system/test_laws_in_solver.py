"""The physical interface laws of :mod:`fe_interface.model.laws` inside the FE solver.

Every check compares the FE result on a two-layer wall (insulated sides, so the field
is 1D and linear elements are exact in each layer) with an independent 1D solution:
the interface heat flux q solves

    q = h(T⁺, T⁻) (T⁺ − T⁻),   T⁺ = T_left − q L₀/k₀,   T⁻ = T_right + q L₁/k₁,

found by a scalar root search (scipy's brentq) with the law's *numpy* conductance,
while the FE solver uses the law's UFL expression and Newton's method.
"""

import json
import math

from mpi4py import MPI

import numpy as np
import pytest
from helpers.walls import nodal_errors, wall_mesh
from scipy.optimize import brentq

from fe_interface.io.summary import format_table, write_summary
from fe_interface.model import FixedTemperature, Interface, Material
from fe_interface.model.laws import (
    CMYPlasticConductance,
    Conductance,
    ContactConductance,
    ContactPair,
    GapRadiation,
    GasGapConductance,
    KapitzaConductance,
    Resistance,
    SeriesResistance,
    Surface,
)
from fe_interface.problems.steady import SteadyProblem

REL = 1e-8


def wall_1d(law, L, k, T_left, T_right):
    """Interface flux q (W/m²) and T⁺, T⁻ (K) of the 1D wall, by brentq on q."""
    q_max = (T_left - T_right) / (L[0] / k[0] + L[1] / k[1])  # perfect contact

    def sides(q):
        return T_left - q * L[0] / k[0], T_right + q * L[1] / k[1]

    def residual(q):
        Tp, Tm = sides(q)
        return float(law.conductance(Tp, Tm)) * (Tp - Tm) - q

    q = brentq(residual, 0.0, q_max, xtol=1e-15 * q_max, rtol=1e-15, maxiter=500)
    return (q, *sides(q))


def solve_wall(law, L, k, T_left, T_right, n=3, **kw):
    tm = wall_mesh(L, "triangle", n)
    p = SteadyProblem(
        tm,
        {"m0": Material("a", k[0]), "m1": Material("b", k[1])},
        [Interface("i0", law, plus="m0")],
        [FixedTemperature("left", T_left), FixedTemperature("right", T_right)],
        solver="direct",
        **kw,
    )
    res = p.run()
    (s,) = p.interface_table()
    return p, res, s


def exact_field(q, Tp, Tm, L, k):
    def T(i, x):
        return Tp - q * (x - L[0]) / k[0] if i == 0 else Tm - q * (x - L[0]) / k[1]

    return T


# --------------------------------------------------------------------------------------
# contact (solid + gas + radiation) in series with a Kapitza resistance
# --------------------------------------------------------------------------------------
AL = Surface(sigma=2.5e-6, k=167.0)  # bead-blasted Al 6061 (slope from Antonetti)
CU = Surface(sigma=2.5e-6, k=398.0)
L_WALL, K_WALL = (0.01, 0.01), (167.0, 398.0)


def full_law(pressure=3.0e5, p_gas=100.0):
    pair = ContactPair(AL, CU)
    solid = CMYPlasticConductance(pair, pressure, 1.05e9)
    gas = GasGapConductance(
        "air", pair.sigma, p_gas, 0.9, 0.9, relative_pressure=solid.relative_pressure, form="simple"
    )
    contact = ContactConductance(solid, gas, GapRadiation(0.8, 0.8))
    return SeriesResistance(contact, KapitzaConductance("Al", "Cu"))


def test_series_contact_kapitza_wall():
    law = full_law()
    T_left, T_right = 600.0, 300.0
    p, res, s = solve_wall(law, L_WALL, K_WALL, T_left, T_right)
    assert p.formulation.nonlinear and res.solve.newton_iterations >= 2
    q, Tp, Tm = wall_1d(law, L_WALL, K_WALL, T_left, T_right)
    # all three contact paths and the Kapitza part matter for the check below
    bd = law.breakdown(Tp, Tm)
    assert min(bd["contact_solid"], bd["contact_gas"], bd["contact_radiation"]) > 5.0
    assert bd["kapitza_share"] > 1e-7
    assert s.area_m2 == pytest.approx(1.0, rel=1e-12)
    assert s.heat_flow_W == pytest.approx(q, rel=REL)
    assert s.heat_flow_bulk_plus_W == pytest.approx(q, rel=REL)
    assert s.mean_jump_K == pytest.approx(Tp - Tm, rel=REL)
    assert s.min_jump_K == pytest.approx(Tp - Tm, rel=REL)
    assert s.max_jump_K == pytest.approx(Tp - Tm, rel=REL)
    assert s.conductance_W_m2K == pytest.approx(q / (Tp - Tm), rel=REL)
    assert nodal_errors(p, exact_field(q, Tp, Tm, L_WALL, K_WALL), 2) < 1e-8 * T_left

    m = s.mechanisms
    parts = ("solid", "gas", "radiation")
    # the parallel contact paths carry the whole interface heat flow
    total = sum(m[f"heat_flow_{n}_W"] for n in parts)
    assert total == pytest.approx(s.heat_flow_W, rel=1e-10)
    # ... each in proportion to its conductance; the contact part of the jump is
    # the jump minus the Kapitza part (series resistances: the same q through both)
    contact = law.contact
    hc = contact.conductance(Tp, Tm)
    hk = law.kapitza.conductance(Tp, Tm)
    R_K, R_total = 1.0 / hk, 1.0 / hc + 1.0 / hk
    for n in parts:
        h_n = getattr(contact, n).conductance(Tp, Tm)
        assert m[f"h_{n}_W_m2K"] == pytest.approx(h_n, rel=REL), n
        assert m[f"heat_flow_{n}_W"] == pytest.approx(h_n * q / hc, rel=REL), n
    assert m["kapitza_share"] == pytest.approx(R_K / R_total, rel=REL)
    assert m["h_kapitza_W_m2K"] == pytest.approx(hk, rel=REL)
    assert m["h_contact_W_m2K"] == pytest.approx(hc, rel=REL)
    assert m["h_total_W_m2K"] == pytest.approx(1.0 / R_total, rel=REL)
    assert p.energy_balance().relative_residual < 1e-9


def test_newton_quadratic_radiation_dominated_vacuum_gap():
    """Vacuum (p_gas = 0), light load, 1000 K / 300 K: radiation carries most heat."""
    ss = Surface(sigma=2.0e-6, k=16.0)
    pair = ContactPair(ss, ss)
    solid = CMYPlasticConductance(pair, 1.0e4, 4.0e9)
    gas = GasGapConductance(
        "air", pair.sigma, 0.0, 0.9, 0.9, relative_pressure=solid.relative_pressure
    )
    law = ContactConductance(solid, gas, GapRadiation(0.9, 0.9))
    assert law.temperature_dependent and not gas.temperature_dependent
    L, k = (0.01, 0.01), (16.0, 16.0)
    p, res, s = solve_wall(law, L, k, 1000.0, 300.0)
    assert p.formulation.nonlinear
    q, Tp, Tm = wall_1d(law, L, k, 1000.0, 300.0)
    h_rad = law.radiation.conductance(Tp, Tm)
    assert h_rad > 5 * solid.h
    assert s.heat_flow_W == pytest.approx(q, rel=REL)
    assert s.mean_jump_K == pytest.approx(Tp - Tm, rel=REL)
    assert s.mechanisms["heat_flow_radiation_W"] == pytest.approx(h_rad * (Tp - Tm), rel=REL)
    assert s.mechanisms["heat_flow_gas_W"] == 0.0
    # quadratic convergence: log(r_{n+1}/r_0) / log(r_n/r_0) -> 2
    r = np.array(res.solve.residual_history)
    assert res.solve.converged_reason.startswith("CONVERGED")
    assert 3 <= res.solve.newton_iterations <= 8, r
    r = r[r > 1e-13 * r[0]]
    ratios = np.log(r[2:] / r[0]) / np.log(r[1:-1] / r[0])
    assert ratios[-1] > 1.7, r
    assert r[-1] < 1e-8 * r[0]


def test_temperature_independent_laws_use_linear_path():
    pair = ContactPair(AL, CU)
    solid = CMYPlasticConductance(pair, 1.0e6, 1.05e9)
    gas = GasGapConductance(
        "air",
        pair.sigma,
        101325.0,
        0.9,
        0.9,
        relative_pressure=solid.relative_pressure,
        T_gas=300.0,
    )
    law = SeriesResistance(ContactConductance(solid, gas), Resistance(1e-6))
    assert not law.temperature_dependent
    p, res, s = solve_wall(law, L_WALL, K_WALL, 320.0, 290.0)
    assert p.formulation.nonlinear is False
    assert res.solve.newton_iterations == 0
    assert res.solve.residual_history == ()
    h = 1.0 / (1.0 / (solid.h + gas.h_at(300.0)) + 1e-6)
    q = 30.0 / (L_WALL[0] / K_WALL[0] + 1.0 / h + L_WALL[1] / K_WALL[1])
    assert s.heat_flow_W == pytest.approx(q, rel=1e-10)
    assert s.mean_jump_K == pytest.approx(q / h, rel=1e-10)
    assert s.mechanisms["kapitza_share"] == pytest.approx(1e-6 * h, rel=1e-10)


# --------------------------------------------------------------------------------------
# cryogenic Si/Cu bonded interface: Kapitza resistance only
# --------------------------------------------------------------------------------------
L_CRYO, K_CRYO = (5e-4, 5e-4), (50.0, 400.0)  # m; W/(m K) (Si, Cu near 2-4 K)


def cryo_wall(T, rel_span=0.02):
    law = SeriesResistance.kapitza_only(KapitzaConductance("Si", "Cu"))
    T_left, T_right = T * (1 + rel_span / 2), T * (1 - rel_span / 2)
    p, res, s = solve_wall(law, L_CRYO, K_CRYO, T_left, T_right)
    return law, p, res, s, (T_left, T_right)


def test_kapitza_si_cu_jump_at_2K():
    law, p, _res, s, (T_left, T_right) = cryo_wall(2.0)
    assert p.formulation.nonlinear
    q, Tp, Tm = wall_1d(law, L_CRYO, K_CRYO, T_left, T_right)
    h_K = law.kapitza.conductance(Tp, Tm)
    assert s.heat_flow_W == pytest.approx(q, rel=REL)
    assert s.mean_jump_K == pytest.approx(q / h_K, rel=REL)
    assert s.mean_jump_K == pytest.approx(s.heat_flow_W / h_K, rel=REL)
    # the secant conductance differs from h_K(T_mean) only at O((jump/T)^2)
    assert s.mean_jump_K == pytest.approx(q / law.kapitza.h(0.5 * (Tp + Tm)), rel=1e-3)
    # the jump dominates the bulk drops
    assert s.mean_jump_K > 0.5 * (T_left - T_right)
    assert s.mechanisms["kapitza_share"] == 1.0
    assert nodal_errors(p, exact_field(q, Tp, Tm, L_CRYO, K_CRYO), 2) < 1e-8 * T_left


def test_kapitza_t3_law_in_fe():
    h = {}
    for T in (1.0, 2.0, 4.0):
        *_, s, _ = cryo_wall(T)
        h[T] = s.heat_flow_W / s.mean_jump_K
        assert s.conductance_W_m2K == pytest.approx(h[T], rel=1e-10)
    for T in (1.0, 2.0):
        assert h[2 * T] / h[T] == pytest.approx(8.0, rel=0.01), h
    # and it is the law's T^3 coefficient (Debye regime: T << Theta_D; the interface
    # mean temperature differs from T by < 1 %, hence the tolerance)
    A = KapitzaConductance("Si", "Cu").t3_coefficient()
    for T in (1.0, 2.0, 4.0):
        assert h[T] / T**3 == pytest.approx(A, rel=1e-2)


def _strict_json(path):
    """Parse a JSON file, refusing the non-standard Infinity/NaN constants."""

    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(path.read_text(), parse_constant=refuse)


def test_kapitza_only_breakdown_says_no_contact_resistance(shared_tmp):
    """Bonded Si/Cu (Kapitza only): the contact part has no resistance (1/h_contact = 0),
    which the breakdown reports as h_contact = inf / R_contact = 0 / "no_resistance" --
    not as h_contact = 0 -- and the whole jump sits at the Kapitza resistance."""
    _law, p, _res, s, _ = cryo_wall(2.0)
    m = s.mechanisms
    h_K = s.heat_flow_W / s.mean_jump_K  # uniform 1D field: the FE effective h
    assert m["h_contact_W_m2K"] == math.inf
    assert m["R_contact_m2K_W"] == 0.0
    assert m["no_resistance"] == ["contact"]
    assert m["kapitza_share"] == 1.0
    for key in ("h_kapitza_W_m2K", "h_total_W_m2K"):
        assert m[key] == pytest.approx(h_K, rel=REL), key
    for key in ("R_kapitza_m2K_W", "R_total_m2K_W"):
        assert m[key] == pytest.approx(1.0 / h_K, rel=REL), key
    assert not [k for k in m if k.startswith("heat_flow_")]  # no parallel contact paths
    # identical on every rank (the interface lies on one rank or is split)
    assert MPI.COMM_WORLD.allgather(sorted(m)) == [sorted(m)] * MPI.COMM_WORLD.size

    # JSON summary: strict JSON, the infinite h written as null and explained
    path = write_summary(shared_tmp / "kapitza_only.json", [s], p.energy_balance(), MPI.COMM_WORLD)
    if MPI.COMM_WORLD.rank == 0:
        doc = _strict_json(path)
        mj = doc["interfaces"][0]["mechanisms"]
        assert mj["h_contact_W_m2K"] is None
        assert mj["R_contact_m2K_W"] == 0.0
        assert mj["no_resistance"] == ["contact"]
        assert mj["kapitza_share"] == 1.0
        assert mj["h_kapitza_W_m2K"] == pytest.approx(h_K, rel=REL)
    text = format_table([s], p.energy_balance())
    assert "h_contact inf (no resistance)" in text
    assert "Kapitza share of the jump 1" in text
    assert "h_contact 0 " not in text


def test_contact_only_breakdown_says_no_kapitza_resistance(shared_tmp):
    """The mirror case: SeriesResistance.contact_only has no Kapitza resistance."""
    h = 2.0e4
    law = SeriesResistance.contact_only(ContactConductance(Conductance(h)))
    p, _res, s = solve_wall(law, L_WALL, K_WALL, 320.0, 290.0)
    m = s.mechanisms
    assert m["h_kapitza_W_m2K"] == math.inf
    assert m["R_kapitza_m2K_W"] == 0.0
    assert m["no_resistance"] == ["kapitza"]
    assert m["kapitza_share"] == 0.0
    assert m["h_contact_W_m2K"] == pytest.approx(h, rel=1e-12)
    assert m["R_contact_m2K_W"] == pytest.approx(1.0 / h, rel=1e-12)
    assert m["heat_flow_solid_W"] == pytest.approx(s.heat_flow_W, rel=1e-10)
    path = write_summary(shared_tmp / "contact_only.json", [s], p.energy_balance(), MPI.COMM_WORLD)
    if MPI.COMM_WORLD.rank == 0:
        mj = _strict_json(path)["interfaces"][0]["mechanisms"]
        assert mj["h_kapitza_W_m2K"] is None and mj["no_resistance"] == ["kapitza"]
    assert "h_kapitza inf (no resistance)" in format_table([s], p.energy_balance())
