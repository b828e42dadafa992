"""The ``fe-interface`` command.

::

    fe-interface run CASE.toml [--out DIR]     validate, mesh, solve, write the outputs
                                               (a case with [sweep]: one run per value)
    fe-interface check CASE.toml               every check 'run' makes before it solves
    fe-interface demos                         list the demos
    fe-interface demo NAME [--out DIR] [--png] run demos/NAME.py's main() (+ ParaView PNG)
    fe-interface materials [--json]            bulk, phonon (Kapitza) and gas data
    fe-interface render FILE [--png OUT]       PNG of a .vtu/.xdmf result (ParaView)
    fe-interface info                          versions, PETSc packages, MPI

Everything works under ``mpirun -n N fe-interface ...``: every rank computes, rank 0
alone prints, and each output file is written once.

Exit status: 0 success; 2 invalid input (case file, mesh, command line, a busy output
folder, an incomplete result set given to ``render``); 1 a failure during the run (a
solve that failed, result files that could not be written, an unexpected error).
Errors are one ``fe-interface: error: ...`` line naming the item, without a traceback;
``--debug`` (or ``FE_INTERFACE_DEBUG=1``) prints the traceback too.

Under MPI the ranks agree on the outcome before they exit: errors of this package are
raised on every rank (see :mod:`fe_interface.errors`), so all ranks return the same
status and rank 0 prints the message.  A rank that fails alone with an unexpected
error waits ``FE_INTERFACE_MPI_TIMEOUT`` seconds (default 30) for the others; if they
are stuck in a collective call it reports the error and aborts the job.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mpi4py import MPI

from fe_interface.cli_reference import cmd_info, cmd_materials, info_data

__all__ = ["demos_dir", "info_data", "list_demos", "main"]


def _rank0() -> bool:
    return MPI.COMM_WORLD.rank == 0


def _print(*args: Any, **kw: Any) -> None:
    if _rank0():
        print(*args, **kw, flush=True)


def _error(msg: str) -> None:
    if _rank0():
        print(f"fe-interface: error: {msg}", file=sys.stderr, flush=True)


def _render_on_rank0(render: Callable[[], Any], png: Path, warn: bool = False) -> int:
    """Run a ParaView ``render()`` on rank 0 and report it on every rank.

    Exit status 0 (``rendered PNG``), 2 (the script refused its input: no such field, a
    wrong option) or 1 (any other :class:`~fe_interface.io.paraview.ParaViewError`); with
    ``warn`` a failure is a warning (``PNG not written: ...``) and the status 0.
    """
    from fe_interface.io import paraview

    err, status = None, 1
    if _rank0():
        try:
            render()
        except paraview.ParaViewError as e:
            err = str(e)
            status = 2 if isinstance(e, paraview.ParaViewInputError) else 1
        except Exception as e:  # anything else: reported on every rank too
            err = f"rendering {png} failed: {type(e).__name__}: {e}"
    err, status = MPI.COMM_WORLD.bcast((err, status), root=0)
    if err and warn:  # a picture after a run that worked: never a failure
        warnings.warn(f"PNG not written: {err}", stacklevel=2)
        return 0
    if err:
        _error(err)
        return status
    _print(f"rendered {png}")
    return 0


# --------------------------------------------------------------------------------------
# demos
# --------------------------------------------------------------------------------------
def demos_dir() -> Path:
    """The demos folder: ``$FE_INTERFACE_DEMOS``, else ``demos/`` of the source tree."""
    env = os.environ.get("FE_INTERFACE_DEMOS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / "demos"


def _demo_title(path: Path) -> str:
    """First Markdown heading (``# # Title``) or docstring line of a demo."""
    for line in path.read_text(encoding="utf-8").splitlines()[:60]:
        s = line.strip()
        if s.startswith("# # "):
            return s[4:].strip()
        if s.startswith('"""') and len(s) > 3:
            return s.strip('"').strip()
    return ""


def list_demos() -> dict[str, tuple[Path, str]]:
    """Demo name (without ``demo_``) -> (file, title)."""
    d = demos_dir()
    if not d.is_dir():
        return {}
    return {p.stem.removeprefix("demo_"): (p, _demo_title(p)) for p in sorted(d.glob("demo_*.py"))}


def _load_demo(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the demo {path}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# --------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace) -> int:
    from fe_interface.case import load_case, run_case
    from fe_interface.io.summary import format_table

    case = load_case(args.case)
    if case.sweep is not None:  # [sweep]: one run per parameter value, one table
        return _run_sweep(case, args)
    res = run_case(case, out=args.out, log=None if args.quiet else _print)
    if _rank0():
        if case.description:
            print(case.description)
        print(
            format_table(
                res.interfaces, res.balance, getattr(res, "derived", None), _per_depth(res)
            )
        )
        if getattr(res.problem, "result", None) is not None:  # thermo-mechanical contact
            from fe_interface.case.mechanics import format_contacts

            print(format_contacts(res.problem, res.problem.result))
        s = res.solve
        newton = f", {s.newton_iterations} Newton steps" if s.newton_iterations else ""
        resp = getattr(res, "response", None)
        if resp is not None:
            times = ", ".join(
                f"{k.removesuffix('_s')} = {v:.4g} s"
                if v is not None
                else f"{k.removesuffix('_s')} -"
                for k, v in resp.times_s.items()
            )
            print(
                f"junction {case.junction!r}: {resp.initial_K:.6g} K -> {resp.final_K:.6g} K; "
                f"{times} (of the change up to the end; dT/dt at the end {resp.end_rate_K_s:.3g} K/s)"
            )
        if res.transient is not None:
            tr = res.transient
            print(
                f"time: {tr.time:.6g} s after {tr.steps} steps ({tr.rejected} rejected); "
                f"last solve: {s.iterations} iterations{newton} ({s.converged_reason})"
            )
        else:
            print(f"solver: {s.iterations} iterations{newton} ({s.converged_reason})")
        for w in res.warnings:
            print(f"warning: {w}")
        print("files:")
        for p in res.files.values():
            for q in p if isinstance(p, list) else [p]:
                print(f"  {q}")
    return 0


def _per_depth(res: Any) -> bool:
    """True for a 2D planar model (its totals are per metre of depth)."""
    p = getattr(res.problem, "thermal", None) or res.problem
    f = getattr(p, "formulation", None)
    return f is not None and f.mesh.geometry.dim == 2 and not f.axisymmetric


def _run_sweep(case: Any, args: argparse.Namespace) -> int:
    """``fe-interface run`` of a case with a [sweep]: the sweep table, warnings, files."""
    from fe_interface.case.sweep import format_sweep, run_sweep

    res = run_sweep(case, out=args.out, log=None if args.quiet else _print)
    if _rank0():
        if case.description:
            print(case.description)
        print(format_sweep(res))
        for w in res.warnings:
            print(f"warning: {w}")
        print("files:")
        for p in res.files.values():
            print(f"  {p}")
    return 0


def _print_files(warns: list[str], files: Mapping[str, Any]) -> None:
    for w in warns:
        print(f"warning: {w}")
    print("files:")
    for p in files.values():
        print(f"  {p}")


def cmd_fit(args: argparse.Namespace) -> int:
    """``fe-interface fit CASE --data FILE``: the [fit] of a case (fe_interface.case.studies)."""
    from fe_interface.case import load_case
    from fe_interface.case.studies import run_fit
    from fe_interface.studies.report import format_fit

    res, files, warns = run_fit(load_case(args.case), args.data, args.out)
    if _rank0():
        print(format_fit(res))
        _print_files(warns, files)
    return 0


def cmd_uncertainty(args: argparse.Namespace) -> int:
    """``fe-interface uncertainty CASE``: the [uncertainty] of a case."""
    from fe_interface.case import load_case
    from fe_interface.case.studies import run_uncertainty
    from fe_interface.studies.report import format_uncertainty

    res, files, warns = run_uncertainty(load_case(args.case), args.out, restart=not args.fresh)
    if _rank0():
        print(format_uncertainty(res))
        _print_files(warns, files)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from fe_interface.case import check_case, load_case

    case = load_case(args.case)
    lines: list[str] = []
    report = None
    if any(s.pair is not None for s in case.interfaces):  # non-matching pairs: the search
        from fe_interface.case.pairs import pair_report

        def report(problem: Any) -> None:  # of the problem checked (not built again)
            lines.extend(pair_report(problem))

    tagged = check_case(case, report=report)  # what 'run' checks before it solves
    tdim = tagged.mesh.topology.dim
    ncells = tagged.mesh.topology.index_map(tdim).size_global
    _print(
        f"{args.case}: OK ({ncells} cells; regions {', '.join(sorted(tagged.cell_names))}; "
        f"facet groups {', '.join(sorted(tagged.facet_names))})"
    )
    for contact in case.contacts:  # a CAD assembly: the contacts found
        a, b = contact.parts
        _print(f"contact {contact.name}: parts {a} and {b}, area {contact.area_m2:.6g} m2")
    for line in lines:
        _print(line)
    return 0


def cmd_demos(args: argparse.Namespace) -> int:
    demos = list_demos()
    if not demos:
        _print(f"no demos found in {demos_dir()} (set FE_INTERFACE_DEMOS)")
        return 1
    from fe_interface.io import paraview

    width = max(len(n) for n in demos)
    for name, (_, title) in demos.items():
        png = " [ParaView script]" if paraview.demo_script(name) else ""
        _print(f"{name:<{width}}  {title}{png}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    import inspect

    demos = list_demos()
    name = args.name.removeprefix("demo_").removesuffix(".py")
    if name not in demos:
        _error(f"unknown demo {args.name!r}; demos: {', '.join(demos) or 'none'}")
        return 2
    path, _ = demos[name]
    mod = _load_demo(path)
    if not hasattr(mod, "main"):
        _error(f"{path} has no main()")
        return 1
    kwargs = {}
    params = inspect.signature(mod.main).parameters
    if args.out is not None:
        if "out" not in params:
            _error(f"demo {name!r} does not take an output folder")
            return 2
        kwargs["out"] = args.out
    result = mod.main(**kwargs)
    if args.png and (status := _demo_png(name, args.out, params)):
        return status
    from fe_interface.postprocessing.checks import Check, checks_as_json, failures

    checks = isinstance(result, dict) and all(isinstance(c, Check) for c in result.values())
    if args.json and _rank0():
        doc = checks_as_json(result) if checks else result
        print(json.dumps(doc, indent=2, default=str))
    if checks and (bad := failures(result)):
        for line in bad:
            _error(f"demo {name!r}: check failed: {line}")
        return 1
    return 0


def _demo_png(name: str, out: Any, params: Mapping[str, Any]) -> int:
    """Render the PNG of demo ``name`` with ParaView; exit status 0 or 2 (no output folder).

    ``out``: the ``--out`` folder, else the default of the demo's ``out`` parameter.  A PNG
    that cannot be rendered (ParaView missing, a script failing) is a warning: the demo ran.
    """
    from fe_interface.io import paraview

    out = out or (params["out"].default if "out" in params else None)
    if out is None:
        _error("--png needs the demo's output folder")
        return 2
    png = Path(out) / f"{name}.png"
    return _render_on_rank0(lambda: paraview.render_demo(name, out, png), png, warn=True)


def cmd_render(args: argparse.Namespace) -> int:
    from fe_interface.errors import InputError
    from fe_interface.io import paraview
    from fe_interface.io.files import check_result_file

    if not Path(args.file).is_file():
        raise InputError(f"{args.file}: file not found")
    check_result_file(args.file)  # a result set that is incomplete or changed: refused
    png = Path(args.png) if args.png else Path(args.file).with_suffix(".png")
    warp = None if args.warp is None else (True if args.warp < 0 else args.warp)
    return _render_on_rank0(
        lambda: paraview.render(
            args.file, png, title=args.title, view=args.view, field=args.field, warp=warp,
            clip=args.clip, time=args.time,
        ),
        png,
    )  # fmt: skip


# --------------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """argparse that prints (help, usage errors) on rank 0 only."""

    def _print_message(self, message: str, file: Any = None) -> None:
        if _rank0():
            super()._print_message(message, file)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="fe-interface",
        description="Heat conduction with temperature jumps on interfaces (DOLFINx).",
        epilog="Case format: docs/case-format.md. Under MPI: mpirun -n N fe-interface run ...",
    )
    p.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    # Any: add_parser is replaced below (argparse's stubs do not allow it)
    sub: Any = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks of errors"
    )
    add = sub.add_parser

    def add_parser(name: str, **kw: Any) -> argparse.ArgumentParser:
        return add(name, parents=[common], **kw)

    sub.add_parser = add_parser
    r = sub.add_parser("run", help="run a TOML case file")
    r.add_argument("case", help="case file (.toml)")
    r.add_argument(
        "--out", default=None, help="output folder (default: the case's, else results/NAME)"
    )
    r.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    r.set_defaults(func=cmd_run)
    f = sub.add_parser("fit", help="fit a case's [fit] parameters to measured temperatures")
    f.add_argument("case", help="case file (.toml) with a [fit] table")
    f.add_argument("--data", default=None, help="measurements (CSV; default: fit.data)")
    f.add_argument("--out", default=None, help="output folder")
    f.set_defaults(func=cmd_fit)
    u = sub.add_parser("uncertainty", help="propagate a case's [uncertainty] inputs")
    u.add_argument("case", help="case file (.toml) with an [uncertainty] table")
    u.add_argument("--out", default=None, help="output folder")
    u.add_argument("--fresh", action="store_true", help="do not resume finished samples")
    u.set_defaults(func=cmd_uncertainty)
    c = sub.add_parser(
        "check", help="every check 'run' makes before it solves: case, mesh, problem (no solve)"
    )
    c.add_argument("case")
    c.set_defaults(func=cmd_check)
    d = sub.add_parser("demos", help="list the demos")
    d.set_defaults(func=cmd_demos)
    d = sub.add_parser("demo", help="run a demo's main()")
    d.add_argument("name", help="demo name (see 'fe-interface demos')")
    d.add_argument("--out", default=None, help="output folder")
    d.add_argument("--png", action="store_true", help="render a PNG with ParaView afterwards")
    d.add_argument("--json", action="store_true", help="print main()'s return value as JSON")
    d.set_defaults(func=cmd_demo)
    m = sub.add_parser("materials", help="material databases (bulk, phonon, gases)")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_materials)
    i = sub.add_parser("info", help="versions of fe_interface, DOLFINx, PETSc, MPI")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_info)
    v = sub.add_parser("render", help="PNG of a .vtu/.xdmf result with ParaView (pvbatch)")
    v.add_argument("file")
    v.add_argument("--png", default=None, help="output (default: FILE with .png)")
    v.add_argument("--title", default=None)
    v.add_argument("--view", default="auto", choices=["auto", "xy", "iso"])
    v.add_argument(
        "--field", default=None, help="array to show (default: temperature_K, else "
        "contact_pressure_Pa, else the first point array)",
    )  # fmt: skip
    v.add_argument(
        "--warp", nargs="?", type=float, const=-1.0, default=None, metavar="SCALE",
        help="deformed shape (mechanics files) or 2D field as height; SCALE: factor",
    )  # fmt: skip
    v.add_argument("--clip", default=None, metavar="AXIS[=VALUE]", help="cut at x, y or z (m)")
    v.add_argument("--time", type=float, default=None, help="frame nearest this time (s)")
    v.set_defaults(func=cmd_render)
    return p


