"""Running a case file: mesh, check, solve (steady or transient), write the outputs."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fe_interface.case.checker import CaseError
from fe_interface.case.schema import Case, load_case
from fe_interface.errors import InputError, OutputBusyError, OutputError, describe
from fe_interface.io.files import ResultSet

__all__ = ["CaseResult", "check_case", "run_case"]


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
        derived: the :class:`~fe_interface.postprocessing.derived.DerivedValues`
            (junction, regions, probes, boundary heat flows; at the final time for
            transient runs), or None if they could not be computed (a warning).
    """

    case: Case
    problem: Any
    interfaces: list
    balance: Any
    solve: Any
    files: dict[str, Any]
    warnings: list[str]
    transient: Any = None
    derived: Any = None
    response: Any = None  # ResponseTimes of the junction (transient runs with a junction)


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


def _summary_extra(case: Case, solve: Any, cells: int, ranks: int, tr: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "units": {"totals": totals_unit(getattr(case, "_problem", None))},
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


def _tables(problem: Any, warnings_: list[str]) -> tuple[list, Any]:
    """The interface table and the energy balance of a solved problem.

    One that cannot be computed is a warning (([] or None), the run stays a success).
    """
    out: list[Any] = []
    for what, fn, empty in (
        ("interface table", problem.interface_table, []),
        ("energy balance", problem.energy_balance, None),
    ):
        try:
            out.append(fn())
        except Exception as e:
            warnings_.append(f"{what} not computed: {describe(e)}")
            out.append(empty)
    return out[0], out[1]


def _derived(case: Case, problem: Any, balance: Any, warnings_: list[str]) -> Any:
    """The derived values of a solved problem; None and a warning if they cannot be computed.

    Junction and region temperatures, the probes of ``outputs.probes``, boundary heat flows
    from ``balance``; a failure leaves the run a success.
    """
    from fe_interface.postprocessing.derived import Derived

    try:
        d = Derived(problem, list(case.probes.values()), case.junction)
        return d.compute(balance=balance)
    except Exception as e:
        warnings_.append(f"derived values not computed: {describe(e)}")
        return None


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


def run_case(
    case: Case | str | Path,
    out: str | Path | None = None,
    comm: Any = None,
    log: Callable[[str], None] | None = None,
) -> CaseResult:
    """Validate, mesh, check, solve and write the outputs of a case.

    The outputs are one result set (:class:`~fe_interface.io.files.ResultSet`): written
    into a temporary folder and swapped into the output folder with the manifest
    ``NAME.manifest.json`` at the end; the folder is locked while the case runs (a
    second run into it is refused).  Plots and the ParaView PNG never fail a run that
    solved: what failed is a warning.

    Args:
        case: a :class:`~fe_interface.case.schema.Case` or the path of a TOML case file.
        out: output folder (default: ``outputs.folder`` of the case, else
            ``results/<case name>`` in the current directory).
        comm: MPI communicator (default ``COMM_WORLD``).
        log: called with progress lines on rank 0 (e.g. ``print``).

    Raises:
        CaseError: the case (or something it names: mesh, checkpoint) is invalid; every
            problem with its key path.
        OutputBusyError: another run writes into the output folder.
        SolverError: the solve failed.
        OutputError: the result files could not be written (the previous set is intact).
    """
    if not isinstance(case, Case):
        case = load_case(case)
    try:
        return _run(case, out, comm, log)
    except (CaseError, OutputBusyError):
        raise
    except InputError as e:
        raise CaseError([("", str(e))], case.source) from None


def check_case(case: Case | str | Path, comm: Any = None) -> Any:
    """Make every check :func:`run_case` makes before it solves, without solving or writing.

    The case file, its mesh, the case against the mesh, then the problem itself: its model,
    discretisation, initial state and laws at the initial guess (the ``check()`` of the
    problem: the code :func:`run_case` runs, up to the first solve).  A case with a
    ``[sweep]``: every run's case, the failing one named.  Collective.

    Returns:
        The checked mesh (of the last run of a sweep).

    Raises:
        CaseError: the first problem :func:`run_case` would raise for the case's content.
    """
    from mpi4py import MPI

    if not isinstance(case, Case):
        case = load_case(case)
    comm = MPI.COMM_WORLD if comm is None else comm
    try:
        if case.sweep is None:
            return _check_one(case, case.build_mesh(comm))
        return _check_sweep(case, comm)
    except CaseError:
        raise
    except InputError as e:
        raise CaseError([("", str(e))], case.source) from None


def _check_one(case: Case, raw: Any) -> Any:
    """:func:`check_case` of a case without sweep on its mesh ``raw``."""
    tagged = case.check_mesh(raw)
    problem = case.build_problem(tagged)
    try:
        problem.check()
    finally:
        close = getattr(problem, "close", None)
        if close is not None:
            close()
    return tagged


def _check_sweep(case: Case, comm: Any) -> Any:
    """:func:`check_case` of every run of a sweep (the mesh built once unless swept)."""
    from fe_interface.case.sweep import variants

    runs = variants(case)
    raw = None if case.sweep.geometry else case.build_mesh(comm)
    tagged = None
    for i, (point, case_i) in enumerate(runs):
        where = f"sweep run {i} (" + ", ".join(f"{k} = {v}" for k, v in point.items()) + ")"
        try:
            tagged = _check_one(case_i, raw if raw is not None else case_i.build_mesh(comm))
        except CaseError as e:
            raise CaseError([(p, f"{m} ({where})") for p, m in e.errors], case.source) from None
        except InputError as e:
            raise CaseError([("", f"{where}: {e}")], case.source) from None
    return tagged


#: warnings of these categories (issued by the solver, the checks, PETSc options) are
#: collected into :attr:`CaseResult.warnings`
_CAPTURED = (UserWarning, RuntimeWarning)


def _collect(caught: list[Any]) -> list[str]:
    out: list[str] = []
    for w in caught:
        if issubclass(w.category, _CAPTURED) and not issubclass(w.category, DeprecationWarning):
            msg = str(w.message)
            if msg not in out:
                out.append(msg)
    return out


def _run(
    case: Case,
    out: str | Path | None,
    comm: Any,
    log: Callable[[str], None] | None,
) -> CaseResult:
    """:func:`run_case` of a loaded case."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD if comm is None else comm
    say = log if (log is not None and comm.rank == 0) else (lambda s: None)
    folder = Path(out) if out is not None else (case.output_folder or Path("results") / case.name)
    say(f"case {case.name!r}: building the mesh")
    tagged = case.check_mesh(case.build_mesh(comm))
    problem = case.build_problem(tagged)
    case._problem = problem  # for the summary's units (totals_unit)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ResultSet(folder, case.output_name, comm, "case") as rs:
            try:
                res = _solve_and_write(case, problem, tagged, rs, comm, say)
                rs.commit()
            except OutputError as e:  # name the output folder, not the temporary one
                msg = str(e).replace(str(rs.tmp), str(rs.folder))
                if str(rs.folder) not in msg:
                    msg = f"{rs.what()}: {msg}"
                raise OutputError(msg) from None
        res.warnings[:0] = _collect(caught)
    return res


def _solve_and_write(
    case: Case, problem: Any, tagged: Any, rs: ResultSet, comm: Any, say: Callable[[str], None]
) -> CaseResult:
    """Solve ``problem`` and write its files into the open result set ``rs``."""
    from fe_interface.io.results import write_steady_results
    from fe_interface.io.summary import write_summary

    if case.mechanics is not None:  # thermo-mechanical contact: fe_interface.case.mechanics
        res = case.mechanics.solve_and_write(
            case, problem, tagged, rs, comm, say,
            derive=lambda heat, balance, w: _derived(case, heat, balance, w),
        )  # fmt: skip
        res.files |= _pictures(
            case, problem.thermal, res.interfaces, res.files, res.warnings, rs, comm
        )
        return res
    problem.initialise()
    f = problem.formulation
    n = tagged.mesh.topology.index_map(tagged.mesh.topology.dim).size_global
    say(
        f"solving ({n} cells, {f.broken.num_global} dofs, {f.broken.num_colours} colours, "
        f"solver {case.solver}, {case.analysis})"
    )
    name = case.output_name
    files: dict[str, Any] = {}
    warnings_: list[str] = []
    tr = None
    response = None
    if case.transient is not None:
        table, balance, derived, solve, response, tr = _run_transient(
            case, problem, rs, comm, n, files, warnings_
        )
    else:
        result = problem.run()
        solve = result.solve
        table, balance = _tables(problem, warnings_)
        derived = _derived(case, problem, balance, warnings_)
        kinds = [k for k in ("xdmf", "vtu", "summary", "vtx") if k in case.files]
        if (balance is None or derived is None) and "summary" in kinds:  # without them
            kinds.remove("summary")
            p = write_summary(
                rs.path(f"{name}_summary.json"), table, balance, comm,
                _summary_extra(case, solve, n, comm.size, None), derived,
            )  # fmt: skip
            files["summary"] = rs.final(p)
        written = write_steady_results(
            f, rs.folder, name, kinds, table=table, balance=balance,
            extra=_summary_extra(case, solve, n, comm.size, None), result_set=rs,
            derived=derived,
        )  # fmt: skip
        files |= {k: v for k, v in written.items() if k in kinds}
    files |= _pictures(case, problem, table, files, warnings_, rs, comm)
    return CaseResult(case, problem, table, balance, solve, files, warnings_, tr, derived, response)


def _run_transient(
    case: Case, problem: Any, rs: ResultSet, comm: Any, n: int, files: dict[str, Any],
    warnings_: list[str],
) -> tuple[Any, ...]:  # fmt: skip
    """Run a transient case; its files go into ``files``.

    Returns (table, balance, derived, solve, response, result).
    """
    from fe_interface.io.summary import write_summary

    name = case.output_name
    spec = case.transient
    assert spec is not None
    series = "xdmf" in case.files or "vtx" in case.files
    T0 = _junction_start(case, problem)  # before the run: the initial state
    tr = problem.run(
        spec.t_end, spec.dt, adaptive=spec.adaptive, tol=spec.tol, dt_min=spec.dt_min,
        dt_max=spec.dt_max, output=rs.tmp if series else None, name=name,
        output_every=spec.output_every, vtx="vtx" in case.files,
        checkpoint=rs.folder / spec.checkpoint if spec.checkpoint else None,
        checkpoint_every=spec.checkpoint_every, restart=spec.restart, max_steps=spec.max_steps,
    )  # fmt: skip
    files |= {k: rs.final(v) for k, v in tr.files.items()}
    solve = problem.last_solve
    table, balance = _tables(problem, warnings_)
    derived = _derived(case, problem, balance, warnings_)
    response = _junction_response(case, tr, T0)
    if "summary" in case.files:
        extra = _summary_extra(case, solve, n, comm.size, tr)
        if response is not None:
            extra["transient"]["junction_response"] = response.as_dict()
        p = write_summary(rs.path(f"{name}_summary.json"), table, balance, comm, extra, derived)
        files["summary"] = rs.final(p)
    if "plots" in case.files and case.junction is not None:
        more, w = _history_plot(case, tr, response, rs, comm)
        files |= more
        warnings_ += w
    return table, balance, derived, solve, response, tr


def _junction_start(case: Case, problem: Any) -> float | None:
    """The junction's maximum temperature (K) of the initial state (None: no junction).

    A restarted run starts from its checkpoint: None.
    """
    if case.junction is None or (case.transient is not None and case.transient.restart):
        return None
    problem.set_initial_temperature()
    cols = problem.monitors.columns
    return float(problem.monitors.row()[cols.index(f"{case.junction}_max_K")])


def _junction_response(case: Case, tr: Any, T0: float | None) -> Any:
    """t63/t90/t95 of the junction's maximum temperature (None without a junction)."""
    from fe_interface.postprocessing.response import response_times

    key = f"{case.junction}_max_K"
    if T0 is None or key not in tr.history:
        return None
    return response_times(
        f"junction {case.junction} max", tr.history["time_s"], tr.history[key], T0
    )


def _history_plot(
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


def _pictures(
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
