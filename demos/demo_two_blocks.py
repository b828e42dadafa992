# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: light
# ---

# # Two metal blocks pressed together: the temperature jump at a contact
#
# A copper block (2 cm) sits on an aluminium heat-sink block (3 cm); both have a
# square cross-section of 5 cm² (a chip footprint).  The free face of the copper
# receives 100 W (a heat flux of 2×10⁵ W/m²), the free face of the aluminium is
# cooled by forced convection (h = 2×10⁴ W/(m² K), 25 °C), the sides are insulated.
# The dry, rough contact between the blocks has a thermal contact resistance
# R_c = 1.5×10⁻⁴ m² K/W — a typical value for a bare metal joint in air — so the
# heat crosses it with a jump ΔT = q″ R_c = 30 K: the 30–40 K jump the article
# quotes for a chip on an aluminium heat sink.
#
# With insulated sides the field is one-dimensional, so every number below has an
# exact value: the demo ends with a dict of computed vs exact values that the test
# suite asserts (serially and under `mpirun -n 2`).
#
# Run: `python demos/demo_two_blocks.py [--n 8] [--out results/two_blocks]`.

# +
from __future__ import annotations

import argparse
import math

from mpi4py import MPI

import numpy as np
from dolfinx import mesh as dmesh

from fe_interface.boundary import Convection, HeatFlux
from fe_interface.export import format_table
from fe_interface.interfaces import Interface, Resistance
from fe_interface.materials import Material
from fe_interface.mesh import tag_mesh
from fe_interface.postprocess import boundary_mean_temperature
from fe_interface.problem import SteadyProblem

# -

# ## Data (SI units)

POWER = 100.0  # W
AREA = 5.0e-4  # m², contact (and cross-section) area
SIDE = math.sqrt(AREA)  # m
L_CU, L_AL = 0.02, 0.03  # m, block heights
K_CU, K_AL = 398.0, 237.0  # W/(m K), pure Cu and Al near 300 K (Incropera, Table A.1)
R_CONTACT = 1.5e-4  # m² K/W, bare Al/Cu joint in air (Incropera, Table 3.1 range)
H_CONV, T_AIR = 2.0e4, 298.15  # W/(m² K), K


def build(n: int, comm: MPI.Comm = MPI.COMM_WORLD):
    """Mesh (hexahedra, ``n`` cells per 2 cm in z) with regions and boundaries."""
    nz = max(2, round(n * (L_CU + L_AL) / 0.02))
    nz += nz % 2
    m = dmesh.create_box(
        comm,
        [[0.0, 0.0, 0.0], [SIDE, SIDE, L_AL + L_CU]],
        [max(2, n // 2), max(2, n // 2), nz],
        dmesh.CellType.hexahedron,
        ghost_mode=dmesh.GhostMode.shared_facet,
    )
    # move the z-planes so that one falls exactly on the contact plane z = L_AL
    z = m.geometry.x[:, 2] / (L_AL + L_CU)
    m.geometry.x[:, 2] = np.where(z <= 0.5, 2 * z * L_AL, L_AL + (2 * z - 1) * L_CU)
    return tag_mesh(
        m,
        cells={
            "aluminium": (1, lambda x: x[2] < L_AL),
            "copper": (2, lambda x: x[2] > L_AL),
        },
        boundaries={
            "cooled": (1, lambda x: np.isclose(x[2], 0.0)),
            "heated": (2, lambda x: np.isclose(x[2], L_AL + L_CU)),
        },
        interfaces={"contact": (10, ("copper", "aluminium"))},
    )


def exact() -> dict[str, float]:
    """1D series-resistance solution (K, W)."""
    q = POWER / AREA
    T_cooled = T_AIR + q / H_CONV
    T_al_top = T_cooled + q * L_AL / K_AL
    T_cu_bottom = T_al_top + q * R_CONTACT
    T_heated = T_cu_bottom + q * L_CU / K_CU
    return {
        "contact_jump_K": q * R_CONTACT,
        "contact_heat_flow_W": POWER,
        "heated_face_K": T_heated,
        "cooled_face_K": T_cooled,
        "contact_conductance_W_m2K": 1.0 / R_CONTACT,
    }


def main(n: int = 8, out: str | None = "results/two_blocks", solver: str = "iterative") -> dict:
    """Solve, print the interface table, write ParaView files; computed vs exact."""
    tagged = build(n)
    problem = SteadyProblem(
        tagged,
        materials={
            "copper": Material("copper", K_CU),
            "aluminium": Material("aluminium", K_AL),
        },
        interfaces=[Interface("contact", Resistance(R_CONTACT), plus="copper")],
        boundary_conditions=[
            HeatFlux("heated", POWER / AREA),
            Convection("cooled", H_CONV, T_AIR),
        ],
        solver=solver,
    )
    problem.initialise()
    result = problem.run()

    table = problem.interface_table()
    balance = problem.energy_balance()
    if out is not None:
        problem.export(out, "two_blocks")
    (contact,) = table

    # mean face temperatures from the field
    T_cooled = boundary_mean_temperature(problem, "cooled")
    T_heated = boundary_mean_temperature(problem, "heated")
    computed = {
        "contact_jump_K": contact.mean_jump_K,
        "contact_heat_flow_W": contact.heat_flow_W,
        "heated_face_K": T_heated,
        "cooled_face_K": T_cooled,
        "contact_conductance_W_m2K": contact.conductance_W_m2K,
    }
    ref = exact()
    if MPI.COMM_WORLD.rank == 0:
        print(format_table(table, balance))
        print(f"\nKSP: {result.solve.iterations} iterations ({result.solve.converged_reason})")
        print(f"{'quantity':<28}{'computed':>14}{'exact':>14}")
        for k, v in computed.items():
            print(f"{k:<28}{v:>14.6g}{ref[k]:>14.6g}")
        if out is not None:
            print(f"\nParaView files in {out}/ (two_blocks.xdmf, two_blocks.vtu)")
    return {k: (computed[k], ref[k]) for k in computed} | {
        "energy_balance_relative_residual": (balance.relative_residual, 0.0)
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=8, help="cells per 2 cm along the stack")
    parser.add_argument("--out", default="results/two_blocks", help="output folder")
    parser.add_argument("--solver", default="iterative", choices=["iterative", "direct"])
    args = parser.parse_args()
    main(args.n, args.out, args.solver)
