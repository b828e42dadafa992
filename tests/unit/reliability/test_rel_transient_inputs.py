"""Bad transient input and bad checkpoints: one :class:`InputError` naming the item (the
argument, the region, the checkpoint file), raised on every rank; a run that would
never end is refused.  Serially and under ``mpirun -n 2``."""

from __future__ import annotations

import math

from mpi4py import MPI

import numpy as np
import pytest
from helpers.walls import wall_mesh

from fe_interface.errors import InputError, TimeStepError
from fe_interface.model import Conductance, Convection, HeatFlux, Interface, Material
from fe_interface.problems import TransientProblem

COMM = MPI.COMM_WORLD


@pytest.fixture(scope="module")
def tm():
    return wall_mesh((0.01, 0.01), "quadrilateral", 2)


def problem(tm, init=300.0, R=1e3, **kw):
    return TransientProblem(
        tm,
        {"m0": Material("a", 10.0, 1000.0, 500.0), "m1": Material("b", 20.0, 1000.0, 500.0)},
        [Interface("i0", Conductance(R), plus="m0")],
        [HeatFlux("left", 1e4), Convection("right", 100.0, 300.0)],
        initial_temperature=init,
        solver="direct",
        **kw,
    )


RUN_ARGS = [
    ({"t_end": 0.0}, "t_end"),
    ({"t_end": -1.0}, "t_end"),
    ({"t_end": math.inf}, "t_end"),
    ({"t_end": "1"}, "t_end"),
    ({"dt": 0.0}, "dt"),
    ({"dt": math.nan}, "dt"),
    ({"dt": -0.1}, "dt"),
    ({"dt": 1e-9}, "exceeds max_steps"),
    ({"dt": 0.1, "max_steps": 0}, "max_steps"),
    ({"dt": 0.1, "max_steps": 5}, "exceeds max_steps = 5"),
    ({"output_every": 0}, "output_every"),
    ({"output_every": 1.5}, "output_every"),
    ({"checkpoint_every": 0}, "checkpoint_every"),
    ({"checkpoint_every": True}, "checkpoint_every"),
    ({"tol": -0.01, "adaptive": True}, "tol"),
    ({"tol": 0.0, "adaptive": True}, "tol"),
    ({"dt_min": -1.0, "adaptive": True}, "dt_min"),
    ({"dt_min": 1.0, "dt_max": 0.1, "adaptive": True}, "dt_min <= dt_max"),
    ({"name": "../escape"}, "plain file name"),
    ({"name": "a/b"}, "plain file name"),
]


@pytest.mark.parametrize(("kw", "expect"), RUN_ARGS, ids=[str(k) for k, _ in RUN_ARGS])
def test_bad_run_arguments(tm, shared_tmp, kw, expect):
    args = {"t_end": 1.0, "dt": 0.1} | kw
    t_end, dt = args.pop("t_end"), args.pop("dt")
    if "name" in args:
        args["output"] = shared_tmp / "out"
    with pytest.raises(InputError, match=expect):
        problem(tm).run(t_end, dt, progress=False, **args)
    assert not (shared_tmp / "escape.xdmf").exists()


@pytest.mark.parametrize(
    ("init", "expect"),
    [
        (-5.0, "region 'm0' must be a positive"),
        (0.0, "positive"),
        (math.nan, "positive finite"),
        ({"m0": 300.0}, r"no value for region\(s\) \['m1'\]"),
        ({"m0": 300.0, "m1": 300.0, "m9": 1.0}, "initial_temperature"),
        (
            {"m0": 300.0, "m1": lambda x: np.full(x.shape[1], np.nan)},
            r"region 'm1': T = nan K at x =",
        ),
        ({"m0": lambda x: 300.0 - 1e5 * x[0], "m1": 300.0}, r"region 'm0': T = -.* K"),
        (
            {"m0": 300.0, "m1": lambda x: 1 / 0},
            "region 'm1': the function failed: ZeroDivisionError",
        ),
        ("warm", "positive finite number"),
    ],
)
def test_bad_initial_temperature(tm, init, expect):
    with pytest.raises(InputError, match=expect):
        problem(tm, init=init).run(0.2, 0.1, progress=False)


def test_adaptive_run_that_would_not_end(tm):
    with pytest.raises(TimeStepError, match="more than max_steps = 3"):
        problem(tm).run(
            1.0, 1e-3, adaptive=True, tol=1e-9, dt_min=1e-12, max_steps=3, progress=False
        )


def test_restart_before_the_checkpoint_time(tm, shared_tmp):
    ck = shared_tmp / "ck"
    problem(tm).run(0.3, 0.1, checkpoint=ck, progress=False)
    with pytest.raises(InputError, match="before the checkpoint's time"):
        problem(tm).run(0.2, 0.1, checkpoint=ck, restart=True, progress=False)
    with pytest.raises(InputError, match="another problem"):
        problem(tm, R=2e3).run(0.5, 0.1, checkpoint=ck, restart=True, progress=False)
    res = problem(tm).run(0.4, 0.1, checkpoint=ck, restart=True, progress=False)
    assert res.restarted_from == pytest.approx(0.3) and res.steps == 4


CORRUPT = [
    ("state.npz", b"PK\x03\x04 truncated zip", r"state\.npz is unreadable"),
    ("state.npz", b"", r"state\.npz is unreadable"),
    ("state.npz", "npz-without-meta", r"state\.npz is incomplete \(no meta"),
    ("state.npz", "npz-bad-meta", r"state\.npz is corrupt"),
    ("dofs.npz", b"garbage", r"dofs\.npz is unreadable"),
    ("dofs.npz", "npz-without-meta", r"dofs\.npz is incomplete \(no identity"),
]


@pytest.mark.parametrize(
    ("file", "content", "expect"), CORRUPT, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(CORRUPT)]
)
def test_corrupt_checkpoint(tm, shared_tmp, file, content, expect):
    ck = shared_tmp / "ck"
    problem(tm).run(0.2, 0.1, checkpoint=ck, progress=False)
    if COMM.rank == 0:
        p = ck / file
        if content == "npz-without-meta":
            np.savez(p, T=np.zeros(3), history=np.zeros((0, 7)))
            p.with_suffix(".npz.npz").rename(p) if p.with_suffix(".npz.npz").exists() else None
        elif content == "npz-bad-meta":
            with np.load(p) as z:
                data = {k: z[k] for k in z.files}
            data["meta"] = np.array("{not json")
            with open(p, "wb") as fh:
                np.savez(fh, **data)
        else:
            p.write_bytes(content)
    COMM.barrier()
    with pytest.raises(InputError, match=expect) as ei:
        problem(tm).run(0.4, 0.1, checkpoint=ck, restart=True, progress=False)
    assert "delete" in str(ei.value) or "corrupt" in str(ei.value)
