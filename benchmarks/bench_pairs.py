"""Cost of a non-matching interface pair against the conforming interface of the same problem.

Two blocks [0, 1]³ and [1, 2] × [0, 1]², P1 hexahedra, k = 1 and 2 W/(m K), T = 400 K at
x = 0 and 300 K at x = 2, h = 50 W/(m² K) across x = 1, the rest insulated:

* ``conforming``  one ``create_box`` mesh (2n × n × n cells), the two regions split by an
                  ``Interface`` (facet-wise coupling on the broken space);
* ``pair``        two boxes (n³ cells each) meshed separately and joined
                  (``join_parts``), B's transverse coordinates warped (y → y + 0.1 y(1 − y),
                  z likewise) so the meshes do not match, coupled by an ``InterfacePair``
                  (search, mortar segments, Nitsche terms, off-process ghosts), one-sided;
* ``pair_symmetric`` (``--symmetric``) the same, integrated on both surfaces.

Both have (2n + 2)(n + 1)² unknowns (n = 49: 0.25 M).  Timed after the mesh exists:
set-up (``initialise``: model, space — for the pair the search —, forms, solver), assembly
and solve (CG + GAMG, ``ksp_rtol`` 1e-10), as ``SteadyProblem.timings``; the pair's search
alone as ``search_s``.  Each case runs in a fresh process (``mpirun -n NP`` optional);
the ratio pair/conforming is printed for every quantity.

Usage::

    python benchmarks/bench_pairs.py                 # n = 49 (0.25 M dofs), serial
    python benchmarks/bench_pairs.py --n 20 30 49 --np 2
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

import numpy as np

HERE = Path(__file__).resolve()


def worker(case: str, n: int, out: str) -> None:
    """Build, set up, assemble and solve one case; write the timings (rank 0)."""
    from mpi4py import MPI

    import numpy as np
    from dolfinx import mesh as dmesh

    import fe_interface as fi
    from fe_interface.mesh.parts import join_parts
    from fe_interface.model.pairs import InterfacePair

    comm = MPI.COMM_WORLD
    hex_ = dmesh.CellType.hexahedron
    mats = {"a": fi.Material("a", 1.0), "b": fi.Material("b", 2.0)}
    if case == "conforming":
        m = dmesh.create_box(
            comm,
            [[0, 0, 0], [2, 1, 1]],
            [2 * n, n, n],
            hex_,
            ghost_mode=dmesh.GhostMode.shared_facet,
        )
        tagged = fi.tag_mesh(
            m,
            cells={"a": (1, lambda x: x[0] < 1), "b": (2, lambda x: x[0] > 1)},
            boundaries={
                "left": (1, lambda x: np.isclose(x[0], 0)),
                "right": (2, lambda x: np.isclose(x[0], 2)),
            },
            interfaces={"joint": (3, ("a", "b"))},
        )
        interfaces = [fi.Interface("joint", fi.Conductance(50.0))]
    else:
        parts = None
        if comm.rank == 0:
            parts = [_block(0.0, n, "a", "left", 0.0), _block(1.0, n, "b", "right", 0.1)]
        tagged = join_parts(parts, comm)
        integration = "symmetric" if case == "pair_symmetric" else "one-sided"
        interfaces = [
            InterfacePair(("a_pair", "b_pair"), fi.Conductance(50.0), integration=integration)
        ]
    comm.barrier()
    p = fi.SteadyProblem(
        tagged,
        mats,
        interfaces=interfaces,
        boundary_conditions=[
            fi.FixedTemperature("left", 400.0),
            fi.FixedTemperature("right", 300.0),
        ],
    )
    t0 = time.perf_counter()
    p.initialise()
    setup = time.perf_counter() - t0
    res = p.run()
    f = p.formulation
    search = 0.0
    if f.pair_search is not None:
        search = f.pair_search.seconds
    table = p.interface_table()
    out_d = {
        "dofs": int(f.broken.num_global),
        "setup_s": comm.allreduce(setup, op=MPI.MAX),
        "assemble_s": comm.allreduce(res.timings["assemble"], op=MPI.MAX),
        "solve_s": comm.allreduce(res.timings["solve"], op=MPI.MAX),
        "search_s": comm.allreduce(search, op=MPI.MAX),
        "iterations": int(res.solve.iterations),
        "Q_W": float(table[0].heat_flow_W),
    }
    out_d["total_s"] = out_d["setup_s"] + out_d["assemble_s"] + out_d["solve_s"]
    if comm.rank == 0:
        Path(out).write_text(json.dumps(out_d))


def _block(x0: float, n: int, name: str, outer: str, warp: float):
    """A serial unit box from x0 with its face x = 1 ``<name>_pair`` and x0/x0+1 ``outer``."""
    from mpi4py import MPI

    import numpy as np
    from dolfinx import mesh as dmesh

    import fe_interface as fi

    m = dmesh.create_box(
        MPI.COMM_SELF, [[x0, 0, 0], [x0 + 1, 1, 1]], [n, n, n], dmesh.CellType.hexahedron
    )
    for c in (1, 2):
        y = m.geometry.x[:, c].copy()
        m.geometry.x[:, c] = y + warp * y * (1 - y)
    m.topology.create_entities(2)
    nc = m.topology.index_map(3).size_local
    cells = dmesh.meshtags(m, 3, np.arange(nc, dtype=np.int32), np.ones(nc, np.int32))
    pair = dmesh.locate_entities_boundary(m, 2, lambda x: np.isclose(x[0], 1.0))
    far_x = 0.0 if x0 == 0.0 else 2.0
    far = dmesh.locate_entities_boundary(m, 2, lambda x: np.isclose(x[0], far_x))
    idx = np.concatenate([pair, far]).astype(np.int32)
    val = np.concatenate([np.ones(len(pair)), np.full(len(far), 2)]).astype(np.int32)
    o = np.argsort(idx)
    facets = dmesh.meshtags(m, 2, idx[o], val[o])
    return fi.TaggedMesh(m, cells, facets, {name: 1}, {f"{name}_pair": 1, outer: 2})


def run(case: str, n: int, np_: int) -> dict:
    """One case in a fresh process (under mpirun with np_ > 1)."""
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "r.json"
        cmd = [sys.executable, str(HERE), "--worker", case, str(n), str(out)]
        if np_ > 1:
            mpirun = shutil.which("mpirun", path=str(Path(sys.executable).parent)) or "mpirun"
            cmd = [mpirun, "-n", str(np_), *cmd]
        env = dict(os.environ, OMP_NUM_THREADS="1")
        subprocess.run(cmd, check=True, env=env)
        return json.loads(out.read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", default=[49])
    ap.add_argument("--np", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5, help="runs per case (alternating)")
    ap.add_argument("--symmetric", action="store_true", help="also the symmetric pair")
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), args.worker[2])
        return
    keys = ["setup_s", "assemble_s", "solve_s", "total_s"]
    cases = ["conforming", "pair"] + (["pair_symmetric"] if args.symmetric else [])
    for case in cases:  # JIT warm-up
        run(case, 8, args.np)
    print(f"ranks {args.np}; medians of {args.repeat} runs per case; the ratios are the medians")
    print("of the ratios of each pair of consecutive runs (the machine's drift cancels)")
    print(f"{'n':>4} {'dofs':>9} {'case':>14} " + " ".join(f"{k:>11}" for k in keys)
          + f" {'search_s':>9} {'its':>4} {'Q_W':>12}")  # fmt: skip
    for n in args.n:
        runs: dict[str, list[dict]] = {c: [] for c in cases}
        for _ in range(args.repeat):
            for case in cases:  # alternating: conforming, pair, (symmetric), conforming, ...
                runs[case].append(run(case, n, args.np))
        for case, rs in runs.items():
            med = {k: float(np.median([r[k] for r in rs])) for k in [*keys, "search_s"]}
            r0 = rs[0]
            print(
                f"{n:>4} {r0['dofs']:>9} {case:>14} " + " ".join(f"{med[k]:>11.3f}" for k in keys)
                + f" {med['search_s']:>9.3f} {r0['iterations']:>4} {r0['Q_W']:>12.6g}"
            )  # fmt: skip
        for case in cases[1:]:
            ratio = {
                k: float(
                    np.median(
                        [a[k] / b[k] for a, b in zip(runs[case], runs["conforming"], strict=True)]
                    )
                )
                for k in keys
            }
            name = "ratio" if case == "pair" else "ratio sym"
            print(f"{n:>4} {'':>9} {name:>14} " + " ".join(f"{ratio[k]:>11.3f}" for k in keys))


if __name__ == "__main__":
    main()
