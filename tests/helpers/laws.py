"""Interface laws written independently of :mod:`fe_interface.model.laws` (references)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SIGMA = 5.670374419e-8  # Stefan–Boltzmann constant, W/(m² K⁴)


@dataclass(frozen=True)
class GapRadiation:
    """h = σ ε (T⁺² + T⁻²)(T⁺ + T⁻), W/(m² K): radiation across a vacuum gap.

    Attributes:
        emissivity: effective emissivity ε of the gap (dimensionless).
    """

    emissivity: float
    temperature_dependent = True

    def conductance(self, Tp: Any, Tm: Any) -> Any:
        """h at the temperatures T⁺, T⁻ (K): numbers, arrays or UFL."""
        return SIGMA * self.emissivity * (Tp**2 + Tm**2) * (Tp + Tm)
