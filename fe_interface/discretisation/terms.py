"""The weak-form terms: each model object contributes its residual and its heat rate.

The steady residual is F(T; v) = Σ_terms residual(T, v) (W), and each term that moves
heat across the model's boundary also gives its *rate* (W, heat entering the body;
for a source the heat generated) as a scalar form, so the energy balance, the tables and
the time history are computed from the same terms that are solved.  Steady, nonlinear
and transient problems use the same terms (a transient problem adds storage).  A rate is
the term's residual with the test function replaced by 1 (:meth:`Term.rate`), so it is
integrated exactly as the term was solved.

All integrals carry the weight w = 1 (Cartesian) or w = r = x[0] (axisymmetric, where
totals are multiplied by 2π afterwards).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ufl

__all__ = [
    "Conduction",
    "ConvectionBoundary",
    "FluxBoundary",
    "InterfaceTerm",
    "RadiationBoundary",
    "Term",
    "VolumeSource",
]


class Term:
    """A contribution to the residual.

    ``kind`` is "bulk", "source", "boundary" or "interface".
    """

    label: str
    kind: str

    def residual(self, T: Any, v: Any) -> Any:
        """The term's part of F(T; v), a UFL form (W)."""
        raise NotImplementedError

    def rate(self, T: Any, one: Any) -> Any:
        """Heat entering the body through this term, a scalar UFL form (W).

        −R_term(T; 1) with ``one`` the function 1 of the test function's space: the sum of
        the term's residual over every dof, integrated with the quadrature degree of the
        residual term (what was solved).  For a source the heat generated.
        """
        return -self.residual(T, one)


@dataclass
class Conduction(Term):
    """Σ_g ∫_g (K_g ∇T)·∇v w dx over groups g of regions with the same conductivity.

    K_g (W/(m K)) is a scalar ``fem.Constant`` (regions of equal constant k: the kernel
    of a plain Poisson problem, no coefficient to pack), a matrix ``fem.Constant``
    (constant anisotropic K), or a function ``T -> UFL`` (scalar or matrix) for
    temperature-dependent conductivity, Σ_g k_g(T) ∇T·∇v dx_g, which makes the problem
    nonlinear (Newton differentiates k_g(T): the exact Jacobian).
    """

    groups: list[tuple[Any, Any]]  # (k, measure)
    w: Any
    kind: str = "bulk"
    label: str = "conduction"

    def residual(self, T: Any, v: Any) -> Any:  # noqa: D102
        return sum(ufl.inner(flux(k, T), ufl.grad(v)) * self.w * dx for k, dx in self.groups)


def flux(k: Any, T: Any) -> Any:
    """K ∇T for a conductivity group's ``k`` (constant, matrix constant, or T -> UFL)."""
    K = k(T) if callable(k) and not isinstance(k, ufl.core.expr.Expr) else k
    grad = ufl.grad(T)
    return ufl.dot(K, grad) if len(ufl.shape(K)) == 2 else K * grad


@dataclass
class VolumeSource(Term):
    """−∫ f v w dx, f in W/m³ (rate: the heat generated)."""

    label: str
    f: Any
    w: Any
    dx: Any
    kind: str = "source"

    def residual(self, T: Any, v: Any) -> Any:  # noqa: D102
        return -self.f * v * self.w * self.dx


@dataclass
class FluxBoundary(Term):
    """−∫ q v w ds, q in W/m² into the body."""

    label: str
    q: Any
    w: Any
    ds: Any
    kind: str = "boundary"

    def residual(self, T: Any, v: Any) -> Any:  # noqa: D102
        return -self.q * v * self.w * self.ds


@dataclass
class ConvectionBoundary(Term):
    """∫ h (T − T∞) v w ds, h in W/(m² K), T∞ in K (rate: the heat entering, W)."""

    label: str
    h: Any
    T_inf: Any
    w: Any
    ds: Any
    kind: str = "boundary"

    def residual(self, T: Any, v: Any) -> Any:  # noqa: D102
        return self.h * (T - self.T_inf) * v * self.w * self.ds


@dataclass
class RadiationBoundary(Term):
    """Radiation boundary term ∫ [ε σ (T⁴ − T_amb⁴) + h (T − T∞)] v w ds.

    The heat entering is ∫ [ε σ (T_amb⁴ − T⁴) + h (T∞ − T)] w ds (W): grey radiation to large black
    surroundings at T_amb (K), σ the Stefan–Boltzmann constant (W/(m² K⁴)), with optional
    convection h (W/(m² K)) to T∞ (K). Nonlinear in T: Newton.
    """

    label: str
    eps_sigma: Any
    T_amb: Any
    h: Any
    T_inf: Any
    w: Any
    ds: Any
    kind: str = "boundary"

    def _q_out(self, T: Any) -> Any:
        q = self.eps_sigma * (T**4 - self.T_amb**4)
        if self.h is not None:
            q = q + self.h * (T - self.T_inf)
        return q

    def residual(self, T: Any, v: Any) -> Any:  # noqa: D102
        return self._q_out(T) * v * self.w * self.ds


@dataclass
class InterfaceTerm(Term):
    """Interface term ∫ h(T⁺, T⁻) (T⁺ − T⁻)(v⁺ − v⁻) w dS of a temperature-dependent law.

    On facets ordered so that '+' is the interface's ⁺ side (Newton differentiates h).
    """

    label: str
    h: Callable[[Any, Any], Any]
    w: Any
    dS: Any
    kind: str = "interface"

    def residual(self, T: Any, v: Any) -> Any:  # noqa: D102
        Tp, Tm = T("+"), T("-")
        w = self.w("+") if isinstance(self.w, ufl.core.expr.Expr) else self.w
        return self.h(Tp, Tm) * (Tp - Tm) * (v("+") - v("-")) * w * self.dS
