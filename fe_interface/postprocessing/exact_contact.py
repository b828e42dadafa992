"""Exact solutions of contact mechanics, and the discrete quantities to compare them with.

All in SI units (forces N, force per length N/m, pressures Pa, lengths m).  References:
K. L. Johnson, *Contact Mechanics*, Cambridge University Press, 1985 (equation numbers
below), with E* the contact modulus, 1/E* = (1 − ν₁²)/E₁ + (1 − ν₂²)/E₂ (eq. 4.22).

* :func:`hertz_line` — two cylinders (a cylinder on a flat, plane strain) pressed with a
  load P′ per unit length (eqs. 4.43, 4.45):  a = √(4 P′ R/(π E*)), p₀ = 2 P′/(π a),
  p(x) = p₀ √(1 − x²/a²).
* :func:`hertz_point` — a sphere on a flat with a load F (eqs. 4.22, 4.23):
  a = (3 F R/(4 E*))^(1/3), p₀ = 3 F/(2 π a²), p(r) = p₀ √(1 − r²/a²).
* :func:`uniform_gap_exact` — 1D conduction across an open uniform gap of a local
  contact law h(P = 0, g, T⁺, T⁻).
* :func:`expansion_gap_exact` — 1D thermo-elasticity: two blocks between rigid plates
  closing a clearance by thermal expansion (the two-way coupling).
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
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.optimize import brentq

if TYPE_CHECKING:
    from fe_interface.model.elastic_materials import ElasticMaterial
    from fe_interface.model.laws.local_contact import LocalContactLaw

__all__ = [
    "ContactSolution",
    "contact_edge",
    "expansion_gap_exact",
    "flat_punch",
    "hertz_line",
    "hertz_point",
    "lumped_average",
    "uniform_gap_exact",
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


def uniform_gap_exact(
    law: LocalContactLaw, gap: float, k: float, H: float, T_bottom: float, T_top: float
) -> dict[str, float]:
    """1D conduction through two blocks (conductivity k W/(m K), height H m each).

    With an open uniform gap g (m) between them: T⁺ (upper), T⁻ (lower) in K and the
    flux q (W/m², downwards: top hotter) from q = k (T_top − T⁺)/H = h (T⁺ − T⁻) = k (T⁻
    − T_bottom)/H, h = h(P = 0, g, T⁺, T⁻).
    """

    def resid(q: float) -> float:
        Tp, Tm = T_top - q * H / k, T_bottom + q * H / k
        return q - float(law.conductance(0.0, gap, Tp, Tm)) * (Tp - Tm)

    q = brentq(resid, 0.0, k * (T_top - T_bottom) / (2 * H), xtol=1e-14, rtol=1e-15)
    return {"q": q, "T_plus": T_top - q * H / k, "T_minus": T_bottom + q * H / k}


def expansion_gap_exact(
    g0: float,
    H: float,
    T_top: float,
    T_bottom: float | None = None,
    q_bottom: float | None = None,
    *,
    law: LocalContactLaw,
    mat: ElasticMaterial,
    k: float,
) -> dict[str, float]:
    """1D thermo-elastic solution of two blocks closing a clearance by thermal expansion.

    Two blocks of height H (m) between rigid plates (uniaxial strain, rollers at the
    sides), an initial gap g₀ (m), T_top (K) fixed, the bottom at T_bottom (K) or heated
    by q_bottom (W/m²); ``law`` the joint's contact law, ``mat`` the blocks' elastic
    material and ``k`` their conductivity (W/(m K)).

    Each block is linear in T; uniaxial strain gives the free expansion β ∫ (T − T_ref)
    with β = α (1 + ν)/(1 − ν), and a contact pressure P shortens each block by P H/M,
    M = E (1 − ν)/((1 + ν)(1 − 2ν)).  With e = β H (T̄_lower + T̄_upper − 2 T_ref):
    the gap is g = g₀ − e if positive (P = 0), else P = M (e − g₀)/(2H), g = 0; the
    flux q (upwards) = k (T_b − T⁻)/H = h(P, g, T⁺, T⁻)(T⁻ − T⁺) = k (T⁺ − T_top)/H.
    Returns q (W/m²), T⁺, T⁻ (K), P (Pa), g (m), h (W/(m² K)).
    """
    beta = mat.alpha * (1 + mat.nu) / (1 - mat.nu)
    M = mat.E * (1 - mat.nu) / ((1 + mat.nu) * (1 - 2 * mat.nu))

    def state(q: float, Tm: float) -> dict[str, float]:
        Tp = T_top + q * H / k
        Tb = Tm + q * H / k
        e = beta * H * (0.5 * (Tb + Tm) + 0.5 * (Tp + T_top) - 2 * mat.T_ref)
        g, P = (g0 - e, 0.0) if e < g0 else (0.0, M * (e - g0) / (2 * H))
        h = float(law.conductance(P, g, Tp, Tm))
        return {"q": q, "T_plus": Tp, "T_minus": Tm, "P": P, "g": g, "h": h, "T_bottom": Tb}

    if q_bottom is not None:
        q = q_bottom
        f = lambda Tm: state(q, Tm)["h"] * (Tm - state(q, Tm)["T_plus"]) - q  # noqa: E731
        Tp = T_top + q * H / k
        h_min = float(law.conductance(0.0, g0, Tp, Tp))  # the widest gap conducts least
        Tm = brentq(f, Tp, Tp + 2.0 * q / h_min, xtol=1e-13, rtol=1e-15)
        return state(q, Tm)
    assert T_bottom is not None
    r = lambda q: q - (s := state(q, T_bottom - q * H / k))["h"] * (s["T_minus"] - s["T_plus"])  # noqa: E731
    q = brentq(r, 0.0, k * (T_bottom - T_top) / (2 * H), xtol=1e-12, rtol=1e-15)
    return state(q, T_bottom - q * H / k)
