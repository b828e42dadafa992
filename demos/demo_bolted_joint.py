# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: light
# ---

# # A bolted joint: the heat follows the contact pressure
#
# Two steel plates (5 mm each, outer radius 25 mm) are clamped by an M8 bolt with a
# preload of 10 kN.  The bolt head presses on the annulus under the washer (radius
# 4.5–7 mm) and the nut holds the lower plate on the same annulus.  The contact
# pressure between the plates is far from uniform: it peaks near the bolt and falls to
# zero a few millimetres out (the "pressure cone"), where the plates separate.  The
# joint conducts heat from the upper plate's rim (350 K) to the lower plate's rim
# (300 K), so every watt must cross the contact.
#
# The contact conductance follows the local pressure, h = h_CMY(P) + h_gas(Y(P) + g) +
# h_rad (Cooper–Mikic–Yovanovich solid spots, the air in the gap across the roughness
# separation plus the opened gap, radiation): the elastic contact solve (axisymmetric,
# frictionless, augmented Lagrangian) gives P(x) and g(x), the heat problem uses them
# at its quadrature points.  The usual design estimate spreads the preload uniformly
# over the plates, P = F/A, and uses h(F/A) everywhere: here it is computed too, and
# the joint conductance G = Q/ΔT of the two is compared.
#
# The checks: the contact force equals the preload (equilibrium), the energy balance
# closes, the plates touch beyond the washer and separate well before the rim (the
# pressure cone, half-angle at most 45° through both plates, ends within r = 17 mm:
# contact area fraction ≤ 0.44), and the uniform estimate overstates the joint
# conductance, because the heat has to reach the loaded zone near the bolt and the open
# rim conducts through the gas only.  (That the local h is the law at the local P and
# g, and that a uniform pressure reproduces the constant-pressure law, is verified in
# `tests/helpers/contact_cases.py`: `gap_opening`, `uniform_load`.)
#
# Run: `python demos/demo_bolted_joint.py [--n 8] [--out results/bolted_joint]`.

# +
from __future__ import annotations

import argparse
import math

from mpi4py import MPI

import numpy as np

import fe_interface as fi
from fe_interface.geometry.contact_blocks import stacked_blocks
from fe_interface.mechanics import (
    Contact,
    Displacement,
    ElasticMaterial,
    GasFill,
    LocalContactLaw,
    Pressure,
)
from fe_interface.model.laws import (
    CMYPlasticConductance,
    ContactConductance,
    ContactPair,
    GapRadiation,
    GasGapConductance,
    Surface,
    VickersMicrohardness,
)
from fe_interface.postprocessing.checks import Check, format_checks
from fe_interface.problems.thermomechanical import ThermoMechanicalProblem

# -

# ## Data (SI units)

T_PLATE = 5e-3  # m, each plate
R_HOLE, R_WASHER, R_PLATE = 4.5e-3, 7.0e-3, 25e-3  # m
PRELOAD = 10e3  # N
T_HOT, T_COLD = 350.0, 300.0  # K, the rims
K_STEEL = 16.0  # W/(m K), AISI 304 near 300 K (Incropera, Table A.1)
STEEL = ElasticMaterial("AISI 304", 193e9, 0.29)
HARDNESS = VickersMicrohardness.from_material("SS304")
PAIR = ContactPair(Surface(1.0e-6, K_STEEL, m=0.1), Surface(1.0e-6, K_STEEL, m=0.1))
GAS = GasFill("air", 101325.0, 0.9, 0.9, form="simple")
RADIATION = GapRadiation(0.3, 0.3)
LAW = LocalContactLaw(PAIR, H_c=HARDNESS, gas=GAS, radiation=RADIATION, name="joint")
BEARING = PRELOAD / (math.pi * (R_WASHER**2 - R_HOLE**2))  # Pa under the washer
P_NOMINAL = PRELOAD / (math.pi * (R_PLATE**2 - R_HOLE**2))  # Pa, the uniform estimate


def build(n: int, comm: MPI.Comm = MPI.COMM_WORLD):
    """Two plates (r from the hole to the rim), ``n`` cells through each plate."""
    h = T_PLATE / n
    inner = np.linspace(R_HOLE, R_WASHER, max(1, round((R_WASHER - R_HOLE) / h)) + 1)
    outer = np.linspace(R_WASHER, R_PLATE, round((R_PLATE - R_WASHER) / h) + 1)
    r = np.concatenate([inner, outer[1:]])  # a node on the washer's edge
    z = np.linspace(0.0, T_PLATE, n + 1)
    on_washer = lambda x: x[0] < R_WASHER + 1e-9  # noqa: E731
    groups = {
        "washer": (11, lambda x: np.isclose(x[1], T_PLATE) & on_washer(x)),
        "nut": (12, lambda x: np.isclose(x[1], -T_PLATE) & on_washer(x)),
        "rim_upper": (13, lambda x: np.isclose(x[0], R_PLATE) & (x[1] > 0)),
        "rim_lower": (14, lambda x: np.isclose(x[0], R_PLATE) & (x[1] < 0)),
    }
    return stacked_blocks([r], z, z, comm=comm, groups=groups)


