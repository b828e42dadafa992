"""Fits: values-only updates, coverage of the intervals, identifiability, bad input.

The rig (``helpers.rigs``): two copper meter bars, an aluminium specimen, two contacts;
thermocouples in the bars.  Synthetic readings are the model's own predictions plus
seeded Gaussian noise, so the truth is known.  Serially and on 2 ranks (same numbers).
"""

import math
from pathlib import Path

import numpy as np
import pytest
from helpers.rigs import L_BAR, L_SPEC, probe_points, rig_materials, rig_mesh

import fe_interface as fi
from fe_interface.errors import InputError
from fe_interface.studies import Observations, Parameter, ParametricModel, fit, read_measurements

BCS = [fi.FixedTemperature("x0", 350.0), fi.FixedTemperature("x1", 300.0)]
SIGMA = 0.05  # K


@pytest.fixture(scope="module")
def rig():
    return rig_mesh()


def two_contacts(v):
    return {
        "interfaces": [
            fi.Interface("interface0", fi.Resistance(v["R_top"]), plus="upper"),
            fi.Interface("interface1", fi.Resistance(v["R_bottom"]), plus="specimen"),
        ]
    }


def problem_of(rig, build, values, **kw):
    return fi.SteadyProblem(
        rig, rig_materials(), boundary_conditions=BCS, solver="direct", **build(values), **kw
    )


# --------------------------------------------------------------------------------------
# values-only updates
# --------------------------------------------------------------------------------------
def test_update_gives_the_field_of_a_new_problem_with_the_same_objects(rig):
    p = problem_of(rig, two_contacts, {"R_top": 1e-4, "R_bottom": 2e-4})
    p.enable_updates()
    p.run()
    A, ksp, forms = p.solver.A.handle, p.solver.ksp.handle, (p.solver.a, p.solver.L)
    space = p.T.function_space
    for v in ({"R_top": 3e-5, "R_bottom": 7e-4}, {"R_top": 1e-3, "R_bottom": 1e-6}):
        mats = rig_materials(k_spec=150.0)
        bcs = [fi.FixedTemperature("x0", 360.0), fi.Convection("x1", 1e3, 290.0)]
        p.update(materials=mats, boundary_conditions=[bcs[0], BCS[1]], **two_contacts(v))
        p.run()
        q = fi.SteadyProblem(
            rig, mats, boundary_conditions=[bcs[0], BCS[1]], solver="direct", **two_contacts(v)
        )
        q.run()
        scale = np.max(np.abs(q.T.x.array))
        assert np.max(np.abs(p.T.x.array - q.T.x.array)) < 1e-12 * scale
        jp, jq = p.interface_table()[0].mean_jump_K, q.interface_table()[0].mean_jump_K
        assert math.isclose(jp, jq, rel_tol=1e-10)
        q.close()
    # the same matrix, solver, forms and space: nothing rebuilt
    assert (p.solver.A.handle, p.solver.ksp.handle) == (A, ksp)
    assert (p.solver.a, p.solver.L) == forms and p.T.function_space is space


def test_update_refuses_a_change_of_structure(rig):
    p = problem_of(rig, two_contacts, {"R_top": 1e-4, "R_bottom": 2e-4})
    p.run()  # no enable_updates: the two bars share one conductivity constant
    with pytest.raises(InputError, match="share one conductivity constant"):
        mats = rig_materials()
        mats["upper"] = fi.Material("Cu", 300.0)
        p.update(materials=mats)
    with pytest.raises(InputError, match="needs a new problem"):
        p.update(boundary_conditions=[fi.HeatFlux("x0", 1e4), BCS[1]])
    with pytest.raises(InputError, match="interfaces for a problem with 2"):
        p.update(interfaces=two_contacts({"R_top": 1e-4, "R_bottom": 2e-4})["interfaces"][:1])


def test_transient_update_reassembles_its_matrices(rig):
    def build(v):
        return {
            "materials": rig_materials(k_spec=v["k"], transient=True),
            **two_contacts({"R_top": v["R"], "R_bottom": 1e-4}),
        }

    kw = {"initial_temperature": 300.0, "boundary_conditions": BCS, "solver": "direct"}
    p = fi.TransientProblem(rig, **build({"k": 200.0, "R": 1e-4}), **kw)
    p.enable_updates()
    p.run(2.0, 0.5, progress=False)
    new = {"k": 120.0, "R": 5e-4}
    p.update(**build(new))
    p.run(2.0, 0.5, progress=False)
    q = fi.TransientProblem(rig, **build(new), **kw)
    q.run(2.0, 0.5, progress=False)
    assert np.max(np.abs(p.T.x.array - q.T.x.array)) < 1e-11 * 350


