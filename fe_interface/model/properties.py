"""Temperature-dependent material properties: functions of T for NumPy and UFL.

A *property* is a validated frozen dataclass with

* ``__call__(T)``: the value at the temperature ``T`` (K): a number or NumPy array in,
  the same shape out; a UFL expression in, a UFL expression out (so the solver can
  differentiate it: Newton's exact Jacobian);
* ``antiderivative(T)``: ∫_{T_ref}^{T} p(s) ds (unit of p times K), for NumPy and UFL
  (the enthalpy of a heat capacity, the Kirchhoff transform of a conductivity);
* ``unit``, ``source`` (citation), ``valid_range`` = (T_min, T_max) in K or None.

Evaluating a property with NumPy temperatures outside its valid range warns
(:class:`PropertyRangeWarning`) and extrapolates (tables hold their end values, fits
extend their formula); the solvers check the solved field against the ranges of every
material after each solve.

Properties:

* :class:`Table` — points (T, value) joined by monotone piecewise-cubic Hermite
  interpolation (PCHIP, Fritsch & Carlson, SIAM J. Numer. Anal. 17 (1980) 238): no
  overshoot between the points, continuous first derivative (Newton converges
  quadratically), exact antiderivative (piecewise quartic).
* :class:`Polynomial` — Σ c_i T^i, exact antiderivative.
* :class:`PolyLog10` — log10 p = Σ a_i (log10 T)^i (the form of the NIST cryogenic
  material fits).
* :class:`NISTCopperFit` — log10 k = (a + c√T + eT + gT^1.5 + iT²)/(1 + b√T + dT + fT^1.5
  + hT²) (the NIST OFHC-copper conductivity fits per RRR).
* :class:`PropertyFunction` — any function of T written with arithmetic and ``ufl``
  functions (it receives NumPy arrays or UFL expressions), optionally with its
  antiderivative.
* :class:`Scaled` — a constant factor times a property (ρ c_p(T)).

Antiderivatives without a closed form use 32-point Gauss–Legendre quadrature in ln T
from ``T_ref`` (default: the lower end of the valid range, else 1 K; relative error
< 1e-10 over 4–300 K for the NIST fits of the library), the same formula for NumPy and
UFL, so the discrete energy balance stays exact.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.validation import check_positive, check_real, is_real, magnitude_problem

__all__ = [
    "NISTCopperFit",
    "PolyLog10",
    "Polynomial",
    "Property",
    "PropertyFunction",
    "PropertyRangeWarning",
    "Scaled",
    "Table",
    "as_property",
    "is_property",
    "is_ufl",
]

_LN10 = math.log(10.0)
_GL_U, _GL_W = np.polynomial.legendre.leggauss(32)


class PropertyRangeWarning(UserWarning):
    """A property was evaluated outside the temperature range of its source."""


def is_ufl(x: Any) -> bool:
    """True for a UFL expression (not a number or NumPy array)."""
    import ufl

    return isinstance(x, ufl.core.expr.Expr)


def _ops(T: Any) -> tuple[Any, Any, Any]:
    """(exp, ln, sqrt) for the kind of ``T`` (UFL or NumPy)."""
    if is_ufl(T):
        import ufl

        return ufl.exp, ufl.ln, ufl.sqrt
    return np.exp, np.log, np.sqrt


def _numeric(T: Any) -> np.ndarray:
    return np.asarray(T, dtype=float)


def _shape_like(value: np.ndarray, T: Any) -> Any:
    """A 0-d result as float, arrays as they are."""
    return float(value) if np.ndim(value) == 0 else value


class Property:
    """Base class of the temperature-dependent properties (see the module docstring).

    Subclasses implement :meth:`_value` (NumPy and UFL) and may override
    :meth:`_antiderivative`; ``name``, ``unit``, ``source``, ``valid_range`` and
    ``T_ref`` are dataclass fields of the subclasses.
    """

    name: str
    unit: str
    source: str
    valid_range: tuple[float, float] | None
    T_ref: float | None  # None in the fields: set by __post_init__ (K)
    temperature_dependent = True

    # ---------------------------------------------------------------- API
    def __call__(self, T: Any) -> Any:
        """The value at ``T`` (K).

        NumPy in, NumPy out (warns outside the valid range); UFL in, UFL out.
        """
        if is_ufl(T):
            return self._value(T)
        t = _numeric(T)
        self.warn_outside(t)
        return _shape_like(self._value(t), T)

    def antiderivative(self, T: Any) -> Any:
        """∫_{T_ref}^{T} p(s) ds (unit × K) for NumPy or UFL ``T``."""
        if is_ufl(T):
            return self._antiderivative(T)
        t = _numeric(T)
        self.warn_outside(t)
        return _shape_like(self._antiderivative(t), T)

    def derivative(self, T: Any, rel: float = 1e-6) -> Any:
        """dp/dT by a central difference (NumPy; UFL differentiates the expression)."""
        t = _numeric(T)
        dt = rel * np.maximum(np.abs(t), 1.0)
        return _shape_like((self._value(t + dt) - self._value(t - dt)) / (2 * dt), T)

    def mean(self, T0: float, T1: float) -> float:
        """The mean value over [T0, T1] (K).

        (F(T1) − F(T0))/(T1 − T0) (the value at T0 when T0 = T1).
        """
        if T1 == T0:
            return float(self(T0))
        return float((self.antiderivative(T1) - self.antiderivative(T0)) / (T1 - T0))

    def outside(self, T_min: float, T_max: float) -> bool:
        """True if [T_min, T_max] (K) leaves the valid range."""
        r = self.valid_range
        return r is not None and (T_min < r[0] * (1 - 1e-9) or T_max > r[1] * (1 + 1e-9))

    def range_message(self, T_min: float, T_max: float, where: str = "") -> str:
        """The warning text for temperatures [T_min, T_max] (K) outside the range."""
        lo, hi = self.valid_range or (0.0, math.inf)
        at = f" {where}" if where else ""
        return (
            f"{self.label}{at}: temperatures {T_min:.4g}..{T_max:.4g} K leave the valid range "
            f"{lo:g}..{hi:g} K of its source ({self.source or 'no source given'}); the values "
            "there are extrapolated"
        )

    def warn_outside(self, t: np.ndarray) -> None:
        """Warn (:class:`PropertyRangeWarning`) if NumPy temperatures leave the range."""
        if self.valid_range is None or t.size == 0:
            return
        finite = t[np.isfinite(t)]
        if finite.size and self.outside(float(finite.min()), float(finite.max())):
            warnings.warn(
                self.range_message(float(finite.min()), float(finite.max())),
                PropertyRangeWarning,
                stacklevel=3,
            )

    @property
    def label(self) -> str:
        """The property's name for messages."""
        return self.name or type(self).__name__

    @property
    def reference_temperature(self) -> float:
        """A temperature inside the valid range (293.15 K clamped into it), K."""
        lo, hi = self.valid_range or (0.0, math.inf)
        return float(min(max(293.15, lo), hi))

    # ---------------------------------------------------------------- internals
    def _value(self, T: Any) -> Any:
        raise NotImplementedError

    def _antiderivative(self, T: Any) -> Any:
        """32-point Gauss–Legendre in u = ln s from ln T_ref to ln T: ∫ p(e^u) e^u du."""
        exp, ln, _ = _ops(T)
        assert self.T_ref is not None  # set by __post_init__
        a = math.log(self.T_ref)
        b = ln(T)
        half, mid = 0.5 * (b - a), 0.5 * (b + a)
        total = 0
        for xi, w in zip(_GL_U, _GL_W, strict=True):
            s = exp(mid + half * float(xi))
            total = total + float(w) * self._value(s) * s
        return half * total


