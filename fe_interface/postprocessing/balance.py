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

The *relative residual* is |residual| / scale, scale = max(Σ |terms|, floor): the gross
heat rates, but never less than the smallest rate the computation resolves,

    floor = 1e-3 · k_max · |T|_max · L^(d−2)  +  1e-8 · ∫ ρ c_p |T| dV / Δt

(k_max the largest conductivity, L the diagonal of the bounding box, d the dimension:
W per metre of depth in 2D, the full revolution for axisymmetric models; the second
term for transient steps).  The first term is what the solver's tolerance and
round-off in the conduction operator leave in the boundary reactions (measured: CG+GAMG
to ‖r‖ ≤ 1e-10 ‖b‖ leaves up to 1.2e-10 k T L on a wall at one temperature, on 2
ranks), the second what round-off leaves in the stored-energy difference of one step;
both leave a factor 10 below the warning threshold.  So a run whose terms are all tiny (an
insulated body, equal temperatures everywhere) has a relative residual ≪ 1 instead of
a ratio of round-off to round-off.  :func:`balance_warning` flags a balance whose
relative residual exceeds :data:`BALANCE_RTOL_WARN` = 1e-6; the solves in the test
suite close to 1e-9 or better.
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
#: resolution of the conduction terms and of the storage term (see the module docstring)
FLOOR_CONDUCTION = 1.0e-3
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
    """The resolution floor (W) of the balance of the field ``T`` (default ``f.T``).

    ``1e-3 k_max |T|_max L^(d-2)`` (+ ``1e-8 stored_abs_J / dt`` for a time step, with
    ``stored_abs_J`` = ∫ ρ c_p |T| dV); collective.
    """
    T = f.T if T is None else T
    comm = f.comm
    x = f.mesh.geometry.x
    ext = np.array(
        comm.allgather(np.r_[x.min(axis=0), -x.max(axis=0)] if x.size else np.full(6, np.inf))
    )
    lo, hi = ext[:, :3].min(axis=0), -ext[:, 3:].min(axis=0)
    L = float(np.linalg.norm(hi - lo))
    k = comm.allreduce(float(f.k_cells.max(initial=0.0)), op=MPI.MAX)
    Tmax = comm.allreduce(float(np.abs(T.x.array).max(initial=0.0)), op=MPI.MAX)
    d = f.mesh.geometry.dim
    scale = L ** (d - 2)
    if f.axisymmetric:  # the full revolution: k T (2π r_max)
        scale = 2 * np.pi * max(abs(hi[0]), abs(lo[0]), L)
    floor = FLOOR_CONDUCTION * k * Tmax * scale
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
        self.comm = f.comm
        self.two_pi = f.two_pi
        self.forms: list[tuple[str, str, fem.Form]] = [
            (t.kind, t.label, fem.form(t.rate(T))) for t in f.rate_terms()
        ]

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
    """The energy balance of a steady solution in ``f.T`` (collective)."""
    rates = HeatRates(f) if rates is None else rates
    sources, inflows = rates.values()
    if f.dirichlet:
        res = residual_vector(f, steady_residual_form(f))
        inflows |= dirichlet_reactions(f, res)
    order = [b.label for b in f.model.boundaries] + [c.label for c in f.model.constraints]
    inflows = {k: inflows[k] for k in order if k in inflows}
    return make_balance(sources, inflows, floor_W=balance_floor(f))
