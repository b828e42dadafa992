"""The laws peers' decks need: Cincotti, open gaps, curved-gap radiation, k_g(T), ranges."""

import math
import warnings

import numpy as np
import pytest

import fe_interface  # noqa: F401  (MPI before PETSc)
from fe_interface.errors import InputError
from fe_interface.model.interfaces import Conductance
from fe_interface.model.laws import (
    GASES,
    CincottiConductance,
    CMYPlasticConductance,
    ContactConductance,
    ContactPair,
    GapRadiation,
    GasGapConductance,
    Surface,
)
from fe_interface.model.laws.expression import ExpressionConductance, conductance_law
from fe_interface.model.values import ExpressionValue


def test_cincotti_is_moose_closed_gap():
    """MOOSE closed_gap_prescribed_pressure: k 16.2 | 210, H 129 | 15, P = 100 (alpha = 1)."""
    law = CincottiConductance(16.2, 210.0, 129.0, 15.0, 100.0)
    k = 2 * 16.2 * 210 / 226.2
    H = 2 * 129.0 * 15.0 / 144.0
    assert law.harmonic_conductivity == pytest.approx(k, rel=1e-15)
    assert law.h == pytest.approx(k * 100.0 / H, rel=1e-15)
    assert law.h == pytest.approx(111.92400222071433, rel=1e-14)
    assert CincottiConductance(16.2, 210.0, 129.0, 15.0, 100.0, coefficient=2.0).h == pytest.approx(
        2 * law.h
    )
    assert not law.temperature_dependent
    with pytest.raises(InputError, match=r"hardness_minus"):
        CincottiConductance(16.2, 210.0, 129.0, 0.0, 100.0)


def test_helium_conductivity_is_the_matpro_fit():
    """k_He(150 K) = 2.639e-3 150^0.7085 = 0.09187557 (MOOSE's helium test), not 0.150."""
    he = GASES["helium"]
    assert he.conductivity(150.0) == pytest.approx(0.09187557, rel=1e-8)
    assert he.k_g == pytest.approx(2.639e-3 * 298.0**0.7085)
    for name in GASES:  # every library gas has k_g(T)
        g = GASES[name]
        assert g.temperature_dependent
        assert g.conductivity(600.0) > g.conductivity(300.0) > g.conductivity(150.0)


def test_gas_gap_without_roughness_and_with_a_jump_distance():
    """Y given and form "simple": no sigma; jump distance 0: h = k_g(T_mean)/Y."""
    law = GasGapConductance("helium", Y=1.0, form="simple", jump_distance=0.0)
    assert law.temperature_dependent
    assert law.conductance(200.0, 100.0) == pytest.approx(0.09187557, rel=1e-8)
    fixed = GasGapConductance("helium", Y=2e-6, form="simple", jump_distance=1e-6, k_g=0.15)
    assert not fixed.temperature_dependent
    assert fixed.conductance(300.0, 300.0) == pytest.approx(0.15 / 3e-6)
    with pytest.raises(InputError, match=r"sigma .* is needed with relative_pressure"):
        GasGapConductance("air", p_gas=1e5, accommodation_plus=1, accommodation_minus=1,
                          relative_pressure=1e-3)  # fmt: skip
    with pytest.raises(InputError, match=r'sigma .* is needed with form "integral"'):
        GasGapConductance("air", Y=1e-6, jump_distance=0.0)
    with pytest.raises(InputError, match=r"jump_distance .* or p_gas"):
        GasGapConductance("air", Y=1e-6, form="simple", jump_distance=0.0, p_gas=1e5)
    with pytest.raises(InputError, match=r"give p_gas"):
        GasGapConductance("air", Y=1e-6, form="simple")


def test_gas_conductivity_table():
    from fe_interface.model.properties import Table

    tab = Table((100.0, 300.0), (0.01, 0.03), name="k_g", unit="W/(m K)")
    law = GasGapConductance("air", Y=1e-3, form="simple", jump_distance=0.0, k_g=tab)
    assert law.temperature_dependent
    assert law.conductance(200.0, 200.0) == pytest.approx(float(tab(200.0)) / 1e-3, rel=1e-12)


