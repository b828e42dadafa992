"""Running a case file: mesh, check, solve (steady or transient), write the outputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fe_interface.case.checker import CaseError
from fe_interface.case.schema import Case, load_case
from fe_interface.errors import InputError

__all__ = ["CaseResult", "run_case"]


@dataclass
class CaseResult:
    """What :func:`run_case` produced (the same on every rank; files written once).

    Attributes:
        case: the validated case.
        problem: the solved problem.
        interfaces: the interface table (at the final time for transient runs).
        balance: the energy balance (of the last step for transient runs), W.
        solve: the (last) solve's :class:`~fe_interface.solvers.linear.SolveInfo`.
        files: kind -> path of every file written.
        warnings: what did not work but did not fail the run (e.g. a PNG).
        transient: the :class:`~fe_interface.problems.transient.TransientResult`, or None.
    """

    case: Case
    problem: Any
    interfaces: list
    balance: Any
    solve: Any
    files: dict[str, Any]
    warnings: list[str]
    transient: Any = None


def _summary_extra(case: Case, solve: Any, cells: int, ranks: int, tr: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {
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


def _plots(case: Case, problem: Any, table: list, folder: Path, comm: Any) -> dict[str, Any]:
    from fe_interface.postprocessing import plots, sampling

    files: dict[str, Any] = {}
    name = case.output_name
    start, end, npts = case.line if case.line is not None else (None, None, 200)
    prof = sampling.line_profile(problem, start, end, npts)
    files["line_plot"] = plots.plot_line_profile(prof, folder / f"{name}_line.png", comm=comm)
    for s in table:
        d = next(d for d in problem.formulation.model.interfaces if d.label == s.name)
        if d.perfect:
            continue
        dist = sampling.interface_flux(problem, s.name)
        files[f"flux_plot_{s.name}"] = plots.plot_interface_flux(
            dist, folder / f"{name}_flux_{s.name}.png", comm=comm
        )
    return files


def _png(case: Case, src: Path, folder: Path, comm: Any) -> tuple[Path | None, str | None]:
    from fe_interface.io import paraview

    png = folder / f"{case.output_name}.png"
    msg = None
    if comm.rank == 0:
        try:
            paraview.render(src, png, title=case.name)
        except paraview.ParaViewError as e:
            msg = str(e)
    msg = comm.bcast(msg, root=0)
    return (None, msg) if msg else (png, None)


def run_case(
    case: Case | str | Path,
    out: str | Path | None = None,
    comm: Any = None,
    log: Callable[[str], None] | None = None,
) -> CaseResult:
    """Validate, mesh, check, solve and write the outputs of a case.

    Args:
        case: a :class:`~fe_interface.case.schema.Case` or the path of a TOML case file.
        out: output folder (default: ``outputs.folder`` of the case, else
            ``results/<case name>`` in the current directory).
        comm: MPI communicator (default ``COMM_WORLD``).
        log: called with progress lines on rank 0 (e.g. ``print``).

    Raises:
        CaseError: the case (or something it names: mesh, checkpoint) is invalid; every
            problem with its key path.
        SolverError: the solve failed.
    """
    if not isinstance(case, Case):
        case = load_case(case)
    try:
        return _run(case, out, comm, log)
    except CaseError:
        raise
    except InputError as e:
        raise CaseError([("", str(e))], case.source) from None


def _run(
    case: Case,
    out: str | Path | None,
    comm: Any,
    log: Callable[[str], None] | None,
) -> CaseResult:
    """:func:`run_case` of a loaded case."""
    from mpi4py import MPI

    from fe_interface.io.results import write_steady_results
    from fe_interface.io.summary import write_summary

    comm = MPI.COMM_WORLD if comm is None else comm
    say = log if (log is not None and comm.rank == 0) else (lambda s: None)
    folder = Path(out) if out is not None else (case.output_folder or Path("results") / case.name)
    say(f"case {case.name!r}: building the mesh")
    tagged = case.check_mesh(case.build_mesh(comm))
    problem = case.build_problem(tagged)
    problem.initialise()
    f = problem.formulation
    n = tagged.mesh.topology.index_map(tagged.mesh.topology.dim).size_global
    say(
        f"solving ({n} cells, {f.broken.num_global} dofs, {f.broken.num_colours} colours, "
        f"solver {case.solver}, {case.analysis})"
    )
    name = case.output_name
    files: dict[str, Any] = {}
    warnings: list[str] = []
    tr = None
    if case.transient is not None:
        spec = case.transient
        series = "xdmf" in case.files or "vtx" in case.files
        tr = problem.run(
            spec.t_end,
            spec.dt,
            adaptive=spec.adaptive,
            tol=spec.tol,
            dt_min=spec.dt_min,
            dt_max=spec.dt_max,
            output=folder if series else None,
            name=name,
            output_every=spec.output_every,
            vtx="vtx" in case.files,
            checkpoint=folder / spec.checkpoint if spec.checkpoint else None,
            checkpoint_every=spec.checkpoint_every,
            restart=spec.restart,
            max_steps=spec.max_steps,
        )
        files |= tr.files
        solve = problem.last_solve
        table = problem.interface_table()
        balance = problem.energy_balance()
        if "summary" in case.files:
            files["summary"] = write_summary(
                folder / f"{name}_summary.json", table, balance, comm,
                _summary_extra(case, solve, n, comm.size, tr),
            )  # fmt: skip
    else:
        result = problem.run()
        solve = result.solve
        table = problem.interface_table()
        balance = problem.energy_balance()
        kinds = [k for k in ("xdmf", "vtu", "summary", "vtx") if k in case.files]
        written = write_steady_results(
            f, folder, name, kinds, table=table, balance=balance,
            extra=_summary_extra(case, solve, n, comm.size, None),
        )  # fmt: skip
        files |= {k: v for k, v in written.items() if k in kinds}
    if "plots" in case.files:
        try:
            files |= _plots(case, problem, table, folder, comm)
        except Exception as e:  # a plot never fails a run that solved
            warnings.append(f"plots not written: {type(e).__name__}: {e}")
    if "png" in case.files:
        src = files.get("vtu") or files.get("xdmf")
        if src is None:
            warnings.append("png not written: it needs the vtu or xdmf output")
        else:
            png, msg = _png(case, src, folder, comm)
            if png is not None:
                files["png"] = png
            else:
                warnings.append(f"png not written: {msg}")
    return CaseResult(case, problem, table, balance, solve, files, warnings, tr)
