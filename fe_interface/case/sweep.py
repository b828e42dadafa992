"""Parametric sweeps in case files: one run per value, one table and one plot.

Lists of values for parameters -> one run each, one table (CSV and JSON) and a plot of
the chosen outputs against the first parameter.

::

    [sweep]
    mode = "product"           # every combination (default); "zip": the i-th values together
    outputs = ["junction_K", "interfaces.joint.mean_jump_K"]   # tabulated first, plotted
    log_x = true               # plot: logarithmic axis of the first parameter

    [[sweep.parameters]]
    key = "interfaces.joint.solid.pressure"   # the value's key path in this case file
    name = "pressure_Pa"                      # column name (default: the key)
    values = [5e4, 1e5, 2e5, 5e5, 1e6]

    [[sweep.parameters]]
    key = "interfaces.joint.gas.p_gas"
    name = "gas_pressure_Pa"
    values = [101325.0, 0.0]
    labels = ["air", "vacuum"]                # names of the values (plot legend)

A parameter's ``key`` (or a list of keys, all set to the same value) names a value that
the case file already has (so a misspelt key is an error, not a silently unused
setting); array elements are written ``key[i]``.  Every variant of the case is validated
before anything runs (a value out of range is reported with its key path and the sweep
entry that set it; an output selector that names nothing in the case, too); the mesh is
built once unless a ``geometry`` key is swept.  Each run
is the same computation as a single run of the modified case file (the same numbers).

Outputs (the selectors of ``outputs``; every run's values are all in the JSON):
``junction_K``, ``regions.<r>.min_K|mean_K|max_K``, ``probes.<p>_K``,
``boundaries.<b>.heat_flow_W|mean_temperature_K``, ``interfaces.<i>.<column>``
(``mean_jump_K``, ``heat_flow_W``, ``conductance_W_m2K``, ...),
``balance.relative_residual|sources_W|residual_W``.  Default: the junction temperature
(else every region's maximum) and every interface's mean jump.

Files (``outputs.folder``): the result set ``NAME``: ``NAME_sweep.csv`` (parameters,
then the chosen outputs, then the others), ``NAME_sweep.json``, ``NAME_sweep.png`` (with
``plot = true``, the default); with ``run_files = true`` each run's files
(``outputs.files``) are a result set of their own, ``NAME_run<i>`` (``i`` from 000).

Finished runs are kept (:mod:`fe_interface.case.sweeprows`): the table is committed
after every run, so a run that fails (named in the error with its parameters) or a
killed sweep leaves the rows finished before it; a rerun takes the finished rows whose
case is unchanged and computes the others (``resume = false``: every row).
"""

from __future__ import annotations

import copy
import gc
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fe_interface.case.checker import CaseError, is_number
from fe_interface.case.read import load_case
from fe_interface.case.solve import collect_warnings, solve_and_write
from fe_interface.case.spec import Case
from fe_interface.case.sweepreuse import SweepProblems
from fe_interface.case.sweeprows import Row, case_digest, kept_rows, write_table
from fe_interface.case.sweepspec import (
    SWEEP_KEYS,
    SweepParameter,
    SweepSpec,
    assign_key,
    key_value,
    lookup_key,
    read_sweep,
)
from fe_interface.case.validate import parse_case
from fe_interface.errors import on_rank0

__all__ = [
    "SWEEP_KEYS",
    "SweepParameter",
    "SweepResult",
    "SweepSpec",
    "assign_key",
    "flat_outputs",
    "format_sweep",
    "key_value",
    "lookup_key",
    "read_sweep",
    "run_sweep",
    "variants",
]


def variants(case: Any) -> list[tuple[dict[str, Any], Any]]:
    """Per run: (parameter name -> value, the validated case of that run).

    Raises:
        CaseError: a variant is invalid: each problem with its key path and the sweep
            entry whose value caused it.
    """
    from fe_interface.case.selectors import unknown_outputs

    spec: SweepSpec = case.sweep
    out = []
    errors: list[tuple[str, str]] = []
    for idx in spec.indices():
        data = copy.deepcopy(case.data)
        del data["sweep"]
        point = {}
        where: dict[str, list[str]] = {}  # the value of each parameter, by its keys
        for j, (p, i) in enumerate(zip(spec.parameters, idx, strict=True)):
            for k in p.keys:
                assign_key(data, k, p.values[i])
                where.setdefault(f"sweep.parameters[{j}].values[{i}]", []).append(k)
            point[p.name] = p.values[i]
        try:
            out.append((point, parse_case(data, case.base_dir, case.source, case.name)))
        except CaseError as e:
            errors += [(path, f"{msg} (set by {_set_by(path, where)})") for path, msg in e.errors]
    errors += unknown_outputs(case, spec.outputs)  # selectors naming nothing: before any run
    if errors:
        raise CaseError(list(dict.fromkeys(errors)), case.source)
    return out


