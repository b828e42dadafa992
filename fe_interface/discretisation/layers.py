"""Heat stored in thin layers that are interfaces (not meshed).

An interface whose law has an areal heat capacity ``storage_per_area`` = ρ c_p t > 0
(J/(m² K); :class:`~fe_interface.model.laws.thin_layer.ThinLayer` with density and
specific heat) stores heat in transient runs.  Its capacity is split equally between the
two faces of the layer (see :mod:`fe_interface.model.laws.thin_layer` for the
derivation), which adds to the θ-scheme

* the storage rate  ∫_Γ (c/2) [(T⁺ − T⁺_n) v⁺ + (T⁻ − T⁻_n) v⁻] / Δt · w dS,  c = ρ c_p t;
* the stored heat   ∫_Γ (c/2) (T⁺ + T⁻) w dS  (J; axisymmetric: per radian, × 2π).

Both are ``dS`` forms on the interface's facets (oriented ⁺ → ⁻ like the other interface
terms), so the discrete energy balance of a step — sources + inflows = (E − E_n)/Δt,
E the bulk and layer stored heat — holds to round-off.  The conductance k/t of the layer
is assembled facet by facet with the other constant laws; only the storage uses ``dS``.
"""

from __future__ import annotations

from typing import Any

from petsc4py import PETSc

import numpy as np
from dolfinx import fem

__all__ = ["InterfaceStorage", "storage_per_area"]


def storage_per_area(law: Any) -> float:
    """The areal heat capacity (J/(m² K)) of an interface law.

    Its ``storage_per_area``; 0 for laws without one.
    """
    c = getattr(law, "storage_per_area", 0.0)
    try:
        c = float(c)
    except (TypeError, ValueError):
        return 0.0
    return c if np.isfinite(c) and c > 0 else 0.0


class InterfaceStorage:
    """The storage terms of the heat-storing interfaces of a formulation.

    Args:
        f: the :class:`~fe_interface.discretisation.formulation.Formulation`.

    Attributes:
        terms: (label, ``fem.Constant`` c/2 in J/(m² K), ``dS`` measure) per interface.
    """

    def __init__(self, f: Any) -> None:
        self.f = f
        self.terms: list[tuple[str, fem.Constant, Any]] = []
        for d in f.model.interfaces:
            c = storage_per_area(d.spec.law)
            if c > 0 and not d.perfect:
                scalar: Any = PETSc.ScalarType  # a NumPy scalar type (petsc4py's stubs say dtype)
                half = fem.Constant(f.mesh, scalar(0.5 * c))
                self.terms.append((d.label, half, f.interface_measure(d.entities)))

    @property
    def active(self) -> bool:
        """True if some interface stores heat."""
        return bool(self.terms)

    def _w(self) -> Any:
        import ufl

        w = self.f.w
        return w("+") if isinstance(w, ufl.core.expr.Expr) else w

    def rate(self, T: Any, T_n: Any, dt: Any, v: Any) -> Any:
        """Σ ∫_Γ (c/2)[(T⁺ − T⁺_n) v⁺ + (T⁻ − T⁻_n) v⁻]/Δt w dS (W), or 0 without terms."""
        w = self._w()
        out: Any = 0
        for _, half, dS in self.terms:
            jp = (T("+") - T_n("+")) * v("+")
            jm = (T("-") - T_n("-")) * v("-")
            out = out + half * (jp + jm) / dt * w * dS
        return out

    def energy(self, T: Any) -> Any:
        """Σ ∫_Γ (c/2)(T⁺ + T⁻) w dS (J; × 2π for axisymmetric models), or 0."""
        w = self._w()
        out: Any = 0
        for _, half, dS in self.terms:
            out = out + half * (T("+") + T("-")) * w * dS
        return out
