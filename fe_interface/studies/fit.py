"""Fitting parameters to measured temperatures, with intervals that say what the data know.

:func:`fit` minimises χ² = Σ_i ((T_model,i − T_measured,i)/σ_i)² over the parameters'
optimiser variables x (:mod:`fe_interface.studies.parameters`) with
``scipy.optimize.least_squares``, by default its trust-region method ``"trf"`` with the exact
(SVD) subproblem solver: the Levenberg–Marquardt step, its damping set by the trust region,
bounds respected, and a rank-deficient Jacobian (an undetermined combination) handled by
the SVD.  MINPACK's classical ``method="lm"`` is available for unbounded parameters, but it
took unbounded steps along an undetermined direction (a two-interface split jumped to
ln R = 618 in its first step), so it is not the default.  The Jacobian is tangent-linear
(:class:`~fe_interface.studies.model.ParametricModel`); the prediction and its Jacobian at
a point come from one forward solve and one extra solve per parameter.

At the optimum (linearised, the standard uncertainties σ taken as known):

* covariance of x: (JᵀJ)⁻¹ from the SVD of J (:mod:`~fe_interface.studies.identifiability`:
  infinite along numerically null directions); with ``sigma_from_residuals`` scaled by
  χ²/(n − m) (then Student-t quantiles);
* covariance of p: D C_x D with D = dp/dx;
* intervals: x̂ ± z σ_x mapped to p (asymmetric for log-scaled parameters), z the normal
  (or Student-t) quantile of each confidence level; unbounded where not determined;
* correlation matrix, identifiability report, residual table.

The intervals are tested for coverage: over 200 synthetic noisy replicas of a meter-bar
rig the 68 % and 95 % intervals hold the true conductance in 68 ± 4 % and 95 ± 3 % of
them (``tests/system/test_calibration.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from fe_interface.errors import InputError, SolverError
from fe_interface.studies.data import Observations
from fe_interface.studies.identifiability import Identifiability, analyse
from fe_interface.studies.model import ParametricModel

__all__ = ["FitResult", "Interval", "ResidualRow", "fit"]

#: a Jacobian column smaller than this times the largest is a parameter without effect
NO_EFFECT = 1e-10


class Interval(NamedTuple):
    """A confidence interval of one parameter (SI units; ±inf: not determined)."""

    level: float
    lower: float
    upper: float


class ResidualRow(NamedTuple):
    """One reading after the fit (K; position m, time s)."""

    name: str
    x_m: float
    y_m: float
    z_m: float
    time_s: float
    measured_K: float
    model_K: float
    residual_K: float
    sigma_K: float
    normalised: float


class FitResult(NamedTuple):
    """The result of :func:`fit` (the same on every rank).

    Attributes:
        names: parameter names.
        estimates: fitted values (SI).
        std: standard deviations (SI; inf: not determined).
        covariance: (m, m) covariance of p (SI², NaN where not determined).
        correlation: (m, m) correlation matrix (NaN where not determined).
        intervals: name -> intervals at the confidence levels.
        identifiability: the SVD report.
        residuals: one row per reading.
        chi2: Σ normalised residuals²; dof: n − m; reduced_chi2: chi2/dof.
        sigma_from_residuals: whether the covariance was scaled by chi2/dof.
        converged: the optimiser's status > 0; message: its message.
        evaluations: forward solves; method: "lm" or "trf".
        initial: the initial values.
    """

    names: list[str]
    estimates: list[float]
    std: list[float]
    covariance: np.ndarray
    correlation: np.ndarray
    intervals: dict[str, list[Interval]]
    identifiability: Identifiability
    residuals: list[ResidualRow]
    chi2: float
    dof: int
    reduced_chi2: float
    sigma_from_residuals: bool
    converged: bool
    message: str
    evaluations: int
    method: str
    initial: list[float]

    def estimate(self, name: str) -> float:
        """The fitted value of one parameter (SI)."""
        return self.estimates[self.names.index(name)]

    def interval(self, name: str, level: float) -> Interval:
        """The interval of ``name`` at ``level`` (one of the levels fitted with)."""
        for iv in self.intervals[name]:
            if math.isclose(iv.level, level):
                return iv
        raise InputError(f"no {level} interval; levels: {[i.level for i in self.intervals[name]]}")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (units in every key)."""
        return {
            "parameters": [
                {
                    "name": n,
                    "initial": p0,
                    "estimate": v,
                    "std": s,
                    "intervals": [iv._asdict() for iv in self.intervals[n]],
                    "identifiable": self.identifiability.identifiable[n],
                }
                for n, p0, v, s in zip(
                    self.names, self.initial, self.estimates, self.std, strict=True
                )
            ],
            "covariance": self.covariance.tolist(),
            "correlation": self.correlation.tolist(),
            "identifiability": self.identifiability.as_dict(),
            "chi2": self.chi2,
            "dof": self.dof,
            "reduced_chi2": self.reduced_chi2,
            "sigma_from_residuals": self.sigma_from_residuals,
            "converged": self.converged,
            "message": self.message,
            "evaluations": self.evaluations,
            "method": self.method,
            "residuals": [r._asdict() for r in self.residuals],
        }