@pytest.mark.parametrize(
    "geometry, n, flux1",
    [("cylinder", 1, -265.39068252519), ("sphere", 2, -267.20687196933)],
)
def test_curved_gap_radiation_is_moose_analytic(geometry, n, flux1):
    """MOOSE gap_heat_transfer_radiation cylinder.i / sphere.i, S = 5.67e-8."""
    law = GapRadiation(0.8, 0.9, geometry, 0.1, 0.11, stefan_boltzmann=5.67e-8)
    q1 = law.conductance(278.0, 333.0) * (278.0 - 333.0)
    assert q1 == pytest.approx(flux1, rel=1e-13)
    # referred to the outer surface (+ = outer): q2 = -q1 (R1/R2)^n
    outer = GapRadiation(0.9, 0.8, geometry, 0.11, 0.1, stefan_boltzmann=5.67e-8)
    q2 = outer.conductance(333.0, 278.0) * (333.0 - 278.0)
    assert q2 == pytest.approx(-flux1 * (0.1 / 0.11) ** n, rel=1e-13)


def test_plate_radiation_and_settable_sigma():
    law = GapRadiation(0.5, 0.5, stefan_boltzmann=5.669e-8)
    assert law.effective_emissivity == pytest.approx(1 / 3)
    assert law.conductance(200.0, 100.0) == pytest.approx(5.669e-8 / 3 * 50000 * 300)
    with pytest.raises(InputError, match=r"needs radius_plus"):
        GapRadiation(0.5, 0.5, "cylinder")
    with pytest.raises(InputError, match=r"go with geometry"):
        GapRadiation(0.5, 0.5, radius_plus=1.0)


def test_contact_law_without_a_solid_part():
    """An open gap: gas and radiation only (MOOSE's helium gap), no dummy h = 0."""
    gas = GasGapConductance("helium", Y=1.0, form="simple", jump_distance=0.0)
    rad = GapRadiation(0.5, 0.5, stefan_boltzmann=5.669e-8)
    law = ContactConductance(gas=gas, radiation=rad)
    q = law.conductance(200.0, 100.0) * 100.0
    assert q == pytest.approx(100 * (0.09187557016473254 + 5.669e-8 / 3 * 50000 * 300), rel=1e-14)
    assert law.breakdown(200.0, 100.0)["solid"] == 0.0


def test_cmy_warns_outside_its_range():
    pair = ContactPair(Surface(1e-6, 16.0, 0.1), Surface(1e-6, 16.0, 0.1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CMYPlasticConductance(pair, 1e7, 3e9)  # P/H_c = 3.3e-3: inside
        CMYPlasticConductance(pair, 0.0, 3e9)  # no contact: no warning
    with pytest.warns(UserWarning, match=r"P/H_c = 1e-06 lies outside"):
        CMYPlasticConductance(pair, 3e3, 3e9)
    with pytest.warns(UserWarning, match=r"P/H_c = 0.05 lies outside"):
        CMYPlasticConductance(pair, 1.5e8, 3e9)


def test_conductance_law_picks_the_path():
    assert isinstance(conductance_law(5.0), Conductance)
    const = conductance_law(ExpressionValue("2*5"))
    assert isinstance(const, Conductance) and const.h == 10.0
    pos = conductance_law(ExpressionValue("1000 + 10*x"))
    assert isinstance(pos, Conductance) and pos.position_dependent
    np.testing.assert_allclose(pos.at(np.array([[1.0], [0.0], [0.0]])), [1010.0])
    temp = conductance_law(ExpressionValue("100 + 2*T"))
    assert isinstance(temp, ExpressionConductance)
    assert temp.conductance(310.0, 290.0) == pytest.approx(700.0)
    np.testing.assert_allclose(temp.conductance(np.array([300.0, 400.0]), 300.0), [700.0, 800.0])
    with pytest.raises(InputError, match=r"not on both"):
        conductance_law(ExpressionValue("x + T"))
    assert math.isfinite(temp.conductance(1.0, 1.0))
