"""The gmsh session behind every builder.

Parameter checks, model units, mesh options, size fields, physical groups, and the build
on rank 0 distributed over the communicator.

See :mod:`fe_interface.geometry.builders` for the conventions every builder follows
(groups, interfaces, lengths in m, scaled model units for sub-5-um features).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from fe_interface.geometry.rough import positive
from fe_interface.mesh import TaggedMesh, from_gmsh_model

__all__ = [
    "add_groups",
    "adjacent_cells",
    "background_min",
    "build_model",
    "check_names",
    "check_order",
    "check_refine",
    "default_size",
    "generate",
    "length_scale",
    "match_index",
    "mesh_options",
    "point_on",
    "sizes_near_interfaces",
    "threshold_field",
]

# --------------------------------------------------------------------------------------
# parameter checks (pure Python, run on every rank before gmsh is touched)
# --------------------------------------------------------------------------------------


def check_order(order) -> int:
    """The geometry order, 1 or 2 (ValueError otherwise)."""
    if order not in (1, 2) or isinstance(order, bool):
        raise ValueError(f"order must be 1 or 2 (geometry order), got {order!r}")
    return int(order)


def check_refine(refine, name: str = "refine_interfaces") -> float | None:
    """A refinement factor >= 1 (or None: no refinement); ValueError naming ``name``."""
    if refine is None:
        return None
    f = positive(refine, name)
    if f < 1.0:
        raise ValueError(f"{name} is a refinement factor and must be >= 1, got {refine!r}")
    return f


def check_names(
    names, n: int, prefix: str, reserved: Sequence[str], param: str = "names"
) -> list[str]:
    """``n`` unique non-empty names (default ``prefix0, prefix1, ...``) clashing with no ``reserved`` one."""
    if names is None:
        out = [f"{prefix}{i}" for i in range(n)]
    else:
        if isinstance(names, str):
            raise ValueError(f"{param} must be a sequence of {n} strings, not one string")
        out = list(names)
        if len(out) != n:
            raise ValueError(f"{param} must have {n} entries (one per region), got {len(out)}")
        for s in out:
            if not isinstance(s, str) or not s:
                raise ValueError(f"{param} must be non-empty strings, got {s!r}")
        if len(set(out)) != n:
            raise ValueError(f"{param} must be unique, got {out}")
    clash = sorted(set(out) & set(reserved))
    if clash:
        raise ValueError(f"{param} {clash} clash with facet group names {sorted(reserved)}")
    return out


#: feature lengths (m) in ``[_UNSCALED[0], _UNSCALED[1])`` are given to gmsh unscaled
_UNSCALED = (5e-6, 1e4)


def length_scale(*lengths: float) -> float:
    """Model unit (m per gmsh length unit) for a model whose smallest feature is ``min(lengths)``.

    OpenCASCADE works with *absolute* tolerances (``Precision::Confusion() = 1e-7``,
    gmsh's ``Geometry.Tolerance = 1e-8``): booleans and ``fragment`` merge or drop
    features of about that size, so a sub-micron model built in metres loses its thin
    layers and interfaces.  Models whose smallest feature is at least 5 um (50 times
    the tolerance; up to 10 km) are built in metres (unit 1, unchanged meshes); any
    other is built in the power of ten that makes the smallest feature 1 to 10 units,
    and :func:`build_model` scales the mesh back to metres.  Zero or negative lengths
    (absent features) are ignored.
    """
    lmin = min((float(v) for v in lengths if v > 0.0), default=1.0)
    if _UNSCALED[0] <= lmin < _UNSCALED[1]:
        return 1.0
    return 10.0 ** math.floor(math.log10(lmin))


def default_size(mesh_size, length: float) -> float:
    """The cell size, m: ``mesh_size`` (> 0), default ``length / 10``."""
    if mesh_size is None:
        return length / 10.0
    return positive(mesh_size, "mesh_size")


# --------------------------------------------------------------------------------------
# gmsh session on rank 0, distribution over comm
# --------------------------------------------------------------------------------------


def build_model(
    name: str,
    comm: MPI.Comm | None,
    gdim: int,
    construct: Callable[[object], None],
    msh_file: str | Path | None = None,
    scale: float = 1.0,
) -> TaggedMesh:
    """Run ``construct(gmsh)`` on rank 0 (geometry, groups, mesh) and distribute.

    With ``msh_file`` the gmsh mesh is also written there (MSH 4.1, ASCII) by rank 0.

    ``scale`` is the model unit in m (:func:`length_scale`): ``construct`` builds and
    meshes the model in units of ``scale`` (all lengths and cell sizes divided by it);
    the written ``.msh`` (nodes: ``Mesh.ScalingFactor``; entities:
    :func:`_scale_msh_entities`) and the returned mesh are in metres.  With
    ``scale == 1`` nothing is rescaled.
    """
    comm = MPI.COMM_WORLD if comm is None else comm
    gmsh: Any = None
    error: BaseException | None = None
    initialised = True
    if comm.rank == 0:
        import gmsh as gmsh_module

        gmsh = gmsh_module

        initialised = gmsh.isInitialized()
        if not initialised:
            gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add(name)
        try:
            construct(gmsh)
            if msh_file is not None:
                _write_msh(gmsh, msh_file, scale)
        except Exception as exc:  # reported on every rank below
            error = exc
    try:
        failed = comm.bcast(None if error is None else f"{type(error).__name__}: {error}", root=0)
        if failed is not None:
            if error is not None:
                raise error
            raise RuntimeError(f"building the {name!r} mesh failed on rank 0: {failed}")
        tagged = from_gmsh_model(gmsh.model if gmsh is not None else None, comm, 0, gdim)
        if scale != 1.0:  # model units -> m (owned and ghost nodes, incl. P2 nodes)
            tagged.mesh.geometry.x[:] *= scale
        return tagged
    finally:
        if gmsh is not None:
            gmsh.model.remove()
            if not initialised:
                gmsh.finalize()


def _write_msh(gmsh, msh_file: str | Path, scale: float) -> None:
    """Write the current gmsh mesh to ``msh_file`` (MSH 4.1, ASCII) in metres.

    ``scale``: the model unit in m (see :func:`build_model`).
    """
    gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
    gmsh.option.setNumber("Mesh.Binary", 0)
    gmsh.option.setNumber("Mesh.SaveAll", 0)
    if scale == 1.0:
        gmsh.write(str(msh_file))
        return
    previous = gmsh.option.getNumber("Mesh.ScalingFactor")
    gmsh.option.setNumber("Mesh.ScalingFactor", scale)
    try:
        gmsh.write(str(msh_file))
    finally:
        gmsh.option.setNumber("Mesh.ScalingFactor", previous)
    _scale_msh_entities(msh_file, scale)


def _scale_msh_entities(path: str | Path, scale: float) -> None:
    """Scale the ``$Entities`` of an ASCII MSH 4.1 file (point coordinates, bounding boxes).

    gmsh's ``Mesh.ScalingFactor`` scales the node coordinates only; the entities keep
    the model's units.
    """
    path = Path(path)
    lines = path.read_text().split("\n")
    if "$Entities" not in lines:
        return
    i = lines.index("$Entities")
    k = i + 2
    for dim, count in enumerate(int(v) for v in lines[i + 1].split()[:4]):
        m = 3 if dim == 0 else 6  # X Y Z of a point; minX ... maxZ of the others
        for _ in range(count):
            f = lines[k].split()
            f[1 : 1 + m] = [f"{float(v) * scale:.16g}" for v in f[1 : 1 + m]]
            lines[k] = " ".join(f) + (" " if lines[k].endswith(" ") else "")
            k += 1
    if lines[k] != "$EndEntities":
        raise RuntimeError(f"internal error: unexpected $Entities section in {path}")
    path.write_text("\n".join(lines))


def mesh_options(gmsh, mesh_size: float, min_size: float | None = None) -> None:
    """Cell sizes ``min_size`` .. ``mesh_size`` (model units), first-order meshing, one thread."""
    opt = gmsh.option.setNumber
    opt("General.NumThreads", 1)  # reproducible meshes
    opt("Mesh.MeshSizeMax", mesh_size)
    opt("Mesh.MeshSizeMin", mesh_size if min_size is None else min_size)
    opt("Mesh.MeshSizeFromCurvature", 0)
    opt("Mesh.MeshSizeExtendFromBoundary", 1 if min_size is None else 0)
    opt("Mesh.SecondOrderIncomplete", 0)  # complete (Lagrange) second-order cells
    opt("Mesh.ElementOrder", 1)


def generate(gmsh, dim: int, order: int) -> None:
    """Mesh the model in dimension ``dim``, then raise it to geometry ``order`` (1 or 2)."""
    gmsh.model.mesh.generate(dim)
    if order == 2:
        gmsh.model.mesh.setOrder(2)


def threshold_field(
    gmsh,
    dim: int,
    tags: Sequence[int],
    size_min: float,
    size_max: float,
    dist_min: float,
    dist_max: float,
) -> int:
    """Threshold field: size_min within dist_min of the entities, size_max beyond dist_max."""
    field = gmsh.model.mesh.field
    d = field.add("Distance")
    key = {0: "PointsList", 1: "CurvesList", 2: "SurfacesList"}[dim]
    field.setNumbers(d, key, list(tags))
    field.setNumber(d, "Sampling", 200)
    t = field.add("Threshold")
    field.setNumber(t, "InField", d)
    field.setNumber(t, "SizeMin", size_min)
    field.setNumber(t, "SizeMax", size_max)
    field.setNumber(t, "DistMin", dist_min)
    field.setNumber(t, "DistMax", dist_max)
    return t


def sizes_near_interfaces(
    gmsh, dim: int, interfaces: Sequence[int], h: float, refine: float | None
) -> None:
    """Cell size h, or h/refine on the interfaces growing to h at 2 h from them."""
    if refine is not None and interfaces:
        mesh_options(gmsh, h, h / refine)
        t = threshold_field(gmsh, dim - 1, interfaces, h / refine, h, 0.0, 2.0 * h)
        background_min(gmsh, [t])
    else:
        mesh_options(gmsh, h)


def background_min(gmsh, fields: Sequence[int]) -> None:
    """The smallest of the size ``fields`` as the background mesh size."""
    field = gmsh.model.mesh.field
    if len(fields) == 1:
        field.setAsBackgroundMesh(fields[0])
        return
    m = field.add("Min")
    field.setNumbers(m, "FieldsList", list(fields))
    field.setAsBackgroundMesh(m)


def add_groups(gmsh, dim: int, groups: dict[str, list[int]]) -> None:
    """Physical groups (tags 1, 2, ... in order) of dimension ``dim``; empty groups fail."""
    tag = 1
    for name, entities in groups.items():
        if not entities:
            raise RuntimeError(f"internal error: no gmsh entity found for group {name!r}")
        gmsh.model.addPhysicalGroup(dim, sorted(entities), tag=tag, name=name)
        tag += 1


def point_on(gmsh, dim: int, tag: int) -> np.ndarray:
    """A point on a curve (dim 1) or surface (dim 2) at the middle of its parameter range."""
    lo, hi = gmsh.model.getParametrizationBounds(dim, tag)
    mid = 0.5 * (np.asarray(lo) + np.asarray(hi))
    return np.asarray(gmsh.model.getValue(dim, tag, mid.tolist()))[:3]


def match_index(value: float, targets: Sequence[float], scale: float, what: str) -> int:
    """The index of the target equal to ``value`` (within 1e-6 ``scale``); else an internal error."""
    k = int(np.argmin([abs(value - t) for t in targets]))
    if abs(value - targets[k]) > 1e-6 * scale:
        raise RuntimeError(f"internal error: {what} at {value} matches none of {list(targets)}")
    return k


def adjacent_cells(gmsh, dim: int, facet: int) -> list[int]:
    """The cells (entities of dimension ``dim``) on either side of ``facet``."""
    up, _ = gmsh.model.getAdjacencies(dim - 1, facet)
    return [int(c) for c in up]
