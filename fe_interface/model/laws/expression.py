"""Interface conductance given as an expression (case files: ``h = "..."``).

:func:`conductance_law` turns an :class:`~fe_interface.model.values.ExpressionValue`
h (W/(m² K)) into the law the solver treats best:

* no variable: a constant :class:`~fe_interface.model.interfaces.Conductance`;
* x, y, z and fields only: a position-dependent ``Conductance`` (evaluated once at the
  facet quadrature points with NumPy, the fast facet-wise path; a field must cover
  every point);
* T (the interface mean temperature (T⁺ + T⁻)/2, K) and/or t (s):
  :class:`ExpressionConductance`, a UFL term re-evaluated in every solve (Newton, with
  the exact derivative in T).  Such an h may not depend on position as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.interfaces import Conductance
from fe_interface.model.validation import LawDeclaration, LawParameter

from .common import is_numeric

__all__ = ["CONDUCTANCE_LAW", "ExpressionConductance", "conductance_law"]

#: the ``conductance`` law of case files (built by :func:`conductance_law`)
CONDUCTANCE_LAW = LawDeclaration(
    "conductance",
    (
        LawParameter(
            "h", "value", True, "W/(m^2 K)",
            "a number, an expression of x, y, z, fields (a map, evaluated once), or of T (the "
            "interface mean temperature (T⁺ + T⁻)/2, K) and t (re-evaluated every solve), or "
            "a table of one of them (see [Values](#values-expressions-tables-of-a-variable-units-fields))",
        ),
    ),
    "a conductance h",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class ExpressionConductance:
    """h(T, t) W/(m² K) from an expression of the mean temperature T = (T⁺ + T⁻)/2 and t.

    Attributes:
        h: an :class:`~fe_interface.model.values.ExpressionValue` of T (K) and t (s).
    """

    h: Any

    temperature_dependent: ClassVar[bool] = True  # re-evaluated in every solve
    kind: ClassVar[str] = "temperature"
    supports_ufl: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not hasattr(self.h, "ufl_value"):
            raise InputError(f"ExpressionConductance: h must be an ExpressionValue, got {self.h!r}")
        if self.h.position_dependent:
            raise InputError(
                f"{self.h.what}: h may depend on position (x, y, z, fields) or on T and t, "
                "not on both"
            )

    def conductance(self, T_plus: Any, T_minus: Any) -> Any:
        """The conductance h (W/(m² K)) at the mean temperature of T⁺, T⁻ (K): NumPy or UFL."""
        T = 0.5 * (T_plus + T_minus)
        if is_numeric(T_plus) and is_numeric(T_minus):
            v = self.h.evaluate(None, None, np.asarray(T, dtype=float))
            return np.broadcast_to(v, np.shape(T)).copy() if np.ndim(T) else float(v)
        import ufl

        domain = ufl.domain.extract_unique_domain(T_plus)
        return self.h.ufl_value(ufl.SpatialCoordinate(domain), T)

    def __repr__(self) -> str:
        return f"ExpressionConductance({self.h.expression.text!r})"


def conductance_law(h: Any) -> Any:
    """The law of a conductance h (W/(m² K)): a number or an ExpressionValue (module docstring)."""
    if not hasattr(h, "ufl_value"):
        return Conductance(h)
    if h.temperature_dependent or h.time_dependent:
        return ExpressionConductance(h)
    if h.position_dependent:
        return Conductance(h)
    return Conductance(float(h.evaluate()))
