"""A coupled run with the pressure-coupled law's Vickers ``size_factor`` and
``exponent_factor`` and the CMY ``coefficient`` and ``exponent`` set: h(P(x)) equals the
constant CMY law with the same settings at P = F/A (before: 2.8 % / 3.1 % off, the
factors were hard-coded).  Serially and under ``mpirun -n 2``."""

from __future__ import annotations

import pytest
from helpers import contact_cases as V

import fe_interface as fi  # noqa: F401
from fe_interface.mechanics import LocalContactLaw
from fe_interface.model.laws import VickersMicrohardness
from fe_interface.postprocessing.checks import failures, format_checks

SETTINGS = {
    "size_factor": LocalContactLaw(
        V.SURFACES, H_c=VickersMicrohardness.from_material("SS304", size_factor=1.8)
    ),
    "exponent_factor": LocalContactLaw(
        V.SURFACES, H_c=VickersMicrohardness.from_material("SS304", exponent_factor=0.09)
    ),
    "correlation": LocalContactLaw(
        V.SURFACES,
        H_c=VickersMicrohardness.from_material("SS304"),
        coefficient=1.45,
        exponent=0.985,
    ),
}


@pytest.mark.parametrize("name", list(SETTINGS))
def test_uniform_load_with_settings(name):
    checks = V.uniform_load(2, law=SETTINGS[name])
    assert not failures(checks), format_checks(checks)
