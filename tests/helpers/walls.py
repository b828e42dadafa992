"""Composite walls built from DOLFINx meshes, and their exact 1D solution."""

from __future__ import annotations

from collections.abc import Sequence

from mpi4py import MPI

import numpy as np
from dolfinx import mesh as dmesh

from fe_interface.mesh import TaggedMesh, tag_mesh
from fe_interface.model import Conductance, FixedTemperature, Interface, Material
from fe_interface.problems.steady import SteadyProblem

CELLS = {
    "triangle": (2, dmesh.CellType.triangle),
    "quadrilateral": (2, dmesh.CellType.quadrilateral),
    "tetrahedron": (3, dmesh.CellType.tetrahedron),
    "hexahedron": (3, dmesh.CellType.hexahedron),
}


def wall_mesh(
    thicknesses: Sequence[float], cell: str, n_per_layer: int = 4, comm=MPI.COMM_WORLD
) -> TaggedMesh:
    """A layered wall along x on a structured DOLFINx mesh (unit width and depth).

    Args:
        thicknesses: layer thicknesses, m.
        cell: a key of :data:`CELLS`.
        n_per_layer: cells across each layer.
        comm: communicator.

    Returns:
        Regions "m0", "m1", ... (tags 1, 2, ...), boundaries "left" (x = 0, tag 1) and
        "right" (tag 2), interfaces "i0", "i1", ... (tags 100, 101, ...).
    """
    dim, ct = CELLS[cell]
    xs = np.r_[0.0, np.cumsum(thicknesses)]
    nx = n_per_layer * len(thicknesses)
    # a mesh whose x-planes fall on the layer boundaries: map a uniform mesh in
    # "layer coordinates" s in [0, N] to x piecewise-linearly
    if dim == 2:
        m = dmesh.create_rectangle(
            comm,
            [[0, 0], [len(thicknesses), 1]],
            [nx, 3],
            ct,
            ghost_mode=dmesh.GhostMode.shared_facet,
        )
    else:
        m = dmesh.create_box(
            comm,
            [[0, 0, 0], [len(thicknesses), 1, 1]],
            [nx, 2, 2],
            ct,
            ghost_mode=dmesh.GhostMode.shared_facet,
        )
    s = m.geometry.x[:, 0].copy()
    m.geometry.x[:, 0] = np.interp(s, np.arange(len(xs)), xs)
    eps = 1e-9 * xs[-1]
    cells = {
        f"m{i}": (
            i + 1,
            (lambda a, b: lambda x: (x[0] > a - eps) & (x[0] < b + eps))(xs[i], xs[i + 1]),
        )
        for i in range(len(thicknesses))
    }
    bnd = {
        "left": (1, lambda x: np.isclose(x[0], 0.0)),
        "right": (2, lambda x: np.isclose(x[0], xs[-1])),
    }
    ifc = {f"i{i}": (100 + i, (f"m{i}", f"m{i + 1}")) for i in range(len(thicknesses) - 1)}
    return tag_mesh(m, cells, bnd, ifc)


def wall_exact(thicknesses, k, h, T_left, T_right):
    """Heat flux q (W/m²) and T(i, x) for a composite wall with interface conductances.

    Args:
        thicknesses: layer thicknesses, m.
        k: layer conductivities, W/(m K).
        h: interface conductances, W/(m² K) (one fewer than layers).
        T_left, T_right: fixed end temperatures, K.

    Returns:
        (q, T) with T(i, x) the exact temperature of layer i at x (K).
    """
    R = sum(L / kk for L, kk in zip(thicknesses, k, strict=True)) + sum(1 / hh for hh in h)
    q = (T_left - T_right) / R
    xs = np.r_[0.0, np.cumsum(thicknesses)]
    T0 = [T_left]
    for i in range(1, len(thicknesses)):
        T0.append(T0[-1] - q * thicknesses[i - 1] / k[i - 1] - q / h[i - 1])

    def T(i, x):
        return T0[i] - q * (x - xs[i]) / k[i]

    return q, T


def wall_problem(tm, k, h, T_left=400.0, T_right=300.0, **kw) -> SteadyProblem:
    """The steady wall problem on :func:`wall_mesh`: conductances ``h`` with ⁺ = left layer,
    fixed temperatures at both ends; ``kw`` go to :class:`SteadyProblem`."""
    return SteadyProblem(
        tm,
        {f"m{i}": Material(f"m{i}", kk) for i, kk in enumerate(k)},
        [Interface(f"i{i}", Conductance(hh), plus=f"m{i}") for i, hh in enumerate(h)],
        [FixedTemperature("left", T_left), FixedTemperature("right", T_right)],
        **kw,
    )


def nodal_errors(p: SteadyProblem, exact_T, nregions: int) -> float:
    """Max |T_h − T_exact| over all dof copies of all regions (every rank gets the max).

    Each region's copies are those used by its cells, so an interface dof is checked
    once per side against that side's exact value.
    """
    err = 0.0
    for i in range(nregions):
        Tf, cells = p.region_temperature(f"m{i}")
        V = Tf.function_space
        dofs = np.unique(V.dofmap.list[cells])
        X = V.tabulate_dof_coordinates()[dofs]
        if dofs.size:
            err = max(err, float(np.abs(Tf.x.array[dofs] - exact_T(i, X[:, 0])).max()))
    return p.comm.allreduce(err, op=MPI.MAX)
