"""Plots of a solved problem (matplotlib, Agg backend; files written by rank 0).

* :func:`plot_line_profile` — temperature along a line
  (:func:`~fe_interface.postprocessing.sampling.line_profile`), the jumps as vertical
  steps; the data also go to a CSV next to the PNG.
* :func:`plot_interface_flux` — the local interface heat flux q″ = h (T⁺ − T⁻) at the
  facet midpoints (:func:`~fe_interface.postprocessing.sampling.interface_flux`): a map
  over the interface and its area-weighted distribution.
* :func:`plot_h_vs_pressure` — contact conductance against pressure on log–log axes,
  with an optional correlation and a power-law fit (plain arrays in, no problem needed).

Units: m, K, W/m², W/(m² K), Pa.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from fe_interface.errors import on_rank0
from fe_interface.io.files import atomic_file, write_text
from fe_interface.postprocessing.sampling import InterfaceFlux, LineProfile

__all__ = [
    "new_figure",
    "plot_h_vs_pressure",
    "plot_history",
    "plot_interface_flux",
    "plot_line_profile",
    "power_law_fit",
    "save_figure",
]


# --------------------------------------------------------------------------------------
# figures
# --------------------------------------------------------------------------------------
def new_figure(size: tuple[float, float] = (7.0, 4.5)):
    """A Matplotlib figure of ``size`` (inches) on the Agg canvas (no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig: Any, path: Path) -> None:
    """Write ``fig`` to ``path`` (PNG at 120 dpi) atomically."""
    with atomic_file(path, suffix=path.suffix) as tmp:
        fig.savefig(tmp, dpi=120)


def histogram_range(q: np.ndarray) -> tuple[int, tuple[float, float]]:
    """Bins and range for a histogram of the finite values ``q``.

    30 bins over their range, or one bin around them when they are equal to round-off (a uniform
    flux: ``np.histogram`` refuses bins narrower than the floating-point resolution).
    """
    lo, hi = float(np.min(q)), float(np.max(q))
    scale = max(abs(lo), abs(hi))
    if hi - lo <= 1e-9 * scale or hi == lo:
        half = max(1e-6 * scale, 1e-300) if scale > 0 else 1.0
        return 1, (lo - half, hi + half)
    return 30, (lo, hi)


def _length_unit(length: float) -> tuple[float, str]:
    for scale, unit in ((1.0, "m"), (1e-3, "mm"), (1e-6, "µm"), (1e-9, "nm")):
        if length >= 2 * scale:
            return scale, unit
    return 1e-9, "nm"