def uniform_estimate(tagged, solver: str) -> tuple[float, float]:
    """Joint conductance G = Q/ΔT (W/K) and h (W/(m² K)) with h(P = F/A) everywhere."""
    rel = LAW.relative_pressure(P_NOMINAL)
    law = ContactConductance(
        CMYPlasticConductance(PAIR, P_NOMINAL, HARDNESS),
        GasGapConductance("air", PAIR.sigma, 101325.0, 0.9, 0.9, relative_pressure=float(rel), form="simple"),
        RADIATION,
    )  # fmt: skip
    p = fi.SteadyProblem(
        tagged, {"lower": fi.Material("steel", K_STEEL), "upper": fi.Material("steel", K_STEEL)},
        interfaces=[fi.Interface("contact", law, plus="upper")],
        boundary_conditions=[fi.FixedTemperature("rim_upper", T_HOT), fi.FixedTemperature("rim_lower", T_COLD)],
        axisymmetric=True, solver=solver,
    )  # fmt: skip
    p.run()
    s = p.interface_table()[0]
    return s.heat_flow_W / (T_HOT - T_COLD), s.conductance_W_m2K


def main(n: int = 8, out: str | None = "results/bolted_joint", solver: str = "direct") -> dict:
    """Solve the joint, compare with the uniform-pressure estimate; returns the checks."""
    rank0 = MPI.COMM_WORLD.rank == 0
    tagged = build(n)
    problem = ThermoMechanicalProblem(
        tagged,
        {"lower": fi.Material("steel", K_STEEL), "upper": fi.Material("steel", K_STEEL)},
        {"lower": STEEL, "upper": STEEL},
        [Contact("contact", plus="upper", thermal=LAW)],
        boundary_conditions=[fi.FixedTemperature("rim_upper", T_HOT), fi.FixedTemperature("rim_lower", T_COLD)],
        mechanical_bcs=[Pressure("washer", BEARING), Displacement("nut", (None, 0.0))],
        axisymmetric=True, thermal_solver=solver,
    )  # fmt: skip
    res = problem.run()
    c, th = res.contacts[0], res.thermal_contacts[0]
    balance = problem.thermal.energy_balance()
    G = abs(th.heat_flow_W) / (T_HOT - T_COLD)
    G_uniform, h_uniform = uniform_estimate(tagged, solver)
    t = problem.mechanics.contacts[0].nodal_table()
    loaded = np.flatnonzero(t.pressure_Pa > 0)
    edge = float(t.x[loaded[-1], 0])  # the outermost loaded node, m
    if out is not None:
        problem.export(res, out, "bolted_joint")
    checks = {
        "contact_force_N": Check(
            c.force_N,
            PRELOAD,
            1e-9,
            parallel_rtol=1e-8,
            note="equilibrium with the bolt preload: augmentation tolerance 1e-9",
        ),
        "energy_balance_relative_residual": Check.at_most(
            balance.relative_residual, 1e-9, parallel_rtol=None, note="direct solver round-off"
        ),
        "contact_zone_edge_m": Check.at_least(
            edge,
            R_WASHER,
            parallel_rtol=1e-12,
            note="the pressure cone: the plates touch beyond the washer, then separate",
        ),
        "joint_vs_uniform_estimate": Check.at_most(
            G / G_uniform,
            1.0,
            parallel_rtol=1e-8,
            note="the uniform-pressure estimate overstates G: the heat must reach the loaded zone near the bolt; the rim is open",
        ),
        "contact_area_fraction": Check.at_most(
            c.area_fraction,
            0.5,
            parallel_rtol=1e-8,
            note="the plates separate towards the rim: a pressure cone of half-angle <= 45 deg through both plates ends at r <= 17 mm (fraction <= 0.44)",
        ),
    }
    if rank0:
        print(
            f"bolt preload {PRELOAD:.0f} N, bearing pressure {BEARING / 1e6:.1f} MPa, nominal F/A {P_NOMINAL / 1e6:.2f} MPa"
        )
        print(
            f"contact: force {c.force_N:.1f} N, area fraction {c.area_fraction:.3f}, max P {c.max_pressure_Pa / 1e6:.1f} MPa, "
            f"mean P over the contact {c.mean_pressure_Pa / 1e6:.2f} MPa, max gap {c.max_gap_m * 1e6:.2f} um"
        )
        print(
            f"joint: Q = {abs(th.heat_flow_W):.3f} W, G = {G:.4f} W/K; uniform-pressure estimate G = {G_uniform:.4f} W/K "
            f"(ratio {G / G_uniform:.3f}); mean h {th.mean_h_W_m2K:.0f} (solid {th.mean_h_solid_W_m2K:.0f}, gas "
            f"{th.mean_h_gas_W_m2K:.0f}, radiation {th.mean_h_radiation_W_m2K:.1f}) vs h(F/A) = {h_uniform:.0f} W/(m2 K)"
        )
        print(
            f"Newton: {res.mechanics.solve.newton_per_solve} (augmentations {res.mechanics.solve.augmentations}); "
            f"staggered iterations {len(res.history)}"
        )
        print(f"contact zone: r from {t.x[loaded[0], 0] * 1e3:.2f} to {edge * 1e3:.2f} mm")
        print(format_checks(checks))
        if out is not None:
            print(
                f"\nParaView files in {out}/ (bolted_joint_mechanics.vtu: warp by displacement_m; "
                "bolted_joint_contact.vtu: P, g, h; bolted_joint.vtu: temperature)"
            )
    return checks


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=8, help="cells through each plate")
    parser.add_argument("--out", default="results/bolted_joint", help="output folder")
    parser.add_argument("--solver", default="direct", choices=["iterative", "direct"])
    args = parser.parse_args()
    main(args.n, args.out, args.solver)
