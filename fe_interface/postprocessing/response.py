"""Response times of a transient quantity: t63, t90, t95 (a junction's warm-up).

For a sampled history T(t) (K) from T(0) = T₀ to T(t_end) = T_end, the response time
t_x (s) is the first time at which the change T(t) − T₀ reaches the fraction x of the
whole change T_end − T₀ (linear interpolation between the samples): t63 is the time
constant of a first-order (single-exponential) response, t95 ≈ 3 time constants the
usual "settled" time.  The fractions are of the change *up to the end of the run*: if
the run ends before the steady state, the times are those of a shorter rise — the
record says so with the rate at the end (``end_rate_K_s``) next to the change.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

__all__ = ["FRACTIONS", "ResponseTimes", "response_times"]

#: the fractions reported: name -> x
FRACTIONS = {"t63_s": 1.0 - math.exp(-1.0), "t90_s": 0.90, "t95_s": 0.95}


class ResponseTimes(NamedTuple):
    """Response times of one quantity (see the module docstring).

    Attributes:
        name: what the history is (e.g. ``junction die max``).
        initial_K, final_K: T₀ and T_end, K.
        times_s: ``t63_s``, ``t90_s``, ``t95_s`` -> s (None if the change is zero).
        end_rate_K_s: dT/dt over the last step, K/s (near 0 at a steady state).
    """

    name: str
    initial_K: float
    final_K: float
    times_s: dict[str, float | None]
    end_rate_K_s: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready record (units in the keys)."""
        return {
            "name": self.name,
            "initial_K": self.initial_K,
            "final_K": self.final_K,
            **self.times_s,
            "end_rate_K_s": self.end_rate_K_s,
            "definition": "t_x: first time at which T - T(0) reaches x (T(t_end) - T(0)); "
            "x = 1 - 1/e, 0.90, 0.95",
        }


def response_times(name: str, t: Any, T: Any, T0: float) -> ResponseTimes:
    """The response times of the history T(t) (K, s) that starts at T(0) = ``T0``."""
    t = np.concatenate([[0.0], np.asarray(t, dtype=float)])
    T = np.concatenate([[float(T0)], np.asarray(T, dtype=float)])
    change = float(T[-1] - T[0])
    scale = max(float(np.max(np.abs(T))), 1e-300)
    rate = float((T[-1] - T[-2]) / (t[-1] - t[-2])) if len(t) > 1 and t[-1] > t[-2] else 0.0
    out: dict[str, float | None] = {}
    for key, x in FRACTIONS.items():
        if abs(change) <= 1e-12 * scale:
            out[key] = None
            continue
        frac = (T - T[0]) / change
        i = int(np.argmax(frac >= x))
        if i == 0 or frac[i] < x:
            out[key] = None
            continue
        f0, f1 = frac[i - 1], frac[i]
        out[key] = float(t[i - 1] + (x - f0) / (f1 - f0) * (t[i] - t[i - 1]))
    return ResponseTimes(name, float(T[0]), float(T[-1]), out, rate)
