"""Parameters of a study: a name, a value, bounds, and the scale the optimiser sees.

A :class:`Parameter` is a scalar of the model (a conductance h in W/(m² K), a resistance R in
m² K/W, a law coefficient such as σ in m, m, H_c in Pa, a conductivity k in W/(m K), an
emissivity, a pressure in Pa, a boundary value ...): what it *is* is said by the function
that builds the model objects from the parameter values (:mod:`fe_interface.studies.model`),
or, in case files, by its key path.  Log scaling (``log=True``) makes the optimiser and the
identifiability analysis work with ln p: relative changes, the natural scale of
resistances and conductances that span decades; it needs p > 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.validation import is_real

__all__ = ["Parameter", "check_parameters"]


@dataclass(frozen=True)
class Parameter:
    """One scalar parameter.

    Attributes:
        name: its name (a column of every table).
        value: the initial guess of a fit, or the nominal value (SI units).
        lower, upper: bounds (SI units; ±inf: none).
        log: fit and analyse ln p (needs p > 0 and lower ≥ 0; lower defaults to 0).
        unit: the unit, for tables and plots.
    """

    name: str
    value: float
    lower: float = -math.inf
    upper: float = math.inf
    log: bool = False
    unit: str = ""

    def __post_init__(self) -> None:
        where = f"parameter {self.name!r}"
        if not isinstance(self.name, str) or not self.name:
            raise InputError(f"parameter name must be a non-empty string, got {self.name!r}")
        for attr in ("value", "lower", "upper"):
            v = getattr(self, attr)
            if not is_real(v) or math.isnan(float(v)):
                raise InputError(f"{where}: {attr} must be a number, got {v!r}")
            object.__setattr__(self, attr, float(v))
        if self.log and self.lower == -math.inf:
            object.__setattr__(self, "lower", 0.0)
        if not math.isfinite(self.value):
            raise InputError(f"{where}: value must be finite, got {self.value!r}")
        if not self.lower < self.upper:
            raise InputError(f"{where}: needs lower < upper, got {self.lower!r}, {self.upper!r}")
        if not self.lower <= self.value <= self.upper:
            raise InputError(
                f"{where}: value {self.value!r} outside its bounds [{self.lower!r}, {self.upper!r}]"
            )
        if self.log and not (self.value > 0 and self.lower >= 0):
            raise InputError(
                f"{where}: log scaling needs a positive value and lower bound >= 0, got value "
                f"{self.value!r}, lower {self.lower!r}"
            )

    # ------------------------------------------------------------------ scaling
    def to_x(self, p: float) -> float:
        """The optimiser's variable: ln p (log) or p / |initial value| (else)."""
        return math.log(p) if self.log else p / self.scale

    def from_x(self, x: float) -> float:
        """The parameter of an optimiser variable."""
        if self.log:
            return math.exp(x) if x < 709.0 else math.inf
        return x * self.scale

    def dp_dx(self, p: float) -> float:
        """dp/dx at p (SI units per unit of x)."""
        return p if self.log else self.scale

    @property
    def scale(self) -> float:
        """|initial value| (1 if zero): the unit of x of a linear parameter."""
        return abs(self.value) or 1.0

    @property
    def x_bounds(self) -> tuple[float, float]:
        """The bounds in x (ln 0 = −inf)."""
        if self.log:
            lo = math.log(self.lower) if self.lower > 0 else -math.inf
            return lo, math.log(self.upper) if math.isfinite(self.upper) else math.inf
        return self.lower / self.scale, self.upper / self.scale


def check_parameters(parameters: Sequence[Parameter]) -> list[Parameter]:
    """The parameters as a list, checked: at least one, names unique.

    Raises:
        InputError: none given, not Parameters, or a name used twice.
    """
    params = list(parameters)
    if not params:
        raise InputError("no parameters given")
    bad = [p for p in params if not isinstance(p, Parameter)]
    if bad:
        raise InputError(f"not a Parameter: {bad[0]!r}")
    names = [p.name for p in params]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"parameter names given twice: {dup}")
    return params


def as_values(parameters: Sequence[Parameter], values: object) -> dict[str, float]:
    """Name -> value from a mapping or a sequence in the parameters' order (checked finite)."""
    names = [p.name for p in parameters]
    if isinstance(values, dict):
        missing = [n for n in names if n not in values]
        if missing:
            raise InputError(f"no value for parameter(s) {missing}")
        vals = [values[n] for n in names]
    else:
        vals = list(np.asarray(values, dtype=float).ravel())
        if len(vals) != len(names):
            raise InputError(f"{len(vals)} values for {len(names)} parameters")
    out = {}
    for n, v in zip(names, vals, strict=True):
        if not is_real(v) or not math.isfinite(float(v)):
            raise InputError(f"parameter {n!r}: value must be a finite number, got {v!r}")
        out[n] = float(v)
    return out
