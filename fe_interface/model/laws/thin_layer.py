"""A thin layer (TIM, die attach, bond line, coating) as an interface law: not meshed.

A layer of thickness t (m), conductivity k (W/(m K)) and, for transient runs, volumetric
heat capacity C = ρ c_p (J/(m³ K)) between two regions is replaced by the surface Γ
between them (the layer's mid-surface collapsed to zero thickness) with

* the conductance ``h = k / t`` (W/(m² K)): the heat flux through the layer is
  q = (k/t)(T⁺ − T⁻) with T⁺, T⁻ the temperatures of the layer's two faces.  For a
  steady 1D layer this is exact (the profile across the layer is linear), so the
  thin-layer model reproduces a meshed layer's series resistance t/k exactly;
* the *areal heat capacity* ``C t`` (J/(m² K)), split equally between the two faces:
  the transient weak form gains the facet mass term

      ∫_Γ (C t / 2) (∂T⁺/∂t v⁺ + ∂T⁻/∂t v⁻) w dS,

  and the stored heat of the layer is ∫_Γ (C t / 2)(T⁺ + T⁻) w dS.

Derivation of the storage term: across the layer the temperature is linear between the
two faces, T(ξ) = T⁻ + (T⁺ − T⁻) ξ, ξ ∈ [0, 1] (the quasi-steady profile of a layer whose
diffusion time t² C / k is short against the time scales of the model).  The heat stored
per unit area is C t (T⁺ + T⁻)/2: its rate, with the layer's capacity lumped onto the
two faces (the row sums of the 1D element mass matrix C t/6 [[2, 1], [1, 2]]), gives the
term above.  Lumping across the thickness keeps the stored energy exact — the energy
balance of a step holds to round-off — and keeps the mass matrix of each face positive.
Compared with the meshed layer, the thin layer's fluxes differ by O(t²) (C t s times the
jump O(t), s the rate of change): the transient difference to the meshed layer vanishes
as t → 0, to second order (first order without the storage term: the missing heat
C t ∂T/∂t); ``tests/system/test_thin_layer.py`` measures both rates.

Only constant k and C: the law's h does not depend on temperature, so it is assembled
facet by facet like a constant conductance (no ``dS`` form for the conductance; the
storage term is a ``dS`` form of the transient problem).  The storage is recognised on
the interface's own law (``storage_per_area`` > 0), not inside combined laws.

Units: t in m, k in W/(m K), ρ in kg/m³, c_p in J/(kg K), h in W/(m² K).
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

from .common import constant_like

__all__ = ["ThinLayer"]


@dataclass(frozen=True)
class ThinLayer:
    """A layer of thickness t and conductivity k between two regions, not meshed.

    Attributes:
        thickness: t, m (> 0).
        conductivity: k, W/(m K) (> 0).
        density: ρ, kg/m³ (> 0), with ``specific_heat``: the layer stores heat in
            transient runs; None: no heat capacity (a massless resistance t/k).
        specific_heat: c_p, J/(kg K) (> 0), with ``density``.
        name: label for messages (e.g. "TIM").
    """

    case: ClassVar[LawDeclaration] = LawDeclaration(
        "thin_layer",
        (
            LawParameter("thickness", "pos", True, "m"),
            LawParameter("conductivity", "pos", True, "W/(m K)"),
            LawParameter("density", "pos", unit="kg/m^3"),
            LawParameter("specific_heat", "pos", unit="J/(kg K)"),
        ),
        "a layer not meshed: h = k/t; with `density` and `specific_heat` (both or neither) "
        "it stores heat in transient runs",
    )

    thickness: float
    conductivity: float
    density: float | None = None
    specific_heat: float | None = None
    name: str = ""

    temperature_dependent: ClassVar[bool] = False
    kind: ClassVar[str] = "constant"
    supports_ufl: ClassVar[bool] = True

    def __post_init__(self) -> None:
        owner = f"thin layer {self.name!r}" if self.name else "thin layer"
        check_declared(self, ("thickness", "conductivity"), owner)
        if (self.density is None) != (self.specific_heat is None):
            raise InputError(
                f"{owner}: give both density (kg/m^3) and specific_heat (J/(kg K)) for a layer "
                "that stores heat, or neither"
            )
        check_declared(self, ("density", "specific_heat"), owner)

    @classmethod
    def from_material(cls, material: Any, thickness: float) -> ThinLayer:
        """The layer of a :class:`~fe_interface.model.materials.Material` of thickness t (m).

        The material needs a constant scalar conductivity (W/(m K)) and, if given,
        constant density and specific heat.

        Raises:
            InputError: the material's conductivity or specific heat depends on T, or
                is a tensor.
        """
        k = material.conductivity
        cp = material.specific_heat
        if not isinstance(k, (int, float)) or (cp is not None and not isinstance(cp, (int, float))):
            raise InputError(
                f"thin layer of material {material.name!r}: needs a constant scalar "
                "conductivity and specific heat (a thin layer with k(T) or c_p(T) is not "
                "supported)"
            )
        return cls(thickness, float(k), material.density, cp, material.name)

    @property
    def h(self) -> float:
        """Conductance k/t, W/(m² K)."""
        return self.conductivity / self.thickness

    @property
    def resistance(self) -> float:
        """Resistance t/k, m² K/W."""
        return self.thickness / self.conductivity

    @property
    def heat_capacity(self) -> float | None:
        """Volumetric heat capacity ρ c_p, J/(m³ K) (None without density and c_p)."""
        if self.density is None or self.specific_heat is None:
            return None
        return self.density * self.specific_heat

    @property
    def storage_per_area(self) -> float:
        """Areal heat capacity ρ c_p t, J/(m² K) (0 for a massless layer)."""
        c = self.heat_capacity
        return 0.0 if c is None else c * self.thickness

    def conductance(self, T_plus: Any = None, T_minus: Any = None) -> Any:
        """k/t in W/(m² K), broadcast to NumPy temperatures (independent of T)."""
        return constant_like(self.h, T_plus, T_minus)
