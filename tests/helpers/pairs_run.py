"""Pair problems whose numbers must not depend on the number of processes.

``python tests/helpers/pairs_run.py OUT.json`` (under any ``mpirun -n``) solves three
problems with the direct solver — a 2D non-nested P2 patch with h(T), the cylindrical gas
gap (P2, curved, symmetric), a 3D hexahedral pair and the mortar contact of a cylinder on
a block (issue 23 item 3) — and writes partition-independent functionals: heat flows,
mean jumps, ∫T dx and ∫T² dx per region, conservation; contact force, Σ P_i, Σ P_i x_i²
(also of B's carried-over P_j), ∫|u|² dx, active nodes and the vertical force balance.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fe_interface as fi
from fe_interface.geometry.parts import concentric_parts
from fe_interface.model.laws.gap import GapConduction
from fe_interface.model.pairs import InterfacePair
from helpers.parts import Linear, two_blocks


class Law:
    """h = 2 + 0.01 (T⁺ + T⁻)/2 (W/(m² K))."""

    temperature_dependent = True

    def conductance(self, Tp, Tm):
        return 2.0 + 0.005 * (Tp + Tm)


def functionals(p) -> dict[str, float]:
    """Heat flow, mean jump, conservation, ∫T dx and ∫T² dx per region (collective)."""
    out = {}
    for row in p.interface_table():
        out[f"{row.name}_Q_W"] = row.heat_flow_W
        out[f"{row.name}_jump_K"] = row.mean_jump_K
        out[f"{row.name}_conservation"] = row.mechanisms.get("conservation_relative", 0.0)
    f = p.formulation
    n = f.mesh.topology.index_map(f.mesh.topology.dim).size_local
    for name, tag in f.model.tagged.cell_names.items():
        cells = f.model.region_cells(tag)
        dx = ufl.Measure("dx", domain=f.mesh, subdomain_data=[(1, cells[cells < n])])
        for k, form in (("T", p.T * dx(1)), ("T2", p.T**2 * dx(1))):
            v = fem.assemble_scalar(fem.form(form))
            out[f"{name}_{k}"] = f.comm.allreduce(v, op=MPI.SUM)
    return out


def patch() -> dict[str, float]:
    exact = Linear(2.0, 5.0, h=3.0)
    t = two_blocks("triangle", [2, 3], [5, 7], 0.3)
    p = fi.SteadyProblem(
        t,
        {"a": fi.Material("a", 2.0), "b": fi.Material("b", 5.0)},
        interfaces=[InterfacePair(("a_right", "b_left"), Law(), name="patch")],
        boundary_conditions=[
            fi.FixedTemperature("a_outer", exact.A),
            fi.FixedTemperature("a_left", exact.A),
            fi.FixedTemperature("b_outer", exact.B),
        ],
        solver="direct",
        degree=2,
    )
    p.run()
    return functionals(p)


def cylinder() -> dict[str, float]:
    t = concentric_parts([(0.5, 1.0), (2.0, 2.5)], ["a", "b"], [0.3, 0.5], order=2)
    pair = InterfacePair(
        ("a_outer", "b_inner"), GapConduction(0.5, "cylinder"), search_distance=1.5, name="gap"
    )
    p = fi.SteadyProblem(
        t,
        {"a": fi.Material("a", 3.0), "b": fi.Material("b", 2.0)},
        interfaces=[pair],
        boundary_conditions=[
            fi.FixedTemperature("a_inner", 301.0),
            fi.FixedTemperature("b_outer", 300.0),
        ],
        solver="direct",
        degree=2,
    )
    p.run()
    return functionals(p)


def hexes() -> dict[str, float]:
    exact = Linear(2.0, 5.0, h=3.0)
    t = two_blocks("hexahedron", [1, 2, 2], [2, 3, 3], 0.3)
    p = fi.SteadyProblem(
        t,
        {"a": fi.Material("a", 2.0), "b": fi.Material("b", 5.0)},
        interfaces=[InterfacePair(("a_right", "b_left"), fi.Conductance(3.0), name="hex")],
        boundary_conditions=[
            fi.FixedTemperature("a_left", exact.A),
            fi.FixedTemperature("b_outer", exact.B),
        ],
        solver="direct",
    )
    p.run()
    return functionals(p)


def hertz_mortar() -> dict[str, float]:
    """Mortar contact of a cylinder on a block (coarse: a/20 and a/7 near the contact)."""
    from fe_interface.geometry.parts import cylinder_on_block
    from fe_interface.model.contacts import SurfaceContact
    from fe_interface.model.elastic_materials import ElasticMaterial
    from fe_interface.model.mechanical_boundary import Pressure, Symmetry
    from fe_interface.problems.elastic import ElasticProblem

    R, a, q = 10e-3, 0.25e-3, 2.7e7  # q R = P'/2: a = 0.25 mm
    steel = ElasticMaterial("steel", 200e9, 0.3)
    t = cylinder_on_block(R, 5e-3, 5e-3, (a / 20, a / 7), 1.5 * a, R / 8)
    p = ElasticProblem(
        t, {"cylinder": steel, "block": steel},
        contacts=[SurfaceContact(("cylinder_surface", "block_top"))],
        boundary_conditions=[
            Symmetry("cylinder_axis"), Symmetry("block_axis"), Symmetry("block_bottom"),
            Pressure("cylinder_top", q),
        ],
    )  # fmt: skip
    res = p.solve()
    nt = p.contacts[0].nodal_table()
    mt = p.contacts[0].master_table()
    u = res.displacement
    dx = ufl.Measure("dx", domain=t.mesh)
    Fy = -float(np.sum(nt.area_m2 * nt.pressure_Pa * nt.normal[:, 1]))
    return {
        "force_N": res.contacts[0].force_N,
        "sum_P": float(nt.pressure_Pa.sum()),
        "P_x2": float(np.sum(nt.pressure_Pa * nt.x[:, 0] ** 2)),
        "master_P_x2": float(np.sum(mt.pressure_Pa * mt.x[:, 0] ** 2)),
        "u2": t.mesh.comm.allreduce(fem.assemble_scalar(fem.form(ufl.inner(u, u) * dx)), MPI.SUM),
        "active": float(res.contacts[0].active_nodes),
        "mortar_conservation": abs(Fy / (q * R) - 1),
    }


def main(out: str) -> None:
    result = {
        "patch": patch(), "cylinder": cylinder(), "hexes": hexes(), "hertz": hertz_mortar()
    }  # fmt: skip
    if MPI.COMM_WORLD.rank == 0:
        Path(out).write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