def _check_range(valid_range: Any, owner: str) -> tuple[float, float] | None:
    if valid_range is None:
        return None
    try:
        lo, hi = (float(x) for x in valid_range)
    except (TypeError, ValueError):
        raise InputError(
            f"{owner}: valid_range must be (T_min, T_max) in K, got {valid_range!r}"
        ) from None
    if not (0 <= lo < hi) or not math.isfinite(lo):
        raise InputError(
            f"{owner}: valid_range must satisfy 0 <= T_min < T_max (K), got {valid_range!r}"
        )
    return (lo, hi)


def _floats(values: Any, what: str, owner: str) -> tuple[float, ...]:
    try:
        out = tuple(check_real(v, what, "", owner) for v in values)
    except TypeError:
        raise InputError(f"{owner}: {what} must be a sequence of numbers, got {values!r}") from None
    return out


def _common_post_init(p: Any, kind: str) -> str:
    owner = f"{kind} {p.name!r}" if p.name else kind
    object.__setattr__(p, "valid_range", _check_range(p.valid_range, owner))
    if p.T_ref is None:  # inside the range: fits extrapolate wildly outside it
        lo = p.valid_range[0] if p.valid_range else 0.0
        object.__setattr__(p, "T_ref", lo if lo > 0 else 1.0)
    object.__setattr__(p, "T_ref", check_positive(p.T_ref, "T_ref", "K", owner))
    return owner


