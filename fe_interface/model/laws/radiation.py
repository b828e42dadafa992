"""Radiative exchange across a thin gap between two grey, diffuse, parallel surfaces.

Formula: net exchange between two large parallel grey diffuse planes (two-surface enclosure,
view factor 1; e.g. Incropera & DeWitt, *Fundamentals of Heat and Mass Transfer*, ch. 13),
written as a radiation heat-transfer coefficient (ibid., ch. 1)::

    q   = sigma_SB (T1^4 - T2^4) / (1/eps1 + 1/eps2 - 1)            [W/m^2]
    h_r = q / (T1 - T2)
        = sigma_SB (T1^2 + T2^2)(T1 + T2) / (1/eps1 + 1/eps2 - 1)   [W/(m^2 K)]

``sigma_SB = 5.670374419e-8 W/(m^2 K^4)``.  For ``T1 -> T2 = T`` this tends to
``4 sigma_SB eps_eff T^3`` with ``eps_eff = 1/(1/eps1 + 1/eps2 - 1)``.

Concentric cylinders and spheres (``geometry="cylinder"``/``"sphere"``, radii r_i < r_o of
the inner and the outer surface; Incropera & DeWitt, ch. 13, two-surface enclosure)::

    Q = sigma_SB A_i (T_i^4 - T_o^4) / (1/eps_i + (A_i/A_o)(1/eps_o - 1)),
    A_i/A_o = r_i/r_o (cylinders), (r_i/r_o)^2 (spheres),

and the conductance is referred to the area of the ⁺ surface (radius ``radius_plus``):
h_r = Q / (A⁺ (T⁺ − T⁻)).  On a conforming mesh put the interface at the ⁺ surface
(the gap itself is not meshed: its width is in the radii).  ``stefan_boltzmann`` may be
set to reproduce a peer's constant (5.669e-8, 5.67e-8); the default is CODATA 2018.

Validity: gap width small compared with the lateral extent (view factor 1), gap width
large compared with the dominant thermal wavelength (no near-field enhancement, i.e. gaps
of more than a few micrometres at room temperature), non-participating gap medium.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from fe_interface.errors import InputError
from fe_interface.model.validation import (
    LawDeclaration,
    LawParameter,
    check_declared,
)

from .common import STEFAN_BOLTZMANN

#: gap geometries -> exponent n of the area ratio A_i/A_o = (r_i/r_o)^n
GEOMETRIES = {"plate": 0, "cylinder": 1, "sphere": 2}


@dataclass(frozen=True)
class GapRadiation:
    """Grey gap radiation conductance: parallel plates or concentric surfaces (module docstring).

    Parameters
    ----------
    emissivity_plus, emissivity_minus:
        Total hemispherical emissivities of the two faces, each in (0, 1] (dimensionless).
    geometry:
        ``"plate"`` (default), ``"cylinder"`` or ``"sphere"``.
    radius_plus, radius_minus:
        Radii (m) of the ⁺ and ⁻ surfaces (cylinder and sphere only); h is per unit area
        of the ⁺ surface.
    stefan_boltzmann:
        σ in W/(m² K⁴) (default CODATA 2018, 5.670374419e-8).

    ``conductance`` uses only ``+ - * / **`` and therefore accepts UFL expressions.
    """

    case: ClassVar[LawDeclaration] = LawDeclaration(
        "radiation",
        (
            LawParameter("emissivity_plus", "unit", True),
            LawParameter("emissivity_minus", "unit", True),
            LawParameter("geometry", "str", choices=("plate", "cylinder", "sphere")),
            LawParameter("radius_plus", "pos", unit="m", doc="the ⁺ surface: h per unit area of it"),
            LawParameter("radius_minus", "pos", unit="m"),
            LawParameter("stefan_boltzmann", "pos", unit="W/(m^2 K^4)", doc="default 5.670374419e-8: set it only to reproduce a peer's constant"),
        ),
        "grey gap radiation: parallel plates (default), concentric cylinders or spheres",
    )  # fmt: skip

    emissivity_plus: float
    emissivity_minus: float
    geometry: str = "plate"
    radius_plus: float | None = None
    radius_minus: float | None = None
    stefan_boltzmann: float = STEFAN_BOLTZMANN

    temperature_dependent: ClassVar[bool] = True
    kind: ClassVar[str] = "temperature"
    supports_ufl: ClassVar[bool] = True

    def __post_init__(self) -> None:
        check_declared(self, ("emissivity_plus", "emissivity_minus"))
        if self.geometry not in GEOMETRIES:
            raise InputError(
                f"geometry must be one of {', '.join(GEOMETRIES)}, got {self.geometry!r}"
            )
        check_declared(self, ("stefan_boltzmann",))
        radii = (self.radius_plus, self.radius_minus)
        if self.geometry == "plate":
            if any(r is not None for r in radii):
                raise InputError(
                    'radius_plus and radius_minus go with geometry "cylinder" or "sphere"'
                )
            return
        if any(r is None for r in radii):
            raise InputError(f'geometry "{self.geometry}" needs radius_plus and radius_minus (m)')
        check_declared(self, ("radius_plus", "radius_minus"))
        if self.radius_plus == self.radius_minus:
            raise InputError("radius_plus and radius_minus must differ (the gap has a width)")

    @property
    def effective_emissivity(self) -> float:
        """The exchange factor F (dimensionless): h_r = σ F (T⁺² + T⁻²)(T⁺ + T⁻).

        Plates: 1/(1/ε⁺ + 1/ε⁻ − 1); concentric surfaces:
        (A_i/A⁺)/(1/ε_i + (A_i/A_o)(1/ε_o − 1)).
        """
        if self.geometry == "plate":
            return 1.0 / (1.0 / self.emissivity_plus + 1.0 / self.emissivity_minus - 1.0)
        n = GEOMETRIES[self.geometry]
        rp, rm = float(self.radius_plus), float(self.radius_minus)  # type: ignore[arg-type]
        inner_is_plus = rp < rm
        r_i, r_o = (rp, rm) if inner_is_plus else (rm, rp)
        e_i, e_o = (
            (self.emissivity_plus, self.emissivity_minus)
            if inner_is_plus
            else (self.emissivity_minus, self.emissivity_plus)
        )
        ratio = (r_i / r_o) ** n
        return (r_i / rp) ** n / (1.0 / e_i + ratio * (1.0 / e_o - 1.0))

    def conductance(self, T_plus: Any, T_minus: Any) -> Any:
        """``h_r = sigma_SB F (T+^2 + T-^2)(T+ + T-)`` in W/(m^2 K); T in K."""
        return (
            self.stefan_boltzmann
            * self.effective_emissivity
            * (T_plus**2 + T_minus**2)
            * (T_plus + T_minus)
        )
