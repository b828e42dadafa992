# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: light
# ---

# # Parts meshed separately: non-matching interface pairs
#
# **1. A chip stack whose parts do not share nodes.**  A silicon die (0.5 mm), a copper
# lid (1.5 mm) and an aluminium heat-sink base (4 mm), all 10 × 10 mm, are meshed one by
# one with their own cell sizes (tetrahedra of 1.25, 2 and 3.3 mm × 8/n): the faces where
# they touch are meshed differently on the two sides.  Interface pairs couple them:
# `die_top`/`lid_bottom` through a thermal interface material (R = 2×10⁻⁵ m² K/W) and
# `lid_top`/`sink_bottom` through grease (R = 5×10⁻⁵ m² K/W).  10 W enter the die's
# bottom, the sink's top is cooled (h = 5000 W/(m² K), 25 °C), the sides are insulated:
# the field is one-dimensional and linear in each part, and the discretisation of the
# pairs (mortar segments, Nitsche's method) reproduces it exactly on non-matching meshes
# — every temperature and jump below is checked against its exact value, the heat
# leaving each part against the heat entering the next to round-off.
#
# **2. An unmeshed gas gap between coaxial cylinders** (r = 0.5…1 m and 2…2.5 m, the
# gap 1 → 2 m filled with a gas of k = 0.5 W/(m K)).  The conducting-shell law on each
# surface, h = k/(r ln(r₂/r₁)), gives the exact heat flow; the planar law k/δ with the
# true local gap δ gives −31 % (integrated on the inner surface) or +39 % (on the outer).
#
# Run: `python demos/demo_nonmatching_pairs.py [--n 8] [--out results/nonmatching_pairs]`.

# +
from __future__ import annotations

import argparse
import math

from mpi4py import MPI

import fe_interface as fi
from fe_interface.geometry.parts import concentric_parts, stacked_parts
from fe_interface.io.summary import format_table
from fe_interface.model.laws.gap import GapConduction
from fe_interface.model.pairs import InterfacePair
from fe_interface.postprocessing.checks import Check, format_checks
from fe_interface.postprocessing.derived import boundary_mean_temperature

# -

# ## Data (SI units)

MM = 1e-3
HEIGHTS = [0.5 * MM, 1.5 * MM, 4.0 * MM]  # die, lid, sink
WIDTH = 10 * MM
AREA = WIDTH**2
K = {"die": 148.0, "lid": 401.0, "sink": 237.0}  # W/(m K), Incropera Table A.1
R_TIM, R_GREASE = 2.0e-5, 5.0e-5  # m² K/W
POWER = 10.0  # W
H_AIR, T_AIR = 5000.0, 298.15  # W/(m² K), K
# the gap: inner cylinder 0.5..1 m (k = 3), outer 2..2.5 m (k = 2), gas k = 0.5 W/(m K)
R0, R1, R2, R3 = 0.5, 1.0, 2.0, 2.5
K_IN, K_OUT, K_GAS = 3.0, 2.0, 0.5
T_IN, T_OUT = 301.0, 300.0


def stack_exact() -> dict[str, float]:
    """1D series solution of the stack (K, W)."""
    q = POWER / AREA
    t_sink_top = T_AIR + q / H_AIR
    t_sink_bottom = t_sink_top + q * HEIGHTS[2] / K["sink"]
    t_lid_top = t_sink_bottom + q * R_GREASE
    t_lid_bottom = t_lid_top + q * HEIGHTS[1] / K["lid"]
    t_die_top = t_lid_bottom + q * R_TIM
    t_die_bottom = t_die_top + q * HEIGHTS[0] / K["die"]
    return {
        "die_bottom_K": t_die_bottom,
        "tim_jump_K": q * R_TIM,
        "grease_jump_K": q * R_GREASE,
        "sink_top_K": t_sink_top,
    }


def stack(n: int, solver: str, out: str | None) -> tuple[dict, fi.SteadyProblem]:
    """The three separately meshed parts, coupled by two pairs."""
    h = 8 * MM / n
    t = stacked_parts(HEIGHTS, WIDTH, ["die", "lid", "sink"], [1.25 * h, 2.0 * h, 3.3 * h], dim=3)
    p = fi.SteadyProblem(
        t,
        {name: fi.Material(name, k) for name, k in K.items()},
        interfaces=[
            InterfacePair(("die_top", "lid_bottom"), fi.Resistance(R_TIM), name="tim"),
            InterfacePair(("lid_top", "sink_bottom"), fi.Resistance(R_GREASE), name="grease"),
        ],
        boundary_conditions=[
            fi.HeatFlux("die_bottom", POWER / AREA),
            fi.Convection("sink_top", H_AIR, T_AIR),
        ],
        solver=solver,
    )
    p.run()
    if out is not None:
        p.export(out, "stack")
    rows = {r.name: r for r in p.interface_table()}
    values = {
        "die_bottom_K": boundary_mean_temperature(p, "die_bottom"),
        "sink_top_K": boundary_mean_temperature(p, "sink_top"),
        "tim_jump_K": rows["tim"].mean_jump_K,
        "grease_jump_K": rows["grease"].mean_jump_K,
        "tim_heat_flow_W": rows["tim"].heat_flow_W,
        "grease_heat_flow_W": rows["grease"].heat_flow_W,
        "tim_conservation": rows["tim"].mechanisms["conservation_relative"],
        "grease_conservation": rows["grease"].mechanisms["conservation_relative"],
        "balance": p.energy_balance().relative_residual,
    }
    return values, p


