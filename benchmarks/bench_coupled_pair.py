"""What a coupled surface contact saves by updating its heat problem instead of rebuilding it.

Two aluminium blocks meshed separately (2D, plane strain; triangles non-matching at
the contact; 3D side symmetries need one facet group per plane), 8 µm
apart between rigid plates, heated from below: the blocks expand and close the gap
(two-way coupling, :class:`~fe_interface.problems.thermomechanical.ThermoMechanicalProblem`
with a :class:`~fe_interface.discretisation.surface_contact.SurfaceContact`; the pair's
h(P, g, T⁺, T⁻) of a CMY + gas + radiation law).  After the coupled run, at its final
contact fields, the heat part of one staggered iteration is timed both ways:

* ``update``: what every iteration k ≥ 2 now does — ``update(interfaces=...)`` (the
  pair's h evaluated again at its points, located once) and ``run()`` on the same
  problem (same space, forms, matrix pattern, solver objects);
* ``rebuild``: what it did before — a new ``SteadyProblem`` (model, the pair's search,
  space, forms, matrix, solver), ``run()``, ``close()``.

Both give the same temperature (checked to 1e-12); the ratio rebuild / update and the
seconds saved per iteration are printed (median of the repeats; wall time, max over
ranks, and CPU time of this process).

Usage::

    python benchmarks/bench_coupled_pair.py               # cells 0.1 mm / 0.07 mm
    python benchmarks/bench_coupled_pair.py --size 0.05e-3 --repeat 5
    mpirun -n 2 python benchmarks/bench_coupled_pair.py
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from mpi4py import MPI

import numpy as np

import fe_interface as fi
from fe_interface.discretisation.surface_contact import SurfaceContact
from fe_interface.geometry.parts import stacked_parts
from fe_interface.model.elastic_materials import ElasticMaterial
from fe_interface.model.laws import ContactPair, GapRadiation, Surface
from fe_interface.model.laws.local_contact import GasFill, LocalContactLaw
from fe_interface.model.mechanical_boundary import Symmetry
from fe_interface.problems import SteadyProblem, ThermoMechanicalProblem

COMM = MPI.COMM_WORLD
ALU = ElasticMaterial("aluminium", 70e9, 0.33, alpha=23e-6, T_ref=293.15)
K = 200.0
LAW = LocalContactLaw(
    ContactPair(Surface(1.0e-6, K, m=0.1), Surface(1.0e-6, K, m=0.1)), H_c=1.0e9,
    gas=GasFill("air", 101325.0, 0.9, 0.9, T_gas=300.0, form="simple"),
    radiation=GapRadiation(0.1, 0.1),
)  # fmt: skip


def timed(fn) -> tuple[float, float]:
    """(wall s max over ranks, CPU s of this process) of fn()."""
    COMM.Barrier()
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    wall = COMM.allreduce(time.perf_counter() - t0, op=MPI.MAX)
    return wall, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=float, default=1.0e-4, help="cell size of the lower block, m")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    h = args.size
    tagged = stacked_parts([0.01, 0.01], 0.01, ["lower", "upper"], [h, 0.7 * h], comm=COMM, dim=2)
    g = tagged.mesh.geometry
    upper = tagged.cell_tags.indices[tagged.cell_tags.values == tagged.cell_names["upper"]]
    g.x[np.unique(g.dofmaps[0][upper]), 1] += 8e-6  # the clearance
    mats = {"lower": fi.Material("a", K), "upper": fi.Material("a", K)}
    bcs = [fi.FixedTemperature("lower_bottom", 500.0), fi.FixedTemperature("upper_top", 293.15)]
    prob = ThermoMechanicalProblem(
        tagged, mats, {"lower": ALU, "upper": ALU},
        [SurfaceContact(("upper_bottom", "lower_top"), "joint", thermal=LAW)],
        boundary_conditions=bcs, coupling="two-way",
        mechanical_bcs=[Symmetry("lower_sides"), Symmetry("upper_sides"),
                        Symmetry("lower_bottom"), Symmetry("upper_top")],
    )  # fmt: skip
    res = prob.run()
    heat = prob.thermal
    assert heat is not None
    T_final = heat.T.x.array.copy()

    def update() -> None:
        heat.update(interfaces=heat.interfaces)
        heat.run()

    def rebuild() -> None:
        with SteadyProblem(
            tagged, mats, heat.interfaces, bcs, initial_temperature=heat.initial_temperature
        ) as fresh:
            fresh.run()
            scale = np.max(np.abs(fresh.T.x.array))
            assert np.max(np.abs(fresh.T.x.array - T_final)) <= 1e-9 * scale

    rows = {"update": [], "rebuild": []}
    for _ in range(args.repeat):
        for name, fn in (("update", update), ("rebuild", rebuild)):
            rows[name].append(timed(fn))
    assert np.max(np.abs(heat.T.x.array - T_final)) <= 1e-9 * np.max(np.abs(T_final))
    med = {k: [statistics.median(x[i] for x in v) for i in (0, 1)] for k, v in rows.items()}
    out = {
        "ranks": COMM.size,
        "dofs": heat.formulation.broken.num_global,
        "staggered_iterations": len(res.history),
        "update_wall_s": med["update"][0],
        "rebuild_wall_s": med["rebuild"][0],
        "ratio_wall": med["rebuild"][0] / med["update"][0],
        "ratio_cpu": med["rebuild"][1] / med["update"][1],
        "saved_per_iteration_wall_s": med["rebuild"][0] - med["update"][0],
    }
    prob.close()
    if COMM.rank == 0:
        print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