# --------------------------------------------------------------------------------------
# fits
# --------------------------------------------------------------------------------------
def one_contact(v):
    return {"interfaces": [fi.Interface("interface0", fi.Conductance(v["h"]), plus="upper")]}


def test_coverage_of_the_intervals_over_200_noisy_replicas(rig):
    """68 % and 95 % intervals hold the true h in 68 ± 4 % and 95 ± 3 % of 200 replicas."""
    true_h = 1e4
    p = problem_of(rig, one_contact, {"h": true_h})
    model = ParametricModel(p, one_contact, [Parameter("h", 7e3, log=True)])
    obs = Observations(probe_points(), np.zeros(6), SIGMA)
    probes = model.probes(obs)
    truth = model.predict({"h": true_h}, probes).values
    rng = np.random.default_rng(20)
    hits = {0.68: 0, 0.95: 0}
    n = 200
    for _ in range(n):
        r = fit(model, obs.with_values(truth + rng.normal(0.0, SIGMA, len(truth))), tolerance=1e-8)
        assert r.converged and r.identifiability.identifiable["h"]
        for lev in hits:
            iv = r.interval("h", lev)
            hits[lev] += iv.lower <= true_h <= iv.upper
    assert abs(hits[0.68] / n - 0.68) <= 0.04, hits
    assert abs(hits[0.95] / n - 0.95) <= 0.03, hits


def test_a_split_the_data_cannot_see_is_reported_as_not_identifiable(rig):
    """Thermocouples only in the bars see R_top + R_bottom, not the split."""
    truth = {"R_top": 1e-4, "R_bottom": 1e-4}
    p = problem_of(rig, two_contacts, truth)
    params = [Parameter("R_top", 2e-4, log=True), Parameter("R_bottom", 5e-5, log=True)]
    model = ParametricModel(p, two_contacts, params)
    obs = Observations(probe_points(), np.zeros(6), SIGMA)
    y = model.predict(truth, model.probes(obs)).values
    noisy = obs.with_values(y + np.random.default_rng(3).normal(0.0, SIGMA, len(y)))
    r = fit(model, noisy)
    rep = r.identifiability
    assert rep.rank == 1 and not any(rep.identifiable.values())
    # no confident split: unbounded intervals for each resistance
    for name in ("R_top", "R_bottom"):
        assert math.isinf(r.std[r.names.index(name)])
        assert math.isinf(r.interval(name, 0.95).upper)
    # the determined combination is the sum, and its value is right
    det = [c for c in rep.combinations if c.determined]
    assert len(det) == 1 and np.allclose(det[0].linear, [1.0, 1.0], atol=1e-6)
    total = sum(r.estimates)
    assert abs(total - 2e-4) < 3 * det[0].std * total
    assert any("NOT determined alone" in m and "R_top + 1 R_bottom" in m for m in rep.messages)


def test_the_split_is_identifiable_with_a_probe_in_the_specimen(rig):
    truth = {"R_top": 1e-4, "R_bottom": 3e-4}
    p = problem_of(rig, two_contacts, truth)
    params = [Parameter("R_top", 2e-4, log=True), Parameter("R_bottom", 1e-4, log=True)]
    model = ParametricModel(p, two_contacts, params)
    xs = [*probe_points()[:, 0], L_BAR + L_SPEC / 2]
    obs = Observations(probe_points(xs), np.zeros(7), SIGMA)
    y = model.predict(truth, model.probes(obs)).values
    r = fit(model, obs.with_values(y))  # noise-free: the truth
    assert all(r.identifiability.identifiable.values())
    np.testing.assert_allclose(r.estimates, [1e-4, 3e-4], rtol=1e-6)
    assert r.chi2 < 1e-10


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------
def test_bad_input_is_one_clear_error(rig, shared_tmp):
    p = problem_of(rig, one_contact, {"h": 1e4})
    model = ParametricModel(p, one_contact, [Parameter("h", 1e4, log=True)])
    with pytest.raises(
        InputError, match=r"row1: the point \[0.5, 0.0025, 0.0\] m is not in the mesh"
    ):
        fit(model, Observations(probe_points([0.01, 0.5]), [320.0, 310.0], SIGMA))
    with pytest.raises(InputError, match="row1: T_K is not a finite number"):
        Observations(probe_points([0.01, 0.02]), [320.0, math.nan], SIGMA)
    with pytest.raises(InputError, match="1 readings for 2 parameters"):
        m2 = ParametricModel(
            problem_of(rig, two_contacts, {"R_top": 1e-4, "R_bottom": 1e-4}),
            two_contacts,
            [Parameter("R_top", 1e-4, log=True), Parameter("R_bottom", 1e-4, log=True)],
        )
        fit(m2, Observations(probe_points([0.01]), [320.0], SIGMA))

    def with_unused(v):  # the source of an unused region... a value without effect
        return {
            **one_contact(v),
            "materials": {**rig_materials(), "lower": fi.Material("Cu", 390.0, density=v["rho"])},
        }

    m3 = ParametricModel(
        problem_of(rig, one_contact, {"h": 1e4}), with_unused,
        [Parameter("h", 1e4, log=True), Parameter("rho", 8900.0)],
    )  # fmt: skip
    with pytest.raises(InputError, match=r"\['rho'\] have no effect on the data"):
        fit(m3, Observations(probe_points(), np.full(6, 320.0), SIGMA))
    with pytest.raises(InputError, match="outside its bounds"):
        Parameter("h", -1.0, lower=0.0)
    csv = shared_tmp / "m.csv"
    if p.comm.rank == 0:
        csv.write_text("x_m,y_m,T_K,sigma_K\n0.01,0.0025,320.0,0.05\n0.02,0.0025,inf,0.05\n")
    p.comm.barrier()
    with pytest.raises(InputError, match=r"m.csv, line 3, column 'T_K': not a finite number"):
        read_measurements(csv)