# --------------------------------------------------------------------------------------
# tables: monotone cubic Hermite interpolation
# --------------------------------------------------------------------------------------
def pchip_slopes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Node derivatives of the monotone piecewise-cubic Hermite interpolant.

    Those of ``scipy.interpolate.PchipInterpolator``: Fritsch–Carlson with the Fritsch–Butland
    weighted harmonic mean and one-sided three-point ends.
    """
    from scipy.interpolate import PchipInterpolator

    if len(x) == 2:
        s = (y[1] - y[0]) / (x[1] - x[0])
        return np.array([s, s])
    return np.asarray(PchipInterpolator(x, y).derivative()(x), dtype=float)


@dataclass(frozen=True)
class Table(Property):
    """A property given at points.

    Monotone cubic (PCHIP) interpolation between them, the end values held constant outside
    (with a warning).

    Attributes:
        T: temperatures (K), > 0, strictly increasing, at least 2.
        values: the property at ``T`` (any unit, > 0).
        name, unit, source: label, unit string and citation.
        valid_range: (T_min, T_max) in K; default: the table's ends.
        T_ref: lower limit of :meth:`antiderivative` (K); default: the first point.
    """

    T: tuple[float, ...]
    values: tuple[float, ...]
    name: str = ""
    unit: str = ""
    source: str = ""
    valid_range: tuple[float, float] | None = None
    T_ref: float = 0.0
    slopes: tuple[float, ...] = field(default=(), repr=False, compare=False)
    nodes: tuple[float, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        owner = f"table {self.name!r}" if self.name else "table"
        T = _floats(self.T, "T (K)", owner)
        v = _floats(self.values, "values", owner)
        if len(T) < 2 or len(T) != len(v):
            raise InputError(
                f"{owner}: needs at least 2 points and as many values as temperatures, got "
                f"{len(T)} temperatures and {len(v)} values"
            )
        if T[0] <= 0 or any(b <= a for a, b in itertools.pairwise(T)):
            raise InputError(
                f"{owner}: temperatures must be > 0 K and strictly increasing, got {list(T)}"
            )
        if any(x <= 0 for x in v):
            raise InputError(f"{owner}: values must be > 0, got {list(v)}")
        bad = [(x, m) for x in v if (m := magnitude_problem(x, self.unit))]
        if bad:
            raise InputError(f"{owner}: value {bad[0][0]:g} {self.unit} {bad[0][1]}")
        object.__setattr__(self, "T", T)
        object.__setattr__(self, "values", v)
        if self.valid_range is None:
            object.__setattr__(self, "valid_range", (T[0], T[-1]))
        if not self.T_ref:
            object.__setattr__(self, "T_ref", T[0])
        _common_post_init(self, "table")
        x, y = np.array(T), np.array(v)
        d = pchip_slopes(x, y)
        h = np.diff(x)
        seg = h * (y[:-1] + y[1:]) / 2 + h**2 * (d[:-1] - d[1:]) / 12
        F = np.concatenate([[0.0], np.cumsum(seg)])  # ∫ from T[0] to each node
        object.__setattr__(self, "slopes", tuple(float(s) for s in d))
        object.__setattr__(self, "nodes", tuple(float(s) for s in F))

    # pieces: -1 below the first point, 0..n-2 the intervals, n-1 above the last point
    def _piece(self, i: int, T: Any, integral: bool) -> Any:
        """The value (or the integral from the first point) on piece ``i``."""
        x, y, d, F = self.T, self.values, self.slopes, self.nodes
        n = len(x)
        if i < 0:
            return (T - x[0]) * y[0] if integral else y[0] + 0 * T
        if i >= n - 1:
            return F[-1] + (T - x[-1]) * y[-1] if integral else y[-1] + 0 * T
        h = x[i + 1] - x[i]
        t = (T - x[i]) / h
        y0, y1, d0, d1 = y[i], y[i + 1], d[i] * h, d[i + 1] * h
        t2, t3 = t * t, t * t * t
        if not integral:
            return (
                (2 * t3 - 3 * t2 + 1) * y0
                + (t3 - 2 * t2 + t) * d0
                + (3 * t2 - 2 * t3) * y1
                + (t3 - t2) * d1
            )
        t4 = t2 * t2
        return F[i] + h * (
            (t - t3 + t4 / 2) * y0
            + (t2 / 2 - 2 * t3 / 3 + t4 / 4) * d0
            + (t3 - t4 / 2) * y1
            + (t4 / 4 - t3 / 3) * d1
        )

    def _eval(self, T: Any, integral: bool) -> Any:
        x = self.T
        n = len(x)
        if is_ufl(T):
            import ufl

            def tree(lo: int, hi: int) -> Any:  # pieces lo..hi (-1..n-1)
                if lo == hi:
                    return self._piece(lo, T, integral)
                mid = (lo + hi + 1) // 2  # the pieces below mid lie below x[mid]
                return ufl.conditional(ufl.lt(T, x[mid]), tree(lo, mid - 1), tree(mid, hi))

            return tree(-1, n - 1)
        t = np.asarray(T, dtype=float)
        idx = np.searchsorted(np.asarray(x), t, side="right") - 1
        out = np.empty(t.shape)
        for i in np.unique(idx):
            sel = idx == i
            out[sel] = self._piece(int(i), t[sel], integral)
        return out

    def _value(self, T: Any) -> Any:
        return self._eval(T, False)

    def _antiderivative(self, T: Any) -> Any:
        offset = float(self._eval(np.array(self.T_ref), True))
        return self._eval(T, True) - offset


# --------------------------------------------------------------------------------------
# closed forms
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Polynomial(Property):
    """p(T) = Σ_i c_i T^i (T in K); exact antiderivative.

    Attributes:
        coefficients: c_0, c_1, ... in the property's unit per K^i.
    """

    coefficients: tuple[float, ...]
    name: str = ""
    unit: str = ""
    source: str = ""
    valid_range: tuple[float, float] | None = None
    T_ref: float | None = None

    def __post_init__(self) -> None:
        owner = _common_post_init(self, "polynomial")
        c = _floats(self.coefficients, "coefficients", owner)
        if not c:
            raise InputError(f"{owner}: needs at least one coefficient")
        object.__setattr__(self, "coefficients", c)

    @property
    def temperature_dependent(self) -> bool:  # type: ignore[override]
        """False for a constant polynomial."""
        return any(c != 0.0 for c in self.coefficients[1:])

    def _value(self, T: Any) -> Any:
        out: Any = 0.0
        for c in reversed(self.coefficients):
            out = out * T + c
        return out

    def _antiderivative(self, T: Any) -> Any:
        def F(t: Any) -> Any:
            out: Any = 0.0
            for i in reversed(range(len(self.coefficients))):
                out = out * t + self.coefficients[i] / (i + 1)
            return out * t

        return F(T) - F(self.T_ref)


@dataclass(frozen=True)
class PolyLog10(Property):
    """log10 p = Σ_i a_i (log10 T)^i (T in K): the NIST cryogenic-material fits.

    Attributes:
        coefficients: a_0 (= NIST's a), a_1 (b), ... a_8 (i).
    """

    coefficients: tuple[float, ...]
    name: str = ""
    unit: str = ""
    source: str = ""
    valid_range: tuple[float, float] | None = None
    T_ref: float | None = None

    def __post_init__(self) -> None:
        owner = _common_post_init(self, "log-polynomial fit")
        c = _floats(self.coefficients, "coefficients", owner)
        if not c:
            raise InputError(f"{owner}: needs at least one coefficient")
        object.__setattr__(self, "coefficients", c)

    def _value(self, T: Any) -> Any:
        exp, ln, _ = _ops(T)
        x = ln(T) / _LN10
        p: Any = 0.0
        for a in reversed(self.coefficients):
            p = p * x + a
        return exp(_LN10 * p)


@dataclass(frozen=True)
class NISTCopperFit(Property):
    """log10 k = (a + c T^0.5 + e T + g T^1.5 + i T²)/(1 + b T^0.5 + d T + f T^1.5 + h T²).

    Attributes:
        coefficients: (a, b, c, d, e, f, g, h, i) as tabulated by NIST.
    """

    coefficients: tuple[float, ...]
    name: str = ""
    unit: str = "W/(m K)"
    source: str = ""
    valid_range: tuple[float, float] | None = None
    T_ref: float | None = None

    def __post_init__(self) -> None:
        owner = _common_post_init(self, "NIST copper fit")
        c = _floats(self.coefficients, "coefficients", owner)
        if len(c) != 9:
            raise InputError(f"{owner}: needs the 9 coefficients a..i, got {len(c)}")
        object.__setattr__(self, "coefficients", c)

    def _value(self, T: Any) -> Any:
        exp, _, sqrt = _ops(T)
        a, b, c, d, e, f, g, h, i = self.coefficients
        s = sqrt(T)
        num = a + c * s + e * T + g * T * s + i * T * T
        den = 1.0 + b * s + d * T + f * T * s + h * T * T
        return exp(_LN10 * num / den)


@dataclass(frozen=True)
class PropertyFunction(Property):
    """A property given as a Python function of T (K).

    Attributes:
        f: ``T -> value``; it receives NumPy arrays and UFL expressions, so write it with
            arithmetic and ``ufl`` functions that also accept NumPy input, or give
            ``numpy_f`` for the NumPy side.
        antiderivative_f: optional ``T -> ∫_{T_ref}^T f`` (exact enthalpy); default:
            Gauss–Legendre quadrature.
        numpy_f: optional NumPy version of ``f`` (tables, postprocessing).
    """

    f: Callable[[Any], Any]
    name: str = ""
    unit: str = ""
    source: str = ""
    valid_range: tuple[float, float] | None = None
    T_ref: float | None = None
    antiderivative_f: Callable[[Any], Any] | None = None
    numpy_f: Callable[[Any], Any] | None = None

    def __post_init__(self) -> None:
        owner = _common_post_init(self, "property function")
        if not callable(self.f):
            raise InputError(f"{owner}: f must be a function of T (K), got {self.f!r}")

    def _value(self, T: Any) -> Any:
        if not is_ufl(T) and self.numpy_f is not None:
            return np.asarray(self.numpy_f(T), dtype=float) * np.ones_like(T)
        v = self.f(T)
        return v if is_ufl(T) else np.asarray(v, dtype=float) * np.ones_like(T)

    def _antiderivative(self, T: Any) -> Any:
        if self.antiderivative_f is None:
            return Property._antiderivative(self, T)
        return self.antiderivative_f(T) - self.antiderivative_f(self.T_ref + 0 * T)


@dataclass(frozen=True)
class Scaled(Property):
    """``factor`` × ``base``(T): e.g. ρ c_p(T) from a constant density."""

    base: Property
    factor: float
    name: str = ""
    unit: str = ""
    source: str = ""
    valid_range: tuple[float, float] | None = None
    T_ref: float | None = None

    def __post_init__(self) -> None:
        if not is_property(self.base):
            raise InputError(f"Scaled: base must be a property, got {self.base!r}")
        object.__setattr__(self, "factor", check_positive(self.factor, "factor", "", "Scaled"))
        object.__setattr__(self, "valid_range", self.base.valid_range)
        object.__setattr__(self, "T_ref", self.base.T_ref)
        if not self.source:
            object.__setattr__(self, "source", self.base.source)
        if not self.name:
            object.__setattr__(self, "name", self.base.name)

    @property
    def temperature_dependent(self) -> bool:  # type: ignore[override]
        """As the base property."""
        return bool(self.base.temperature_dependent)

    def _value(self, T: Any) -> Any:
        return self.factor * self.base._value(T)

    def _antiderivative(self, T: Any) -> Any:
        return self.factor * self.base._antiderivative(T)


def is_property(x: Any) -> bool:
    """True for a :class:`Property` object."""
    return isinstance(x, Property)


def as_property(value: Any, name: str, unit: str, owner: str) -> Any:
    """A checked property value.

    A positive number (float), a :class:`Property`, a ``(T, values)`` pair of sequences (a
    :class:`Table`), or a function of T (a :class:`PropertyFunction`).
    """
    if is_property(value):
        return value
    if is_real(value):
        return check_positive(value, name, unit, owner)
    if (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, Sequence) or isinstance(v, np.ndarray) for v in value)
    ):
        return Table(tuple(value[0]), tuple(value[1]), name=f"{owner} {name}", unit=unit)
    if callable(value):
        return PropertyFunction(value, name=f"{owner} {name}", unit=unit)
    raise InputError(
        f"{owner}: {name} ({unit}) must be a finite number > 0, a property of T (Table, "
        f"PolyLog10, ...), a (T, values) table or a function of T, got {value!r}"
    )
