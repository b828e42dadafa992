"""The energy balance, from the same terms that are solved.

sources + Σ boundary inflows − storage = residual (W), where

* sources: the rates of the source terms (heat generated);
* boundary inflows: the rates of the flux and convection terms, and for every fixed
  temperature the *consistent reaction*: the residual of the unconstrained system at
  its dofs (each dof counted by the first condition that fixes it);
* storage: ∫ ρ c_p ∂T/∂t dV, plus the heat stored in thin layers that are interfaces,
  ∫_Γ (ρ c_p t/2)(∂T⁺/∂t + ∂T⁻/∂t) dA (:mod:`fe_interface.discretisation.layers`), as the
  difference quotient of the stored heat over the step (0 for steady problems).

All totals in W; axisymmetric models are integrated over the full 2π.

Every rate is the residual term it comes from, evaluated with the test function
replaced by the function 1 of the same space: −R_term(T; 1), integrated with the
quadrature degree of the residual term itself (a rate form of its own would get a lower
degree for a position-dependent value: q = 1e3 exp(3y) on a face gave 6361.8164 W
against the 6361.8456 W solved).  So the balance sums exactly what was solved.

The *relative residual* is |residual| / scale, scale = max(Σ |terms|, floor): the gross
heat rates, but never less than what round-off resolves,

    floor = 100 · ρ / 1e-6  +  1e-8 · ∫ ρ c_p |T| dV / Δt,

ρ = ε ‖ |A| |T| ‖₂ the round-off floor of the residual of the last solve
(:mod:`fe_interface.solvers.roundoff`: the residual's rows are sums of products of the
size of the absolute temperature), the second term for transient steps (round-off in the
difference of the stored energy).  A residual 100 times the round-off floor is thus a
relative residual of 1e-6, the warning threshold: an insulated body or a body at one
temperature, whose terms are all round-off, has a relative residual ≪ 1e-6, while a
nanowire whose 1 nW is 100 % unbalanced is flagged (the floor there is ~1e-16 W; the
former floor 1e-3 · k_max · |T|_max · L, 1e-3 W, hid it).  :func:`balance_warning` flags
a balance whose relative residual exceeds :data:`BALANCE_RTOL_WARN` = 1e-6; the solves in
the test suite close to 1e-9 or better.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem, la

from fe_interface.discretisation.formulation import Formulation

__all__ = [
    "BALANCE_RTOL_WARN",
    "EnergyBalance",
    "HeatRates",
    "balance_floor",
    "balance_warning",
    "dirichlet_reactions",
    "make_balance",
    "residual_vector",
    "steady_balance",
    "steady_residual_form",
    "unit_function",
]


class EnergyBalance(NamedTuple):
    """Global energy balance of a solution (W).

    Heat generated + heat entering through every boundary − heat stored = residual.

    Attributes:
        sources_W: total volumetric heat generation, W.
        boundary_inflow_W: heat flowing *in* through each boundary condition's facets, W
            (fixed-temperature boundaries: the consistent reaction flux).
        storage_rate_W: rate of heat storage ∫ ρ c_p ∂T/∂t dV (and in thin layers), W
            (0 when steady).
        residual_W: sources + Σ inflows − storage, W (0 for an exact balance).
        relative_residual: |residual| / scale_W, dimensionless.
        time_s: end of the time step the balance refers to, s (None when steady).
        dt_s: that step, s (None when steady).
        theta: θ of that step (None when steady).
        scale_W: max(Σ |terms|, the resolution floor), W (see the module docstring).
    """

    sources_W: float
    boundary_inflow_W: dict[str, float]
    storage_rate_W: float
    residual_W: float
    relative_residual: float
    time_s: float | None = None
    dt_s: float | None = None
    theta: float | None = None
    scale_W: float | None = None


#: relative residual above which :func:`balance_warning` flags the balance
BALANCE_RTOL_WARN = 1.0e-6
#: the balance resolves residuals down to this multiple of the round-off floor of the
#: residual (see the module docstring)
FLOOR_ROUNDOFF = 100.0
#: resolution of the storage term (round-off in the stored-energy difference)
FLOOR_STORAGE = 1.0e-8


def make_balance(
    sources: float,
    inflows: dict[str, float],
    storage: float = 0.0,
    time: tuple[float, float, float] | None = None,
    floor_W: float = 0.0,
) -> EnergyBalance:
    """An :class:`EnergyBalance` from its terms (W).

    ``time`` = (t, dt, θ) if transient; ``floor_W``: the smallest rate the computation resolves
    (:func:`balance_floor`).
    """
    residual = sources + sum(inflows.values()) - storage
    gross = abs(sources) + sum(abs(q) for q in inflows.values()) + abs(storage)
    scale = max(gross, float(floor_W) if math.isfinite(floor_W) else 0.0)
    rel = abs(residual) / scale if scale > 0 else 0.0
    t_s, dt_s, theta = time if time is not None else (None, None, None)
    return EnergyBalance(sources, dict(inflows), storage, residual, rel, t_s, dt_s, theta, scale)


def balance_floor(
    f: Formulation, T: Any = None, stored_abs_J: float = 0.0, dt: float | None = None
) -> float:
    """The resolution floor (W) of the balance of the last solve (see the module docstring).

    ``100 ρ / 1e-6`` with ρ = ``f.roundoff_W`` (+ ``1e-8 stored_abs_J / dt`` for a time step,
    with ``stored_abs_J`` = ∫ ρ c_p |T| dV).  ``T`` is accepted for compatibility: the
    round-off floor is that of the field solved.
    """
    floor = FLOOR_ROUNDOFF * float(getattr(f, "roundoff_W", 0.0)) / BALANCE_RTOL_WARN
    if dt:
        floor += FLOOR_STORAGE * abs(stored_abs_J) / dt
    return float(floor) if math.isfinite(floor) else 0.0


def balance_warning(b: EnergyBalance) -> str | None:
    """A one-line warning if the balance does not close, else None.

    Not closed: relative residual above :data:`BALANCE_RTOL_WARN`.
    """
    rel = b.relative_residual
    if math.isfinite(rel) and rel <= BALANCE_RTOL_WARN:
        return None
    when = f" of the step to t = {b.time_s:.6g} s" if b.time_s is not None else ""
    return (
        f"energy balance{when} does not close: residual {b.residual_W:.4g} W is "
        f"{rel:.2e} of the heat rates (> {BALANCE_RTOL_WARN:g}); the solution is "
        "inaccurate (solver tolerance, conductivity contrast or round-off)"
    )


class HeatRates:
    """The heat rates (W) of the source and boundary terms at a temperature field.

    Args:
        f: the formulation.
        T: the field the rates are evaluated at (``f.T`` by default).
    """

    def __init__(self, f: Formulation, T: Any = None) -> None:
        T = f.T if T is None else T
        self.T = T
        self.comm = f.comm
        self.two_pi = f.two_pi
        one = unit_function(f)
        self.forms: list[tuple[str, str, fem.Form]] = [
            (t.kind, t.label, fem.form(t.rate(T, one))) for t in f.rate_terms()
        ]
        self._residual: fem.Form | None = None

    def residual(self, f: Formulation) -> fem.Form:
        """The compiled steady residual of ``f`` at the rates' field (compiled once)."""
        if self._residual is None:
            self._residual = steady_residual_form(f, self.T)
        return self._residual

    def values(self) -> tuple[float, dict[str, float]]:
        """(sources, inflow of each flux/convection boundary), W (collective)."""
        local = np.array([fem.assemble_scalar(form) for _, _, form in self.forms], dtype=float)
        total = self.two_pi * self.comm.allreduce(local, op=MPI.SUM) if len(local) else local
        sources = float(
            sum(v for (k, _, _), v in zip(self.forms, total, strict=True) if k == "source")
        )
        inflows = {
            label: float(v)
            for (k, label, _), v in zip(self.forms, total, strict=True)
            if k == "boundary"
        }
        return sources, inflows


