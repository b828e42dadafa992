# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: light
# ---

# # A chip switched on: transient heating of a die–TIM–heat-sink stack
#
# A 10 mm × 10 mm silicon die (0.5 mm) sits on a thermal interface material (TIM,
# 0.1 mm) on an aluminium heat sink (5 mm) whose bottom is cooled by forced
# convection (h = 2×10⁴ W/(m² K), 25 °C).  Both joints have a contact resistance
# (die/TIM 1×10⁻⁵, TIM/sink 2×10⁻⁵ m² K/W), so the temperature jumps twice on the way
# from the junction to the air.  At t = 0 the chip is switched on: 50 W dissipated
# uniformly in the die (a step in power, `TimeFunction.step`).  The sides are
# insulated, so the field is one-dimensional.
#
# What happens: at first the die heats as if insulated, at P/(ρ c_p V_die) — the heat
# has not yet crossed the joints; the jumps grow as the heat flow through each joint
# builds up; after a few time constants (R_total·C ≈ 1 s) the stack reaches the steady
# state, which must be exactly the `SteadyProblem` solution on the same mesh.  The demo
# integrates with adaptive backward-Euler steps (from 0.1 µs to seconds), prints the
# junction-temperature history and the interface jumps over time, writes a time series
# for ParaView and ends with computed vs expected values (asserted by
# `tests/test_demos.py`, serially and under `mpirun -n 2`).
#
# Run: `python demos/demo_transient_stack.py [--n 4] [--out results/transient_stack]`.

# +
from __future__ import annotations

import argparse
import math

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from dolfinx.fem import IntegralType

from fe_interface.boundary import Convection
from fe_interface.interfaces import Interface, Resistance
from fe_interface.materials import HeatSource, Material
from fe_interface.mesh import tag_mesh
from fe_interface.problem import SteadyProblem
from fe_interface.transient import TimeFunction, TransientProblem

# -

# ## Data (SI units)

POWER = 50.0  # W, switched on at t = 0
SIDE = 0.01  # m, die edge
AREA = SIDE**2  # m²
L_DIE, L_TIM, L_SINK = 0.5e-3, 0.1e-3, 5.0e-3  # m
# k W/(m K), ρ kg/m³, c_p J/(kg K): silicon, a filled-silicone TIM, aluminium 6061
DIE = Material("silicon", 148.0, 2330.0, 712.0)
TIM = Material("TIM", 5.0, 2500.0, 1000.0)
SINK = Material("aluminium", 167.0, 2700.0, 896.0)
R_DIE_TIM, R_TIM_SINK = 1.0e-5, 2.0e-5  # m² K/W, contact resistances
H_CONV, T_AIR = 2.0e4, 298.15  # W/(m² K), K
T_END = 30.0  # s: many time constants


