"""Transient conduction with interface conductance: validation against exact solutions.

* two semi-infinite bodies brought into contact through a conductance h (closed form
  checked against a numerical Laplace inversion), BE and CN: interface temperatures and
  heat flux, measured order in Δt and in the mesh size;
* a finite two-layer slab with an interface resistance against its eigenfunction series;
* energy conservation at every step (sources, flux, convection, time-dependent fixed
  temperatures, a temperature-dependent law), time-dependent data, adaptive steps.

The orders in Δt and h, the slab series and the adaptive-accuracy test are ``slow``: they
run once, serially (hundreds of small steps, dominated by MPI latency under mpirun);
the parallel pass keeps the semi-infinite contact, the energy bookkeeping, adaptive
steps with rejections and restarts, and :mod:`test_transient_io` compares a 2-process
run with the serial one.
"""

import math

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from helpers.laws import GapRadiation
from helpers.walls import wall_mesh
from scipy.optimize import brentq

from fe_interface.errors import InputError, TimeStepError
from fe_interface.mesh import tag_mesh
from fe_interface.model import (
    Conductance,
    Convection,
    FixedTemperature,
    HeatFlux,
    HeatSource,
    Interface,
    Material,
    Resistance,
    TimeFunction,
)
from fe_interface.postprocessing.balance import EnergyBalance, steady_balance
from fe_interface.postprocessing.exact import carslaw_jaeger_contact
from fe_interface.problems.transient import TransientProblem

# two "semi-infinite" bodies: κ1 = 1, κ2 = 4 m²/s, e1 = e2 = 1, β = h (1/e1 + 1/e2) = 4 s^-1/2
K1, RC1, K2, RC2, H = 1.0, 1.0, 2.0, 0.5, 2.0
T1, T2 = 400.0, 300.0
T_END = 0.01  # s: diffusion lengths 2√(κt) = 0.2, 0.4 m ≪ L = 2 m (erfc(5) ~ 1e-12)
WIDTH = 0.05


def bar_mesh(N: int, L: float = 2.0, grading: float = 2.0, cell=dmesh.CellType.quadrilateral):
    """[-L, L] × [0, WIDTH], N cells per body along x, refined towards x = 0."""
    m = dmesh.create_rectangle(
        MPI.COMM_WORLD,
        [[-1, 0], [1, WIDTH]],
        [2 * N, 1],
        cell,
        ghost_mode=dmesh.GhostMode.shared_facet,
    )
    s = m.geometry.x[:, 0].copy()
    m.geometry.x[:, 0] = L * np.sign(s) * np.abs(s) ** grading
    return tag_mesh(
        m,
        {"m0": (1, lambda x: x[0] < 0), "m1": (2, lambda x: x[0] > 0)},
        {
            "left": (1, lambda x: np.isclose(x[0], -L)),
            "right": (2, lambda x: np.isclose(x[0], L)),
        },
        {"i0": (10, ("m0", "m1"))},
    )


def contact_problem(N, scheme, grading=2.0, **kw):
    return TransientProblem(
        bar_mesh(N, grading=grading),
        {"m0": Material("a", K1, 1.0, RC1), "m1": Material("b", K2, 1.0, RC2)},
        [Interface("i0", Conductance(H), plus="m0")],
        [],
        initial_temperature={"m0": T1, "m1": T2},
        scheme=scheme,
        solver="direct",
        **kw,
    )


def values_at(p, region, x0, tol=1e-12):
    """Mean of region's dofs at x = x0 (all ranks)."""
    Tf, cells = p.region_temperature(region)
    V = Tf.function_space
    n = V.dofmap.index_map.size_local
    dofs = np.unique(V.dofmap.list[cells])
    dofs = dofs[dofs < n]
    X = V.tabulate_dof_coordinates()[dofs]
    sel = np.abs(X[:, 0] - x0) < tol
    s = p.comm.allreduce(float(Tf.x.array[dofs[sel]].sum()))
    c = p.comm.allreduce(int(sel.sum()))
    return s / c