def gap(law_geometry: str, surfaces: tuple[str, str]) -> float:
    """Heat flow (W per metre of length) across the gas gap with the given law."""
    t = concentric_parts([(R0, R1), (R2, R3)], ["inner", "outer"], [0.3, 0.5], order=2)
    p = fi.SteadyProblem(
        t,
        {"inner": fi.Material("inner", K_IN), "outer": fi.Material("outer", K_OUT)},
        interfaces=[
            InterfacePair(surfaces, GapConduction(K_GAS, law_geometry), search_distance=1.5)
        ],
        boundary_conditions=[
            fi.FixedTemperature("inner_inner", T_IN),
            fi.FixedTemperature("outer_outer", T_OUT),
        ],
        solver="direct",
        degree=2,
    )
    p.run()
    (row,) = p.interface_table()
    p.close()
    return abs(row.heat_flow_W)


def shells(gas: float) -> float:
    """The exact heat flow (W/m) through the solid shells and a gap of conductance ``gas``."""
    r = math.log(R1 / R0) / (2 * math.pi * K_IN) + math.log(R3 / R2) / (2 * math.pi * K_OUT)
    return (T_IN - T_OUT) / (r + 1.0 / gas)


def main(
    n: int = 8, out: str | None = "results/nonmatching_pairs", solver: str = "iterative"
) -> dict:
    """Solve both parts of the demo; the checks."""
    values, problem = stack(n, solver, out)
    ex = stack_exact()
    rtol, par = {"direct": (1e-9, 1e-10), "iterative": (1e-7, 1e-7)}[solver]
    why = f"P1 reproduces the linear field on non-matching meshes: {solver} solver error"
    checks = {
        key: Check(values[key], ex[key], rtol, parallel_rtol=par, note=why)
        for key in ("die_bottom_K", "sink_top_K", "tim_jump_K", "grease_jump_K")
    }
    for name in ("tim", "grease"):
        checks[f"{name}_heat_flow_W"] = Check(
            values[f"{name}_heat_flow_W"], POWER, rtol, parallel_rtol=par,
            note="all the power crosses both pairs (insulated sides)",
        )  # fmt: skip
        checks[f"{name}_conservation"] = Check.at_most(
            values[f"{name}_conservation"], 1e-10, parallel_rtol=None,
            note="heat leaving one part = heat entering the next, from the assembled term",
        )  # fmt: skip
    checks["energy_balance_relative_residual"] = Check.at_most(
        values["balance"], rtol, parallel_rtol=None, note=f"{solver} round-off"
    )
    g_exact = 2 * math.pi * K_GAS / math.log(R2 / R1)  # W/(m K) per metre: the gas shell
    q_exact = shells(g_exact)
    checks["gap_cylinder_law_W_per_m"] = Check(
        gap("cylinder", ("inner_outer", "outer_inner")), q_exact, 1e-3, parallel_rtol=1e-9,
        note="h = k/(r ln(r2/r1)) on the inner surface: exact up to the P2 discretisation",
    )  # fmt: skip
    for name, surfaces, factor in (
        ("planar_inner", ("inner_outer", "outer_inner"), math.log(2.0)),
        ("planar_outer", ("outer_inner", "inner_outer"), 2 * math.log(2.0)),
    ):
        checks[f"gap_{name}_law_W_per_m"] = Check(
            gap("planar", surfaces), shells(factor * g_exact), 1e-3, parallel_rtol=1e-9,
            note=f"k/gap on the {name.split('_')[1]} surface: {factor - 1:+.0%} gas conductance",
        )  # fmt: skip
    table = format_table(problem.interface_table(), problem.energy_balance())  # collective
    if MPI.COMM_WORLD.rank == 0:
        print(table)
        print(format_checks(checks))
        if out is not None:
            print(f"\nParaView files in {out}/ (stack.xdmf, stack.vtu: pair_jump_K on the pairs)")
    problem.close()
    return checks


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=8, help="cells across 8 mm of the die")
    parser.add_argument("--out", default="results/nonmatching_pairs", help="output folder")
    parser.add_argument("--solver", default="iterative", choices=["iterative", "direct"])
    args = parser.parse_args()
    main(args.n, args.out, args.solver)
