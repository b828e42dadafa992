"""Sampling a solved field: temperature along a line, interface flux at facet midpoints.

* :func:`line_profile` — temperature along a straight line that crosses interfaces:
  every sample is evaluated in the cell that contains it, and every interface crossing
  is located by bisection and sampled on both sides, so the jumps appear as vertical
  steps (not smeared over a cell).
* :func:`interface_flux` — the local interface heat flux q″ = h (T⁺ − T⁻) at the facet
  midpoints.

Functions take a solved problem (anything with a ``formulation``) or a
:class:`~fe_interface.discretisation.formulation.Formulation`.  Units: m, K, W/m²,
W/(m² K).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np

from fe_interface.discretisation.formulation import Formulation
from fe_interface.errors import InputError, collective
from fe_interface.model.interfaces import constant_conductance

__all__ = [
    "InterfaceFlux",
    "LineProfile",
    "PointLocation",
    "as_formulation",
    "check_line",
    "evaluate_at",
    "interface_flux",
    "line_profile",
    "locate_in_mesh",
    "locate_points",
    "points_inside",
]


def as_formulation(p: Any) -> Formulation:
    """The formulation of a problem (initialised) or the formulation itself."""
    if isinstance(p, Formulation):
        return p
    f = getattr(p, "formulation", None)
    if f is None and hasattr(p, "initialise"):
        p.initialise()
        f = p.formulation
    if not isinstance(f, Formulation):
        raise TypeError(f"expected a problem or a Formulation, got {type(p).__name__}")
    return f


class LineProfile(NamedTuple):
    """Temperature along a line (identical on every rank).

    Attributes:
        start, end: end points of the line (m, 3 coordinates).
        distance: distance of each sample from ``start`` (m), increasing.
        points: sample coordinates (n, 3), m.
        temperature: K (NaN outside the mesh).
        region: region tag of the cell holding the sample (0 outside the mesh).
        region_names: tag -> region name.
        crossings: one dict per interface crossing: ``distance``, ``point``,
            ``region_before``/``region_after`` (names), ``T_before_K``/``T_after_K``
            and ``jump_K`` = T_after − T_before (along the line direction).
    """

    start: np.ndarray
    end: np.ndarray
    distance: np.ndarray
    points: np.ndarray
    temperature: np.ndarray
    region: np.ndarray
    region_names: dict[int, str]
    crossings: list[dict[str, Any]]


class InterfaceFlux(NamedTuple):
    """Local interface quantities at facet midpoints (identical on every rank).

    Attributes:
        name: interface label.
        plus, minus: region names (⁺ → ⁻ is positive).
        points: facet midpoints (n, 3), m.
        area: facet areas, m² (axisymmetric: the full ring 2π r ℓ).
        jump: T⁺ − T⁻, K.
        conductance: h, W/(m² K).
        flux: q″ = h (T⁺ − T⁻), W/m².
        heat_flow_W: Σ q″ · area (midpoint rule).
    """

    name: str
    plus: str
    minus: str
    points: np.ndarray
    area: np.ndarray
    jump: np.ndarray
    conductance: np.ndarray
    flux: np.ndarray
    heat_flow_W: float


# --------------------------------------------------------------------------------------
# evaluation of the colour functions at points
# --------------------------------------------------------------------------------------
def _allreduce(comm: MPI.Comm, a: np.ndarray, op: MPI.Op) -> np.ndarray:
    """Element-wise reduction of a NumPy array over ``comm``."""
    a = np.ascontiguousarray(a)
    out = np.empty_like(a)
    comm.Allreduce(a, out, op=op)
    return out


class _Locator:
    """Region and temperature at arbitrary points (collective; same result on all ranks)."""

    def __init__(self, p: Any, T: Any = None) -> None:
        import dolfinx.geometry

        self.f = as_formulation(p)
        self.T = self.f.T if T is None else T
        mesh = self.f.mesh
        tdim = mesh.topology.dim
        self.nowned = mesh.topology.index_map(tdim).size_local
        self.tree = dolfinx.geometry.bb_tree(
            mesh, tdim, padding=0.0, entities=np.arange(self.nowned, dtype=np.int32)
        )
        self.comm = mesh.comm

    def _cells(self, x: np.ndarray) -> np.ndarray:
        import dolfinx.geometry

        mesh = self.f.mesh
        cand = dolfinx.geometry.compute_collisions_points(self.tree, x)
        coll = dolfinx.geometry.compute_colliding_cells(mesh, cand, x)
        cells = np.full(x.shape[0], -1, dtype=np.int32)
        for i in range(x.shape[0]):
            c = coll.links(i)
            c = c[c < self.nowned]
            if c.size:
                cells[i] = c[0]
        return cells

    def region(self, x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.float64)
        cells = self._cells(x)
        local = np.where(cells >= 0, self.f.model.cell_region[np.maximum(cells, 0)], 0)
        # a point on a face between two cells of one region: same region either way
        return _allreduce(self.comm, local.astype(np.int64), MPI.MAX)

    def evaluate(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(region tag, T in K) at each point.

        A point on a cell boundary takes the cell found first on the lowest rank that has one.
        """
        x = np.ascontiguousarray(x, dtype=np.float64)
        cells = self._cells(x)
        region = np.where(cells >= 0, self.f.model.cell_region[np.maximum(cells, 0)], 0)
        T = np.full(x.shape[0], np.nan)
        sel = np.flatnonzero(cells >= 0)
        if sel.size:
            val = self.T.eval(x[sel], cells[sel])
            T[sel] = np.asarray(val).reshape(sel.size, -1)[:, 0]
        found = cells >= 0
        rank = np.where(found, self.comm.rank, self.comm.size)
        owner = _allreduce(self.comm, rank.astype(np.int64), MPI.MIN)
        mine = found & (owner == self.comm.rank)
        T_all = _allreduce(self.comm, np.where(mine, T, 0.0), MPI.SUM)
        r_all = _allreduce(self.comm, np.where(mine, region, 0).astype(np.int64), MPI.SUM)
        T_all[owner == self.comm.size] = np.nan
        return r_all, T_all