# --------------------------------------------------------------------------------------
# case files and the command line
# --------------------------------------------------------------------------------------
CASES = Path(__file__).resolve().parents[2] / "cases"


def test_fit_from_the_command_line(shared_tmp, capsys):
    import json

    from fe_interface.cli import main

    out = shared_tmp / "fit"
    assert main(["fit", str(CASES / "astm_rig_fit.toml"), "--out", str(out)]) == 0
    doc = json.loads((out / "astm_rig_fit_fit.json").read_text())
    truth = {"R_top": 5e-5, "R_bottom": 1.2e-4}  # what cases/astm_rig_measured.csv was made with
    for p in doc["parameters"]:
        assert p["identifiable"] and abs(p["estimate"] - truth[p["name"]]) < 3 * p["std"]
        assert p["intervals"][1]["lower"] < p["estimate"] < p["intervals"][1]["upper"]
    assert (out / "astm_rig_fit_fit_residuals.csv").read_text().count("\n") == 9
    if p_rank() == 0:
        assert "R_top: determined" in capsys.readouterr().out


def test_a_failing_plot_does_not_fail_the_fit(shared_tmp, capsys, monkeypatch):
    """A fit whose residual plot cannot be written still writes its result set and says so."""
    import json

    from fe_interface.cli import main
    from fe_interface.io import plots

    def save(fig, path):
        raise ValueError("no space for the figure")

    monkeypatch.setattr(plots, "save_figure", save)
    out = shared_tmp / "fit_noplot"
    assert main(["fit", str(CASES / "astm_rig_fit.toml"), "--out", str(out)]) == 0
    assert json.loads((out / "astm_rig_fit_fit.json").read_text())["parameters"]
    assert not list(out.glob("*.png"))
    if p_rank() == 0:
        printed = capsys.readouterr().out
        assert (
            "warning: " in printed
            and "not written" in printed
            and "no space for the figure" in printed
        )


def p_rank():
    from mpi4py import MPI

    return MPI.COMM_WORLD.rank


def test_case_keys_of_studies_are_checked():
    from fe_interface.case import parse_case
    from fe_interface.case.checker import CaseError

    base = {
        "geometry": {
            "builder": "layered_stack",
            "parameters": {"thicknesses": [0.01], "width": 0.01},
        },
        "materials": {"layer0": {"conductivity": 1.0}},
        "boundaries": {"x0": {"type": "temperature", "value": 300.0}},
    }
    bad_fit = {**base, "fit": {"parameters": [{"key": "materials.layer0.k", "log": True}]}}
    with pytest.raises(
        CaseError, match=r"fit.parameters\[0\].key: no value 'k' in materials.layer0"
    ):
        parse_case(bad_fit)
    bad_uq = {
        **base,
        "uncertainty": {
            "inputs": [
                {
                    "key": "materials.layer0.conductivity",
                    "distribution": "lognormal",
                    "mean": -1.0,
                    "std": 0.1,
                }
            ],
            "method": "quasi",
        },
    }
    with pytest.raises(CaseError) as e:
        parse_case(bad_uq)
    text = str(e.value)
    assert "uncertainty.inputs[0].mean: a lognormal input needs mean > 0" in text
    assert "uncertainty.method: unknown value 'quasi'" in text
