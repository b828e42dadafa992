"""The run stage of one case: solve its problem and write its result set.

:func:`solve_and_write` is what :func:`~fe_interface.case.run.run_case` does inside the
open result set, and what a sweep (:mod:`fe_interface.case.sweep`) does for each run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fe_interface.case.write import history_plot, pictures, summary_extra
from fe_interface.errors import describe
from fe_interface.io.files import ResultSet

if TYPE_CHECKING:
    from fe_interface.case.spec import Case

__all__ = ["CaseResult", "collect_warnings", "solve_and_write"]


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


#: warnings of these categories (issued by the solver, the checks, PETSc options) are
#: collected into :attr:`CaseResult.warnings`
_CAPTURED = (UserWarning, RuntimeWarning)


def collect_warnings(caught: list[Any]) -> list[str]:
    """The distinct messages of the caught warnings of the categories of ``_CAPTURED``."""
    out: list[str] = []
    for w in caught:
        if issubclass(w.category, _CAPTURED) and not issubclass(w.category, DeprecationWarning):
            msg = str(w.message)
            if msg not in out:
                out.append(msg)
    return out


def solve_and_write(
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
        res.files |= pictures(
            case, problem.thermal, res.interfaces, res.files, res.warnings, rs, comm
        )
        return res
    if problem.formulation is None:  # a sweep's problem may be initialised (and updated)
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
                summary_extra(case, problem, solve, n, comm.size, None), derived,
            )  # fmt: skip
            files["summary"] = rs.final(p)
        written = write_steady_results(
            f, rs.folder, name, kinds, table=table, balance=balance,
            extra=summary_extra(case, problem, solve, n, comm.size, None), result_set=rs,
            derived=derived,
        )  # fmt: skip
        files |= {k: v for k, v in written.items() if k in kinds}
    files |= pictures(case, problem, table, files, warnings_, rs, comm)
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
        extra = summary_extra(case, problem, solve, n, comm.size, tr)
        if response is not None:
            extra["transient"]["junction_response"] = response.as_dict()
        p = write_summary(rs.path(f"{name}_summary.json"), table, balance, comm, extra, derived)
        files["summary"] = rs.final(p)
    if "plots" in case.files and case.junction is not None:
        more, w = history_plot(case, tr, response, rs, comm)
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
