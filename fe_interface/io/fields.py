"""Field output for ParaView and for scripts.

* :func:`write_meshio` — XDMF (+ .h5) or VTU through meshio, one file for the whole
  model, one point per vertex copy of the broken space: the vertices of a resistive
  interface are *duplicated*, so the temperature jump is visible; point data
  ``temperature_K``, cell data ``region`` (cell tag) and ``conductivity_W_mK``.
  Gathered to and written by rank 0; P2/P3 fields are written at the vertices.
* :func:`write_vtx` — DOLFINx's ADIOS2 VTX writer (the full P1–P3 field; ParaView needs
  its ADIOS2 reader for these).

Files appear complete or not at all: each is written to a temporary name in the same
folder and renamed into place.
"""

from __future__ import annotations

from pathlib import Path

import dolfinx
import numpy as np
from dolfinx import fem
from dolfinx.mesh import CellType

from fe_interface.discretisation.formulation import Formulation
from fe_interface.errors import agree
from fe_interface.io.files import atomic_files, output_error, quiet_unraisable

__all__ = ["MESHIO_CELL_TYPE", "gather_vertex_fields", "write_meshio", "write_vtx"]

MESHIO_CELL_TYPE = {
    CellType.interval: "line",
    CellType.triangle: "triangle",
    CellType.quadrilateral: "quad",
    CellType.tetrahedron: "tetra",
    CellType.hexahedron: "hexahedron",
}
# DOLFINx (tensor-product) vertex order -> VTK order
_VTK_ORDER = {
    CellType.quadrilateral: [0, 1, 3, 2],
    CellType.hexahedron: [0, 1, 3, 2, 4, 5, 7, 6],
}


def gather_vertex_fields(
    f: Formulation, T: fem.Function | None = None
) -> tuple[np.ndarray, np.ndarray, dict, dict] | None:
    """Points, cells and vertex/cell data of the whole model, on rank 0 (None elsewhere).

    One point per vertex *copy* (dof copies of the broken space: a vertex on a
    resistive interface appears once per side), keyed by (colour, input node index):
    identical in serial and parallel.  Point data ``temperature_K`` (vertex values; P2/P3
    fields are written at the vertices), cell data ``region`` (cell tag) and
    ``conductivity_W_mK``.
    """
    T = f.T if T is None else T
    mesh = f.mesh
    tdim = mesh.topology.dim
    ct = mesh.topology.cell_type
    nv = dolfinx.cpp.mesh.cell_num_entities(ct, 0)
    nowned = mesh.topology.index_map(tdim).size_local
    layout = f.space.dofmap.dof_layout
    vdofs = [layout.entity_dofs(0, i)[0] for i in range(nv)]
    dofs = f.space.dofmap.list[:nowned][:, vdofs]
    geo = mesh.geometry.dofmaps[0][:nowned, :nv]
    colour = f.broken.cell_colour[:nowned]
    key = mesh.geometry.input_global_indices[geo].astype(np.int64)
    chunk = (
        colour,
        key,
        mesh.geometry.x[geo],
        T.x.array[dofs],
        f.model.cell_region[:nowned],
        f.k_cells[:nowned],
    )
    gathered = mesh.comm.gather(chunk, root=0)
    if mesh.comm.rank != 0:
        return None
    cols, keys, Xs, Ts, regs, ks = (np.concatenate(x) for x in zip(*gathered, strict=True))
    # one 1-D key per (colour, input node): np.unique on rows (axis=0) is a slow sort
    span = int(keys.max(initial=-1)) + 1
    allkeys = (cols[:, None].astype(np.int64) * span + keys).ravel()
    _, first, inverse = np.unique(allkeys, return_index=True, return_inverse=True)
    points = Xs.reshape(-1, 3)[first]
    temps = Ts.reshape(-1)[first]
    cells = inverse.reshape(-1, nv)
    if ct in _VTK_ORDER:
        cells = cells[:, _VTK_ORDER[ct]]
    return (
        points,
        cells,
        {"temperature_K": temps},
        {"region": regs.astype(np.int32), "conductivity_W_mK": ks},
    )


def write_meshio(
    f: Formulation, path: str | Path, *more: str | Path, T: fem.Function | None = None
) -> Path:
    """Write the temperature with duplicated interface vertices (``.xdmf`` or ``.vtu``);
    ``more``: further files of the same data (gathered once). Returns ``path``."""
    import meshio

    paths = [Path(q) for q in (path, *more)]
    for q in paths:
        if q.suffix not in (".xdmf", ".vtu"):
            raise ValueError(f"meshio output must end in .xdmf or .vtu, got {q.name!r}")
    data = gather_vertex_fields(f, T)
    err = None
    if data is not None:  # rank 0; its error is raised on every rank
        points, cells, pdata, cdata = data
        ctype = MESHIO_CELL_TYPE[f.mesh.topology.cell_type]
        m = meshio.Mesh(
            points, [(ctype, cells)], point_data=pdata, cell_data={k: [v] for k, v in cdata.items()}
        )
        try:
            with quiet_unraisable():
                for q in paths:
                    targets = [q] + ([q.with_suffix(".h5")] if q.suffix == ".xdmf" else [])
                    atomic_files(targets, lambda tmp, q=q: meshio.write(tmp / q.name, m))
        except Exception as e:
            err = output_error(e, f"writing {q.name}")
    agree(f.comm, err)
    return paths[0]


def write_vtx(f: Formulation, path: str | Path, T: fem.Function | None = None) -> Path:
    """The temperature through DOLFINx's ADIOS2 VTX writer: ``path`` (a ``.bp`` folder;
    ParaView needs its ADIOS2 reader for it).  The broken space's dof coordinates are
    duplicated at interfaces, so the jump is visible."""
    from dolfinx.io import VTXWriter

    path = Path(path)
    T = f.T if T is None else T
    err = None
    try:
        with VTXWriter(f.comm, path, [T], engine="BP4") as w:
            w.write(0.0)
    except Exception as e:  # ADIOS2 (disk full, permissions)
        err = output_error(e, f"writing {path.name}")
    agree(f.comm, err)
    return path