class PointLocation(NamedTuple):
    """Where points lie (the same on every rank except ``cells``).

    Attributes:
        points: the points (n, 3), m.
        owner: rank that evaluates each point (the lowest rank with a cell holding it
            in the wanted region), −1 where no cell holds it.
        cells: this rank's local cell of each point it owns, −1 elsewhere.
        region: region tag of that cell (0 outside the mesh).
    """

    points: np.ndarray
    owner: np.ndarray
    cells: np.ndarray
    region: np.ndarray


def locate_points(
    p: Any, points: Any, regions: Sequence[int | None] | None = None
) -> PointLocation:
    """Locate points (m) in the owned cells of the mesh, each optionally in a given region.

    A point on an interface belongs to both sides: the region (tag) says which side's
    temperature is wanted.  Collective.

    Args:
        p: a problem or a formulation.
        points: (n, 2 or 3) coordinates, m.
        regions: per point, the region tag it must lie in, or None (any region: the
            first cell found on the lowest rank).
    """
    f = as_formulation(p)
    return locate_in_mesh(f.mesh, f.model.cell_region, points, regions)


def locate_in_mesh(
    mesh: Any, cell_region: np.ndarray, points: Any, regions: Sequence[int | None] | None = None
) -> PointLocation:
    """:func:`locate_points` on a mesh with its region tag per local cell (collective).

    For use before any formulation exists.
    """
    import dolfinx.geometry

    x = np.zeros((len(points), 3))
    for i, pt in enumerate(points):
        x[i, : len(pt)] = pt
    want = list(regions) if regions is not None else [None] * len(x)
    tdim = mesh.topology.dim
    nowned = mesh.topology.index_map(tdim).size_local
    tree = dolfinx.geometry.bb_tree(
        mesh, tdim, padding=0.0, entities=np.arange(nowned, dtype=np.int32)
    )
    cand = dolfinx.geometry.compute_collisions_points(tree, x)
    coll = dolfinx.geometry.compute_colliding_cells(mesh, cand, x)
    cells = np.full(len(x), -1, dtype=np.int32)
    for i in range(len(x)):
        c = coll.links(i)
        c = c[c < nowned]
        if want[i] is not None:
            c = c[cell_region[c] == want[i]]
        if c.size:
            cells[i] = c[0]
    comm = mesh.comm
    rank = np.where(cells >= 0, comm.rank, comm.size).astype(np.int64)
    owner = _allreduce(comm, rank, MPI.MIN)
    mine = owner == comm.rank
    cells = np.where(mine, cells, -1).astype(np.int32)
    region = np.where(mine, cell_region[np.maximum(cells, 0)], 0).astype(np.int64)
    region = _allreduce(comm, region, MPI.SUM)
    owner = np.where(owner == comm.size, -1, owner)
    return PointLocation(x, owner, cells, region)


