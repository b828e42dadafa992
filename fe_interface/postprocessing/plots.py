"""Plots of a solved problem (matplotlib, Agg backend; files written by rank 0).

* :func:`line_profile` + :func:`plot_line_profile` — temperature along a straight line
  that crosses interfaces.  Every sample is evaluated with the colour function of the
  region that contains it, and every interface crossing is located by bisection and
  sampled on both sides, so the jumps appear as vertical steps (not smeared over a
  cell).  The data also go to a CSV next to the PNG.
* :func:`interface_flux` + :func:`plot_interface_flux` — the local interface heat flux
  q″ = h (T⁺ − T⁻) at the facet midpoints: a map over the interface and its
  area-weighted distribution.
* :func:`plot_h_vs_pressure` — contact conductance against pressure on log–log axes,
  with an optional correlation and a power-law fit (plain arrays in, no problem needed).

Units: m, K, W/m², W/(m² K), Pa.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from mpi4py import MPI

import numpy as np

from fe_interface.files import atomic_file, write_text

if TYPE_CHECKING:
    from fe_interface.problem import SteadyProblem

__all__ = [
    "LineProfile",
    "InterfaceFlux",
    "line_profile",
    "plot_line_profile",
    "interface_flux",
    "plot_interface_flux",
    "plot_h_vs_pressure",
    "power_law_fit",
]


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

    def __init__(self, p: SteadyProblem) -> None:
        import dolfinx.geometry

        self.p = p
        mesh = p.tagged.mesh
        tdim = mesh.topology.dim
        self.nowned = mesh.topology.index_map(tdim).size_local
        self.tree = dolfinx.geometry.bb_tree(
            mesh, tdim, padding=0.0, entities=np.arange(self.nowned, dtype=np.int32)
        )
        self.comm = mesh.comm

    def _cells(self, x: np.ndarray) -> np.ndarray:
        import dolfinx.geometry

        mesh = self.p.tagged.mesh
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
        local = np.where(cells >= 0, self.p.cell_region[np.maximum(cells, 0)], 0)
        # a point on a face between two cells of one region: same region either way
        return _allreduce(self.comm, local.astype(np.int64), MPI.MAX)

    def evaluate(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(region tag, T) at each point; a point on a cell boundary takes the cell
        found first on the lowest rank that has one."""
        p = self.p
        x = np.ascontiguousarray(x, dtype=np.float64)
        cells = self._cells(x)
        region = np.where(cells >= 0, p.cell_region[np.maximum(cells, 0)], 0)
        T = np.full(x.shape[0], np.nan)
        for c, cs in enumerate(p.spaces):
            sel = np.flatnonzero((cells >= 0) & (p.cell_colour[np.maximum(cells, 0)] == c))
            if sel.size == 0:
                continue
            sub = cs.entity_map.sub_topology_to_topology(cells[sel], True).astype(np.int32)
            val = p.T[c].eval(x[sel], sub)
            T[sel] = np.asarray(val).reshape(sel.size, -1)[:, 0]
        found = cells >= 0
        rank = np.where(found, self.comm.rank, self.comm.size)
        owner = _allreduce(self.comm, rank.astype(np.int64), MPI.MIN)
        mine = found & (owner == self.comm.rank)
        T_all = _allreduce(self.comm, np.where(mine, T, 0.0), MPI.SUM)
        r_all = _allreduce(self.comm, np.where(mine, region, 0).astype(np.int64), MPI.SUM)
        T_all[owner == self.comm.size] = np.nan
        return r_all, T_all


