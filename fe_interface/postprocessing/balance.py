"""The energy balance, from the same terms that are solved.

sources + Σ boundary inflows − storage = residual (W), where

* sources: the rates of the source terms (heat generated);
* boundary inflows: the rates of the flux and convection terms, and for every fixed
  temperature the *consistent reaction*: the residual of the unconstrained system at
  its dofs (each dof counted by the first condition that fixes it);
* storage: ∫ ρ c_p ∂T/∂t dV (0 for steady problems).

All totals in W; axisymmetric models are integrated over the full 2π.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem, la

from fe_interface.discretisation.formulation import Formulation

__all__ = [
    "EnergyBalance",
    "HeatRates",
    "make_balance",
    "dirichlet_reactions",
    "residual_vector",
    "steady_residual_form",
    "steady_balance",
]


class EnergyBalance(NamedTuple):
    """Global balance: heat generated + heat entering through every boundary − heat
    stored = residual.

    Attributes:
        sources_W: total volumetric heat generation, W.
        boundary_inflow_W: heat flowing *in* through each boundary condition's facets, W
            (fixed-temperature boundaries: the consistent reaction flux).
        storage_rate_W: rate of heat storage ∫ ρ c_p ∂T/∂t dV, W (0 when steady).
        residual_W: sources + Σ inflows − storage, W (0 for an exact balance).
        relative_residual: |residual| / (Σ |terms|), dimensionless.
        time_s: end of the time step the balance refers to, s (None when steady).
        dt_s: that step, s (None when steady).
        theta: θ of that step (None when steady).
    """

    sources_W: float
    boundary_inflow_W: dict[str, float]
    storage_rate_W: float
    residual_W: float
    relative_residual: float
    time_s: float | None = None
    dt_s: float | None = None
    theta: float | None = None


def make_balance(
    sources: float,
    inflows: dict[str, float],
    storage: float = 0.0,
    time: tuple[float, float, float] | None = None,
) -> EnergyBalance:
    """An :class:`EnergyBalance` from its terms (W); ``time`` = (t, dt, θ) if transient."""
    residual = sources + sum(inflows.values()) - storage
    scale = abs(sources) + sum(abs(q) for q in inflows.values()) + abs(storage)
    rel = abs(residual) / scale if scale > 0 else 0.0
    t = time if time is not None else (None, None, None)
    return EnergyBalance(sources, dict(inflows), storage, residual, rel, *t)


class HeatRates:
    """The heat rates (W) of the source and boundary terms at a temperature field.

    Args:
        f: the formulation.
        T: the field the rates are evaluated at (``f.T`` by default).
    """

    def __init__(self, f: Formulation, T: Any = None) -> None:
        T = f.T if T is None else T
        self.comm = f.comm
        self.two_pi = f.two_pi
        self.forms: list[tuple[str, str, fem.Form]] = [
            (t.kind, t.label, fem.form(t.rate(T))) for t in f.rate_terms()
        ]

    def values(self) -> tuple[float, dict[str, float]]:
        """(sources, inflow of each flux/convection boundary), W (collective)."""
        local = np.array([fem.assemble_scalar(form) for _, _, form in self.forms], dtype=float)
        total = self.two_pi * self.comm.allreduce(local, op=MPI.SUM) if len(local) else local
        sources = float(sum(v for (k, _, _), v in zip(self.forms, total, strict=True) if k == "source"))
        inflows = {
            label: float(v)
            for (k, label, _), v in zip(self.forms, total, strict=True)
            if k == "boundary"
        }
        return sources, inflows


def residual_vector(f: Formulation, form: fem.Form, T: Any = None, scale: float = 1.0) -> np.ndarray:
    """Local array of an assembled residual form plus ``scale`` · K T (the facet-wise
    interface terms), summed over processes (owned entries exact)."""
    T = f.T if T is None else T
    vec = fem.assemble_vector(form)
    if f.coupling is not None:
        vec.array[:] += scale * f.coupling.apply(T.x.array)
    vec.scatter_reverse(la.InsertMode.add)
    return vec.array


def dirichlet_reactions(f: Formulation, residual: np.ndarray | None) -> dict[str, float]:
    """Heat (W) entering through each fixed-temperature condition: the sum of the
    unconstrained residual over its owned dofs (collective)."""
    local = np.array(
        [float(np.sum(residual[g.owned_dofs])) if residual is not None else 0.0 for g in f.dirichlet]
    )
    total = f.two_pi * f.comm.allreduce(local, op=MPI.SUM) if len(local) else local
    return {g.boundary.label: float(v) for g, v in zip(f.dirichlet, total, strict=True)}


def steady_residual_form(f: Formulation, T: Any = None) -> fem.Form:
    """The compiled steady residual F(T; v) of the UFL terms."""
    T = f.T if T is None else T
    return fem.form(f.residual(T, ufl.TestFunction(f.space)))


def steady_balance(f: Formulation, rates: HeatRates | None = None) -> EnergyBalance:
    """The energy balance of a steady solution in ``f.T`` (collective)."""
    rates = HeatRates(f) if rates is None else rates
    sources, inflows = rates.values()
    if f.dirichlet:
        res = residual_vector(f, steady_residual_form(f))
        inflows |= dirichlet_reactions(f, res)
    order = [b.label for b in f.model.boundaries]
    inflows = {k: inflows[k] for k in order if k in inflows}
    return make_balance(sources, inflows)

