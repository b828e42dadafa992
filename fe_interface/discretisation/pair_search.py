"""The parallel search of a non-matching pair: mortar segments and their quadrature points.

For one direction of a pair (an *integrating* surface S and a *target* surface T, both
given as this process's owned facets):

1. candidate processes: DOLFINx's bounding-box trees — the tree of T's local facets
   (padded by the search distance) is made global with ``create_global_tree`` (one box
   per process, the first stage of ``geometry.determine_point_ownership``), and
   ``compute_collisions_trees`` pairs every local facet of S with the processes whose T
   facets may be near it.  No facet is gathered to one process;
2. each S facet's geometry is sent to those processes (``alltoall``), which pair it with
   their own T facets near it (a k-d tree of facet centres, SciPy), project the corners
   of each T facet onto the S facet (closest point), clip that image to the S facet
   (:func:`~fe_interface.discretisation.pair_geometry.clip_to_reference`: the mortar
   segment) and put a quadrature rule on every segment; every point x is mapped to T
   (along S's normal, or to the closest point) — exact on flat facets, so the products
   of the two sides' shape functions are integrated exactly;
3. the points within the search distance that face T come back to the S facet's
   process with everything needed to assemble there: reference coordinates on both
   sides, weights, and per target facet its cell's geometry, global dof numbers and
   owners, conductivity and size.

The search costs what the local part of the surfaces costs (plus one box per process).
Units: m.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np
from dolfinx import geometry, la
from dolfinx.mesh import Mesh
from scipy.spatial import cKDTree

from fe_interface.discretisation.pair_geometry import (
    ReferenceCell,
    clamp_to_reference,
    clip_to_reference,
    project_along,
    project_along_field,
    segment_rule,
    solve_small,
    surface_measure,
)

__all__ = [
    "CellData",
    "SearchResult",
    "Surface",
    "search_direction",
    "search_distance",
    "surface",
]

#: n_S · n_T above this: the surfaces do not face each other at the point
FACING = -0.5
#: a signed gap below −PENETRATION × the facet diameter is a penetration
PENETRATION = 0.2


class Surface(NamedTuple):
    """This process's owned facets of a surface.

    Attributes:
        facets: local facet indices.
        cells: the (one) cell of each facet.
        lf: the facet's local index in its cell.
        coords: the cells' geometry nodes (n, nodes, gdim), m.
        normals: the surface's unit normal at each facet corner (n, corners, gdim),
            cyclic: the mean of the outward normals of the surface's facets at that
            vertex (on all processes), so that interpolated it is a continuous normal
            field over the whole surface.
        vertices: the local vertex of each facet corner (n, corners), cyclic.
    """

    facets: np.ndarray
    cells: np.ndarray
    lf: np.ndarray
    coords: np.ndarray
    normals: np.ndarray
    vertices: np.ndarray


def surface(mesh: Mesh, ref: ReferenceCell, facets: np.ndarray) -> Surface:
    """The :class:`Surface` of outer facets (collective: the corner normals)."""
    tdim = mesh.topology.dim
    gdim = mesh.geometry.dim
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    c2f = mesh.topology.connectivity(tdim, tdim - 1)
    facets = np.asarray(facets, dtype=np.int32)
    cells = f2c.array[f2c.offsets[facets]].astype(np.int32)
    nfc = int(c2f.offsets[1] - c2f.offsets[0]) if len(c2f.offsets) > 1 else 1
    table = c2f.array.reshape(-1, nfc)
    lf = np.argmax(table[cells] == facets[:, None], axis=1).astype(np.int32)
    coords = mesh.geometry.x[mesh.geometry.dofmaps[0][cells]][:, :, :gdim]
    # corner normals: each facet's normal at its corners, summed at the vertices (all ranks)
    c2v = mesh.topology.connectivity(tdim, 0)
    nvc = int(c2v.offsets[1] - c2v.offsets[0])
    corners = ref.facet_vertices[lf][:, ref.cyclic]  # reference vertices = cell vertex slots
    verts = np.take_along_axis(c2v.array.reshape(-1, nvc)[cells], corners, axis=1)
    nv = ref.facet_nv
    xi = np.tile(ref.facet_corners, (len(cells), 1))
    fr = ref.frame(np.repeat(coords, nv, 0), np.repeat(lf, nv), xi)
    vec = la.vector(mesh.topology.index_map(0), bs=gdim)
    arr = vec.array.reshape(-1, gdim)
    np.add.at(arr, verts.ravel(), fr.n)
    vec.scatter_reverse(la.InsertMode.add)
    vec.scatter_forward()
    normals = vec.array.reshape(-1, gdim)[verts]
    normals /= np.maximum(np.linalg.norm(normals, axis=2, keepdims=True), 1e-300)
    return Surface(facets, cells, lf, coords, normals, verts)


class CellData(NamedTuple):
    """What the integrating process needs of a target cell (one row per target facet)."""

    coords: np.ndarray  # (s, nodes, gdim) m
    lf: np.ndarray  # (s,)
    dofs: np.ndarray  # (s, dofs per cell) global dof numbers
    owners: np.ndarray  # (s, dofs per cell) their owners
    k: np.ndarray  # (s,) conductivity W/(m K) (nan: not a constant scalar)
    ell: np.ndarray  # (s,) |K|/|F|, m
    region: np.ndarray  # (s,) region tag


class SearchResult(NamedTuple):
    """The points of one direction on the integrating surface's process.

    Attributes:
        src: row into this process's integrating :class:`Surface` (n,).
        X_self: reference coordinates in the integrating cell (n, tdim).
        weight: quadrature weight × surface Jacobian (n,), m² in 3D (no axisymmetric r).
        slot: row into ``target`` (n,).
        X_other: reference coordinates in the target cell (n, tdim).
        area_ratio: dA_target / dA_self of the projection at the point (n,): the target
            side's flux density times it is the heat per integrating area.
        target: the target facets' :class:`CellData`.
        stats: [points found, facing weight, non-facing weight, weight beyond the search
            distance, deepest penetration / facet diameter, its depth (m), x, y, z].
    """

    src: np.ndarray
    X_self: np.ndarray
    weight: np.ndarray
    slot: np.ndarray
    X_other: np.ndarray
    area_ratio: np.ndarray
    target: CellData
    stats: np.ndarray


def _centres(ref: ReferenceCell, coords: np.ndarray, lf: np.ndarray) -> tuple[np.ndarray, ...]:
    """Facet centres and radii (m), 25 % more than the corners' for curved facets."""
    corners = ref.corners(coords, lf)
    c = corners.mean(axis=1)
    r = np.linalg.norm(corners - c[:, None], axis=2).max(axis=1, initial=0.0) * 1.25
    return c, r