def _set_by(path: str, where: Mapping[str, list[str]]) -> str:
    """The sweep values that set the key ``path`` (or that lie inside it); all if none does."""

    def related(key: str) -> bool:
        return any(
            a == b or b.startswith((a + ".", a + "[")) for a, b in ((key, path), (path, key))
        )

    hits = [w for w, keys in where.items() if path and any(related(k) for k in keys)]
    return " and ".join(hits or list(where))


# --------------------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------------------
def flat_outputs(res: Any) -> dict[str, float]:
    """Every output of a :class:`~fe_interface.case.run.CaseResult` by selector name.

    See the module docstring for the names.
    """
    out: dict[str, float] = dict(res.derived.flat()) if res.derived is not None else {}
    for s in res.interfaces or []:
        for k, v in s._asdict().items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out[f"interfaces.{s.name}.{k}"] = float(v)
    b = res.balance
    if b is not None:
        for k in ("relative_residual", "sources_W", "residual_W", "storage_rate_W"):
            out[f"balance.{k}"] = float(getattr(b, k))
    return out


def _default_outputs(flat: Mapping[str, float]) -> tuple[str, ...]:
    if "junction_K" in flat:
        first = ["junction_K"]
    else:
        first = [k for k in flat if k.startswith("regions.") and k.endswith(".max_K")]
    return tuple(
        first + [k for k in flat if k.startswith("interfaces.") and k.endswith(".mean_jump_K")]
    )


@dataclass
class SweepResult:
    """What :func:`run_sweep` produced (the same on every rank).

    Attributes:
        case: the base case.
        parameters: the parameter names (columns), in order.
        points: per run, parameter name -> value.
        outputs: the chosen outputs (selectors).
        values: per run, every output by selector (K, W, W/(m² K), ...).
        files: kind -> path of every file written.
        warnings: what did not work but did not fail the sweep (the plot), and the
            runs' warnings (each prefixed with its run).
        reused: indices of the runs taken from a previous run of the sweep (unchanged
            case: :mod:`fe_interface.case.sweeprows`), not computed again.
    """

    case: Any
    parameters: list[str]
    points: list[dict[str, Any]]
    outputs: list[str]
    values: list[dict[str, float]]
    files: dict[str, Any]
    warnings: list[str]
    reused: list[int] = field(default_factory=list)

    def column(self, name: str) -> list[Any]:
        """One parameter or output for every run."""
        if name in self.parameters:
            return [p[name] for p in self.points]
        return [v[name] for v in self.values]


def run_sweep(
    case: Any,
    out: str | Path | None = None,
    comm: Any = None,
    log: Callable[[str], None] | None = None,
) -> SweepResult:
    """Run every variant of a case with a [sweep] and write the sweep table and plot.

    The table is committed after every run (finished rows are kept, a rerun takes them:
    see the module docstring).

    Args:
        case: a :class:`~fe_interface.case.spec.Case` with ``sweep``, or its path.
        out: output folder (default ``outputs.folder``, else ``results/<case name>``).
        comm: MPI communicator (default ``COMM_WORLD``).
        log: progress lines on rank 0.

    Raises:
        CaseError: the case or a variant is invalid, or an output selector names
            nothing (listing the available ones); a run's invalid input is named with
            the run and its parameters.
        OutputBusyError, OutputError, SolverError: as for
            :func:`~fe_interface.case.run.run_case`, a run's named with the run.
    """
    from mpi4py import MPI

    from fe_interface.errors import InputError, OutputBusyError
    from fe_interface.io.files import FolderLock

    if not isinstance(case, Case):
        case = load_case(case)
    if case.sweep is None:
        raise CaseError([("sweep", "the case has no [sweep] table")], case.source)
    comm = MPI.COMM_WORLD if comm is None else comm
    say = log if (log is not None and comm.rank == 0) else (lambda s: None)
    runs = variants(case)
    folder = Path(out) if out is not None else (case.output_folder or Path("results") / case.name)
    lock = FolderLock(folder, f"sweep {case.output_name!r}")  # held between the commits
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            on_rank0(comm, lock.acquire)
            try:
                res = _run_all(case, runs, folder, comm, say)
            finally:
                lock.release()
            res.warnings[:0] = collect_warnings(caught)
    except (CaseError, OutputBusyError):
        raise
    except InputError as e:
        raise CaseError([("", str(e))], case.source) from None
    return res


