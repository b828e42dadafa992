"""Tabulated interface conductance h(P, T) and h(gap, T), as in Abaqus' gap tables.

Abaqus' ``*GAP CONDUCTANCE`` tables give the conductance against the clearance or the
contact pressure, with optional temperature dependence (Abaqus Analysis User's Guide,
"Thermal contact properties").

A :class:`ConductanceTable` holds h (W/(m² K)) at points of one variable — the contact
pressure P (Pa) or the gap clearance g (m) — and, optionally, at temperatures T (K):
one row per value of the variable, one column per temperature.  Between the points

* ``interpolation="linear"`` (default, Abaqus): piecewise linear in each variable
  (bilinear in (P, T));
* ``interpolation="pchip"``: monotone piecewise-cubic Hermite (Fritsch & Carlson, SIAM
  J. Numer. Anal. 17 (1980) 238): no overshoot between the points, continuous first
  derivative — Newton converges quadratically where h depends on T;
* ``log_variable=True``: along P (or g), log h is interpolated against log P, so power
  laws h ∝ P^n (the contact correlations) are reproduced exactly between the points
  (positive abscissae and values only).

Beyond the ends the end values are held (Abaqus' convention).  The two-variable table is
evaluated variable by variable: first along P (or g) at every tabulated temperature, then
along T through those values (for linear interpolation this is the bilinear
interpolant; the order matters only for ``pchip``).

:class:`TabulatedConductance` is the interface law: the table read at the operating
pressure (or gap) ``value`` and at the interface mean temperature (T⁺ + T⁻)/2 (Abaqus:
the average of the two surface temperatures).  Without a temperature axis, h is
constant — the law takes the facet-wise fast path of constant conductances; with one, h
depends on T and is a UFL expression (a tree of ``conditional``), which Newton
differentiates exactly (:meth:`TabulatedConductance.dh_dT` is the same derivative in
NumPy).  A gap that varies over the interface (a map g(x) from a mechanical solution or a
measured flatness) is :func:`gap_conductance_map`: h per facet from the table.

Units: P in Pa, g in m, T in K, h in W/(m² K).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.interfaces import FacetConductance
from fe_interface.model.validation import (
    LawDeclaration,
    LawParameter,
    check_array,
    check_choice,
    check_nonnegative,
)

from .common import constant_like, is_numeric

__all__ = [
    "INTERPOLATIONS",
    "VARIABLES",
    "ConductanceTable",
    "TabulatedConductance",
    "gap_conductance_map",
]

#: interpolation methods of a table
INTERPOLATIONS = ("linear", "pchip")
#: tabulated variables -> unit
VARIABLES = {"pressure": "Pa", "gap": "m"}


# --------------------------------------------------------------------------------------
# one-dimensional interpolants
# --------------------------------------------------------------------------------------
def _slopes(x: np.ndarray, y: np.ndarray, method: str) -> np.ndarray:
    """Node derivatives along axis 0 (y: (n,) or (n, m)).

    PCHIP slopes, or the right-hand secant slopes for linear interpolation (unused).
    """
    if method == "linear" or len(x) < 3:
        s = np.diff(y, axis=0) / np.diff(x).reshape((-1,) + (1,) * (y.ndim - 1))
        return np.concatenate([s, s[-1:]], axis=0)
    from scipy.interpolate import PchipInterpolator

    return np.asarray(PchipInterpolator(x, y, axis=0).derivative()(x), dtype=float)


def _hermite(t: Any, h: float, y0: Any, y1: Any, d0: Any, d1: Any) -> Any:
    """Cubic Hermite value at t ∈ [0, 1] of an interval of length h."""
    t2, t3 = t * t, t * t * t
    return (
        (2 * t3 - 3 * t2 + 1) * y0
        + (t3 - 2 * t2 + t) * h * d0
        + (3 * t2 - 2 * t3) * y1
        + (t3 - t2) * h * d1
    )


def _hermite_dt(t: Any, h: float, y0: Any, y1: Any, d0: Any, d1: Any) -> Any:
    """d/dx of the cubic Hermite of an interval of length h at t ∈ [0, 1]."""
    t2 = t * t
    return (
        (6 * t2 - 6 * t) * y0
        + (3 * t2 - 4 * t + 1) * h * d0
        + (6 * t - 6 * t2) * y1
        + (3 * t2 - 2 * t) * h * d1
    ) / h


def _interpolate(
    x: np.ndarray, y: np.ndarray, d: np.ndarray, method: str, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(value, derivative) at the points ``v`` (1D) of the interpolant through (x, y).

    Node slopes d (pchip); y may have trailing columns (n, m) -> (len(v), m).  Constant
    beyond the ends (derivative 0).
    """
    n = len(x)
    v = np.asarray(v, dtype=float)
    shape = (len(v), *y.shape[1:])
    if n == 1:
        return np.broadcast_to(y[0], shape).copy(), np.zeros(shape)
    vc = np.clip(v, x[0], x[-1])
    i = np.clip(np.searchsorted(x, vc, side="right") - 1, 0, n - 2)
    h = (x[i + 1] - x[i]).reshape((-1,) + (1,) * (y.ndim - 1))
    t = ((vc - x[i]).reshape(h.shape)) / h
    y0, y1 = y[i], y[i + 1]
    if method == "linear":
        val = y0 + t * (y1 - y0)
        der = (y1 - y0) / h
    else:
        d0, d1 = d[i], d[i + 1]
        val = _hermite(t, 1.0, y0, y1, d0 * h, d1 * h)
        der = _hermite_dt(t, 1.0, y0, y1, d0 * h, d1 * h) / h
    outside = ((v < x[0]) | (v > x[-1])).reshape((-1,) + (1,) * (y.ndim - 1))
    return val, np.where(outside, 0.0, der)


