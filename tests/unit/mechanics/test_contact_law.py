"""The local contact law h(P, g, T⁺, T⁻) equals the project's laws evaluated with the
local values (vectorised; every number to round-off):

* solid spots: :class:`CMYPlasticConductance` (microhardness as a number and as a
  Vickers correlation) and :class:`MikicElasticConductance` at the pressure P;
* gas: :class:`GasGapConductance` with ``relative_pressure = P/H_c`` where the contact
  is closed (g = 0, P/H_c ≥ r_min), and with ``Y = Y(r_min) + g`` where it is open;
  simple and integral forms, fixed and local gas temperature;
* radiation: :class:`GapRadiation` at T⁺, T⁻;
* P = 0 gives no solid conductance; errors name the law.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import fe_interface as fi  # noqa: F401
from fe_interface.errors import InputError
from fe_interface.mechanics import GasFill, LocalContactLaw
from fe_interface.model.laws import (
    CMYPlasticConductance,
    ContactPair,
    GapRadiation,
    GasGapConductance,
    MikicElasticConductance,
    Surface,
    VickersMicrohardness,
    separation_from_pressure,
)

PAIR = ContactPair(
    Surface(1.2e-6, 16.0, m=0.1, E=200e9, nu=0.3), Surface(0.8e-6, 50.0, m=0.08, E=110e9, nu=0.34)
)
PRESSURES = np.array([0.0, 1e4, 3e5, 2e6, 2e7])


@pytest.mark.parametrize("H_c", [3.0e9, VickersMicrohardness.from_material("SS304")])
def test_cmy_solid_equals_the_constant_law(H_c):
    law = LocalContactLaw(PAIR, H_c=H_c)
    h = law.solid_conductance(PRESSURES)
    ref = [CMYPlasticConductance(PAIR, float(P), H_c).h for P in PRESSURES]
    np.testing.assert_allclose(h, ref, rtol=1e-13, atol=0)
    assert h[0] == 0.0


def test_mikic_solid_equals_the_constant_law():
    law = LocalContactLaw(PAIR, solid="mikic")
    ref = [MikicElasticConductance(PAIR, float(P)).h for P in PRESSURES]
    np.testing.assert_allclose(law.solid_conductance(PRESSURES), ref, rtol=1e-13)


@pytest.mark.parametrize("form", ["simple", "integral"])
@pytest.mark.parametrize("T_gas", [None, 320.0])
def test_gas_closed_and_open(form, T_gas):
    H = 3.0e9
    gas = GasFill("air", 5.0e4, 0.8, 0.9, T_gas=T_gas, form=form)
    law = LocalContactLaw(PAIR, H_c=H, gas=gas)
    Tp, Tm = 350.0, 300.0
    # closed (g = 0) above r_min: the gas-gap law at P/H_c
    P = np.array([1e5, 2e6, 2e7])
    h = law.gas_conductance(P, 0.0, Tp, Tm)
    for Pi, hi in zip(P, h, strict=True):
        ref = GasGapConductance(
            "air", PAIR.sigma, 5.0e4, 0.8, 0.9, relative_pressure=Pi / H, T_gas=T_gas, form=form
        ).conductance(Tp, Tm)
        assert hi == pytest.approx(ref, rel=1e-11)
    # open: Y(r_min) + g
    g = np.array([1e-7, 5e-6, 2e-4])
    h = law.gas_conductance(np.zeros(3), g, Tp, Tm)
    Y0 = separation_from_pressure(law.relative_pressure_min, PAIR.sigma)
    assert Y0 == pytest.approx(math.sqrt(2) * PAIR.sigma * 3.0157, rel=1e-3)  # ≈ 4.26 σ
    for gi, hi in zip(g, h, strict=True):
        ref = GasGapConductance(
            "air", PAIR.sigma, 5.0e4, 0.8, 0.9, Y=Y0 + gi, T_gas=T_gas, form=form
        ).conductance(Tp, Tm)
        assert hi == pytest.approx(ref, rel=1e-11)


def test_radiation_and_breakdown():
    rad = GapRadiation(0.3, 0.6)
    law = LocalContactLaw(PAIR, H_c=3e9, gas=GasFill(T_gas=300.0), radiation=rad)
    assert law.temperature_dependent
    Tp, Tm = np.array([400.0, 310.0]), np.array([300.0, 305.0])
    parts = law.breakdown(np.array([1e6, 0.0]), np.array([0.0, 1e-5]), Tp, Tm)
    np.testing.assert_allclose(parts["radiation"], rad.conductance(Tp, Tm), rtol=1e-14)
    np.testing.assert_allclose(
        parts["total"], parts["solid"] + parts["gas"] + parts["radiation"], rtol=1e-15
    )
    assert parts["solid"][1] == 0.0 and parts["gas"][1] > 0.0
    assert not LocalContactLaw(PAIR, H_c=3e9, gas=GasFill(T_gas=300.0)).temperature_dependent


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"solid": "cmy"}, "H_c"),
        ({"solid": "x", "H_c": 1e9}, "solid"),
        ({"H_c": -1.0}, "H_c"),
        ({"H_c": 1e9, "relative_pressure_min": 0.7}, "relative_pressure_min"),
        ({"H_c": 1e9, "gas": GasFill(p_gas=-1.0)}, "p_gas"),
    ],
)
def test_errors_name_the_law(kw, match):
    with pytest.raises(InputError, match=match):
        LocalContactLaw(PAIR, name="joint", **kw)


def test_pressure_above_hardness():
    law = LocalContactLaw(PAIR, H_c=1e6, name="joint")
    with pytest.raises(InputError, match=r"'joint'.*exceeds the microhardness"):
        law.solid_conductance([2e6])
