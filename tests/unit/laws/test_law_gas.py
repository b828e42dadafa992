"""Yovanovich gas-gap conductance against hand calculations and limits."""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import erfc

from fe_interface.model.laws import GASES, GasGapConductance, separation_from_pressure

SIGMA = 1.5e-6  # m


def helium(**kw):
    args = dict(
        gas="helium",
        sigma=SIGMA,
        p_gas=101325.0,
        accommodation_plus=0.5,
        accommodation_minus=0.5,
        relative_pressure=1e-3,
    )
    args.update(kw)
    return GasGapConductance(**args)


def test_gas_database_has_required_gases():
    assert {"air", "helium", "argon", "nitrogen"} <= set(GASES)
    for g in GASES.values():
        assert g.source
        assert 0.6 < g.Pr < 0.8
    # kinetic-theory ordering of mean free paths at 1 atm: He >> Ar ~ air ~ N2
    assert GASES["helium"].mfp0 > 2.5 * GASES["air"].mfp0


def test_separation_from_pressure():
    # P/H_c = 1e-3 -> Y/sigma = standard-normal 0.999 quantile = 3.090232
    Y = separation_from_pressure(1e-3, SIGMA)
    assert Y / SIGMA == pytest.approx(3.090232, rel=1e-6)
    assert 0.5 * erfc(Y / (math.sqrt(2.0) * SIGMA)) == pytest.approx(1e-3, rel=1e-10)
    assert separation_from_pressure(0.0, SIGMA) == math.inf


def test_rarefaction_parameter_hand_calculation():
    # alpha = 2 * (2 - 0.5)/0.5 = 6; beta = 2 (5/3) / ((8/3) 0.694) = 1.801153
    # Lambda(298 K, 1 atm) = 176.51 nm -> M = 6 * 1.801153 * 176.51e-9 = 1.907529e-6 m
    law = helium()
    assert law.alpha == pytest.approx(6.0)
    assert law.gas.beta == pytest.approx(1.801153, rel=1e-6)
    M = law.rarefaction_parameter(298.0)
    assert M == pytest.approx(1.907529e-6, rel=1e-6)
    # half the pressure doubles the mean free path; so does twice the temperature
    assert helium(p_gas=101325.0 / 2).rarefaction_parameter(298.0) == pytest.approx(2 * M)
    assert law.rarefaction_parameter(596.0) == pytest.approx(2 * M)


def test_simple_form_hand_calculation():
    law = helium(form="simple")
    Y = 3.090232 * SIGMA
    M = 1.907529e-6
    # k_He(T) = 2.639e-3 T^0.7085 W/(m K) (MATPRO): 0.149424 at 298 K, 0.244175 at 596 K
    expected = 0.149424 / (Y + M)  # = 0.149424 / 6.542877e-6 = 22837.7 W/(m^2 K)
    assert law.conductance(298.0, 298.0) == pytest.approx(expected, rel=3e-6)
    assert expected == pytest.approx(22837.7, rel=1e-5)
    # gas temperature = mean of the two sides: k_g(596 K), Lambda ~ T
    assert law.conductance(500.0, 692.0) == pytest.approx(0.244175 / (Y + 2 * M), rel=3e-6)
    assert law.temperature_dependent


def test_integral_form_against_quadrature():
    law = helium()
    y = law.Y / SIGMA
    for T in (150.0, 298.0, 900.0):
        a = law.rarefaction_parameter(T) / SIGMA
        ref, _ = quad(
            lambda u, a=a: math.exp(-0.5 * (y - u) ** 2) / (u + a),
            0.0,
            y + 40.0,
            points=[y],
            epsabs=0.0,
            epsrel=1e-12,
            limit=200,
        )
        k_g = 2.639e-3 * T**0.7085  # helium, MATPRO fit, W/(m K)
        expected = k_g / (math.sqrt(2.0 * math.pi) * SIGMA) * ref
        assert law.conductance(T, T) == pytest.approx(expected, rel=1e-9)
    # arrays
    T = np.array([150.0, 298.0, 900.0])
    h = law.conductance(T, T)
    assert h.shape == (3,)
    # longer mean free path -> smaller conductance per unit gas conductivity
    assert np.all(np.diff(h / law.gas_conductivity(T)) < 0)