def _region_colours(names: Iterable[str]) -> dict[str, Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return {nm: cmap(i % 10) for i, nm in enumerate(sorted(names))}


def plot_line_profile(
    prof: LineProfile,
    path: str | Path,
    title: str | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> Path:
    """PNG of the temperature T (K) along the line; returns the PNG path.

    One curve per region segment, jumps annotated; a CSV with the same data next to it
    (``.csv``, crossing summary in ``#`` lines).
    """
    path = Path(path)

    def draw() -> None:
        scale, unit = _length_unit(float(prof.distance[-1]))
        fig = new_figure()
        ax = fig.add_subplot()
        names = [prof.region_names.get(int(r), str(r)) for r in prof.region]
        colours = _region_colours({nm for nm, r in zip(names, prof.region, strict=True) if r})
        # contiguous runs of one region
        starts = [0] + [i for i in range(1, len(names)) if names[i] != names[i - 1]]
        ends = [*starts[1:], len(names)]
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
        save_figure(fig, path)
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

    on_rank0(comm, draw)
    return path


def plot_interface_flux(
    dist: InterfaceFlux,
    path: str | Path,
    title: str | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> Path:
    """PNG of the interface heat flux q″ (W/m²) and its histogram; returns the PNG path.

    q″ over the interface (left) and its area-weighted histogram (right); CSV of the midpoint
    data next to it.
    """
    path = Path(path)

    def draw() -> None:
        fig = new_figure((10.0, 4.2))
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
            order = np.argsort(pts[:, axes[0]]) if pts.size else np.empty(0, dtype=np.intp)
            ax1.plot(pts[order, axes[0]], q[order], "o-", ms=3)
            ax1.set_xlabel(f"{lab[axes[0]]} (m)")
            ax1.set_ylabel("q″ (W/m²)")
        ax1.set_title(f"interface {dist.name}: q″ = h (T⁺ − T⁻), ⁺ = {dist.plus}", fontsize=10)
        finite = np.isfinite(q)
        if finite.any():
            bins, rng = histogram_range(q[finite])
            ax2.hist(
                q[finite], bins=bins, range=rng, weights=dist.area[finite], color="C0", alpha=0.8
            )
            mean = float(np.sum(q[finite] * dist.area[finite]) / np.sum(dist.area[finite]))
            ax2.axvline(mean, color="k", ls="--", label=f"mean {mean:.4g} W/m²")
            ax2.legend(fontsize=9)
        ax2.set_xlabel("q″ (W/m²)")
        ax2.set_ylabel("area (m²; 2D models: m per m of depth)")
        ax2.set_title(title or f"distribution; heat flow {dist.heat_flow_W:.4g} W", fontsize=10)
        save_figure(fig, path)
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

    on_rank0(comm, draw)
    return path


def power_law_fit(
    x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray
) -> tuple[float, float]:
    """Least-squares fit ``y = a x^b`` in log–log space; returns ``(a, b)``."""
    xa = np.asarray(x, float)
    ya = np.asarray(y, float)
    ok = (xa > 0) & (ya > 0) & np.isfinite(xa) & np.isfinite(ya)
    if ok.sum() < 2:
        raise ValueError("need at least two positive (x, y) pairs for a power-law fit")
    b, loga = np.polyfit(np.log(xa[ok]), np.log(ya[ok]), 1)
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
        pressure: pressures P (Pa) of the data points (e.g. measurements).
        h: conductances (W/(m² K)) of the data points (e.g. computed h_eff per pressure).
        path: the PNG file; the data go to a CSV next to it.
        correlation: a function ``P -> h`` (drawn over the data range, e.g.
            ``lambda P: [CMYPlasticConductance(pair, p, H_c).h for p in P]``) or a pair of
            arrays ``(P, h)``.
        correlation_label: legend label of the correlation.
        data_label: legend label of the data points.
        fit: also fit and draw ``h = a P^b``.
        title: plot title (default "contact conductance vs pressure").
        comm: communicator (drawn on rank 0).

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

    def draw() -> None:
        fig = new_figure((6.0, 4.5))
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
        save_figure(fig, path)
        lines = ["pressure_Pa,h_W_m2K"] + [f"{p:.12g},{x:.12g}" for p, x in zip(P, H, strict=True)]
        write_text(path.with_suffix(".csv"), "\n".join(lines) + "\n")

    on_rank0(comm, draw)
    return {"path": path, "fit": ab, "correlation": corr}


def plot_history(
    t: Sequence[float],
    series: dict[str, Sequence[float]],
    path: str | Path,
    title: str | None = None,
    ylabel: str = "temperature (K)",
    marks: dict[str, float | None] | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> Path:
    """PNG of quantities against time t (s), e.g. a junction's min/mean/max temperature.

    ``marks``: label -> time (s) drawn as vertical lines (t63, t90, t95); None skipped.
    """
    path = Path(path)

    def draw() -> None:
        fig = new_figure()
        ax = fig.add_subplot()
        for name, y in series.items():
            ax.plot(np.asarray(t, float), np.asarray(y, float), label=name)
        for k, (label, tm) in enumerate((marks or {}).items()):
            if tm is not None:
                ax.axvline(tm, color="0.4", ls=":", lw=1)
                ax.annotate(
                    f"{label} = {tm:.3g} s", (tm, 0.05 + 0.07 * k), xycoords=("data", "axes fraction"),
                    fontsize=8, rotation=0, ha="left",
                )  # fmt: skip
        ax.set_xlabel("time (s)")
        ax.set_ylabel(ylabel)
        if title:
            ax.set_title(title)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        save_figure(fig, path)

    on_rank0(comm, draw)
    return path