def build(n: int, comm: MPI.Comm = MPI.COMM_WORLD):
    """Hexahedra: 2×2 in plane, layers of n (die), n//2 (TIM), 2n (sink) cells in z."""
    layers = [(L_SINK, 2 * n), (L_TIM, max(1, n // 2)), (L_DIE, n)]
    nz = sum(k for _, k in layers)
    m = dmesh.create_box(
        comm,
        [[0.0, 0.0, 0.0], [SIDE, SIDE, 1.0]],
        [2, 2, nz],
        dmesh.CellType.hexahedron,
        ghost_mode=dmesh.GhostMode.shared_facet,
    )
    # map the uniform z-planes piecewise linearly onto the layers
    s_knots = np.cumsum([0] + [k for _, k in layers]) / nz
    z_knots = np.cumsum([0.0] + [L for L, _ in layers])
    m.geometry.x[:, 2] = np.interp(m.geometry.x[:, 2], s_knots, z_knots)
    z1, z2, top = z_knots[1], z_knots[2], z_knots[3]
    return tag_mesh(
        m,
        cells={
            "sink": (1, lambda x: x[2] < z1),
            "tim": (2, lambda x: (x[2] > z1) & (x[2] < z2)),
            "die": (3, lambda x: x[2] > z2),
        },
        boundaries={
            "cooled": (1, lambda x: np.isclose(x[2], 0.0)),
            "top": (2, lambda x: np.isclose(x[2], top)),
        },
        interfaces={"die_tim": (10, ("die", "tim")), "tim_sink": (11, ("tim", "sink"))},
    )


def model(tagged, cls, **kw):
    """The same data for the transient and the steady problem."""
    return cls(
        tagged,
        materials={"die": DIE, "tim": TIM, "sink": SINK},
        interfaces=[
            Interface("die_tim", Resistance(R_DIE_TIM), plus="die"),
            Interface("tim_sink", Resistance(R_TIM_SINK), plus="tim"),
        ],
        boundary_conditions=[Convection("cooled", H_CONV, T_AIR)],
        **kw,
    )


def die_mean_form(p):
    """∫_die T dx / V_die as a compiled form (mean die temperature, K)."""
    mesh = p.tagged.mesh
    Tf, _ = p.region_temperature("die")
    c = p.T.index(Tf)
    cells = np.flatnonzero(p.cell_region == p.tagged.cell_tag("die")).astype(np.int32)
    owned = cells[cells < mesh.topology.index_map(3).size_local]
    dx = ufl.Measure(
        "dx",
        domain=mesh,
        subdomain_data=[
            (0, fem.compute_integration_domains(IntegralType.cell, mesh.topology, owned))
        ],
    )
    return fem.form(p.T[c] * dx(0), entity_maps=p.entity_maps), AREA * L_DIE


def junction_temperature(p) -> float:
    """Hottest die temperature (K): the junction."""
    Tf, cells = p.region_temperature("die")
    dofs = np.unique(Tf.function_space.dofmap.list[cells])
    local = float(Tf.x.array[dofs].max()) if dofs.size else -math.inf
    return p.comm.allreduce(local, op=MPI.MAX)


def main(
    n: int = 4, out: str | None = "results/transient_stack", solver: str = "iterative"
) -> dict:
    """Switch the chip on, integrate to the steady state, compare; computed vs expected."""
    comm = MPI.COMM_WORLD
    tagged = build(n)
    chip = TimeFunction.step(0.0, POWER / (AREA * L_DIE))  # W/m³ for t > 0
    problem = model(
        tagged,
        TransientProblem,
        sources=[HeatSource("die", chip)],
        initial_temperature=T_AIR,
        scheme="backward_euler",
        solver=solver,
    )
    problem.initialise()
    mean_form, V_die = die_mean_form(problem)
    history = []  # (t, junction K, mean die K)

    def record(p):
        mean = comm.allreduce(fem.assemble_scalar(mean_form), op=MPI.SUM) / V_die
        history.append((p.t, junction_temperature(p), mean))

    # adaptive backward Euler: 0.1 µs first step, local error ≤ 0.05 K per step
    result = problem.run(
        T_END,
        1.0e-7,
        adaptive=True,
        tol=0.05,
        dt_max=5.0,
        output=out,
        name="transient_stack",
        output_every=2,
        callback=record,
    )
    h = result.history

    # the steady state on the same mesh
    steady = model(
        tagged, SteadyProblem, sources=[HeatSource("die", POWER / (AREA * L_DIE))], solver=solver
    )
    steady.run()
    jumps = {s.name: s for s in steady.interface_table()}

    # early-time heating rate from the first step
    t1, _, mean1 = history[0]
    rho_cp_die = DIE.density * DIE.specific_heat
    computed = {
        "early_die_heating_rate_K_s": (mean1 - T_AIR) / t1,
        "late_junction_temperature_K": history[-1][1],
        "late_jump_die_tim_K": h["die_tim_mean_jump_K"][-1],
        "late_jump_tim_sink_K": h["tim_sink_mean_jump_K"][-1],
        "late_heat_flow_tim_sink_W": h["tim_sink_heat_flow_W"][-1],
    }
    expected = {
        "early_die_heating_rate_K_s": POWER / (rho_cp_die * V_die),
        "late_junction_temperature_K": junction_temperature(steady),
        "late_jump_die_tim_K": jumps["die_tim"].mean_jump_K,
        "late_jump_tim_sink_K": jumps["tim_sink"].mean_jump_K,
        "late_heat_flow_tim_sink_W": POWER,
    }
    balance = abs(h["balance_residual_J"][-1]) / max(abs(h["net_inflow_J"][-1]), 1e-300)

    if comm.rank == 0:
        print(
            f"{result.steps} steps ({result.rejected} rejected), "
            f"dt from {h['dt_s'][0]:.2g} s to {h['dt_s'].max():.2g} s"
        )
        print(
            f"\n{'t s':>10}{'junction K':>12}{'die mean K':>12}{'ΔT die/TIM K':>14}"
            f"{'ΔT TIM/sink K':>15}{'Q TIM/sink W':>14}"
        )
        for i in np.unique(np.geomspace(1, len(history), 14).astype(int) - 1):
            t, Tj, Tm = history[i]
            print(
                f"{t:>10.3g}{Tj:>12.3f}{Tm:>12.3f}{h['die_tim_mean_jump_K'][i]:>14.4f}"
                f"{h['tim_sink_mean_jump_K'][i]:>15.4f}{h['tim_sink_heat_flow_W'][i]:>14.4g}"
            )
        print(
            f"\nenergy: stored {h['stored_energy_change_J'][-1]:.6g} J, "
            f"net inflow {h['net_inflow_J'][-1]:.6g} J"
        )
        print(f"\n{'quantity':<30}{'computed':>14}{'expected':>14}")
        for k, v in computed.items():
            print(f"{k:<30}{v:>14.6g}{expected[k]:>14.6g}")
        if out is not None:
            print(
                f"\nParaView: {out}/transient_stack.xdmf (time series), {out}/transient_stack.csv"
            )
    return {k: (computed[k], expected[k]) for k in computed} | {
        "energy_balance_relative_residual": (balance, 0.0)
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=4, help="cells across the die")
    parser.add_argument("--out", default="results/transient_stack", help="output folder")
    parser.add_argument("--solver", default="iterative", choices=["iterative", "direct"])
    args = parser.parse_args()
    main(args.n, args.out, args.solver)
