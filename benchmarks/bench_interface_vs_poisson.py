"""Cost of the interface solver against a plain DOLFINx Poisson solve.

Cases (each one runs in a fresh subprocess, optionally under ``mpirun -n NP``, so
that the peak resident memory ``ru_maxrss`` belongs to that case alone):

* ``plain``   single material, plain ``dolfinx.fem.petsc`` assembly, one P1 space;
* ``plain_ez`` ``plain`` plus ``MatEliminateZeros`` after assembly (drops the stored zeros
              of ``create_box`` meshes: the fair baseline, see benchmarks/README.md);
* ``iface``   two materials split at x = 0.5 with a ``Conductance`` interface
              (``fe_interface.SteadyProblem`` on the broken Lagrange space);
* ``transient`` ``iface`` as a ``fe_interface.TransientProblem``: backward Euler, fixed dt;
              the cost of a time step after the first (matrix and preconditioner reused);
* ``stack50`` 50 slabs along x, alternating two materials, 49 interfaces each with
              its own ``Conductance``;
* ``stack2``  one interface at x = 0.5 on a 148-cell box: the same number of dofs as
              ``stack50`` (150 (m + 1)^2 each).

All cases: unit cube / box, P1 tetrahedra, T = 400 K at x = 0, T = 300 K at x = 1,
every other face insulated, and the KSP options of
``fe_interface.solvers.options.ITERATIVE_OPTIONS`` (CG + GAMG, rtol 1e-10).

Usage::

    python benchmarks/bench_interface_vs_poisson.py                      # full serial
    python benchmarks/bench_interface_vs_poisson.py --sizes 16 32 --stack-sizes 20
    python benchmarks/bench_interface_vs_poisson.py --np 2 --sizes 16 32 64
    python benchmarks/bench_interface_vs_poisson.py --transient 32 64    # time step vs solve
    python benchmarks/bench_interface_vs_poisson.py --jit-only           # JIT cold/warm

See benchmarks/README.md for the results and what the columns mean.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
T_LEFT, T_RIGHT = 400.0, 300.0
K_A, K_B = 1.0, 2.0
H_IFACE = 50.0
NLAYERS = 50
TRANSIENT_STEPS = 6
STACK_NX = 100  # x cells of the 50-layer box: 2 cells per slab

# PETSc log events reported per case (seconds, max over ranks)
EVENTS = [
    "KSPSolve",
    "PCSetUp",
    "PCApply",
    "MatPtAPSymbolic",
    "MatPtAPNumeric",
    "MatCreateGraph",
    "MatCoarsen",
    "MatTrnMatMultSym",
    "KSPGMRESOrthog",
]


# --------------------------------------------------------------------------- worker
def _rss_now_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _box(comm, nx: int, ny: int, nz: int):
    from dolfinx import mesh as dmesh

    return dmesh.create_box(
        comm,
        [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]],
        [nx, ny, nz],
        dmesh.CellType.tetrahedron,
        ghost_mode=dmesh.GhostMode.shared_facet,
    )


def _ksp_from_options(comm, A, prefix: str):
    from petsc4py import PETSc

    from fe_interface.solvers.options import ITERATIVE_OPTIONS

    ksp = PETSc.KSP().create(comm)
    ksp.setOptionsPrefix(prefix)
    opts = PETSc.Options()
    opts.prefixPush(prefix)
    for k, v in ITERATIVE_OPTIONS.items():
        opts[k] = v
    opts.prefixPop()
    ksp.setFromOptions()
    ksp.setOperators(A)
    return ksp


def run_plain(comm, dims, t: dict, eliminate_zeros: bool = False) -> dict:
    """Single-material Poisson with plain dolfinx.fem.petsc assembly.

    ``eliminate_zeros``: drop the stored zeros of the assembled matrix as
    fe_interface.solver does (on ``create_box`` meshes the P1 stiffness matrix is the
    7-point stencil stored in a 15-point sparsity).
    """
    from petsc4py import PETSc

    import dolfinx.fem.petsc
    import numpy as np
    import ufl
    from dolfinx import fem
    from dolfinx import mesh as dmesh

    t0 = time.perf_counter()
    m = _box(comm, *dims)
    t["mesh"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    tdim = m.topology.dim
    m.topology.create_entities(tdim - 1)
    m.topology.create_connectivity(tdim - 1, tdim)
    left = dmesh.locate_entities_boundary(m, tdim - 1, lambda x: np.isclose(x[0], 0.0))
    right = dmesh.locate_entities_boundary(m, tdim - 1, lambda x: np.isclose(x[0], 1.0))
    t["tag"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    V = fem.functionspace(m, ("Lagrange", 1))
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    k = fem.Constant(m, PETSc.ScalarType(K_A))
    zero = fem.Constant(m, PETSc.ScalarType(0.0))
    a = fem.form(k * ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx)
    L = fem.form(zero * v * ufl.dx)
    bcs = [
        fem.dirichletbc(
            PETSc.ScalarType(T_LEFT), fem.locate_dofs_topological(V, tdim - 1, left), V
        ),
        fem.dirichletbc(
            PETSc.ScalarType(T_RIGHT), fem.locate_dofs_topological(V, tdim - 1, right), V
        ),
    ]
    A = dolfinx.fem.petsc.create_matrix(a)
    b = dolfinx.fem.petsc.create_vector(V)
    uh = fem.Function(V)
    ksp = _ksp_from_options(comm, A, "plain_")
    t["setup"] = time.perf_counter() - t0

    c0 = time.process_time()
    t0 = time.perf_counter()
    dolfinx.fem.petsc.assemble_matrix(A, a, bcs=bcs)
    A.assemble()
    if eliminate_zeros:
        from fe_interface.solvers.linear import eliminate_zeros as _ez

        _ez(A)
    with b.localForm() as bl:
        bl.set(0.0)
    dolfinx.fem.petsc.assemble_vector(b, L)
    dolfinx.fem.petsc.apply_lifting(b, [a], bcs=[bcs])
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    dolfinx.fem.petsc.set_bc(b, bcs)
    t["assemble"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    ksp.solve(b, uh.x.petsc_vec)
    uh.x.scatter_forward()
    t["solve"] = time.perf_counter() - t0
    t["solve_cpu"] = time.process_time() - c0  # assemble + solve
    reason = ksp.getConvergedReason()
    if reason < 0:
        raise RuntimeError(f"plain solve diverged: {reason}")
    # sanity: with k = 1 the solution is linear in x, between 300 and 400 K
    tmin = comm.allreduce(uh.x.array.min(), op=_mpi_min())
    tmax = comm.allreduce(uh.x.array.max(), op=_mpi_max())
    return {
        "ndofs": V.dofmap.index_map.size_global,
        "ncells": m.topology.index_map(tdim).size_global,
        "iterations": ksp.getIterationNumber(),
        "residual": ksp.getResidualNorm(),
        "Tmin": float(tmin),
        "Tmax": float(tmax),
        "nnz": int(A.getInfo()["nz_used"]),
    }


def _mpi_min():
    from mpi4py import MPI

    return MPI.MIN


def _mpi_max():
    from mpi4py import MPI

    return MPI.MAX


def run_interface(comm, dims, nlayers: int, t: dict, steps: int = 0) -> dict:
    """``nlayers`` slabs along x, alternating materials, one Conductance per interface.

    ``steps`` > 0: a transient run (backward Euler, fixed dt) of that many steps instead;
    ``t["step_first"]`` and ``t["step_next"]`` (mean of the later ones) are the step times.
    """

    import numpy as np

    from fe_interface import (
        Conductance,
        FixedTemperature,
        Interface,
        Material,
        SteadyProblem,
        TransientProblem,
        tag_mesh,
    )

    if dims[0] % nlayers:
        raise SystemExit(f"nx = {dims[0]} is not a multiple of {nlayers}: non-conforming layers")

    t0 = time.perf_counter()
    m = _box(comm, *dims)
    t["mesh"] = time.perf_counter() - t0
    t0 = time.perf_counter()

    def slab(i):
        def marker(x):
            j = np.clip(np.floor(x[0] * nlayers).astype(np.int64), 0, nlayers - 1)
            return j == i

        return marker

    names = [f"s{i}" for i in range(nlayers)]
    cells = {names[i]: (i + 1, slab(i)) for i in range(nlayers)}
    bnd = {
        "left": (1, lambda x: np.isclose(x[0], 0.0)),
        "right": (2, lambda x: np.isclose(x[0], 1.0)),
    }
    ifc = {f"i{i}": (100 + i, (names[i], names[i + 1])) for i in range(nlayers - 1)}
    tm = tag_mesh(m, cells, bnd, ifc)
    t["tag"] = time.perf_counter() - t0

    materials = {
        names[i]: Material(f"m{i % 2}", K_A if i % 2 == 0 else K_B, 1.0, 1.0)
        for i in range(nlayers)
    }
    if nlayers == 2:
        hs = [H_IFACE]
    else:  # each interface its own conductance, 20 ... 200 W/(m^2 K)
        hs = list(np.linspace(20.0, 200.0, nlayers - 1))
    interfaces = [Interface(f"i{i}", Conductance(float(hs[i]))) for i in range(nlayers - 1)]
    bcs = [FixedTemperature("left", T_LEFT), FixedTemperature("right", T_RIGHT)]
    if steps:
        p = TransientProblem(
            tm, materials, interfaces, bcs, initial_temperature=T_RIGHT, solver="iterative"
        )
    else:
        p = SteadyProblem(tm, materials, interfaces, bcs, solver="iterative")
    t0 = time.perf_counter()
    p.initialise()
    t["setup"] = time.perf_counter() - t0
    if steps:
        times = []

        def tick(_p):
            times.append(time.perf_counter())

        t0 = time.perf_counter()
        p.run(t_end=steps * 0.01, dt=0.01, callback=tick, progress=False)
        t["solve"] = time.perf_counter() - t0
        t["assemble"] = 0.0
        t["step_first"] = times[0] - t0
        t["step_next"] = (times[-1] - times[0]) / max(len(times) - 1, 1)
        info = p.last_solve
    else:
        res = p.run()
        info = res.solve
        for key in ("setup_model", "setup_space", "setup_forms", "assemble", "solve"):
            t[key] = p.timings[key]
    f = p.formulation
    A = p.solver.A if not steps else next(iter(p._systems.values())).A
    T = f.T.x.array
    return {
        "ndofs": int(A.getSize()[0]),
        "ncells": m.topology.index_map(3).size_global,
        "iterations": info.iterations,
        "residual": info.residual_norm,
        "Tmin": float(comm.allreduce(float(T.min()), op=_mpi_min())),
        "Tmax": float(comm.allreduce(float(T.max()), op=_mpi_max())),
        "nnz": int(A.getInfo()["nz_used"]),
        "colours": f.broken.num_colours,
        "petsc_type": str(A.getType()),
    }


def worker(kind: str, dims: list[int]) -> None:
    t_start = time.perf_counter()
    from mpi4py import MPI  # noqa: I001  (loads libmpi before dolfinx)
    from petsc4py import PETSc

    import dolfinx  # noqa: F401
    import fe_interface  # noqa: F401

    t_import = time.perf_counter() - t_start
    comm = MPI.COMM_WORLD
    PETSc.Log.begin()
    rss0 = _rss_now_mib()
    t: dict[str, float] = {}
    comm.Barrier()
    t0 = time.perf_counter()
    if kind == "plain":
        info = run_plain(comm, dims, t)
    elif kind == "plain_ez":
        info = run_plain(comm, dims, t, eliminate_zeros=True)
    elif kind == "iface":
        info = run_interface(comm, dims, 2, t)
    elif kind == "stack50":
        info = run_interface(comm, dims, NLAYERS, t)
    elif kind == "stack2":
        info = run_interface(comm, dims, 2, t)
    elif kind == "transient":
        info = run_interface(comm, dims, 2, t, steps=TRANSIENT_STEPS)
    else:
        raise SystemExit(f"unknown case {kind!r}")
    comm.Barrier()
    t["total"] = time.perf_counter() - t0
    t["import"] = t_import
    ev = {}
    for name in EVENTS:
        try:
            perf = PETSc.Log.Event(name).getPerfInfo()
            ev[name] = comm.allreduce(float(perf["time"]), op=MPI.MAX)
        except Exception:  # event not registered in this PETSc build
            pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB -> MiB on Linux
    peaks = comm.gather(peak, root=0)
    base = comm.gather(rss0, root=0)
    tt = {k: comm.allreduce(v, op=MPI.MAX) for k, v in sorted(t.items())}
    if comm.rank == 0:
        out = {
            "kind": kind,
            "dims": dims,
            "np": comm.size,
            "timings": tt,
            "events": ev,
            "peak_rss_mib": peaks,
            "base_rss_mib": base,
            **info,
        }
        print("RESULT " + json.dumps(out), flush=True)


# --------------------------------------------------------------------------- driver
def _python() -> str:
    return sys.executable


def _mpirun() -> str:
    cand = Path(sys.executable).parent / "mpirun"
    return str(cand) if cand.exists() else (shutil.which("mpirun") or "mpirun")


def run_case(kind, dims, nproc, timeout, env=None) -> dict:
    cmd = [_python(), str(HERE), "--worker", kind, *map(str, dims)]
    if nproc > 1:
        cmd = [_mpirun(), "-n", str(nproc), *cmd]
    t0 = time.perf_counter()
    try:
        cp = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=env or os.environ.copy()
        )
    except subprocess.TimeoutExpired:
        return {"kind": kind, "dims": dims, "np": nproc, "error": f"timeout after {timeout} s"}
    wall = time.perf_counter() - t0
    for line in cp.stdout.splitlines():
        if line.startswith("RESULT "):
            r = json.loads(line[7:])
            r["process_wall"] = wall
            return r
    tail = (cp.stderr or cp.stdout).strip().splitlines()[-5:]
    return {
        "kind": kind,
        "dims": dims,
        "np": nproc,
        "error": f"exit code {cp.returncode}: " + " | ".join(tail),
    }


def run_alternating(kinds, dims, nproc, timeout, repeat, labels=None):
    """Each kind ``repeat`` times, alternating (A B A B ...), so that a drift of the
    machine's speed hits every kind alike; per kind the run with the median whole-run
    time (its "runs" entry holds every run's total)."""
    runs: dict = {k: [] for k in kinds}
    for _ in range(repeat):
        for k in kinds:
            runs[k].append(run_case(k, dims, nproc, timeout))
    out = {}
    for k, rs in runs.items():
        ok = [r for r in rs if "error" not in r]
        if not ok:
            out[k] = rs[0]
            continue
        ok.sort(key=lambda r: r["timings"]["total"])
        med = dict(ok[len(ok) // 2])
        med["runs"] = [r["timings"]["total"] for r in ok]
        out[k] = med
    return out


def _fmt_mem(r):
    return sum(r["peak_rss_mib"])


def _stage(r, key):
    return r["timings"].get(key, float("nan"))


def _setup_wall(r):
    return _stage(r, "setup")


def _row(label, r):
    if "error" in r:
        return f"| {label} | {r['dims']} | FAILED: {r['error']} |"
    t = r["timings"]
    ev = r.get("events", {})
    return (
        f"| {label} | {'x'.join(map(str, r['dims']))} | {r['ndofs']:,} | "
        f"{t['mesh'] + t['tag']:.2f} | {t['setup']:.2f} | {t['assemble']:.2f} | "
        f"{t['solve']:.2f} | {ev.get('PCSetUp', float('nan')):.2f} | {t['total']:.2f} | "
        f"{r['process_wall']:.1f} | {r['iterations']} | {_fmt_mem(r):,.0f} |"
    )


HEADER = (
    "| case | mesh | dofs | mesh+tag s | setup s | assemble s | solve s | (PC setup) s | "
    "whole run s | process s | its | peak RSS MiB |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def _ratio(a, b, key):
    if "error" in a or "error" in b:
        return float("nan")
    return key(a) / key(b)


def _after_mesh(r):
    return r["timings"]["total"] - r["timings"]["mesh"]


def _mk(x, lim):
    if lim is None or x != x:
        return f"{x:.2f}"
    return f"{x:.2f} {'ok' if x <= lim else 'MISS'}"


def _targets(ndofs):
    """(whole run, iterations, memory) targets of the core issue by problem size."""
    if ndofs >= 250_000:
        return 1.15, 1.1, 1.2
    if ndofs >= 30_000:
        return 1.5, 1.1, 1.2
    return None, 1.1, 1.2


def print_sweep(results, sizes, nproc):
    print(f"\n### Interface (2 materials, x = 0.5) vs plain Poisson, np = {nproc}\n")
    print(HEADER)
    for n in sizes:
        for kind in ("plain", "plain_ez", "iface"):
            r = results.get((kind, n))
            if r is not None:
                print(_row(kind, r))
    print(
        "\n| n | dofs | compared | whole run | after mesh | set-up | iterations | peak RSS |"
        "\n|---:|---:|---|---:|---:|---:|---:|---:|"
    )
    for n in sizes:
        for ref in ("plain_ez", "plain"):
            a, b = results.get(("iface", n)), results.get((ref, n))
            if a is None or b is None or "error" in a or "error" in b:
                continue
            tw, ti, tm = _targets(a["ndofs"])
            rw = _ratio(a, b, lambda r: r["timings"]["total"])
            ra = _ratio(a, b, _after_mesh)
            rs = _ratio(a, b, lambda r: r["timings"]["setup"] + r["timings"]["tag"])
            ri = _ratio(a, b, lambda r: r["iterations"])
            rm = _ratio(a, b, _fmt_mem)
            print(
                f"| {n} | {a['ndofs']:,} | iface/{ref} | {_mk(rw, tw)} | {_mk(ra, tw)} | "
                f"{_mk(rs, 1.5)} | {_mk(ri, ti)} | {_mk(rm, tm)} |"
            )
    print_breakdown(results, [(k, n) for n in sizes for k in ("plain", "plain_ez", "iface")])


def print_transient(results, sizes, nproc):
    """Cost of a time step (matrix and PC reused) vs one plain linear solve."""
    print(f"\n### Transient: a time step vs one plain linear solve, np = {nproc}\n")
    print(
        "| n | dofs | first step s | later step s | plain_ez assemble+solve s | "
        "later step / plain (<= 1.2) |\n|---:|---:|---:|---:|---:|---:|"
    )
    for n in sizes:
        a, b = results.get(("transient", n)), results.get(("plain_ez", n))
        if a is None or b is None or "error" in a or "error" in b:
            continue
        plain = b["timings"]["assemble"] + b["timings"]["solve"]
        step = a["timings"]["step_next"]
        print(
            f"| {n} | {a['ndofs']:,} | {a['timings']['step_first']:.2f} | {step:.3f} | "
            f"{plain:.3f} | {_mk(step / plain, 1.2)} |"
        )


def print_breakdown(results, keys):
    """Set-up stages of fe_interface and the GAMG set-up events (PETSc log), s."""
    print(
        "\n| case | mesh | setup_model | setup_space | setup_forms | PCSetUp | PtAP sym+num "
        "| CreateGraph | Coarsen | Cheb. eig. est. (GMRES) | KSPSolve | nnz |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    for key in keys:
        r = results.get(key)
        if r is None or "error" in r:
            continue
        t, ev = r["timings"], r["events"]
        f = lambda k, d=t: f"{d[k]:.2f}" if k in d else "–"  # noqa: E731
        print(
            f"| {r.get('label', r['kind'])} | {'x'.join(map(str, r['dims']))} | "
            f"{f('setup_model')} | {f('setup_space')} | {f('setup_forms')} | "
            f"{f('PCSetUp', ev)} | "
            f"{ev.get('MatPtAPSymbolic', 0) + ev.get('MatPtAPNumeric', 0):.2f} | "
            f"{f('MatCreateGraph', ev)} | {f('MatCoarsen', ev)} | {f('KSPGMRESOrthog', ev)} | "
            f"{f('KSPSolve', ev)} | {r['nnz']:,} |"
        )


def print_stack(results, msizes, nproc):
    print(f"\n### 50-layer stack vs 2-layer at the same dof count, np = {nproc}\n")
    print(HEADER)
    for mm in msizes:
        for kind in ("plain_box", "stack2", "stack2_same_mesh", "stack50"):
            r = results.get((kind, mm))
            if r is not None:
                print(_row(kind, r))
    print(
        "\n| m | compared | dofs ratio | whole run | setup+assemble | setup | iterations "
        "| peak RSS |\n|---:|---|---:|---:|---:|---:|---:|---:|"
    )
    for mm in msizes:
        s50 = results.get(("stack50", mm))
        for ref in ("stack2", "stack2_same_mesh", "plain_box"):
            r2 = results.get((ref, mm))
            if s50 is None or r2 is None or "error" in s50 or "error" in r2:
                continue
            lim = 1.1 if ref == "stack2" else None
            rw = _ratio(s50, r2, lambda r: r["timings"]["total"])
            rs = _ratio(s50, r2, lambda r: r["timings"]["setup"] + r["timings"]["assemble"])
            ri = _ratio(s50, r2, lambda r: r["iterations"])
            rm = _ratio(s50, r2, _fmt_mem)
            rset = s50["timings"]["setup"] / r2["timings"]["setup"]
            print(
                f"| {mm} | stack50/{ref} | {s50['ndofs'] / r2['ndofs']:.3f} | {_mk(rw, lim)} | "
                f"{rs:.2f} | {rset:.2f} | {ri:.2f} | {_mk(rm, lim)} |"
            )
    print_breakdown(
        results,
        [(k, mm) for mm in msizes for k in ("plain_box", "stack2", "stack2_same_mesh", "stack50")],
    )


def stack_cases(mm):
    """(label, worker kind, dims): same y/z resolution; x resolution so the dofs match.

    50 layers on nx = 100 cells have (100 + 1 + 49) (m+1)^2 dofs; one interface on
    nx = 148 cells has (148 + 1 + 1) (m+1)^2; a plain mesh with nx = 149, 150 (m+1)^2.
    """
    nx2 = STACK_NX + NLAYERS - 2
    return [
        ("plain_box", "plain", [STACK_NX + NLAYERS - 1, mm, mm]),
        ("stack2", "stack2", [nx2, mm, mm]),
        ("stack2_same_mesh", "stack2", [STACK_NX, mm, mm]),
        ("stack50", "stack50", [STACK_NX, mm, mm]),
    ]


def jit_study(nproc, timeout):
    """Each form family once in an empty cache (cold), then again (warm)."""
    print("\n### JIT: fresh cache (XDG_CACHE_HOME=<empty dir>) vs warm cache, n = 8\n")
    print("| case | cache | setup s | of which setup_forms s | whole run s | process s |")
    print("|---|---|---:|---:|---:|---:|")
    out = []
    with tempfile.TemporaryDirectory(prefix="fenics_jit_") as tmp:
        env = os.environ.copy()
        env["XDG_CACHE_HOME"] = tmp
        for kind, dims in (("plain", [8, 8, 8]), ("iface", [8, 8, 8]), ("stack50", [50, 4, 4])):
            for cache in ("cold", "warm"):
                r = run_case(kind, dims, nproc, timeout, env)
                out.append((kind, cache, r))
                if "error" in r:
                    print(f"| {kind} | {cache} | FAILED: {r['error']} |")
                    continue
                t = r["timings"]
                forms = t.get("setup_forms", t["setup"])
                print(
                    f"| {kind} | {cache} | {t['setup']:.2f} | {forms:.2f}"
                    f" | {t['total']:.2f} | {r['process_wall']:.1f} |"
                )
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=[16, 32, 64, 96],
        help="cube cells per side for the sweep (even: conforming interface)",
    )
    ap.add_argument(
        "--stack-sizes",
        type=int,
        nargs="*",
        default=[40, 80],
        help="y/z cells of the 50-layer comparison (x: 100 cells)",
    )
    ap.add_argument("--np", type=int, default=1, help="MPI processes per case (mpirun -n NP)")
    ap.add_argument(
        "--transient",
        type=int,
        nargs="*",
        default=[32, 64],
        help="sizes of the transient benchmark (time step vs one plain solve)",
    )
    ap.add_argument("--timeout", type=float, default=1800.0, help="per case, s")
    ap.add_argument(
        "--repeat", type=int, default=3, help="runs per case, alternating; the median is reported"
    )
    ap.add_argument(
        "--no-warmup", action="store_true", help="do not compile the forms in a small run first"
    )
    ap.add_argument("--jit", action="store_true", help="also measure JIT cold vs warm")
    ap.add_argument("--jit-only", action="store_true", help="only the JIT measurement")
    ap.add_argument("--json", type=str, default=None, help="write all results to this file")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        worker(args.worker[0], [int(x) for x in args.worker[1:]])
        return

    for n in args.sizes:
        if n % 2:
            raise SystemExit(f"--sizes: n = {n} is odd; x = 0.5 must be a mesh plane")
    allres: list[dict] = []
    print(f"# fe_interface benchmark, {time.strftime('%Y-%m-%d %H:%M')}, np = {args.np}")
    if args.jit or args.jit_only:
        for _kind, cache, r in jit_study(args.np, args.timeout):
            allres.append({"jit": cache, **r})
    if args.jit_only:
        _dump(args.json, allres)
        return

    if not args.no_warmup:  # compile every form family once; figures below are warm-cache
        warm = (("plain", [4, 4, 4]), ("iface", [4, 4, 4]), ("stack50", [50, 2, 2]))
        for kind, dims in (*warm, ("transient", [4, 4, 4])):
            r = run_case(kind, dims, args.np, args.timeout)
            if "error" in r:
                print(f"warm-up {kind} failed: {r['error']}", file=sys.stderr)

    results: dict = {}
    for n in args.sizes:
        rr = run_alternating(
            ("plain", "plain_ez", "iface"), [n, n, n], args.np, args.timeout, args.repeat
        )
        for kind, r in rr.items():
            results[(kind, n)] = r
            allres.append(r)
            print(f"  done {kind:>6} n={n:<4} {_brief(r)}", file=sys.stderr, flush=True)
    if args.sizes:
        print_sweep(results, args.sizes, args.np)
    for n in args.transient:
        kinds = [k for k in ("plain_ez", "transient") if (k, n) not in results]
        rr = run_alternating(kinds, [n, n, n], args.np, args.timeout, args.repeat)
        for kind, r in rr.items():
            results[(kind, n)] = r
            allres.append(r)
            print(f"  done {kind:>9} n={n:<4} {_brief(r)}", file=sys.stderr, flush=True)
    if args.transient:
        print_transient(results, args.transient, args.np)

    sres: dict = {}
    for mm in args.stack_sizes:
        cases = stack_cases(mm)
        runs: dict = {label: [] for label, _, _ in cases}
        for _ in range(args.repeat):  # alternating, the median run of each case
            for label, kind, dims in cases:
                runs[label].append(run_case(kind, dims, args.np, args.timeout))
        for label, _, _ in cases:
            ok = sorted(
                (r for r in runs[label] if "error" not in r), key=lambda r: r["timings"]["total"]
            )
            r = dict(ok[len(ok) // 2]) if ok else runs[label][0]
            r["label"] = label
            sres[(label, mm)] = r
            allres.append(r)
            print(f"  done {label:>16} m={mm:<4} {_brief(r)}", file=sys.stderr, flush=True)
    if args.stack_sizes:
        print_stack(sres, args.stack_sizes, args.np)
    _dump(args.json, allres)


def _brief(r):
    if "error" in r:
        return r["error"]
    return (
        f"dofs={r['ndofs']} its={r['iterations']} total={r['timings']['total']:.2f}s "
        f"rss={_fmt_mem(r):.0f}MiB T=[{r['Tmin']:.2f},{r['Tmax']:.2f}]"
    )


def _dump(path, allres):
    if path:
        Path(path).write_text(json.dumps(allres, indent=1))


if __name__ == "__main__":
    main()
