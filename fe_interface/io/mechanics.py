"""ParaView files of the mechanics: displacement, von Mises stress and the contact fields.

* :func:`write_mechanics` — ``NAME_mechanics.vtu``/``.xdmf``: one point per vertex copy of
  the broken vector space (the two sides of a contact are separate points, so an opened
  gap shows), point data ``displacement_m`` (3 components), ``contact_pressure_Pa``,
  ``gap_m`` and, in coupled runs, ``contact_conductance_W_m2K``; cell data ``region`` and
  ``von_mises_Pa`` (at the cell midpoint).  ParaView's *Warp By Vector* on
  ``displacement_m`` shows the deformed shape.
* :func:`write_contact_surface` — ``NAME_contact.vtu``/``.xdmf``: the contact facets
  alone (lines in 2D, triangles/quadrilaterals in 3D) with the same point data and
  cell data per facet (the mean of its vertices).

Rows are keyed by (colour, input node index), so the files are the same in serial and
in parallel; gathered to and written by rank 0, atomically.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import basix
import dolfinx
import numpy as np
from dolfinx import fem
from dolfinx.mesh import CellType

from fe_interface.io.fields import write_mesh_files
from fe_interface.io.meshio_cells import FACET_TYPE, MESHIO_CELL_TYPE, vtk_cells

__all__ = ["von_mises_cells", "write_contact_surface", "write_mechanics"]


def von_mises_cells(problem: Any) -> np.ndarray:
    """Von Mises stress (Pa) at the midpoint of every owned cell (collective)."""
    mesh = problem.tagged.mesh
    tdim = mesh.topology.dim
    n = mesh.topology.index_map(tdim).size_local
    ct = mesh.topology.cell_type.name
    mid = np.asarray(basix.geometry(getattr(basix.CellType, ct))).mean(axis=0)[None, :]
    out = np.zeros(n)
    for expr, cells in problem.forms.von_mises_expression(problem.u):
        cells = cells[cells < n]
        e = fem.Expression(expr, mid)  # collective (JIT): on every rank, cells or not
        if cells.size:
            out[cells] = np.asarray(e.eval(mesh, cells)).reshape(-1)
    return out


def _vertex_rows(problem: Any) -> tuple[np.ndarray, ...]:
    """Per owned cell: colour, input vertex keys, coordinates, vertex node copies."""
    mesh = problem.tagged.mesh
    V = problem.space
    tdim = mesh.topology.dim
    ct = mesh.topology.cell_type
    nv = dolfinx.cpp.mesh.cell_num_entities(ct, 0)
    n = mesh.topology.index_map(tdim).size_local
    layout = V.dofmap.dof_layout
    vdofs = [layout.entity_dofs(0, i)[0] for i in range(nv)]
    nodes = V.dofmap.list[:n][:, vdofs]
    geo = mesh.geometry.dofmaps[0][:n, :nv]
    key = mesh.geometry.input_global_indices[geo].astype(np.int64)
    return problem.broken.cell_colour[:n], key, mesh.geometry.x[geo], nodes


def _point_data(problem: Any, nodes: np.ndarray, extra: Mapping[str, fem.Function]) -> dict:
    """Point data at node copies ``nodes`` (any shape)."""
    bs = problem.space.dofmap.bs
    U = problem.u.x.array.reshape(-1, bs)[nodes]
    disp = np.zeros((*nodes.shape, 3))
    disp[..., :bs] = U
    data = {"displacement_m": disp}
    f = problem.fields
    if f is not None:
        data["contact_pressure_Pa"] = f.pressure.x.array[nodes]
        data["gap_m"] = f.gap.x.array[nodes]
    for k, fn in extra.items():
        data[k] = fn.x.array[nodes]
    return data


def _unique(cols: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First occurrence and inverse of (colour, key) rows."""
    span = int(keys.max(initial=-1)) + 1
    flat = (cols[:, None].astype(np.int64) * span + keys).ravel()
    _, first, inverse = np.unique(flat, return_index=True, return_inverse=True)
    return first, inverse


def _write(comm: Any, paths: list[Path], mesh_data: Any) -> None:
    """Write meshio data (rank 0: (points, cells, ctype, pdata, cdata), else None)."""
    import meshio

    m = None
    if mesh_data is not None:
        points, cells, ctype, pdata, cdata = mesh_data
        m = meshio.Mesh(
            points, [(ctype, cells)], point_data=pdata, cell_data={k: [v] for k, v in cdata.items()}
        )
    write_mesh_files(comm, paths, m)


