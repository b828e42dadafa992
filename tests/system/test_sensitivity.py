"""Tangent-linear sensitivities equal central finite differences to 1e-6 relative.

Steady (linear), steady with a temperature-dependent interface law (Newton's Jacobian),
transient (backward Euler, and Crank–Nicolson with its start-up half steps and an h(T)
law).  The reference is the central difference of the predictions with Richardson
extrapolation (steps 1e-3 and 5e-4 relative: truncation ~1e-12), with a direct solver and
tight Newton tolerances so that solver noise stays below 1e-9.  Serially and on 2 ranks.
"""

import numpy as np
import pytest
from helpers.rigs import probe_points, rig_materials, rig_mesh

import fe_interface as fi
from fe_interface.model.laws import ContactConductance, GapRadiation
from fe_interface.model.laws.contact import CMYPlasticConductance, ContactPair, Surface
from fe_interface.studies import Observations, Parameter, ParametricModel

TIGHT = {"snes_rtol": 1e-12, "snes_atol": 1e-9}


@pytest.fixture(scope="module")
def rig():
    return rig_mesh()


def reference_jacobian(model, values, probes):
    """Central differences of the predictions, Richardson-extrapolated."""
    j1 = model.fd_jacobian(values, probes, step=1e-3)
    j2 = model.fd_jacobian(values, probes, step=5e-4)
    return (4 * j2 - j1) / 3


def assert_jacobians_agree(model, values, obs, tol=1e-6):
    probes = model.probes(obs)
    pred = model.predict(values, probes, jacobian=True)
    ref = reference_jacobian(model, values, probes)
    for j, name in enumerate(model.names):
        scale = np.max(np.abs(ref[:, j]))
        assert scale > 0, name
        err = np.max(np.abs(pred.jacobian[:, j] - ref[:, j])) / scale
        assert err < tol, (name, err)
    return pred


def linear_build(v):
    return {
        "materials": rig_materials(k_spec=v["k_spec"]),
        "interfaces": [
            fi.Interface("interface0", fi.Resistance(v["R_top"]), plus="upper"),
            fi.Interface("interface1", fi.Conductance(v["h_bottom"]), plus="specimen"),
        ],
        "boundary_conditions": [
            fi.HeatFlux("x0", v["q"]),
            fi.Convection("x1", v["h_conv"], v["T_inf"]),
        ],
    }


LINEAR = {"R_top": 1e-4, "h_bottom": 5e3, "k_spec": 200.0, "q": 2e5, "h_conv": 3e3, "T_inf": 300.0}


def test_steady_sensitivities_equal_finite_differences(rig):
    objs = linear_build(LINEAR)
    problem = fi.SteadyProblem(rig, solver="direct", **objs)
    params = [Parameter(k, v, log=k != "T_inf") for k, v in LINEAR.items()]
    model = ParametricModel(problem, linear_build, params)
    obs = Observations(probe_points(), np.zeros(6), 0.1)
    pred = assert_jacobians_agree(model, LINEAR, obs)
    # dT/dT_inf = 1 everywhere: the whole field moves with the coolant
    np.testing.assert_allclose(pred.jacobian[:, model.names.index("T_inf")], 1.0, rtol=1e-10)


def law(P, eps):
    pair = ContactPair(Surface(1e-6, 200.0, 0.1), Surface(1e-6, 200.0, 0.1))
    return ContactConductance(CMYPlasticConductance(pair, P, 1e9), radiation=GapRadiation(eps, 0.8))


def nonlinear_build(v, transient=False):
    return {
        "materials": rig_materials(transient=transient),
        "interfaces": [
            fi.Interface("interface0", law(v["P"], v["eps"]), plus="upper"),
            fi.Interface("interface1", fi.Resistance(v["R"]), plus="specimen"),
        ],
        "boundary_conditions": [fi.HeatFlux("x0", 5e4), fi.Convection("x1", v["h_conv"], 300.0)],
    }


NONLINEAR = {"P": 1e5, "eps": 0.5, "R": 2e-4, "h_conv": 2e3}


def test_steady_sensitivities_with_temperature_dependent_law(rig):
    problem = fi.SteadyProblem(
        rig, solver="direct", petsc_options=TIGHT, **nonlinear_build(NONLINEAR)
    )
    params = [Parameter(k, v, log=True) for k, v in NONLINEAR.items()]
    model = ParametricModel(problem, nonlinear_build, params)
    assert problem.values.f.nonlinear
    obs = Observations(probe_points(), np.zeros(6), 0.1)
    assert_jacobians_agree(model, NONLINEAR, obs)
    # the law's numbers are constants of the compiled form: no new form per value
    names = [s.name for s in problem.values.slots]
    assert "interfaces.interface0.radiation.emissivity_plus" in names


@pytest.mark.parametrize("scheme", ["backward_euler", "crank_nicolson"])
def test_transient_sensitivities_equal_finite_differences(rig, scheme):
    nonlinear = scheme == "crank_nicolson"

    def build(v):
        if nonlinear:
            objs = nonlinear_build({**NONLINEAR, "R": v["R"], "h_conv": v["h_conv"]}, True)
        else:
            objs = linear_build({**LINEAR, "R_top": v["R"], "h_conv": v["h_conv"]})
        objs["materials"] = rig_materials(k_spec=v["k_spec"], transient=True)
        return objs

    nominal = {"R": 2e-4, "h_conv": 2e3, "k_spec": 200.0}
    problem = fi.TransientProblem(
        rig, initial_temperature=300.0, scheme=scheme, solver="direct",
        petsc_options=TIGHT if nonlinear else None,
        **build(nominal),
    )  # fmt: skip
    params = [Parameter(k, v, log=True) for k, v in nominal.items()]
    model = ParametricModel(problem, build, params, dt=0.5)
    pts = probe_points()
    times = np.array([1.0, 2.25, 4.0])  # 2.25 s: between two steps (interpolated)
    obs = Observations(
        np.repeat(pts, len(times), axis=0), np.zeros(len(pts) * len(times)), 0.1,
        times=np.tile(times, len(pts)),
    )  # fmt: skip
    assert_jacobians_agree(model, nominal, obs)
