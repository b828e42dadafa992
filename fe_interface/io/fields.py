"""Field output for ParaView and for scripts.

* :func:`write_meshio` — XDMF (+ .h5) or VTU through meshio, one file for the whole
  model, one point per vertex copy of the broken space: the vertices of a resistive
  interface are *duplicated*, so the temperature jump is visible; point data
  ``temperature_K``.  Gathered to and written by rank 0; P2/P3 fields are written at
  the vertices.

Names in the files (ParaView thresholds by name, not by guessed integers).  Two cell
blocks: the cells of the mesh, then the facets of the named outer boundary groups
(lines in 2D, triangles/quadrilaterals in 3D; they share the points of their cells, so
they carry the same temperature).  Cell data:

* ``region:<name>`` — 1 on the cells of region ``<name>``, 0 elsewhere (one array per
  region): ParaView's Threshold on ``region:die`` between 1 and 1 extracts the die;
* ``boundary:<name>`` — 1 on the facets of boundary group ``<name>``, 0 elsewhere;
* ``pair_jump_K``, ``pair_heat_flux_W_m2`` — on the facets of non-matching interface
  pairs: the jump T_A − T_B∘π and the heat flux leaving the facet's body (NaN elsewhere);
  both sides' temperatures are the point data of their own (separate) parts;
* ``region`` (cell tag; on a boundary facet the tag of the region it bounds),
  ``boundary`` (facet group tag; 0 on the cells) and ``conductivity_W_mK`` (NaN on the
  boundary facets).

Threshold ``boundary`` between 0 and 0 keeps the cells only.  Interface facets are not
written as cells (their two sides' temperatures differ).
* :func:`write_vtx` — DOLFINx's ADIOS2 VTX writer (the full P1–P3 field; ParaView needs
  its ADIOS2 reader for these).

Files appear complete or not at all: each is written to a temporary name in the same
folder and renamed into place.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import dolfinx
import numpy as np
from dolfinx import fem
from dolfinx.mesh import CellType

from fe_interface.discretisation.formulation import Formulation
from fe_interface.errors import agree
from fe_interface.io.diskspace import GuardedFile, abandon, check_space, vtx_step_bytes
from fe_interface.io.files import atomic_files, output_error, quiet_unraisable
from fe_interface.io.meshio_cells import FACET_TYPE, MESHIO_CELL_TYPE, VTK_ORDER, vtk_cells

__all__ = [
    "MESHIO_CELL_TYPE",
    "BoundaryFacets",
    "MeshBlocks",
    "boundary_facets",
    "gather_mesh_blocks",
    "gather_vertex_fields",
    "write_mesh_files",
    "write_meshio",
    "write_vtx",
    "write_xdmf",
]


class MeshBlocks(NamedTuple):
    """The whole model on rank 0, for meshio.

    Attributes:
        points: (n, 3) coordinates of the vertex copies, m.
        blocks: [(meshio cell type, connectivity)]: the cells, then the boundary facets.
        point_data: ``temperature_K``.
        cell_data: name -> one array per block (see the module docstring).
    """

    points: np.ndarray
    blocks: list[tuple[str, np.ndarray]]
    point_data: dict[str, np.ndarray]
    cell_data: dict[str, list[np.ndarray]]


def _facet_vertices(ct: CellType) -> list[list[int]]:
    """Local vertices of each local facet of a cell type (DOLFINx numbering)."""
    import basix

    bct = getattr(basix.CellType, ct.name)
    tdim = dolfinx.mesh.cell_dim(ct)
    return [list(v) for v in basix.topology(bct)[tdim - 1]]


class BoundaryFacets(NamedTuple):
    """This rank's owned outer facets of the tagged boundary groups (read-only arrays).

    Attributes:
        cells: the cell of each facet (local index).
        local: the facet's local number in its cell (DOLFINx numbering).
        tags: the facet's group tag.
    """

    cells: np.ndarray
    local: np.ndarray
    tags: np.ndarray


# what does not change during a run, per live formulation (weak keys: nothing outlives
# its problem, nothing is shared between problems)
_CACHE: weakref.WeakKeyDictionary[Formulation, dict[str, Any]] = weakref.WeakKeyDictionary()


def _cached(f: Formulation, name: str, make: Any) -> Any:
    """``make(f)``, computed once per formulation (collective if ``make`` is)."""
    got = _CACHE.setdefault(f, {})
    if name not in got:
        got[name] = make(f)
    return got[name]


def boundary_facets(f: Formulation) -> BoundaryFacets:
    """This rank's owned outer facets of the tagged groups, in facet-tag order (cached).

    Computed once per formulation (the mesh and its facet tags do not change during a
    run) from the facet-cell and cell-facet connectivities; not collective.
    """
    return _cached(f, "boundary_facets", _outer_tagged_facets)


def _outer_tagged_facets(f: Formulation) -> BoundaryFacets:
    """:func:`boundary_facets` without the cache: NumPy on the connectivity arrays."""
    mesh, ft = f.mesh, f.model.tagged.facet_tags
    tdim = mesh.topology.dim
    nf = mesh.topology.index_map(tdim - 1).size_local
    keep = ft.indices < nf
    facets, tags = ft.indices[keep], ft.values[keep]
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    c2f = mesh.topology.connectivity(tdim, tdim - 1)
    outer = (f2c.offsets[facets + 1] - f2c.offsets[facets]) == 1
    facets, tags = facets[outer], tags[outer]
    cells = f2c.array[f2c.offsets[facets]].astype(np.int32)
    nfc = dolfinx.cpp.mesh.cell_num_entities(mesh.topology.cell_type, tdim - 1)
    rows = c2f.array[c2f.offsets[cells][:, None] + np.arange(nfc)]  # each cell's facets
    match = rows == facets[:, None]
    if not match.any(axis=1).all():  # the connectivities disagree: never expected
        raise RuntimeError("an outer facet is not among its cell's facets")
    local = match.argmax(axis=1).astype(np.int32)  # the first match
    out = BoundaryFacets(cells, local, tags.astype(np.int32))
    for a in out:
        a.flags.writeable = False
    return out


def _group_names(names: dict[str, int], tags: Any) -> dict[int, str]:
    """Tag -> name (unnamed tags: their number)."""
    inv = {int(t): str(n) for n, t in names.items()}
    return {int(t): inv.get(int(t), str(int(t))) for t in tags}


def gather_mesh_blocks(f: Formulation, T: fem.Function | None = None) -> MeshBlocks | None:
    """The cells, the boundary facets and their data on rank 0 (None elsewhere; collective).

    A :class:`MeshBlocks`, with the names of regions and boundary groups as indicator cell
    arrays (see the module docstring).
    """
    T = f.T if T is None else T
    mesh = f.mesh
    ct = mesh.topology.cell_type
    geo_all = mesh.geometry.dofmaps[0]
    fc, fl, ftag = boundary_facets(f)
    fv = np.array(_facet_vertices(ct))
    fgeo = geo_all[fc[:, None], fv[fl]] if fc.size else np.empty((0, fv.shape[1]), np.int64)
    keys = mesh.geometry.input_global_indices
    tags = np.stack([ftag, f.model.cell_region[fc]], axis=1).astype(np.int32)  # group, region
    facet_chunk = (
        f.broken.cell_colour[fc],
        keys[fgeo].astype(np.int64).reshape(-1, fv.shape[1]),
        tags,
    )
    pair_values = None
    if getattr(f, "pairs", None):  # non-matching pairs: jump and flux on their surfaces
        from fe_interface.postprocessing.pairs import facet_values

        pair_values = f.comm.gather(facet_values(f, T.x.array, fc, fl), root=0)
    vol = gather_vertex_fields(f, T, _more=facet_chunk)
    if vol is None:
        return None
    points, cells, pdata, cdata, (fcells, ftr) = vol
    ftags, fregion = ftr[:, 0], ftr[:, 1]
    if ct in VTK_ORDER and dolfinx.mesh.cell_dim(ct) == 3:
        fcells = fcells[:, [0, 1, 3, 2]]  # quadrilateral faces of hexahedra
    nc, nfb = len(cells), len(fcells)
    regions = _group_names(f.model.tagged.cell_names, f.model.regions)
    groups = _group_names(f.model.tagged.facet_names, np.unique(ftags))
    cell_data: dict[str, list[np.ndarray]] = {
        "region": [cdata["region"], fregion.astype(np.int32)],
        "boundary": [np.zeros(nc, np.int32), ftags.astype(np.int32)],
        "conductivity_W_mK": [cdata["conductivity_W_mK"], np.full(nfb, np.nan)],
    }
    for t, name in regions.items():
        cell_data[f"region:{name}"] = [
            (cdata["region"] == t).astype(np.uint8),
            np.zeros(nfb, np.uint8),
        ]
    for t, name in groups.items():
        cell_data[f"boundary:{name}"] = [np.zeros(nc, np.uint8), (ftags == t).astype(np.uint8)]
    if pair_values is not None:
        pv = np.concatenate(pair_values)
        cell_data["pair_jump_K"] = [np.full(nc, np.nan), pv[:, 0]]
        cell_data["pair_heat_flux_W_m2"] = [np.full(nc, np.nan), pv[:, 1]]
    blocks = [(MESHIO_CELL_TYPE[ct], cells), (FACET_TYPE[ct], fcells)]
    if nfb == 0:  # no boundary groups: one block
        blocks = blocks[:1]
        cell_data = {k: v[:1] for k, v in cell_data.items() if not k.startswith("boundary")}
    return MeshBlocks(points, blocks, pdata, cell_data)


def changing_cell_data(f: Formulation) -> frozenset[str]:
    """The cell arrays of :func:`gather_mesh_blocks` that change with the field.

    ``conductivity_W_mK`` unless every conductivity is a constant scalar; the pairs'
    ``pair_jump_K`` and ``pair_heat_flux_W_m2``.  (Time series write these at every frame,
    the others once.)
    """
    out = set()
    if f.conductivity_varies:
        out.add("conductivity_W_mK")
    if getattr(f, "pairs", None):
        out |= {"pair_jump_K", "pair_heat_flux_W_m2"}
    return frozenset(out)


def gather_frame(f: Formulation, T: fem.Function, sizes: Sequence[int]) -> MeshBlocks | None:
    """What changes from frame to frame, on rank 0 (None elsewhere; collective).

    A :class:`MeshBlocks` whose point data are the vertex temperatures and whose cell
    data are the arrays of :func:`changing_cell_data` (k(T) at the cells' temperatures,
    the pairs' jump and flux), one array per block of :func:`gather_mesh_blocks`, whose
    block lengths are ``sizes`` (rank 0; NaN where a quantity has no value): bitwise the
    arrays :func:`gather_mesh_blocks` gives for ``T``.  No points and no blocks (they do
    not change).  One gather of the vertex values, k(T) and the pairs' facet values; the
    point numbering and the boundary facets are computed once per formulation.
    """
    changing = changing_cell_data(f)
    k = f.k_cells[: _owned_cells(f)] if "conductivity_W_mK" in changing else None
    pv = None
    if "pair_jump_K" in changing:  # the pairs' values live on the boundary facets
        from fe_interface.postprocessing.pairs import facet_values

        bf = boundary_facets(f)  # rank by rank, as gather_mesh_blocks's facet block
        pv = facet_values(f, T.x.array, bf.cells, bf.local)
    first = _cached(f, "point_numbering", _point_numbering)  # rank 0: the first copies
    gathered = f.comm.gather((T.x.array[_vertex_dofs(f)], k, pv), root=0)
    if gathered is None:
        return None
    Ts, ks, pvs = zip(*gathered, strict=True)
    nc = sum(len(t) for t in Ts)
    out: dict[str, list[np.ndarray]] = {}
    if k is not None:
        knan = (np.full(n, np.nan) for n in sizes[1:])
        out["conductivity_W_mK"] = [np.concatenate(ks), *knan]
    if pv is not None:
        pair = np.concatenate(pvs)
        for i, name in enumerate(("pair_jump_K", "pair_heat_flux_W_m2")):
            out[name] = [np.full(nc, np.nan), pair[:, i]][: len(sizes)]
    temps = np.concatenate(Ts).reshape(-1)[first]
    return MeshBlocks(np.empty((0, 3)), [], {"temperature_K": temps}, out)


def _owned_cells(f: Formulation) -> int:
    """The number of cells this rank owns."""
    return f.mesh.topology.index_map(f.mesh.topology.dim).size_local


def _vertex_dofs(f: Formulation) -> np.ndarray:
    """The dofs at the vertices of the owned cells, (cells, vertices) (cached)."""

    def make(f: Formulation) -> np.ndarray:
        nv = dolfinx.cpp.mesh.cell_num_entities(f.mesh.topology.cell_type, 0)
        layout = f.space.dofmap.dof_layout
        vdofs = [layout.entity_dofs(0, i)[0] for i in range(nv)]
        return f.space.dofmap.list[: _owned_cells(f)][:, vdofs]

    return _cached(f, "vertex_dofs", make)


def _vertex_keys(f: Formulation) -> tuple[np.ndarray, np.ndarray]:
    """(colour, input node index) of the vertices of the owned cells: a point's key."""
    nv = dolfinx.cpp.mesh.cell_num_entities(f.mesh.topology.cell_type, 0)
    geo = f.mesh.geometry.dofmaps[0][: _owned_cells(f), :nv]
    key = f.mesh.geometry.input_global_indices[geo].astype(np.int64)
    return f.broken.cell_colour[: _owned_cells(f)], key


def _numbering(cols: np.ndarray, keys: np.ndarray) -> tuple[int, Any, Any, Any]:
    """The points of gathered vertex keys: (key span, sorted point keys, first copy, inverse).

    A point's key is ``colour * span + input node index``.
    """
    # one 1-D key per (colour, input node): np.unique on rows (axis=0) is a slow sort
    span = int(keys.max(initial=-1)) + 1
    allkeys = (cols[:, None].astype(np.int64) * span + keys).ravel()
    return span, *np.unique(allkeys, return_index=True, return_inverse=True)


def _point_numbering(f: Formulation) -> np.ndarray | None:
    """Rank 0: the first copy of each point in the gathered vertex values (collective)."""
    gathered = f.comm.gather(_vertex_keys(f), root=0)
    if gathered is None:
        return None
    cols, keys = (np.concatenate(x) for x in zip(*gathered, strict=True))
    return _numbering(cols, keys)[2]


def gather_vertex_fields(f: Formulation, T: fem.Function | None = None, _more: Any = None) -> Any:
    """Points, cells and vertex/cell data of the whole model, on rank 0 (None elsewhere).

    One point per vertex *copy* (dof copies of the broken space: a vertex on a
    resistive interface appears once per side), keyed by (colour, input node index):
    identical in serial and parallel.  Point data ``temperature_K`` (vertex values; P2/P3
    fields are written at the vertices), cell data ``region`` (cell tag) and
    ``conductivity_W_mK``.  (``_more``: (colour, input node keys, tags) of further
    cells, numbered into the same points: a fifth item (connectivity, tags);
    :func:`gather_mesh_blocks` uses it for the boundary facets.)
    """
    T = f.T if T is None else T
    mesh = f.mesh
    ct = mesh.topology.cell_type
    nv = dolfinx.cpp.mesh.cell_num_entities(ct, 0)
    nowned = _owned_cells(f)
    geo = mesh.geometry.dofmaps[0][:nowned, :nv]
    chunk = (
        *_vertex_keys(f),
        mesh.geometry.x[geo],
        T.x.array[_vertex_dofs(f)],
        f.model.cell_region[:nowned],
        f.k_cells[:nowned],
    )
    gathered = mesh.comm.gather((chunk, _more), root=0)
    if mesh.comm.rank != 0:
        return None
    cols, keys, Xs, Ts, regs, ks = (
        np.concatenate(x) for x in zip(*(g[0] for g in gathered), strict=True)
    )
    span, uniq, first, inverse = _numbering(cols, keys)
    points = Xs.reshape(-1, 3)[first]
    temps = Ts.reshape(-1)[first]
    cells = inverse.reshape(-1, nv)
    cells = vtk_cells(cells, ct)
    out = (
        points,
        cells,
        {"temperature_K": temps},
        {"region": regs.astype(np.int32), "conductivity_W_mK": ks},
    )
    if _more is None:
        return out
    fcol, fkey, ftag = (np.concatenate(x) for x in zip(*(g[1] for g in gathered), strict=True))
    fk = (fcol[:, None].astype(np.int64) * span + fkey).reshape(fkey.shape)
    return (*out, (np.searchsorted(uniq, fk).reshape(fkey.shape), ftag))


def write_meshio(
    f: Formulation, path: str | Path, *more: str | Path, T: fem.Function | None = None
) -> Path:
    """Write the temperature with duplicated interface vertices (``.xdmf`` or ``.vtu``).

    ``more``: further files of the same data (gathered once).  Returns ``path``.
    """
    import meshio

    paths = [Path(q) for q in (path, *more)]
    for q in paths:
        if q.suffix not in (".xdmf", ".vtu"):
            raise ValueError(f"meshio output must end in .xdmf or .vtu, got {q.name!r}")
    data = gather_mesh_blocks(f, T)
    m = None
    if data is not None:
        m = meshio.Mesh(
            data.points, data.blocks, point_data=data.point_data, cell_data=data.cell_data
        )
    write_mesh_files(f.comm, paths, m)
    return paths[0]


def write_mesh_files(comm: Any, paths: Sequence[Path], mesh: Any) -> None:
    """Write one meshio ``mesh`` (rank 0; None elsewhere) to ``.xdmf``/``.vtu`` ``paths``.

    Each file (with its ``.h5``) is written atomically; an error on rank 0 is raised on
    every rank (:class:`~fe_interface.errors.OutputError` naming the file).  Collective.
    The ``.h5`` goes through a :class:`~fe_interface.io.diskspace.GuardedFile`: a full
    disk is an error, never a crash of HDF5.
    """
    import meshio

    err = None
    if mesh is not None:
        q = paths[0]
        try:
            with quiet_unraisable():
                for q in paths:
                    targets = [q] + ([q.with_suffix(".h5")] if q.suffix == ".xdmf" else [])

                    def write(tmp: Path, q: Path = q) -> None:
                        if q.suffix == ".xdmf":
                            write_xdmf(tmp / q.name, mesh)
                        else:
                            meshio.write(tmp / q.name, mesh)

                    atomic_files(targets, write)
        except Exception as e:
            err = output_error(e, f"writing {q.name}")
    agree(comm, err)


def write_xdmf(path: Path, mesh: Any) -> None:
    """``path`` (``.xdmf``) and its ``.h5`` by meshio's writer, the HDF5 file guarded.

    meshio's ``XdmfWriter`` opens the ``.h5`` by name and never closes it (garbage
    collection does, and HDF5 crashed there on a full disk): this one gives it an
    ``h5py.File`` on a :class:`~fe_interface.io.diskspace.GuardedFile`, closes it and
    raises the first failed write.

    Raises:
        OSError: a write failed (disk full, ...).
    """
    from xml.etree import ElementTree as ET

    import h5py
    import meshio.xdmf.main as xm

    class Writer(xm.XdmfWriter):
        def __init__(self, h5: Any) -> None:  # meshio's, with the file given
            self.filename, self.data_format, self.data_counter = Path(path), "HDF", 0
            self.compression, self.compression_opts = "gzip", 4
            self.h5_filename, self.h5_file = self.filename.with_suffix(".h5"), h5

    guard = GuardedFile(Path(path).with_suffix(".h5"))
    try:
        h5 = h5py.File(guard, "w")
        try:
            w = Writer(h5)
            root = ET.Element("Xdmf", Version="3.0")
            grid = ET.SubElement(ET.SubElement(root, "Domain"), "Grid", Name="Grid")
            w.write_points(grid, mesh.points)
            w.write_cells(mesh.cells, grid)
            w.write_point_data(mesh.point_data, grid)
            w.write_cell_data(mesh.cell_data, grid)
        finally:
            h5.close()
    finally:
        guard.close()
    guard.check()
    ET.register_namespace("xi", "https://www.w3.org/2001/XInclude/")
    xm.write_xml(path, root)


def write_vtx(f: Formulation, path: str | Path, T: fem.Function | None = None) -> Path:
    """The temperature through DOLFINx's ADIOS2 VTX writer: ``path`` (a ``.bp`` folder).

    ParaView needs its ADIOS2 reader for it.  The broken space's dof coordinates are
    duplicated at interfaces, so the jump is visible.  ADIOS2 is not called unless the
    file system has room for the file (:func:`~fe_interface.io.diskspace.check_space`);
    a writer that failed anyway is abandoned, not closed (its close would abort).

    Raises:
        OutputError: on every rank: no room, or ADIOS2 failed.
    """
    from dolfinx.io import VTXWriter

    path = Path(path)
    T = f.T if T is None else T
    what = f"writing {path.name}"
    check_space(f.comm, path.parent, vtx_step_bytes([T]), what)
    err, w = None, None
    try:
        w = VTXWriter(f.comm, path, [T], engine="BP4")
        w.write(0.0)
        w.close()
    except Exception as e:  # ADIOS2 (disk full, permissions)
        err = output_error(e, what)
        if w is not None:
            abandon(w, path)
    agree(f.comm, err)
    return path
