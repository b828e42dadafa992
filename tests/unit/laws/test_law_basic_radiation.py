"""Constant/user laws and gap radiation, against hand calculations."""

import math

import numpy as np
import pytest

from fe_interface.errors import InputError
from fe_interface.model.laws import (
    STEFAN_BOLTZMANN,
    Conductance,
    GapRadiation,
    InterfaceLaw,
    Resistance,
    UserConductance,
)


def test_constant_conductance_scalar_and_array():
    law = Conductance(500.0)
    assert isinstance(law, InterfaceLaw)
    assert law.temperature_dependent is False
    assert law.conductance(300.0, 310.0) == 500.0
    h = law.conductance(np.array([300.0, 310.0, 320.0]), 290.0)
    assert h.shape == (3,)
    np.testing.assert_allclose(h, 500.0)
    assert law.resistance == pytest.approx(2.0e-3)


def test_constant_resistance():
    law = Resistance(2.5e-4)  # m^2 K/W
    assert law.conductance(300.0, 300.0) == pytest.approx(4000.0)
    # a frozen dataclass with R and h (no longer a function returning a Conductance)
    assert (law.R, law.h) == (2.5e-4, pytest.approx(4000.0))
    np.testing.assert_allclose(law.conductance(np.array([300.0, 310.0]), 290.0), 4000.0)


def test_user_conductance():
    law = UserConductance(lambda tp, tm: 10.0 + 0.5 * (tp + tm))
    assert law.conductance(300.0, 100.0) == pytest.approx(210.0)


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: Conductance(-1.0), r"h \(W/\(m\^2 K\)\) must be >= 0, got -1.0"),
        (lambda: Conductance(float("nan")), "h .* must be a finite number"),
        (lambda: Resistance(0.0), r"R \(m\^2 K/W\) must be > 0, got 0.0"),
        (lambda: UserConductance(3.0), "func must be callable"),
        (lambda: GapRadiation(0.0, 0.5), r"emissivity_plus must lie in \(0, 1\], got 0.0"),
        (lambda: GapRadiation(0.5, 1.2), r"emissivity_minus must lie in \(0, 1\], got 1.2"),
    ],
)
def test_bad_parameters(factory, match):
    """Validation errors are InputError (a ValueError) naming the parameter and unit."""
    with pytest.raises(InputError, match=match):
        factory()


def test_radiation_hand_calculation():
    # eps 0.8 / 0.6: eps_eff = 1/(1.25 + 1.666667 - 1) = 0.5217391
    law = GapRadiation(0.8, 0.6)
    assert law.effective_emissivity == pytest.approx(0.5217391, rel=1e-6)
    # net flux sigma eps_eff (400^4 - 300^4) = 5.670374419e-8 * 0.5217391 * 1.75e10
    q = 5.670374419e-8 * 0.5217391304 * (400.0**4 - 300.0**4)
    assert q == pytest.approx(517.7298, rel=1e-6)
    assert law.conductance(400.0, 300.0) == pytest.approx(q / 100.0, rel=1e-9)
    assert law.conductance(400.0, 300.0) == pytest.approx(5.177298, rel=1e-6)
    assert law.temperature_dependent is True


def test_radiation_small_jump_limit():
    law = GapRadiation(0.3, 0.9)
    eps = 1.0 / (1.0 / 0.3 + 1.0 / 0.9 - 1.0)
    T = 800.0
    h = law.conductance(T + 1e-3, T - 1e-3)
    assert h == pytest.approx(4.0 * STEFAN_BOLTZMANN * eps * T**3, rel=1e-9)
    # blackbody: 4 sigma T^3 at 300 K = 6.1240 W/(m^2 K)
    assert GapRadiation(1.0, 1.0).conductance(300.0, 300.0) == pytest.approx(6.12400, rel=1e-5)


def test_radiation_arrays():
    law = GapRadiation(0.5, 0.5)
    Tp = np.linspace(300.0, 900.0, 7)
    h = law.conductance(Tp, 300.0)
    ref = STEFAN_BOLTZMANN / 3.0 * (Tp**2 + 300.0**2) * (Tp + 300.0)
    np.testing.assert_allclose(h, ref, rtol=1e-12)


def test_radiation_ufl(ufl_coefficients):
    ufl, V, Tp, Tm = ufl_coefficients
    law = GapRadiation(0.8, 0.6)
    Tv = ufl.variable(Tp)
    h = law.conductance(Tv, Tm)
    assert h((0.0, 0.0), {Tp: 400.0, Tm: 300.0}) == pytest.approx(5.177298, rel=1e-6)
    # d h / d T+ = sigma eps_eff (2 T+ (T+ + T-) + T+^2 + T-^2) = ... * 810000
    dh = ufl.diff(h, Tv)((0.0, 0.0), {Tp: 400.0, Tm: 300.0})
    assert dh == pytest.approx(5.670374419e-8 * 0.5217391304 * 810000.0, rel=1e-9)
    # a Newton Jacobian can be formed
    form = law.conductance(Tp, Tm) * (Tp - Tm) * ufl.TestFunction(V) * ufl.dx
    assert ufl.derivative(form, Tp) is not None


def test_constant_ufl(ufl_coefficients):
    _ufl, _V, Tp, Tm = ufl_coefficients
    assert Conductance(7.0).conductance(Tp, Tm) == 7.0
    assert math.isclose(Resistance(0.5).conductance(Tp, Tm), 2.0)
