"""Values that change in time: ``TimeFunction(f, value)`` = f(t) · value.

A :class:`TimeFunction` can stand wherever a boundary condition or a source takes a
value.  In the weak form it is a ``fem.Constant`` holding f(t) times ``value`` (a number
or ``x -> UFL``); a transient problem sets the time every step, so nothing is
recompiled.  For a fixed temperature it is evaluated at the dof coordinates (``value``
a number or ``x -> NumPy``).  Outside a transient run it is evaluated at t = 0 (or at the
last :meth:`TimeFunction.set_time`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.validation import is_real

__all__ = ["TimeFunction", "is_time_dependent"]


class TimeFunction:
    """A value multiplied by a scalar function of time: ``f(t) * value``.

    Examples:
        ``TimeFunction(lambda t: 1.0 if t > 1e-3 else 0.0, 2e9)`` — 2×10⁹ W/m³ from 1 ms;
        ``TimeFunction.step(1e-3, 2e9)`` is the same; a ramp of 10 K/s from 300 K:
        ``TimeFunction(lambda t: 300.0 + 10.0 * t)``.

    Args:
        f: function of the time t (s), dimensionless factor.
        value: the value multiplied by f(t), in the unit of the quantity it stands for.
    """

    def __init__(self, f: Callable[[float], float], value: float | Callable = 1.0) -> None:
        if not callable(f):
            raise InputError(f"TimeFunction: f must be a function of t, got {f!r}")
        if not callable(value) and not (is_real(value) and math.isfinite(float(value))):
            raise InputError(f"TimeFunction: value must be finite or callable, got {value!r}")
        self.f = f
        self.value = value if callable(value) else float(value)
        self._t = 0.0
        self._constants: dict[Any, Any] = {}
        self.at(0.0)

    @classmethod
    def step(cls, t0: float, value: float | Callable = 1.0) -> TimeFunction:
        """``value`` for t > t0 (s), 0 before (a switch closed at t0)."""
        return cls(lambda t: 1.0 if t > t0 else 0.0, value)

    def at(self, t: float) -> float:
        """f(t), checked to be finite."""
        try:
            s = float(self.f(t))
        except Exception as e:  # a user function that fails: name it
            raise InputError(f"TimeFunction: f({t!r}) failed: {e}") from None
        if not math.isfinite(s):
            raise InputError(f"TimeFunction: f({t!r}) = {s!r} is not finite")
        return s

    @property
    def time(self) -> float:
        """The time (s) the UFL constants currently hold."""
        return self._t

    def set_time(self, t: float) -> None:
        """Set t (s): every UFL constant made by this object then holds f(t)."""
        self._t = float(t)
        s = self.at(t)
        for c in self._constants.values():
            c.value = s

    def constant(self, domain: Any) -> Any:
        """The ``fem.Constant`` holding f(t) on ``domain`` (a UFL or DOLFINx mesh)."""
        from petsc4py import PETSc

        from dolfinx import fem

        d = domain.ufl_domain() if hasattr(domain, "ufl_domain") else domain
        c = self._constants.get(d)
        if c is None:
            scalar: Any = PETSc.ScalarType  # a NumPy scalar type (petsc4py's stubs say dtype)
            c = fem.Constant(d, scalar(self.at(self._t)))
            c._fe_time_function = self  # found again in compiled forms
            self._constants[d] = c
        return c

    def __call__(self, x: Any) -> Any:
        """f(t)·value at x: NumPy points (3, n) -> array, UFL coordinate -> UFL."""
        v = self.value
        if isinstance(x, np.ndarray):  # interpolation (fixed temperatures)
            vals = v(x) if callable(v) else v
            return self.at(self._t) * np.broadcast_to(np.asarray(vals, float), (x.shape[1],))
        import ufl

        c = self.constant(ufl.domain.extract_unique_domain(x))
        return c * (v(x) if callable(v) else v)

    def __mul__(self, other: float) -> TimeFunction:
        """The same f(t) times ``other`` · value."""
        if not is_real(other):
            return NotImplemented
        v = self.value
        return TimeFunction(self.f, (lambda x: other * v(x)) if callable(v) else other * v)

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"TimeFunction({self.f!r}, {self.value!r})"


def is_time_dependent(value: Any) -> bool:
    """True for a :class:`TimeFunction`."""
    return isinstance(value, TimeFunction)
