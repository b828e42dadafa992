"""Meshes with material (cell) and boundary/interface (facet) tags.

Every mesh the solver sees is a :class:`TaggedMesh`: a DOLFINx mesh distributed with
*shared-facet* ghosting (interface integrals in parallel need both cells of every
facet on the process that integrates it), its cell tags (one tag per material
region), its facet tags (boundaries and interfaces) and the physical names of those
tags.  Lengths are in metres.

Three ways in:

* :func:`from_gmsh_model` — a gmsh model with physical groups (what the builders in
  :mod:`fe_interface.geometry` produce);
* :func:`read_msh` — a ``.msh`` file with physical groups;
* :func:`tag_mesh` — a DOLFINx mesh (e.g. ``create_box``) tagged by Python markers,
  with the facets between two materials found from the cell tags.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from mpi4py import MPI

import dolfinx
import dolfinx.io.gmsh
import numpy as np
from dolfinx.mesh import GhostMode, Mesh, MeshTags

from fe_interface.errors import MeshError
from fe_interface.mesh.elements import check_elements

__all__ = [
    "MeshError",
    "TaggedMesh",
    "check_tagged",
    "from_gmsh_model",
    "ghosted_partitioner",
    "material_contact_facets",
    "read_msh",
    "tag_mesh",
]


class TaggedMesh(NamedTuple):
    """A mesh with its cell tags (materials) and facet tags (boundaries, interfaces).

    Attributes:
        mesh: distributed DOLFINx mesh (coordinates in m), shared-facet ghosting.
        cell_tags: one positive integer per cell: the material region.
        facet_tags: tagged facets: outer boundaries and internal interfaces.
        cell_names: physical name -> cell tag.
        facet_names: physical name -> facet tag.
    """

    mesh: Mesh
    cell_tags: MeshTags
    facet_tags: MeshTags
    cell_names: dict[str, int]
    facet_names: dict[str, int]

    def cell_tag(self, key: str | int) -> int:
        """Cell tag for a physical name or tag; raises :class:`MeshError` if absent."""
        return _lookup(key, self.cell_names, self.cell_tags, "material (cell) group")

    def facet_tag(self, key: str | int) -> int:
        """Facet tag for a physical name or tag; raises :class:`MeshError` if absent."""
        return _lookup(key, self.facet_names, self.facet_tags, "boundary/interface (facet) group")


def _type_name(obj: Any) -> str:
    t = type(obj)
    return (
        f"{t.__module__}.{t.__qualname__}" if t.__module__.startswith("dolfinx") else t.__qualname__
    )


def check_tagged(tagged: Any, what: str) -> TaggedMesh:
    """``tagged`` if it is a :class:`TaggedMesh` the solver can use.

    Args:
        tagged: what the user passed as the mesh.
        what: the receiver, for the message (e.g. ``"SteadyProblem"``).

    Raises:
        MeshError: not a TaggedMesh (a plain DOLFINx mesh, a tuple, ...: the message says
            how to tag it), or a mesh whose cells live in a space of higher dimension
            (a surface in 3D: the solver needs gdim = tdim).
    """
    if not isinstance(tagged, TaggedMesh):
        inner = getattr(tagged, "tagged", None)
        hint = "; pass its .tagged" if isinstance(inner, TaggedMesh) else ""
        raise MeshError(
            f"{what}: expected a TaggedMesh (a mesh with named cell and facet tags: "
            "fe_interface.tag_mesh(mesh, cells=..., boundaries=...), read_msh(...) or a "
            f"builder of fe_interface.geometry), got {_type_name(tagged)}{hint}"
        )
    tdim, gdim = tagged.mesh.topology.dim, tagged.mesh.geometry.dim
    if gdim != tdim:
        cell = tagged.mesh.topology.cell_type.name
        raise MeshError(
            f"{what}: the mesh has {tdim}D ({cell}) cells in {gdim}D space: the solver needs "
            f"gdim = tdim (surfaces or lines embedded in a higher dimension are not "
            f"supported); build or read the mesh with gdim = {tdim}"
        )
    return tagged


def _lookup(key: str | int, names: Mapping[str, int], tags: MeshTags, what: str) -> int:
    if isinstance(key, str):
        if key not in names:
            raise MeshError(
                f"unknown {what} name {key!r}; the mesh has {sorted(names) or 'no named groups'}"
            )
        return int(names[key])
    comm = tags.topology.comm
    present = np.unique(tags.values)
    all_present = np.unique(np.concatenate(comm.allgather(present)))
    if int(key) not in all_present:
        raise MeshError(f"unknown {what} tag {key}; the mesh has tags {all_present.tolist()}")
    return int(key)


def ghosted_partitioner():
    """Cell partitioner with shared-facet ghosting (needed by interface integrals)."""
    return dolfinx.mesh.create_cell_partitioner(GhostMode.shared_facet, 2)


_GMSH_CELL_NAMES = {
    1: "lines", 2: "triangles", 3: "quadrangles", 4: "tetrahedra", 5: "hexahedra",
    6: "prisms", 7: "pyramids", 8: "lines", 9: "triangles", 10: "quadrangles",
    11: "tetrahedra", 12: "hexahedra",
}  # fmt: skip


def _cell_kind(etype: int) -> str:
    return _GMSH_CELL_NAMES.get(int(etype), f"gmsh element type {etype}")


def _group_names(model, dim: int) -> dict[int, str]:
    return {t: (model.getPhysicalName(dim, t) or str(t)) for _, t in model.getPhysicalGroups(dim)}


def _check_cells(model, dim: int, gdim: int | None) -> str | None:
    """Cells present, one type and order, a dimension that fits ``gdim``."""
    types = [int(t) for t in model.mesh.getElementTypes(dim)]
    if not types:
        return f"no cells: the model has dimension {dim} but no {dim}D elements (not meshed?)"
    kinds = sorted({_cell_kind(t) for t in types})
    if len(kinds) > 1:
        return f"mixed cell types ({', '.join(kinds)}): one cell type per mesh is supported"
    if len(set(types)) > 1:
        return "cells of different orders in one mesh: one geometry order is supported"
    if gdim is not None and gdim < dim:
        return (
            f"the mesh is {dim}D ({kinds[0]}) but the geometric dimension is gdim = {gdim}; "
            f"use gdim = {dim} (or leave it out)"
        )
    if gdim is not None and gdim > dim:
        return (
            f"the mesh is {dim}D ({kinds[0]}) but gdim = {gdim}: surfaces or lines embedded in "
            f"a higher dimension are not supported; use gdim = {dim} (or leave it out)"
        )
    return None


def _check_names(model, dim: int) -> str | None:
    """Regions are physical groups; no name is used for two groups."""
    cell_groups = _group_names(model, dim)
    if not cell_groups:
        return (
            f"no physical group of dimension {dim}: the regions (materials) must be physical "
            "groups of cells (gmsh: Physical Surface/Volume)"
        )
    for d in (dim, dim - 1):  # names used twice: one of the groups would be lost
        names = list(_group_names(model, d).values())
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            return f"physical group name(s) {dup} used for two groups of dimension {d}"
    shared = set(cell_groups.values()) & set(_group_names(model, dim - 1).values())
    if shared:
        return (
            f"physical name(s) {sorted(shared)} used for a region and for a facet group; give "
            "them different names"
        )
    return None


def _entity_groups(model, d: int, what: str) -> tuple[dict[int, str], str | None]:
    """Entity -> its physical group of dimension ``d``.

    An entity in two groups is an error (returned as the second item).
    """
    owner: dict[int, str] = {}
    for _, t in model.getPhysicalGroups(d):
        gname = model.getPhysicalName(d, t) or str(t)
        for e in model.getEntitiesForPhysicalGroup(d, t):
            e = int(e)
            if e in owner and owner[e] != gname:
                return owner, (
                    f"the {what} of gmsh entity {e} (dimension {d}) are in two physical "
                    f"groups, {owner[e]!r} and {gname!r}: every {what[:-1]} needs exactly one"
                )
            owner[e] = gname
    return owner, None


def _check_groups(model, dim: int) -> str | None:
    """Every cell in exactly one group, every facet in at most one."""
    owner, problem = _entity_groups(model, dim, "cells")
    if problem is None:
        _, problem = _entity_groups(model, dim - 1, "facets")
    if problem is not None:
        return problem
    loose, count = [], 0  # cells outside every group would be dropped
    for _, e in model.getEntities(dim):
        if int(e) not in owner:
            n = sum(len(t) for t in model.mesh.getElements(dim, e)[1])
            if n:
                loose.append(int(e))
                count += n
    if loose:
        return (
            f"{count} cells (gmsh entities {loose[:10]} of dimension {dim}) are in no "
            "physical group: put every cell in a region (physical group)"
        )
    return None


def _check_plane(model, dim: int, gdim: int | None) -> str | None:
    """A 2D mesh read as 2D lies in the plane z = 0 (DOLFINx would drop z)."""
    if dim != 2 or gdim not in (None, 2):
        return None
    coords = np.asarray(model.mesh.getNodes()[1]).reshape(-1, 3)
    if not coords.size:
        return None
    z = float(np.abs(coords[:, 2]).max())
    if z > 1e-12 * max(float(np.abs(coords[:, :2]).max()), 1e-300):
        return (
            f"a 2D mesh with nodes off the plane z = 0 (max |z| = {z:.3g}): flatten the mesh "
            "onto z = 0 (surfaces in 3D are not supported)"
        )
    return None


def inspect_gmsh_model(model, gdim: int | None = None) -> str | None:
    """What makes a meshed gmsh model unusable, as one line (None if it is fine).

    Checked: there are cells; one cell type; the regions are physical groups; every
    cell is in exactly one physical group; no facet is in two facet groups; no group
    name is used twice; every group holds elements and every facet element is a face of
    a cell; the dimension fits ``gdim``; a 2D mesh lies in the plane z = 0.
    Two groups on the same facets or cells would otherwise be resolved silently (the
    first wins), and cells without a group would be dropped.
    """
    dim = model.getDimension()
    if dim < 1:
        return "no mesh: the file holds no elements (empty, or not a gmsh mesh)"
    for check in (
        lambda: _check_cells(model, dim, gdim),
        lambda: _check_names(model, dim),
        lambda: _check_groups(model, dim),
        lambda: check_elements(model, dim),
        lambda: _check_plane(model, dim, gdim),
    ):
        problem = check()
        if problem is not None:
            return problem
    return None


def from_gmsh_model(
    model, comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, gdim: int | None = None
) -> TaggedMesh:
    """Build a :class:`TaggedMesh` from a meshed gmsh model with physical groups.

    The model is checked first (:func:`inspect_gmsh_model`) on ``rank``, the verdict
    shared: every rank raises the same :class:`MeshError`.

    Args:
        model: ``gmsh.model`` holding a mesh (on ``rank``).
        comm: communicator to distribute the mesh over.
        rank: rank holding the gmsh model.
        gdim: geometric dimension; defaults to the model's dimension.

    Raises:
        MeshError: no physical group for cells, cells without a group, two groups on
            the same cells or facets, a dimension that does not fit, ...
    """
    problem = None
    if comm.rank == rank:
        try:
            problem = inspect_gmsh_model(model, gdim)
        except Exception as e:  # gmsh itself failing on a broken model
            problem = f"the gmsh model cannot be read: {e}"
        if gdim is None and problem is None:
            gdim = model.getDimension()
    problem, gdim = comm.bcast((problem, gdim), root=rank)
    if problem is not None:
        raise MeshError(problem)
    err = None
    data: Any = None
    try:
        data = dolfinx.io.gmsh.model_to_mesh(
            model, comm, rank, gdim=gdim, partitioner=ghosted_partitioner()
        )
    except Exception as e:  # raised on every rank (the model passed the checks above)
        err = e
    if err is not None:
        raise MeshError(f"the mesh cannot be built: {type(err).__name__}: {err}") from None
    tdim = data.mesh.topology.dim
    cell_names = {n: int(g.tag) for n, g in data.physical_groups.items() if g.dim == tdim}
    facet_names = {n: int(g.tag) for n, g in data.physical_groups.items() if g.dim == tdim - 1}
    if data.cell_tags is None or not cell_names:
        raise MeshError("the gmsh model has no physical group of cells (materials)")
    facet_tags = data.facet_tags
    if facet_tags is None:
        data.mesh.topology.create_entities(tdim - 1)
        facet_tags = dolfinx.mesh.meshtags(
            data.mesh, tdim - 1, np.empty(0, np.int32), np.empty(0, np.int32)
        )
    return TaggedMesh(data.mesh, data.cell_tags, facet_tags, cell_names, facet_names)


def _msh_file_problem(path: Path) -> str | None:
    """Why ``path`` is not a gmsh ``.msh`` file at first sight (None: it may be one)."""
    if not path.is_file():
        return "file not found" if not path.exists() else "not a file"
    if path.stat().st_size == 0:
        return "the file is empty"
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError as e:
        return f"cannot read it: {e.strerror or e}"
    if not head.lstrip().startswith(b"$MeshFormat"):
        return "not a gmsh .msh file (it does not start with $MeshFormat)"
    return None


def _merge(gmsh, path: Path) -> str | None:
    """Load ``path`` into a new gmsh model (rank 0); why it failed, or None."""
    gmsh.model.add(path.stem)
    try:
        gmsh.merge(str(path))
    except Exception as e:
        return f"not a readable gmsh mesh ({str(e).strip() or type(e).__name__})"
    return None


def read_msh(path: str | Path, comm: MPI.Comm = MPI.COMM_WORLD, gdim: int | None = None):
    """Read a gmsh ``.msh`` file with physical groups into a :class:`TaggedMesh`.

    Collective; the file is read by rank 0.

    Raises:
        MeshError: naming the file: missing, unreadable (empty, truncated, not a gmsh
            mesh), or a mesh the solver cannot use (see :func:`inspect_gmsh_model`).
    """
    import gmsh

    path = Path(path)
    if gdim is not None and (isinstance(gdim, bool) or gdim not in (1, 2, 3)):
        raise MeshError(f"{path}: gdim must be 2 or 3, got {gdim!r}")
    problem = _msh_file_problem(path) if comm.rank == 0 else None
    problem = comm.bcast(problem, root=0)
    if problem is not None:
        raise MeshError(f"{path}: {problem}")
    initialised = gmsh.isInitialized()
    if comm.rank == 0:
        if not initialised:
            gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
    try:
        problem = comm.bcast(_merge(gmsh, path) if comm.rank == 0 else None, root=0)
        if problem is not None:
            raise MeshError(f"{path}: {problem}")
        try:
            return from_gmsh_model(gmsh.model if comm.rank == 0 else None, comm, 0, gdim)
        except MeshError as e:
            raise MeshError(f"{path}: {e}") from None
    finally:
        if comm.rank == 0:
            gmsh.model.remove()
            if not initialised:
                gmsh.finalize()


def material_contact_facets(mesh: Mesh, cell_tags: MeshTags) -> dict[tuple[int, int], np.ndarray]:
    """Local facets where two different materials meet, keyed by (lower tag, higher tag).

    Includes ghost facets shared with other processes (both cells must be local: use
    shared-facet ghosting).
    """
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    imap = mesh.topology.index_map(tdim)
    cell_mat = np.zeros(imap.size_local + imap.num_ghosts, dtype=np.int32)
    cell_mat[cell_tags.indices] = cell_tags.values
    off, arr = f2c.offsets, f2c.array
    # first and last cell of every facet (the same cell on the boundary: never differs)
    m0 = cell_mat[arr[off[:-1]]]
    m1 = cell_mat[arr[off[1:] - 1]]
    fac = np.flatnonzero(m0 != m1).astype(np.int32)
    lo = np.minimum(m0[fac], m1[fac]).astype(np.int64)
    hi = np.maximum(m0[fac], m1[fac]).astype(np.int64)
    span = int(hi.max(initial=0)) + 1
    key = lo * span + hi
    return {(int(k // span), int(k % span)): fac[key == k] for k in np.unique(key)}


Marker = Callable[[np.ndarray], np.ndarray]


def _check_overlap(
    comm: MPI.Comm, idx: np.ndarray, val: np.ndarray, names: Mapping[str, int]
) -> None:
    """Raise :class:`MeshError` on every rank if a facet is marked by two groups.

    Two different tags on one facet: one of them would silently lose the facet.
    """
    order = np.argsort(idx, kind="stable")
    i, v = idx[order], val[order]
    same = np.flatnonzero((i[1:] == i[:-1]) & (v[1:] != v[:-1]))
    local = {(int(min(v[k], v[k + 1])), int(max(v[k], v[k + 1]))) for k in same}
    pairs: set[tuple[int, int]] = set()
    for p in comm.allgather(local):
        pairs |= p
    if pairs:
        inv: dict[int, list[str]] = {}
        for n, t in names.items():
            inv.setdefault(int(t), []).append(n)
        a, b = sorted(pairs)[0]
        na, nb = "/".join(inv.get(a, [str(a)])), "/".join(inv.get(b, [str(b)]))
        raise MeshError(
            f"facet groups {na!r} and {nb!r} mark the same facets: every facet needs at "
            "most one group (two conditions on one facet would silently drop one)"
        )


def tag_mesh(
    mesh: Mesh,
    cells: Mapping[str, tuple[int, Marker]],
    boundaries: Mapping[str, tuple[int, Marker]] | None = None,
    interfaces: Mapping[str, tuple[int, tuple[str, str]]] | None = None,
) -> TaggedMesh:
    """Tag a DOLFINx mesh with Python markers.

    Args:
        mesh: mesh created with ``ghost_mode=GhostMode.shared_facet``.
        cells: name -> (tag, marker(x) -> bool per midpoint), later entries win.
        boundaries: name -> (tag, marker(x) -> bool on boundary facets).
        interfaces: name -> (tag, (material name, material name)); the facets
            between those two materials get the tag.

    Raises:
        MeshError: a cell left without a material, or an interface whose two
            materials never touch.
    """
    tdim = mesh.topology.dim
    mesh.topology.create_entities(tdim - 1)
    imap = mesh.topology.index_map(tdim)
    ncells = imap.size_local + imap.num_ghosts
    midpoints = dolfinx.mesh.compute_midpoints(mesh, tdim, np.arange(ncells, dtype=np.int32))
    values = np.zeros(ncells, dtype=np.int32)
    for _, (tag, marker) in cells.items():
        values[np.asarray(marker(midpoints.T), dtype=bool)] = tag
    missing = mesh.comm.allreduce(int(np.sum(values[: imap.size_local] == 0)))
    if missing:  # on every rank, whichever rank's cells are outside the markers
        raise MeshError(f"{missing} cells are not inside any material marker")
    cell_tags = dolfinx.mesh.meshtags(mesh, tdim, np.arange(ncells, dtype=np.int32), values)
    cell_names = {n: t for n, (t, _) in cells.items()}

    fidx: list[np.ndarray] = []
    fval: list[np.ndarray] = []
    for _, (tag, marker) in (boundaries or {}).items():
        f = dolfinx.mesh.locate_entities_boundary(mesh, tdim - 1, marker)
        fidx.append(f)
        fval.append(np.full(f.size, tag, dtype=np.int32))
    if interfaces:
        contact = material_contact_facets(mesh, cell_tags)
        for name, (tag, (ma, mb)) in interfaces.items():
            for r in (ma, mb):
                if r not in cell_names:
                    raise MeshError(
                        f"interface {name!r}: no region {r!r} (regions: {', '.join(cell_names)})"
                    )
            a, b = sorted((cell_names[ma], cell_names[mb]))
            f = contact.get((a, b), np.empty(0, np.int32))
            if mesh.comm.allreduce(f.size) == 0:
                raise MeshError(f"interface {name!r}: materials {ma!r} and {mb!r} never touch")
            fidx.append(f)
            fval.append(np.full(f.size, tag, dtype=np.int32))
    idx = np.concatenate(fidx) if fidx else np.empty(0, np.int32)
    val = np.concatenate(fval) if fval else np.empty(0, np.int32)
    facet_names = {n: t for n, (t, _) in (boundaries or {}).items()}
    facet_names |= {n: t for n, (t, _) in (interfaces or {}).items()}
    _check_overlap(mesh.comm, idx, val, facet_names)
    idx, first = np.unique(idx, return_index=True)
    facet_tags = dolfinx.mesh.meshtags(mesh, tdim - 1, idx.astype(np.int32), val[first])
    return TaggedMesh(mesh, cell_tags, facet_tags, cell_names, facet_names)