def all_values(p):
    """The whole field (every dof copy) in a partition-independent order: by colour, then
    by coordinates."""
    V = p.T.function_space
    n = V.dofmap.index_map.size_local
    X = V.tabulate_dof_coordinates()[:n]
    key = np.column_stack([p.formulation.broken.colour[:n], np.round(X, 12)])
    data = p.comm.allgather((key, p.T.x.array[:n]))
    key = np.concatenate([d[0] for d in data])
    v = np.concatenate([d[1] for d in data])
    return v[np.lexsort(key.T[::-1])]


# ------------------------------------------------------------------ exact solution
def talbot(F, t, M=24):
    """Fixed-Talbot numerical Laplace inversion (Abate & Valkó 2004)."""
    k = np.arange(1, M)
    cot = 1 / np.tan(k * np.pi / M)
    delta = np.r_[2 * M / 5, 2 * k * np.pi / 5 * (cot + 1j)]
    gamma = np.r_[
        0.5 * np.exp(delta[0]),
        (1 + 1j * (k * np.pi / M) * (1 + cot**2) - 1j * cot) * np.exp(delta[1:]),
    ]
    return 0.4 / t * np.sum((gamma * np.array([F(d / t) for d in delta])).real)


def test_closed_form_matches_laplace_inversion():
    """T̄ and q̄ solve the transformed problem; the erfc/exp·erfc form inverts them."""
    e1, e2 = math.sqrt(K1 * RC1), math.sqrt(K2 * RC2)
    beta = H * (1 / e1 + 1 / e2)
    dT = T1 - T2
    for t in (1e-3, 1e-2, 0.3):
        for x, side in ((-0.3, 1), (-0.05, 1), (0.0, 1), (0.0, 2), (0.05, 2), (0.3, 2)):
            if side == 1:

                def F(s, x=x):
                    return T1 / s - H * dT * np.exp(-abs(x) * np.sqrt(s * RC1 / K1)) / (
                        e1 * s * (np.sqrt(s) + beta)
                    )
            else:

                def F(s, x=x):
                    return T2 / s + H * dT * np.exp(-abs(x) * np.sqrt(s * RC2 / K2)) / (
                        e2 * s * (np.sqrt(s) + beta)
                    )

            T, q = carslaw_jaeger_contact(np.array([x]), t, T1, T2, K1, RC1, K2, RC2, H, side)
            assert T[0] == pytest.approx(talbot(F, t), abs=1e-8)
        qbar = talbot(lambda s: H * dT / (np.sqrt(s) * (np.sqrt(s) + beta)), t)
        assert q == pytest.approx(qbar, rel=1e-10)
        T0, _ = carslaw_jaeger_contact(np.zeros(2), t, T1, T2, K1, RC1, K2, RC2, H)
        # jump = q / h at the interface
        Tp, _ = carslaw_jaeger_contact(np.zeros(1), t, T1, T2, K1, RC1, K2, RC2, H, 1)
        assert Tp[0] - T0[1] == pytest.approx(q / H, rel=1e-12)


# ------------------------------------------------------------------ semi-infinite bodies
@pytest.mark.parametrize(("scheme", "tol"), [("backward_euler", 5e-3), ("crank_nicolson", 6e-4)])
def test_semi_infinite_contact(scheme, tol):
    p = contact_problem(40, scheme)
    times, flows, jumps = [], [], []

    def record(pb):
        times.append(pb.t)

    res = p.run(T_END, T_END / 40, callback=record)
    flows = res.history["i0_heat_flow_W"] / WIDTH
    jumps = res.history["i0_mean_jump_K"]
    np.testing.assert_allclose(res.history["time_s"], times, rtol=1e-14)
    exact_q = np.array(
        [carslaw_jaeger_contact(np.zeros(1), t, T1, T2, K1, RC1, K2, RC2, H)[1] for t in times]
    )
    # after the first few steps (the flux starts at h ΔT and falls like 1/√t)
    np.testing.assert_allclose(flows[10:], exact_q[10:], rtol=tol)
    np.testing.assert_allclose(jumps[10:], exact_q[10:] / H, rtol=tol)
    Tp = values_at(p, "m0", 0.0)
    Tm = values_at(p, "m1", 0.0)
    ex_p = carslaw_jaeger_contact(np.zeros(1), T_END, T1, T2, K1, RC1, K2, RC2, H, 1)[0][0]
    ex_m = carslaw_jaeger_contact(np.zeros(1), T_END, T1, T2, K1, RC1, K2, RC2, H, 2)[0][0]
    assert Tp == pytest.approx(ex_p, abs=tol * (T1 - T2))
    assert Tm == pytest.approx(ex_m, abs=tol * (T1 - T2))
    # far field untouched, energy conserved (insulated ends) at every step
    assert values_at(p, "m0", -2.0) == pytest.approx(T1, abs=1e-6)
    assert max(abs(r) for r in p.step_residuals) < 1e-10
    assert abs(res.history["stored_energy_change_J"][-1]) < 1e-10


