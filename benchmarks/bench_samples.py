"""Cost of one sample of a study against a plain DOLFINx assemble + solve; chip-case wall time.

Part 1 (``--sizes``): on the unit cube of P1 tetrahedra (T = 400 K at x = 0, 300 K at
x = 1), per size and in one process, alternately:

* ``plain``: a plain DOLFINx Poisson problem (``dolfinx.fem.petsc``, one constant k): a
  new value of k, assemble A and b, solve (CG + GAMG of
  ``fe_interface.solvers.options.ITERATIVE_OPTIONS``; the preconditioner is set up again
  because A changed);
* ``sample``: a :class:`~fe_interface.studies.model.ParametricModel` of the same box split
  at x = 0.5 into two materials joined by a ``Conductance`` interface: new values of the
  interface's h and of one conductivity (``update``: values only), reassemble, solve with
  the same options;
* ``sample+outputs``: ``sample`` plus the default outputs of an uncertainty study (region
  statistics, probes, interface table; the energy balance only when a boundary heat flow
  is asked for).

Each is repeated ``--repeat`` times after one warm-up; the medians and their ratio to
``plain`` are printed (target: sample/plain ≤ 1.3 at 5k–40k dofs).

Part 2 (``--chip N``): ``fe-interface uncertainty cases/chip_package_uq.toml`` with N
samples under ``mpirun -n 2``, once as two groups of one rank (samples side by side) and
once as one group of two ranks (each sample in parallel); the wall times and the load of
the machine (``os.getloadavg``) before and after.

Usage::

    python benchmarks/bench_samples.py --sizes 17 24 33 --repeat 7
    python benchmarks/bench_samples.py --chip 1000
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]


def _box(n: int):
    from mpi4py import MPI

    from dolfinx import mesh as dmesh

    return dmesh.create_box(
        MPI.COMM_WORLD, [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]], [n, n, n],
        dmesh.CellType.tetrahedron, ghost_mode=dmesh.GhostMode.shared_facet,
    )  # fmt: skip


class Plain:
    """A plain DOLFINx Poisson problem whose conductivity changes between solves."""

    def __init__(self, n: int) -> None:
        from petsc4py import PETSc

        import dolfinx.fem.petsc
        import numpy as np
        import ufl
        from dolfinx import fem
        from dolfinx import mesh as dmesh

        from fe_interface.solvers.options import ITERATIVE_OPTIONS

        m = _box(n)
        tdim = m.topology.dim
        m.topology.create_connectivity(tdim - 1, tdim)
        V = fem.functionspace(m, ("Lagrange", 1))
        u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        self.k = fem.Constant(m, PETSc.ScalarType(1.0))
        zero = fem.Constant(m, PETSc.ScalarType(0.0))
        self.a = fem.form(self.k * ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx)
        self.L = fem.form(zero * v * ufl.dx)
        self.bcs = []
        for x0, T in ((0.0, 400.0), (1.0, 300.0)):
            facets = dmesh.locate_entities_boundary(
                m, tdim - 1, lambda x, x0=x0: np.isclose(x[0], x0)
            )
            dofs = fem.locate_dofs_topological(V, tdim - 1, facets)
            self.bcs.append(fem.dirichletbc(PETSc.ScalarType(T), dofs, V))
        self.A = dolfinx.fem.petsc.create_matrix(self.a)
        self.b = dolfinx.fem.petsc.create_vector(V)
        self.u = fem.Function(V)
        self.ksp = PETSc.KSP().create(m.comm)
        self.ksp.setOptionsPrefix("bench_plain_")
        opts = PETSc.Options()
        for key, val in ITERATIVE_OPTIONS.items():
            opts[f"bench_plain_{key}"] = val
        self.ksp.setFromOptions()
        self.ksp.setOperators(self.A)
        self.ndofs = V.dofmap.index_map.size_global

    def sample(self, k: float) -> None:
        from petsc4py import PETSc

        import dolfinx.fem.petsc

        self.k.value = k
        self.A.zeroEntries()
        dolfinx.fem.petsc.assemble_matrix(self.A, self.a, bcs=self.bcs)
        self.A.assemble()
        with self.b.localForm() as bl:
            bl.set(0.0)
        dolfinx.fem.petsc.assemble_vector(self.b, self.L)
        dolfinx.fem.petsc.apply_lifting(self.b, [self.a], bcs=[self.bcs])
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        dolfinx.fem.petsc.set_bc(self.b, self.bcs)
        self.ksp.solve(self.b, self.u.x.petsc_vec)
        self.u.x.scatter_forward()
        assert self.ksp.getConvergedReason() > 0


class Sample:
    """The same box with an interface, as a parametric model (values-only updates)."""

    def __init__(self, n: int) -> None:
        import numpy as np

        import fe_interface as fi
        from fe_interface.studies import Parameter, ParametricModel
        from fe_interface.studies.outputs import RunOutputs

        tagged = fi.tag_mesh(
            _box(n),
            cells={"a": (1, lambda x: x[0] <= 0.5 + 1e-12), "b": (2, lambda x: x[0] >= 0.5 - 1e-12)},
            boundaries={"left": (1, lambda x: np.isclose(x[0], 0.0)),
                        "right": (2, lambda x: np.isclose(x[0], 1.0))},
            interfaces={"joint": (10, ("a", "b"))},
        )  # fmt: skip

        def build(v):
            return {
                "materials": {"a": fi.Material("A", 1.0), "b": fi.Material("B", v["k"])},
                "interfaces": [fi.Interface("joint", fi.Conductance(v["h"]), plus="a")],
            }

        p = fi.SteadyProblem(
            tagged, boundary_conditions=[fi.FixedTemperature("left", 400.0),
                                         fi.FixedTemperature("right", 300.0)],
            **build({"k": 2.0, "h": 50.0}),
        )  # fmt: skip
        self.model = ParametricModel(p, build, [Parameter("k", 2.0), Parameter("h", 50.0)])
        self.model.set(self.model.nominal)
        p.run()
        self.outputs = RunOutputs(p)
        self.ndofs = p.T.function_space.dofmap.index_map.size_global

    def sample(self, k: float, with_outputs: bool = False) -> None:
        self.model.set({"k": 2.0 * k, "h": 50.0 * k})
        self.model.problem.run()
        if with_outputs:
            self.outputs(balance=False)


def _time(fn, *args) -> float:
    from mpi4py import MPI

    MPI.COMM_WORLD.barrier()
    t0 = time.perf_counter()
    fn(*args)
    MPI.COMM_WORLD.barrier()
    return time.perf_counter() - t0


def part1(sizes: list[int], repeat: int) -> None:
    from mpi4py import MPI

    rank0 = MPI.COMM_WORLD.rank == 0
    if rank0:
        print(f"load average before: {os.getloadavg()} on {os.cpu_count()} CPUs")
        print(f"{'n':>4} {'dofs plain':>11} {'dofs iface':>11} {'plain s':>9} {'sample s':>9} "
              f"{'+outputs s':>10} {'sample/plain':>13} {'+outputs/plain':>15}")  # fmt: skip
    for n in sizes:
        plain, samp = Plain(n), Sample(n)
        plain.sample(1.0)  # warm-up (PC set-up, caches)
        samp.sample(1.0, True)
        tp, ts, to = [], [], []
        for i in range(repeat):
            k = 1.0 + 0.1 * (i + 1)
            tp.append(_time(plain.sample, k))
            ts.append(_time(samp.sample, k))
            to.append(_time(samp.sample, k, True))
        mp, ms, mo = (statistics.median(x) for x in (tp, ts, to))
        if rank0:
            print(f"{n:4d} {plain.ndofs:11d} {samp.ndofs:11d} {mp:9.4f} {ms:9.4f} {mo:10.4f} "
                  f"{ms / mp:13.2f} {mo / mp:15.2f}", flush=True)  # fmt: skip
    if rank0:
        print(f"load average after: {os.getloadavg()}")


def part2(samples: int) -> None:
    src = (ROOT / "cases" / "chip_package_uq.toml").read_text()
    mpirun = shutil.which("mpirun", path=str(Path(sys.executable).parent)) or "mpirun"
    exe = shutil.which("fe-interface", path=str(Path(sys.executable).parent)) or "fe-interface"
    with tempfile.TemporaryDirectory() as tmp:
        for groups in (2, 1):
            text = src.replace("samples = 1000", f"samples = {samples}\ngroups = {groups}")
            case = Path(tmp) / f"chip_g{groups}.toml"
            case.write_text(
                text.replace('builder = "electronics_package"', 'builder = "electronics_package"')
            )
            load0 = os.getloadavg()
            t0 = time.perf_counter()
            subprocess.run(
                [mpirun, "-n", "2", exe, "uncertainty", str(case), "--out", str(Path(tmp) / f"out{groups}"), "--fresh"],
                check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                env=dict(os.environ, OMP_NUM_THREADS="1"),
            )  # fmt: skip
            wall = time.perf_counter() - t0
            print(
                f"chip case, {samples} samples, mpirun -n 2, {groups} group(s) of {2 // groups} "
                f"rank(s): {wall:.1f} s ({wall / samples:.3f} s per sample); load average "
                f"before {load0[0]:.2f}, after {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
                flush=True,
            )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="*", default=[17, 24, 33])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--chip", type=int, default=0, help="samples of the chip case (part 2)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.sizes:
        part1(args.sizes, args.repeat)
    if args.chip:
        part2(args.chip)


if __name__ == "__main__":
    main()