def _default_line(p: SteadyProblem) -> tuple[np.ndarray, np.ndarray]:
    """Through the centre of the bounding box along its longest side."""
    x = p.tagged.mesh.geometry.x
    comm = p.tagged.mesh.comm
    lo = _allreduce(comm, x.min(axis=0) if x.size else np.full(3, np.inf), MPI.MIN)
    hi = _allreduce(comm, x.max(axis=0) if x.size else np.full(3, -np.inf), MPI.MAX)
    axis = int(np.argmax(hi - lo))
    c = 0.5 * (lo + hi)
    # slightly off the centre: avoids running exactly along cell faces of structured meshes
    ext = hi - lo
    c = c + 1e-3 * np.where(np.arange(3) == axis, 0.0, ext) * np.array([0.37, 0.53, 0.71])
    a, b = c.copy(), c.copy()
    eps = 1e-9 * ext[axis]
    a[axis], b[axis] = lo[axis] + eps, hi[axis] - eps
    return a, b


def line_profile(
    p: SteadyProblem,
    start: Sequence[float] | None = None,
    end: Sequence[float] | None = None,
    n: int = 200,
    rtol: float = 1e-9,
) -> LineProfile:
    """Sample T along the segment ``start``–``end`` (collective).

    Args:
        p: a solved problem.
        start, end: end points (m; 2 or 3 coordinates).  Default: through the centre of
            the bounding box along its longest side.
        n: number of equally spaced samples (the crossings add two samples each).
        rtol: crossings are located to ``rtol`` × line length.
    """
    if (start is None) != (end is None):
        raise ValueError("give both start and end, or neither")
    if start is None:
        a, b = _default_line(p)
    else:
        a = np.zeros(3)
        b = np.zeros(3)
        a[: len(start)] = start
        b[: len(end)] = end
    length = float(np.linalg.norm(b - a))
    if length == 0:
        raise ValueError("start and end of the line coincide")
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    direction = (b - a) / length
    loc = _Locator(p)
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
    names = {int(t): str(nm) for t, nm in p.region_names.items()}
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
def interface_flux(p: SteadyProblem, name: str) -> InterfaceFlux:
    """h, T⁺ − T⁻ and q″ at the midpoints of the facets of interface ``name``
    (collective; gathered on every rank)."""
    import dolfinx

    from fe_interface.interfaces import Conductance, FacetConductance
    from fe_interface.problem import _constant_conductance

    d = next((d for d in p.interface_data if d.spec.label == name), None)
    if d is None:
        raise ValueError(
            f"no interface {name!r}; interfaces: {[x.spec.label for x in p.interface_data]}"
        )
    if d.perfect:
        raise ValueError(f"interface {name!r} is a perfect contact: no interface conductance")
    mesh = p.tagged.mesh
    tdim = mesh.topology.dim
    e = d.entities
    c2f = mesh.topology.connectivity(tdim, tdim - 1)
    nfc = c2f.offsets[1] - c2f.offsets[0]
    facets = c2f.array.reshape(-1, nfc)[e[:, 0], e[:, 1]].astype(np.int32)
    if facets.size:
        mids = dolfinx.mesh.compute_midpoints(mesh, tdim - 1, facets)
        nodes = dolfinx.mesh.entities_to_geometry(mesh, tdim - 1, facets, False)
        X = mesh.geometry.x[nodes]
        if tdim == 2:
            area = np.linalg.norm(X[:, 1] - X[:, 0], axis=1)
        elif X.shape[1] == 3 or mesh.topology.cell_type.name == "tetrahedron":
            area = 0.5 * np.linalg.norm(np.cross(X[:, 1] - X[:, 0], X[:, 2] - X[:, 0]), axis=1)
        else:  # quadrilateral facets, tensor-product vertex order
            area = 0.5 * np.linalg.norm(np.cross(X[:, 1] - X[:, 0], X[:, 2] - X[:, 0]), axis=1)
            area += 0.5 * np.linalg.norm(np.cross(X[:, 1] - X[:, 3], X[:, 2] - X[:, 3]), axis=1)
        if p.axisymmetric:
            area = area * 2 * math.pi * mids[:, 0]
        T = []
        for col, cells in ((d.plus_colour, e[:, 0]), (d.minus_colour, e[:, 2])):
            cs = p.spaces[col]
            sub = cs.entity_map.sub_topology_to_topology(cells.astype(np.int32), True)
            val = p.T[col].eval(mids, sub.astype(np.int32))
            T.append(np.asarray(val).reshape(mids.shape[0], -1)[:, 0])
        Tp, Tm = T
        law = d.spec.law
        if isinstance(law, FacetConductance):
            h = law.at(mids.T)
        elif isinstance(law, Conductance) and law.position_dependent:
            try:
                h = np.broadcast_to(np.asarray(law.at(mids.T), float), Tp.shape).copy()
            except Exception:  # a UFL-only function of x
                h = np.full(Tp.shape, np.nan)
        else:
            const = _constant_conductance(d.spec)
            if const is not None:
                h = np.full(Tp.shape, const)
            else:
                h = np.broadcast_to(np.asarray(law.conductance(Tp, Tm), float), Tp.shape).copy()
    else:
        mids = np.empty((0, 3))
        area = np.empty(0)
        Tp = Tm = h = np.empty(0)
    jump = Tp - Tm
    q = h * jump
    comm = mesh.comm

    def allcat(a: np.ndarray) -> np.ndarray:
        parts = comm.allgather(a)
        return np.concatenate(parts) if parts else a

    mids, area, jump, h, q = (allcat(x) for x in (mids, area, jump, h, q))
    order = np.lexsort(mids.T[::-1]) if mids.size else np.arange(0)
    mids, area, jump, h, q = (x[order] for x in (mids, area, jump, h, q))
    return InterfaceFlux(
        name,
        p.region_names[d.plus_region],
        p.region_names[d.minus_region],
        mids,
        area,
        jump,
        h,
        q,
        float(np.nansum(q * area)),
    )


