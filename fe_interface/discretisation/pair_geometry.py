"""Geometry of non-matching interface pairs, in NumPy and vectorised over many items.

Every function works on batches: ``coords`` (m, geometry nodes, gdim) are the geometry
nodes of m cells (affine or curved, any Lagrange coordinate element), ``lf`` (m,) a
local facet of each, and points are given per item.  A facet is parametrised by the
coordinates ξ of its reference facet (interval [0, 1], reference triangle or unit
square), mapped to the cell's reference coordinates X = v₀ + J_ref ξ and to space by
the cell's coordinate map.

* :class:`ReferenceCell` — the reference cell and coordinate element of a mesh, facet
  frames (points, surface Jacobians, unit outward normals);
* :func:`project_closest` / :func:`project_along` — Gauss–Newton projections of points
  onto facets (closest point; along a direction);
* :func:`clip_to_reference` and :func:`segment_rule` — the part of a facet covered by the
  image of another facet (Sutherland–Hodgman clipping in the reference facet, exact for
  straight-sided images) and a quadrature rule on it, so that products of the two sides'
  shape functions are integrated exactly on flat facets (the mortar *segments*).

Lengths in m; reference coordinates dimensionless.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import basix
import numpy as np

__all__ = [
    "FacetFrame",
    "ReferenceCell",
    "clamp_to_reference",
    "clip_to_reference",
    "project_along",
    "project_along_field",
    "project_closest",
    "segment_rule",
]

_BASIX = {
    "interval": basix.CellType.interval,
    "triangle": basix.CellType.triangle,
    "quadrilateral": basix.CellType.quadrilateral,
    "tetrahedron": basix.CellType.tetrahedron,
    "hexahedron": basix.CellType.hexahedron,
}
#: DOLFINx vertex order of a reference facet -> cyclic order (quadrilaterals are tensor-ordered)
_CYCLIC = {3: [0, 1, 2], 4: [0, 1, 3, 2], 2: [0, 1]}


class FacetFrame(NamedTuple):
    """Facet points and their geometry.

    Attributes:
        X: reference cell coordinates (m, tdim).
        x: physical points (m, gdim), m.
        J: cell Jacobian (m, gdim, tdim).
        dA: surface Jacobian of the facet map ξ -> x (m,) (m² per reference area in 3D).
        n: unit outward normal of the cell (m, gdim).
    """

    X: np.ndarray
    x: np.ndarray
    J: np.ndarray
    dA: np.ndarray
    n: np.ndarray


class ReferenceCell:
    """The reference cell and coordinate element of a mesh.

    Args:
        cell_name: DOLFINx cell type name ("triangle", "hexahedron", ...).
        cmap_degree: degree of the coordinate element.
        cmap_variant: its Lagrange variant (``mesh.geometry.cmap.variant``).
        gdim: geometric dimension (= tdim).
    """

    def __init__(self, cell_name: str, cmap_degree: int, cmap_variant: Any, gdim: int) -> None:
        ct = _BASIX[cell_name]
        self.cell_type = ct
        self.tdim = basix.topology(ct).__len__() - 1
        self.gdim = gdim
        self.simplex = cell_name in ("interval", "triangle", "tetrahedron")
        self.coord = basix.create_element(
            basix.ElementFamily.P, ct, cmap_degree, basix.LagrangeVariant(cmap_variant)
        )
        self.affine = cmap_degree == 1 and self.simplex
        ref_x = basix.geometry(ct)
        fv = basix.topology(ct)[self.tdim - 1]
        self.facet_vertices = np.array(fv, dtype=np.int32)
        self.v0 = np.array([ref_x[v[0]] for v in fv])  # (nfacets, tdim)
        k = self.tdim - 1
        self.Jref = np.array([(ref_x[v[1 : k + 1]] - ref_x[v[0]]).T for v in fv])  # (nf, tdim, k)
        self.ref_normals = np.asarray(basix.cell.facet_outward_normals(ct))
        self.facet_type = basix.cell.sub_entity_type(ct, self.tdim - 1, 0)
        self.facet_nv = len(fv[0])
        #: positions of a facet's vertices in cyclic order (for polygons)
        self.cyclic = np.array(_CYCLIC[self.facet_nv], dtype=np.int32)
        #: the reference facet's corners in ξ, cyclic
        self.facet_corners = np.asarray(basix.geometry(self.facet_type))[self.cyclic]
        #: P1 (Q1) shape functions of the facet's corners (a normal field from corner normals)
        self.facet_p1 = basix.create_element(basix.ElementFamily.P, self.facet_type, 1)

    def corner_field(self, values: np.ndarray, xi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A field given at the facets' corners (m, corners, gdim), cyclic, interpolated.

        Returns its values (m, gdim) and ξ-derivatives (m, gdim, tdim − 1) at ξ (m, tdim − 1).
        """
        if self.tdim == 1:
            return values[:, 0], np.zeros((len(values), self.gdim, 0))
        tab = self.facet_p1.tabulate(1, xi)[:, :, :, 0]  # (1 + k, m, corners) basix order
        order = np.argsort(self.cyclic)  # basix vertex i is cyclic corner order[i]
        v = values[:, order]
        val = np.einsum("mc,mcg->mg", tab[0], v)
        der = np.einsum("kmc,mcg->mgk", tab[1:], v)
        return val, der

    def facet_to_cell(self, lf: np.ndarray, xi: np.ndarray) -> np.ndarray:
        """Reference cell coordinates X (m, tdim) of facet points ξ (m, tdim − 1)."""
        return self.v0[lf] + np.einsum("mtk,mk->mt", self.Jref[lf], xi)

    def geometry(self, coords: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Physical points (m, gdim) and Jacobians (m, gdim, tdim) at X (m, tdim)."""
        tab = self.coord.tabulate(1, X)[:, :, :, 0]  # (1 + tdim, m, nodes)
        x = np.einsum("mk,mkg->mg", tab[0], coords)
        J = np.einsum("dmk,mkg->mgd", tab[1:], coords)
        return x, J

    def frame(self, coords: np.ndarray, lf: np.ndarray, xi: np.ndarray) -> FacetFrame:
        """The :class:`FacetFrame` of facet points ξ (m, tdim − 1) on facets ``lf``."""
        X = self.facet_to_cell(lf, xi)
        x, J = self.geometry(coords, X)
        Jf = J @ self.Jref[lf]  # (m, gdim, tdim - 1)
        if self.tdim > 1:
            dA = np.sqrt(np.abs(np.linalg.det(np.einsum("mgi,mgj->mij", Jf, Jf))))
        else:
            dA = np.ones(len(X))
        K = np.linalg.inv(J)
        n = np.einsum("mdg,md->mg", K, self.ref_normals[lf])
        n /= np.linalg.norm(n, axis=1, keepdims=True)
        return FacetFrame(X, x, J, dA, n)

    def corners(self, coords: np.ndarray, lf: np.ndarray) -> np.ndarray:
        """The facets' corner points in cyclic order (m, corners, gdim)."""
        idx = self.facet_vertices[lf][:, self.cyclic]  # vertices = first geometry nodes
        return np.take_along_axis(coords, idx[:, :, None], axis=1)

    def cell_size(self, coords: np.ndarray, lf: np.ndarray) -> np.ndarray:
        """|K| / |F| of each cell and facet (m): the length in Nitsche's penalty k/ℓ."""
        deg = 2 * max(self.coord.degree, 1)
        Xq, wq = basix.make_quadrature(self.cell_type, deg)
        m = len(coords)
        tab = self.coord.tabulate(1, Xq)[:, :, :, 0]  # (1 + tdim, nq, nodes)
        J = np.einsum("dqk,mkg->mqgd", tab[1:], coords)
        vol = np.abs(np.linalg.det(J)) @ wq if m else np.zeros(0)
        xf, wf = basix.make_quadrature(self.facet_type, deg)
        area = np.zeros(m)
        for q in range(len(wf)):
            fr = self.frame(coords, lf, np.tile(xf[q], (m, 1)))
            area += wf[q] * fr.dA
        return vol / area


def _solve(M: np.ndarray, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve M Δ = F item by item; (Δ, ok) with Δ = 0 where M is singular."""
    scale = np.abs(M).max(axis=(1, 2)) ** M.shape[1]
    ok = np.abs(np.linalg.det(M)) > 1e-12 * np.maximum(scale, 1e-300)
    out = np.zeros(F.shape)
    if ok.any():
        out[ok] = np.linalg.solve(M[ok], F[ok][..., None])[..., 0]
    return out, ok


def project_closest(
    ref: ReferenceCell, coords: np.ndarray, lf: np.ndarray, y: np.ndarray, iterations: int = 20
) -> tuple[np.ndarray, np.ndarray]:
    """The closest point on each facet's surface (extended beyond the facet) to y (m, gdim).

    Gauss–Newton on J_fᵀ (x(ξ) − y) = 0: exact after one step on flat affine facets.
    Returns (ξ (m, tdim − 1), converged (m,)).
    """
    k = ref.tdim - 1
    m = len(y)
    xi = np.tile(ref.facet_corners.mean(axis=0), (m, 1))
    ok = np.ones(m, dtype=bool)
    if k == 0:
        return np.zeros((m, 0)), ok
    for _ in range(iterations):
        X = ref.facet_to_cell(lf, xi)
        x, J = ref.geometry(coords, X)
        Jf = J @ ref.Jref[lf]
        A = np.einsum("mgi,mgj->mij", Jf, Jf)
        b = np.einsum("mgi,mg->mi", Jf, x - y)
        d, good = _solve(A, -b)
        ok &= good
        xi = xi + d
        if np.abs(d).max(initial=0.0) < 1e-14:
            break
    return xi, ok


def project_along(
    ref: ReferenceCell,
    coords: np.ndarray,
    lf: np.ndarray,
    p: np.ndarray,
    direction: np.ndarray,
    iterations: int = 20,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the lines p + t d (m, gdim) meet each facet's surface (extended).

    Newton on x(ξ) − t d − p = 0.  Returns (ξ (m, tdim − 1), t (m,), converged (m,));
    a line parallel to its facet does not converge.
    """
    m = len(p)
    k = ref.tdim - 1
    xi = np.tile(ref.facet_corners.mean(axis=0), (m, 1))
    t = np.zeros(m)
    ok = np.ones(m, dtype=bool)
    for _ in range(iterations):
        X = ref.facet_to_cell(lf, xi)
        x, J = ref.geometry(coords, X)
        Jf = J @ ref.Jref[lf]
        M = np.concatenate([Jf, -direction[:, :, None]], axis=2)  # (m, gdim, k + 1)
        F = x - t[:, None] * direction - p
        d, good = _solve(M, -F)
        ok &= good
        xi = xi + d[:, :k]
        t = t + d[:, k]
        if np.abs(d).max(initial=0.0) < 1e-14:
            break
    return xi, t, ok


def project_along_field(
    ref: ReferenceCell,
    coords: np.ndarray,
    lf: np.ndarray,
    p: np.ndarray,
    corner_normals: np.ndarray,
    iterations: int = 20,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The facet point x(ξ) whose interpolated corner normal m(ξ) passes through p.

    Solves x(ξ) + t m(ξ) = p (Newton; m the corner normals (m, corners, gdim)
    interpolated linearly, a continuous normal field over the whole surface).  Returns
    (ξ, t, converged).
    """
    m = len(p)
    k = ref.tdim - 1
    xi = np.tile(ref.facet_corners.mean(axis=0), (m, 1))
    t = np.zeros(m)
    ok = np.ones(m, dtype=bool)
    for _ in range(iterations):
        X = ref.facet_to_cell(lf, xi)
        x, J = ref.geometry(coords, X)
        Jf = J @ ref.Jref[lf]
        nrm, dn = ref.corner_field(corner_normals, xi)
        M = np.concatenate([Jf + t[:, None, None] * dn, nrm[:, :, None]], axis=2)
        F = x + t[:, None] * nrm - p
        d, good = _solve(M, -F)
        ok &= good
        xi = xi + d[:, :k]
        t = t + d[:, k]
        if np.abs(d).max(initial=0.0) < 1e-14:
            break
    return xi, t, ok


def clamp_to_reference(ref: ReferenceCell, xi: np.ndarray) -> np.ndarray:
    """ξ moved into the reference facet.

    The nearest point for the interval and the square; for the triangle: clipped to
    ξ ≥ 0, then scaled onto ξ₁ + ξ₂ ≤ 1.
    """
    out = np.clip(xi, 0.0, 1.0)
    if ref.facet_nv == 3:
        s = out.sum(axis=1)
        over = s > 1.0
        out[over] /= s[over, None]
    return out


def _half_planes(ref: ReferenceCell) -> list[tuple[np.ndarray, float]]:
    """The reference facet as half-planes a·ξ ≤ b (2D reference facets only)."""
    if ref.facet_nv == 3:
        return [(np.array([-1.0, 0.0]), 0.0), (np.array([0.0, -1.0]), 0.0), (np.ones(2), 1.0)]
    return [
        (np.array([-1.0, 0.0]), 0.0),
        (np.array([1.0, 0.0]), 1.0),
        (np.array([0.0, -1.0]), 0.0),
        (np.array([0.0, 1.0]), 1.0),
    ]


def clip_to_reference(
    ref: ReferenceCell, poly: np.ndarray, count: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Convex polygons clipped to the reference facet (2D reference facets).

    Sutherland–Hodgman, vectorised over polygons.

    Args:
        ref: the reference cell.
        poly: vertices (m, M, 2), the first ``count`` of each row valid.
        count: number of vertices of each polygon (m,).

    Returns:
        (clipped vertices (m, M + planes, 2), their count (m,)).
    """
    planes = _half_planes(ref)
    m, M, _ = poly.shape
    cap = M + len(planes)
    cur = np.zeros((m, cap, 2))
    cur[:, :M] = poly
    n = count.astype(np.int64).copy()
    rows = np.arange(m)
    for a, b in planes:
        out = np.zeros((m, cap, 2))
        k = np.zeros(m, dtype=np.int64)
        dist = cur @ a - b  # (m, cap)
        for i in range(cap):
            valid = i < n
            j = np.where(i + 1 < n, i + 1, 0)
            p, q = cur[:, i], cur[rows, j]
            dp, dq = dist[:, i], dist[rows, j]
            inside = dp <= 0.0
            emit = valid & inside
            out[rows[emit], k[emit]] = p[emit]
            k += emit
            cross = valid & ((dp <= 0.0) != (dq <= 0.0))
            s = np.where(cross, dp / np.where(cross, dp - dq, 1.0), 0.0)
            point = p + s[:, None] * (q - p)
            out[rows[cross], k[cross]] = point[cross]
            k += cross
        cur, n = out, np.minimum(k, cap)
    return cur, n


def segment_rule(
    ref: ReferenceCell, poly: np.ndarray, count: np.ndarray, degree: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A quadrature rule on polygons (or intervals) of the reference facet.

    Args:
        ref: the reference cell.
        poly: 2D reference facets: convex polygons (m, M, 2) with ``count`` vertices;
            1D: intervals as (m, 2, 1) end points.
        count: vertices of each polygon (ignored for intervals).
        degree: polynomial degree integrated exactly.

    Returns:
        (row of each point (n,), points ξ (n, tdim − 1), weights (n,) in reference measure).
    """
    k = ref.tdim - 1
    if k == 1:
        pts, wts = basix.make_quadrature(basix.CellType.interval, degree)
        a, b = poly[:, 0, 0], poly[:, 1, 0]
        length = b - a
        keep = np.flatnonzero(length > 1e-13)
        nq = len(wts)
        row = np.repeat(keep, nq)
        xi = (a[keep, None] + length[keep, None] * pts[None, :, 0]).reshape(-1, 1)
        w = (length[keep, None] * wts[None, :]).ravel()
        return row, xi, w
    if k == 0:  # 1D meshes: the facet is a point
        keep = np.arange(len(poly))
        return keep, np.zeros((len(keep), 0)), np.ones(len(keep))
    pts, wts = basix.make_quadrature(basix.CellType.triangle, degree)
    rows, xis, ws = [], [], []
    p0 = poly[:, 0]
    for j in range(1, poly.shape[1] - 1):
        valid = j + 1 < count
        e1, e2 = poly[:, j] - p0, poly[:, j + 1] - p0
        det = np.abs(e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])
        keep = np.flatnonzero(valid & (det > 1e-13))
        if not keep.size:
            continue
        xi = (
            p0[keep, None, :]
            + pts[None, :, 0, None] * e1[keep, None, :]
            + pts[None, :, 1, None] * e2[keep, None, :]
        )
        rows.append(np.repeat(keep, len(wts)))
        xis.append(xi.reshape(-1, 2))
        ws.append((det[keep, None] * wts[None, :]).ravel())
    if not rows:
        return np.zeros(0, np.int64), np.zeros((0, 2)), np.zeros(0)
    return np.concatenate(rows), np.concatenate(xis), np.concatenate(ws)