@pytest.mark.slow
@pytest.mark.parametrize(("scheme", "order"), [("backward_euler", 1.0), ("crank_nicolson", 2.0)])
def test_time_order(scheme, order):
    """Differences of successive Δt-halvings on one mesh: ratio 2^order."""
    sols = []
    for nt in (8, 16, 32, 64):
        p = contact_problem(40, scheme)
        p.run(T_END, T_END / nt)
        sols.append(all_values(p))
    d = np.array([np.abs(sols[i] - sols[i + 1]).max() for i in range(3)])
    rates = np.log2(d[:-1] / d[1:])
    assert np.all(np.abs(rates - order) < 0.1), rates


@pytest.mark.slow
def test_crank_nicolson_needs_startup_for_second_order():
    """Without the backward-Euler start-up, CN's undamped modes from the initial jump
    spoil the error (the start-up is what the order test relies on)."""
    err = {}
    for startup in (0, 2):
        sols = []
        for nt in (8, 16):
            p = contact_problem(40, "crank_nicolson", startup_steps=startup)
            p.run(T_END, T_END / nt)
            sols.append(all_values(p))
        err[startup] = np.abs(sols[0] - sols[1]).max()
    assert err[0] > 5 * err[2], err


def _l2_error(p, t):
    """‖T_h − T‖_L2 at time t, each side against its exact field (P3) over its own
    (owned) cells."""
    mesh = p.T.function_space.mesh
    nowned = mesh.topology.index_map(mesh.topology.dim).size_local
    V = fem.functionspace(mesh, ("Lagrange", 3))
    err = 0.0
    for side, region in ((1, "m0"), (2, "m1")):
        Te = fem.Function(V)
        Te.interpolate(
            lambda x, s=side: carslaw_jaeger_contact(x[0], t, T1, T2, K1, RC1, K2, RC2, H, s)[0]
        )
        T, cells = p.region_temperature(region)
        dx = ufl.Measure("dx", domain=mesh, subdomain_data=[(1, cells[cells < nowned])])
        err += fem.assemble_scalar(fem.form((T - Te) ** 2 * dx(1)))
    return math.sqrt(p.comm.allreduce(err, op=MPI.SUM))


@pytest.mark.slow
def test_mesh_order():
    """L2 error at t_end against the exact solution: O(h²) for P1 (Δt error negligible)."""
    e = []
    for N in (10, 20, 40):
        p = contact_problem(N, "crank_nicolson")
        p.run(T_END, T_END / 100)
        e.append(_l2_error(p, T_END))
    rates = np.log2(np.array(e[:-1]) / e[1:])
    assert np.all(rates > 1.9), (e, rates)


# ------------------------------------------------------------------ finite two-layer slab
L1, L2 = 0.3, 0.7
KA, RCA, KB, RCB, HS = 1.0, 1.0, 0.5, 2.0, 3.0


