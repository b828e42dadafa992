"""The processes the fault tests start (and kill).

``python relscript.py export OUT --stop-at LABEL``
    a steady wall exported to OUT twice (name "wall"): 400 K on a 6 x 3 mesh, then 500 K
    on an 8 x 3 mesh (other array sizes); prints ``AT <label>`` at every step of the
    second swap and, at LABEL, waits there for the test to kill it.
``python relscript.py transient OUT [--t-end T] [--restart] [--sleep S]``
    a transient stack with outputs (OUT/files, name "stack") and checkpoints (OUT/ck);
    prints ``STEP n`` after every step, sleeps S s; saves the final vertex field to
    OUT/final.npy and the raw dof values to OUT/final_dofs.npy.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mpi4py import MPI

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/: the helpers

from helpers.walls import wall_mesh, wall_problem

import fe_interface.io.files as files
from fe_interface.io.fields import gather_vertex_fields
from fe_interface.model import (
    Conductance,
    Convection,
    HeatFlux,
    HeatSource,
    Interface,
    Material,
    TimeFunction,
)
from fe_interface.problems import TransientProblem

T_END = 0.3
DT = 0.01


def export(out: Path, stop_at: str) -> None:
    tm = wall_mesh((0.5, 0.5), "triangle", 3)
    p = wall_problem(tm, (1.0, 2.0), (10.0,), T_left=400.0, solver="direct")
    p.run()
    p.export(out, "wall", vtx=True)
    print("FIRST DONE", flush=True)

    def hook(label: str) -> None:
        print(f"AT {label}", flush=True)
        while label == stop_at:  # until the test kills this process
            time.sleep(60)

    files.fault_hook = hook
    tm = wall_mesh((0.5, 0.5), "triangle", 4)
    p2 = wall_problem(tm, (1.0, 2.0), (10.0,), T_left=500.0, solver="direct")
    p2.run()
    p2.export(out, "wall", vtx=True)
    print("SECOND DONE", flush=True)


def stack() -> TransientProblem:
    tm = wall_mesh((0.01, 0.02), "quadrilateral", 6)
    return TransientProblem(
        tm,
        {"m0": Material("die", 150.0, 2330.0, 712.0), "m1": Material("sink", 237.0, 2700.0, 900.0)},
        [Interface("i0", Conductance(2e3), plus="m0")],
        [HeatFlux("left", TimeFunction.step(0.05, 2e4)), Convection("right", 500.0, 300.0)],
        [HeatSource("m0", TimeFunction(lambda t: 1.0 + np.sin(20 * t), 1e6))],
        initial_temperature={"m0": 320.0, "m1": 300.0},
        scheme="crank_nicolson",
        solver="direct",
    )


def transient(out: Path, t_end: float, restart: bool, sleep: float) -> None:
    p = stack()

    def cb(pb: TransientProblem) -> None:
        if MPI.COMM_WORLD.rank == 0:
            print(f"STEP {pb.step_count}", flush=True)
        if sleep:
            time.sleep(sleep)

    p.run(
        t_end,
        DT,
        output=out / "files",
        name="stack",
        output_every=2,
        vtx=False,
        checkpoint=out / "ck",
        checkpoint_every=5,
        restart=restart,
        callback=cb,
        progress=False,
    )
    data = gather_vertex_fields(p.formulation)
    if MPI.COMM_WORLD.rank == 0:
        np.save(out / "final.npy", data[2]["temperature_K"])
        print("DONE", flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["export", "transient"])
    ap.add_argument("out", type=Path)
    ap.add_argument("--t-end", type=float, default=T_END)
    ap.add_argument("--restart", action="store_true")
    ap.add_argument("--sleep", type=float, default=0.0)
    ap.add_argument("--stop-at", default="")
    a = ap.parse_args()
    if a.mode == "export":
        export(a.out, a.stop_at)
    else:
        transient(a.out, a.t_end, a.restart, a.sleep)
