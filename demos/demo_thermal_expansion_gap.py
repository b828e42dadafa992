# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: light
# ---

# # Thermal expansion closes a gap as the power rises
#
# Two aluminium blocks (10 mm each) sit between two rigid, cold plates with a clearance
# of 8 µm between them — a heat source mounted with a little play, a cold finger in a
# cryostat before cool-down.  The lower block is heated from below with a heat flux q,
# the top is held at the stress-free temperature.  At low power the heat crosses the
# gap through the air and by radiation only; the lower block warms, expands (it is held
# laterally, so it grows by α(1 + ν)/(1 − ν) per kelvin) and the gap narrows, which
# raises the gas conductance.  At a few 10⁴ W/m² the blocks touch; from then on the
# contact pressure and with it the solid-spot conductance (CMY, h ∝ P^0.95) grow with
# the power, and the temperature of the heated block almost stops rising: the joint
# regulates itself.
#
# This is the two-way coupling: the temperature enters the elasticity as a thermal
# strain, the pressure and the gap enter the heat problem's contact law, and a
# staggered iteration (with relaxation) runs to the criterion of
# :mod:`fe_interface.problems.thermomechanical` (max |ΔT| ≤ 1e-9 K, max |ΔP| ≤ 1e-9 max P).  The
# problem is one-dimensional, so the converged result has an exact value (the 1D
# thermo-elastic solution, :func:`fe_interface.postprocessing.exact_contact.expansion_gap_exact`,
# which P1/Q1 elements reproduce at the nodes): every power level is checked against it.
#
# Run: `python demos/demo_thermal_expansion_gap.py [--out results/thermal_expansion_gap]`.

# +
from __future__ import annotations

import argparse

from mpi4py import MPI

import numpy as np

import fe_interface as fi
from fe_interface.geometry.contact_blocks import stacked_blocks
from fe_interface.model.contacts import Contact
from fe_interface.model.elastic_materials import ElasticMaterial
from fe_interface.model.laws import ContactPair, GapRadiation, Surface
from fe_interface.model.laws.local_contact import GasFill, LocalContactLaw
from fe_interface.model.mechanical_boundary import Symmetry
from fe_interface.postprocessing.checks import Check, format_checks
from fe_interface.postprocessing.exact_contact import expansion_gap_exact
from fe_interface.problems.thermomechanical import StaggeredOptions, ThermoMechanicalProblem

# -

# ## Data (SI units)

HEIGHT, WIDTH = 0.01, 0.002  # m, each block; the strip's width (1 m deep)
CLEARANCE = 8.0e-6  # m
POWERS = (1.0e4, 3.0e4, 6.0e4, 1.0e5)  # W/m², heat flux into the bottom
ALU = ElasticMaterial("aluminium", 70e9, 0.33, alpha=23e-6, T_ref=293.15)
K_ALU = 200.0  # W/(m K)
# The law of the joint: CMY solid spots (σ = 1.4 µm joint roughness, H_c = 1 GPa), air at
# 1 atm across Y(P) + g, radiation between ε = 0.1 faces.
EXPANSION_LAW = LocalContactLaw(
    ContactPair(Surface(1.0e-6, K_ALU, m=0.1), Surface(1.0e-6, K_ALU, m=0.1)), H_c=1.0e9,
    gas=GasFill("air", 101325.0, 0.9, 0.9, T_gas=300.0, form="simple"),
    radiation=GapRadiation(0.1, 0.1),
)  # fmt: skip


def build(n: int, comm: MPI.Comm = MPI.COMM_WORLD):
    """The strip: one cell across, ``n`` cells through each block."""
    x = np.linspace(0.0, WIDTH, 2)
    z = np.linspace(0.0, HEIGHT, n + 1)
    return stacked_blocks([x], z, z, comm=comm)


def solve(tagged, q: float, solver: str):
    """The two-way coupled problem at the heat flux q (W/m²)."""
    problem = ThermoMechanicalProblem(
        tagged,
        {"lower": fi.Material("aluminium", K_ALU), "upper": fi.Material("aluminium", K_ALU)},
        {"lower": ALU, "upper": ALU},
        [Contact("contact", plus="upper", initial_gap=CLEARANCE, thermal=EXPANSION_LAW)],
        boundary_conditions=[fi.HeatFlux("bottom", q), fi.FixedTemperature("top", ALU.T_ref)],
        mechanical_bcs=[Symmetry("x0"), Symmetry("x1"), Symmetry("bottom"), Symmetry("top")],
        coupling="two-way", thermal_solver=solver, initial_temperature=ALU.T_ref,
        staggered=StaggeredOptions(max_iterations=100, temperature_atol=1e-9, pressure_rtol=1e-9),
    )  # fmt: skip
    return problem, problem.run()


def main(
    n: int = 4, out: str | None = "results/thermal_expansion_gap", solver: str = "direct"
) -> dict:
    """Sweep the power; returns the checks against the 1D solution."""
    rank0 = MPI.COMM_WORLD.rank == 0
    tagged = build(n)
    checks: dict[str, Check] = {}
    why = "1D thermo-elastic solution (nodally exact for Q1), staggered to 1e-9"
    rows = []
    for q in POWERS:
        problem, res = solve(tagged, q, solver)
        ex = expansion_gap_exact(
            CLEARANCE, HEIGHT, ALU.T_ref, q_bottom=q, law=EXPANSION_LAW, mat=ALU, k=K_ALU
        )
        c, th = res.contacts[0], res.thermal_contacts[0]
        key = f"q{q:.0e}".replace("+0", "")
        jump = -th.mean_jump_K  # heat flows up, from − (lower) to + (upper)
        checks[f"{key}_converged"] = Check(
            float(res.converged), 1.0, parallel_rtol=1e-12, note="staggered criterion met"
        )
        checks[f"{key}_jump_K"] = Check(
            jump, ex["T_minus"] - ex["T_plus"], 1e-7, parallel_rtol=1e-8, note=why
        )
        if ex["P"] > 0:
            checks[f"{key}_pressure_Pa"] = Check(
                c.max_pressure_Pa,
                ex["P"],
                1e-6,
                parallel_rtol=1e-8,
                note=why + " (P grows from 0 at touch-down: relative error larger)",
            )
        else:
            checks[f"{key}_gap_m"] = Check(c.max_gap_m, ex["g"], 1e-7, parallel_rtol=1e-8, note=why)
        rows.append(
            (
                q,
                c.max_gap_m,
                c.max_pressure_Pa,
                jump,
                ex["h"],
                len(res.history),
                res.mechanics.solve.newton_iterations,
            )
        )
        if out is not None and q == POWERS[-1]:
            problem.export(res, out, "thermal_expansion_gap")
    if rank0:
        print(
            f"{'q W/m2':>10}{'gap um':>10}{'P kPa':>10}{'jump K':>10}{'h W/m2K':>11}{'iterations':>12}{'Newton':>8}"
        )
        for q, g, P, j, h, it, nw in rows:
            print(
                f"{q:>10.3g}{g * 1e6:>10.4f}{P / 1e3:>10.3f}{j:>10.4f}{h:>11.1f}{it:>12d}{nw:>8d}"
            )
        print(format_checks(checks))
    return checks


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=4, help="cells through each block")
    parser.add_argument("--out", default="results/thermal_expansion_gap", help="output folder")
    parser.add_argument("--solver", default="direct", choices=["iterative", "direct"])
    args = parser.parse_args()
    main(args.n, args.out, args.solver)
