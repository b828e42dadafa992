"""Elementary interface laws: constant conductance, constant resistance, user function.

Units: conductance ``h`` in W/(m^2 K), resistance ``R`` in m^2 K/W, temperatures in K.
The interface heat flux is ``q = h (T_plus - T_minus)`` in W/m^2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ._common import check_nonnegative, check_positive, constant_like


@dataclass(frozen=True)
class ConstantConductance:
    """Temperature-independent interface conductance ``h`` [W/(m^2 K)].

    ``h = 0`` (adiabatic interface) is allowed; ``h`` must be finite and >= 0.
    """

    h: float

    temperature_dependent: ClassVar[bool] = False
    supports_ufl: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "h", check_nonnegative("h", self.h, "W/(m^2 K)"))

    def conductance(self, T_plus: Any = None, T_minus: Any = None) -> Any:
        """Return ``h`` in W/(m^2 K) (broadcast to the shape of array temperatures)."""
        return constant_like(self.h, T_plus, T_minus)

    @property
    def resistance(self) -> float:
        """Specific resistance ``1/h`` in m^2 K/W (``inf`` for ``h = 0``)."""
        return float("inf") if self.h == 0.0 else 1.0 / self.h


@dataclass(frozen=True)
class ConstantResistance:
    """Temperature-independent specific interface resistance ``R`` [m^2 K/W].

    ``h = 1/R``; ``R`` must be > 0 (a perfect contact, ``R = 0``, is not an interface law).
    """

    R: float

    temperature_dependent: ClassVar[bool] = False
    supports_ufl: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "R", check_positive("R", self.R, "m^2 K/W"))

    @property
    def h(self) -> float:
        """Conductance ``1/R`` in W/(m^2 K)."""
        return 1.0 / self.R

    def conductance(self, T_plus: Any = None, T_minus: Any = None) -> Any:
        """Return ``1/R`` in W/(m^2 K)."""
        return constant_like(self.h, T_plus, T_minus)


@dataclass(frozen=True)
class UserConductance:
    """Wrap a user function ``func(T_plus, T_minus) -> h`` [W/(m^2 K)], T in K.

    Parameters
    ----------
    func:
        Callable returning the conductance.  It receives whatever the caller passes
        (floats, numpy arrays, or UFL expressions when the solver assembles a Jacobian), so
        write it with ``+ - * / **`` (or ``ufl`` functions) if it must be UFL-compatible,
        and set ``supports_ufl`` accordingly.
    temperature_dependent:
        Whether ``h`` depends on the temperatures (default ``True``).
    supports_ufl:
        Whether ``func`` accepts UFL expressions (default ``True``).
    """

    func: Callable[[Any, Any], Any]
    temperature_dependent: bool = True
    supports_ufl: bool = True

    def __post_init__(self) -> None:
        if not callable(self.func):
            raise ValueError(f"func must be callable h(T_plus, T_minus), got {self.func!r}")

    def conductance(self, T_plus: Any, T_minus: Any) -> Any:
        """Return ``func(T_plus, T_minus)`` in W/(m^2 K)."""
        return self.func(T_plus, T_minus)
