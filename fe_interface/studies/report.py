"""Result sets of fits and uncertainty studies: JSON summaries, CSV tables, plots.

A fit writes ``NAME_fit.json`` (estimates, standard deviations, intervals, covariance,
correlation, identifiability, residuals), ``NAME_fit_residuals.csv`` (one row per reading)
and ``NAME_fit_residuals.png``; an uncertainty study ``NAME_uq.json`` (statistics, Sobol'
indices, convergence, failed samples), ``NAME_uq_samples.csv`` (inputs and outputs of every
sample), ``NAME_uq_histograms.png`` and ``NAME_uq_convergence.png``.  Each set is written
atomically (:class:`~fe_interface.io.files.ResultSet`: complete or not at all); a plot
that cannot be drawn is a warning, never a failed study.
"""

from __future__ import annotations

import csv
import io
import json
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from fe_interface.errors import describe, on_rank0
from fe_interface.io import plots as figures  # (the module: a patched save_figure reaches here)
from fe_interface.io.files import ResultSet, output_error, write_text
from fe_interface.io.summary import json_safe

__all__ = ["format_fit", "format_uncertainty", "write_fit", "write_uncertainty"]


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([repr(float(x)) if isinstance(x, (float, np.floating)) else x for x in r])
    return buf.getvalue()


def _write_set(
    folder: Path, name: str, comm: Any, kind: str, files: dict[str, Any], plots: dict[str, Any]
) -> tuple[dict[str, Path], list[str]]:
    """Text files and plots into one result set (collective; rank 0 writes)."""
    warns: list[str] = []
    out: dict[str, Path] = {}
    with ResultSet(folder, name, comm, kind) as rs:
        for fname, text in files.items():
            path = rs.path(fname)
            on_rank0(comm, partial(write_text, path, text), partial(output_error, what=fname))
            out[fname] = rs.final(path)
        for fname, draw in plots.items():
            path = rs.path(fname)
            try:
                on_rank0(comm, partial(draw, path))
                out[fname] = rs.final(path)
            except Exception as e:  # a plot never fails a study
                warns.append(f"{fname} not written: {describe(e)}")
        rs.commit()
    return out, warns


# --------------------------------------------------------------------------------------
# fits
# --------------------------------------------------------------------------------------
def format_fit(r: Any) -> str:
    """The fit as text: estimates with intervals, then the identifiability messages."""
    lines = [f"{'parameter':>14} {'estimate':>12} {'std':>11}  intervals"]
    for n, v, s in zip(r.names, r.estimates, r.std, strict=True):
        ivs = "  ".join(
            f"{100 * i.level:.0f}%: [{i.lower:.4g}, {i.upper:.4g}]" for i in r.intervals[n]
        )
        lines.append(f"{n:>14} {v:12.5g} {s:11.3g}  {ivs}")
    lines.append(
        f"chi2 = {r.chi2:.4g} for {r.dof} degrees of freedom (reduced {r.reduced_chi2:.3g}); "
        f"{r.evaluations} solves; {'converged' if r.converged else 'NOT converged'}: {r.message}"
    )
    lines += [f"  {m}" for m in r.identifiability.messages]
    return "\n".join(lines)


def _draw_residuals(r: Any) -> Any:
    def draw(path: Path) -> None:
        fig = figures.new_figure((7.0, 5.0))
        ax1, ax2 = fig.subplots(2, 1)
        meas = [x.measured_K for x in r.residuals]
        model = [x.model_K for x in r.residuals]
        ax1.errorbar(
            range(len(meas)),
            meas,
            yerr=[x.sigma_K for x in r.residuals],
            fmt="o",
            label="measured ± σ",
        )
        ax1.plot(range(len(model)), model, "x", label="model (fitted)")
        ax1.set_ylabel("T (K)")
        ax1.legend(fontsize=8)
        ax2.axhspan(-1, 1, color="0.9")
        ax2.plot(range(len(meas)), [x.normalised for x in r.residuals], "o")
        ax2.set_ylabel("(model − measured)/σ")
        ax2.set_xlabel("reading")
        figures.save_figure(fig, path)

    return draw


