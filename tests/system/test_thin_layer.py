"""The thin-layer interface law against the meshed layer it replaces.

* steady 1D: the series resistance t/k is exact, so the thin layer reproduces the meshed
  layer (and the exact solution) to round-off;
* transient: the difference to the meshed layer vanishes as t -> 0: second order (and
  better) with the layer's heat capacity on the interface, first order without it
  (the missing heat rho c_p t dT/dt); the energy balance with the layer's storage stays
  exact (round-off);
* the electronics package with the TIM as a thin layer (``thin_tim``) against the meshed
  TIM: the junction temperature to a fraction of the TIM's own drop.
"""

from mpi4py import MPI

import numpy as np
import pytest
from helpers.walls import wall_mesh

import fe_interface as fi
from fe_interface.discretisation.terms import InterfaceTerm
from fe_interface.model.laws import ThinLayer
from fe_interface.postprocessing.derived import RegionTemperature, SurfaceMean

A = B = 0.01  # m, the slabs on either side
K_BULK, RHO_BULK, CP_BULK = 200.0, 2700.0, 900.0  # aluminium-like
K_LAYER, RHO_LAYER, CP_LAYER = 5.0, 2000.0, 1000.0  # a TIM
Q_IN = 1.0e5  # W/m^2 into the left face
T0 = 300.0  # K


def _materials(thin: bool) -> dict:
    bulk = fi.Material("bulk", K_BULK, RHO_BULK, CP_BULK)
    if thin:
        return {"m0": bulk, "m1": bulk}
    return {"m0": bulk, "m1": fi.Material("layer", K_LAYER, RHO_LAYER, CP_LAYER), "m2": bulk}


def _layer(t: float, storage: bool = True) -> ThinLayer:
    return ThinLayer(
        t, K_LAYER, RHO_LAYER if storage else None, CP_LAYER if storage else None, "TIM"
    )


def _steady(t: float, thin: bool) -> fi.SteadyProblem:
    tm = wall_mesh([A, B] if thin else [A, t, B], "triangle", 3)
    interfaces = [fi.Interface("i0", _layer(t), plus="m0")] if thin else []
    p = fi.SteadyProblem(
        tm, _materials(thin), interfaces,
        [fi.FixedTemperature("left", 350.0), fi.FixedTemperature("right", T0)],
        solver="direct",
    )  # fmt: skip
    p.run()
    return p


def test_steady_thin_layer_is_the_series_resistance():
    """1D: T linear in every layer, so P1 is exact: thin layer = meshed layer = the
    series resistance a/k + t/k_l + b/k, to round-off."""
    t = 2e-4
    thin, meshed = _steady(t, True), _steady(t, False)
    q = (350.0 - T0) / (A / K_BULK + t / K_LAYER + B / K_BULK)  # W/m^2 (unit area)
    (s,) = thin.interface_table()
    assert s.heat_flow_W == pytest.approx(q, rel=1e-11)
    assert s.mean_jump_K == pytest.approx(q * t / K_LAYER, rel=1e-11)
    for name in ("left", "right"):
        b_thin = thin.energy_balance().boundary_inflow_W[f"FixedTemperature:{name}"]
        b_mesh = meshed.energy_balance().boundary_inflow_W[f"FixedTemperature:{name}"]
        assert b_thin == pytest.approx(b_mesh, rel=1e-11)
    # the slab temperatures: region means agree (the right slab is shifted by t)
    for r_thin, r_mesh in (("m0", "m0"), ("m1", "m2")):
        assert RegionTemperature(thin, r_thin).mean() == pytest.approx(
            RegionTemperature(meshed, r_mesh).mean(), rel=1e-12
        )
    # the constant-h fast path: no dS form for the conductance
    f = thin.formulation
    assert f.coupling is not None and not any(isinstance(x, InterfaceTerm) for x in f.terms)


def _transient(t: float, thin: bool, storage: bool = True) -> tuple[np.ndarray, float]:
    """(left-face mean T, mean T of each slab) at 0.5 s (K), and the worst relative
    residual of the step balances."""
    tm = wall_mesh([A, B] if thin else [A, t, B], "quadrilateral", 8)
    interfaces = [fi.Interface("i0", _layer(t, storage), plus="m0")] if thin else []
    p = fi.TransientProblem(
        tm, _materials(thin), interfaces,
        [fi.HeatFlux("left", Q_IN), fi.FixedTemperature("right", T0)],
        initial_temperature=T0, solver="direct",
    )  # fmt: skip
    worst = []
    p.run(
        0.5,
        0.01,
        progress=False,
        callback=lambda q: worst.append(q.energy_balance().relative_residual),
    )
    vals = [SurfaceMean.boundary(p, "left")(), RegionTemperature(p, "m0").mean()]
    vals.append(RegionTemperature(p, "m1" if thin else "m2").mean())
    return np.array(vals), max(worst)