class _Objective:
    """r(x) and ∂r/∂x with one prediction per x (cached)."""

    def __init__(self, model: ParametricModel, probes: Any) -> None:
        self.model, self.probes = model, probes
        self.sigma = probes.obs.sigma
        self.measured = probes.obs.values
        self._x: np.ndarray | None = None
        self._r: np.ndarray = np.empty(0)
        self._J: np.ndarray = np.empty(0)
        self.y: np.ndarray = np.empty(0)

    def values(self, x: np.ndarray) -> list[float]:
        return [p.from_x(float(v)) for p, v in zip(self.model.parameters, x, strict=True)]

    def evaluate(self, x: np.ndarray) -> None:
        if self._x is not None and np.array_equal(x, self._x):
            return
        p = self.values(x)
        pred = self.model.predict(p, self.probes, jacobian=True)
        assert pred.jacobian is not None
        dpdx = np.array([par.dp_dx(v) for par, v in zip(self.model.parameters, p, strict=True)])
        self.y = pred.values
        self._r = (pred.values - self.measured) / self.sigma
        self._J = pred.jacobian * dpdx[None, :] / self.sigma[:, None]
        self._x = np.array(x, dtype=float)

    def residual(self, x: np.ndarray) -> np.ndarray:
        self.evaluate(x)
        if not np.all(np.isfinite(self._r)):
            raise SolverError(
                f"the model gave non-finite temperatures at parameters {self.values(x)}"
            )
        return self._r

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        self.evaluate(x)
        return self._J


def _check_effect(J: np.ndarray, names: Sequence[str]) -> None:
    norms = np.linalg.norm(J, axis=0)
    top = float(norms.max(initial=0.0))
    dead = [n for n, v in zip(names, norms, strict=True) if not v > NO_EFFECT * top]
    if dead:
        raise InputError(
            f"parameter(s) {dead} have no effect on the data (zero sensitivity: dT/dp = 0 at "
            "every reading): they cannot be fitted; remove them, or add readings they affect"
        )


def _quantile(level: float, dof: int, student: bool) -> float:
    from scipy import stats

    q = 0.5 + level / 2
    return float(stats.t.ppf(q, dof) if student else stats.norm.ppf(q))


def _intervals(
    model: ParametricModel, x: np.ndarray, var_x: np.ndarray, levels: Sequence[float], z: Any
) -> dict[str, list[Interval]]:
    out: dict[str, list[Interval]] = {}
    for par, xj, vj in zip(model.parameters, x, var_x, strict=True):
        ivs = []
        for lev in levels:
            if not math.isfinite(vj):
                ivs.append(Interval(lev, -math.inf if not par.log else 0.0, math.inf))
                continue
            half = z(lev) * math.sqrt(vj)
            ivs.append(Interval(lev, par.from_x(xj - half), par.from_x(xj + half)))
        out[par.name] = ivs
    return out


