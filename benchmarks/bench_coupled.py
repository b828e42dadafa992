"""Cost of one two-way coupled iteration against one thermal + one mechanical solve.

The problem: the 3D point contact of ``bench_contact.py`` (a quarter of two steel
blocks, hexahedra, a spherical initial gap r²/(2R), a uniform pressure on the top),
heated: the top at 400 K, the bottom at 300 K, the contact's conductance
h(P, g, T⁺, T⁻) from the CMY law with an air gap (:class:`LocalContactLaw`), and the
thermal strain α (T − T_ref) in the elasticity (two-way coupling).  In one process,
with the same solver options (the defaults of ``ThermoMechanicalProblem``: MUMPS for
the mechanics, CG + GAMG for the heat):

* ``thermal``: the heat problem of the same mesh with a constant conductance on the
  contact (``SteadyProblem``; its ``run()``: assemble + solve, set-up apart);
* ``elastic``: the same mesh and loads with the two blocks bonded (no contact), one
  linear solve (``ElasticProblem.solve()``, set-up apart) — the two baselines;
* ``coupled``: ``ThermoMechanicalProblem`` with ``coupling="two-way"``, a fixed number
  of staggered iterations (tolerances that none meets); each iteration's wall time
  (``StaggeredStep.time_s``: the contact solve warm-started from the last one, the
  conductances updated in place, the heat solve, the acceleration).

The ratio that counts is a later iteration (k ≥ 2, median) / (thermal + elastic); the
first iteration (it builds the heat problem and solves the contact from scratch) is
reported beside it.  Timings are wall-clock seconds (max over ranks), and the same ratio
of CPU time (steadier on a shared machine).

Usage::

    python benchmarks/bench_coupled.py                    # n = 12, MUMPS + CG/GAMG
    python benchmarks/bench_coupled.py --n 8 --mechanical-solver iterative
    mpirun -n 2 python benchmarks/bench_coupled.py
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from mpi4py import MPI

from bench_contact import A, R, mesh, tmax  # the same graded quarter blocks, radii (m)

import fe_interface  # noqa: F401  (MPI first)
from fe_interface.mechanics import (
    Contact,
    ElasticMaterial,
    ElasticProblem,
    GasFill,
    LocalContactLaw,
    Pressure,
    Symmetry,
)
from fe_interface.model.boundary import FixedTemperature
from fe_interface.model.interfaces import Conductance, Interface
from fe_interface.model.laws import ContactPair, Surface
from fe_interface.model.materials import Material
from fe_interface.problems import SteadyProblem, ThermoMechanicalProblem
from fe_interface.solvers.staggered import StaggeredOptions

COMM = MPI.COMM_WORLD
K_STEEL = 16.0  # W/(m K)
STEEL = ElasticMaterial("steel", 200e9, 0.3, alpha=12e-6, T_ref=293.15)
T_TOP, T_BOTTOM = 400.0, 300.0  # K
LAW = LocalContactLaw(
    ContactPair(Surface(1.0e-6, K_STEEL, m=0.1), Surface(1.0e-6, K_STEEL, m=0.1)),
    H_c=8.0e9,  # Pa: hardened bearing steel (HV ~ 800); the Hertz peak is 3.4 GPa
    gas=GasFill("air", 101325.0, 0.9, 0.9, form="simple"),
)


def loads() -> list:
    E_star = STEEL.plane_strain_modulus / 2
    F = 4 * E_star * A**3 / (3 * R)  # Hertz load of radius a (full sphere)
    q = (F / 4) / (10 * A) ** 2  # quarter model
    return [Symmetry("x0"), Symmetry("y0"), Symmetry("bottom"), Pressure("top", q)]


def gap(X):
    return (X[0] ** 2 + X[1] ** 2) / (2 * R)


def thermal_bcs() -> list:
    return [FixedTemperature("top", T_TOP), FixedTemperature("bottom", T_BOTTOM)]


MATERIALS = {"lower": Material("steel", K_STEEL), "upper": Material("steel", K_STEEL)}


def timed(make, solve) -> tuple[object, object, float, float, float]:
    """Build and initialise a problem, then solve it.

    Returns (problem, result, set-up s, solve s, solve CPU s).
    """
    COMM.barrier()
    t0 = time.perf_counter()
    p = make()
    p.initialise()
    t_setup = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    r = solve(p)
    t, c = time.perf_counter() - t0, time.process_time() - c0
    return p, r, tmax(t_setup), tmax(t), tmax(c)


def run_thermal(tagged, solver: str) -> dict:
    p, r, t_setup, t_solve, c_solve = timed(
        lambda: SteadyProblem(
            tagged, MATERIALS, [Interface("contact", Conductance(1.0e4), plus="upper")],
            thermal_bcs(), solver=solver,
        ),
        lambda p: p.run(),
    )  # fmt: skip
    dofs = r.temperature.function_space.dofmap.index_map.size_global
    p.close()
    return {
        "dofs": dofs, "setup_s": t_setup, "solve_s": t_solve, "solve_cpu_s": c_solve,
        "iterations": r.solve.iterations,
    }  # fmt: skip


def run_elastic(tagged, solver: str) -> dict:
    p, r, t_setup, t_solve, c_solve = timed(
        lambda: ElasticProblem(
            tagged, {"lower": STEEL, "upper": STEEL}, boundary_conditions=loads(),
            solver=solver, temperature=T_BOTTOM,
        ),
        lambda p: p.solve(),
    )  # fmt: skip
    dofs = p.broken.num_global * p.space.dofmap.bs
    p.close()
    return {
        "dofs": dofs, "setup_s": t_setup, "solve_s": t_solve, "solve_cpu_s": c_solve,
        "iterations": r.solve.linear_iterations,
    }  # fmt: skip


def run_coupled(tagged, thermal: str, mechanical: str, iterations: int) -> dict:
    COMM.barrier()
    t0 = time.perf_counter()
    p = ThermoMechanicalProblem(
        tagged, MATERIALS, {"lower": STEEL, "upper": STEEL},
        [Contact("contact", plus="upper", initial_gap=gap, thermal=LAW)],
        boundary_conditions=thermal_bcs(), mechanical_bcs=loads(), coupling="two-way",
        thermal_solver=thermal, mechanical_solver=mechanical,
        staggered=StaggeredOptions(
            max_iterations=iterations, temperature_atol=1e-300, pressure_rtol=1e-300
        ),
    )  # fmt: skip
    t_init = time.perf_counter() - t0
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "not converged": the tolerances are unreachable
        r = p.run()
    steps = [
        {
            "time_s": tmax(s.time_s),
            "cpu_s": tmax(s.cpu_s),
            "dT_K": s.temperature_change_K,
            "dP_rel": s.pressure_change,
            "newton": s.newton_iterations,
            "augmentations": s.augmentations,
        }
        for s in r.history
    ]
    c = r.contacts[0]
    out = {
        "init_s": tmax(t_init),
        "steps": steps,
        "force_N": c.force_N,
        "active_nodes": c.active_nodes,
        "heat_flow_W": r.thermal_contacts[0].heat_flow_W,
        "jacobians": r.mechanics.solve.jacobians,
        "preconditioners": r.mechanics.solve.preconditioners,
    }
    p.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=12, help="cells across 2a near the contact")
    kinds = ["iterative", "direct"]
    ap.add_argument("--thermal-solver", default="iterative", choices=kinds)
    ap.add_argument("--mechanical-solver", default="direct", choices=kinds)
    ap.add_argument("--iterations", type=int, default=5, help="staggered iterations")
    ap.add_argument("--json", default=None, help="write the results to this file")
    args = ap.parse_args()
    tagged = mesh(args.n)
    small = mesh(4)  # warm the JIT cache: no compilation in the timings
    ts, ms = args.thermal_solver, args.mechanical_solver
    run_thermal(small, ts)
    run_elastic(small, ms)
    run_coupled(small, ts, ms, 2)
    thermal = run_thermal(tagged, ts)
    elastic = run_elastic(tagged, ms)
    coupled = run_coupled(tagged, ts, ms, args.iterations)
    base = thermal["solve_s"] + elastic["solve_s"]
    base_cpu = thermal["solve_cpu_s"] + elastic["solve_cpu_s"]
    later = [s["time_s"] for s in coupled["steps"][1:]]
    later_cpu = [s["cpu_s"] for s in coupled["steps"][1:]]
    res = {
        "ranks": COMM.size,
        "thermal_solver": ts,
        "mechanical_solver": ms,
        "cells": int(tagged.mesh.topology.index_map(3).size_global),
        "thermal": thermal,
        "elastic": elastic,
        "coupled": coupled,
        "ratio_later_iteration": statistics.median(later) / base if later else None,
        "ratio_later_iteration_cpu": statistics.median(later_cpu) / base_cpu if later else None,
        "ratio_first_iteration": coupled["steps"][0]["time_s"] / base,
        "ratio_first_with_setup": (coupled["init_s"] + coupled["steps"][0]["time_s"])
        / (base + thermal["setup_s"] + elastic["setup_s"]),
    }
    if COMM.rank == 0:
        print(
            f"{res['cells']} hexahedra, {COMM.size} rank(s), thermal solver {ts}, "
            f"mechanical solver {ms}"
        )
        for name, r in (("thermal", thermal), ("elastic", elastic)):
            print(
                f"{name:8} {r['dofs']:>9} dofs  set-up {r['setup_s']:7.2f} s  solve "
                f"{r['solve_s']:7.2f} s (CPU {r['solve_cpu_s']:7.2f} s)  {r['iterations']} its"
            )
        for k, s in enumerate(coupled["steps"], 1):
            print(
                f"iteration {k}: {s['time_s']:7.2f} s (CPU {s['cpu_s']:7.2f} s)  Newton {s['newton']:>3}  aug. "
                f"{s['augmentations']:>3}  max dT {s['dT_K']:.3g} K  dP/P {s['dP_rel']:.3g}"
            )
        print(
            f"later iteration / (thermal + elastic solve): {res['ratio_later_iteration']:.2f} "
            f"(CPU time {res['ratio_later_iteration_cpu']:.2f}; target <= 1.2); first iteration: {res['ratio_first_iteration']:.2f}, with "
            f"set-up {res['ratio_first_with_setup']:.2f}"
        )
        print(
            f"contact: force {coupled['force_N']:.4g} N, {coupled['active_nodes']} active "
            f"nodes, heat flow {coupled['heat_flow_W']:.4g} W; Jacobians "
            f"{coupled['jacobians']}, preconditioners {coupled['preconditioners']}"
        )
        if args.json:
            with open(args.json, "w") as f:
                json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
