"""Bose-Einstein integrals of the Debye phonon flux (dimensionless).

``G(x) = int_0^x t^4 e^t/(e^t - 1)^2 dt`` (conductance) and ``E(x) = int_0^x t^3/(e^t - 1) dt``
(flux), ``x = hbar w_c / (k_B T)``: by Gauss-Legendre quadrature for numbers and arrays, and
in a closed form of +, -, *, /, ** and exp for UFL expressions (differentiable).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fe_interface.model.validation import check_choice

from .common import is_numeric

__all__ = ["bose_integral_closed_form", "e_integral", "g_integral"]


# ---------------------------------------------------------------------------------------
# Bose-Einstein integrals
# ---------------------------------------------------------------------------------------
_G_INF = 4.0 * math.pi**4 / 15.0  # int_0^inf t^4 e^t/(e^t-1)^2 dt = 4! zeta(4)
_E_INF = math.pi**4 / 15.0  # int_0^inf t^3/(e^t-1) dt = 3! zeta(4)
_XMAX = 60.0
_BX, _BW = np.polynomial.legendre.leggauss(96)


def g_integral(x: np.ndarray) -> np.ndarray:
    """G(x) = int_0^x t^4 e^t/(e^t-1)^2 dt (vectorised)."""
    x = np.minimum(np.asarray(x, dtype=float), _XMAX)
    t = 0.5 * x[..., None] * (_BX + 1.0)
    em = np.expm1(t)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(t > 0, t**4 * (em + 1.0) / np.where(t > 0, em, 1.0) ** 2, 0.0)
    g = 0.5 * x * np.sum(_BW * f, axis=-1)
    return np.where(x >= _XMAX, _G_INF, g)


def e_integral(x: np.ndarray) -> np.ndarray:
    """E(x) = int_0^x t^3/(e^t-1) dt (vectorised)."""
    x = np.minimum(np.asarray(x, dtype=float), _XMAX)
    t = 0.5 * x[..., None] * (_BX + 1.0)
    em = np.expm1(t)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(t > 0, t**3 / np.where(t > 0, em, 1.0), 0.0)
    e = 0.5 * x * np.sum(_BW * f, axis=-1)
    return np.where(x >= _XMAX, _E_INF, e)


# Closed forms of G and E built from +, -, *, /, ** and exp only (usable in UFL):
#   x < 2:  Taylor series in Bernoulli numbers (radius of convergence 2 pi)
#           t^4 e^t/(e^t-1)^2 = sum_n (1-n) B_n t^(n+2)/n!,  t^3/(e^t-1) = sum_n B_n t^(n+2)/n!
#   x >= 2: G = G_inf - sum_m e^(-m x) (x^4 + 4x^3/m + 12x^2/m^2 + 24x/m^3 + 24/m^4)
#           E = E_inf - sum_m e^(-m x) (x^3/m + 3x^2/m^2 + 6x/m^3 + 6/m^4)
# Truncation errors < 1e-12 relative.
_X_SWITCH = 2.0
_N_TAIL = 16


def _taylor_coefficients(kind: str, nmax: int = 26) -> list[tuple[int, float]]:
    from scipy.special import bernoulli

    B = bernoulli(nmax)
    out = []
    for n in range(nmax + 1):
        c = (1 - n) * B[n] if kind == "G" else B[n]
        if c != 0.0:
            out.append((n + 3, float(c / (math.factorial(n) * (n + 3)))))
    return out


_TAYLOR = {"G": _taylor_coefficients("G"), "E": _taylor_coefficients("E")}


def _series_small(x: Any, kind: str) -> Any:
    return sum(c * x**p for p, c in _TAYLOR[kind])


def _series_large(x: Any, kind: str, exp: Any) -> Any:
    total = _G_INF if kind == "G" else _E_INF
    for m in range(1, _N_TAIL + 1):
        if kind == "G":
            poly = x**4 + 4 * x**3 / m + 12 * x**2 / m**2 + 24 * x / m**3 + 24 / m**4
        else:
            poly = x**3 / m + 3 * x**2 / m**2 + 6 * x / m**3 + 6 / m**4
        total = total - exp(-m * x) * poly
    return total


def bose_integral_closed_form(x: Any, kind: str = "G") -> Any:
    """The Bose integrals in closed form.

    ``G(x) = int_0^x t^4 e^t/(e^t-1)^2 dt`` (``kind="G"``) or
    ``E(x) = int_0^x t^3/(e^t-1) dt`` (``kind="E"``); ``x`` a number, array or UFL
    expression.
    """
    check_choice(kind, "kind", ("G", "E"))
    if is_numeric(x):
        xa = np.asarray(x, dtype=float)
        small = xa < _X_SWITCH
        xs = np.where(small, xa, 0.0)
        xl = np.where(small, _X_SWITCH, np.minimum(xa, 700.0))
        val = np.where(small, _series_small(xs, kind), _series_large(xl, kind, np.exp))
        return float(val) if val.ndim == 0 else val
    import ufl

    return ufl.conditional(
        ufl.lt(x, _X_SWITCH), _series_small(x, kind), _series_large(x, kind, ufl.exp)
    )
