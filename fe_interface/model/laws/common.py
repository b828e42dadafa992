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

import numbers
from typing import Any

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.interfaces import InterfaceLaw, constant_like  # noqa: F401  (the one protocol)

# CODATA 2018 exact / recommended values (SI)
STEFAN_BOLTZMANN = 5.670374419e-8  # W/(m^2 K^4)
K_B = 1.380649e-23  # J/K (exact)
HBAR = 1.054571817e-34  # J s (exact, h/2pi)
N_A = 6.02214076e23  # 1/mol (exact)


def is_numeric(x: Any) -> bool:
    """True for Python/numpy numbers and numpy arrays (i.e. not a symbolic UFL object)."""
    return isinstance(x, (numbers.Number, np.ndarray, np.generic, list, tuple))


def unknown_name_error(kind: str, name: str, known: Any) -> InputError:
    """The error for an unknown ``name`` of ``kind``, listing the ``known`` ones."""
    return InputError(f"unknown {kind} {name!r}; known {kind} names: {', '.join(sorted(known))}")