def _segment_points(
    ref: ReferenceCell, A: tuple[np.ndarray, ...], B: tuple[np.ndarray, ...],
    i: np.ndarray, j: np.ndarray, projection: str, degree: tuple[int, int],
) -> dict[str, np.ndarray]:  # fmt: skip
    """Quadrature points of the segments of candidate facet pairs (i of A, j of B).

    A and B are (coords, lf, corner normals).  The corners of B's facet are projected
    onto A's along A's continuous normal field ("normal") or along B's corner normals
    ("closest"); the points of the segment are mapped the same way (along A's field to
    B; to the point of B whose field passes through them).
    """
    Ac, Alf, An = A
    Bc, Blf, Bn, Bv = B
    nv = ref.facet_nv
    gdim = ref.gdim
    k = ref.tdim - 1
    # each (A facet, B vertex) once: neighbouring B facets share their corners
    key = np.repeat(i, nv) * (int(Bv.max(initial=0)) + 1) + Bv[j].ravel()
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    corners = ref.corners(Bc[j], Blf[j]).reshape(-1, gdim)[first]
    ia = np.repeat(i, nv)[first]
    if projection == "normal":
        xi, _, _ = project_along_field(ref, Ac[ia], Alf[ia], corners, An[ia])
    else:
        xi, _, _ = project_along(ref, Ac[ia], Alf[ia], corners, Bn[j].reshape(-1, gdim)[first])
    xi = xi[inverse].reshape(len(i), nv, k)
    # images entirely beyond the facet have no segment
    near = np.all(xi.max(axis=1) > 0.0, axis=1) & np.all(xi.min(axis=1) < 1.0, axis=1)
    i, j, xi = i[near], j[near], xi[near]
    if k == 1:
        lo = np.clip(xi.min(axis=1), 0.0, 1.0)
        hi = np.clip(xi.max(axis=1), 0.0, 1.0)
        rows, pts, w = segment_rule(ref, np.stack([lo, hi], axis=1), np.full(len(i), 2), degree[0])
    else:
        poly, count = clip_to_reference(ref, xi, np.full(len(i), nv))
        rows, pts, w = segment_rule(ref, poly, count, degree[0], degree[1])
    ca, lfa, an = Ac[i[rows]], Alf[i[rows]], An[i[rows]]
    fa = ref.frame(ca, lfa, pts)
    cb, lb, bn = Bc[j[rows]], Blf[j[rows]], Bn[j[rows]]
    JA = fa.J @ ref.Jref[lfa]  # (n, gdim, k): dx/dξ
    if projection == "normal":  # y(η) = x(ξ) + t m_A(ξ)
        m, dm = ref.corner_field(an, pts)
        eta, t, ok = project_along(ref, cb, lb, fa.x, m)
    else:  # y(η) + t m_B(η) = x(ξ)
        eta, t, ok = project_along_field(ref, cb, lb, fa.x, bn)
    eta = clamp_to_reference(ref, eta)
    fb = ref.frame(cb, lb, eta)
    JB = fb.J @ ref.Jref[lb]
    # dy/dξ by implicit differentiation of the projection: the image's area per point
    if projection == "normal":
        M = np.concatenate([JB, -m[:, :, None]], axis=2)
        R = JA + t[:, None, None] * dm
    else:
        mb, dmb = ref.corner_field(bn, eta)
        M = np.concatenate([JB + t[:, None, None] * dmb, mb[:, :, None]], axis=2)
        R = JA
    S = np.stack([solve_small(M, R[:, :, c])[0] for c in range(k)], axis=2) if k else R
    dy = JB @ S[:, :k] if k else R
    return {
        "rows": rows, "i": i, "j": j,
        "X_A": fa.X, "weight": w * fa.dA, "X_B": fb.X, "x": fa.x, "y": fb.x,
        "facing": ok & (np.einsum("ng,ng->n", fa.n, fb.n) < FACING),
        "gap": np.einsum("ng,ng->n", fb.x - fa.x, fa.n),
        "area_ratio": surface_measure(dy) / fa.dA if k else np.ones(len(rows)),
    }  # fmt: skip