@dataclass(frozen=True)
class _Curve:
    """h(T) through points (T_i, h_i): NumPy and UFL, constant beyond the ends."""

    T: tuple[float, ...]
    h: tuple[float, ...]
    method: str
    slopes: tuple[float, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        d = _slopes(np.array(self.T), np.array(self.h), self.method)
        object.__setattr__(self, "slopes", tuple(float(s) for s in d))

    def numpy(self, T: Any) -> tuple[np.ndarray, np.ndarray]:
        """(h, dh/dT) at NumPy temperatures (any shape)."""
        t = np.asarray(T, dtype=float)
        val, der = _interpolate(
            np.array(self.T), np.array(self.h), np.array(self.slopes), self.method, t.ravel()
        )
        return val.reshape(t.shape), der.reshape(t.shape)

    def _piece(self, i: int, T: Any) -> Any:
        x, y, d = self.T, self.h, self.slopes
        n = len(x)
        if i < 0:
            return y[0] + 0 * T
        if i >= n - 1:
            return y[-1] + 0 * T
        h = x[i + 1] - x[i]
        t = (T - x[i]) / h
        if self.method == "linear":
            return y[i] + (y[i + 1] - y[i]) * t
        return _hermite(t, h, y[i], y[i + 1], d[i], d[i + 1])

    def ufl(self, T: Any) -> Any:
        """h(T) as a UFL expression: a balanced tree of ``conditional``."""
        import ufl

        x = self.T

        def tree(lo: int, hi: int) -> Any:  # pieces lo..hi (-1 below, n-1 above)
            if lo == hi:
                return self._piece(lo, T)
            mid = (lo + hi + 1) // 2
            return ufl.conditional(ufl.lt(T, x[mid]), tree(lo, mid - 1), tree(mid, hi))

        return tree(-1, len(x) - 1)


# --------------------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------------------
def _axis(values: Any, what: str, unit: str, owner: str, lower: str) -> tuple[float, ...]:
    """A strictly increasing, finite axis (``lower``: ">= 0" or "> 0")."""
    arr = check_array(values, what, unit, owner, lower)
    if arr.ndim != 1:
        raise InputError(f"{owner}: {what} ({unit}) must be a sequence of numbers, got {values!r}")
    out = tuple(arr.tolist())
    if any(b <= a for a, b in itertools.pairwise(out)):
        raise InputError(f"{owner}: {what} must increase strictly ({unit}), got {list(out)}")
    return out


def _values(h: Any, n: int, nT: int | None, owner: str) -> np.ndarray:
    """The h array (n,) or (n, nT), checked finite and >= 0 W/(m^2 K)."""
    arr = check_array(h, "h", "W/(m^2 K)", owner, ">= 0")
    want = (n,) if nT is None else (n, nT)
    if arr.shape != want:
        rows = (
            f"{n} values"
            if nT is None
            else f"{n} rows (one per point) of {nT} values (one per temperature)"
        )
        raise InputError(f"{owner}: h must hold {rows}, got an array of shape {arr.shape}")
    return arr


@dataclass(frozen=True)
class ConductanceTable:
    """Conductance (W/(m² K)) against contact pressure (Pa) or gap clearance (m).

    Optionally also against temperature (K) (see the module docstring).
    """

    variable: str
    points: Sequence[float]
    h: Any
    temperature: Sequence[float] | None = None
    interpolation: str = "linear"
    log_variable: bool = False
    name: str = ""
    source: str = ""
    _h: np.ndarray = field(default=None, init=False, repr=False, compare=False)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        owner = f"conductance table {self.name!r}" if self.name else "conductance table"
        check_choice(self.variable, "variable", tuple(VARIABLES), owner)
        check_choice(self.interpolation, "interpolation", tuple(INTERPOLATIONS), owner)
        unit = VARIABLES[self.variable]
        pts = _axis(self.points, f"{self.variable} points", unit, owner, ">= 0")
        T = None
        if self.temperature is not None:
            T = _axis(self.temperature, "temperature", "K", owner, "> 0")
        h = _values(self.h, len(pts), None if T is None else len(T), owner)
        if self.log_variable and (pts[0] <= 0 or np.any(h <= 0)):
            raise InputError(
                f"{owner}: log_variable needs {self.variable} points > 0 {unit} and h > 0 W/(m^2 K)"
            )
        object.__setattr__(self, "points", pts)
        object.__setattr__(self, "temperature", T)
        object.__setattr__(
            self, "h", tuple(map(tuple, h.tolist())) if T is not None else tuple(h.tolist())
        )
        object.__setattr__(self, "_h", h if T is not None else h[:, None])

    @property
    def unit(self) -> str:
        """Unit of the variable ("Pa" or "m")."""
        return VARIABLES[self.variable]

    @property
    def temperature_dependent(self) -> bool:
        """True if the table has a temperature axis with more than one point."""
        return self.temperature is not None and len(self.temperature) > 1

    def _along_variable(self, value: float) -> tuple[np.ndarray, np.ndarray]:
        """(h, dh/d value) at every tabulated temperature (arrays of nT, or of 1)."""
        x = np.array(self.points)
        y = self._h
        if self.log_variable:
            lx, ly = np.log(x), np.log(y)
            if value <= 0:
                return y[0].copy(), np.zeros(y.shape[1])
            d = _slopes(lx, ly, self.interpolation) if len(x) > 1 else np.zeros_like(ly)
            val, der = _interpolate(lx, ly, d, self.interpolation, np.array([math.log(value)]))
            h = np.exp(val[0])
            return h, h * der[0] / value
        d = _slopes(x, y, self.interpolation) if len(x) > 1 else np.zeros_like(y)
        val, der = _interpolate(x, y, d, self.interpolation, np.array([float(value)]))
        return val[0], der[0]

    def curve(self, value: float) -> tuple[_Curve | None, float]:
        """The table at the variable's ``value``.

        Returns:
            (h(T) curve, None without a temperature axis; the constant h without one, else
            the value at the first temperature).
        """
        h, _ = self._along_variable(value)
        if not self.temperature_dependent:
            return None, float(h[0])
        assert self.temperature is not None
        return _Curve(
            tuple(self.temperature), tuple(float(v) for v in h), self.interpolation
        ), float(h[0])

    def __call__(self, value: Any, T: Any = None) -> Any:
        """The conductance (W/(m² K)) at the variable's ``value`` (Pa or m) and ``T`` (K).

        ``T`` is needed with a temperature axis; NumPy, broadcast.
        """
        return self._evaluate(value, T, None)

    def derivative(self, value: Any, T: Any = None, wrt: str = "variable") -> Any:
        """∂h/∂(variable) (W/(m² K) per Pa or per m) or ∂h/∂T (W/(m² K²)) at (value, T).

        ``wrt="temperature"`` for ∂h/∂T; NumPy, broadcast (one-sided, from above, at the
        points of linear interpolation; 0 beyond the ends).
        """
        if wrt not in ("variable", "temperature"):
            raise InputError(f"derivative: wrt must be 'variable' or 'temperature', got {wrt!r}")
        return self._evaluate(value, T, wrt)

    def _evaluate(self, value: Any, T: Any, wrt: str | None) -> Any:
        if self.temperature_dependent and T is None:
            raise InputError(f"conductance table {self.name!r}: give the temperature T (K)")
        v = np.asarray(value, dtype=float)
        t = np.asarray(293.15 if T is None else T, dtype=float)
        v, t = np.broadcast_arrays(v, t)
        out = np.empty(v.shape)
        for val in np.unique(v):
            sel = v == val
            h, dh = self._along_variable(float(val))
            if not self.temperature_dependent:
                out[sel] = dh[0] if wrt == "variable" else (0.0 if wrt else h[0])
                continue
            assert self.temperature is not None
            Tn = np.array(self.temperature)
            if wrt == "variable":  # d/dvalue commutes with the (linear-in-data) T pass
                if self.interpolation == "linear":
                    out[sel] = _interpolate(Tn, dh, np.zeros_like(dh), "linear", t[sel])[0]
                else:
                    out[sel] = _fd_variable(self, float(val), t[sel])
                continue
            c = _Curve(tuple(Tn), tuple(h), self.interpolation)
            hv, hd = c.numpy(t[sel])
            out[sel] = hd if wrt == "temperature" else hv
        return float(out) if out.ndim == 0 else out


def _fd_variable(table: ConductanceTable, value: float, T: np.ndarray) -> np.ndarray:
    """∂h/∂(variable) of a pchip table: a central difference (relative step 1e-6).

    The pchip slopes of the T pass depend nonlinearly on the data.
    """
    step = 1e-6 * max(abs(value), 1e-12)
    lo = max(value - step, 0.0)
    hi = value + step
    return (table(hi, T) - table(lo, T)) / (hi - lo)


# --------------------------------------------------------------------------------------
# the law
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TabulatedConductance:
    """Interface law: a :class:`ConductanceTable` read at an operating point.

    The operating pressure (Pa) or gap (m) ``value``, and the interface mean temperature
    (T⁺ + T⁻)/2 (K).
    """

    case: ClassVar[LawDeclaration] = LawDeclaration(
        "tabulated",
        (
            LawParameter("table", "htable", True, doc="below"),
            LawParameter(
                "pressure", "nonneg", unit="Pa", doc="operating, of a table against pressure"
            ),
            LawParameter("gap", "nonneg", unit="m", doc="operating, of a table against gap"),
            LawParameter("interpolation", "str", choices=("linear", "pchip")),
            LawParameter("log_variable", "bool", doc="interpolate log h against log P"),
        ),
        "h tabulated against contact pressure or gap, optionally temperature, read at the "
        "operating pressure or gap (Abaqus gap conductance tables)",
    )

    @classmethod
    def from_case(
        cls,
        table: dict[str, Any],
        pressure: float | None = None,
        gap: float | None = None,
        interpolation: str = "linear",
        log_variable: bool = False,
    ) -> TabulatedConductance:
        """The law of a case file's table, read at the operating ``pressure`` (Pa) or ``gap`` (m).

        ``table``: {variable, points, temperature, h} in SI (read by the case reader); the
        operating value must be the table's variable.
        """
        var = table["variable"]
        given = {"pressure": pressure, "gap": gap}
        other = "gap" if var == "pressure" else "pressure"
        if given[other] is not None:
            raise InputError(
                f"the table is against {var}: give {var} = (the operating {var}), not {other}"
            )
        operating = given[var]
        if operating is None:
            unit = "Pa" if var == "pressure" else "m"
            raise InputError(
                f"give {var} = the operating {var} ({unit}) at which the table is read"
            )
        t = ConductanceTable(
            var, table["points"], table["h"], table["temperature"], interpolation, log_variable
        )
        return cls(t, operating)

    table: ConductanceTable
    value: float
    _curve: Any = field(default=None, init=False, repr=False, compare=False)
    _h0: float = field(default=0.0, init=False, repr=False, compare=False)

    supports_ufl: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not isinstance(self.table, ConductanceTable):
            raise InputError(
                f"TabulatedConductance: table must be a ConductanceTable, got {self.table!r}"
            )
        t = self.table
        what = f"tabulated conductance: {t.variable} ({t.unit})"
        v = check_nonnegative(self.value, t.variable, t.unit, "tabulated conductance")
        object.__setattr__(self, "value", v)
        if len(t.points) > 1 and not t.points[0] <= v <= t.points[-1]:
            warnings.warn(
                f"{what} = {v:g} lies outside the table's points {t.points[0]:g}..{t.points[-1]:g}: "
                "the end values are held",
                UserWarning,
                stacklevel=3,
            )
        curve, h0 = t.curve(v)
        object.__setattr__(self, "_curve", curve)
        object.__setattr__(self, "_h0", h0)

    @property
    def temperature_dependent(self) -> bool:
        """True if the table has a temperature axis (h depends on T: Newton)."""
        return self._curve is not None

    @property
    def kind(self) -> str:
        """Kind "temperature" with a temperature axis (Newton), else "constant" (:attr:`h`)."""
        return "temperature" if self._curve is not None else "constant"

    @property
    def temperature_range(self) -> tuple[float, float] | None:
        """The table's temperature axis (K), or None without one.

        The solvers warn when the interface mean temperature leaves it (the end values are
        held there).
        """
        T = self.table.temperature
        return (T[0], T[-1]) if self.temperature_dependent and T else None

    @property
    def h(self) -> float:
        """The conductance (W/(m² K)) of a table without a temperature axis.

        With one: the value at its first temperature.
        """
        return self._h0

    def conductance(self, T_plus: Any = None, T_minus: Any = None) -> Any:
        """The conductance (W/(m² K)) at the mean temperature (T⁺ + T⁻)/2 (K): NumPy or UFL."""
        if self._curve is None:
            return constant_like(self._h0, T_plus, T_minus)
        if is_numeric(T_plus) and is_numeric(T_minus):
            h, _ = self._curve.numpy(0.5 * (np.asarray(T_plus, float) + np.asarray(T_minus, float)))
            return float(h) if np.ndim(h) == 0 else h
        return self._curve.ufl(0.5 * (T_plus + T_minus))

    def dh_dT(self, T_plus: Any, T_minus: Any) -> Any:
        """dh/dT_mean (W/(m² K²)) at NumPy temperatures; ∂h/∂T⁺ = ∂h/∂T⁻ = dh/dT_mean / 2."""
        if self._curve is None:
            return constant_like(0.0, T_plus, T_minus)
        _, d = self._curve.numpy(0.5 * (np.asarray(T_plus, float) + np.asarray(T_minus, float)))
        return float(d) if np.ndim(d) == 0 else d


def gap_conductance_map(
    table: ConductanceTable, gap: Callable[[np.ndarray], Any], T: float | None = None
) -> FacetConductance:
    """A gap that varies over the interface: h per facet from the table.

    The table is read at the gap g(x) (m) of each facet's midpoint ``x`` (shape (3, n), m).
    """
    if not isinstance(table, ConductanceTable) or table.variable != "gap":
        raise InputError("gap_conductance_map needs a ConductanceTable with variable='gap'")
    if table.temperature_dependent and T is None:
        raise InputError("gap_conductance_map: the table depends on T; give T (K)")

    def h(x: np.ndarray) -> np.ndarray:
        g = np.asarray(gap(x), dtype=float)
        if np.any(~np.isfinite(g) | (g < 0)):
            raise InputError("gap_conductance_map: the gap g(x) must be finite and >= 0 m")
        return np.asarray(table(g, T), dtype=float)

    return FacetConductance(h)
