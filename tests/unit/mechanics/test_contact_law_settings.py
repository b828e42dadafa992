"""The pressure-coupled contact law honours the constants of the solid-spot laws
(issue 18 item 4, issue 22's "CMY/Mikic coefficient and exponent settings"): the Vickers
``size_factor`` and ``exponent_factor`` (hard-coded 1.62 and 0.071 before: h 2.8 % / 3.1 %
off the constant law with the same settings) and the correlations' ``coefficient`` and
``exponent``, in the Python API and in case files -- one implementation of each formula
(:func:`~fe_interface.model.laws.contact.cmy_conductance`,
:func:`~fe_interface.model.laws.contact.mikic_conductance`)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import fe_interface as fi  # noqa: F401
from fe_interface.case import CaseError
from fe_interface.case.checker import Checker
from fe_interface.case.mechanics import read_mechanics
from fe_interface.errors import InputError
from fe_interface.mechanics import LocalContactLaw
from fe_interface.model.laws import (
    CMYPlasticConductance,
    ContactPair,
    MikicElasticConductance,
    Surface,
    VickersMicrohardness,
)

PAIR = ContactPair(
    Surface(1.2e-6, 16.0, m=0.1, E=200e9, nu=0.3), Surface(0.8e-6, 50.0, m=0.08, E=110e9, nu=0.34)
)
PRESSURES = np.array([0.0, 1e4, 3e5, 2e6, 2e7])
VICKERS = [
    VickersMicrohardness.from_material("SS304", size_factor=1.8),
    VickersMicrohardness.from_material("SS304", exponent_factor=0.09),
    VickersMicrohardness(5.0e9, -0.2, size_factor=1.4, exponent_factor=0.05),
]


@pytest.mark.parametrize("H_c", VICKERS)
@pytest.mark.parametrize("corr", [{}, {"coefficient": 1.45, "exponent": 0.985}])
def test_cmy_settings_equal_the_constant_law(H_c, corr):
    law = LocalContactLaw(PAIR, H_c=H_c, **corr)
    h = law.solid_conductance(PRESSURES)
    ref = [CMYPlasticConductance(PAIR, float(P), H_c, **corr).h for P in PRESSURES]
    np.testing.assert_allclose(h, ref, rtol=1e-13, atol=0)
    # and the relative pressure of the gas-gap separation is the same relation
    rel = [H_c.relative_pressure(float(P), PAIR.sigma, PAIR.m) for P in PRESSURES]
    np.testing.assert_allclose(law.relative_pressure(PRESSURES), rel, rtol=1e-14, atol=0)


def test_the_factors_matter():
    """Not a test that cannot fail: the settings change h by percents."""
    default = LocalContactLaw(PAIR, H_c=VickersMicrohardness.from_material("SS304"))
    for H_c in VICKERS[:2]:
        h = LocalContactLaw(PAIR, H_c=H_c).solid_conductance(2e6)
        assert abs(h / default.solid_conductance(2e6) - 1) > 0.02


def test_mikic_settings_equal_the_constant_law():
    law = LocalContactLaw(PAIR, solid="mikic", coefficient=1.2, exponent=0.9)
    ref = [MikicElasticConductance(PAIR, float(P), 1.2, 0.9).h for P in PRESSURES]
    np.testing.assert_allclose(law.solid_conductance(PRESSURES), ref, rtol=1e-13)
    assert law.coefficient == 1.2 and law.exponent == 0.9
    assert LocalContactLaw(PAIR, solid="mikic").coefficient == 1.54


@pytest.mark.parametrize("key", ["coefficient", "exponent"])
def test_bad_settings_are_named(key):
    with pytest.raises(InputError, match=f"contact law 'contact'.*{key}"):
        LocalContactLaw(PAIR, H_c=3e9, **{key: -1.0})


THERMAL = {
    "surface_plus": {"sigma": 1.2e-6, "k": 16.0, "m": 0.1},
    "surface_minus": {"sigma": 0.8e-6, "k": 50.0, "m": 0.08},
    "H_c": {"material": "SS304", "size_factor": 1.8, "exponent_factor": 0.09},
    "coefficient": 1.45,
    "exponent": 0.985,
}
MECH = {
    "materials": {"lower": {"E": 200e9, "nu": 0.3}, "upper": {"E": 200e9, "nu": 0.3}},
    "contacts": {"contact": {"thermal": THERMAL}},
    "boundaries": {"bottom": {"type": "symmetry"}},
}


def test_case_file_settings_reach_the_law():
    c = Checker()
    spec = read_mechanics(c, copy.deepcopy(MECH), [], "steady")
    assert not c.errors, c.errors
    (contact,) = spec.contacts
    law = contact.thermal
    H = VickersMicrohardness.from_material("SS304", size_factor=1.8, exponent_factor=0.09)
    ref = [CMYPlasticConductance(law.pair, float(P), H, 1.45, 0.985).h for P in PRESSURES]
    np.testing.assert_allclose(law.solid_conductance(PRESSURES), ref, rtol=1e-13, atol=0)


def test_case_file_bad_setting_has_its_key():
    bad = copy.deepcopy(MECH)
    bad["contacts"]["contact"]["thermal"]["exponent"] = 0.0
    c = Checker()
    read_mechanics(c, bad, [], "steady")
    assert any(p == "mechanics.contacts.contact.thermal.exponent" for p, _ in c.errors), c.errors
    assert CaseError  # the case layer raises these as one CaseError
