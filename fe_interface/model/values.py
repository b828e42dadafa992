"""Values given as expressions of t, x, y, z, T and named fields.

:class:`ExpressionValue` stands wherever a boundary condition or a source takes a value
(a fixed temperature, a heat flux, h and T∞ of a convection, T_amb, a power density or a
total power): ``scale · e(t, x, y, z, T, fields) + offset`` with ``e`` an
:class:`~fe_interface.model.expressions.Expression`.  It is a
:class:`~fe_interface.model.time.TimeFunction` whose function of time is t itself, so a
transient problem updates the time of every such value each step (a ``fem.Constant``:
nothing is recompiled) and the old-time residual of Crank–Nicolson sees t_n.  With NumPy
points (fixed temperatures are interpolated) it is evaluated at the current time; in UFL
it is the expression itself, with T the unknown temperature where it uses T (the
solve is then a Newton iteration with the exact derivative) and each field interpolated
into a P1 function of the mesh.

``offset`` carries a unit conversion (°C → K: 273.15), ``scale`` a factor (a total power
spread over a volume).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.expressions import Expression
from fe_interface.model.time import TimeFunction
from fe_interface.model.validation import is_real

__all__ = ["ExpressionValue", "uses_temperature"]


class ExpressionValue(TimeFunction):
    """``scale · expression(t, x, y, z, T, fields) + offset`` (see the module docstring).

    Args:
        expression: an :class:`Expression` or its text (variables t, x, y, z, T and the
            names of ``fields``).
        fields: field name -> :class:`~fe_interface.model.fields.PointField`.
        scale, offset: the value is ``scale · e + offset``.
        what: the item in messages (e.g. ``heat flux on 'top'``).
        unit: the unit of the value, for messages.
    """

    def __init__(
        self,
        expression: Expression | str,
        fields: Mapping[str, Any] | None = None,
        scale: float = 1.0,
        offset: float = 0.0,
        what: str = "value",
        unit: str = "",
    ) -> None:
        fields = dict(fields or {})
        if isinstance(expression, str):
            expression = Expression(expression, ("t", "x", "y", "z", "T", *fields), what=what)
        if not isinstance(expression, Expression):
            raise InputError(f"{what}: expected an expression, got {expression!r}")
        unknown = sorted(expression.names - {"t", "x", "y", "z", "T"} - set(fields))
        if unknown:
            raise InputError(f"{what}: no field named {', '.join(map(repr, unknown))}")
        for k, v in (("scale", scale), ("offset", offset)):
            if not math.isfinite(float(v)):
                raise InputError(f"{what}: {k} must be finite, got {v!r}")
        super().__init__(lambda t: t, 1.0)
        self.expression = expression
        self.fields = {n: f for n, f in fields.items() if n in expression.names}
        self.scale = float(scale)
        self.offset = float(offset)
        self.what = what
        self.unit = unit
        self._field_functions: dict[int, dict[str, Any]] = {}

    # ---------------------------------------------------------------- properties
    @property
    def time_dependent(self) -> bool:
        """True if the value uses t."""
        return self.expression.uses("t")

    @property
    def temperature_dependent(self) -> bool:
        """True if the value uses T (the solve is then nonlinear)."""
        return self.expression.uses("T")

    @property
    def position_dependent(self) -> bool:
        """True if the value uses x, y, z or a field."""
        return self.expression.uses("x", "y", "z") or bool(self.fields)

    # ---------------------------------------------------------------- NumPy
    def evaluate(self, x: Any = None, t: float | None = None, T: Any = None) -> Any:
        """The value with NumPy at points ``x`` ((3, n), m), time ``t`` (s), ``T`` (K).

        Defaults: the current time; x and T only where the expression uses them.
        """
        env: dict[str, Any] = {"t": self.time if t is None else float(t)}
        if x is not None:
            X = np.asarray(x, dtype=float)
            env.update(x=X[0], y=X[1], z=X[2] if X.shape[0] > 2 else 0.0 * X[0])
            for n, fld in self.fields.items():
                env[n] = fld(X)
        elif self.position_dependent:
            raise InputError(f"{self.what}: {self.expression.text!r} depends on position")
        if T is not None:
            env["T"] = T
        elif self.temperature_dependent:
            raise InputError(
                f"{self.what}: {self.expression.text!r} depends on the temperature T, "
                "which is not known here (a fixed temperature cannot depend on T)"
            )
        v = self.scale * np.asarray(self.expression.numpy(**env), dtype=float) + self.offset
        if x is not None:
            v = np.broadcast_to(v, (np.asarray(x).shape[1],)).copy()
        bad = ~np.isfinite(v)
        if np.any(bad):
            raise InputError(
                f"{self.what}: {self.expression.text!r} is not finite (at t = {env['t']:g} s)"
            )
        return float(v) if np.ndim(v) == 0 else v

    # ---------------------------------------------------------------- UFL
    def ufl_value(self, x: Any, T: Any = None, mesh: Any = None) -> Any:
        """The value in UFL: ``x`` the spatial coordinate, ``T`` the temperature.

        ``mesh`` (a DOLFINx mesh) is needed for fields (interpolated into P1).
        """
        import ufl

        domain = ufl.domain.extract_unique_domain(x)
        env: dict[str, Any] = {"t": self.constant(domain)}
        gdim = ufl.shape(x)[0]
        env.update(x=x[0], y=x[1], z=x[2] if gdim > 2 else 0.0 * x[0])
        if self.temperature_dependent:
            if T is None:
                raise InputError(
                    f"{self.what}: {self.expression.text!r} depends on the temperature T, "
                    "which cannot be used here"
                )
            env["T"] = T
        if self.fields:
            if mesh is None:
                raise InputError(f"{self.what}: fields need the mesh here")
            env.update(self._field_functions_on(mesh))
        value = self.expression.ufl(**env)
        return self.scale * value + self.offset

    def _field_functions_on(self, mesh: Any) -> dict[str, Any]:
        """Each field interpolated into P1 on ``mesh`` (cached per mesh; collective)."""
        from dolfinx import fem

        from fe_interface.errors import collective

        key = id(mesh)
        if key not in self._field_functions:
            V = fem.functionspace(mesh, ("Lagrange", 1))
            out = {}
            for n, fld in self.fields.items():
                g = fem.Function(V, name=n)
                with collective(mesh.comm):
                    g.interpolate(lambda X, f=fld: f(X))
                out[n] = g
            self._field_functions[key] = out
        return self._field_functions[key]

    # ---------------------------------------------------------------- TimeFunction API
    def __call__(self, x: Any) -> Any:
        """At NumPy points (3, n) -> array (current time); UFL coordinate -> UFL."""
        if isinstance(x, np.ndarray):
            return self.evaluate(x)
        return self.ufl_value(x)

    def __mul__(self, other: float) -> ExpressionValue:
        """The same expression times ``other``."""
        if not is_real(other):
            return NotImplemented
        out = ExpressionValue(
            self.expression, self.fields, self.scale * float(other),
            self.offset * float(other), self.what, self.unit,
        )  # fmt: skip
        out.set_time(self.time)
        return out

    __rmul__ = __mul__

    def __repr__(self) -> str:
        extra = "" if (self.scale, self.offset) == (1.0, 0.0) else f", {self.scale}, {self.offset}"
        return f"ExpressionValue({self.expression.text!r}{extra})"


def uses_temperature(value: Any) -> bool:
    """True for a value that depends on the temperature T (an :class:`ExpressionValue`)."""
    return bool(getattr(value, "temperature_dependent", False)) and hasattr(value, "ufl_value")