def evaluate_at(p: Any, where: PointLocation, T: Any = None) -> np.ndarray:
    """The temperature (K) at located points (NaN where no cell holds them).

    Collective; the same on every rank.
    """
    f = as_formulation(p)
    T = f.T if T is None else T
    out = np.zeros(len(where.points))
    sel = np.flatnonzero(where.cells >= 0)
    if sel.size:
        val = T.eval(where.points[sel], where.cells[sel])
        out[sel] = np.asarray(val).reshape(sel.size, -1)[:, 0]
    out = _allreduce(f.comm, out, MPI.SUM)
    out[where.owner < 0] = np.nan
    return out


def points_inside(mesh: Any, points: np.ndarray) -> np.ndarray:
    """For each point (n, 3), whether some cell of the mesh holds it.

    Collective; the same answer on every rank.
    """
    import dolfinx.geometry

    tdim = mesh.topology.dim
    nowned = mesh.topology.index_map(tdim).size_local
    tree = dolfinx.geometry.bb_tree(
        mesh, tdim, padding=0.0, entities=np.arange(nowned, dtype=np.int32)
    )
    x = np.ascontiguousarray(points, dtype=np.float64).reshape(-1, 3)
    cand = dolfinx.geometry.compute_collisions_points(tree, x)
    coll = dolfinx.geometry.compute_colliding_cells(mesh, cand, x)
    local = np.array(
        [int(np.any(coll.links(i) < nowned)) for i in range(x.shape[0])], dtype=np.int64
    )
    return _allreduce(mesh.comm, local, MPI.MAX).astype(bool)


