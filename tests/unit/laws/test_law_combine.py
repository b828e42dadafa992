"""Parallel contact conductance and series (contact + Kapitza) resistance."""

import numpy as np
import pytest

from fe_interface.model.laws import (
    CMYPlasticConductance,
    Conductance,
    ContactConductance,
    ContactPair,
    GapRadiation,
    GasGapConductance,
    InterfaceLaw,
    KapitzaConductance,
    Resistance,
    SeriesResistance,
    Surface,
)


def test_parallel_sum_and_breakdown():
    law = ContactConductance(
        solid=Conductance(1000.0),
        gas=Conductance(250.0),
        radiation=GapRadiation(1.0, 1.0),
    )
    assert isinstance(law, InterfaceLaw)
    # blackbody gap at 300 K: 4 sigma T^3 = 6.124 W/(m^2 K)
    h = law.conductance(300.0, 300.0)
    assert h == pytest.approx(1000.0 + 250.0 + 6.12400, rel=1e-6)
    b = law.breakdown(300.0, 300.0)
    assert b["solid"] == 1000.0 and b["gas"] == 250.0
    assert b["radiation"] == pytest.approx(6.12400, rel=1e-5)
    assert b["total"] == pytest.approx(h)
    assert law.temperature_dependent and law.supports_ufl
    only = ContactConductance(Conductance(10.0))
    assert only.breakdown(300.0, 300.0) == {
        "solid": 10.0,
        "gas": 0.0,
        "radiation": 0.0,
        "total": 10.0,
    }
    assert not only.temperature_dependent


def test_series_hand_calculation():
    # R = 1/1000 + 5e-4 = 1.5e-3 m^2 K/W -> h = 666.667; Kapitza share = 5e-4/1.5e-3 = 1/3
    law = SeriesResistance(Conductance(1000.0), Resistance(5e-4))
    assert law.conductance(300.0, 290.0) == pytest.approx(666.6667, rel=1e-6)
    b = law.breakdown(300.0, 290.0)
    assert b["R_total"] == pytest.approx(1.5e-3)
    assert b["kapitza_share"] == pytest.approx(1.0 / 3.0)
    assert b["contact"] == 1000.0 and b["kapitza"] == pytest.approx(2000.0)
    assert not law.temperature_dependent
    h = law.conductance(np.array([300.0, 310.0]), np.array([290.0, 280.0]))
    np.testing.assert_allclose(h, 2000.0 / 3.0)


def test_kapitza_only_and_contact_only():
    kap = KapitzaConductance("Al", "sapphire", model="dmm")
    ko = SeriesResistance.kapitza_only(kap)
    assert ko.conductance(300.0, 300.0) == pytest.approx(kap.h(300.0))
    b = ko.breakdown(300.0, 300.0)
    assert b["kapitza_share"] == 1.0 and b["R_contact"] == 0.0
    co = SeriesResistance.contact_only(Conductance(5.0))
    assert co.conductance(300.0, 300.0) == 5.0
    assert co.breakdown(300.0, 300.0)["kapitza_share"] == 0.0


def test_realistic_stack():
    # rough Al/sapphire contact in helium, in series with the Al/sapphire Kapitza resistance
    pair = ContactPair(Surface(1e-6, 200.0, m=0.1), Surface(0.5e-6, 35.0, m=0.08))
    solid = CMYPlasticConductance(pair, pressure=1e6, H_c=1e9)
    gas = GasGapConductance("helium", pair.sigma, 101325.0, 0.9, 0.9, relative_pressure=1e-3)
    contact = ContactConductance(solid, gas, GapRadiation(0.1, 0.8))
    law = SeriesResistance(contact, KapitzaConductance("Al", "sapphire"))
    Tp, Tm = np.array([310.0, 320.0]), np.array([300.0, 300.0])
    b = law.breakdown(Tp, Tm)
    hc = solid.h + gas.conductance(Tp, Tm) + GapRadiation(0.1, 0.8).conductance(Tp, Tm)
    np.testing.assert_allclose(b["contact"], hc, rtol=1e-12)
    np.testing.assert_allclose(b["contact_solid"], solid.h)
    np.testing.assert_allclose(1.0 / b["total"], 1.0 / hc + 1.0 / b["kapitza"], rtol=1e-12)
    np.testing.assert_allclose(law.conductance(Tp, Tm), b["total"], rtol=1e-12)
    # a micrometre-rough contact dwarfs the phonon boundary resistance
    assert np.all(b["kapitza_share"] < 1e-3)
    assert law.temperature_dependent and not law.supports_ufl


def test_vacuum_removes_gas_path():
    pair = ContactPair(Surface(1e-6, 200.0, m=0.1), Surface(0.5e-6, 35.0, m=0.08))
    solid = CMYPlasticConductance(pair, pressure=1e6, H_c=1e9)
    rad = GapRadiation(0.5, 0.5)
    gas_args = dict(gas="air", sigma=pair.sigma, accommodation_plus=0.8, accommodation_minus=0.8)
    gas_args["relative_pressure"] = solid.relative_pressure
    in_air = ContactConductance(solid, GasGapConductance(p_gas=101325.0, **gas_args), rad)
    in_vac = ContactConductance(solid, GasGapConductance(p_gas=0.0, **gas_args), rad)
    b_air, b_vac = in_air.breakdown(400.0, 300.0), in_vac.breakdown(400.0, 300.0)
    assert b_air["gas"] > 0.0 and b_vac["gas"] == 0.0
    assert b_vac["total"] == pytest.approx(solid.h + rad.conductance(400.0, 300.0), rel=1e-12)
    assert KapitzaConductance("Al", "sapphire").resistance(300.0) == pytest.approx(
        1.0 / KapitzaConductance("Al", "sapphire").h(300.0)
    )


def test_series_ufl(ufl_coefficients):
    _ufl, _V, Tp, Tm = ufl_coefficients
    law = SeriesResistance(
        ContactConductance(Conductance(1000.0), radiation=GapRadiation(1.0, 1.0)),
        Resistance(5e-4),
    )
    assert law.supports_ufl
    h = law.conductance(Tp, Tm)
    val = h((0.0, 0.0), {Tp: 300.0, Tm: 300.0})
    assert val == pytest.approx(law.conductance(300.0, 300.0), rel=1e-12)


def test_bad_parameters():
    with pytest.raises(ValueError, match="needs a contact law, a kapitza law, or both"):
        SeriesResistance()
    with pytest.raises(ValueError, match="kapitza must implement the InterfaceLaw protocol"):
        SeriesResistance(Conductance(1.0), 3.0)
    with pytest.raises(ValueError, match="needs a solid, gas or radiation law"):
        ContactConductance(None)
