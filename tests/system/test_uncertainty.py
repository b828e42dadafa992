"""Uncertainty propagation: closed-form moments, polynomial chaos, resuming, groups, errors.

A case linear in R: a heat flux q″ through the rig to a fixed cold face, so the junction
(the hot face, the maximum of region ``upper``) is T_j = T_cold + q″ (ΣL/k + R + R₂):
with R lognormal, mean(T_j) = T_cold + q″ (ΣL/k + E[R] + R₂) and std(T_j) = q″ std(R)
exactly (the P1 field is exact for this 1D field).  Serially and on 2 ranks.
"""

import json
import math

from mpi4py import MPI

import numpy as np
import pytest
from helpers.rigs import K_BAR, K_SPEC, L_BAR, L_SPEC, rig_materials, rig_mesh

import fe_interface as fi
from fe_interface.errors import InputError
from fe_interface.studies import Parameter, ParametricModel
from fe_interface.studies.distributions import Distribution
from fe_interface.studies.uncertainty import propagate

Q, T_COLD, R2 = 2e5, 300.0, 1e-4
R_MEAN, R_STD = 2e-4, 8e-5
EXACT_MEAN = T_COLD + Q * (2 * L_BAR / K_BAR + L_SPEC / K_SPEC + R_MEAN + R2)
EXACT_STD = Q * R_STD
INPUT = [Distribution("R", "lognormal", {"mean": R_MEAN, "std": R_STD})]


def build(v):
    return {
        "interfaces": [
            fi.Interface("interface0", fi.Resistance(v["R"]), plus="upper"),
            fi.Interface("interface1", fi.Resistance(R2), plus="specimen"),
        ]
    }


def make_model(comm=MPI.COMM_WORLD):
    rig = rig_mesh() if comm is MPI.COMM_WORLD else _rig_on(comm)
    bcs = [fi.HeatFlux("x0", Q), fi.FixedTemperature("x1", T_COLD)]
    p = fi.SteadyProblem(
        rig, rig_materials(), boundary_conditions=bcs, solver="direct", **build({"R": R_MEAN})
    )
    return ParametricModel(p, build, [Parameter("R", R_MEAN, log=True)])


def _rig_on(comm):
    from fe_interface.geometry import layered_stack

    return layered_stack(
        [L_BAR, L_SPEC, L_BAR], 0.005, dim=2, names=["upper", "specimen", "lower"],
        mesh_size=0.0025, cell_type="hex", comm=comm,
    )  # fmt: skip


@pytest.fixture(scope="module")
def model():
    return make_model()


def test_monte_carlo_moments_equal_the_closed_form_within_their_error(model):
    r = propagate(model, INPUT, method="monte_carlo", samples=1000, seed=3, junction="upper")
    st = r.statistics["junction_K"]
    assert r.runs == 1000 and not r.failed
    assert abs(st["mean"] - EXACT_MEAN) < 3 * st["mean_error"]
    # the standard error of a standard deviation: σ √((κ − 1)/(4n)), κ the kurtosis of T_j
    s2 = math.log(1 + (R_STD / R_MEAN) ** 2)
    kurt = math.exp(4 * s2) + 2 * math.exp(3 * s2) + 3 * math.exp(2 * s2) - 3
    assert abs(st["std"] - EXACT_STD) < 3 * EXACT_STD * math.sqrt((kurt - 1) / 4000)
    # one input: it carries all the variance
    assert r.sobol["junction_K"]["first"]["R"] == pytest.approx(1.0, abs=1e-6)
    conv = r.convergence["junction_K"]
    assert conv[-1][0] == 1000 and conv[0][0] < conv[-1][0]


def test_polynomial_chaos_gets_the_moments_with_few_runs(model):
    r = propagate(model, INPUT, method="chaos", samples=12, junction="upper")
    st = r.statistics["junction_K"]
    assert r.runs <= 50
    assert st["mean"] == pytest.approx(EXACT_MEAN, rel=1e-9)
    assert st["std"] == pytest.approx(EXACT_STD, rel=1e-6)


def test_samples_are_written_as_they_finish_and_a_restart_resumes(model, shared_tmp):
    state = shared_tmp / "state"
    kw = {"method": "lhs", "samples": 16, "seed": 5, "junction": "upper", "state": state}
    first = propagate(model, INPUT, **kw)
    files = sorted(state.glob("sample_*.json"))
    assert len(files) == 16 and first.resumed == 0
    for p in files:  # whole files only (written atomically)
        assert "outputs" in json.loads(p.read_text())
    MPI.COMM_WORLD.barrier()
    if MPI.COMM_WORLD.rank == 0:  # as if killed after 10 samples
        for p in files[10:]:
            p.unlink()
    MPI.COMM_WORLD.barrier()
    again = propagate(model, INPUT, **kw)
    assert again.resumed == 10
    np.testing.assert_allclose(again.values, first.values, rtol=1e-12)
    with pytest.raises(InputError, match="holds samples of another study"):
        propagate(model, INPUT, **{**kw, "seed": 6})


@pytest.mark.skipif(MPI.COMM_WORLD.size != 2, reason="two groups of one rank: mpirun -n 2")
def test_groups_of_ranks_run_samples_side_by_side():
    r = propagate(make_model, INPUT, method="sobol", samples=32, junction="upper", groups=2)
    one = propagate(make_model(), INPUT, method="sobol", samples=32, junction="upper")
    np.testing.assert_allclose(r.values, one.values, rtol=1e-10)


def test_bad_distributions_are_one_clear_error(model):
    with pytest.raises(InputError, match="std: must be > 0"):
        Distribution("R", "normal", {"mean": 1.0, "std": -1.0})
    with pytest.raises(InputError, match="a lognormal input needs mean > 0"):
        Distribution("R", "lognormal", {"mean": -1.0, "std": 1.0})
    with pytest.raises(InputError, match="needs lower < upper"):
        Distribution("R", "uniform", {"lower": 2.0, "upper": 1.0})
    with pytest.raises(InputError, match="unknown distribution 'gamma'"):
        Distribution("R", "gamma", {"k": 2.0})
    with pytest.raises(InputError, match=r"missing \['std'\]"):
        Distribution("R", "truncated_normal", {"mean": 1.0, "lower": 0.0, "upper": 2.0})
    with pytest.raises(InputError, match="values: needs at least 2 finite"):
        Distribution("R", "samples", {"values": [1.0, math.nan]})
    with pytest.raises(InputError, match=r"inputs \['k'\] are not parameters"):
        propagate(model, [Distribution("k", "normal", {"mean": 1.0, "std": 0.1})], samples=4)
