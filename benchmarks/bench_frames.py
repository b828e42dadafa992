"""Cost of one time-series frame of a model with a non-matching pair.

The two warped boxes of ``bench_pairs.py`` (P1 hexahedra, n³ cells each, coupled by an
``InterfacePair``; the outer groups: the pair surfaces and the far faces).  A frame of a
time series writes what changes: the vertex temperatures and the pairs' jump and flux
on the boundary facets (``fe_interface.io.fields.gather_frame``).  Timed, in one run:

* ``frame``  ``gather_frame`` (vertex fields + the pairs' facet values on the cached
             boundary facets);
* ``full``   ``gather_mesh_blocks``, the whole model with names and tags (what the first
             frame writes; what every frame gathered before the frames were trimmed);
* ``facets`` the first ``boundary_facets`` call (the owned outer tagged facets, cached).

Medians of ``--repeat`` calls each (alternating), the maximum over ranks; the ratio
full/frame is the median of the ratios of consecutive calls.  The field is not solved
(the gathers do not depend on its values): T = 300 + x K.

Usage::

    python benchmarks/bench_frames.py                       # n = 30 (54,000 cells)
    mpirun -n 2 python benchmarks/bench_frames.py --n 20 30
"""

from __future__ import annotations

import argparse
import time

from mpi4py import MPI

import numpy as np
from bench_pairs import _block

import fe_interface as fi
from fe_interface.io import fields
from fe_interface.mesh.parts import join_parts
from fe_interface.model.pairs import InterfacePair


def formulation(n: int):
    """The initialised pair model of ``bench_pairs.py`` at size n, T = 300 + x K."""
    comm = MPI.COMM_WORLD
    parts = None
    if comm.rank == 0:
        parts = [_block(0.0, n, "a", "left", 0.0), _block(1.0, n, "b", "right", 0.1)]
    p = fi.SteadyProblem(
        join_parts(parts, comm),
        {"a": fi.Material("a", 1.0), "b": fi.Material("b", 2.0)},
        interfaces=[InterfacePair(("a_pair", "b_pair"), fi.Conductance(50.0))],
        boundary_conditions=[
            fi.FixedTemperature("left", 400.0),
            fi.FixedTemperature("right", 300.0),
        ],
    )
    p.initialise()
    f = p.formulation
    f.T.interpolate(lambda x: 300.0 + x[0])
    return p, f


def seconds(fn, *args) -> float:
    """Wall time of one collective call (s), the slowest rank."""
    comm = MPI.COMM_WORLD
    comm.barrier()
    t0 = time.perf_counter()
    fn(*args)
    return comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)


def measure(n: int, repeat: int) -> dict:
    """The timings of one size (s) and the model's numbers."""
    _p, f = formulation(n)
    comm = MPI.COMM_WORLD
    facets = getattr(fields, "boundary_facets", None) or fields._boundary_facets  # older
    out = {"facets": seconds(facets, f)}
    data = fields.gather_mesh_blocks(f, f.T)
    sizes = [len(c) for _, c in data.blocks] if data is not None else []
    frame, full = [], []
    for _ in range(repeat):
        frame.append(seconds(fields.gather_frame, f, f.T, sizes))
        full.append(seconds(fields.gather_mesh_blocks, f, f.T))
    out |= {
        "frame": float(np.median(frame)),
        "full": float(np.median(full)),
        "ratio": float(np.median(np.array(full) / np.array(frame))),
        "cells": comm.allreduce(f.mesh.topology.index_map(3).size_local),
        "boundary_facets": sum(sizes[1:]) if data is not None else 0,
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", default=[30])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    comm = MPI.COMM_WORLD
    measure(6, 1)  # warm-up
    if comm.rank == 0:
        print(f"ranks {comm.size}; medians of {args.repeat} calls; fe_interface: {fi.__file__}")
        print(f"{'n':>4} {'cells':>8} {'bnd facets':>10} {'facets_s':>9} {'frame_s':>9} "
              f"{'full_s':>9} {'full/frame':>10}")  # fmt: skip
    for n in args.n:
        r = measure(n, args.repeat)
        if comm.rank == 0:
            print(f"{n:>4} {r['cells']:>8} {r['boundary_facets']:>10} {r['facets']:>9.4f} "
                  f"{r['frame']:>9.4f} {r['full']:>9.4f} {r['ratio']:>10.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
