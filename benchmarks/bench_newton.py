"""Cost of a k(T) Newton solve against one plain DOLFINx linear solve of the same size.

Cases (each one in a fresh subprocess, optionally under ``mpirun -n NP``; run
alternately, the median of ``--repeat`` runs reported):

* ``plain_ez``  one material (k = 1), plain ``dolfinx.fem.petsc`` Poisson assembly and
  CG + GAMG solve, the stored zeros dropped after assembly (the fair baseline of
  ``bench_interface_vs_poisson.py``, whose worker it is);
* ``const``     ``fe_interface.SteadyProblem``: two materials split at x = 0.5, joined by a
  ``Conductance(50)`` interface, constant k (their k(T) at 350 K): one linear solve;
* ``kT``        the same with k(T): k_A = 1 + 0.004 (T − 300) (1.0 → 1.4 W/(m K) over
  300–400 K, +40 %), k_B = 2 − 0.006 (T − 300) (2.0 → 1.4, −30 %): Newton;
* ``kT_transient`` ``kT`` as a ``TransientProblem`` (backward Euler, fixed dt, 6 steps
  from 300 K): the cost of a time step after the first.

All: unit cube, P1 tetrahedra, T = 400 K at x = 0 and 300 K at x = 1, other faces
insulated, the KSP options of ``fe_interface.solvers.options.ITERATIVE_OPTIONS``.

Figures: **whole run** (mesh + tag + set-up + assemble + solve in-process, without the
imports) and **solve** (``run()``: Newton, or assemble + solve for the linear cases),
wall and CPU time (``time.process_time``, max over ranks: on a shared machine the CPU
time of a process moves less than its wall time).  The ratios kT / plain_ez are the
targets (issue 19: Newton ≤ 2.5 × one plain linear solve).  ``--python`` runs the
fe_interface cases with another checkout's package (``PYTHONPATH``), for before/after
figures in one run.

Usage::

    python benchmarks/bench_newton.py --sizes 64 --repeat 5
    python benchmarks/bench_newton.py --np 2 --sizes 64 --repeat 3
    python benchmarks/bench_newton.py --sizes 64 --before /path/to/old/checkout

See benchmarks/README.md for the results.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))
import bench_interface_vs_poisson as base  # noqa: E402  (the plain worker, the driver helpers)

T_LEFT, T_RIGHT, T_REP = 400.0, 300.0, 350.0
H_IFACE = 50.0
STEPS = 6
DT = 0.01


def _k_coefficients():
    """(k_A, k_B) as polynomial coefficients c0 + c1 T (W/(m K))."""
    return (1.0 - 0.004 * 300.0, 0.004), (2.0 + 0.006 * 300.0, -0.006)


def run_fe(comm, n: int, kind: str, t: dict) -> dict:
    """``const``, ``kT`` or ``kT_transient`` (see the module docstring)."""
    import numpy as np

    import fe_interface as fi
    from fe_interface.model.properties import Polynomial

    c0 = time.process_time()
    t0 = time.perf_counter()
    m = base._box(comm, n, n, n)
    t["mesh"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    tm = fi.tag_mesh(
        m,
        {"a": (1, lambda x: x[0] < 0.5), "b": (2, lambda x: x[0] > 0.5)},
        {
            "left": (1, lambda x: np.isclose(x[0], 0.0)),
            "right": (2, lambda x: np.isclose(x[0], 1.0)),
        },
        {"i": (100, ("a", "b"))},
    )
    t["tag"] = time.perf_counter() - t0
    ca, cb = _k_coefficients()
    if kind == "const":
        ka, kb = ca[0] + ca[1] * T_REP, cb[0] + cb[1] * T_REP
    else:
        ka = Polynomial(ca, name="k_A", unit="W/(m K)")
        kb = Polynomial(cb, name="k_B", unit="W/(m K)")
    mats = {"a": fi.Material("A", ka, 1.0, 1.0), "b": fi.Material("B", kb, 1.0, 1.0)}
    ifc = [fi.Interface("i", fi.Conductance(H_IFACE))]
    bcs = [fi.FixedTemperature("left", T_LEFT), fi.FixedTemperature("right", T_RIGHT)]
    if kind == "kT_transient":
        p = fi.TransientProblem(tm, mats, ifc, bcs, initial_temperature=T_RIGHT)
    else:
        p = fi.SteadyProblem(tm, mats, ifc, bcs)
    t0 = time.perf_counter()
    p.initialise()
    t["setup"] = time.perf_counter() - t0
    c1 = time.process_time()
    t0 = time.perf_counter()
    if kind == "kT_transient":
        ticks: list[tuple[float, float]] = []
        p.run(
            t_end=STEPS * DT,
            dt=DT,
            callback=lambda _p: ticks.append((time.perf_counter(), time.process_time())),
            progress=False,
        )
        t["solve"] = time.perf_counter() - t0
        t["assemble"] = 0.0
        t["step_first"] = ticks[0][0] - t0
        t["step_next"] = (ticks[-1][0] - ticks[0][0]) / (len(ticks) - 1)
        t["step_next_cpu"] = (ticks[-1][1] - ticks[0][1]) / (len(ticks) - 1)
        info = p.last_solve
        newton_its = p.stats.get("newton_its", 0)
    else:
        res = p.run()
        t["solve"] = time.perf_counter() - t0
        t["assemble"] = p.timings.get("assemble", 0.0)
        info = res.solve
        newton_its = info.newton_iterations
    t["solve_cpu"] = time.process_time() - c1
    t["total_cpu"] = time.process_time() - c0
    T = p.formulation.T.x.array
    solver = getattr(p, "newton", None) or p.solver
    out = {
        "ndofs": int(p.formulation.space.dofmap.index_map.size_global),
        "iterations": int(info.iterations),
        "newton": int(newton_its),
        "history": list(info.residual_history),
        "Tmin": float(comm.allreduce(float(T.min()), op=base._mpi_min())),
        "Tmax": float(comm.allreduce(float(T.max()), op=base._mpi_max())),
        "Tsum": float(comm.allreduce(float(np.sum(T)), op=base._mpi_max())),
        "jacobians": int(getattr(solver, "jacobians", 0)),
        "preconditioners": int(getattr(solver, "preconditioners", 0)),
        "chord_steps": int(getattr(solver, "chord_steps", 0)),
        "package": str(Path(fi.__file__).parent),
    }
    p.close()
    return out


def worker(kind: str, n: int) -> None:
    from mpi4py import MPI  # (loads libmpi before dolfinx)
    from petsc4py import PETSc

    import fe_interface  # noqa: F401

    comm = MPI.COMM_WORLD
    PETSc.Log.begin()
    t: dict[str, float] = {}
    comm.Barrier()
    c0 = time.process_time()
    t0 = time.perf_counter()
    if kind == "plain_ez":
        info = base.run_plain(comm, [n, n, n], t, eliminate_zeros=True)
    else:
        info = run_fe(comm, n, kind, t)
    comm.Barrier()
    t["total"] = time.perf_counter() - t0
    t["total_cpu"] = time.process_time() - c0
    events = {}
    for name in ("SNESJacobianEval", "SNESFunctionEval", "KSPSolve", "PCSetUp"):
        try:
            events[name] = comm.allreduce(
                float(PETSc.Log.Event(name).getPerfInfo()["time"]), op=MPI.MAX
            )
        except Exception:  # not registered in this build
            pass
    tt = {k: comm.allreduce(v, op=MPI.MAX) for k, v in t.items()}
    if comm.rank == 0:
        out = {"kind": kind, "n": n, "np": comm.size, "timings": tt, "events": events, **info}
        print("RESULT " + json.dumps(out), flush=True)


def run_case(kind: str, n: int, nproc: int, timeout: float, pythonpath: str | None) -> dict:
    cmd = [sys.executable, str(HERE), "--worker", kind, str(n)]
    if nproc > 1:
        cmd = [base._mpirun(), "-n", str(nproc), *cmd]
    env = os.environ.copy()
    if pythonpath and kind != "plain_ez":
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    try:
        cp = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"kind": kind, "n": n, "error": f"timeout after {timeout} s"}
    for line in cp.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = (cp.stderr or cp.stdout).strip().splitlines()[-5:]
    return {"kind": kind, "n": n, "error": f"exit code {cp.returncode}: " + " | ".join(tail)}


def _solve_time(r: dict, cpu: bool) -> float:
    """Newton (or assemble + solve) time, s."""
    t = r["timings"]
    if cpu:
        return t["solve_cpu"]
    return t["assemble"] + t["solve"] if r["kind"] == "plain_ez" else t["solve"]


def _median(xs: list[float]) -> float:
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")


def measure(cases: list[tuple[str, str, str | None]], n: int, args) -> dict:
    """label -> runs; every case once per round, rounds repeated."""
    runs: dict[str, list[dict]] = {label: [] for label, _, _ in cases}
    for _ in range(args.repeat):
        for label, kind, path in cases:
            r = run_case(kind, n, args.np, args.timeout, path)
            r["label"] = label
            runs[label].append(r)
            brief = r.get("error") or (
                f"total {r['timings']['total']:.2f} s, solve {_solve_time(r, False):.2f} s, "
                f"newton {r.get('newton', 0)}, its {r['iterations']}"
            )
            print(f"  {label:>14} n={n}: {brief}", file=sys.stderr, flush=True)
    return runs


def _figures(rs: list[dict]) -> dict[str, float]:
    """Medians of the whole-run and solve times, wall and CPU (s)."""
    return {
        "whole": _median([r["timings"]["total"] for r in rs]),
        "solve": _median([_solve_time(r, False) for r in rs]),
        "whole_cpu": _median([r["timings"]["total_cpu"] for r in rs]),
        "solve_cpu": _median([_solve_time(r, True) for r in rs]),
    }


def report(runs: dict, n: int, nproc: int, load: tuple[float, float]) -> None:
    print(f"\n### n = {n}, np = {nproc}, load average {load[0]:.1f} → {load[1]:.1f}\n")
    print(
        "| case | dofs | whole run s | solve s | whole CPU s | solve CPU s | Newton | KSP its "
        "| Jacobians | PC set-ups | whole / plain | solve / plain | CPU whole / plain "
        "| CPU solve / plain |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ok = {k: [r for r in rs if "error" not in r] for k, rs in runs.items()}
    p = _figures(ok.get("plain_ez", []))
    for label, rs in ok.items():
        if not rs:
            print(f"| {label} | FAILED: {runs[label][0].get('error')} |")
            continue
        f = _figures(rs)
        r0 = rs[0]
        print(
            f"| {label} | {r0['ndofs']:,} | {f['whole']:.2f} | {f['solve']:.2f} "
            f"| {f['whole_cpu']:.2f} | {f['solve_cpu']:.2f} | {r0.get('newton', 0)} "
            f"| {r0['iterations']} | {r0.get('jacobians') or '–'} "
            f"| {r0.get('preconditioners') or '–'} | "
            + " | ".join(f"{f[k] / p[k]:.2f}" for k in ("whole", "solve", "whole_cpu", "solve_cpu"))
            + " |"
        )
    # ratios round by round (a drift of the machine's speed hits both alike)
    print("\n| case / plain_ez, per round | whole run (min – median – max) | solve | CPU solve |")
    print("|---|---|---|---|")
    for label, rs in runs.items():
        pairs = [
            (a, b)
            for a, b in zip(rs, runs.get("plain_ez", []), strict=False)
            if "error" not in a and "error" not in b
        ]
        if label == "plain_ez" or not pairs:
            continue
        cells = []
        for fig in (
            lambda r: r["timings"]["total"],
            lambda r: _solve_time(r, False),
            lambda r: _solve_time(r, True),
        ):
            q = sorted(fig(a) / fig(b) for a, b in pairs)
            cells.append(f"{q[0]:.2f} – {statistics.median(q):.2f} – {q[-1]:.2f}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    tr = {k: rs for k, rs in ok.items() if k.startswith("kT_transient") and rs}
    if tr and ok.get("plain_ez"):
        print("\n| transient case | later step s | CPU s | step / plain assemble+solve | CPU |")
        print("|---|---:|---:|---:|---:|")
        for label, rs in tr.items():
            st = _median([r["timings"]["step_next"] for r in rs])
            sc = _median([r["timings"]["step_next_cpu"] for r in rs])
            print(
                f"| {label} | {st:.3f} | {sc:.3f} | {st / p['solve']:.2f} "
                f"| {sc / p['solve_cpu']:.2f} |"
            )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[64], help="cells per side (even)")
    ap.add_argument("--np", type=int, default=1, help="MPI processes per case")
    ap.add_argument("--repeat", type=int, default=3, help="rounds (median reported)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="per case, s")
    ap.add_argument(
        "--cases",
        nargs="+",
        default=["plain_ez", "const", "kT", "kT_transient"],
        help="cases to run",
    )
    ap.add_argument(
        "--before",
        type=str,
        default=None,
        help="a checkout of an earlier fe_interface: its kT cases run too (label *_before)",
    )
    ap.add_argument("--json", type=str, default=None, help="write every run to this file")
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker[0], int(args.worker[1]))
        return
    cases: list[tuple[str, str, str | None]] = [(k, k, None) for k in args.cases]
    if args.before:
        cases += [(f"{k}_before", k, args.before) for k in args.cases if k.startswith("kT")]
    print(f"# k(T) Newton benchmark, {time.strftime('%Y-%m-%d %H:%M')}, np = {args.np}")
    for label, kind, path in cases:  # warm-up: compile every form family
        r = run_case(kind, 4, args.np, args.timeout, path)
        if "error" in r:
            print(f"warm-up {label} failed: {r['error']}", file=sys.stderr)
    every = []
    for n in args.sizes:
        load0 = os.getloadavg()[0]
        runs = measure(cases, n, args)
        report(runs, n, args.np, (load0, os.getloadavg()[0]))
        every += [r for rs in runs.values() for r in rs]
    if args.json:
        Path(args.json).write_text(json.dumps(every, indent=1))


if __name__ == "__main__":
    main()
