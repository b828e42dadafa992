"""One validator family (fe_interface.model.validation), strict about types, for every law.

Booleans and numeric strings are no numbers: ``GapRadiation(emissivity_plus=True,
emissivity_minus="0.5")`` was accepted (``float(True) == 1.0``, ``float("0.5") == 0.5``)
by the laws' own validators before they joined the family of the model objects.
"""

import numpy as np
import pytest

from fe_interface.errors import InputError
from fe_interface.model import validation
from fe_interface.model.laws import (
    ContactPair,
    GapRadiation,
    GasGapConductance,
    MikicElasticConductance,
    PhononMaterial,
    Surface,
    VickersMicrohardness,
)
from fe_interface.model.laws import common as law_common
from fe_interface.model.laws.gap import GapConduction

S = Surface(sigma=1e-6, k=20.0, m=0.1, E=200e9, nu=0.3)


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: GapRadiation(emissivity_plus=True, emissivity_minus=0.5), "emissivity_plus"),
        (lambda: GapRadiation(emissivity_plus=0.5, emissivity_minus="0.5"), "emissivity_minus"),
        (lambda: GapRadiation(True, "0.5"), "emissivity_plus"),
        (lambda: GapRadiation(0.5, np.bool_(True)), "emissivity_minus"),
        (lambda: Surface(sigma="1e-6", k=20.0), "sigma"),
        (lambda: Surface(sigma=1e-6, k=True), "k"),
        (lambda: VickersMicrohardness("6e9", -0.2), "c1"),
        (lambda: MikicElasticConductance(ContactPair(S, S), "1e6"), "pressure"),
        (
            lambda: PhononMaterial(
                "x", density="8900", v_L=4700.0, v_T=2300.0, debye_temperature=300.0
            ),
            "density",
        ),
        (
            lambda: GasGapConductance(
                "air",
                sigma=1e-6,
                relative_pressure=1e-3,
                p_gas=False,
                accommodation_plus=0.9,
                accommodation_minus=0.9,
            ),
            "p_gas",
        ),
        (lambda: GapConduction(True), "conductivity"),
        (lambda: GapConduction(0.026, jump_distance="1e-7"), "jump_distance"),
    ],
)
def test_booleans_and_numeric_strings_are_rejected(factory, match):
    with pytest.raises(InputError, match=rf"{match}.* must be .*, got "):
        factory()


def test_numpy_numbers_still_pass():
    r = GapRadiation(np.float32(0.5), np.float64(0.25))
    assert (r.emissivity_plus, r.emissivity_minus) == (0.5, 0.25)
    assert type(r.emissivity_plus) is float


def test_one_family():
    """The laws' helpers hold no validators of their own (one argument order everywhere)."""
    for name in ("check_finite", "check_positive", "check_nonnegative", "check_unit_interval"):
        assert not hasattr(law_common, name), name
    assert not validation.is_real(True) and not validation.is_real("0.5")
    assert not validation.is_real(np.bool_(False)) and validation.is_real(np.int64(3))
