"""A user function as an interface law.

The constant laws are :class:`~fe_interface.model.interfaces.Conductance` (h in W/(m² K))
and :class:`~fe_interface.model.interfaces.Resistance` (R in m² K/W), re-exported by
this package; the interface heat flux is ``q = h (T_plus - T_minus)`` in W/m².
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fe_interface.errors import InputError


@dataclass(frozen=True)
class UserConductance:
    """Wrap a user function ``func(T_plus, T_minus) -> h`` [W/(m² K)], T in K.

    Attributes:
        func: callable returning the conductance.  It receives whatever the caller passes
            (floats, NumPy arrays, or UFL expressions when the solver assembles a
            Jacobian), so write it with ``+ - * / **`` (or ``ufl`` functions) if it must
            be UFL-compatible, and set ``supports_ufl`` accordingly.
        temperature_dependent: whether ``h`` depends on the temperatures (default True).
        supports_ufl: whether ``func`` accepts UFL expressions (default True).
    """

    func: Callable[[Any, Any], Any]
    temperature_dependent: bool = True
    supports_ufl: bool = True

    def __post_init__(self) -> None:
        if not callable(self.func):
            raise InputError(f"func must be callable h(T_plus, T_minus), got {self.func!r}")

    @property
    def kind(self) -> str:
        """Kind "temperature" (Newton) or, with ``temperature_dependent=False``, "constant"."""
        return "temperature" if self.temperature_dependent else "constant"

    def conductance(self, T_plus: Any, T_minus: Any) -> Any:
        """Return ``func(T_plus, T_minus)`` in W/(m² K)."""
        return self.func(T_plus, T_minus)
