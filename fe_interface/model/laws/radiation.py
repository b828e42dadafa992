"""Radiative exchange across a thin gap between two grey, diffuse, parallel surfaces.

Formula: net exchange between two large parallel grey diffuse planes (two-surface enclosure,
view factor 1; e.g. Incropera & DeWitt, *Fundamentals of Heat and Mass Transfer*, ch. 13),
written as a radiation heat-transfer coefficient (ibid., ch. 1)::

    q   = sigma_SB (T1^4 - T2^4) / (1/eps1 + 1/eps2 - 1)            [W/m^2]
    h_r = q / (T1 - T2)
        = sigma_SB (T1^2 + T2^2)(T1 + T2) / (1/eps1 + 1/eps2 - 1)   [W/(m^2 K)]

``sigma_SB = 5.670374419e-8 W/(m^2 K^4)``.  For ``T1 -> T2 = T`` this tends to
``4 sigma_SB eps_eff T^3`` with ``eps_eff = 1/(1/eps1 + 1/eps2 - 1)``.

Validity: gap width small compared with the lateral extent (view factor 1), gap width
large compared with the dominant thermal wavelength (no near-field enhancement, i.e. gaps
of more than a few micrometres at room temperature), non-participating gap medium.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .common import STEFAN_BOLTZMANN, check_unit_interval


@dataclass(frozen=True)
class GapRadiation:
    """Grey parallel-plate gap radiation conductance (see module docstring).

    Parameters
    ----------
    emissivity_plus, emissivity_minus:
        Total hemispherical emissivities of the two faces, each in (0, 1] (dimensionless).

    ``conductance`` uses only ``+ - * / **`` and therefore accepts UFL expressions.
    """

    emissivity_plus: float
    emissivity_minus: float

    temperature_dependent: ClassVar[bool] = True
    supports_ufl: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "emissivity_plus", check_unit_interval("emissivity_plus", self.emissivity_plus)
        )
        object.__setattr__(
            self,
            "emissivity_minus",
            check_unit_interval("emissivity_minus", self.emissivity_minus),
        )

    @property
    def effective_emissivity(self) -> float:
        """``eps_eff = 1/(1/eps1 + 1/eps2 - 1)`` (dimensionless)."""
        return 1.0 / (1.0 / self.emissivity_plus + 1.0 / self.emissivity_minus - 1.0)

    def conductance(self, T_plus: Any, T_minus: Any) -> Any:
        """``h_r = sigma_SB eps_eff (T+^2 + T-^2)(T+ + T-)`` in W/(m^2 K); T in K."""
        return (
            STEFAN_BOLTZMANN
            * self.effective_emissivity
            * (T_plus**2 + T_minus**2)
            * (T_plus + T_minus)
        )