def test_transient_thin_layer_converges_to_the_meshed_layer():
    """The difference to the meshed layer (8 cells across it) for t = 200, 100, 50 µm.

    Measured (this test): with the layer's heat capacity, differences 4.4e-4, 9.9e-5,
    1.7e-5 K at the heated face: rates 2.2 and 2.5 (second order, tending to third:
    the lumped storage is exact to O(t³)); without it 2.4e-3, 1.2e-3, 5.7e-4 K: rate
    1.0 (the missing heat ρ c_p t ∂T/∂t).  The storage term gains a factor 30 at 50 µm.
    """
    ts = [2e-4, 1e-4, 5e-5]
    diff = {True: [], False: []}
    for t in ts:
        ref, _ = _transient(t, False)
        for storage in (True, False):
            val, worst = _transient(t, True, storage)
            diff[storage].append(np.abs(val - ref))
            assert worst < 1e-9  # the step balances close with the layer's storage
    with_s, without = np.array(diff[True]), np.array(diff[False])
    rate_s = np.log2(with_s[:-1] / with_s[1:])
    rate_0 = np.log2(without[:-1] / without[1:])
    if MPI.COMM_WORLD.rank == 0:
        print("\nthin vs meshed layer, |difference| K (left face, slab means):")
        for t, a, b in zip(ts, with_s, without, strict=True):
            print(f"  t = {t:.1e} m: with storage {a}, without {b}")
        print(f"  rates with storage {rate_s.tolist()}, without {rate_0.tolist()}")
    assert np.all(rate_s > 1.9), rate_s
    assert np.all(np.abs(rate_0[-1] - 1.0) < 0.1), rate_0
    assert np.all(with_s[-1] < without[-1] / 10)


def test_thin_tim_package_against_the_meshed_tim():
    """electronics_package(thin_tim=True): the TIM as a ThinLayer between die and
    spreader.  Steady 100 W: the junction temperature within 1 % of the TIM's own
    temperature range in the meshed model (the thin layer neglects lateral conduction in
    the TIM and its 0.1 mm of height; measured 0.05 %: 389.302 vs 389.294 K, TIM range
    16 K), and the layer's mean jump is q'' t / k = 12.5 K (all the heat crosses it)."""
    from fe_interface.geometry import electronics_package

    common = {"die": (10e-3, 0.5e-3), "tim": (10e-3, 1e-4), "spreader": (22e-3, 2e-3),
              "sink_base": (40e-3, 4e-3), "mesh_size": 1e-3}  # fmt: skip
    mats = {"die": fi.Material("si", 148.0), "spreader": fi.Material("cu", 398.0),
            "sink": fi.Material("al", 167.0)}  # fmt: skip
    bc = [fi.Convection("sink_bottom", 2000.0, T0)]
    src = [fi.HeatSource("die", power=100.0, depth=0.02)]
    meshed = fi.SteadyProblem(
        electronics_package(**common), mats | {"tim": fi.Material("tim", 4.0)},
        boundary_conditions=bc, sources=src, solver="direct",
    )  # fmt: skip
    meshed.run()
    thin = fi.SteadyProblem(
        electronics_package(**common, thin_tim=True), mats,
        [fi.Interface("tim", ThinLayer(1e-4, 4.0), plus="die")], bc, src, solver="direct",
    )  # fmt: skip
    thin.run()
    dm = meshed.derived_values(junction="die")
    dt = thin.derived_values(junction="die")
    tim = RegionTemperature(meshed, "tim")
    drop = tim.max() - tim.min()
    (s,) = thin.interface_table()
    assert s.heat_flow_W == pytest.approx(100.0 / 0.02, rel=1e-9)  # all the power crosses
    assert s.mean_jump_K == pytest.approx(100.0 / 0.02 / 10e-3 * 1e-4 / 4.0, rel=1e-9)
    assert abs(dt.junction_K - dm.junction_K) < 0.01 * drop, (dt.junction_K, dm.junction_K, drop)


def test_thin_tim_is_validated():
    from fe_interface.geometry import electronics_package

    with pytest.raises(ValueError, match="thin_tim must be true or false"):
        electronics_package(thin_tim="yes")
