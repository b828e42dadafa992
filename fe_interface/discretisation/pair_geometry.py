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
    "cofactor",
    "determinant",
    "project_along",
    "project_along_field",
    "project_closest",
    "segment_rule",
    "solve_small",
    "surface_measure",
]

_BASIX = {
    "interval": basix.CellType.interval,
    "triangle": basix.CellType.triangle,
    "quadrilateral": basix.CellType.quadrilateral,
    "tetrahedron": basix.CellType.tetrahedron,
    "hexahedron": basix.CellType.hexahedron,
}
#: DOLFINx vertex order of a reference facet -> cyclic order (quadrilaterals are tensor-ordered)
_CYCLIC = {3: [0, 1, 2], 4: [0, 1, 3, 2], 2: [0, 1], 1: [0]}


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
        #: straight-sided facets: the facet map is the corners' P1/Q1 interpolation
        self.linear_facets = cmap_degree == 1
        ref_x = basix.geometry(ct)
        self.vertex_coords = np.asarray(ref_x, dtype=float)
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

    def corner_shape(self, xi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """P1/Q1 shape functions of the facet corners (cyclic) at ξ, and their derivatives.

        Returns N (m, corners) and dN/dξ (m, tdim − 1, corners).
        """
        m = len(xi)
        if self.facet_nv == 2:
            a = xi[:, 0]
            N = np.stack([1 - a, a], axis=1)
            dN = np.tile(np.array([[[-1.0, 1.0]]]), (m, 1, 1))
        elif self.facet_nv == 3:
            a, b = xi[:, 0], xi[:, 1]
            N = np.stack([1 - a - b, a, b], axis=1)
            dN = np.tile(np.array([[[-1.0, 1.0, 0.0], [-1.0, 0.0, 1.0]]]), (m, 1, 1))
        elif self.facet_nv == 4:  # cyclic corners (0,0), (1,0), (1,1), (0,1)
            a, b = xi[:, 0], xi[:, 1]
            N = np.stack([(1 - a) * (1 - b), a * (1 - b), a * b, (1 - a) * b], axis=1)
            dN = np.stack(
                [np.stack([b - 1, 1 - b, b, -b], 1), np.stack([a - 1, -a, a, 1 - a], 1)], axis=1
            )
        else:  # 1D meshes: the facet is a point
            N, dN = np.ones((m, 1)), np.zeros((m, 0, 1))
        return N, dN

    def corner_field(self, values: np.ndarray, xi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A field given at the facets' corners (m, corners, gdim), cyclic, interpolated.

        Returns its values (m, gdim) and ξ-derivatives (m, gdim, tdim − 1) at ξ (m, tdim − 1).
        """
        N, dN = self.corner_shape(xi)
        val = (N[:, None, :] @ values)[:, 0, :]
        der = np.transpose(dN @ values, (0, 2, 1))
        return val, der

    def facet_map(
        self, coords: np.ndarray, lf: np.ndarray, xi: np.ndarray, corners: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Points x (m, gdim) and dx/dξ (m, gdim, tdim − 1) of facet points ξ.

        Straight-sided facets (coordinate degree 1) are the corners' interpolation (no
        tabulation; ``corners``: :meth:`corners` of the batch, if at hand).
        """
        if self.linear_facets:
            c = self.corners(coords, lf) if corners is None else corners
            return self.corner_field(c, xi)
        x, J = self.geometry(coords, self.facet_to_cell(lf, xi))
        return x, J @ self.Jref[lf]

    def facet_to_cell(self, lf: np.ndarray, xi: np.ndarray) -> np.ndarray:
        """Reference cell coordinates X (m, tdim) of facet points ξ (m, tdim − 1)."""
        return self.v0[lf] + (self.Jref[lf] @ xi[:, :, None])[:, :, 0]

    def p1(self, X: np.ndarray) -> np.ndarray:
        """The P1 (simplices) or Q1 (quadrilaterals, hexahedra) basis and its derivatives.

        At X (m, tdim), in Basix's vertex order, as ``tabulate(1, X)``: (1 + tdim, m,
        vertices).  Closed form (no tabulation): the coordinate element of straight
        cells and the degree-1 Lagrange space.
        """
        m, d = X.shape
        V = self.vertex_coords
        out = np.empty((1 + d, m, len(V)))
        if self.simplex:
            out[0, :, 0] = 1.0 - X.sum(axis=1)
            out[0, :, 1:] = X
            out[1:] = 0.0
            out[1:, :, 0] = -1.0
            for i in range(d):
                out[1 + i, :, 1 + i] = 1.0
            return out
        # per vertex and axis: X_i (vertex at 1) or 1 − X_i (vertex at 0)
        f = [
            np.where(V[None, :, i] > 0.5, X[:, i : i + 1], 1.0 - X[:, i : i + 1]) for i in range(d)
        ]
        sign = 2 * V - 1
        if d == 2:
            out[0] = f[0] * f[1]
            out[1], out[2] = sign[:, 0] * f[1], sign[:, 1] * f[0]
        else:
            out[0] = f[0] * f[1] * f[2]
            out[1] = sign[:, 0] * f[1] * f[2]
            out[2] = sign[:, 1] * f[0] * f[2]
            out[3] = sign[:, 2] * f[0] * f[1]
        return out

    def geometry(self, coords: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Physical points (m, gdim) and Jacobians (m, gdim, tdim) at X (m, tdim)."""
        if self.linear_facets:
            tab = self.p1(X)
        else:
            tab = self.coord.tabulate(1, X)[:, :, :, 0]  # (1 + tdim, m, nodes)
        x = (tab[0][:, None, :] @ coords)[:, 0, :]
        J = np.transpose(np.transpose(tab[1:], (1, 0, 2)) @ coords, (0, 2, 1))
        return x, J

    def frame(self, coords: np.ndarray, lf: np.ndarray, xi: np.ndarray) -> FacetFrame:
        """The :class:`FacetFrame` of facet points ξ (m, tdim − 1) on facets ``lf``."""
        X = self.facet_to_cell(lf, xi)
        x, J = self.geometry(coords, X)
        Jf = J @ self.Jref[lf]  # (m, gdim, tdim - 1)
        dA = surface_measure(Jf)
        # the outward normal K^T n_ref ∝ cof(J) n_ref sign(det J): no inverse
        n = (cofactor(J) @ self.ref_normals[lf][:, :, None])[:, :, 0]
        n *= np.sign(determinant(J))[:, None]
        n /= np.linalg.norm(n, axis=1, keepdims=True)
        return FacetFrame(X, x, J, dA, n)

    def facet_boxes(self, coords: np.ndarray, lf: np.ndarray, pad: float) -> np.ndarray:
        """Bounding boxes (m, 2, gdim) of the facets' geometry nodes, padded by ``pad`` (m).

        Curved facets bulge beyond their nodes: their boxes grow by a tenth of their size.
        """
        nodes = np.array(self.coord.entity_closure_dofs[self.tdim - 1], dtype=np.int32)[lf]
        pts = np.take_along_axis(coords, nodes[:, :, None], axis=1)
        lo, hi = pts.min(axis=1), pts.max(axis=1)
        grow = pad + (
            0.1 * np.abs(hi - lo).max(axis=1, keepdims=True) if not self.linear_facets else 0.0
        )
        return np.stack([lo - grow, hi + grow], axis=1)

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
        if not m:
            return np.zeros(0)
        vol = np.abs(determinant(J.reshape(-1, *J.shape[2:]))).reshape(m, -1) @ wq
        xf, wf = basix.make_quadrature(self.facet_type, deg)
        area = np.zeros(m)
        for q in range(len(wf)):
            fr = self.frame(coords, lf, np.tile(xf[q], (m, 1)))
            area += wf[q] * fr.dA
        return vol / area


def determinant(M: np.ndarray) -> np.ndarray:
    """Det of a batch (m, n, n) of 1×1, 2×2 or 3×3 matrices (explicit: fast for small n)."""
    n = M.shape[-1]
    if n == 1:
        return M[:, 0, 0].copy()
    if n == 2:
        return M[:, 0, 0] * M[:, 1, 1] - M[:, 0, 1] * M[:, 1, 0]
    return np.einsum("mi,mi->m", M[:, :, 0], np.cross(M[:, :, 1], M[:, :, 2]))


def cofactor(M: np.ndarray) -> np.ndarray:
    """Cofactor matrices of a batch of 1×1, 2×2 or 3×3 matrices: cof(M) = det(M) M^{-T}."""
    n = M.shape[-1]
    if n == 1:
        return np.ones_like(M)
    if n == 2:
        out = np.empty_like(M)
        out[:, 0, 0], out[:, 0, 1] = M[:, 1, 1], -M[:, 1, 0]
        out[:, 1, 0], out[:, 1, 1] = -M[:, 0, 1], M[:, 0, 0]
        return out
    c0, c1, c2 = M[:, :, 0], M[:, :, 1], M[:, :, 2]
    return np.stack([np.cross(c1, c2), np.cross(c2, c0), np.cross(c0, c1)], axis=2)


def surface_measure(Jf: np.ndarray) -> np.ndarray:
    """sqrt(det(J_fᵀ J_f)) of facet Jacobians (m, gdim, tdim − 1): length or area scale."""
    k = Jf.shape[2]
    if k == 0:
        return np.ones(len(Jf))
    if k == 1:
        return np.linalg.norm(Jf[:, :, 0], axis=1)
    if Jf.shape[1] == 3:
        return np.linalg.norm(np.cross(Jf[:, :, 0], Jf[:, :, 1]), axis=1)
    return np.sqrt(np.abs(determinant(np.transpose(Jf, (0, 2, 1)) @ Jf)))


def solve_small(M: np.ndarray, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve M Δ = F item by item (Cramer); (Δ, ok) with Δ = 0 where M is singular."""
    scale = np.abs(M).max(axis=(1, 2), initial=0.0) ** M.shape[1]
    det = determinant(M)
    ok = np.abs(det) > 1e-12 * np.maximum(scale, 1e-300)
    safe = np.where(ok, det, 1.0)
    out = (cofactor(M).transpose(0, 2, 1) @ F[:, :, None])[:, :, 0] / safe[:, None]
    out[~ok] = 0.0
    return out, ok


def _newton(
    step: Any, m: int, n: int, start: np.ndarray, iterations: int = 20,
    linear: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Newton's method on m independent small systems, iterating only the unconverged.

    ``step(u, rows) -> (Δ, ok)`` gives the update of the unknowns u (r, n) of the items
    ``rows``.  An item has converged when |Δ| ≤ 1e-12 (1 + |u|) (round-off of O(1)
    reference coordinates).  ``linear``: items whose system is linear (affine facets, a
    constant direction): one step solves them.  Returns (u (m, n), ok (m,)): ok False
    where a system was singular.
    """
    u = np.zeros((m, n))
    u[:, : start.shape[0]] = start
    ok = np.ones(m, dtype=bool)
    active = np.arange(m)
    for it in range(iterations):
        if not active.size:
            break
        d, good = step(u[active], active)
        ok[active] &= good
        u[active] += d
        small = np.abs(d).max(axis=1) <= 1e-12 * (1.0 + np.abs(u[active]).max(axis=1))
        if it == 0 and linear is not None:
            small |= linear[active]
        active = active[~small & good]
    return u, ok


def affine_facets(ref: ReferenceCell, corners: np.ndarray) -> np.ndarray:
    """Which straight facets (corners (m, corners, gdim)) have an affine map ξ -> x.

    Simplex facets always; quadrilateral facets that are parallelograms.
    """
    if ref.facet_nv != 4:
        return np.ones(len(corners), dtype=bool)
    c = corners  # cyclic: c0 + c2 = c1 + c3 for a parallelogram
    skew = np.abs(c[:, 0] + c[:, 2] - c[:, 1] - c[:, 3]).max(axis=1)
    size = np.abs(c[:, 1] - c[:, 0]).max(axis=1) + np.abs(c[:, 3] - c[:, 0]).max(axis=1)
    return skew <= 1e-13 * size


def project_closest(
    ref: ReferenceCell, coords: np.ndarray, lf: np.ndarray, y: np.ndarray, iterations: int = 20
) -> tuple[np.ndarray, np.ndarray]:
    """The closest point on each facet's surface (extended beyond the facet) to y (m, gdim).

    Gauss–Newton on J_fᵀ (x(ξ) − y) = 0: exact after one step on flat affine facets.
    Returns (ξ (m, tdim − 1), converged (m,)).
    """
    k = ref.tdim - 1
    if k == 0:
        return np.zeros((len(y), 0)), np.ones(len(y), dtype=bool)

    corners = ref.corners(coords, lf) if ref.linear_facets else None

    def step(xi: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c = None if corners is None else corners[rows]
        x, Jf = ref.facet_map(coords[rows], lf[rows], xi, c)
        A = np.einsum("mgi,mgj->mij", Jf, Jf)
        b = np.einsum("mgi,mg->mi", Jf, x - y[rows])
        return solve_small(A, -b)

    return _newton(step, len(y), k, ref.facet_corners.mean(axis=0), iterations)


def project_along(
    ref: ReferenceCell,
    coords: np.ndarray,
    lf: np.ndarray,
    p: np.ndarray,
    direction: np.ndarray,
    iterations: int = 20,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the lines p + t d (m, gdim) meet each facet's surface (extended).

    :func:`project_along_field` with the same direction at every corner: x(ξ) − t d = p.
    Returns (ξ (m, tdim − 1), t (m,), converged (m,)); a line parallel to its facet
    does not converge.
    """
    field = np.repeat(direction[:, None, :], ref.facet_nv, axis=1)
    xi, t, ok = project_along_field(ref, coords, lf, p, field, iterations)
    return xi, -t, ok


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
    k = ref.tdim - 1

    corners = ref.corners(coords, lf) if ref.linear_facets else None
    linear = None
    if corners is not None:  # affine facets with one normal at every corner: one step
        same = np.abs(corner_normals - corner_normals[:, :1]).max(axis=(1, 2)) <= 1e-14
        linear = same & affine_facets(ref, corners)

    def step(u: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        xi, t = u[:, :k], u[:, k]
        c = None if corners is None else corners[rows]
        x, Jf = ref.facet_map(coords[rows], lf[rows], xi, c)
        nrm, dn = ref.corner_field(corner_normals[rows], xi)
        M = np.concatenate([Jf + t[:, None, None] * dn, nrm[:, :, None]], axis=2)
        return solve_small(M, -(x + t[:, None] * nrm - p[rows]))

    u, ok = _newton(step, len(p), k + 1, ref.facet_corners.mean(axis=0), iterations, linear)
    return u[:, :k], u[:, k], ok


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


def _rectangles(poly: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Which polygons are rectangles with sides along the reference axes."""
    if poly.shape[1] < 4:
        return np.zeros(len(poly), dtype=bool)
    q = poly[:, :4]
    e = np.roll(q, -1, axis=1) - q
    tol = 1e-12 * np.maximum(np.abs(q).max(axis=(1, 2)), 1.0)
    straight = (np.abs(e[:, :, 0]) <= tol[:, None]) | (np.abs(e[:, :, 1]) <= tol[:, None])
    return (count == 4) & np.all(straight, axis=1)


def _tensor_rule(poly: np.ndarray, rows: np.ndarray, degree: int) -> tuple[np.ndarray, ...]:
    """Gauss–Legendre points on axis-aligned rectangles (exact to ``degree`` per variable)."""
    g, gw = basix.make_quadrature(basix.CellType.interval, degree)
    lo, hi = poly[rows, :4].min(axis=1), poly[rows, :4].max(axis=1)
    a = (
        lo[:, None, None, :]
        + (hi - lo)[:, None, None, :]
        * np.stack(np.meshgrid(g[:, 0], g[:, 0], indexing="ij"), axis=-1)[None]
    )
    w = np.prod(hi - lo, axis=1)[:, None] * np.outer(gw, gw).ravel()[None, :]
    n = len(gw) ** 2
    return np.repeat(rows, n), a.reshape(-1, 2), w.ravel()


def segment_rule(
    ref: ReferenceCell, poly: np.ndarray, count: np.ndarray, degree: int,
    tensor_degree: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """A quadrature rule on polygons (or intervals) of the reference facet.

    Axis-aligned rectangles (structured quadrilateral facets) get a tensor Gauss rule,
    other polygons a triangle rule on each triangle of a fan.

    Args:
        ref: the reference cell.
        poly: 2D reference facets: convex polygons (m, M, 2) with ``count`` vertices;
            1D: intervals as (m, 2, 1) end points.
        count: vertices of each polygon (ignored for intervals).
        degree: total polynomial degree integrated exactly.
        tensor_degree: the degree in each variable that the rectangles' rule integrates
            exactly (default ``degree``).

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
    rows: list[np.ndarray] = []
    xis: list[np.ndarray] = []
    ws: list[np.ndarray] = []
    rect = _rectangles(poly, count)
    if rect.any():
        for lst, v in zip(
            (rows, xis, ws),
            _tensor_rule(poly, np.flatnonzero(rect), tensor_degree or degree),
            strict=True,
        ):
            lst.append(v)
    p0 = poly[:, 0]
    for j in range(1, poly.shape[1] - 1):
        valid = (j + 1 < count) & ~rect
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