def _nudged_ends(
    mesh: Any, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The end points, nudged inwards if just outside, and which ends are inside.

    Each end point is moved 1e-9 of the length inwards along the line if it lies just
    outside (on the boundary within round-off).
    """
    d = (b - a) * 1e-9
    inside = points_inside(mesh, np.array([a, b]))
    nudged = points_inside(mesh, np.array([a + d, b - d]))
    a2 = a if inside[0] else (a + d if nudged[0] else a)
    b2 = b if inside[1] else (b - d if nudged[1] else b)
    return a2, b2, inside | nudged


def check_line(mesh: Any, start: Any, end: Any, what: str = "line") -> None:
    """Raise :class:`~fe_interface.errors.InputError` if an end point lies outside the mesh.

    The end points of the segment ``start``–``end`` (collective).
    """
    a = np.zeros(3)
    b = np.zeros(3)
    a[: len(start)] = start
    b[: len(end)] = end
    _, _, ok = _nudged_ends(mesh, a, b)
    if not ok.all():
        x = mesh.geometry.x
        lo = _allreduce(mesh.comm, x.min(axis=0) if x.size else np.full(3, np.inf), MPI.MIN)
        hi = _allreduce(mesh.comm, x.max(axis=0) if x.size else np.full(3, -np.inf), MPI.MAX)
        gdim = mesh.geometry.dim
        bad = [nm for nm, k in (("start", 0), ("end", 1)) if not ok[k]]
        pts = ", ".join(
            f"{nm} {[float(v) for v in (a, b)[k][:gdim]]}"
            for nm, k in (("start", 0), ("end", 1))
            if not ok[k]
        )
        raise InputError(
            f"{what}: the {' and '.join(bad)} point{'s' if len(bad) > 1 else ''} ({pts}) "
            f"{'lie' if len(bad) > 1 else 'lies'} outside the mesh (bounding box "
            f"{lo[:gdim].tolist()} to {hi[:gdim].tolist()} m)"
        )


def _default_line(p: Any) -> tuple[np.ndarray, np.ndarray]:
    """A line through the centre of the bounding box that crosses the interfaces.

    Of the axis-parallel lines through the centre, the one that crosses the most region
    boundaries (sampled at 101 points); ties: the longest.  Collective.
    """
    f = as_formulation(p)
    x = f.mesh.geometry.x
    comm = f.comm
    lo = _allreduce(comm, x.min(axis=0) if x.size else np.full(3, np.inf), MPI.MIN)
    hi = _allreduce(comm, x.max(axis=0) if x.size else np.full(3, -np.inf), MPI.MAX)
    ext = hi - lo
    best: tuple[int, float] | None = None
    line = None
    loc = _Locator(p, None)
    for axis in range(f.mesh.geometry.dim):
        if not ext[axis] > 0:
            continue
        c = 0.5 * (lo + hi)
        # slightly off the centre: avoids running exactly along cell faces of structured meshes
        c = c + 1e-3 * np.where(np.arange(3) == axis, 0.0, ext) * np.array([0.37, 0.53, 0.71])
        a, b = c.copy(), c.copy()
        eps = 1e-9 * ext[axis]
        a[axis], b[axis] = lo[axis] + eps, hi[axis] - eps
        s = np.linspace(0.0, 1.0, 101)
        region = loc.region(a + s[:, None] * (b - a))
        inside = region != 0
        changes = int(np.sum((region[1:] != region[:-1]) & inside[1:] & inside[:-1]))
        score = (changes, float(ext[axis]))
        if best is None or score > best:
            best, line = score, (a, b)
    assert line is not None  # a mesh has an extent
    return line


def line_profile(  # noqa: C901 -- argument checks, then sampling and crossing search
    p: Any,
    start: Sequence[float] | None = None,
    end: Sequence[float] | None = None,
    n: int = 200,
    rtol: float = 1e-9,
    T: Any = None,
) -> LineProfile:
    """Sample T along the segment ``start``–``end`` (collective).

    Args:
        p: a solved problem (or its formulation).
        start: first end point (m; 2 or 3 coordinates).  Default (with ``end``): the
            axis-parallel line through the centre of the bounding box that crosses the
            most region boundaries (ties: the longest).
        end: second end point (m; 2 or 3 coordinates), given with ``start``.
        n: number of equally spaced samples (the crossings add two samples each).
        rtol: crossings are located to ``rtol`` × line length.
        T: the field to sample (default: the problem's temperature).
    """
    if (start is None) != (end is None):
        raise InputError("line: give both start and end, or neither")
    if start is None or end is None:  # both (checked above)
        a, b = _default_line(p)
    else:
        a = np.zeros(3)
        b = np.zeros(3)
        a[: len(start)] = start
        b[: len(end)] = end
    length = float(np.linalg.norm(b - a))
    if not np.all(np.isfinite(np.r_[a, b])):
        raise InputError(f"line: start and end must be finite, got {a.tolist()}, {b.tolist()}")
    if length == 0:
        raise InputError("line: start and end of the line coincide")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise InputError(f"line: n must be an integer >= 2, got {n!r}")
    n = int(n)
    f = as_formulation(p)
    if start is not None:
        check_line(f.mesh, a, b)
        a, b, _ = _nudged_ends(f.mesh, a, b)
        length = float(np.linalg.norm(b - a))
    direction = (b - a) / length
    loc = _Locator(p, T)
    s = np.linspace(0.0, length, n)
    region = loc.region(a + s[:, None] * direction)

    # bisection between consecutive samples of different regions (all crossings at once)
    crossings: list[tuple[float, float]] = []
    todo = [(s[i], s[i + 1]) for i in range(n - 1) if region[i] != region[i + 1]]
    while todo:
        lo = np.array([t[0] for t in todo])
        hi = np.array([t[1] for t in todo])
        r_lo = loc.region(a + lo[:, None] * direction)
        r_hi = loc.region(a + hi[:, None] * direction)
        while np.max(hi - lo) > rtol * length:
            mid = 0.5 * (lo + hi)
            r_mid = loc.region(a + mid[:, None] * direction)
            left = r_mid == r_lo
            lo = np.where(left, mid, lo)
            hi = np.where(left, hi, mid)
            r_hi = np.where(left, r_hi, r_mid)
        # a thin layer may hide a second crossing between hi and the original sample
        nxt = []
        for k, (_, hi0) in enumerate(todo):
            crossings.append((float(lo[k]), float(hi[k])))
            if hi0 - hi[k] > rtol * length:
                nxt.append((float(hi[k]), hi0))
        if nxt:
            ends = np.array(nxt).reshape(-1)
            rr = loc.region(a + ends[:, None] * direction).reshape(-1, 2)
            nxt = [t for t, (x0, x1) in zip(nxt, rr, strict=True) if x0 != x1]
        todo = nxt

    extra = np.array([x for c in crossings for x in c]) if crossings else np.empty(0)
    s_all = np.concatenate([s, extra])
    order = np.argsort(s_all, kind="stable")
    s_all = s_all[order]
    pts = a + s_all[:, None] * direction
    reg, T = loc.evaluate(pts)
    names = {int(t): str(nm) for t, nm in as_formulation(p).model.region_names.items()}
    out_cross = []
    for lo_s, hi_s in sorted(crossings):
        i = int(np.searchsorted(s_all, lo_s))
        j = int(np.searchsorted(s_all, hi_s))
        if reg[i] == 0 or reg[j] == 0:
            continue  # entering/leaving the mesh: not an interface
        out_cross.append(
            {
                "distance": float(0.5 * (lo_s + hi_s)),
                "point": (a + 0.5 * (lo_s + hi_s) * direction).tolist(),
                "region_before": names.get(int(reg[i]), str(reg[i])),
                "region_after": names.get(int(reg[j]), str(reg[j])),
                "T_before_K": float(T[i]),
                "T_after_K": float(T[j]),
                "jump_K": float(T[j] - T[i]),
            }
        )
    return LineProfile(a, b, s_all, pts, T, reg.astype(np.int64), names, out_cross)


# --------------------------------------------------------------------------------------
# interface flux at facet midpoints
# --------------------------------------------------------------------------------------
def interface_flux(p: Any, name: str, T: Any = None) -> InterfaceFlux:
    """Conductance h, jump T⁺ − T⁻ and flux q″ at the facet midpoints of interface ``name``.

    Units W/(m² K), K and W/m²; collective, gathered on every rank, sorted by position.
    """
    from fe_interface.discretisation.coupling import facet_sides
    from fe_interface.discretisation.facets import FacetQuadrature

    f = as_formulation(p)
    T = f.T if T is None else T
    d = next((d for d in f.model.interfaces if d.label == name), None)
    if d is None:
        raise InputError(
            f"no interface {name!r}; interfaces: {[x.label for x in f.model.interfaces]}"
        )
    if d.perfect:
        raise InputError(f"interface {name!r} is a perfect contact: no interface conductance")
    V = f.space
    e = d.entities
    gdim = f.mesh.geometry.dim
    # one point per facet: the midpoint (a degree-1 rule on simplices; 0 on tensor cells)
    q = FacetQuadrature(
        f.mesh, V.ufl_element(), V.dofmap.dof_layout, e[:, 0], e[:, 1], 1, f.axisymmetric
    )
    n = len(e)
    mids = np.zeros((n, 3))
    area = np.zeros(n)
    Tp = np.zeros(n)
    Tm = np.zeros(n)
    h = np.zeros(n)
    u = T.x.array
    for g in q.groups:
        plus, minus = facet_sides(f.broken, e, g)
        w = g.dA.sum(axis=1)
        mids[g.rows, :gdim] = np.einsum("fqg,fq->fg", g.x, g.dA) / w[:, None]
        area[g.rows] = w * (2 * np.pi * mids[g.rows, 0] if f.axisymmetric else 1.0)
        # values at the midpoint: the basis at the centroid of the reference points
        Xc = g.X.mean(axis=0, keepdims=True)
        phi = np.asarray(V.ufl_element().tabulate(0, Xc))[0][:, g.closure]
        Tp[g.rows] = (u[plus] @ phi.T)[:, 0]
        Tm[g.rows] = (u[minus] @ phi.T)[:, 0]
    law = d.spec.law
    with collective(f.comm):  # a law that fails on this rank's facets fails everywhere
        h = _midpoint_h(d, law, mids, Tp, Tm, n)
    jump = Tp - Tm
    flux = h * jump
    comm = f.comm

    def allcat(a: np.ndarray) -> np.ndarray:
        return np.concatenate(comm.allgather(a))

    mids, area, jump, h, flux = (allcat(x) for x in (mids, area, jump, h, flux))
    order = np.lexsort(mids.T[::-1]) if mids.size else np.arange(0)
    mids, area, jump, h, flux = (x[order] for x in (mids, area, jump, h, flux))
    return InterfaceFlux(
        name,
        f.model.region_names[d.plus],
        f.model.region_names[d.minus],
        mids,
        area,
        jump,
        h,
        flux,
        float(np.nansum(flux * area)),
    )


def _midpoint_h(
    d: Any, law: Any, mids: np.ndarray, Tp: np.ndarray, Tm: np.ndarray, n: int
) -> np.ndarray:
    """The conductance h (W/(m² K)) at this rank's facet midpoints (no collective call)."""
    h = np.zeros(n)
    if d.kind in ("constant", "facet", "position") and n:
        pts = np.ascontiguousarray(mids.T)
        if d.kind == "facet":
            h = law.at(pts)
        elif d.kind == "position":
            try:
                h = np.broadcast_to(np.asarray(law.h(pts), float), (n,)).copy()
            except Exception:  # a UFL-only function of x
                h = np.full(n, np.nan)
        else:
            h = np.full(n, constant_conductance(law))
    elif n:
        h = np.broadcast_to(np.asarray(law.conductance(Tp, Tm), float), (n,)).copy()
    return h
