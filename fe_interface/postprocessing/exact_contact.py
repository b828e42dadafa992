"""Exact solutions of contact mechanics, and the discrete quantities to compare them with.

All in SI units (forces N, force per length N/m, pressures Pa, lengths m).  References:
K. L. Johnson, *Contact Mechanics*, Cambridge University Press, 1985 (equation numbers
below), with E* the contact modulus, 1/E* = (1 − ν₁²)/E₁ + (1 − ν₂²)/E₂ (eq. 4.22).

* :func:`hertz_line` — two cylinders (a cylinder on a flat, plane strain) pressed with a
  load P′ per unit length (eqs. 4.43, 4.45):  a = √(4 P′ R/(π E*)), p₀ = 2 P′/(π a),
  p(x) = p₀ √(1 − x²/a²).
* :func:`hertz_point` — a sphere on a flat with a load F (eqs. 4.22, 4.23):
  a = (3 F R/(4 E*))^(1/3), p₀ = 3 F/(2 π a²), p(r) = p₀ √(1 − r²/a²).
* :func:`flat_punch` — a rigid flat-ended cylindrical punch of radius a pressed by a
  depth δ into an elastic half-space (Boussinesq; eqs. 3.35, 3.36):
  F = 2 a E′ δ with E′ = E/(1 − ν²), p(r) = F/(2 π a √(a² − r²)).

Node-to-node contact gives *lumped* nodal pressures P_i = F_i/A_i, so the exact value a
node is compared with is the lumped average :func:`lumped_average`
P̄_i = ∫ φ_i p w dx / ∫ φ_i w dx (w = 1, or r for axisymmetric models), not p(x_i) —
the two differ by O(√h) where p has a square-root edge.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

__all__ = [
    "ContactSolution",
    "contact_edge",
    "flat_punch",
    "hertz_line",
    "hertz_point",
    "lumped_average",
]


class ContactSolution(NamedTuple):
    """An analytic contact solution.

    Attributes:
        half_width_m: contact half-width or radius a, m.
        peak_pressure_Pa: p₀ (Hertz: the maximum; punch: F/(2πa²), the centre value), Pa.
        pressure: p(x) in Pa for distances x (m) from the centre (NumPy).
        load: the load (N/m for line contact, N otherwise).
    """

    half_width_m: float
    peak_pressure_Pa: float
    pressure: Callable[[np.ndarray], np.ndarray]
    load: float


def hertz_line(load_per_length: float, radius: float, E_star: float) -> ContactSolution:
    """Cylinder on a flat, plane strain: P′ (N/m), R (m), E* (Pa)."""
    a = math.sqrt(4.0 * load_per_length * radius / (math.pi * E_star))
    p0 = 2.0 * load_per_length / (math.pi * a)
    return ContactSolution(
        a,
        p0,
        lambda x: p0 * np.sqrt(np.maximum(1.0 - (np.asarray(x) / a) ** 2, 0.0)),
        load_per_length,
    )


def hertz_point(load: float, radius: float, E_star: float) -> ContactSolution:
    """Sphere on a flat: F (N), R (m), E* (Pa)."""
    a = (3.0 * load * radius / (4.0 * E_star)) ** (1.0 / 3.0)
    p0 = 3.0 * load / (2.0 * math.pi * a**2)
    return ContactSolution(
        a, p0, lambda r: p0 * np.sqrt(np.maximum(1.0 - (np.asarray(r) / a) ** 2, 0.0)), load
    )


def flat_punch(radius: float, depth: float, E: float, nu: float) -> ContactSolution:
    """Rigid flat circular punch of radius a (m) pressed δ (m) into a half-space (E Pa, ν)."""
    F = 2.0 * radius * E / (1.0 - nu**2) * depth
    p0 = F / (2.0 * math.pi * radius**2)

    def p(r: np.ndarray) -> np.ndarray:
        r = np.asarray(r, dtype=float)
        inside = r < radius
        out = np.zeros_like(r)
        out[inside] = F / (2.0 * math.pi * radius * np.sqrt(radius**2 - r[inside] ** 2))
        return out

    return ContactSolution(radius, p0, p, F)


def lumped_average(
    nodes: np.ndarray,
    p: Callable[[np.ndarray], np.ndarray],
    axisymmetric: bool = False,
    n: int = 400,
) -> np.ndarray:
    """Lumped nodal averages P̄_i = ∫ φ_i p w dx / ∫ φ_i w dx of a pressure p.

    For P1 hat functions on the sorted 1D ``nodes`` (m), w = r if ``axisymmetric``;
    Gauss–Legendre with ``n`` points per element (the square-root edge and the punch's
    1/√ edge are integrable, the error is small).
    """
    x = np.asarray(nodes, dtype=float)
    g, gw = np.polynomial.legendre.leggauss(n)
    num = np.zeros(x.size)
    den = np.zeros(x.size)
    for j in range(x.size - 1):
        x0, x1 = x[j], x[j + 1]
        xq = 0.5 * (x0 + x1) + 0.5 * (x1 - x0) * g
        wq = 0.5 * (x1 - x0) * gw * (xq if axisymmetric else 1.0)
        phi0 = (x1 - xq) / (x1 - x0)
        pq = p(xq)
        for i, ph in ((j, phi0), (j + 1, 1.0 - phi0)):
            num[i] += np.sum(wq * ph * pq)
            den[i] += np.sum(wq * ph)
    return num / den


def contact_edge(x: np.ndarray, P: np.ndarray) -> float:
    """The contact edge (m) from sorted nodal positions x (m) and pressures P (Pa).

    P² is linear in the distance to a square-root edge, so the
    edge is where the line through the last two loaded nodes' P² reaches 0 (m).
    """
    k = int(np.flatnonzero(P > 0).max())
    if k == 0:
        return float(x[0])
    return float(x[k] + P[k] ** 2 * (x[k] - x[k - 1]) / (P[k - 1] ** 2 - P[k] ** 2))
