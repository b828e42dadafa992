"""Exact solutions used as references by demos and tests."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["carslaw_jaeger_contact"]


def carslaw_jaeger_contact(
    x: np.ndarray,
    t: float,
    T1: float,
    T2: float,
    k1: float,
    rhocp1: float,
    k2: float,
    rhocp2: float,
    h: float,
    side: int | None = None,
) -> tuple[np.ndarray, float]:
    """Two semi-infinite solids with contact conductance h brought together at t = 0.

    Body 1 fills x < 0 at T1, body 2 x > 0 at T2.  With effusivities e_i = √(k_i ρc_i),
    κ_i = k_i/(ρc_i), β = h (1/e1 + 1/e2) and E(z) = exp(z²) erfc(z) (``erfcx``),
    the Laplace transform gives (Carslaw & Jaeger §2.14 form)

        q(t) = h (T1 − T2) E(β√t)                         (W/m², from 1 to 2),
        T(x<0) = T1 − (T1−T2) e2/(e1+e2) [erfc(ξ1) − exp(−ξ1²) E(ξ1 + β√t)],
        T(x>0) = T2 + (T1−T2) e1/(e1+e2) [erfc(ξ2) − exp(−ξ2²) E(ξ2 + β√t)],

    ξ_i = |x| / (2√(κ_i t)); at x = 0 the jump is (T1 − T2) E(β√t) = q/h.

    ``side`` = 1 or 2 evaluates body 1's or body 2's formula everywhere (for the two
    interface temperatures at x = 0); default: by the sign of x.

    Returns:
        T(x, t) (K) and q(t) (W/m²).
    """
    from scipy.special import erfc, erfcx

    x = np.asarray(x, float)
    dT = T1 - T2
    e1, e2 = math.sqrt(k1 * rhocp1), math.sqrt(k2 * rhocp2)
    beta = h * (1 / e1 + 1 / e2)
    b = beta * math.sqrt(t)
    q = h * dT * float(erfcx(b))
    out = np.empty_like(x)
    one = x < 0 if side is None else np.full(x.shape, side == 1)
    for sel, kk, rc, Tb, sgn, share in (
        (one, k1, rhocp1, T1, -1.0, e2 / (e1 + e2)),
        (~one, k2, rhocp2, T2, 1.0, e1 / (e1 + e2)),
    ):
        xi = np.abs(x[sel]) / (2 * math.sqrt(kk / rc * t))
        out[sel] = Tb + sgn * dT * share * (erfc(xi) - np.exp(-(xi**2)) * erfcx(xi + b))
    return out, q