def slab_modes(n_modes=80):
    """Eigenvalues μ and eigenfunctions of the insulated two-layer slab with an interface
    conductance: X1 = cos(ω1 x), X2 = B cos(ω2 (L − x)), ω_i = √(μ/κ_i);
    flux continuity and −k1 X1' = h (X1 − X2) at x = L1 give
    f(μ) = k1ω1 k2ω2 s1 s2 − h (k2ω2 c1 s2 + k1ω1 s1 c2) = 0, s_i, c_i = sin, cos(ω_i L_i)."""
    kap1, kap2 = KA / RCA, KB / RCB

    def f(w1):
        mu = kap1 * w1**2
        w2 = math.sqrt(mu / kap2)
        s1, c1 = math.sin(w1 * L1), math.cos(w1 * L1)
        s2, c2 = math.sin(w2 * L2), math.cos(w2 * L2)
        return KA * w1 * KB * w2 * s1 * s2 - HS * (KB * w2 * c1 * s2 + KA * w1 * s1 * c2)

    grid = np.linspace(1e-6, 400.0, 400001)
    vals = np.array([f(w) for w in grid])
    roots = [
        brentq(f, grid[i], grid[i + 1], xtol=1e-14)
        for i in np.flatnonzero(np.sign(vals[:-1]) != np.sign(vals[1:]))
    ]
    modes = [(0.0, 0.0, 0.0, 1.0)]  # μ = 0: the constant
    for w1 in roots[: n_modes - 1]:
        mu = kap1 * w1**2
        w2 = math.sqrt(mu / kap2)
        s1, c1 = math.sin(w1 * L1), math.cos(w1 * L1)
        s2, c2 = math.sin(w2 * L2), math.cos(w2 * L2)
        # B from flux continuity, or from the interface law where sin(ω2 L2) ≈ 0
        if abs(KB * w2 * s2) > abs(HS * c2):
            B = -KA * w1 * s1 / (KB * w2 * s2)
        else:
            B = (c1 - KA * w1 * s1 / HS) / c2
        modes.append((mu, w1, w2, B))
    return modes


def slab_exact(x, t, TA=400.0, TB=300.0, modes=None, side=None):
    """Series T = Σ c_n X_n(x) e^{−μ_n t}, c_n = ∫ρc T0 X_n / ∫ρc X_n² (ρc-orthogonal)."""
    x = np.asarray(x, float)
    out = np.zeros_like(x)
    first = x < L1 if side is None else np.full(x.shape, side == 1)
    for mu, w1, w2, B in modes:
        if mu == 0.0:
            n1, n2 = L1, L2
            i1, i2 = L1, L2
            X1 = np.ones_like(x)
            X2 = np.ones_like(x)
        else:
            i1 = math.sin(w1 * L1) / w1
            i2 = B * math.sin(w2 * L2) / w2
            n1 = L1 / 2 + math.sin(2 * w1 * L1) / (4 * w1)
            n2 = B**2 * (L2 / 2 + math.sin(2 * w2 * L2) / (4 * w2))
            X1 = np.cos(w1 * x)
            X2 = B * np.cos(w2 * (L1 + L2 - x))
        cn = (RCA * TA * i1 + RCB * TB * i2) / (RCA * n1 + RCB * n2)
        out += cn * np.where(first, X1, X2) * math.exp(-mu * t)
    return out


@pytest.mark.slow
def test_two_layer_slab_series():
    modes = slab_modes()
    tm = wall_mesh((L1, L2), "quadrilateral", 60)
    p = TransientProblem(
        tm,
        {"m0": Material("a", KA, 1.0, RCA), "m1": Material("b", KB, 1.0, RCB)},
        [Interface("i0", Resistance(1 / HS), plus="m0")],
        [],
        initial_temperature={"m0": 400.0, "m1": 300.0},
        scheme="crank_nicolson",
        solver="direct",
    )
    checks = {}

    def record(pb):
        for tc in (0.02, 0.1, 0.5):
            if abs(pb.t - tc) < 1e-12:
                checks[tc] = (
                    values_at(pb, "m0", L1),
                    values_at(pb, "m1", L1),
                    values_at(pb, "m0", 0.0),
                    values_at(pb, "m1", L1 + L2),
                )

    res = p.run(0.5, 0.0025, callback=record)
    assert sorted(checks) == [0.02, 0.1, 0.5]
    for tc, (Tp, Tm, T0, TL) in checks.items():
        ex = [
            slab_exact(np.array([L1]), tc, modes=modes, side=1)[0],
            slab_exact(np.array([L1]), tc, modes=modes, side=2)[0],
            slab_exact(np.array([0.0]), tc, modes=modes)[0],
            slab_exact(np.array([L1 + L2]), tc, modes=modes)[0],
        ]
        np.testing.assert_allclose([Tp, Tm, T0, TL], ex, atol=0.05, err_msg=f"t = {tc}")
        # the jump is resolved to better than 0.5 %
        assert Tp - Tm == pytest.approx(ex[0] - ex[1], rel=5e-3)
    # the series itself: mean temperature conserved, jump = q R
    T_eq = (RCA * L1 * 400.0 + RCB * L2 * 300.0) / (RCA * L1 + RCB * L2)
    assert slab_exact(np.array([0.0, 1.0]), 50.0, modes=modes) == pytest.approx(T_eq, abs=1e-9)
    assert abs(res.history["stored_energy_change_J"][-1]) < 1e-9


