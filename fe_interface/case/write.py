"""The write stage of a case: the summary's extra sections, plots and the ParaView picture.

A plot or a picture never fails a run that solved: what failed is a warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fe_interface.errors import describe
from fe_interface.io.files import ResultSet

if TYPE_CHECKING:
    from fe_interface.case.spec import Case

__all__ = ["history_plot", "pictures", "summary_extra", "totals_unit"]


def totals_unit(problem: Any) -> str:
    """What the totals (heat flows, areas, volumes) of a problem's model are."""
    p = getattr(problem, "thermal", None) or problem
    f = getattr(p, "formulation", None)
    if f is None:
        return "unknown"
    if f.axisymmetric:
        return "axisymmetric: over the full revolution (2 pi included): W, m^2, m^3"
    if f.mesh.geometry.dim == 2:
        return "2D planar: per metre of depth (heat flows W/m, areas m^2/m, volumes m^2)"
    return "3D: W, m^2, m^3"


def summary_extra(
    case: Case, problem: Any, solve: Any, cells: int, ranks: int, tr: Any
) -> dict[str, Any]:
    """The summary's sections of a run of ``problem``: units, case, solve (and transient ``tr``)."""
    extra: dict[str, Any] = {
        "units": {"totals": totals_unit(problem)},
        "case": {
            "name": case.name,
            "file": case.source,
            "description": case.description,
            "analysis": case.analysis,
        },
        "solve": {
            "iterations": int(solve.iterations),
            "newton_iterations": int(solve.newton_iterations),
            "residual_norm": float(solve.residual_norm),
            "true_residual": float(solve.true_residual),
            "converged_reason": str(solve.converged_reason),
            "cells": int(cells),
            "ranks": int(ranks),
        },
    }
    if tr is not None:
        extra["transient"] = {
            "time_s": float(tr.time),
            "steps": int(tr.steps),
            "rejected_steps": int(tr.rejected),
            "restarted_from_s": tr.restarted_from,
        }
    return extra


def _plots(
    case: Case, problem: Any, table: list, rs: ResultSet, comm: Any
) -> tuple[dict[str, Any], list[str]]:
    """The line and flux plots into the result set.

    What failed becomes a warning (a plot never fails a run that solved; every call is
    collective, errors are raised on every rank, so no rank waits for another).
    """
    from fe_interface.io import plots
    from fe_interface.postprocessing import sampling

    files: dict[str, Any] = {}
    warnings_: list[str] = []
    name = case.output_name
    start, end, npts = case.line if case.line is not None else (None, None, 200)
    try:
        prof = sampling.line_profile(problem, start, end, npts)
        p = plots.plot_line_profile(prof, rs.path(f"{name}_line.png"), comm=comm)
        files["line_plot"] = rs.final(p)
    except Exception as e:
        warnings_.append(f"line plot not written: {describe(e)}")
    for s in table:
        d = next((d for d in problem.formulation.model.interfaces if d.label == s.name), None)
        if d is None or d.perfect:  # perfect contact, or a non-matching pair
            continue
        try:
            dist = sampling.interface_flux(problem, s.name)
            p = plots.plot_interface_flux(dist, rs.path(f"{name}_flux_{s.name}.png"), comm=comm)
            files[f"flux_plot_{s.name}"] = rs.final(p)
        except Exception as e:
            warnings_.append(f"flux plot of interface {s.name!r} not written: {describe(e)}")
    return files, warnings_


def _png(case: Case, src: Path, png: Path, comm: Any) -> str | None:
    """Render ``png`` from ``src`` with ParaView on rank 0; returns the failure message or None.

    The message is the same on every rank.
    """
    from fe_interface.io import paraview

    msg = None
    if comm.rank == 0:
        try:
            paraview.render(src, png, title=case.name)
        except Exception as e:  # ParaViewError, or anything else: a warning
            msg = describe(e)
    return comm.bcast(msg, root=0)


def history_plot(
    case: Case, tr: Any, response: Any, rs: ResultSet, comm: Any
) -> tuple[dict[str, Any], list[str]]:
    """``NAME_junction.png``: the junction's min/mean/max temperature against time."""
    from fe_interface.io.plots import plot_history

    j = case.junction
    try:
        h = tr.history
        series = {f"{j} {k}": h[f"{j}_{k}_K"] for k in ("max", "mean", "min")}
        marks = {k.removesuffix("_s"): v for k, v in response.times_s.items()} if response else {}
        p = plot_history(
            h["time_s"], series, rs.path(f"{case.output_name}_junction.png"),
            f"junction temperature ({j})", marks=marks, comm=comm,
        )  # fmt: skip
        return {"junction_plot": rs.final(p)}, []
    except Exception as e:  # a plot never fails a run that solved
        return {}, [f"junction plot not written: {describe(e)}"]


def pictures(
    case: Case, problem: Any, table: list, files: dict[str, Any], warnings_: list[str],
    rs: ResultSet, comm: Any,
) -> dict[str, Any]:  # fmt: skip
    """The plots and the PNG of ``outputs.files`` of a solved heat ``problem``.

    Their files (what failed is appended to ``warnings_``: a picture never fails a run).
    """
    out: dict[str, Any] = {}
    if "plots" in case.files:
        more, w = _plots(case, problem, table, rs, comm)
        out |= more
        warnings_ += w
    if "png" in case.files:
        src = next((k for k in ("vtu", "xdmf") if k in files), None)
        if src is None:
            warnings_.append("png not written: it needs the vtu or xdmf output")
        else:
            png = rs.path(f"{case.output_name}.png")
            msg = _png(case, rs.path(files[src].name), png, comm)
            if msg is None:
                out["png"] = rs.final(png)
            else:
                warnings_.append(f"png not written: {msg}")
    return out
