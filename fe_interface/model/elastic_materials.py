"""Elastic materials: small-strain isotropic linear elasticity with thermal expansion.

Hooke's law with a thermal strain (SI units: stresses Pa, strains dimensionless)::

    σ = λ tr(ε) I + 2 μ ε − 3 K α (T − T_ref) I,
    λ = E ν / ((1 + ν)(1 − 2 ν)),   μ = E / (2 (1 + ν)),   3 K = 3 λ + 2 μ = E / (1 − 2 ν),

with E Young's modulus (Pa), ν Poisson's ratio, α the linear thermal expansion
coefficient (1/K) and T_ref (K) the temperature at which the body is stress-free.
"""

from __future__ import annotations

from dataclasses import dataclass

from fe_interface.errors import InputError
from fe_interface.model.validation import check_positive, check_real

__all__ = ["ElasticMaterial"]


@dataclass(frozen=True)
class ElasticMaterial:
    """Isotropic linear-elastic material of one or more regions.

    Attributes:
        name: label in tables and messages.
        E: Young's modulus, Pa, > 0.
        nu: Poisson's ratio, in [0, 0.5) (dimensionless).
        alpha: linear thermal expansion coefficient, 1/K (finite; 0 = none).
        T_ref: stress-free temperature, K, > 0.
    """

    name: str
    E: float
    nu: float
    alpha: float = 0.0
    T_ref: float = 293.15

    def __post_init__(self) -> None:
        owner = f"elastic material {self.name!r}"
        object.__setattr__(self, "E", check_positive(self.E, "E", "Pa", owner))
        nu = check_real(self.nu, "nu", "", owner)
        if not 0.0 <= nu < 0.5:
            raise InputError(f"{owner}: nu (Poisson ratio) must lie in [0, 0.5), got {self.nu!r}")
        object.__setattr__(self, "nu", nu)
        object.__setattr__(self, "alpha", check_real(self.alpha, "alpha", "1/K", owner))
        object.__setattr__(self, "T_ref", check_positive(self.T_ref, "T_ref", "K", owner))

    @property
    def mu(self) -> float:
        """Shear modulus μ = E / (2 (1 + ν)), Pa."""
        return self.E / (2.0 * (1.0 + self.nu))

    @property
    def lam(self) -> float:
        """Lamé's first parameter λ = E ν / ((1 + ν)(1 − 2 ν)), Pa."""
        return self.E * self.nu / ((1.0 + self.nu) * (1.0 - 2.0 * self.nu))

    @property
    def thermal_modulus(self) -> float:
        """3 K α = E α / (1 − 2 ν), Pa/K: the stress of a blocked unit temperature rise."""
        return self.E * self.alpha / (1.0 - 2.0 * self.nu)

    @property
    def plane_strain_modulus(self) -> float:
        """E / (1 − ν²), Pa (the modulus of Hertz and punch formulas, one body)."""
        return self.E / (1.0 - self.nu**2)


def effective_modulus(a: ElasticMaterial, b: ElasticMaterial) -> float:
    """Contact modulus E* of two bodies, Pa.

    1/E* = (1 − ν₁²)/E₁ + (1 − ν₂²)/E₂ (Johnson, Contact Mechanics, 1985, eq. 4.22).
    """
    return 1.0 / (1.0 / a.plane_strain_modulus + 1.0 / b.plane_strain_modulus)