# ------------------------------------------------------------------ energy and data
def _energy_problem(scheme, nonlinear=False):
    tm = wall_mesh((0.02, 0.03), "triangle", 6)
    switch = TimeFunction.step(0.05)
    law = Resistance(2e-4)
    if nonlinear:
        law = GapRadiation(0.7)
    return TransientProblem(
        tm,
        {"m0": Material("cu", 398.0, 8960.0, 385.0), "m1": Material("st", 14.9, 7900.0, 477.0)},
        [Interface("i0", law, plus="m0")],
        [
            FixedTemperature("left", TimeFunction(lambda t: 300.0 + 400.0 * t)),
            Convection("right", TimeFunction(lambda t: 50.0 + 1e3 * t), 290.0),
        ],
        [HeatSource("m1", switch * 2e6), HeatSource("m0", lambda x: 1e5 * x[1])],
        initial_temperature=lambda x: 300.0 + 100.0 * x[0],
        scheme=scheme,
        solver="direct",
    )


@pytest.mark.parametrize(("scheme", "nonlinear"), [("crank_nicolson", False), ("be", True)])
def test_energy_conserved_every_step(scheme, nonlinear):
    p = _energy_problem(scheme, nonlinear)
    res = p.run(0.2, 0.01)
    assert p.formulation.nonlinear == nonlinear
    h = res.history
    dE = np.diff(np.r_[0.0, h["stored_energy_change_J"]])
    assert np.all(np.abs(p.step_residuals) <= 1e-10 * np.abs(dE).max())
    assert np.abs(h["balance_residual_J"]).max() <= 1e-10 * np.abs(h["net_inflow_J"]).max()
    assert h["stored_energy_change_J"] == pytest.approx(h["net_inflow_J"], rel=1e-9, abs=1e-9)
    # and the bookkeeping is not trivially zero: energy came in
    assert h["net_inflow_J"][-1] > 1.0
    # the switched source is off before 0.05 s: the first steps see only the rest
    if nonlinear:
        assert p.stats["newton_its"] >= res.steps


def test_switched_source_heats_insulated_body_exactly():
    """Uniform source switched on at t0 = 0.35 s in an insulated two-body model: the
    field stays uniform and BE adds q Δt f(t_{n+1}) per step: T = 300 K before the switch
    and 300 + q (t − 0.3 s)/(ρ c_p) after it (the step [0.3, 0.4] s sees f = 1)."""
    tm = wall_mesh((0.01, 0.01), "quadrilateral", 3)
    q = 1e6  # W/m³
    p = TransientProblem(
        tm,
        {"m0": Material("a", 10.0, 2000.0, 500.0), "m1": Material("b", 20.0, 2000.0, 500.0)},
        [Interface("i0", Resistance(1e-3))],
        [],
        [
            HeatSource("m0", TimeFunction.step(0.35, q)),
            HeatSource("m1", TimeFunction.step(0.35, q)),
        ],
        initial_temperature=300.0,
        solver="direct",
    )
    seen = []
    p.run(1.0, 0.1, callback=lambda pb: seen.append((pb.t, values_at(pb, "m0", 0.0))))
    for t, T in seen:
        assert T == pytest.approx(300.0 + q * max(t - 0.3, 0.0) / 1e6, abs=1e-9), t
    assert seen[-1][0] == 1.0 and seen[-1][1] == pytest.approx(300.7, abs=1e-9)


