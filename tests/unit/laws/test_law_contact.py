"""Solid-spot contact conductance (CMY plastic, Mikic elastic) against hand calculations."""

import math

import numpy as np
import pytest

from fe_interface.model.laws import (
    CMYPlasticConductance,
    ContactPair,
    MikicElasticConductance,
    Surface,
    VickersMicrohardness,
    antonetti_slope,
)


@pytest.fixture
def pair():
    # sigma = sqrt(1.2^2 + 0.9^2) um = 1.5 um; m = sqrt(0.09^2 + 0.12^2) = 0.15
    # k_s = 2*16*200/(16+200) = 29.629630 W/(m K)
    return ContactPair(
        Surface(sigma=1.2e-6, m=0.09, k=16.0, E=200e9, nu=0.3),
        Surface(sigma=0.9e-6, m=0.12, k=200.0, E=70e9, nu=0.33),
    )


def test_joint_parameters(pair):
    assert pair.sigma == pytest.approx(1.5e-6, rel=1e-12)
    assert pair.m == pytest.approx(0.15, rel=1e-12)
    assert pair.k_s == pytest.approx(29.62962963, rel=1e-9)
    # 1/E' = 0.91/200e9 + (1 - 0.1089)/70e9 = 4.55e-12 + 1.273e-11 = 1.728e-11 1/Pa
    assert pair.E_prime == pytest.approx(1.0 / 1.728e-11, rel=1e-9)


def test_cmy_hand_calculation(pair):
    # h = 1.25 * 29.6296 * (0.15/1.5e-6) * (2e6/2.5e9)^0.95
    #   = 1.25 * 29.6296 * 1e5 * exp(0.95 ln 8e-4) = 1.25 * 29.6296 * 1e5 * 1.142709e-3 = 4232.25
    law = CMYPlasticConductance(pair, pressure=2e6, H_c=2.5e9)
    expected = 1.25 * 29.62962963 * 1.0e5 * math.exp(0.95 * math.log(8e-4))
    assert law.conductance(300.0, 300.0) == pytest.approx(expected, rel=1e-9)
    assert law.h == pytest.approx(4232.25, rel=1e-5)
    assert law.temperature_dependent is False
    h = law.conductance(np.array([300.0, 400.0]), np.array([290.0, 380.0]))
    np.testing.assert_allclose(h, expected, rtol=1e-9)


def test_cmy_pressure_scaling_and_zero_limit(pair):
    h1 = CMYPlasticConductance(pair, 1e6, 2.5e9).h
    h2 = CMYPlasticConductance(pair, 2e6, 2.5e9).h
    assert h2 / h1 == pytest.approx(2.0**0.95, rel=1e-12)
    assert CMYPlasticConductance(pair, 0.0, 2.5e9).h == 0.0
    with pytest.warns(UserWarning, match="outside the range"):  # P/H_c = 4e-13
        assert CMYPlasticConductance(pair, 1e-3, 2.5e9).h < 1e-3  # continuous at P -> 0


def test_mikic_hand_calculation(pair):
    # x = sqrt(2) P/(m E') = 1.41421 * 2e6 / (0.15 * 5.78704e10) = 3.25835e-4
    # h = 1.54 * 29.6296 * 1e5 * x^0.94
    law = MikicElasticConductance(pair, pressure=2e6)
    x = math.sqrt(2.0) * 2e6 * 1.728e-11 / 0.15
    assert x == pytest.approx(3.25835e-4, rel=1e-5)
    expected = 1.54 * 29.62962963 * 1.0e5 * x**0.94
    assert law.h == pytest.approx(expected, rel=1e-9)
    assert MikicElasticConductance(pair, 0.0).h == 0.0


def test_antonetti_slope():
    # m = 0.125 * 1.5^0.402 = 0.125 * exp(0.402 * 0.405465) = 0.125 * 1.177025
    assert antonetti_slope(1.5e-6) == pytest.approx(0.125 * math.exp(0.402 * math.log(1.5)))
    assert antonetti_slope(1.5e-6) == pytest.approx(0.147128, rel=1e-5)
    p = ContactPair(Surface(sigma=1.2e-6, k=16.0), Surface(sigma=0.9e-6, k=16.0))
    assert p.slope_from_correlation
    assert p.m == pytest.approx(0.147128, rel=1e-5)