def _point_label(point: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {v:g}" if is_number(v) else f"{k} = {v}" for k, v in point.items())


def _in_run(e: Exception, i: int, n: int, point: Mapping[str, Any], source: Any) -> Exception:
    """The error of run ``i`` of ``n``, its message led by the run and its parameters."""
    from fe_interface.errors import FeInterfaceError

    where = f"sweep run {i + 1} of {n} ({_point_label(point)})"
    if isinstance(e, CaseError):
        return CaseError([(p, f"{where}: {m}") for p, m in e.errors], e.source or source)
    if not isinstance(e, FeInterfaceError):
        return e
    named = type(e)(f"{where}: {e}")
    if isinstance(e, OSError) and isinstance(named, OSError):
        named.errno = e.errno
    return named


def _run_one(
    case_i: Any, tagged: Any, folder: Path, comm: Any, i: int, run_files: bool,
    problems: SweepProblems,
) -> Any:  # fmt: skip
    """Solve one variant; with ``run_files`` its files are the result set NAME_run<i>.

    Its problem comes from ``problems`` (the previous run's, updated, if only values
    changed: :mod:`fe_interface.case.sweepreuse`).
    """
    from fe_interface.io.files import ResultSet

    name = f"{case_i.output_name}_run{i:03d}"
    case_i = replace(case_i, output_name=name) if run_files else replace(case_i, files=())
    tr = case_i.transient
    if tr is not None and tr.checkpoint:  # every run restarts from its own state
        case_i = replace(case_i, transient=replace(tr, checkpoint=f"{tr.checkpoint}/run{i:03d}"))
    tagged_i = case_i.check_mesh(tagged)
    problem = problems.get(case_i, tagged_i)
    with ResultSet(folder, name, comm, "case") as rs:
        res = solve_and_write(case_i, problem, tagged_i, rs, comm, lambda s: None)
        if run_files:
            rs.commit()
    return res


def _run_all(
    case: Any,
    runs: list[tuple[dict[str, Any], Any]],
    folder: Path,
    comm: Any,
    say: Callable[[str], None],
) -> SweepResult:
    spec: SweepSpec = case.sweep
    n = len(runs)
    points = [p for p, _ in runs]
    digests = [case_digest(c) for _, c in runs]
    rows: dict[int, Row] = {}
    if spec.resume:
        rows = kept_rows(folder, case.output_name, case.name, points, digests, spec.run_files, comm)
    kept = sorted(rows)
    problems = SweepProblems(reuse=not spec.geometry)  # one problem while only values change
    try:
        _run_rows(case, runs, folder, comm, say, rows, problems, digests)
    finally:
        problems.close()
    outputs = _check_outputs(case, list(spec.outputs), rows)
    result = _commit_table(case, outputs, rows, n, folder, comm, plot=spec.plot)
    result.reused = kept
    return result


def _run_rows(
    case: Any, runs: list[tuple[dict[str, Any], Any]], folder: Path, comm: Any,
    say: Callable[[str], None], rows: dict[int, Row], problems: SweepProblems,
    digests: list[str],
) -> None:  # fmt: skip
    """Run the variants not in ``rows``, committing the table after each."""
    from fe_interface.errors import FeInterfaceError

    spec: SweepSpec = case.sweep
    n = len(runs)
    mesh = None
    outputs: list[str] = list(spec.outputs)
    for i, (point, case_i) in enumerate(runs):
        head = f"sweep run {i + 1}/{n}: {_point_label(point)}"
        if i in rows:
            say(head + " (finished before: kept)")
            continue
        say(head)
        if mesh is None or spec.geometry:
            mesh = case_i.build_mesh(comm)  # once, unless a geometry key is swept
        try:
            res = _run_one(case_i, mesh, folder, comm, i, spec.run_files, problems)
        except FeInterfaceError as e:
            raise _in_run(e, i, n, point, case.source) from None
        rows[i] = Row(
            i, point, flat_outputs(res), tuple(res.warnings), digests[i],
            {k: Path(v).name for k, v in res.files.items()} if spec.run_files else {},
        )  # fmt: skip
        # free this run's objects now (a problem not reused is closed by SweepProblems):
        # meshes and spaces hold MPI communicators (MPICH: 2048 per process), and reference
        # cycles wait for Python's rare full collections; on more than one rank petsc4py
        # parks the PETSc objects Python frees until a collective garbage_cleanup on their
        # communicator (ProblemBase.close)
        del res
        gc.collect()
        from petsc4py import PETSc

        PETSc.garbage_cleanup(mesh.mesh.comm)
        if i < n - 1:
            outputs = _check_outputs(case, outputs, rows)
            _commit_table(case, outputs, rows, n, folder, comm, plot=False)


def _commit_table(
    case: Any,
    outputs: list[str],
    rows: dict[int, Row],
    n: int,
    folder: Path,
    comm: Any,
    plot: bool,
) -> SweepResult:
    """Commit the table (and the plot) of the finished ``rows`` as the result set NAME."""
    from fe_interface.io.files import ResultSet

    spec: SweepSpec = case.sweep
    done = [rows[i] for i in sorted(rows)]
    result = SweepResult(
        case, [p.name for p in spec.parameters], [r.point for r in done], outputs,
        [r.values for r in done], {}, [],
    )  # fmt: skip
    name = case.output_name
    with ResultSet(folder, name, comm, "sweep") as rs:
        paths = (rs.path(f"{name}_sweep.csv"), rs.path(f"{name}_sweep.json"))
        write_table(case, outputs, done, n, paths, comm)
        result.files = {"csv": rs.final(paths[0]), "json": rs.final(paths[1])}
        if plot:
            try:
                png = plot_sweep(result, rs.path(f"{name}_sweep.png"), comm)
                result.files["plot"] = rs.final(png)
            except Exception as e:  # a plot never fails a sweep that ran
                from fe_interface.errors import describe

                result.warnings.append(f"sweep plot not written: {describe(e)}")
        rs.commit()
    for r in done:
        result.files |= {f"run{r.index:03d}_{k}": folder / f for k, f in r.files.items()}
        result.warnings += [f"run {r.index} ({_point_label(r.point)}): {w}" for w in r.warnings]
    return result


def _check_outputs(case: Any, outputs: list[str], rows: Mapping[int, Row]) -> list[str]:
    flat = rows[min(rows)].values
    if not outputs:
        return list(_default_outputs(flat))
    bad = [(i, x) for i, x in enumerate(outputs) if x not in flat]
    if bad:
        avail = ", ".join(flat)
        raise CaseError(
            [
                (f"sweep.outputs[{i}]", f"no output {x!r} in this case (outputs: {avail})")
                for i, x in bad
            ],
            case.source,
        )
    return outputs


def _curves(result: SweepResult) -> list[tuple[str, list[int]]]:
    """(label, run indices) of each curve.

    The runs with equal values of the other parameters (product mode), in the order of
    the first parameter's values.
    """
    spec: SweepSpec = result.case.sweep
    if spec.mode == "zip" or len(spec.parameters) == 1:
        return [("", list(range(len(result.points))))]
    groups: dict[tuple, list[int]] = {}
    for i, idx in enumerate(spec.indices()):
        groups.setdefault(idx[1:], []).append(i)
    return [
        (", ".join(p.label(j) for p, j in zip(spec.parameters[1:], key, strict=True)), runs)
        for key, runs in groups.items()
    ]


def plot_sweep(result: SweepResult, path: Path, comm: Any) -> Path:
    """PNG: each chosen output against the first parameter.

    One curve per combination of the other parameters (rank 0 draws; collective).
    """
    from fe_interface.io.plots import new_figure, save_figure

    spec: SweepSpec = result.case.sweep
    first = spec.parameters[0]
    xs = list(first.values)
    numeric = all(is_number(x) for x in xs)

    def draw() -> None:
        n = max(len(result.outputs), 1)
        fig = new_figure((6.5, 2.6 * n + 0.6))
        axes = fig.subplots(n, 1, squeeze=False)[:, 0]
        for ax, out in zip(axes, result.outputs, strict=False):
            for label, runs in _curves(result):
                x = [result.points[i][first.name] for i in runs]
                x = x if numeric else [xs.index(v) for v in x]
                ax.plot(x, [result.values[i][out] for i in runs], "o-", label=label or None)
            ax.set_ylabel(out, fontsize=8)
            ax.grid(alpha=0.3)
            if spec.log_x and numeric and min(xs) > 0:
                ax.set_xscale("log")
            if not numeric or first.labels:
                ticks = [float(v) for v in xs] if numeric else list(range(len(xs)))
                ax.set_xticks(ticks, [first.label(i) for i in range(len(xs))], fontsize=8)
            if any(lab for lab, _ in _curves(result)):
                ax.legend(fontsize=8)
        axes[-1].set_xlabel(first.name)
        fig.suptitle(f"sweep of case {result.case.name!r}", fontsize=10)
        save_figure(fig, path)

    on_rank0(comm, draw)
    return path


def format_sweep(result: SweepResult) -> str:
    """The sweep table (parameters and chosen outputs) as text."""
    cols = result.parameters + result.outputs
    width = [max(12, len(c) + 2) for c in cols]
    lines = ["".join(f"{c:>{w}}" for c, w in zip(cols, width, strict=True))]
    for p, v in zip(result.points, result.values, strict=True):
        cells = [p[n] for n in result.parameters] + [v[o] for o in result.outputs]
        lines.append(
            "".join(
                f"{x:>{w}.6g}" if is_number(x) else f"{x!s:>{w}}"
                for x, w in zip(cells, width, strict=True)
            )
        )
    return "\n".join(lines)