def test_linear_matrix_built_once():
    p = contact_problem(10, "backward_euler")
    p.run(T_END, T_END / 20)
    assert p.stats["matrix_assemblies"] == 1
    assert p.stats["rhs_assemblies"] == 20
    p = contact_problem(10, "crank_nicolson")  # start-up (BE, Δt/2) and CN: two matrices
    p.run(T_END, T_END / 20)
    assert p.stats["matrix_assemblies"] == 2
    assert p.stats["solves"] == 22


@pytest.mark.slow
def test_adaptive_steps():
    p = contact_problem(40, "backward_euler")
    res = p.run(T_END, 1e-5, adaptive=True, tol=0.02, dt_max=T_END / 4)
    dts = res.history["dt_s"]
    assert dts[-2] > 8 * dts[0]  # the step grows as the solution smooths
    assert res.steps < 200
    Tp = values_at(p, "m0", 0.0)
    ex = carslaw_jaeger_contact(np.zeros(1), T_END, T1, T2, K1, RC1, K2, RC2, H, 1)[0][0]
    assert Tp == pytest.approx(ex, abs=0.5)
    assert res.time == T_END
    # a tighter tolerance gives a more accurate answer
    p2 = contact_problem(40, "backward_euler")
    p2.run(T_END, 1e-5, adaptive=True, tol=0.002, dt_max=T_END / 4)
    assert abs(values_at(p2, "m0", 0.0) - ex) < abs(Tp - ex)
    with pytest.raises(TimeStepError, match="dt_min"):
        contact_problem(10, "backward_euler").run(T_END, 1e-3, adaptive=True, tol=1e-9, dt_min=1e-4)


def test_input_errors():
    tm = wall_mesh((0.5, 0.5), "triangle", 2)
    with pytest.raises(InputError, match=r"'steel'.*specific_heat"):
        TransientProblem(
            tm, {"m0": Material("cu", 1.0, 1.0, 1.0), "m1": Material("steel", 1.0, 1.0)}
        )
    with pytest.raises(InputError, match="theta"):
        TransientProblem(tm, {"m0": Material("a", 1.0, 1.0, 1.0)}, scheme=0.2)
    p = TransientProblem(
        tm,
        {"m0": Material("a", 1.0, 1.0, 1.0), "m1": Material("b", 1.0, 1.0, 1.0)},
        initial_temperature={"m0": 300.0},
    )
    with pytest.raises(InputError, match="no value for region"):
        p.run(1.0, 0.1)
    with pytest.raises(InputError, match="TimeFunction"):
        TimeFunction(3.0)


def test_heat_flux_time_function_into_insulated_body():
    """q(t) = q0·t on one face of an insulated bar: E(t) = A q0 t²/2, with CN exactly."""
    tm = wall_mesh((0.02,), "quadrilateral", 8)
    p = TransientProblem(
        tm,
        {"m0": Material("a", 50.0, 7000.0, 450.0)},
        [],
        [HeatFlux("left", TimeFunction(lambda t: t, 1e4))],
        initial_temperature=300.0,
        scheme="crank_nicolson",
        startup_steps=0,
        solver="direct",
    )
    res = p.run(2.0, 0.1)
    E = res.history["stored_energy_change_J"]
    t = res.history["time_s"]
    np.testing.assert_allclose(E, 1e4 * t**2 / 2, rtol=1e-9)  # trapezoid exact for linear q