# --------------------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------------------
def _figure(size: tuple[float, float] = (7.0, 4.5)):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Any, path: Path) -> None:
    with atomic_file(path, suffix=path.suffix) as tmp:
        fig.savefig(tmp, dpi=120)


def _length_unit(length: float) -> tuple[float, str]:
    for scale, unit in ((1.0, "m"), (1e-3, "mm"), (1e-6, "µm"), (1e-9, "nm")):
        if length >= 2 * scale:
            return scale, unit
    return 1e-9, "nm"


def _region_colours(names: Sequence[str]) -> dict[str, Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return {nm: cmap(i % 10) for i, nm in enumerate(sorted(names))}


def plot_line_profile(
    prof: LineProfile,
    path: str | Path,
    title: str | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> Path:
    """PNG of T along the line (one curve per region segment, jumps annotated) and a
    CSV with the same data next to it (``.csv``, crossing summary in ``#`` lines)."""
    path = Path(path)
    if comm.rank == 0:
        scale, unit = _length_unit(float(prof.distance[-1]))
        fig = _figure()
        ax = fig.add_subplot()
        names = [prof.region_names.get(int(r), str(r)) for r in prof.region]
        colours = _region_colours({nm for nm, r in zip(names, prof.region, strict=True) if r})
        # contiguous runs of one region
        starts = [0] + [i for i in range(1, len(names)) if names[i] != names[i - 1]]
        ends = starts[1:] + [len(names)]
        labelled: set[str] = set()
        for i0, i1 in zip(starts, ends, strict=True):
            if prof.region[i0] == 0:
                continue
            nm = names[i0]
            ax.plot(
                prof.distance[i0:i1] / scale,
                prof.temperature[i0:i1],
                color=colours[nm],
                lw=2,
                label=None if nm in labelled else nm,
            )
            labelled.add(nm)
        for c in prof.crossings:
            x = c["distance"] / scale
            ax.axvline(x, color="0.6", ls=":", lw=1)
            ax.plot([x, x], [c["T_before_K"], c["T_after_K"]], color="k", lw=1, ls="--")
            ax.annotate(
                f"ΔT = {c['jump_K']:+.3g} K",
                (x, 0.5 * (c["T_before_K"] + c["T_after_K"])),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
            )
        ax.set_xlabel(f"distance along the line ({unit})")
        ax.set_ylabel("temperature (K)")
        a, b = prof.start, prof.end
        ax.set_title(
            title
            or f"T from ({', '.join(f'{v:.3g}' for v in a)}) to ({', '.join(f'{v:.3g}' for v in b)}) m",
            fontsize=10,
        )
        ax.grid(alpha=0.3)
        ax.legend(title="region", fontsize=9)
        _save(fig, path)
        lines = [f"# temperature along the line {a.tolist()} -> {b.tolist()} (m)"]
        for c in prof.crossings:
            lines.append(
                f"# crossing at distance {c['distance']:.9g} m: {c['region_before']} "
                f"{c['T_before_K']:.9g} K | {c['region_after']} {c['T_after_K']:.9g} K | "
                f"jump {c['jump_K']:.9g} K"
            )
        lines.append("distance_m,x_m,y_m,z_m,region,temperature_K")
        for s, x, r, t in zip(
            prof.distance, prof.points, prof.region, prof.temperature, strict=True
        ):
            lines.append(f"{s:.12g},{x[0]:.12g},{x[1]:.12g},{x[2]:.12g},{int(r)},{t:.12g}")
        write_text(path.with_suffix(".csv"), "\n".join(lines) + "\n")
    comm.barrier()
    return path


def plot_interface_flux(
    dist: InterfaceFlux,
    path: str | Path,
    title: str | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> Path:
    """PNG: q″ over the interface (left) and its area-weighted histogram (right);
    CSV of the midpoint data next to it."""
    path = Path(path)
    if comm.rank == 0:
        fig = _figure((10.0, 4.2))
        ax1, ax2 = fig.subplots(1, 2)
        pts = dist.points
        spread = pts.max(axis=0) - pts.min(axis=0) if pts.size else np.zeros(3)
        axes = np.sort(np.argsort(spread)[::-1][:2])  # the two widest, in x, y, z order
        if spread[axes[0]] < spread[axes[1]]:
            axes = axes[::-1]  # the widest first (1D interfaces: a curve over it)
        lab = "xyz"
        q = dist.flux
        if pts.shape[0] and spread[axes[1]] > 1e-6 * max(spread[axes[0]], 1e-300):
            sc = ax1.scatter(pts[:, axes[0]], pts[:, axes[1]], c=q, s=14, cmap="viridis")
            fig.colorbar(sc, ax=ax1, label="q″ (W/m²)")
            ax1.set_xlabel(f"{lab[axes[0]]} (m)")
            ax1.set_ylabel(f"{lab[axes[1]]} (m)")
            ax1.set_aspect("equal", adjustable="datalim")
        else:
            order = np.argsort(pts[:, axes[0]]) if pts.size else []
            ax1.plot(pts[order, axes[0]], q[order], "o-", ms=3)
            ax1.set_xlabel(f"{lab[axes[0]]} (m)")
            ax1.set_ylabel("q″ (W/m²)")
        ax1.set_title(f"interface {dist.name}: q″ = h (T⁺ − T⁻), ⁺ = {dist.plus}", fontsize=10)
        finite = np.isfinite(q)
        if finite.any():
            ax2.hist(q[finite], bins=30, weights=dist.area[finite], color="C0", alpha=0.8)
            mean = float(np.sum(q[finite] * dist.area[finite]) / np.sum(dist.area[finite]))
            ax2.axvline(mean, color="k", ls="--", label=f"mean {mean:.4g} W/m²")
            ax2.legend(fontsize=9)
        ax2.set_xlabel("q″ (W/m²)")
        ax2.set_ylabel("area (m²; 2D models: m per m of depth)")
        ax2.set_title(title or f"distribution; heat flow {dist.heat_flow_W:.4g} W", fontsize=10)
        _save(fig, path)
        lines = [
            f"# interface {dist.name}: plus {dist.plus}, minus {dist.minus}, "
            f"heat flow {dist.heat_flow_W:.9g} W",
            "x_m,y_m,z_m,area_m2,jump_K,h_W_m2K,flux_W_m2",
        ]
        for x, a_, j, h, qq in zip(
            pts, dist.area, dist.jump, dist.conductance, dist.flux, strict=True
        ):
            lines.append(
                f"{x[0]:.12g},{x[1]:.12g},{x[2]:.12g},{a_:.12g},{j:.12g},{h:.12g},{qq:.12g}"
            )
        write_text(path.with_suffix(".csv"), "\n".join(lines) + "\n")
    comm.barrier()
    return path


def power_law_fit(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Least-squares fit ``y = a x^b`` in log–log space; returns ``(a, b)``."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    ok = (x > 0) & (y > 0) & np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2:
        raise ValueError("need at least two positive (x, y) pairs for a power-law fit")
    b, loga = np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)
    return float(np.exp(loga)), float(b)


def plot_h_vs_pressure(
    pressure: Sequence[float],
    h: Sequence[float],
    path: str | Path,
    correlation: Callable[[np.ndarray], Any]
    | tuple[Sequence[float], Sequence[float]]
    | None = None,
    correlation_label: str = "correlation",
    data_label: str = "data",
    fit: bool = True,
    title: str | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> dict[str, Any]:
    """Contact conductance h (W/(m² K)) against pressure P (Pa), log–log.

    Args:
        pressure, h: data points (e.g. measurements, or computed h_eff per pressure).
        correlation: a function ``P -> h`` (drawn over the data range, e.g.
            ``lambda P: [CMYPlasticConductance(pair, p, H_c).h for p in P]``) or a pair of
            arrays ``(P, h)``.
        fit: also fit and draw ``h = a P^b``.

    Returns:
        ``{"path", "fit": (a, b) or None, "correlation": (P, h) arrays or None}``.
    """
    path = Path(path)
    P = np.asarray(pressure, float)
    H = np.asarray(h, float)
    if P.shape != H.shape or P.ndim != 1 or P.size == 0:
        raise ValueError("pressure and h must be 1D arrays of the same, non-zero length")
    if np.any(P <= 0) or np.any(H <= 0):
        raise ValueError("log-log axes need pressure > 0 and h > 0")
    corr = None
    if correlation is not None:
        if callable(correlation):
            Pc = np.geomspace(P.min(), P.max(), 100) if P.min() < P.max() else P.copy()
            corr = (Pc, np.asarray(correlation(Pc), float) * np.ones_like(Pc))
        else:
            corr = (np.asarray(correlation[0], float), np.asarray(correlation[1], float))
    ab = power_law_fit(P, H) if fit and P.size >= 2 else None
    if comm.rank == 0:
        fig = _figure((6.0, 4.5))
        ax = fig.add_subplot()
        ax.loglog(P, H, "o", label=data_label)
        if corr is not None:
            ax.loglog(corr[0], corr[1], "-", label=correlation_label)
        if ab is not None:
            Pf = np.geomspace(P.min(), P.max(), 50)
            ax.loglog(
                Pf,
                ab[0] * Pf ** ab[1],
                "--",
                color="0.4",
                label=f"fit h = {ab[0]:.3g} P^{ab[1]:.3f}",
            )
        ax.set_xlabel("contact pressure P (Pa)")
        ax.set_ylabel("h (W/(m² K))")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=9)
        ax.set_title(title or "contact conductance vs pressure", fontsize=10)
        _save(fig, path)
        lines = ["pressure_Pa,h_W_m2K"] + [f"{p:.12g},{x:.12g}" for p, x in zip(P, H, strict=True)]
        write_text(path.with_suffix(".csv"), "\n".join(lines) + "\n")
    comm.barrier()
    return {"path": path, "fit": ab, "correlation": corr}