def fit(
    model: ParametricModel,
    data: Observations,
    *,
    levels: Sequence[float] = (0.68, 0.95),
    sigma_from_residuals: bool = False,
    max_evaluations: int = 100,
    tolerance: float = 1e-10,
    method: str = "trf",
) -> FitResult:
    """Fit the model's parameters to the readings (module docstring; collective).

    Args:
        model: the parametric model (its parameters' values are the initial guesses).
        data: the readings.
        levels: confidence levels of the intervals (each in (0, 1)).
        sigma_from_residuals: scale the covariance by χ²/(n − m) (the σ given are only
            relative weights).
        max_evaluations: most forward solves.
        tolerance: relative tolerance on x and on χ² of the optimiser.
        method: "trf" (default) or "lm" (MINPACK; no bounds).

    Raises:
        InputError: fewer readings than parameters, a parameter without effect, a point
            outside the mesh, bad levels.
        SolverError: a solve failed.
    """
    from scipy.optimize import least_squares

    names = model.names
    n, m = len(data), len(names)
    if n < m or (sigma_from_residuals and n == m):
        need = "more" if sigma_from_residuals else "at least as many"
        raise InputError(
            f"{data.source}: {n} readings for {m} parameters: a fit needs {need} readings "
            "than parameters"
        )
    for lev in levels:
        if not 0 < lev < 1:
            raise InputError(f"confidence levels must lie in (0, 1), got {lev!r}")
    probes = model.probes(data)
    obj = _Objective(model, probes)
    x0 = np.array([p.to_x(p.value) for p in model.parameters])
    _check_effect(obj.jacobian(x0), names)
    lo = np.array([p.x_bounds[0] for p in model.parameters])
    hi = np.array([p.x_bounds[1] for p in model.parameters])
    bounded = bool(np.any(np.isfinite(lo)) or np.any(np.isfinite(hi)))
    if method not in ("trf", "lm") or (method == "lm" and bounded):
        raise InputError(f"method must be 'trf' or, without bounds, 'lm'; got {method!r}")
    start = model.solves
    sol = least_squares(
        obj.residual, x0, jac=obj.jacobian, method=method,
        bounds=(lo, hi) if bounded else (-np.inf, np.inf),
        xtol=tolerance, ftol=tolerance, gtol=tolerance, max_nfev=max_evaluations,
        **({"tr_solver": "exact"} if method == "trf" else {}),
    )  # fmt: skip
    x = sol.x
    obj.evaluate(x)
    return _result(model, obj, x, sol, levels, sigma_from_residuals, model.solves - start, method)


def _result(
    model: ParametricModel, obj: _Objective, x: np.ndarray, sol: Any, levels: Sequence[float],
    scaled: bool, evaluations: int, method: str,
) -> FitResult:  # fmt: skip
    names = model.names
    data = obj.probes.obs
    p = obj.values(x)
    r, J = obj.residual(x), obj.jacobian(x)
    n, m = len(r), len(names)
    chi2 = float(r @ r)
    dof = n - m
    report, cov_x, var_x = analyse(J, model.parameters, p)
    factor = chi2 / dof if scaled and dof > 0 else 1.0
    cov_x, var_x = cov_x * factor, var_x * factor
    D = np.array([par.dp_dx(v) for par, v in zip(model.parameters, p, strict=True)])
    cov_p = cov_x * np.outer(D, D)
    std_p = [
        math.sqrt(v) * d if math.isfinite(v) else math.inf for v, d in zip(var_x, D, strict=True)
    ]
    sd = np.sqrt(np.where(np.isfinite(var_x), var_x, np.nan))
    corr = cov_x / np.outer(sd, sd)
    ivs = _intervals(model, x, var_x, levels, lambda lev: _quantile(lev, dof, scaled and dof > 0))
    times = data.times if data.times is not None else np.full(n, math.nan)
    rows = [
        ResidualRow(
            data.names[i],
            float(data.points[i, 0]),
            float(data.points[i, 1]),
            float(data.points[i, 2]),
            float(times[i]),
            float(data.values[i]),
            float(obj.y[i]),
            float(obj.y[i] - data.values[i]),
            float(data.sigma[i]),
            float(r[i]),
        )
        for i in range(n)
    ]
    return FitResult(
        names, p, std_p, cov_p, corr, ivs, report, rows, chi2, dof,
        chi2 / dof if dof > 0 else math.nan, scaled, bool(sol.status > 0), str(sol.message),
        evaluations, method, [par.value for par in model.parameters],
    )  # fmt: skip
