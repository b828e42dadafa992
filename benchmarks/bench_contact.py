"""Cost of a 3D frictionless contact solve against one linear elastic solve of the same mesh.

The problem: a quarter of two steel blocks (hexahedra, symmetry planes x = 0 and
y = 0), the upper one pressed by a uniform pressure onto the lower one through a
spherical initial gap g₀ = r²/(2R) (Hertz, point contact), graded towards the
contact.  Three runs in one process, with the same solver options:

* ``elastic``: the same mesh and loads with the two blocks bonded (no contact: the
  continuous vector space), one linear solve — the baseline;
* ``contact``: ``ElasticProblem`` with the contact (broken vector space, semismooth
  Newton + augmented Lagrangian); its Newton steps, augmentations and Jacobian
  assemblies are reported;
* ``ds_path``: what a UFL ``dS`` formulation would pay in addition on this mesh: the
  entity permutations DOLFINx computes on the first interior-facet assembly, and the
  assembly of a penalty-like ``dS`` matrix of the contact facets on the broken space,
  against the nodal operator's Jacobian contribution (``NodalContact.add_jacobian``).

Timings are wall-clock seconds (max over ranks); the ratios are contact / elastic, of
the wall time and of the process's CPU time (steadier on a shared machine: time spent
waiting for a core is not in it).

Usage::

    python benchmarks/bench_contact.py                    # ~210k dofs, CG + GAMG
    python benchmarks/bench_contact.py --n 12 --rounds 3      # medians of paired rounds
    python benchmarks/bench_contact.py --n 16 --solver direct
    mpirun -n 2 python benchmarks/bench_contact.py
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from mpi4py import MPI

import numpy as np

import fe_interface  # noqa: F401  (MPI first)
from fe_interface.geometry.contact_blocks import graded_nodes, stacked_blocks
from fe_interface.mechanics import Contact, ElasticMaterial, ElasticProblem, Pressure, Symmetry

COMM = MPI.COMM_WORLD
STEEL = ElasticMaterial("steel", 200e9, 0.3)
R, A = 10e-3, 0.5e-3  # m: sphere radius, target contact radius


def tmax(t: float) -> float:
    return COMM.allreduce(t, op=MPI.MAX)


def mesh(n: int):
    """Quarter blocks L = 10 a wide, 10 a high each; ~n cells along each axis near the
    contact, growing away from it."""
    L = 10 * A
    h = 2 * A / n
    x = graded_nodes(L, 1.5 * A, h, 1.12)
    z = graded_nodes(L, 0.5 * A, h, 1.12)
    return stacked_blocks([x, x], z, z, comm=COMM, cell="hexahedron")


def problem(tagged, contact: bool, solver: str) -> ElasticProblem:
    E_star = STEEL.plane_strain_modulus / 2
    F = 4 * E_star * A**3 / (3 * R)  # Hertz load of the target radius (full sphere)
    L = 10 * A
    q = (F / 4) / L**2  # quarter model
    bcs = [Symmetry("x0"), Symmetry("y0"), Symmetry("bottom"), Pressure("top", q)]
    contacts = (
        [Contact("contact", plus="upper", initial_gap=lambda X: (X[0] ** 2 + X[1] ** 2) / (2 * R))]
        if contact
        else []
    )
    return ElasticProblem(
        tagged,
        {"lower": STEEL, "upper": STEEL},
        contacts=contacts,
        boundary_conditions=bcs,
        solver=solver,
    )


def run_case(tagged, contact: bool, solver: str) -> dict:
    COMM.barrier()
    t0 = time.perf_counter()
    p = problem(tagged, contact, solver)
    p.initialise()
    t_setup = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    r = p.solve()
    t_solve, c_solve = time.perf_counter() - t0, time.process_time() - c0
    out = {
        "dofs": int(p.broken.num_global * p.space.dofmap.bs),
        "setup_s": tmax(t_setup),
        "solve_s": tmax(t_solve),
        "solve_cpu_s": tmax(c_solve),
        "newton_iterations": r.solve.newton_iterations,
        "augmentations": r.solve.augmentations,
        "newton_per_solve": list(r.solve.newton_per_solve),
        "jacobians": r.solve.jacobians,
        "preconditioners": r.solve.preconditioners,
        "linear_iterations": r.solve.linear_iterations,
    }
    if contact:
        c = r.contacts[0]
        out |= {
            "force_N": c.force_N,
            "contact_radius_m": float(np.sqrt(c.contact_area_m2 * 4 / np.pi)),
            "active_nodes": c.active_nodes,
        }
        out["problem"] = p
    return out


def ds_path(p: ElasticProblem) -> dict:
    """Entity permutations + a dS penalty matrix on the broken space vs the nodal
    Jacobian contribution, s."""
    import dolfinx.fem.petsc
    import ufl
    from dolfinx import fem
    from dolfinx.fem import IntegralType

    mesh = p.tagged.mesh
    c = p.contacts[0]
    t0 = time.perf_counter()
    mesh.topology.create_entity_permutations()
    t_perm = tmax(time.perf_counter() - t0)
    e = c.contact.entities.ravel()
    dS = ufl.Measure("dS", domain=mesh, subdomain_data=[(1, e)])
    u, v = ufl.TrialFunction(p.space), ufl.TestFunction(p.space)
    n = ufl.FacetNormal(mesh)("+")
    eps = fem.Constant(mesh, 1e15)
    a = eps * ufl.dot(u("+") - u("-"), n) * ufl.dot(v("+") - v("-"), n) * dS(1)
    t0 = time.perf_counter()
    form = fem.form(a)
    t_form = tmax(time.perf_counter() - t0)
    t0 = time.perf_counter()
    A = dolfinx.fem.petsc.assemble_matrix(form)
    A.assemble()
    t_ds = tmax(time.perf_counter() - t0)
    A.destroy()
    solver = p.solver
    t0 = time.perf_counter()
    c.add_jacobian(solver.A, p.marker, np.ones(c.nodes.size, dtype=bool))
    solver.A.assemble()
    t_nodal = tmax(time.perf_counter() - t0)
    del IntegralType
    return {
        "entity_permutations_s": t_perm,
        "ds_form_compile_s": t_form,
        "ds_assembly_s": t_ds,
        "nodal_jacobian_s": t_nodal,
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--n", type=int, default=20, help="cells across 2a near the contact (20: ~210k dofs)"
    )
    ap.add_argument("--solver", default="iterative", choices=["iterative", "direct"])
    ap.add_argument("--json", default=None, help="write the results to this file")
    ap.add_argument(
        "--rounds", type=int, default=1,
        help="paired rounds (elastic, then contact); the ratios are their medians",
    )  # fmt: skip
    args = ap.parse_args()
    t0 = time.perf_counter()
    tagged = mesh(args.n)
    t_mesh = tmax(time.perf_counter() - t0)
    # warm the JIT cache on a tiny mesh so that the timings do not include compilation
    small = mesh(4)
    run_case(small, False, args.solver)
    run_case(small, True, args.solver)
    rounds = []
    for k in range(max(args.rounds, 1)):
        elastic = run_case(tagged, False, args.solver)
        contact = run_case(tagged, True, args.solver)
        rounds.append(
            {
                "solve": contact["solve_s"] / elastic["solve_s"],
                "solve_cpu": contact["solve_cpu_s"] / elastic["solve_cpu_s"],
                "total": (contact["setup_s"] + contact["solve_s"])
                / (elastic["setup_s"] + elastic["solve_s"]),
            }
        )
        if COMM.rank == 0 and args.rounds > 1:
            print(f"round {k + 1}: " + ", ".join(f"{n} {v:.2f}" for n, v in rounds[-1].items()))
        if k < args.rounds - 1:
            contact.pop("problem").close()
    ds = ds_path(contact.pop("problem"))
    res = {
        "ranks": COMM.size,
        "solver": args.solver,
        "cells": int(tagged.mesh.topology.index_map(3).size_global),
        "mesh_s": t_mesh,
        "elastic": elastic,
        "contact": contact,
        "rounds": rounds,
        "ratio_solve": statistics.median(r["solve"] for r in rounds),
        "ratio_solve_cpu": statistics.median(r["solve_cpu"] for r in rounds),
        "ratio_total": statistics.median(r["total"] for r in rounds),
        "ds_path": ds,
    }
    if COMM.rank == 0:
        e, c = elastic, contact
        print(
            f"{res['cells']} hexahedra, {COMM.size} rank(s), solver {args.solver}; mesh {t_mesh:.2f} s"
        )
        print(
            f"{'':10}{'dofs':>10}{'set-up s':>10}{'solve s':>10}{'Newton':>8}{'aug.':>6}{'Jac.':>6}{'PC':>5}{'KSP its':>9}"
        )
        for name, r in (("elastic", e), ("contact", c)):
            print(
                f"{name:10}{r['dofs']:>10}{r['setup_s']:>10.2f}{r['solve_s']:>10.2f}{r['newton_iterations']:>8}{r['augmentations']:>6}{r['jacobians']:>6}{r['preconditioners']:>5}{r['linear_iterations']:>9}"
            )
        print(
            f"contact / elastic: solve {res['ratio_solve']:.2f} (CPU time {res['ratio_solve_cpu']:.2f}), "
            f"set-up + solve {res['ratio_total']:.2f}"
        )
        print(
            f"contact: force {c['force_N']:.4g} N, contact radius {c['contact_radius_m'] * 1e3:.3f} mm (Hertz {A * 1e3:.3f} mm), {c['active_nodes']} active nodes; Newton per solve {c['newton_per_solve']}"
        )
        print(
            f"dS path on this mesh: entity permutations {ds['entity_permutations_s']:.3f} s, dS penalty matrix "
            f"{ds['ds_assembly_s']:.3f} s (form {ds['ds_form_compile_s']:.2f} s) vs nodal Jacobian {ds['nodal_jacobian_s']:.4f} s"
        )
        if args.json:
            with open(args.json, "w") as f:
                json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
