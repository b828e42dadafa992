"""Shared helpers for the interface-conductance laws.

Everything here is pure Python/numpy.  The :class:`InterfaceLaw` protocol is the contract
between a law and the FE solver:

* ``conductance(T_plus, T_minus)`` returns the interface heat-transfer coefficient
  ``h`` in W/(m^2 K) such that the heat flux across the interface is
  ``q = h * (T_plus - T_minus)`` (W/m^2).  Temperatures are absolute, in K.
  Floats and numpy arrays are always accepted; laws with ``supports_ufl = True`` only
  use ``+ - * / **`` on the temperatures, so UFL expressions are accepted as well.
* ``temperature_dependent`` is ``False`` when ``h`` does not depend on temperature
  (the solver can then use its linear path).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.interfaces import InterfaceLaw, constant_like  # noqa: F401  (the one protocol)
from fe_interface.model.validation import magnitude_problem

# CODATA 2018 exact / recommended values (SI)
STEFAN_BOLTZMANN = 5.670374419e-8  # W/(m^2 K^4)
K_B = 1.380649e-23  # J/K (exact)
HBAR = 1.054571817e-34  # J s (exact, h/2pi)
N_A = 6.02214076e23  # 1/mol (exact)


def is_numeric(x: Any) -> bool:
    """True for Python/numpy numbers and numpy arrays (i.e. not a symbolic UFL object)."""
    return isinstance(x, (numbers.Number, np.ndarray, np.generic, list, tuple))


def check_finite(name: str, value: Any) -> float:
    """``value`` as a finite float (InputError naming ``name`` otherwise)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a real number, got {value!r}") from None
    if not math.isfinite(v):
        raise InputError(f"{name} must be finite, got {value!r}")
    return v


def _check_magnitude(name: str, v: float, unit: str) -> float:
    """``v`` unless it is no physical value in ``unit`` (:func:`magnitude_problem`)."""
    msg = magnitude_problem(v, unit)
    if msg:
        raise InputError(f"{name} ({unit}) = {v:g} {msg}")
    return v


def check_positive(name: str, value: Any, unit: str = "") -> float:
    """``value`` as a finite float > 0 (in ``unit``, of a physical magnitude)."""
    v = check_finite(name, value)
    if v <= 0.0:
        raise InputError(f"{name} must be > 0{' ' + unit if unit else ''}, got {value!r}")
    return _check_magnitude(name, v, unit)


def check_nonnegative(name: str, value: Any, unit: str = "") -> float:
    """``value`` as a finite float >= 0 (in ``unit``, of a physical magnitude)."""
    v = check_finite(name, value)
    if v < 0.0:
        raise InputError(f"{name} must be >= 0{' ' + unit if unit else ''}, got {value!r}")
    return _check_magnitude(name, v, unit)


def check_unit_interval(name: str, value: Any) -> float:
    """Check ``0 < value <= 1`` (emissivities, accommodation coefficients)."""
    v = check_finite(name, value)
    if not (0.0 < v <= 1.0):
        raise InputError(f"{name} must lie in (0, 1], got {value!r}")
    return v


def unknown_name_error(kind: str, name: str, known: Any) -> InputError:
    """The error for an unknown ``name`` of ``kind``, listing the ``known`` ones."""
    return InputError(f"unknown {kind} {name!r}; known {kind} names: {', '.join(sorted(known))}")