def _exit_code(e: BaseException) -> int:
    """2 for invalid input, 1 for everything else."""
    from fe_interface.errors import InputError

    return 2 if isinstance(e, InputError) else 1


def _message(e: BaseException) -> str:
    from fe_interface.errors import FeInterfaceError

    if isinstance(e, FeInterfaceError):
        return str(e) or type(e).__name__
    if isinstance(e, OSError) and e.filename:
        return f"{e.filename}: {e.strerror or e}"
    where = ""
    tb = traceback.extract_tb(e.__traceback__)
    if tb:
        where = f" (in {Path(tb[-1].filename).name}:{tb[-1].lineno})"
    return f"internal error: {type(e).__name__}: {e}{where}; rerun with --debug for the traceback"


@contextmanager
def _cli_warnings() -> Iterator[None]:
    """Warnings as ``fe-interface: warning: ...`` lines, on rank 0, each once."""
    seen: set[str] = set()
    old = warnings.showwarning

    def show(
        message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None
    ) -> None:
        text = str(message)
        if issubclass(category, DeprecationWarning) or text in seen:
            return
        seen.add(text)
        if _rank0():
            print(f"fe-interface: warning: {text}", file=sys.stderr, flush=True)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = old


def _agree_on_exit(comm: Any, code: int, msg: str | None, timeout: float) -> tuple[int, str | None]:
    """Every rank's outcome, agreed on a communicator of its own.

    Returns (status, message of the lowest failing rank). A failing rank whose partners never arrive
    (stuck in a collective call) prints its message and aborts the job after ``timeout`` s.
    """
    req = comm.Ibarrier()
    if msg is None:
        req.Wait()
    else:
        t0 = time.monotonic()
        while not req.Test():
            if time.monotonic() - t0 > timeout:
                print(
                    f"fe-interface: error on rank {MPI.COMM_WORLD.rank}: {msg}",
                    file=sys.stderr,
                    flush=True,
                )
                # mpirun forwards a rank's output asynchronously: let it reach the user
                # before the abort tears the job down (measured: without the pause the
                # message was sometimes lost)
                time.sleep(1.0)
                MPI.COMM_WORLD.Abort(code or 1)
            time.sleep(0.01)
    outcomes = comm.allgather((code, msg))
    failed = [(c, m) for c, m in outcomes if m is not None]
    if failed:
        return failed[0]
    return max(c for c, _ in outcomes), None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``fe-interface`` console script."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse: --help (0) or a usage error (2)
        return int(e.code or 0)
    debug = bool(getattr(args, "debug", False)) or os.environ.get("FE_INTERFACE_DEBUG", "") not in (
        "",
        "0",
    )
    world = MPI.COMM_WORLD
    comm = world.Dup() if world.size > 1 else None  # for the agreement alone
    code, msg = 0, None
    try:
        with _cli_warnings():
            code = int(args.func(args) or 0)
    except KeyboardInterrupt:
        code, msg = 130, "interrupted"
    except Exception as e:
        code, msg = _exit_code(e), _message(e)
        if debug:
            traceback.print_exc()
    if comm is not None:
        timeout = float(os.environ.get("FE_INTERFACE_MPI_TIMEOUT", "30"))
        code, msg = _agree_on_exit(comm, code, msg, timeout)
        comm.Free()
    if msg is not None:
        _error(msg)
    return code


if __name__ == "__main__":
    sys.exit(main())
