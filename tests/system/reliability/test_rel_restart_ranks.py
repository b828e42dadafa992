"""A restart on another number of processes, and the checkpoint's identity check.

The dof coordinates DOLFINx tabulates depend, to round-off, on the cell each process
computes them from: on the P1 triangle wall below a serial run and a 2-rank run differ
in the last bit of some coordinates (and in the sign of some zeros).  The checkpoint
identity must not see that (a restart 1 -> 2 and 2 -> 1 ranks continues the run and ends
with the uninterrupted run's field), and must still refuse another mesh.

The restart test needs two ranks: it runs in the ``mpirun -n 2`` pass, the serial halves
on ``COMM_SELF`` of rank 0, in-process (the serial pass skips it; ``python THIS OUT``
under ``mpirun -n 2`` runs it alone and writes its measurements to ``OUT/result.json``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/: the helpers

from helpers.walls import wall_mesh

from fe_interface.errors import InputError
from fe_interface.io.checkpoint import Checkpoint
from fe_interface.io.fields import gather_vertex_fields
from fe_interface.model import Conductance, Convection, HeatFlux, Interface, Material
from fe_interface.problems.transient import TransientProblem

DT, T_END = 0.01, 0.1


def problem(comm: MPI.Comm, shift: float = 0.0) -> TransientProblem:
    """A die on a heat sink (P1 triangles: tabulated coordinates differ by partition).

    ``shift``: move the mesh by this fraction of its length in y (another mesh).
    """
    tm = wall_mesh((0.01, 0.02), "triangle", 4, comm=comm)
    tm.mesh.geometry.x[:, 1] += shift
    return TransientProblem(
        tm,
        {"m0": Material("die", 150.0, 2330.0, 712.0), "m1": Material("sink", 237.0, 2700.0, 900.0)},
        [Interface("i0", Conductance(2e3), plus="m0")],
        [HeatFlux("left", 2e4), Convection("right", 500.0, 300.0)],
        initial_temperature={"m0": 320.0, "m1": 300.0},
        solver="direct",
    )


def run(comm: MPI.Comm, ck: Path, t_end: float, restart: bool) -> tuple[np.ndarray | None, float]:
    """Run to ``t_end`` with checkpoints in ``ck``; (vertex temperatures on rank 0, restart time)."""
    p = problem(comm)
    res = p.run(t_end, DT, checkpoint=ck, checkpoint_every=5, restart=restart, progress=False)
    data = gather_vertex_fields(p.formulation)
    p.close()
    return (data[2]["temperature_K"] if data is not None else None), res.restarted_from


def roundtrip(folder: Path) -> dict[str, float]:
    """1 -> 2 and 2 -> 1 ranks (collective on a 2-rank COMM_WORLD): the measurements."""
    world = MPI.COMM_WORLD
    assert world.size == 2
    out: dict[str, float] = {}
    ref = None
    if world.rank == 0:  # serial: the uninterrupted run, and the first half of "one"
        ref, _ = run(MPI.COMM_SELF, folder / "ref", T_END, False)
        run(MPI.COMM_SELF, folder / "one", T_END / 2, False)
    world.barrier()
    two, t12 = run(world, folder / "one", T_END, True)  # restart 1 -> 2
    run(world, folder / "two", T_END / 2, False)  # first half on 2 ranks
    if world.rank == 0:
        one, t21 = run(MPI.COMM_SELF, folder / "two", T_END, True)  # restart 2 -> 1
        assert ref is not None and one is not None and two is not None
        scale = float(np.abs(ref).max())
        out = {
            "restart_1_2_from": t12,
            "restart_2_1_from": t21,
            "error_1_2": float(np.abs(two - ref).max()) / scale,
            "error_2_1": float(np.abs(one - ref).max()) / scale,
        }
    world.barrier()
    return world.bcast(out, root=0)


def check(m: dict[str, float]) -> None:
    assert m["restart_1_2_from"] == pytest.approx(T_END / 2)
    assert m["restart_2_1_from"] == pytest.approx(T_END / 2)
    # MUMPS on another partition: round-off of a 10-step run
    assert m["error_1_2"] < 1e-11 and m["error_2_1"] < 1e-11, m


@pytest.mark.skipif(MPI.COMM_WORLD.size != 2, reason="1 -> 2 and 2 -> 1 ranks: the 2-rank pass")
def test_restart_on_another_number_of_processes(shared_tmp):
    check(roundtrip(shared_tmp))


# ------------------------------------------------------------------ the identity itself
def _perturbed(f, how: str):
    """``f.space.tabulate_dof_coordinates`` as another partition could give it."""
    X0 = f.space.tabulate_dof_coordinates().copy()

    def tab() -> np.ndarray:
        X = X0.copy()
        if how == "signed zeros":
            X[X == 0.0] = -0.0
        elif how == "round-off":  # one ulp up or down, alternating
            step = np.where(np.arange(X.size).reshape(X.shape) % 2 == 0, np.inf, -np.inf)
            X = np.nextafter(X, step)
        return X

    return tab


@pytest.mark.parametrize("how", ["signed zeros", "round-off"])
def test_identity_ignores_round_off_of_the_coordinates(shared_tmp, monkeypatch, how):
    comm = MPI.COMM_WORLD
    p = problem(comm)
    p.run(0.05, DT, checkpoint=shared_tmp / "ck", checkpoint_every=5, progress=False)
    f = p.formulation
    saved = f.T.x.array.copy()
    # the same problem, its coordinates a few ulp off: accepted, the state maps back exactly
    monkeypatch.setattr(f.space, "tabulate_dof_coordinates", _perturbed(f, how))
    ck = Checkpoint(shared_tmp / "ck", f, p.identity())
    try:
        assert ck.prepare(restart=True)
        f.T.x.array[:] = 0.0
        ck.load_state(f.T)
    finally:
        ck.close()
    n = f.space.dofmap.index_map.size_local
    np.testing.assert_array_equal(f.T.x.array[:n], saved[:n])
    p.close()


def test_identity_refuses_another_mesh(shared_tmp):
    comm = MPI.COMM_WORLD
    p = problem(comm)
    p.run(0.05, DT, checkpoint=shared_tmp / "ck", checkpoint_every=5, progress=False)
    p.close()
    moved = problem(comm, shift=1e-3)  # every dof 1 mm off: another mesh
    with pytest.raises(InputError, match="written by another problem"):
        moved.run(0.1, DT, checkpoint=shared_tmp / "ck", restart=True, progress=False)
    moved.close()


def test_checkpoint_of_the_previous_format_restarts(shared_tmp):
    """``dofs.npz`` without keys (identity = hash of the model and the rounded keys)."""
    import hashlib

    from fe_interface.io.checkpoint import npz_bytes

    comm = MPI.COMM_WORLD
    p = problem(comm)
    p.run(0.05, DT, checkpoint=shared_tmp / "ck", checkpoint_every=5, progress=False)
    ck = Checkpoint(shared_tmp / "ck", p.formulation, p.identity())
    if comm.rank == 0:
        digest = hashlib.sha256(np.round(ck._fresh, 12).tobytes()).hexdigest()
        old = hashlib.sha256((p.identity() + digest).encode()).hexdigest()
        (shared_tmp / "ck" / "dofs.npz").write_bytes(npz_bytes(identity=np.array(old)))
    comm.barrier()
    p.close()
    again = problem(comm)
    res = again.run(0.1, DT, checkpoint=shared_tmp / "ck", restart=True, progress=False)
    assert res.restarted_from == pytest.approx(0.05)
    again.close()


if __name__ == "__main__":
    target = Path(sys.argv[1])
    result = roundtrip(target)
    if MPI.COMM_WORLD.rank == 0:
        (target / "result.json").write_text(json.dumps(result))
