"""Running a case file: read, validate, build (mesh, checks, problem), then solve and write."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fe_interface.case.checker import CaseError
from fe_interface.case.read import load_case
from fe_interface.case.solve import CaseResult, collect_warnings, solve_and_write
from fe_interface.case.spec import Case
from fe_interface.errors import InputError, OutputBusyError, OutputError
from fe_interface.io.files import ResultSet

__all__ = ["CaseResult", "check_case", "run_case"]


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
        case: a :class:`~fe_interface.case.spec.Case` or the path of a TOML case file.
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


def check_case(
    case: Case | str | Path, comm: Any = None, report: Callable[[Any], None] | None = None
) -> Any:
    """Make every check :func:`run_case` makes before it solves, without solving or writing.

    The case file, its mesh, the case against the mesh, then the problem itself: its model,
    discretisation, initial state and laws at the initial guess (the ``check()`` of the
    problem: the code :func:`run_case` runs, up to the first solve).  A case with a
    ``[sweep]``: every run's case, the failing one named.  Collective.

    ``report(problem)`` is called with each checked problem before it is closed (the
    ``check`` command's pair report reads the search of that problem: nothing is built
    twice).

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
            return _check_one(case, case.build_mesh(comm), report)
        return _check_sweep(case, comm, report)
    except CaseError:
        raise
    except InputError as e:
        raise CaseError([("", str(e))], case.source) from None


def _check_one(case: Case, raw: Any, report: Callable[[Any], None] | None = None) -> Any:
    """:func:`check_case` of a case without sweep on its mesh ``raw``."""
    tagged = case.check_mesh(raw)
    problem = case.build_problem(tagged)
    try:
        problem.check()
        if report is not None:
            report(problem)
    finally:
        close = getattr(problem, "close", None)
        if close is not None:
            close()
    return tagged


def _check_sweep(case: Case, comm: Any, report: Callable[[Any], None] | None = None) -> Any:
    """:func:`check_case` of every run of a sweep (the mesh built once unless swept).

    ``report``: called with the last run's problem.
    """
    from fe_interface.case.sweep import variants

    runs = variants(case)
    raw = None if case.sweep.geometry else case.build_mesh(comm)
    tagged = None
    for i, (point, case_i) in enumerate(runs):
        where = f"sweep run {i} (" + ", ".join(f"{k} = {v}" for k, v in point.items()) + ")"
        try:
            last = report if i == len(runs) - 1 else None
            tagged = _check_one(case_i, raw if raw is not None else case_i.build_mesh(comm), last)
        except CaseError as e:
            raise CaseError([(p, f"{m} ({where})") for p, m in e.errors], case.source) from None
        except InputError as e:
            raise CaseError([("", f"{where}: {e}")], case.source) from None
    return tagged


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
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ResultSet(folder, case.output_name, comm, "case") as rs:
            try:
                res = solve_and_write(case, problem, tagged, rs, comm, say)
                rs.commit()
            except OutputError as e:  # name the output folder, not the temporary one
                msg = str(e).replace(str(rs.tmp), str(rs.folder))
                if str(rs.folder) not in msg:
                    msg = f"{rs.what()}: {msg}"
                raise OutputError(msg) from None
        res.warnings[:0] = collect_warnings(caught)
    return res