def test_song_yovanovich_microhardness(pair):
    # SS304: c1 = 6271 MPa, c2 = -0.229; sigma/m = 1.5 um / 0.15 = 10 um
    # H' = 6.271e9 * 16.2^-0.229 = 6.271e9 * 0.528471 = 3.31404e9 Pa
    # P/H_c = (2e6/H')^(1/(1 - 0.016259)) = (6.03492e-4)^1.016528 = 5.3390e-4
    vk = VickersMicrohardness.from_material("SS304")
    H_ref = 6.271e9 * 16.2 ** (-0.229)
    assert H_ref == pytest.approx(3.31404e9, rel=1e-5)
    rel = (2e6 / H_ref) ** (1.0 / (1.0 + 0.071 * -0.229))
    assert vk.relative_pressure(2e6, pair.sigma, pair.m) == pytest.approx(rel, rel=1e-12)
    assert rel == pytest.approx(5.3390e-4, rel=1e-4)
    law = CMYPlasticConductance(pair, 2e6, H_c=vk)
    assert law.relative_pressure == pytest.approx(rel, rel=1e-12)
    assert law.h == pytest.approx(1.25 * 29.62962963 * 1e5 * rel**0.95, rel=1e-9)
    # effective microhardness ~3.75 GPa, above the Vickers value at 10 um (work hardening)
    assert vk.microhardness(2e6, pair.sigma, pair.m) == pytest.approx(2e6 / rel, rel=1e-12)


def test_brinell_correlation():
    # kappa = 1 -> c1 = 3178 MPa * (4 - 5.77 + 4 - 0.61) = 3178 * 1.62 MPa
    vk = VickersMicrohardness.from_brinell(3178e6)
    assert vk.c1 == pytest.approx(3178e6 * 1.62)
    assert vk.c2 == pytest.approx(-0.370 + 0.442 / 1.62)


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (
            lambda p: CMYPlasticConductance(p, -1.0, 2e9),
            r"pressure \(Pa\) must be >= 0, got -1.0",
        ),
        (lambda p: CMYPlasticConductance(p, 3e9, 2e9), r"pressure P=3000000000.0 Pa exceeds"),
        (lambda p: CMYPlasticConductance(p, 1e6, 0.0), r"H_c \(Pa\) must be > 0"),
        (lambda p: MikicElasticConductance(p, -5.0), r"pressure \(Pa\) must be >= 0"),
        (lambda p: Surface(sigma=0.0, k=1.0), r"sigma \(m\) must be > 0, got 0.0"),
        (lambda p: Surface(sigma=-1e-6, k=1.0), r"sigma \(m\) must be > 0"),
        (lambda p: Surface(sigma=1e-6, k=0.0), r"k \(W/\(m K\)\) must be > 0"),
        (lambda p: Surface(sigma=1e-6, k=1.0, nu=0.6), r"nu \(Poisson ratio\) must lie"),
        (lambda p: Surface(sigma=1e-6, k=1.0, m=-0.1), r"m \(slope\) must be > 0"),
        (
            lambda p: ContactPair(Surface(1e-6, 1.0, m=0.1), Surface(1e-6, 1.0)),
            "slope m given for only one surface",
        ),
        (
            lambda p: MikicElasticConductance(
                ContactPair(Surface(1e-6, 1.0), Surface(1e-6, 1.0, E=1e9, nu=0.3)), 1e6
            ),
            r"elastic properties missing: plus.E, plus.nu",
        ),
        (
            lambda p: VickersMicrohardness.from_material("unobtainium"),
            r"unknown material 'unobtainium'; known material names: Ni200, SS304",
        ),
        (lambda p: VickersMicrohardness(-1.0, -0.2), r"c1 \(Pa\) must be > 0"),
    ],
)
def test_bad_parameters(pair, factory, match):
    with pytest.raises(ValueError, match=match):
        factory(pair)


def test_contact_ufl(ufl_coefficients, pair):
    _ufl, _V, Tp, Tm = ufl_coefficients
    law = CMYPlasticConductance(pair, 2e6, 2.5e9)
    h = law.conductance(Tp, Tm)
    assert h == pytest.approx(law.h)
    assert law.supports_ufl