def write_mechanics(
    problem: Any, *paths: str | Path, extra: Mapping[str, fem.Function] | None = None
) -> list[Path]:
    """Write the displacement, stress and contact fields of a solved elastic problem.

    ``problem``: an :class:`~fe_interface.problems.elastic.ElasticProblem`; ``paths``:
    ``.vtu``/``.xdmf`` files; ``extra``: more scalar point fields on the broken scalar
    P1 space. Collective.
    """
    mesh = problem.tagged.mesh
    comm = mesh.comm
    extra = dict(extra or {})
    colour, key, X, nodes = _vertex_rows(problem)
    n = colour.size
    pdata = _point_data(problem, nodes, extra)
    chunk = (colour, key, X, pdata, problem.model.cell_region[:n], von_mises_cells(problem))
    gathered = comm.gather(chunk, root=0)
    data = None
    if comm.rank == 0:
        cols, keys, Xs = (np.concatenate([g[i] for g in gathered]) for i in range(3))
        first, inverse = _unique(cols, keys)
        nv = keys.shape[1]
        cells = inverse.reshape(-1, nv)
        ct = mesh.topology.cell_type
        cells = vtk_cells(cells, ct)
        pd = {
            k: np.concatenate([g[3][k] for g in gathered]).reshape(
                -1, *gathered[0][3][k].shape[2:]
            )[first]
            for k in pdata
        }
        cd = {
            "region": np.concatenate([g[4] for g in gathered]).astype(np.int32),
            "von_mises_Pa": np.concatenate([g[5] for g in gathered]),
        }
        data = (Xs.reshape(-1, 3)[first], cells, MESHIO_CELL_TYPE[ct], pd, cd)
    out = [Path(p) for p in paths]
    _write(comm, out, data)
    return out


def write_contact_surface(
    problem: Any, *paths: str | Path, extra: Mapping[str, fem.Function] | None = None
) -> list[Path]:
    """The contact facets with P, g (and ``extra``) as point and cell data (collective)."""
    mesh = problem.tagged.mesh
    comm = mesh.comm
    extra = dict(extra or {})
    V = problem.space
    tdim = mesh.topology.dim
    layout = V.dofmap.dof_layout
    rows = []
    for c in problem.contacts:
        e = c.contact.entities
        for lf in np.unique(e[:, 1]):
            sel = e[:, 1] == lf
            closure = np.asarray(layout.entity_closure_dofs(tdim - 1, int(lf)), dtype=np.int32)
            cells = e[sel, 0]
            nodes = V.dofmap.list[cells][:, closure]
            geo = mesh.geometry.dofmaps[0][cells][:, closure]
            rows.append(
                (
                    problem.broken.cell_colour[cells],
                    mesh.geometry.input_global_indices[geo].astype(np.int64),
                    mesh.geometry.x[geo],
                    nodes,
                )
            )
    if rows:
        colour = np.concatenate([r[0] for r in rows])
        key = np.concatenate([r[1] for r in rows])
        X = np.concatenate([r[2] for r in rows])
        nodes = np.concatenate([r[3] for r in rows])
    else:
        nvf = {1: 2, 2: 3 if mesh.topology.cell_type == CellType.tetrahedron else 4}[tdim - 1]
        colour, key = np.zeros(0, np.int32), np.zeros((0, nvf), np.int64)
        X, nodes = np.zeros((0, nvf, 3)), np.zeros((0, nvf), np.int32)
    pdata = _point_data(problem, nodes, extra)
    gathered = comm.gather((colour, key, X, pdata), root=0)
    data = None
    if comm.rank == 0:
        cols, keys, Xs = (np.concatenate([g[i] for g in gathered]) for i in range(3))
        first, inverse = _unique(cols, keys)
        cells = inverse.reshape(keys.shape)
        ctype = FACET_TYPE[mesh.topology.cell_type]
        if ctype == "quad":
            cells = vtk_cells(cells, CellType.quadrilateral)
        allp = {k: np.concatenate([g[3][k] for g in gathered]) for k in pdata}
        pd = {k: v.reshape(-1, *v.shape[2:])[first] for k, v in allp.items()}
        cd = {k: v.mean(axis=1) for k, v in allp.items()}
        data = (Xs.reshape(-1, 3)[first], cells, ctype, pd, cd)
    out = [Path(p) for p in paths]
    _write(comm, out, data)
    return out