def _candidates(
    ref: ReferenceCell, a: dict[str, np.ndarray], T: Surface, distance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (received facet, local target facet) within the search distance.

    Their boxes, padded by the distance, overlap (a k-d tree of facet centres first).
    """
    if not len(T.facets) or not len(a["lf"]):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    cb, rb = _centres(ref, T.coords, T.lf)
    ca, ra = _centres(ref, a["coords"], a["lf"])
    lists = cKDTree(cb).query_ball_point(ca, ra + rb.max() + distance)
    i = np.repeat(np.arange(len(ca)), [len(x) for x in lists])
    j = np.concatenate([np.asarray(x, dtype=np.int64) for x in lists]) if len(i) else i
    box_a = ref.facet_boxes(a["coords"], a["lf"], distance)
    box_b = ref.facet_boxes(T.coords, T.lf, 0.0)
    keep = np.all((box_a[i, 0] <= box_b[j, 1]) & (box_b[j, 0] <= box_a[i, 1]), axis=1)
    return i[keep].astype(np.int64), j[keep].astype(np.int64)


def _serve(
    ref: ReferenceCell,
    a: dict[str, np.ndarray],
    T: Surface,
    cell_data: Any,
    distance: float,
    projection: str,
    degree: tuple[int, int],
    axisymmetric: bool = False,
) -> dict[str, Any]:
    """The answer to one process's facets: their points on this process's target facets."""
    i, j = _candidates(ref, a, T, distance)
    stats = np.array([0.0, 0.0, 0.0, 0.0, np.inf, 0.0, np.nan, np.nan, np.nan])
    empty = {"stats": stats, "src": np.zeros(0, np.int32)}
    if not len(i):
        return empty
    pts = _segment_points(
        ref, (a["coords"], a["lf"], a["normals"]), (T.coords, T.lf, T.normals, T.vertices),
        i, j, projection, degree,
    )  # fmt: skip
    rows, i, j = pts["rows"], pts["i"], pts["j"]
    within = np.linalg.norm(pts["y"] - pts["x"], axis=1) <= distance * (1 + 1e-12)
    facing = pts["facing"] & within
    w = pts["weight"]
    wr = w * pts["x"][:, 0] if axisymmetric else w  # the stats' areas carry r (no 2π)
    depth = -pts["gap"] / a["diameter"][i[rows]]
    pen = facing & (depth > 0)
    stats[:4] = [facing.sum(), wr[facing].sum(), wr[within & ~facing].sum(), wr[~within].sum()]
    if pen.any():
        q = np.flatnonzero(pen)[np.argmax(depth[pen])]
        stats[4:9] = [-depth[q], -pts["gap"][q], *np.pad(pts["x"][q], (0, 3 - ref.gdim))]
    keep = np.flatnonzero(facing)
    used, slot = np.unique(j[rows[keep]], return_inverse=True)
    return {
        "stats": stats,
        "src": a["id"][i[rows[keep]]],
        "X_self": pts["X_A"][keep],
        "weight": w[keep],
        "slot": slot.astype(np.int32),
        "X_other": pts["X_B"][keep],
        "area_ratio": pts["area_ratio"][keep],
        "target": cell_data(T.cells[used], T.coords[used], T.lf[used]),
    }


def _merge(answers: list[dict[str, Any]], ref: ReferenceCell, ndofs: int) -> SearchResult:
    """The answers of all processes to this process's facets, in one result."""
    tdim = ref.tdim
    stats = np.array([0.0, 0.0, 0.0, 0.0, np.inf, 0.0, np.nan, np.nan, np.nan])
    keys = ("src", "X_self", "weight", "slot", "X_other", "area_ratio")
    parts: dict[str, list[Any]] = {k: [] for k in keys}
    tables: list[CellData] = []
    offset = 0
    for ans in answers:
        s = ans["stats"]
        stats[:4] += s[:4]
        if s[4] < stats[4]:
            stats[4:] = s[4:]
        if not len(ans["src"]):
            continue
        for key in ("src", "X_self", "weight", "X_other", "area_ratio"):
            parts[key].append(ans[key])
        parts["slot"].append(ans["slot"] + offset)
        tables.append(ans["target"])
        offset += len(ans["target"].lf)

    def cat(key: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        return np.concatenate(parts[key]) if parts[key] else np.zeros(shape, dtype)

    if tables:
        target = CellData(*(np.concatenate(cols) for cols in zip(*tables, strict=True)))
    else:
        target = CellData(
            np.zeros((0, ref.coord.dim, ref.gdim)), np.zeros(0, np.int32),
            np.zeros((0, ndofs), np.int64), np.zeros((0, ndofs), np.int32), np.zeros(0),
            np.zeros(0), np.zeros(0, np.int64),
        )  # fmt: skip
    return SearchResult(
        cat("src", (0,), np.int32), cat("X_self", (0, tdim), float), cat("weight", (0,), float),
        cat("slot", (0,), np.int32), cat("X_other", (0, tdim), float),
        cat("area_ratio", (0,), float), target, stats,
    )  # fmt: skip


def search_direction(
    mesh: Mesh,
    ref: ReferenceCell,
    S: Surface,
    T: Surface,
    cell_data: Any,
    distance: float,
    projection: str,
    degree: tuple[int, int],
    ndofs: int,
    axisymmetric: bool = False,
) -> SearchResult:
    """The points of integrating surface S coupled to target surface T (collective).

    Args:
        mesh: the mesh.
        ref: its :class:`ReferenceCell`.
        S: this process's owned facets of the integrating surface.
        T: this process's owned facets of the target surface.
        cell_data: ``(cells, coords, lf) -> CellData`` of local target cells.
        distance: search distance, m.
        projection: "normal" or "closest".
        degree: quadrature degree on each segment: total, and per variable for the
            rectangles of structured quadrilateral facets.
        ndofs: dofs per cell.
        axisymmetric: the areas in ``stats`` carry r = x[0] (m).
    """
    comm: MPI.Comm = mesh.comm
    tdim = mesh.topology.dim
    tree_T = geometry.bb_tree(mesh, tdim - 1, padding=distance, entities=T.facets)
    glob = tree_T.create_global_tree(comm)
    tree_S = geometry.bb_tree(mesh, tdim - 1, entities=S.facets)
    hits = np.asarray(geometry.compute_collisions_trees(tree_S, glob)).reshape(-1, 2)
    row_of = {int(f): r for r, f in enumerate(S.facets)}
    corners = ref.corners(S.coords, S.lf)
    diameter = np.max(
        np.linalg.norm(corners[:, :, None] - corners[:, None, :], axis=3), axis=(1, 2), initial=0.0
    )
    send: list[Any] = [None] * comm.size
    for r in np.unique(hits[:, 1]):
        ids = np.array([row_of[int(f)] for f in hits[hits[:, 1] == r, 0]], dtype=np.int32)
        send[int(r)] = {
            "id": ids, "coords": S.coords[ids], "lf": S.lf[ids], "diameter": diameter[ids],
            "normals": S.normals[ids],
        }  # fmt: skip
    received = comm.alltoall(send)
    answers: list[Any] = [None] * comm.size
    for r, a in enumerate(received):
        if a is not None:
            answers[r] = _serve(ref, a, T, cell_data, distance, projection, degree, axisymmetric)
    back = comm.alltoall(answers)
    return _merge([b for b in back if b is not None], ref, ndofs)


def search_distance(
    ref: ReferenceCell, sides: tuple[Surface, Surface], given: float | None, comm: MPI.Comm
) -> float:
    """The search distance (m): ``given``, or half the largest facet diameter (collective)."""
    if given is not None:
        return float(given)
    local = 0.0
    for s in sides:
        if len(s.facets):
            c = ref.corners(s.coords, s.lf)
            dist = np.linalg.norm(c[:, :, None] - c[:, None, :], axis=3)
            local = max(local, float(dist.max()))
    return 0.5 * float(comm.allreduce(local, op=MPI.MAX))
