"""What the data determine: the singular value decomposition of the scaled Jacobian.

With residuals r_i = (T_model,i − T_measured,i)/σ_i and the parameters' optimiser variables
x (ln p for log-scaled parameters: relative changes; p/|p₀| otherwise), the scaled Jacobian
J = ∂r/∂x = U S Vᵀ has, for each right singular vector v_k, the standard deviation 1/s_k of
the combination v_k·x (linearised, known σ).  A combination is *determined* when that
standard deviation is below :data:`DETERMINED` (one unit of x: a factor e for a
log-scaled parameter, 100 % of the initial value otherwise) and s_k is not numerically zero
(s_k > :data:`RCOND` s_max).  A parameter alone is identifiable when its own standard
deviation is below the same limit; when it is not, the determined combinations it takes
part in are what the data say about it — two resistances in series seen only through their
sum give one determined combination (the sum) and one undetermined one (the split).

Combinations are reported in both forms: in x (``0.71 ln R_a + 0.71 ln R_b``) and as the
local linear combination of the parameters themselves, normalised to a largest coefficient
of 1 (``1.00 R_a + 1.00 R_b``: the sum).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from fe_interface.studies.parameters import Parameter

__all__ = ["DETERMINED", "RCOND", "Combination", "Identifiability", "analyse"]

#: largest standard deviation (in x) of a determined combination or parameter
DETERMINED = 1.0
#: singular values below RCOND times the largest are zero (numerically null directions)
RCOND = 1e-8


class Combination(NamedTuple):
    """One singular direction of the scaled Jacobian.

    Attributes:
        singular_value: s_k (dimensionless).
        std: 1/s_k, the standard deviation of v·x (inf if s_k is numerically zero).
        vector: v_k (unit vector over the parameters, in x).
        linear: the combination Σ c_j p_j (local), largest |c_j| = 1.
        determined: std ≤ DETERMINED.
        text: the combination written out.
    """

    singular_value: float
    std: float
    vector: list[float]
    linear: list[float]
    determined: bool
    text: str


class Identifiability(NamedTuple):
    """The identifiability report (module docstring).

    Attributes:
        singular_values: s_k, largest first.
        condition_number: s_max/s_min (inf if rank deficient).
        rank: number of numerically non-zero singular values.
        combinations: one per singular direction, largest singular value first.
        identifiable: per parameter, whether it is determined alone.
        std_x: per parameter, its standard deviation in x (inf: not determined).
        messages: the report in words.
    """

    singular_values: list[float]
    condition_number: float
    rank: int
    combinations: list[Combination]
    identifiable: dict[str, bool]
    std_x: dict[str, float]
    messages: list[str]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        d = self._asdict()
        d["combinations"] = [c._asdict() for c in self.combinations]
        return d


def _terms(names: Sequence[str], coef: np.ndarray, fmt: str) -> str:
    parts = []
    for n, c in zip(names, coef, strict=True):
        if abs(c) < 1e-3:
            continue
        sign = "-" if c < 0 else "+"
        parts.append(f"{sign} {abs(c):.3g} {fmt.format(n)}")
    text = " ".join(parts)
    return text[2:] if text.startswith("+ ") else text


def analyse(
    J: np.ndarray, parameters: Sequence[Parameter], estimates: Sequence[float]
) -> tuple[Identifiability, np.ndarray, np.ndarray]:
    """The report, and the covariance of x (inf where undetermined) and its SVD basis.

    Args:
        J: (n, m) ∂r/∂x, the residuals scaled by their standard uncertainties.
        parameters: the parameters (their scaling).
        estimates: the parameter values (SI) at which J was taken.

    Returns:
        (report, covariance of x (m, m) — NaN rows/columns where a parameter is not
        determined, per-parameter variance of x (inf where not determined)).
    """
    names = [p.name for p in parameters]
    _, s, Vt = np.linalg.svd(J, full_matrices=False)
    smax = float(s[0]) if s.size else 0.0
    null = s <= RCOND * smax if smax > 0 else np.ones_like(s, dtype=bool)
    inv = np.where(null, 0.0, 1.0 / np.where(null, 1.0, s) ** 2)
    cov = (Vt.T * inv) @ Vt
    var = np.diag(cov).copy()
    for row in Vt[null]:
        var[np.abs(row) > 1e-6] = math.inf
    cov[~np.isfinite(var), :] = np.nan
    cov[:, ~np.isfinite(var)] = np.nan
    dxdp = np.array(
        [1.0 / p.dp_dx(v) for p, v in zip(parameters, estimates, strict=True)], dtype=float
    )
    combos = []
    for k in range(len(s)):
        std = math.inf if null[k] else 1.0 / float(s[k])
        v = Vt[k] * (1 if Vt[k][np.argmax(np.abs(Vt[k]))] > 0 else -1)
        lin = v * dxdp
        lin = lin / np.max(np.abs(lin)) if np.any(lin) else lin
        fmt = "ln {}" if all(p.log for p in parameters) else "x({})"
        text = _terms(names, v, fmt)
        combos.append(
            Combination(
                float(s[k]),
                std,
                v.tolist(),
                lin.tolist(),
                std <= DETERMINED,
                f"{text}  (i.e. {_terms(names, lin, '{}')})",
            )
        )
    std_x = {n: math.sqrt(v) for n, v in zip(names, var, strict=True)}
    ident = {n: sx <= DETERMINED for n, sx in std_x.items()}
    msgs = _messages(names, combos, ident, std_x)
    cond = smax / float(s[-1]) if s.size and s[-1] > RCOND * smax else math.inf
    report = Identifiability(
        [float(x) for x in s], cond, int(np.sum(~null)), combos, ident, std_x, msgs
    )
    return report, cov, var


def _messages(
    names: Sequence[str], combos: list[Combination], ident: dict[str, bool], std_x: dict[str, float]
) -> list[str]:
    msgs = []
    for n in names:
        if ident[n]:
            msgs.append(f"{n}: determined (standard deviation {std_x[n]:.3g} in x)")
            continue
        j = list(names).index(n)
        with_n = [c for c in combos if c.determined and abs(c.vector[j]) > 0.05]
        if with_n:
            what = "; ".join(c.text + f" to ±{c.std:.3g}" for c in with_n)
            msgs.append(f"{n}: NOT determined alone; the data determine {what}")
        else:
            msgs.append(f"{n}: NOT determined (no determined combination involves it)")
    for c in combos:
        if not c.determined:
            msgs.append(
                f"undetermined combination: {c.text} (standard deviation "
                f"{'inf' if math.isinf(c.std) else f'{c.std:.3g}'})"
            )
    return msgs
