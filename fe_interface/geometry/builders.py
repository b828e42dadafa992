"""Geometry builders: gmsh models with named materials, boundaries and interfaces.

Every builder checks its parameters (raising :class:`ValueError` naming the
parameter *before* gmsh is called), builds an OpenCASCADE model on rank 0 of
``comm`` only, glues the regions with ``fragment`` so that every interface is one
conforming curve/surface shared by the two regions, meshes it (geometry order 1
or 2: order 2 gives curved second-order cells whose high-order nodes lie on the
CAD geometry) and returns a :class:`fe_interface.mesh.TaggedMesh` distributed
over ``comm`` with shared-facet ghosting.

Every material region is a physical group of cells, every outer boundary part and
every interface a physical group of facets.  An *interface* group contains only
internal facets (two cells, one on each side, with different cell tags): integrate
over it with ``dS``; boundaries with ``ds``.  Each facet belongs to at most one
group.  All lengths are in metres.  Since OpenCASCADE's tolerances are absolute
(about 1e-7 model units), a model whose smallest feature is below 5 um (thin films,
superlattices) is built and meshed in a power-of-ten unit that makes that feature
O(1), and the mesh (and the ``.msh`` file) is scaled back to metres: builders work
at any length scale, and models of 5 um .. 10 km features are meshed unscaled.

gmsh is initialised (quiet: ``General.Terminal = 0``) and finalised inside each
builder unless the caller already initialised it, in which case a temporary model
is added and removed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from fe_interface.geometry.rough import positive
from fe_interface.mesh import TaggedMesh, from_gmsh_model

__all__ = [
    "concentric_cylinders",
    "concentric_spheres",
    "electronics_package",
    "flux_tube",
    "layered_stack",
]


# --------------------------------------------------------------------------------------
# parameter checks (pure Python, run on every rank before gmsh is touched)
# --------------------------------------------------------------------------------------


def _check_order(order) -> int:
    if order not in (1, 2) or isinstance(order, bool):
        raise ValueError(f"order must be 1 or 2 (geometry order), got {order!r}")
    return int(order)


def _check_refine(refine, name: str = "refine_interfaces") -> float | None:
    if refine is None:
        return None
    f = positive(refine, name)
    if f < 1.0:
        raise ValueError(f"{name} is a refinement factor and must be >= 1, got {refine!r}")
    return f


def _check_names(
    names, n: int, prefix: str, reserved: Sequence[str], param: str = "names"
) -> list[str]:
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


def _check_radii(radii) -> list[float]:
    try:
        r = [float(x) for x in radii]
    except (TypeError, ValueError):
        raise ValueError(f"radii must be a sequence of numbers, got {radii!r}") from None
    if len(r) < 2:
        raise ValueError(f"radii needs at least two values r0 < r1 (r0 = 0: full disc), got {r}")
    if not all(math.isfinite(x) for x in r) or r[0] < 0.0:
        raise ValueError(f"radii must be finite with radii[0] >= 0, got {r}")
    if any(b <= a for a, b in pairwise(r)):
        raise ValueError(f"radii must be strictly increasing, got {r}")
    return r


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


def _default_size(mesh_size, length: float) -> float:
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
    opt = gmsh.option.setNumber
    opt("General.NumThreads", 1)  # reproducible meshes
    opt("Mesh.MeshSizeMax", mesh_size)
    opt("Mesh.MeshSizeMin", mesh_size if min_size is None else min_size)
    opt("Mesh.MeshSizeFromCurvature", 0)
    opt("Mesh.MeshSizeExtendFromBoundary", 1 if min_size is None else 0)
    opt("Mesh.SecondOrderIncomplete", 0)  # complete (Lagrange) second-order cells
    opt("Mesh.ElementOrder", 1)


def _generate(gmsh, dim: int, order: int) -> None:
    gmsh.model.mesh.generate(dim)
    if order == 2:
        gmsh.model.mesh.setOrder(2)


def _threshold_field(
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


def _sizes_near_interfaces(
    gmsh, dim: int, interfaces: Sequence[int], h: float, refine: float | None
) -> None:
    """Cell size h, or h/refine on the interfaces growing to h at 2 h from them."""
    if refine is not None and interfaces:
        mesh_options(gmsh, h, h / refine)
        t = _threshold_field(gmsh, dim - 1, interfaces, h / refine, h, 0.0, 2.0 * h)
        background_min(gmsh, [t])
    else:
        mesh_options(gmsh, h)


def background_min(gmsh, fields: Sequence[int]) -> None:
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


def _point_on(gmsh, dim: int, tag: int) -> np.ndarray:
    """A point on a curve (dim 1) or surface (dim 2) at the middle of its parameter range."""
    lo, hi = gmsh.model.getParametrizationBounds(dim, tag)
    mid = 0.5 * (np.asarray(lo) + np.asarray(hi))
    return np.asarray(gmsh.model.getValue(dim, tag, mid.tolist()))[:3]


def _match(value: float, targets: Sequence[float], scale: float, what: str) -> int:
    k = int(np.argmin([abs(value - t) for t in targets]))
    if abs(value - targets[k]) > 1e-6 * scale:
        raise RuntimeError(f"internal error: {what} at {value} matches none of {list(targets)}")
    return k


# --------------------------------------------------------------------------------------
# concentric cylinders (2D) and spheres (3D)
# --------------------------------------------------------------------------------------


def _concentric(
    dim: int,
    radii,
    names,
    mesh_size,
    order,
    comm,
    refine_interfaces,
    msh_file=None,
    octant: bool = False,
) -> TaggedMesh:
    r = _check_radii(radii)
    n = len(r) - 1
    if not isinstance(octant, bool):
        raise ValueError(f"octant must be True or False, got {octant!r}")
    facet_names = _concentric_facet_names(r, octant)
    cell_names = _check_names(names, n, "region", facet_names)
    h = _default_size(mesh_size, r[-1])
    order = _check_order(order)
    refine = _check_refine(refine_interfaces)
    # model units (see length_scale): the shells' thicknesses and the inner radius
    scale = length_scale(*np.diff(r), r[0])
    r = [v / scale for v in r]
    h /= scale

    def construct(gmsh):
        _concentric_shells(gmsh.model.occ, dim, r, octant)
        gmsh.model.occ.synchronize()
        regions, facets, interfaces = _concentric_groups(
            gmsh, dim, r, cell_names, facet_names, octant
        )
        add_groups(gmsh, dim, regions)
        add_groups(gmsh, dim - 1, facets)

        _sizes_near_interfaces(gmsh, dim, interfaces, h, refine)
        _generate(gmsh, dim, order)

    name = "concentric_cylinders" if dim == 2 else "concentric_spheres"
    return build_model(name, comm, dim, construct, msh_file, scale)


def _concentric_facet_names(r: list[float], octant: bool) -> list[str]:
    """The facet groups of concentric shells of radii ``r``."""
    n = len(r) - 1
    return (
        (["inner"] if r[0] > 0 else [])
        + ["outer"]
        + [f"interface{i}" for i in range(n - 1)]
        + (["symmetry"] if octant else [])
    )


def _concentric_shells(occ: Any, dim: int, r: list[float], octant: bool) -> None:
    """The shells r[i] < |x| < r[i + 1] (model units), fragmented; an octant if asked."""
    ball = (
        (lambda rr: occ.addDisk(0, 0, 0, rr, rr))
        if dim == 2
        else (lambda rr: occ.addSphere(0, 0, 0, rr))
    )
    shells = []
    for i in range(len(r) - 1):
        outer = ball(r[i + 1])
        if r[i] > 0:
            inner = ball(r[i])
            cut, _ = occ.cut([(dim, outer)], [(dim, inner)])
            shells.extend(cut)
        else:
            shells.append((dim, outer))
    if octant:  # keep x, y, z >= 0: the symmetry planes cut every shell
        rmax = r[-1]
        box = occ.addBox(0, 0, 0, 2 * rmax, 2 * rmax, 2 * rmax)
        shells, _ = occ.intersect(shells, [(3, box)])
    if len(shells) > 1:
        occ.fragment(shells[:1], shells[1:])


def _concentric_groups(
    gmsh: Any, dim: int, r: list[float], cell_names: list[str], facet_names: list[str],
    octant: bool,
) -> tuple[dict[str, list[int]], dict[str, list[int]], list[int]]:  # fmt: skip
    """(regions, facet groups, interface facets) of the shells, by their radii."""
    n = len(r) - 1
    rmax = r[-1]

    def on_plane(e):  # a face of the octant on x = 0, y = 0 or z = 0
        c = gmsh.model.occ.getCenterOfMass(dim - 1, e)
        return octant and min(abs(v) for v in c) < 1e-9 * rmax

    regions: dict[str, list[int]] = {s: [] for s in cell_names}
    for _, e in gmsh.model.getEntities(dim):
        bnd = gmsh.model.getBoundary([(dim, e)], combined=False, oriented=False)
        rb = max(
            np.linalg.norm(_point_on(gmsh, dim - 1, abs(b))) for _, b in bnd if not on_plane(abs(b))
        )
        k = _match(rb, r[1:], rmax, "region outer radius")
        regions[cell_names[k]].append(e)
    facets: dict[str, list[int]] = {s: [] for s in facet_names}
    interfaces = []
    for _, e in gmsh.model.getEntities(dim - 1):
        if on_plane(e):
            facets["symmetry"].append(e)
            continue
        k = _match(np.linalg.norm(_point_on(gmsh, dim - 1, e)), r, rmax, "circle radius")
        if k == 0:
            facets["inner"].append(e)
        elif k == n:
            facets["outer"].append(e)
        else:
            facets[f"interface{k - 1}"].append(e)
            interfaces.append(e)
    return regions, facets, interfaces


def concentric_cylinders(
    radii: Sequence[float],
    names: Sequence[str] | None = None,
    mesh_size: float | None = None,
    order: int = 1,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    refine_interfaces: float | None = None,
    msh_file: str | Path | None = None,
) -> TaggedMesh:
    """Concentric circular regions in 2D (cross-section of coaxial cylinders).

    Args:
        radii: ``r0 < r1 < ... < rN`` in m.  ``r0 = 0`` gives a full disc in the
            middle, ``r0 > 0`` an annulus with an inner boundary.
        names: cell group names, one per region ``r_i < r < r_{i+1}``; default
            ``"region0"``, ``"region1"``, ...
        mesh_size: target cell size in m (default ``rN / 10``).
        order: geometry order, 1 (straight) or 2 (curved second-order triangles).
        comm: communicator to distribute the mesh over (built on rank 0).
        refine_interfaces: optional factor ``f >= 1``: cells of size
            ``mesh_size / f`` at the interfaces, growing to ``mesh_size`` at a
            distance ``2 * mesh_size``.
        msh_file: also write the gmsh mesh (MSH 4.1, ASCII) to this path.

    Returns:
        TaggedMesh with cell groups ``names[i]`` and facet groups ``"inner"``
        (``r = r0``, only if ``r0 > 0``), ``"outer"`` (``r = rN``) and
        ``"interface{i}"`` (``r = r_{i+1}``, between regions i and i+1).
    """
    return _concentric(2, radii, names, mesh_size, order, comm, refine_interfaces, msh_file)


def concentric_spheres(
    radii: Sequence[float],
    names: Sequence[str] | None = None,
    mesh_size: float | None = None,
    order: int = 1,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    refine_interfaces: float | None = None,
    msh_file: str | Path | None = None,
    octant: bool = False,
) -> TaggedMesh:
    """Concentric spherical shells in 3D (tetrahedra); see :func:`concentric_cylinders`.

    Facet groups ``"inner"`` (``r = r0``, only if ``r0 > 0``), ``"outer"`` and
    ``"interface{i}"`` (sphere ``r = r_{i+1}``); cell groups ``names[i]`` or
    ``"region{i}"``.

    With ``octant=True`` only the part ``x, y, z >= 0`` is modelled (1/8 of the
    volume and cells), and its three plane faces form the extra facet group
    ``"symmetry"``; left without a boundary condition they are insulated, which
    is exact for a radially symmetric problem.
    """
    return _concentric(
        3, radii, names, mesh_size, order, comm, refine_interfaces, msh_file, octant=octant
    )


# --------------------------------------------------------------------------------------
# layered stack
# --------------------------------------------------------------------------------------


def _check_width(width, dim: int) -> tuple[float, float]:
    if isinstance(width, (tuple, list, np.ndarray)):
        w = list(width)
        if dim == 2 and len(w) == 1:
            return positive(w[0], "width"), 0.0
        if dim == 2 or len(w) != 2:
            raise ValueError(
                f"width must be a number (2D: extent in y) or, in 3D, a (wy, wz) pair, "
                f"got {width!r}"
            )
        return positive(w[0], "width[0]"), positive(w[1], "width[1]")
    wv = positive(width, "width")
    return wv, (wv if dim == 3 else 0.0)


def _check_thicknesses(thicknesses) -> list[float]:
    try:
        t = list(thicknesses)
    except TypeError:
        raise ValueError(f"thicknesses must be a sequence, got {thicknesses!r}") from None
    if not t:
        raise ValueError("thicknesses must contain at least one layer")
    return [positive(x, f"thicknesses[{i}]") for i, x in enumerate(t)]


def _transfinite_hex(gmsh, dim: int, h: float) -> None:
    """Structured quads (2D) / hexahedra (3D): transfinite curves of ~h, recombined."""
    mesh = gmsh.model.mesh
    for _, c in gmsh.model.getEntities(1):
        length = gmsh.model.occ.getMass(1, c)
        mesh.setTransfiniteCurve(c, max(1, math.ceil(length / h - 1e-9)) + 1)
    for _, s in gmsh.model.getEntities(2):
        mesh.setTransfiniteSurface(s)
        mesh.setRecombine(2, s)
    if dim == 3:
        for _, v in gmsh.model.getEntities(3):
            mesh.setTransfiniteVolume(v)


def layered_stack(
    thicknesses: Sequence[float],
    width: float | tuple[float, float],
    dim: int = 2,
    names: Sequence[str] | None = None,
    mesh_size: float | None = None,
    cell_type: str = "simplex",
    order: int = 1,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    refine_interfaces: float | None = None,
    msh_file: str | Path | None = None,
) -> TaggedMesh:
    """Layers stacked along x: layer i occupies ``x_i < x < x_i + thicknesses[i]``.

    Args:
        thicknesses: layer thicknesses in m (along x, from ``x = 0``).
        width: extent in y (2D: ``0 < y < width``); in 3D a number (square
            cross-section) or ``(wy, wz)`` (``0 < y < wy``, ``0 < z < wz``).
        dim: 2 (rectangles) or 3 (boxes).
        names: cell group names, default ``"layer0"``, ``"layer1"``, ...
        mesh_size: target cell size in m (default ``min(L, width) / 10``).
        cell_type: ``"simplex"`` (triangles/tetrahedra) or ``"hex"`` (structured
            quadrilaterals/hexahedra: transfinite + recombine; every layer is at
            least one cell thick).
        order: geometry order 1 or 2.
        comm: communicator to distribute the mesh over (built on rank 0).
        refine_interfaces: optional factor ``f >= 1`` (simplex cells only): size
            ``mesh_size / f`` at the interfaces, growing to ``mesh_size`` at a
            distance ``2 * mesh_size``.
        msh_file: also write the gmsh mesh (MSH 4.1, ASCII) to this path.

    Returns:
        TaggedMesh with cell groups ``names[i]``, facet groups ``"x0"`` (face
        ``x = 0``), ``"x1"`` (face ``x = L``), ``"sides"`` (all other outer
        faces) and ``"interface{i}"`` (plane between layers i and i+1).
    """
    if dim not in (2, 3) or isinstance(dim, bool):
        raise ValueError(f"dim must be 2 or 3, got {dim!r}")
    t = _check_thicknesses(thicknesses)
    wy, wz = _check_width(width, dim)
    n = len(t)
    facet_names = ["x0", "x1", "sides"] + [f"interface{i}" for i in range(n - 1)]
    cell_names = _check_names(names, n, "layer", facet_names)
    x = np.concatenate([[0.0], np.cumsum(t)])
    length = float(x[-1])
    h = _default_size(mesh_size, min(length, wy, wz) if dim == 3 else min(length, wy))
    if cell_type not in ("simplex", "hex"):
        raise ValueError(f"cell_type must be 'simplex' or 'hex', got {cell_type!r}")
    order = _check_order(order)
    refine = _check_refine(refine_interfaces)
    if refine is not None and cell_type == "hex":
        raise ValueError("refine_interfaces is only available with cell_type='simplex'")
    scale = length_scale(*t, wy, wz)  # model units (wz = 0 in 2D is ignored)
    x, wy, wz, h = x / scale, wy / scale, wz / scale, h / scale
    return build_model(
        "layered_stack",
        comm,
        dim,
        lambda gmsh: _layers(gmsh, dim, x, wy, wz, cell_names, h, cell_type, order, refine),
        msh_file,
        scale,
    )


def _layers(gmsh, dim, x, wy, wz, cell_names, h, cell_type, order, refine) -> None:
    occ = gmsh.model.occ
    n = len(x) - 1
    boxes = []
    for i in range(n):
        if dim == 2:
            boxes.append((2, occ.addRectangle(x[i], 0, 0, x[i + 1] - x[i], wy)))
        else:
            boxes.append((3, occ.addBox(x[i], 0, 0, x[i + 1] - x[i], wy, wz)))
    if n > 1:
        occ.fragment(boxes[:1], boxes[1:])
    occ.synchronize()
    tmin = float(np.min(np.diff(x)))

    regions: dict[str, list[int]] = {s: [] for s in cell_names}
    for _, e in gmsh.model.getEntities(dim):
        xc = occ.getCenterOfMass(dim, e)[0]
        k = int(np.searchsorted(x, xc)) - 1
        regions[cell_names[min(max(k, 0), n - 1)]].append(e)

    facets, interfaces = _layer_facets(gmsh, dim, x, tmin)
    add_groups(gmsh, dim, regions)
    add_groups(gmsh, dim - 1, facets)

    if cell_type == "hex":
        mesh_options(gmsh, h)
        _transfinite_hex(gmsh, dim, h)
    else:
        _sizes_near_interfaces(gmsh, dim, interfaces, h, refine)
    _generate(gmsh, dim, order)


def _layer_facets(gmsh, dim, x, tmin) -> tuple[dict[str, list[int]], list[int]]:
    """The facet groups of a layer stack along x, and the interface facets.

    Groups ``x0``, ``x1``, ``sides`` and ``interface<i>`` (between layers i and i + 1);
    ``tmin`` is the thinnest layer's thickness.
    """
    occ = gmsh.model.occ
    n = len(x) - 1
    facets: dict[str, list[int]] = {"x0": [], "x1": [], "sides": []}
    facets |= {f"interface{i}": [] for i in range(n - 1)}
    interfaces = []
    for _, e in gmsh.model.getEntities(dim - 1):
        xc = occ.getCenterOfMass(dim - 1, e)[0]
        # faces x = x_k have their centroid on x_k; side faces at a layer midpoint
        k = int(np.argmin(np.abs(x - xc)))
        if abs(x[k] - xc) > 0.25 * tmin:
            facets["sides"].append(e)
        elif k == 0:
            facets["x0"].append(e)
        elif k == n:
            facets["x1"].append(e)
        else:
            facets[f"interface{k - 1}"].append(e)
            interfaces.append(e)
    return facets, interfaces


# --------------------------------------------------------------------------------------
# flux tube with one contact spot
# --------------------------------------------------------------------------------------


def _adjacent_cells(gmsh, dim: int, facet: int) -> list[int]:
    up, _ = gmsh.model.getAdjacencies(dim - 1, facet)
    return [int(c) for c in up]


def flux_tube(
    a: float,
    b: float,
    length: float,
    dim: int = 3,
    mesh_size: float | None = None,
    refine_spot: float = 4.0,
    order: int = 1,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    msh_file: str | Path | None = None,
) -> TaggedMesh:
    """Two coaxial cylinders touching through one circular contact spot.

    The lower cylinder is ``-length < z < 0``, the upper ``0 < z < length``, both
    of radius ``b`` around the z axis.  In the plane ``z = 0`` they share only the
    disc ``r < a`` (the contact spot, a conforming interface); the annulus
    ``a < r < b`` is an insulated gap: two separate boundary faces with separate
    (coincident) nodes, so no heat crosses it except through the spot.  Only the
    nodes on the spot edge ``r = a`` are shared by the gap faces and the spot.

    ``dim=2`` builds the axisymmetric r–z half-plane instead: ``x`` is the radius
    ``r`` (``0 < r < b``), ``y`` is ``z``; integrate with the weight ``2*pi*x``.

    Args:
        a: spot radius, ``0 < a < b``.
        b: tube radius.
        length: length of each cylinder (m).
        dim: 3 (tetrahedra) or 2 (axisymmetric r–z triangles).
        mesh_size: far-field cell size (default ``min(b, length) / 5``).
        refine_spot: factor ``>= 1``: cells of size ``min(mesh_size, a / 2) /
            refine_spot`` at the spot edge ``r = a`` (where the heat flux is
            singular), growing to ``mesh_size`` over ``max(2 * mesh_size, a)``.
        order: geometry order 1 or 2.
        comm: communicator (built on rank 0).
        msh_file: also write the gmsh mesh (MSH 4.1, ASCII) to this path.

    Returns:
        TaggedMesh with cell groups ``"lower"``, ``"upper"`` and facet groups
        ``"spot"`` (interface, ``dS``), ``"gap_lower"``, ``"gap_upper"`` (the
        annulus as the top face of the lower and the bottom face of the upper
        cylinder), ``"bottom"`` (``z = -length``), ``"top"`` (``z = length``),
        ``"mantle"`` (``r = b``) and, for ``dim=2`` only, ``"axis"`` (``r = 0``).
    """
    a, b, L, h, h_spot = _check_flux_tube(a, b, length, dim, mesh_size, refine_spot)
    order = _check_order(order)
    scale = length_scale(a, b - a, L)  # model units
    a, b, L, h, h_spot = a / scale, b / scale, L / scale, h / scale, h_spot / scale

    def construct(gmsh):
        occ = gmsh.model.occ
        spot = _flux_tube_3d(occ, a, b, L) if dim == 3 else _flux_tube_2d(occ, a, b, L)
        occ.synchronize()
        cells: dict[str, list[int]] = {"lower": [], "upper": []}
        for _, e in gmsh.model.getEntities(dim):
            z = occ.getCenterOfMass(dim, e)[dim - 1]
            cells["lower" if z < 0 else "upper"].append(e)
        if len(cells["lower"]) != 1 or len(cells["upper"]) != 1:
            raise RuntimeError(f"internal error: flux tube regions {cells}")
        tol = 1e-6 * max(b, L)
        facets = _flux_tube_facets(gmsh, dim, cells["lower"][0], L, tol)
        add_groups(gmsh, dim, cells)
        add_groups(gmsh, dim - 1, facets)

        edge = (
            [abs(t) for _, t in gmsh.model.getBoundary(spot, combined=False, oriented=False)]
            if dim == 3
            else [
                p
                for _, p in gmsh.model.getBoundary(spot, oriented=False)
                if abs(gmsh.model.getValue(0, p, [])[0] - a) < tol
            ]
        )
        mesh_options(gmsh, h, h_spot)
        t = _threshold_field(gmsh, dim - 2, edge, h_spot, h, 0.0, max(2.0 * h, a))
        background_min(gmsh, [t])
        # the default 3D Delaunay meshes both volumes at once and rejects the two
        # coincident gap faces; the frontal algorithm meshes them one by one
        gmsh.option.setNumber("Mesh.Algorithm3D", 4)
        _generate(gmsh, dim, order)

    return build_model(f"flux_tube_{dim}d", comm, dim, construct, msh_file, scale)


def _check_flux_tube(
    a: Any, b: Any, length: Any, dim: Any, mesh_size: Any, refine_spot: Any
) -> tuple[float, float, float, float, float]:
    """(a, b, length, cell size, cell size at the spot edge) of a flux tube, m."""
    if dim not in (2, 3) or isinstance(dim, bool):
        raise ValueError(f"dim must be 2 or 3, got {dim!r}")
    a = positive(a, "a (spot radius)")
    b = positive(b, "b (tube radius)")
    if a >= b:
        raise ValueError(f"a (spot radius) must be smaller than b (tube radius): a={a}, b={b}")
    L = positive(length, "length")
    h = _default_size(mesh_size, 2.0 * min(b, L))
    refine = _check_refine(refine_spot, "refine_spot")
    if refine is None:  # the spot edge is always refined (None would fail below)
        raise ValueError("refine_spot is a refinement factor and must be >= 1, got None")
    return a, b, L, h, min(h, a / 2.0) / refine


def _flux_tube_3d(occ: Any, a: float, b: float, L: float) -> list[tuple[int, int]]:
    """Two cylinders glued through the spot disc only; returns the spot."""
    lower = occ.addCylinder(0, 0, -L, 0, 0, L, b)
    upper = occ.addCylinder(0, 0, 0, 0, 0, L, b)
    spot = [(2, occ.addDisk(0, 0, 0, a, a))]
    # glue each cylinder to the spot separately: only the spot is shared, the
    # two gap faces stay distinct entities (with distinct nodes)
    _, m = occ.fragment([(3, lower)], spot)
    spot = m[1]
    _, m = occ.fragment([(3, upper)], spot)
    return m[1]


def _flux_tube_2d(occ: Any, a: float, b: float, L: float) -> list[tuple[int, int]]:
    """The r–z half-plane: two rectangles sharing the spot line; returns the spot."""

    # explicit topology: the two rectangles share the spot line only; the
    # corner (b, 0) is two distinct (coincident) points
    def pt(x, y):
        return occ.addPoint(x, y, 0)

    p0, p1, p2l, p3, p4 = pt(0, -L), pt(b, -L), pt(b, 0), pt(a, 0), pt(0, 0)
    p2u, p5, p6 = pt(b, 0), pt(b, L), pt(0, L)
    line = occ.addLine(p4, p3)
    loop = [occ.addLine(p0, p1), occ.addLine(p1, p2l), occ.addLine(p2l, p3)]
    loop += [-line, occ.addLine(p4, p0)]
    occ.addPlaneSurface([occ.addCurveLoop(loop)])
    loop = [line, occ.addLine(p3, p2u), occ.addLine(p2u, p5), occ.addLine(p5, p6)]
    loop += [occ.addLine(p6, p4)]
    occ.addPlaneSurface([occ.addCurveLoop(loop)])
    return [(1, line)]


def _flux_tube_facets(gmsh: Any, dim: int, lo: int, L: float, tol: float) -> dict[str, list[int]]:
    """The facet groups of a flux tube (``lo``: the lower cell)."""
    occ = gmsh.model.occ
    names = ["spot", "gap_lower", "gap_upper", "bottom", "top", "mantle"]
    facets: dict[str, list[int]] = {n: [] for n in names + (["axis"] if dim == 2 else [])}
    for _, f in gmsh.model.getEntities(dim - 1):
        adj = _adjacent_cells(gmsh, dim, f)
        c = occ.getCenterOfMass(dim - 1, f)
        z = c[dim - 1]
        if len(adj) == 2:
            facets["spot"].append(f)
        elif abs(z) < tol:
            facets["gap_lower" if adj == [lo] else "gap_upper"].append(f)
        elif abs(z + L) < tol:
            facets["bottom"].append(f)
        elif abs(z - L) < tol:
            facets["top"].append(f)
        elif dim == 2 and abs(c[0]) < tol:
            facets["axis"].append(f)
        else:
            facets["mantle"].append(f)
    return facets


# --------------------------------------------------------------------------------------
# electronics package
# --------------------------------------------------------------------------------------


def _check_layer(value, name: str, dim: int) -> tuple[float, float, float]:
    """(w, t) with w a number or, in 3D, (wx, wy) -> (wx, wy, t)."""
    try:
        w, t = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a (width, thickness) pair, got {value!r}") from None
    t = positive(t, f"{name} thickness")
    if isinstance(w, (tuple, list, np.ndarray)):
        if dim == 2 or len(w) != 2:
            raise ValueError(f"{name} width must be a number (3D: or a (wx, wy) pair), got {w!r}")
        return positive(w[0], f"{name} width"), positive(w[1], f"{name} width"), t
    w = positive(w, f"{name} width")
    return w, w, t


def electronics_package(
    die: tuple[float, float] = (10e-3, 0.5e-3),
    tim: tuple[float, float] = (10e-3, 50e-6),
    spreader: tuple[float, float] = (30e-3, 2e-3),
    sink_base: tuple[float, float] = (50e-3, 5e-3),
    fins: tuple[int, float, float] | None = None,
    dim: int = 2,
    mesh_size: float | None = None,
    order: int = 1,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    msh_file: str | Path | None = None,
    thin_tim: bool = False,
) -> TaggedMesh:
    """Die / TIM / heat spreader / heat-sink base stack (plus optional fins).

    The layers are centred on the vertical axis (``x = 0``, in 3D also ``y = 0``)
    and stacked upwards along ``y`` (2D) or ``z`` (3D): the sink base from 0 to
    ``t_sink``, then the spreader, the TIM and the die on top.

    Args:
        die: ``(width, thickness)`` of the die in m; in 3D the width is a number
            (square) or ``(wx, wy)``.
        tim: ``(width, thickness)`` of the thermal interface material, as ``die``.
        spreader: ``(width, thickness)`` of the heat spreader, as ``die``.
        sink_base: ``(width, thickness)`` of the heat-sink base, as ``die``.
        fins: optional ``(count, thickness, height)``: straight fins hanging below
            the sink base (plates across the whole base depth in 3D), spread
            evenly over the base width (outer fins flush with the base edges),
            part of the ``"sink"`` cell group.
        dim: 2 or 3.
        mesh_size: far-field cell size (default: smallest width / 10); each layer
            is meshed with at most its own thickness, so thin layers (the TIM)
            get correspondingly small cells.
        order: geometry order 1 or 2.
        comm: communicator (built on rank 0).
        msh_file: also write the gmsh mesh (MSH 4.1, ASCII) to this path.
        thin_tim: do not mesh the TIM: the die sits directly on the spreader, and the
            facet group ``"tim"`` between them takes the TIM as an interface law (a
            :class:`~fe_interface.model.laws.thin_layer.ThinLayer` of the TIM's
            thickness and conductivity, and its heat capacity for transient runs).
            The stack is lower by the TIM thickness; the TIM width is not used (the
            layer covers the die/spreader overlap).

    Returns:
        TaggedMesh with cell groups ``"die"``, ``"tim"``, ``"spreader"``,
        ``"sink"``; interface facet groups ``"die_tim"``, ``"tim_spreader"``,
        ``"spreader_sink"`` (the overlap of the two layers); with ``thin_tim`` no
        ``"tim"`` cell group and the interface facet group ``"tim"`` (die/spreader)
        instead of ``"die_tim"`` and ``"tim_spreader"``; boundary facet groups
        ``"die_top"`` (top face of the die), ``"sink_bottom"`` (the underside of
        the sink base and all fin faces) and ``"sides"`` (every other outer face,
        including exposed tops of wider layers).
    """
    layers, fin = _check_package(die, tim, spreader, sink_base, fins, dim, thin_tim)
    widths = [min(w[:2]) if dim == 3 else w[0] for w in layers.values()]
    h = _default_size(mesh_size, min(widths))
    order = _check_order(order)
    scale = length_scale(*_package_features(layers, fin))
    layers = {k: tuple(v / scale for v in lay) for k, lay in layers.items()}
    if fin is not None:
        fin = (fin[0], fin[1] / scale, fin[2] / scale)
    h /= scale
    z = np.concatenate([[0.0], np.cumsum([lay[2] for lay in layers.values()])])

    def construct(gmsh):
        occ = gmsh.model.occ
        ents = _package_volumes(occ, layers, fin, z, dim)
        order_: list[str] = [n for n in ("sink", "spreader", "tim", "die") if n in layers]
        allv = [e for n in order_ for e in ents[n]]
        _, m = occ.fragment(allv[:1], allv[1:])
        occ.synchronize()
        # m[i] lists the pieces of input i: every input maps to itself (no overlap)
        k = 0
        cells: dict[str, list[int]] = {}
        for n in order_:
            cells[n] = [t for piece in m[k : k + len(ents[n])] for _, t in piece]
            k += len(ents[n])
        facets = _package_facets(gmsh, dim, cells, z, thin_tim)
        add_groups(gmsh, dim, cells)
        add_groups(gmsh, dim - 1, {n: f for n, f in facets.items() if f or n != "sides"})
        # per-layer cell size: at most the layer thickness (smallest wins on shared points)
        sizes: dict[int, float] = {}
        for n, (_, _, t) in sorted(layers.items(), key=lambda it: -it[1][2]):
            pts = gmsh.model.getBoundary(
                [(dim, v) for v in cells[n]], combined=False, oriented=False, recursive=True
            )
            for p in pts:
                sizes[p[1]] = min(sizes.get(p[1], h), t)
        for p, size in sizes.items():
            gmsh.model.mesh.setSize([(0, p)], size)
        mesh_options(gmsh, h, min(sizes.values(), default=h))
        gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 1)
        _generate(gmsh, dim, order)

    return build_model(f"electronics_package_{dim}d", comm, dim, construct, msh_file, scale)


def _check_package(
    die: Any, tim: Any, spreader: Any, sink_base: Any, fins: Any, dim: Any, thin_tim: Any
) -> tuple[dict[str, tuple[float, ...]], tuple[int, float, float] | None]:
    """The layers (sink first, m) and fins (count, thickness m, height m) of a package."""
    if dim not in (2, 3) or isinstance(dim, bool):
        raise ValueError(f"dim must be 2 or 3, got {dim!r}")
    layers: dict[str, tuple[float, ...]] = {
        "sink": _check_layer(sink_base, "sink_base", dim),
        "spreader": _check_layer(spreader, "spreader", dim),
        "tim": _check_layer(tim, "tim", dim),
        "die": _check_layer(die, "die", dim),
    }
    if not isinstance(thin_tim, (bool, np.bool_)):
        raise ValueError(f"thin_tim must be true or false, got {thin_tim!r}")
    if thin_tim:
        del layers["tim"]
    return layers, None if fins is None else _check_fins(fins, layers["sink"][0])


def _check_fins(fins: Any, width: float) -> tuple[int, float, float]:
    """(count, thickness, height) of fins on a sink base of ``width`` (m)."""
    try:
        count, ft, fh = fins
    except (TypeError, ValueError):
        raise ValueError(f"fins must be (count, thickness, height), got {fins!r}") from None
    if isinstance(count, bool) or int(count) != count or count < 1:
        raise ValueError(f"fins count must be a positive integer, got {count!r}")
    ft, fh = positive(ft, "fins thickness"), positive(fh, "fins height")
    if count * ft > width * (1 + 1e-12):
        raise ValueError(
            f"fins: {int(count)} fins of thickness {ft} do not fit on the sink base width {width}"
        )
    return (int(count), ft, fh)


def _package_features(
    layers: dict[str, tuple[float, ...]], fin: tuple[int, float, float] | None
) -> list[float]:
    """The lengths that set the model unit (m).

    Thicknesses, widths, fins and the steps between adjacent layers' edges.
    """
    features = [v for lay in layers.values() for v in lay] + list(fin[1:] if fin else [])
    wmax = max(v for lay in layers.values() for v in lay[:2])
    lays = list(layers.values())
    for (ax, ay, _), (bx, by, _) in pairwise(lays):
        features += [d for d in (abs(ax - bx) / 2, abs(ay - by) / 2) if d > 1e-9 * wmax]
    if fin is not None and fin[0] > 1:
        gap = (layers["sink"][0] - fin[0] * fin[1]) / (fin[0] - 1)
        features += [gap] if gap > 1e-9 * wmax else []
    return features


def _package_volumes(
    occ: Any,
    layers: dict[str, tuple[float, ...]],
    fin: tuple[int, float, float] | None,
    z: np.ndarray,
    dim: int,
) -> dict[str, list[tuple[int, int]]]:
    """The OCC entities of every layer (model units), the fins part of the sink."""
    ents = {}
    for i, (name, (wx, wy, t)) in enumerate(layers.items()):
        if dim == 2:
            ents[name] = [(2, occ.addRectangle(-wx / 2, z[i], 0, wx, t))]
        else:
            ents[name] = [(3, occ.addBox(-wx / 2, -wy / 2, z[i], wx, wy, t))]
    if fin is not None:
        count, ft, fh = fin
        wx, wy, _ = layers["sink"]
        xs = [0.0] if count == 1 else np.linspace(-wx / 2 + ft / 2, wx / 2 - ft / 2, count)
        plates = []
        for xc in xs:
            if dim == 2:
                plates.append((2, occ.addRectangle(xc - ft / 2, -fh, 0, ft, fh)))
            else:
                plates.append((3, occ.addBox(xc - ft / 2, -wy / 2, -fh, ft, wy, fh)))
        # fragment (not fuse): fins stay separate volumes of the "sink" group, so a
        # flush outer fin does not merge its face with the side of the base
        ents["sink"] = ents["sink"] + plates
    return ents


#: the facet group between two layers of a package
_PACKAGE_CONTACTS = {
    frozenset(("die", "tim")): "die_tim",
    frozenset(("tim", "spreader")): "tim_spreader",
    frozenset(("spreader", "sink")): "spreader_sink",
    frozenset(("die", "spreader")): "tim",  # thin_tim: the TIM as an interface
}


def _package_facets(
    gmsh: Any, dim: int, cells: dict[str, list[int]], z: np.ndarray, thin_tim: bool
) -> dict[str, list[int]]:
    """The facet groups of a package: contacts, die top, sink bottom and sides."""
    occ = gmsh.model.occ
    owner = {v: n for n, vs in cells.items() for v in vs}
    contacts = ("tim",) if thin_tim else ("die_tim", "tim_spreader")
    facets: dict[str, list[int]] = {
        n: [] for n in (*contacts, "spreader_sink", "die_top", "sink_bottom")
    }
    facets["sides"] = []
    tol = 1e-3 * float(np.min(np.diff(z)))
    for _, f in gmsh.model.getEntities(dim - 1):
        cells_f = _adjacent_cells(gmsh, dim, f)
        adj = {owner[c] for c in cells_f}
        zc = occ.getCenterOfMass(dim - 1, f)[dim - 1]
        if len(cells_f) == 2 and len(adj) == 1:
            continue  # inside one material (fin root)
        if len(adj) == 2:
            key = _PACKAGE_CONTACTS.get(frozenset(adj))
            if key is None:
                raise RuntimeError(f"internal error: unexpected contact {sorted(adj)}")
            facets[key].append(f)
        elif adj == {"die"} and abs(zc - z[-1]) < tol:
            facets["die_top"].append(f)
        elif adj == {"sink"} and zc < tol:
            facets["sink_bottom"].append(f)
        else:
            facets["sides"].append(f)
    return facets