# ------------------------------------------------------------------ balance and table at t
@pytest.mark.parametrize(("scheme", "nonlinear"), [("crank_nicolson", False), ("be", True)])
def test_energy_balance_mid_transient_includes_storage(scheme, nonlinear):
    """Two layers heated by a rising fixed temperature, a source switched on at 0.05 s
    and convection h(t): mid-transient almost all the inflow is being stored.  The
    steady balance (sources + inflows = 0) misses that storage and is off by ~100 %;
    the transient one closes to round-off, with the storage rate of the last step."""
    p = _energy_problem(scheme, nonlinear)
    res = p.run(0.1, 0.01)
    b = p.energy_balance()
    assert isinstance(b, EnergyBalance)
    assert b.time_s == pytest.approx(0.1, abs=1e-15) and b.dt_s == pytest.approx(0.01)
    assert b.theta == (0.5 if scheme == "crank_nicolson" else 1.0)
    assert set(b.boundary_inflow_W) == {"Convection:right", "FixedTemperature:left"}
    inflow = sum(b.boundary_inflow_W.values())
    # the storage term dominates: the steady bookkeeping is far from closing here
    assert b.storage_rate_W > 0.9 * (b.sources_W + inflow) > 1e6
    assert steady_balance(p.formulation).relative_residual > 0.5
    assert abs(b.residual_W) <= 1e-10 * b.storage_rate_W
    assert b.relative_residual <= 1e-10
    # the same numbers as the per-step bookkeeping of the table
    h = res.history
    assert b.storage_rate_W == pytest.approx(
        (h["stored_energy_change_J"][-1] - h["stored_energy_change_J"][-2]) / 0.01, rel=1e-12
    )
    # (both are round-off, summed in different orders)
    assert b.residual_W * b.dt_s == pytest.approx(
        -p.step_residuals[-1], abs=1e-14 * b.storage_rate_W * b.dt_s
    )
    # sources: 2 MW/m³ in m1 (0.03 m³, switched on) + ∫ 1e5 y dV over m0 (1e3 W)
    assert b.sources_W == pytest.approx(61000.0, rel=1e-12)
    if b.theta == 1.0:
        # backward Euler: the flux terms are the instantaneous values at t
        sb = steady_balance(p.formulation)
        assert b.boundary_inflow_W["Convection:right"] == pytest.approx(
            sb.boundary_inflow_W["Convection:right"], rel=1e-12
        )


def test_energy_balance_adaptive_start_up_and_restart(shared_tmp):
    """Rejected adaptive steps do not leave their balance behind; the balance of the
    last step survives a checkpoint restart; before any step there is none."""
    p = _energy_problem("crank_nicolson")
    p.initialise()
    with pytest.raises(InputError, match="no time step has been taken"):
        p.energy_balance()
    with pytest.raises(InputError, match="no temperature yet"):
        p.interface_table()
    res = p.run(0.08, 0.02, adaptive=True, tol=0.05, dt_max=0.02, checkpoint=shared_tmp / "ck")
    assert res.rejected > 0
    b = p.energy_balance()
    assert b.relative_residual <= 1e-10
    assert b.time_s == pytest.approx(0.08, abs=1e-15)
    assert b.dt_s == pytest.approx(0.5 * res.history["dt_s"][-1], rel=1e-12)  # half steps
    q = _energy_problem("crank_nicolson")
    q.run(0.08, 0.02, checkpoint=shared_tmp / "ck", restart=True)
    assert q.energy_balance() == b
    # a start-up step of Crank–Nicolson is a backward-Euler half step
    s = _energy_problem("crank_nicolson")
    s.run(0.01, 0.01)
    bs = s.energy_balance()
    assert (bs.theta, bs.dt_s) == (1.0, 0.005) and bs.relative_residual <= 1e-10


def test_interface_table_mid_transient():
    """The table holds instantaneous values at t: heat_flow_W equals the time table's
    column at that time; the bulk (gradient) values also carry heat stored in the
    cells next to the interface, so they may be far from it while T changes."""
    p = _energy_problem("crank_nicolson")
    res = p.run(0.1, 0.01)
    (s,) = p.interface_table()
    assert s.heat_flow_W == pytest.approx(res.history["i0_heat_flow_W"][-1], rel=1e-12)
    assert s.mean_jump_K == pytest.approx(res.history["i0_mean_jump_K"][-1], rel=1e-12)
    assert s.conductance_W_m2K == pytest.approx(1 / 2e-4, rel=1e-9)
    assert abs(s.heat_flow_bulk_plus_W - s.heat_flow_W) > 0.5 * abs(s.heat_flow_W)