def unit_function(f: Formulation) -> fem.Function:
    """The function 1 on the formulation's space.

    Σ_i R(T; φ_i) = R(T; 1) over every copy of every dof (the broken space's basis sums to
    1 in every cell), and with 1 a coefficient of the test function's space a rate form has
    the quadrature degree of its residual term.
    """
    one = fem.Function(f.space)
    one.x.array[:] = 1.0
    return one


def residual_vector(
    f: Formulation, form: fem.Form, T: Any = None, scale: float = 1.0
) -> np.ndarray:
    """Local array (W) of an assembled residual form plus ``scale`` · K T.

    K T are the facet-wise interface terms; summed over processes (owned entries exact).
    """
    T = f.T if T is None else T
    vec = fem.assemble_vector(form)
    if f.coupling is not None:
        vec.array[:] += scale * f.coupling.apply(T.x.array)
    vec.scatter_reverse(la.InsertMode.add)
    return vec.array


def dirichlet_reactions(f: Formulation, residual: np.ndarray | None) -> dict[str, float]:
    """Heat (W) entering through each fixed-temperature condition.

    The sum of the unconstrained residual over its owned dofs (collective).
    """
    local = np.array(
        [
            float(np.sum(residual[g.owned_dofs])) if residual is not None else 0.0
            for g in f.dirichlet
        ]
    )
    total = f.two_pi * f.comm.allreduce(local, op=MPI.SUM) if len(local) else local
    return {g.boundary.label: float(v) for g, v in zip(f.dirichlet, total, strict=True)}


def steady_residual_form(f: Formulation, T: Any = None) -> fem.Form:
    """The compiled steady residual F(T; v) of the UFL terms."""
    T = f.T if T is None else T
    return fem.form(f.residual(T, ufl.TestFunction(f.space)))


def steady_balance(f: Formulation, rates: HeatRates | None = None) -> EnergyBalance:
    """The energy balance of a steady solution in ``f.T`` (collective).

    ``rates``: the :class:`HeatRates` of ``f.T`` (a problem keeps one: its forms are
    compiled once); default: built here.
    """
    rates = HeatRates(f) if rates is None else rates
    sources, inflows = rates.values()
    if f.dirichlet:
        res = residual_vector(f, rates.residual(f), rates.T)
        inflows |= dirichlet_reactions(f, res)
    order = [b.label for b in f.model.boundaries] + [c.label for c in f.model.constraints]
    inflows = {k: inflows[k] for k in order if k in inflows}
    return make_balance(sources, inflows, floor_W=balance_floor(f))