def write_fit(
    r: Any, folder: str | Path, name: str, comm: Any = None
) -> tuple[dict[str, Path], list[str]]:
    """The fit's result set (module docstring); returns (files, warnings)."""
    rows = [list(x) for x in r.residuals]
    files = {
        f"{name}_fit.json": json.dumps(json_safe(r.as_dict()), indent=2, allow_nan=False),
        f"{name}_fit_residuals.csv": _csv(list(r.residuals[0]._fields), rows),
    }
    return _write_set(
        Path(folder), name, comm, "fit", files, {f"{name}_fit_residuals.png": _draw_residuals(r)}
    )


# --------------------------------------------------------------------------------------
# uncertainty
# --------------------------------------------------------------------------------------
def format_uncertainty(r: Any) -> str:
    """The statistics and Sobol' indices as text."""
    lines = [f"{r.method}: {r.runs} runs ({len(r.failed)} failed), {r.wall_time_s:.1f} s"]
    for name in r.outputs:
        st = r.statistics[name]
        if not st.get("samples"):
            lines.append(f"{name}: no successful sample")
            continue
        pc = st["percentiles"]
        lines.append(
            f"{name}: mean {st['mean']:.6g} ± {st['mean_error']:.2g} (standard error), std "
            f"{st['std']:.4g}, 5–95 %: [{pc['p5']:.6g}, {pc['p95']:.6g}]"
        )
        sob = r.sobol.get(name) or {}
        if sob:
            parts = ", ".join(
                f"{k}: S={sob['first'][k]:.3f} ST={sob['total'][k]:.3f}" for k in r.inputs
            )
            lines.append(f"    Sobol' (chaos degree {sob['degree']}, Q² {sob['q2']:.4f}): {parts}")
    return "\n".join(lines)


def _draw_histograms(r: Any) -> Any:
    def draw(path: Path) -> None:
        n = len(r.outputs)
        fig = figures.new_figure((6.5, 2.4 * n + 0.5))
        for ax, (j, name) in zip(
            np.atleast_1d(fig.subplots(n, 1)), enumerate(r.outputs), strict=True
        ):
            y = r.values[:, j]
            ax.hist(y[np.isfinite(y)], bins=min(40, max(5, len(y) // 10)), color="C0", alpha=0.8)
            st = r.statistics[name]
            if st.get("samples"):
                for p in ("p5", "p50", "p95"):
                    ax.axvline(st["percentiles"][p], color="k", ls=":" if p != "p50" else "-", lw=1)
            ax.set_xlabel(name, fontsize=8)
            ax.set_ylabel("samples")
        figures.save_figure(fig, path)

    return draw


def _draw_convergence(r: Any) -> Any:
    def draw(path: Path) -> None:
        n = len(r.outputs)
        fig = figures.new_figure((6.5, 2.4 * n + 0.5))
        for ax, name in zip(np.atleast_1d(fig.subplots(n, 1)), r.outputs, strict=True):
            rows = np.array(r.convergence[name]).reshape(-1, 4)
            if len(rows):
                ax.errorbar(rows[:, 0], rows[:, 1], yerr=rows[:, 3], fmt="o-", label="mean ± s.e.")
                ax.plot(rows[:, 0], rows[:, 1] + rows[:, 2], "--", color="0.5", label="mean ± std")
                ax.plot(rows[:, 0], rows[:, 1] - rows[:, 2], "--", color="0.5")
                ax.set_xscale("log")
            ax.set_ylabel(name, fontsize=8)
            ax.legend(fontsize=7)
        fig.axes[-1].set_xlabel("samples")
        figures.save_figure(fig, path)

    return draw


def write_uncertainty(
    r: Any, folder: str | Path, name: str, comm: Any = None
) -> tuple[dict[str, Path], list[str]]:
    """The study's result set (module docstring); returns (files, warnings)."""
    header = [*r.inputs, *r.outputs, "error"]
    rows = [[*r.design[i], *r.values[i], r.failed.get(i, "")] for i in range(len(r.design))]
    doc = json_safe(r.as_dict())
    doc.pop("design"), doc.pop("values")
    files = {
        f"{name}_uq.json": json.dumps(doc, indent=2, allow_nan=False),
        f"{name}_uq_samples.csv": _csv(header, rows),
    }
    plots = {
        f"{name}_uq_histograms.png": _draw_histograms(r),
        f"{name}_uq_convergence.png": _draw_convergence(r),
    }
    return _write_set(Path(folder), name, comm, "uncertainty", files, plots)
