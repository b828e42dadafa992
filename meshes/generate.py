"""Regenerate the small reference meshes in this folder (deterministic gmsh output).

    python meshes/generate.py

Each ``.msh`` (MSH 4.1, ASCII) carries the physical names of the builder that made
it; read one with ``fe_interface.mesh.read_msh``.
"""

from __future__ import annotations

from pathlib import Path

from mpi4py import MPI

from fe_interface import geometry
from fe_interface.geometry import rough, rough_mesh

HERE = Path(__file__).resolve().parent


def rough_contact_3d(*, n, length, sigma, corr_length, seed, separation, comm, msh_file, **kw):
    """:func:`fe_interface.geometry.rough_contact_3d` of a seeded Gaussian height map."""
    surface = rough.gaussian_surface(n, length, sigma, corr_length, seed=seed, dim=2)
    return rough_mesh.rough_contact_3d(surface, separation, comm=comm, msh_file=msh_file, **kw)


#: file name -> (builder, keyword arguments); lengths in m
MESHES = {
    # cells "left", "right"; facets "x0", "x1", "sides", "interface0"
    "two_blocks_2d.msh": (
        geometry.layered_stack,
        {"thicknesses": [0.5, 0.5], "width": 0.5, "names": ["left", "right"], "mesh_size": 0.1},
    ),
    # cells "core", "shell"; facets "outer", "interface0" (r = 0.5); curved P2 cells
    "cylinders_2d.msh": (
        geometry.concentric_cylinders,
        {"radii": [0.0, 0.5, 1.0], "names": ["core", "shell"], "mesh_size": 0.2, "order": 2},
    ),
    # cells "lower", "upper"; facets "spot", "gap_lower", "gap_upper", "bottom", "top",
    # "mantle", "axis" (axisymmetric r-z half-plane)
    "flux_tube_2d.msh": (
        geometry.flux_tube,
        {"a": 0.25, "b": 1.0, "length": 1.0, "dim": 2, "mesh_size": 0.2, "refine_spot": 2},
    ),
    # cells "lower", "upper"; facets "spots", "gap" (both interfaces on z = 0), "bottom",
    # "top", "sides"; 8 x 8 pixel map (dx = 10 um), 4 spots, area fraction 0.25
    "rough_contact_3d.msh": (
        rough_contact_3d,
        {
            "n": 8,
            "length": 8e-5,
            "sigma": 1e-6,
            "corr_length": 2e-5,
            "seed": 1,
            "separation": 0.5e-6,
            "thickness": (2e-5, 2e-5),
            "mesh_size": 4e-5,
            "edge_size": 1e-5,
        },
    ),
}


def main(out: Path = HERE) -> list[Path]:
    written = []
    for name, (builder, kwargs) in MESHES.items():
        path = Path(out) / name
        builder(**kwargs, comm=MPI.COMM_SELF, msh_file=path)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main():
        print(p)