def test_integral_tends_to_simple_for_large_separation():
    # the gap-distribution correction to k_g/(Y + M) is ~ (sigma/(Y + M))^2:
    # Y = 20 sigma (M/sigma = 1.27): ~0.2 %; P/H_c = 1e-6 (Y/sigma = 4.75): ~3.5 %
    for kw, tol in ((dict(relative_pressure=None, Y=20 * SIGMA), 0.005), ({}, 0.05)):
        kw = dict(kw, T_gas=298.0)
        if "Y" not in kw:
            kw["relative_pressure"] = 1e-6
        hi = helium(**kw).conductance(298.0, 298.0)
        hs = helium(form="simple", **kw).conductance(298.0, 298.0)
        assert hi == pytest.approx(hs, rel=tol)
        assert hi > hs  # the gap distribution adds thin-gap paths


def test_vacuum_limit():
    assert helium(p_gas=0.0).conductance(300.0, 300.0) == 0.0
    T = np.array([300.0, 400.0])
    np.testing.assert_array_equal(helium(p_gas=0.0).conductance(T, T), 0.0)
    h_atm = helium().conductance(300.0, 300.0)
    prev = h_atm
    for p in (1e4, 1e2, 1.0, 1e-2):  # Pa
        h = helium(p_gas=p).conductance(300.0, 300.0)
        assert 0.0 < h < prev
        prev = h
    # free-molecular limit: h ~ k_g sigma-averaged / M ~ p -> 0 continuously
    assert prev < 1e-6 * h_atm


def test_fixed_gas_temperature_is_linear_path():
    law = helium(T_gas=350.0)
    assert not law.temperature_dependent
    assert law.conductance(300.0, 500.0) == pytest.approx(helium().conductance(350.0, 350.0))


def test_tabulate():
    T, h = helium().tabulate(200.0, 800.0, 4)
    np.testing.assert_allclose(T, [200.0, 400.0, 600.0, 800.0])
    np.testing.assert_allclose(h, helium().conductance(T, T))


def test_ufl(ufl_coefficients):
    _ufl, _V, Tp, Tm = ufl_coefficients
    law = helium(form="simple")
    assert law.supports_ufl
    h = law.conductance(Tp, Tm)
    val = h((0.0, 0.0), {Tp: 298.0, Tm: 298.0})
    assert val == pytest.approx(law.conductance(298.0, 298.0), rel=1e-12)
    assert not helium().supports_ufl
    with pytest.raises(TypeError, match="form='simple'"):
        helium().conductance(Tp, Tm)
    # fixed gas temperature makes the integral form a constant, fine for UFL
    assert helium(T_gas=300.0).conductance(Tp, Tm) == pytest.approx(
        helium(T_gas=300.0).conductance(1.0, 1.0)
    )


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        (dict(gas="xenon"), r"unknown gas 'xenon'; known gas names: air, argon, helium, nitrogen"),
        (dict(p_gas=-1.0), r"p_gas \(Pa\) must be >= 0, got -1.0"),
        (dict(accommodation_plus=0.0), r"accommodation_plus must lie in \(0, 1\], got 0.0"),
        (dict(accommodation_minus=1.5), r"accommodation_minus must lie in \(0, 1\]"),
        (dict(sigma=0.0), r"sigma \(m\) must be > 0"),
        (dict(relative_pressure=0.6), r"P/H_c must be < 0.5"),
        (dict(relative_pressure=-1e-3), r"P/H_c must be >= 0"),
        (dict(Y=1e-6), "give exactly one of relative_pressure"),
        (dict(form="exact"), "form must be 'integral' or 'simple'"),
    ],
)
def test_bad_parameters(kw, match):
    with pytest.raises(ValueError, match=match):
        helium(**kw)
