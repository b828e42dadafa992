"""Transient heat conduction with temperature jumps on internal interfaces.

Strong form, per region with density ρ (kg/m³), specific heat c_p (J/(kg K)),
conductivity k (W/(m K)) and source f (W/m³), with the interface laws of
:mod:`fe_interface.problem`:

    ρ c_p ∂T/∂t = ∇·(k ∇T) + f.

Time discretisation: the θ-scheme on the steady weak residual R(T; v) of
:meth:`SteadyProblem.residual <fe_interface.problem.SteadyProblem.residual>`:

    F(T; v) = ∫ ρ c_p (T − T_n)/Δt v w dx + θ R(T; v, t_{n+1}) + (1 − θ) R(T_n; v, t_n) = 0,

θ = 1 backward Euler (first order, L-stable), θ = ½ Crank–Nicolson (second order; the
first ``startup_steps`` steps are each replaced by two backward-Euler half steps
(Rannacher start-up), which keeps second order for non-smooth initial data such as
two bodies at different temperatures brought into contact). w = 1, or r for
axisymmetric models.

Linear problems assemble the matrix (and build the preconditioner) once per (θ, Δt)
and reuse it; each step only reassembles the right-hand side (unless a time-dependent
value enters the matrix, e.g. a convection coefficient h(t): then it is reassembled
every step).  Temperature-dependent
interface laws use Newton (:class:`~fe_interface.solver.NonlinearSystem`) every step.

Time-dependent data: wrap a value in :class:`TimeFunction` (a scalar function of t
times a value), e.g. ``HeatSource("die", TimeFunction.step(1e-3, 2e9))``; it becomes a
``fem.Constant`` updated every step (no recompilation).

Adaptive stepping (``adaptive=True``): step doubling. A step of Δt and two steps of
Δt/2 are taken from the same state; the local error estimate is
max|T_{Δt/2} − T_Δt| / (2^p − 1) (K, p = 1 BE, 2 CN); the step is accepted if it is
≤ ``tol`` (the half-step solution is kept), Δt is halved/doubled by powers of two
(few distinct matrices) within [dt_min, dt_max]; :class:`TimeStepError` if Δt would
fall below dt_min.

Outputs (``run(output=folder)``): ``name.xdmf``/``name.h5`` (meshio time series,
interface vertices duplicated so the jump is visible), ``name_vtx/temperature_colour{c}.bp``
(DOLFINx VTX, time-stamped) and ``name.csv``: time, per-interface heat flow (W) and mean
jump (K), stored-energy change (J), time-integrated net inflow (J) and the balance
residual (J).  All output files are written under temporary names and moved into place
when complete, so an interrupted run never leaves a truncated file.

Checkpoints (``run(checkpoint=folder)``) are *partition independent*: every dof of a
colour space is keyed by its coordinates (unique within a colour because blocks of one
colour share no vertex; inactive halo dofs are left out and restored as 0); ``dofs.npz`` holds the canonical coordinates per colour,
``state.npz`` (written to a temporary file and ``os.replace``d) holds t, step, Δt, the
energy bookkeeping, the CSV rows and the block temperature arrays in that order, and
``frames/`` the output frames (to rebuild the time-series files on restart).  A restart
may use a different number of MPI processes; restarting with the same number
reproduces the uninterrupted run bit for bit (the same operations on the same data).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from mpi4py import MPI
from petsc4py import PETSc

import numpy as np
import ufl
from dolfinx import fem, la
from dolfinx.fem.forms import derivative_block

from fe_interface.boundary import Convection, FixedTemperature, HeatFlux
from fe_interface.files import write_bytes
from fe_interface.materials import HeatSource, InputError, Material
from fe_interface.mesh import MeshError, TaggedMesh
from fe_interface.problem import SteadyProblem, _as_value
from fe_interface.solver import LinearSystem, NonlinearSystem, SolveInfo, SolverError

__all__ = [
    "TimeFunction",
    "TransientProblem",
    "TransientResult",
    "TransientEnergyBalance",
    "TimeStepError",
    "ProgressBar",
    "carslaw_jaeger_contact",
]


class TimeStepError(SolverError):
    """The adaptive time step fell below ``dt_min`` (or a step could not be taken)."""


# ---------------------------------------------------------------------- data in time
class TimeFunction:
    """A value multiplied by a scalar function of time: ``f(t) * value``.

    Usable wherever a boundary condition or a source accepts a value: in UFL it is a
    ``fem.Constant`` (holding f(t)) times ``value`` (a number or ``x -> UFL``); for
    :class:`~fe_interface.boundary.FixedTemperature` it is evaluated at the dof
    coordinates (``value`` a number or ``x -> NumPy``).  A transient problem sets the
    time every step; elsewhere it is evaluated at t = 0 (or the last :meth:`set_time`).

    Examples:
        ``TimeFunction(lambda t: 1.0 if t > 1e-3 else 0.0, 2e9)`` — 2×10⁹ W/m³ from 1 ms;
        ``TimeFunction.step(1e-3, 2e9)`` is the same; ``300.0 + 10.0 * t``:
        ``TimeFunction(lambda t: 300.0 + 10.0 * t)``.
    """

    def __init__(self, f: Callable[[float], float], value: float | Callable = 1.0) -> None:
        if not callable(f):
            raise InputError(f"TimeFunction: f must be a function of t, got {f!r}")
        if not callable(value) and not (isinstance(value, (int, float)) and math.isfinite(value)):
            raise InputError(f"TimeFunction: value must be finite or callable, got {value!r}")
        self.f = f
        self.value = value
        self._t = 0.0
        self._constants: dict[Any, fem.Constant] = {}
        self.at(0.0)

    @classmethod
    def step(cls, t0: float, value: float | Callable = 1.0) -> TimeFunction:
        """``value`` for t > t0, 0 before (a switch closed at t0)."""
        return cls(lambda t: 1.0 if t > t0 else 0.0, value)

    def at(self, t: float) -> float:
        """f(t), checked to be finite."""
        s = float(self.f(t))
        if not math.isfinite(s):
            raise InputError(f"TimeFunction: f({t!r}) = {s!r} is not finite")
        return s

    @property
    def time(self) -> float:
        return self._t

    def set_time(self, t: float) -> None:
        """Set t: every UFL constant made by this object then holds f(t)."""
        self._t = float(t)
        s = self.at(t)
        for c in self._constants.values():
            c.value = s

    def constant(self, domain: Any) -> fem.Constant:
        """The ``fem.Constant`` holding f(t) on ``domain`` (a UFL or DOLFINx mesh)."""
        d = domain.ufl_domain() if hasattr(domain, "ufl_domain") else domain
        c = self._constants.get(d)
        if c is None:
            c = fem.Constant(d, PETSc.ScalarType(self.at(self._t)))
            c._fe_time_function = self  # found again in compiled forms
            self._constants[d] = c
        return c

    def __call__(self, x: Any) -> Any:
        v = self.value
        if isinstance(x, np.ndarray):  # interpolation (fixed temperatures)
            vals = v(x) if callable(v) else v
            return self.at(self._t) * np.broadcast_to(np.asarray(vals, float), (x.shape[1],))
        c = self.constant(ufl.domain.extract_unique_domain(x))
        return c * (v(x) if callable(v) else v)

    def __mul__(self, other: float) -> TimeFunction:
        if not isinstance(other, (int, float)):
            return NotImplemented
        v = self.value
        return TimeFunction(self.f, (lambda x: other * v(x)) if callable(v) else other * v)

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"TimeFunction({self.f!r}, {self.value!r})"


def carslaw_jaeger_contact(
    x: np.ndarray,
    t: float,
    T1: float,
    T2: float,
    k1: float,
    rhocp1: float,
    k2: float,
    rhocp2: float,
    h: float,
    side: int | None = None,
) -> tuple[np.ndarray, float]:
    """Two semi-infinite solids with contact conductance h brought together at t = 0.

    Body 1 fills x < 0 at T1, body 2 x > 0 at T2.  With effusivities e_i = √(k_i ρc_i),
    κ_i = k_i/(ρc_i), β = h (1/e1 + 1/e2) and E(z) = exp(z²) erfc(z) (``erfcx``),
    the Laplace transform gives (Carslaw & Jaeger §2.14 form)

        q(t) = h (T1 − T2) E(β√t)                         (W/m², from 1 to 2),
        T(x<0) = T1 − (T1−T2) e2/(e1+e2) [erfc(ξ1) − exp(−ξ1²) E(ξ1 + β√t)],
        T(x>0) = T2 + (T1−T2) e1/(e1+e2) [erfc(ξ2) − exp(−ξ2²) E(ξ2 + β√t)],

    ξ_i = |x| / (2√(κ_i t)); at x = 0 the jump is (T1 − T2) E(β√t) = q/h.

    ``side`` = 1 or 2 evaluates body 1's or body 2's formula everywhere (for the two
    interface temperatures at x = 0); default: by the sign of x.

    Returns:
        T(x, t) (K) and q(t) (W/m²).
    """
    from scipy.special import erfc, erfcx

    x = np.asarray(x, float)
    dT = T1 - T2
    e1, e2 = math.sqrt(k1 * rhocp1), math.sqrt(k2 * rhocp2)
    beta = h * (1 / e1 + 1 / e2)
    b = beta * math.sqrt(t)
    q = h * dT * float(erfcx(b))
    out = np.empty_like(x)
    one = x < 0 if side is None else np.full(x.shape, side == 1)
    for sel, kk, rc, Tb, sgn, share in (
        (one, k1, rhocp1, T1, -1.0, e2 / (e1 + e2)),
        (~one, k2, rhocp2, T2, 1.0, e1 / (e1 + e2)),
    ):
        xi = np.abs(x[sel]) / (2 * math.sqrt(kk / rc * t))
        out[sel] = Tb + sgn * dT * share * (erfc(xi) - np.exp(-(xi**2)) * erfcx(xi + b))
    return out, q


# ---------------------------------------------------------------------- progress
class ProgressBar:
    """A one-line progress bar with ETA on stderr (rank 0).

    Quiet unless stderr is a terminal and the ``CI`` environment variable is unset
    (``enabled`` forces it on or off).
    """

    def __init__(
        self, t0: float, t_end: float, enabled: bool | None = None, stream: Any = None
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", lambda: False)
            enabled = bool(isatty()) and not os.environ.get("CI")
        self.enabled = enabled and MPI.COMM_WORLD.rank == 0
        self.t0, self.t_end = t0, t_end
        self.start = time.perf_counter()
        self._last = -math.inf
        self._width = 0

    @staticmethod
    def _hms(s: float) -> str:
        if not math.isfinite(s):
            return "--:--:--"
        s = int(round(s))
        return f"{s // 3600:d}:{s // 60 % 60:02d}:{s % 60:02d}"

    def line(self, t: float, step: int, dt: float) -> str:
        span = self.t_end - self.t0
        frac = min(max((t - self.t0) / span, 0.0), 1.0) if span > 0 else 1.0
        elapsed = time.perf_counter() - self.start
        eta = elapsed * (1 - frac) / frac if frac > 0 else math.inf
        n = 30
        fill = int(round(frac * n))
        return (
            f"[{'#' * fill}{'.' * (n - fill)}] {100 * frac:5.1f}% t={t:.4g} s "
            f"step {step} dt={dt:.3g} s elapsed {self._hms(elapsed)} ETA {self._hms(eta)}"
        )

    def update(self, t: float, step: int, dt: float, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._last < 0.2:
            return
        self._last = now
        s = self.line(t, step, dt)
        self.stream.write("\r" + s + " " * max(0, self._width - len(s)))
        self._width = len(s)
        self.stream.flush()

    def close(self, t: float, step: int, dt: float) -> None:
        if self.enabled:
            self.update(t, step, dt, force=True)
            self.stream.write("\n")
            self.stream.flush()


# ---------------------------------------------------------------------- results
class TransientResult(NamedTuple):
    """Result of :meth:`TransientProblem.run`.

    Attributes:
        temperature: one function per colour space at the final time (K).
        time: final time, s.
        steps: accepted steps (in total, including those before a restart).
        rejected: rejected adaptive steps (this run).
        history: the CSV columns (name with unit -> array), one entry per step.
        files: output paths written by this run.
        timings: wall time per stage, s.
        restarted_from: time (s) of the checkpoint this run resumed from, or None.
    """

    temperature: list[fem.Function]
    time: float
    steps: int
    rejected: int
    history: dict[str, np.ndarray]
    files: dict[str, Any]
    timings: dict[str, float]
    restarted_from: float | None


class TransientEnergyBalance(NamedTuple):
    """Energy balance of the last time step (:meth:`TransientProblem.energy_balance`).

    The θ-scheme conserves energy step by step:

        (E_{n+1} − E_n)/Δt = θ Q(t_{n+1}) + (1 − θ) Q(t_n) + Q_D,

    E = ∫ ρ c_p T dV, Q the sources and flux/convection inflows, Q_D the consistent
    reaction of the fixed-temperature boundaries over the step.  All rates are in W and
    refer to the last step [t − Δt, t]: for backward Euler (θ = 1) they are the values
    at t (the end of the step); for θ < 1 the sources and inflows are the θ-weighted
    means of their values at t − Δt and t, and the storage rate is the difference
    quotient, a mean over the step (t − Δt/2 for Crank–Nicolson).  "The last step" is
    the last one solved: a Crank–Nicolson start-up step and an adaptive step are each
    two half steps (backward-Euler ones for the start-up), so there Δt is half the step
    of the time table.

    Attributes:
        sources_W, boundary_inflow_W, residual_W, relative_residual: as in
            :class:`~fe_interface.postprocess.EnergyBalance`, except that
            residual_W = sources + Σ inflows − storage_rate (0 for an exact balance).
        storage_rate_W: rate of heat storage ∫ ρ c_p ∂T/∂t dV over the step, W.
        time_s: end of the step t, s.
        dt_s: the step Δt, s.
        theta: θ of the step (1 for backward Euler and start-up half steps).
    """

    sources_W: float
    boundary_inflow_W: dict[str, float]
    residual_W: float
    relative_residual: float
    storage_rate_W: float
    time_s: float
    dt_s: float
    theta: float


def _bc_label(bc: Any, taken: Sequence[str]) -> str:
    """The key of a boundary condition in an energy balance (as for steady problems)."""
    key = f"{type(bc).__name__}:{bc.facets}"
    return key if key not in taken else f"{key}#{len(taken)}"


_SCHEMES = {
    "backward_euler": 1.0,
    "be": 1.0,
    "implicit_euler": 1.0,
    "crank_nicolson": 0.5,
    "cn": 0.5,
}


def _npz_bytes(**arrays: Any) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


class TransientProblem(SteadyProblem):
    """Transient conduction ρ c_p ∂T/∂t = ∇·(k∇T) + f with interface laws.

    Args:
        tagged, materials, interfaces, boundary_conditions, sources, degree,
            axisymmetric, solver, petsc_options, petsc_options_prefix: as for
            :class:`~fe_interface.problem.SteadyProblem`; every material needs
            ``density`` and ``specific_heat``.  Values may be :class:`TimeFunction`.
        initial_temperature: K — a number (all regions), a mapping region (name or
            tag) -> number or ``x -> NumPy array`` (x of shape (3, n)), or one such
            callable for all regions.  Where regions of one colour touch (perfect
            contact) the later region in the mapping wins on the shared dofs.
        scheme: "backward_euler" (θ = 1), "crank_nicolson" (θ = ½) or θ in [½, 1].
        startup_steps: Crank–Nicolson only: the first steps done as two backward-Euler
            half steps each (Rannacher); 0 disables.

    Bodies without any fixed-temperature or convection boundary are allowed (their
    energy is conserved).
    """

    def __init__(
        self,
        tagged: TaggedMesh,
        materials: Mapping[str | int, Material],
        interfaces: Sequence[Any] = (),
        boundary_conditions: Sequence[FixedTemperature | HeatFlux | Convection] = (),
        sources: Sequence[HeatSource] = (),
        initial_temperature: float | Mapping[str | int, float | Callable] | Callable = 293.15,
        scheme: str | float = "backward_euler",
        startup_steps: int = 2,
        **kwargs: Any,
    ) -> None:
        for key, m in materials.items():
            if isinstance(m, Material) and (m.density is None or m.specific_heat is None):
                missing = [
                    n
                    for n, v in (("density", m.density), ("specific_heat", m.specific_heat))
                    if v is None
                ]
                raise InputError(
                    f"material {m.name!r} (region {key!r}): a transient problem needs "
                    f"{' and '.join(missing)} (density in kg/m^3, specific_heat in J/(kg K))"
                )
        if isinstance(scheme, str):
            if scheme.lower() not in _SCHEMES:
                raise InputError(
                    f"unknown time scheme {scheme!r}: use 'backward_euler', 'crank_nicolson' "
                    "or a number theta in [0.5, 1]"
                )
            theta = _SCHEMES[scheme.lower()]
        else:
            theta = float(scheme)
            if not 0.5 <= theta <= 1.0:
                raise InputError(f"theta must lie in [0.5, 1] (stable schemes), got {theta!r}")
        self.theta = theta
        self.order = 2 if theta == 0.5 else 1
        self.startup_steps = int(startup_steps) if theta < 1.0 else 0
        guess = (
            float(initial_temperature) if isinstance(initial_temperature, (int, float)) else None
        )
        super().__init__(
            tagged,
            materials,
            interfaces,
            boundary_conditions,
            sources,
            initial_temperature=guess,
            **kwargs,
        )
        self.initial_field = initial_temperature
        self.t = 0.0
        self.step_count = 0
        self.stats = {"matrix_assemblies": 0, "rhs_assemblies": 0, "solves": 0, "newton_its": 0}
        self._last_step: dict[str, Any] | None = None  # see energy_balance()
        self._has_state = False  # T holds a time level (set_initial_temperature/run)

    # ------------------------------------------------------------------ set-up
    def _check_connected_bcs(self, contact_pairs: set[tuple[int, int]]) -> None:
        # the mass term makes insulated bodies well posed: only the facet checks apply
        try:
            super()._check_connected_bcs(contact_pairs)
        except InputError:
            if len(self._bc_tags) != len(self.boundary_conditions):
                raise

    def _dirichlet_bcs(self) -> list[fem.DirichletBC]:
        bcs = super()._dirichlet_bcs()
        # (values of the condition, a work function of its space, the TimeFunction)
        self._timed_dirichlet: list[tuple[Any, fem.Function, TimeFunction]] = []
        it = iter(bcs)
        for spec, _facets, colours in self._dirichlet_groups:
            for c in colours:
                bc = next(it)
                if isinstance(spec.value, TimeFunction):
                    work = fem.Function(self.spaces[c].space)
                    self._timed_dirichlet.append((bc.g, work, spec.value))
        return bcs

    def _build_system(self) -> None:
        mesh = self.tagged.mesh
        w = self.weight
        dx = self.dx
        nc = self.num_colours
        # ρ c_p as a DG0 field
        rhocp = fem.Function(self.k.function_space, name="heat_capacity")
        lut = np.zeros(max(self.regions) + 1)
        for r, m in self.region_material.items():
            lut[r] = m.density * m.specific_heat
        rhocp.x.array[:] = lut[self.cell_region]
        self.rhocp = rhocp
        self.T_n = [
            fem.Function(cs.space, name=f"T_old_colour{c}") for c, cs in enumerate(self.spaces)
        ]
        self._dt = fem.Constant(mesh, PETSc.ScalarType(1.0))
        self._theta = fem.Constant(mesh, PETSc.ScalarType(self.theta))
        th, dt = self._theta, self._dt
        v = ufl.TestFunctions(self.W)

        def mass(T):
            return sum(rhocp * (T[c] - self.T_n[c]) / dt * v[c] * w * dx(c) for c in range(nc))

        R_new = self.residual(self.T, v)
        # time constants in the residual; their old-time twins for R(T_n)
        tconsts = []
        for c in R_new.constants():
            if hasattr(c, "_fe_time_function") and all(c is not d for d in tconsts):
                tconsts.append(c)
        self._time_pairs = [
            (c, fem.Constant(mesh, PETSc.ScalarType(float(c.value))), c._fe_time_function)
            for c in tconsts
        ]
        self._time_functions = list({id(tf): tf for _, _, tf in self._time_pairs}.values())
        self._time_functions += [
            tf
            for _, _, tf in self._timed_dirichlet
            if all(tf is not u for u in self._time_functions)
        ]
        replace = {c: c_old for c, c_old, _ in self._time_pairs}
        R_old = self.residual(self.T_n, v)
        if replace:
            R_old = ufl.replace(R_old, replace)
        F = mass(self.T) + th * R_new + (1 - th) * R_old
        self._systems: dict[tuple[float, float], LinearSystem] = {}
        self.system = None
        if self.nonlinear:
            F_blocks = ufl.extract_blocks(F + self._zero_rows(v))
            self.F = fem.form(F_blocks, entity_maps=self.entity_maps)
            self.J = fem.form(derivative_block(F_blocks, self.T), entity_maps=self.entity_maps)
            self.system = NonlinearSystem(
                self.F, self.J, self.T, self.bcs, self.prefix, self.petsc_options
            )
            self._F_res = self.F
        else:
            Tt = ufl.TrialFunctions(self.W)
            a, L = ufl.system(
                mass(Tt) + th * self.residual(Tt, v) + (1 - th) * R_old - self._zero_rows(v)
            )
            # a time-dependent coefficient in the matrix (e.g. a convection h(t)) means
            # reassembling it every step
            self._matrix_time_dependent = any(
                hasattr(c, "_fe_time_function") for c in a.constants()
            )
            self.a = fem.form(ufl.extract_blocks(a), entity_maps=self.entity_maps)
            self.L = fem.form(ufl.extract_blocks(L), entity_maps=self.entity_maps)
            self._F_res = (
                fem.form(ufl.extract_blocks(F + self._zero_rows(v)), entity_maps=self.entity_maps)
                if self.bcs
                else None
            )
        self._build_diagnostics()

    def _build_diagnostics(self) -> None:
        """Compiled scalar forms for the per-step table and the energy balance."""
        mesh = self.tagged.mesh
        x = ufl.SpatialCoordinate(mesh)
        w = self.weight
        em = self.entity_maps
        self._two_pi = 2 * math.pi if self.axisymmetric else 1.0
        self._E_form = fem.form(
            sum(self.rhocp * self.T[c] * w * self.dx(c) for c in range(self.num_colours)),
            entity_maps=em,
        )
        # sources and the inflow through every flux/convection condition (W), at the
        # current T and time: one form per term (their sum is the per-step Q, the terms
        # are the split reported by energy_balance()); labels as in the steady balance
        S: Any = 0
        if self._has_const_source:
            S += sum(self.f * w * self.dx(c) for c in range(self.num_colours))
        for sid, _, val in self._source_terms:
            S += val * w * self.dx(sid)
        flux: dict[int, Any] = {}
        for sid, c, bc in self._ds_terms:
            if isinstance(bc, HeatFlux):
                q = _as_value(bc.value, x) * w * self.ds(sid)
            else:
                q = _as_value(bc.h, x) * (_as_value(bc.T_inf, x) - self.T[c]) * w * self.ds(sid)
            flux[id(bc)] = flux.get(id(bc), 0) + q
        self._Q_forms: list[fem.Form | None] = [
            fem.form(S, entity_maps=em) if not isinstance(S, int) else None
        ]
        labels: list[str] = []
        for bc in self.boundary_conditions:
            if isinstance(bc, (HeatFlux, Convection)):
                labels.append(_bc_label(bc, labels))
                q = flux.get(id(bc), 0)
                self._Q_forms.append(
                    fem.form(q, entity_maps=em) if not isinstance(q, int) else None
                )
        # interfaces
        self._iface_forms = []
        n = ufl.FacetNormal(mesh)("+")
        for d in self.interface_data:
            dS = ufl.Measure("dS", domain=mesh, subdomain_data=[(0, d.entities.ravel())])
            wp = x[0]("+") if self.axisymmetric else fem.Constant(mesh, 1.0)("+")
            Tp, Tm = self.T[d.plus_colour]("+"), self.T[d.minus_colour]("-")
            area = self._two_pi * self.comm.allreduce(
                fem.assemble_scalar(fem.form(wp * dS(0), entity_maps=em)), op=MPI.SUM
            )
            jump = fem.form((Tp - Tm) * wp * dS(0), entity_maps=em)
            if d.perfect:
                gp = ufl.grad(self.T[d.plus_colour])("+")
                gm = ufl.grad(self.T[d.minus_colour])("-")
                flow = fem.form(
                    -0.5
                    * (self.k("+") * ufl.dot(gp, n) + self.k("-") * ufl.dot(gm, n))
                    * wp
                    * dS(0),
                    entity_maps=em,
                )
            else:
                flow = fem.form(d.h_expr * (Tp - Tm) * wp * dS(0), entity_maps=em)
            self._iface_forms.append((d.spec.label, area, flow, jump))
        # owned Dirichlet dofs per (condition, colour), each dof counted once (by the
        # first condition that fixes it, as in the steady balance)
        counted: list[np.ndarray] = [np.empty(0, np.int32)] * self.num_colours
        self._dirichlet_group_dofs: list[list[tuple[int, np.ndarray]]] = []
        it = iter(self.bcs)
        for spec, _facets, colours in self._dirichlet_groups:
            group = []
            for c in colours:
                bc = next(it)
                dofs, first_ghost = bc.dof_indices()
                owned = np.setdiff1d(dofs[:first_ghost], counted[c])
                counted[c] = np.union1d(counted[c], owned)
                group.append((c, owned))
            self._dirichlet_group_dofs.append(group)
            labels.append(_bc_label(spec, labels))
        self._inflow_labels = labels
        # colours with fixed-temperature dofs on any rank (the reaction is collective)
        self._dirichlet_colours = [
            c
            for c in range(self.num_colours)
            if self.comm.allreduce(int(counted[c].size), op=MPI.SUM) > 0
        ]
        self.columns = ["time_s", "dt_s"]
        for label, *_ in self._iface_forms:
            self.columns += [f"{label}_heat_flow_W", f"{label}_mean_jump_K"]
        self.columns += [
            "stored_energy_change_J",
            "net_inflow_J",
            "balance_residual_J",
        ]

    def _sum(self, form: fem.Form | None) -> float:
        if form is None:
            return 0.0
        return self._two_pi * float(self.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM))

    def _q_values(self) -> np.ndarray:
        """[sources, inflow of each flux/convection condition] (W) at the current T and
        time; their sum is the Q of the per-step balance."""
        return np.array([self._sum(f) for f in self._Q_forms])

    def _reaction(self) -> np.ndarray:
        """Per fixed-temperature condition, Σ over its owned dofs of the transient
        residual (W): the heat that enters through it during the step (the consistent
        reaction of the θ-step, heat stored in the boundary cells included)."""
        local = np.zeros(len(self._dirichlet_group_dofs))
        if self._F_res is None or not local.size:
            return local
        res: dict[int, np.ndarray] = {}
        for c in self._dirichlet_colours:
            Fc = self._F_res[c]
            if Fc is None:
                continue
            vec = fem.assemble_vector(Fc)
            vec.scatter_reverse(la.InsertMode.add)
            res[c] = vec.array
        for i, group in enumerate(self._dirichlet_group_dofs):
            local[i] = sum(float(np.sum(res[c][dofs])) for c, dofs in group if c in res)
        return self._two_pi * self.comm.allreduce(local, op=MPI.SUM)

    # ------------------------------------------------------------------ state
    def set_initial_temperature(self) -> None:
        """Interpolate ``initial_temperature`` into T and T_n; t = 0, step 0."""
        init = self.initial_field
        per_region: dict[int, Any] = {}
        if isinstance(init, Mapping):
            for key, val in init.items():
                try:
                    per_region[self.tagged.cell_tag(key)] = val
                except MeshError as e:
                    raise InputError(f"initial_temperature: {e}") from None
            missing = [self.region_names[r] for r in self.regions if r not in per_region]
            if missing:
                raise InputError(f"initial_temperature: no value for region(s) {missing}")
        else:
            per_region = dict.fromkeys(self.regions, init)
        for r in self.regions:
            val = per_region[r]
            if not callable(val) and not (isinstance(val, (int, float)) and math.isfinite(val)):
                raise InputError(
                    f"initial_temperature of region {self.region_names[r]!r} must be a finite "
                    f"number (K) or a function of x, got {val!r}"
                )
        order = list(per_region) if isinstance(init, Mapping) else self.regions
        for r in order:
            val = per_region[r]
            fun = val if callable(val) else (lambda x, v=float(val): np.full(x.shape[1], v))
            Tf, cells = self.region_temperature(r)
            Tf.interpolate(fun, cells0=cells)
        for T, Tn in zip(self.T, self.T_n, strict=True):
            T.x.scatter_forward()
            Tn.x.array[:] = T.x.array
        self.t = 0.0
        self.step_count = 0
        self._last_step = None
        self._has_state = True

    def _set_time(self, t_new: float, t_old: float) -> None:
        for tf in self._time_functions:
            tf.set_time(t_new)
        for _, c_old, tf in self._time_pairs:
            c_old.value = tf.at(t_old)
        for g, work, tf in self._timed_dirichlet:
            work.interpolate(tf)
            g.x.array[:] = work.x.array

    def _linear_system(self, theta: float, dt: float) -> LinearSystem:
        key = (theta, dt)
        sys_ = self._systems.get(key)
        if sys_ is None:
            if len(self._systems) >= 6:  # drop the oldest
                old = next(iter(self._systems))
                self._systems.pop(old).destroy()
            sys_ = LinearSystem(self.a, self.L, self.bcs, self.prefix, self.petsc_options)
            self._dt.value, self._theta.value = dt, theta
            sys_.assemble_matrix()
            self.stats["matrix_assemblies"] += 1
            self._systems[key] = sys_
        elif self._matrix_time_dependent:
            self._dt.value, self._theta.value = dt, theta
            sys_.assemble_matrix()
            self.stats["matrix_assemblies"] += 1
        return sys_

    def _advance(self, dt: float, theta: float) -> dict[str, float]:
        """Solve one θ-step of ``dt`` from (t, T_n) into T (not committed); returns
        the energy increments of the step."""
        t_old, t_new = self.t, self.t + dt
        self._set_time(t_new, t_old)
        self._dt.value, self._theta.value = dt, theta
        if self.nonlinear:
            for T, Tn in zip(self.T, self.T_n, strict=True):
                T.x.array[:] = Tn.x.array
            info = self.system.solve()
            self.stats["newton_its"] += info.newton_iterations
        else:
            sys_ = self._linear_system(theta, dt)
            self.system = sys_
            sys_.assemble_rhs()
            self.stats["rhs_assemblies"] += 1
            info = sys_.solve(self.T)
        self.stats["solves"] += 1
        self.last_solve: SolveInfo = info
        E = self._sum(self._E_form)
        Qv = self._q_values()
        QDv = self._reaction()
        Q, QD = float(np.sum(Qv)), float(np.sum(QDv))
        inflow = dt * (theta * Q + (1 - theta) * self._Q_old + QD)
        return {
            "E": E,
            "Q": Q,
            "inflow": inflow,
            "dE": E - self._E_old,
            "dt": dt,
            "theta": theta,
            "Qv": Qv,
            "QDv": QDv,
        }

    def _commit(self, inc: dict[str, Any]) -> None:
        t_old = self.t
        self.t += inc["dt"]
        for T, Tn in zip(self.T, self.T_n, strict=True):
            Tn.x.array[:] = T.x.array
        # what energy_balance() reports: the last committed (sub)step
        self._last_step = {
            "t_old": t_old,
            "t": self.t,
            "dt": inc["dt"],
            "theta": inc["theta"],
            "dE": inc["dE"],
            "Qv_old": [float(q) for q in self._Qv_old],
            "Qv": [float(q) for q in inc["Qv"]],
            "QDv": [float(q) for q in inc["QDv"]],
        }
        self._E_old, self._Q_old, self._Qv_old = inc["E"], inc["Q"], inc["Qv"]
        self._stored += inc["dE"]
        self._inflow += inc["inflow"]
        self._residual += inc["dE"] - inc["inflow"]
        self.step_residuals.append(inc["dE"] - inc["inflow"])

    def _snapshot(self) -> tuple:
        return (
            [Tn.x.array.copy() for Tn in self.T_n],
            self.t,
            self._E_old,
            self._Q_old,
            self._Qv_old,
            self._last_step,
            self._stored,
            self._inflow,
            self._residual,
            len(self.step_residuals),
        )

    def _restore(self, snap: tuple) -> None:
        arrays, self.t, self._E_old, self._Q_old, self._Qv_old, self._last_step, *rest = snap
        self._stored, self._inflow, self._residual, n = rest
        for Tn, T, a in zip(self.T_n, self.T, arrays, strict=True):
            Tn.x.array[:] = a
            T.x.array[:] = a
        del self.step_residuals[n:]

    def _start_accounting(self) -> None:
        self._set_time(self.t, self.t)
        self._E_old = self._sum(self._E_form)
        self._Qv_old = self._q_values()
        self._Q_old = float(np.sum(self._Qv_old))
        self._last_step = None
        self._stored = self._inflow = self._residual = 0.0
        self.step_residuals: list[float] = []

    def _row(self, dt: float) -> list[float]:
        row = [self.t, dt]
        for _label, _area, flow, jump in self._iface_forms:
            row += [self._sum(flow), self._sum(jump) / _area if _area > 0 else math.nan]
        row += [self._stored, self._inflow, self._residual]
        return row

    # ------------------------------------------------------------------ outputs
    def energy_balance(self) -> TransientEnergyBalance:
        """Energy balance of the last time step, heat storage included (W).

        Sources + Σ boundary inflows = storage rate ∫ ρ c_p ∂T/∂t dV, each as the θ-scheme
        conserves it over the last step (see :class:`TransientEnergyBalance`); the
        residual is that of the per-step balance (the ``balance_residual_J`` column)
        divided by Δt: round-off for converged solves.

        Raises:
            InputError: no time step has been taken yet (the storage rate needs one):
                call :meth:`run` first.
        """
        last = self._last_step
        if last is None:
            raise InputError(
                "TransientProblem.energy_balance(): no time step has been taken yet (the "
                "heat-storage rate comes from the last step): call run() first; the "
                "steady balance without storage is SteadyProblem.energy_balance()"
            )
        dt, th = last["dt"], last["theta"]
        q = th * np.array(last["Qv"]) + (1 - th) * np.array(last["Qv_old"])
        inflows = [float(v) for v in q[1:]] + [float(v) for v in last["QDv"]]
        inflow = dict(zip(self._inflow_labels, inflows, strict=True))
        sources = float(q[0])
        storage = last["dE"] / dt
        residual = sources + sum(inflow.values()) - storage
        scale = max(abs(sources) + sum(abs(v) for v in inflows) + abs(storage), 1e-300)
        return TransientEnergyBalance(
            sources, inflow, residual, abs(residual) / scale, storage, last["t"], dt, th
        )

    def interface_table(self):
        """Per-interface :class:`~fe_interface.postprocess.InterfaceSummary` list at
        the current time ``self.t`` (instantaneous values of the current field).

        ``heat_flow_W`` = ∫ h (T⁺ − T⁻) dA is the instantaneous interface heat flow
        at t (the ``*_heat_flow_W`` column of the per-step table).  The bulk values
        ``heat_flow_bulk_plus_W``/``_minus_W`` (and ``heat_flow_W`` of a perfect-contact
        interface, their mean) are instantaneous too, but come from the gradient in the
        cells next to the interface: while the temperature changes they also contain
        part of the heat stored in those cells, an error of order
        h·∫ ρ c_p ∂T/∂t dA (h the cell size) on top of the steady discretisation error,
        so they can differ from ``heat_flow_W`` much more than in a steady solution.
        Use ``heat_flow_W`` for the heat crossing the interface.

        Raises:
            InputError: the problem holds no temperature yet: call :meth:`run` first.
        """
        if not self._has_state:
            raise InputError(
                "TransientProblem.interface_table(): no temperature yet: call run() (or "
                "set_initial_temperature()) first"
            )
        return super().interface_table()

    def interface_history(self) -> dict[str, np.ndarray]:
        """The per-step table (CSV columns) as arrays."""
        arr = np.array(self.history, dtype=float).reshape(-1, len(self.columns))
        return {k: arr[:, i] for i, k in enumerate(self.columns)}

    # ------------------------------------------------------------------ stepping
    def step(self, dt: float) -> None:
        """One fixed step of ``dt`` (Crank–Nicolson start-up steps as two BE half steps)."""
        if self.step_count < self.startup_steps:
            for _ in range(2):
                self._commit(self._advance(0.5 * dt, 1.0))
        else:
            self._commit(self._advance(dt, self.theta))
        self.step_count += 1

    def _adaptive_step(self, dt: float, tol: float) -> tuple[bool, float]:
        """Try a step of ``dt`` by step doubling; returns (accepted, error estimate K)."""
        startup = self.step_count < self.startup_steps
        theta = 1.0 if startup else self.theta
        p = 1 if startup else self.order
        snap = self._snapshot()
        self._advance(dt, theta)
        full = [T.x.array.copy() for T in self.T]
        self._commit(self._advance(0.5 * dt, theta))
        self._commit(self._advance(0.5 * dt, theta))
        local = 0.0
        for c, T in enumerate(self.T):
            n = self.spaces[c].space.dofmap.index_map.size_local
            if n:
                local = max(local, float(np.max(np.abs(T.x.array[:n] - full[c][:n]))))
        err = self.comm.allreduce(local, op=MPI.MAX) / (2**p - 1)
        if err > tol:
            self._restore(snap)
            return False, err
        self.step_count += 1
        return True, err

    # ------------------------------------------------------------------ run
    def run(
        self,
        t_end: float,
        dt: float,
        *,
        adaptive: bool = False,
        tol: float = 1e-2,
        dt_min: float | None = None,
        dt_max: float | None = None,
        output: str | Path | None = None,
        name: str = "transient",
        output_every: int = 1,
        vtx: bool = True,
        checkpoint: str | Path | None = None,
        checkpoint_every: int = 10,
        restart: bool = False,
        progress: bool | None = None,
        callback: Callable[[TransientProblem], Any] | None = None,
    ) -> TransientResult:
        """Integrate from the initial state (or the checkpoint) to ``t_end`` (s).

        Args:
            t_end: final time, s.
            dt: time step (s); the initial step if ``adaptive``.
            adaptive: step-doubling error control (see module docstring).
            tol: adaptive: maximum local error estimate per step, K.
            dt_min, dt_max: adaptive bounds, s (defaults dt·1e-6 and t_end).
            output: folder for ``name.xdmf``/``.h5``, ``name_vtx/``, ``name.csv``.
            output_every: write a frame after every step number divisible by this
                (and after the last one).
            vtx: also write VTX (ADIOS2) files.
            checkpoint: folder for the restart state (``state.npz``, ``dofs.npz``,
                ``frames/``), written every ``checkpoint_every`` steps and at the end.
            restart: continue from ``checkpoint`` if it holds a state.
            progress: progress bar; None: only on a terminal and without ``CI``.
            callback: called with the problem after every accepted step.

        Raises:
            TimeStepError: the adaptive step fell below ``dt_min``.
            SolverError: a linear or Newton solve failed.
        """
        if not self._initialised:
            self.initialise()
        if not (dt > 0 and math.isfinite(dt)) or not (t_end > 0 and math.isfinite(t_end)):
            raise InputError(f"dt and t_end must be positive, got dt={dt!r}, t_end={t_end!r}")
        dt_min = dt * 1e-6 if dt_min is None else dt_min
        dt_max = t_end if dt_max is None else dt_max
        if adaptive and not 0 < dt_min <= dt_max:
            raise InputError(f"need 0 < dt_min <= dt_max, got {dt_min!r}, {dt_max!r}")
        timings = {"solve": 0.0, "output": 0.0, "checkpoint": 0.0}
        t_start = time.perf_counter()
        ck = Path(checkpoint) if checkpoint is not None else None
        restarted_from = None
        self.set_initial_temperature()
        self.history: list[list[float]] = []
        self.frame_times: list[float] = []
        self._start_accounting()
        if ck is not None:
            self._setup_canonical(ck)
            if restart and self._load_checkpoint(ck):
                restarted_from = self.t
                dt = self._ck_dt
        writer = _Outputs(self, Path(output), name, vtx) if output is not None else None
        files: dict[str, Any] = {}
        try:
            if writer is not None:
                t0 = time.perf_counter()
                writer.open()
                for i, tf in enumerate(self.frame_times):  # rebuild frames up to restart
                    writer.write_frame(tf, self._load_frame(ck, i), replay=True)
                if not self.frame_times:
                    self._frame(writer, ck)
                timings["output"] += time.perf_counter() - t0
            bar = ProgressBar(self.t, t_end, progress)
            rejected = 0
            while self.t < t_end * (1 - 1e-12):
                remaining = t_end - self.t
                final = remaining <= dt * (1 + 1e-9)
                # a last step within round-off of dt keeps dt (and its matrix)
                step_dt = remaining if final and remaining < dt * (1 - 1e-9) else dt
                t0 = time.perf_counter()
                if adaptive:
                    if step_dt < dt_min * (1 - 1e-12) and not final:
                        raise TimeStepError(
                            f"adaptive time step fell below dt_min = {dt_min:.3g} s at "
                            f"t = {self.t:.6g} s; raise tol ({tol:.3g} K) or lower dt_min"
                        )
                    ok, err = self._adaptive_step(step_dt, tol)
                    factor = 0.9 * (tol / err) ** (1 / (self.order + 1)) if err > 0 else 4.0
                    k = int(math.floor(math.log2(max(min(factor, 4.0), 1e-3))))
                    if not ok:
                        rejected += 1
                        dt = step_dt * 2.0 ** min(k, -1)
                        if dt < dt_min * (1 - 1e-12):
                            raise TimeStepError(
                                f"adaptive time step fell below dt_min = {dt_min:.3g} s at "
                                f"t = {self.t:.6g} s (error estimate {err:.3g} K > tol = "
                                f"{tol:.3g} K)"
                            )
                        timings["solve"] += time.perf_counter() - t0
                        continue
                    if step_dt == dt:  # a truncated last step does not change dt
                        dt = min(dt * 2.0 ** max(min(k, 1), -1), dt_max)
                else:
                    self.step(step_dt)
                if final:
                    self.t = t_end
                timings["solve"] += time.perf_counter() - t0
                self.history.append(self._row(step_dt))
                last = self.t >= t_end * (1 - 1e-12)
                if writer is not None and (self.step_count % output_every == 0 or last):
                    t0 = time.perf_counter()
                    self._frame(writer, ck)
                    timings["output"] += time.perf_counter() - t0
                if ck is not None and (self.step_count % checkpoint_every == 0 or last):
                    t0 = time.perf_counter()
                    self._ck_dt = dt
                    self._save_checkpoint(ck, dt)
                    if writer is not None:
                        writer.write_csv()
                    timings["checkpoint"] += time.perf_counter() - t0
                bar.update(self.t, self.step_count, step_dt)
                if callback is not None:
                    callback(self)
            bar.close(self.t, self.step_count, dt)
            if writer is not None:
                t0 = time.perf_counter()
                files = writer.close()
                writer = None
                timings["output"] += time.perf_counter() - t0
        finally:
            if writer is not None:
                writer.abort()
        timings["total"] = time.perf_counter() - t_start
        return TransientResult(
            self.T,
            self.t,
            self.step_count,
            rejected,
            self.interface_history(),
            files,
            timings,
            restarted_from,
        )

    # ------------------------------------------------------------------ checkpoints
    def _active(self, c: int) -> np.ndarray:
        """Local dofs (owned and ghost) that carry a temperature: not the inactive halo
        dofs of a colour space (fixed to 0; their coordinates may repeat real dofs)."""
        V = self.spaces[c].space
        imap = V.dofmap.index_map
        mask = np.ones(imap.size_local + imap.num_ghosts, dtype=bool)
        inactive = getattr(self.spaces[c], "inactive_dofs", None)
        if inactive is not None:
            mask[inactive] = False
        return mask

    def _owned_coords(self, c: int) -> np.ndarray:
        V = self.spaces[c].space
        n = V.dofmap.index_map.size_local
        return V.tabulate_dof_coordinates()[:n][self._active(c)[:n]]

    def _setup_canonical(self, ck: Path) -> None:
        """Canonical (coordinate-sorted) dof order per colour, shared by all restarts."""
        from scipy.spatial import cKDTree

        comm = self.comm
        path = ck / "dofs.npz"
        exists = comm.bcast(path.is_file() if comm.rank == 0 else None, root=0)
        coords: list[np.ndarray] = []
        if exists:
            data = np.load(path) if comm.rank == 0 else None
            for c in range(self.num_colours):
                coords.append(comm.bcast(data[f"x{c}"] if data is not None else None, root=0))
            if len(coords) != self.num_colours or (
                data is not None and int(data["num_colours"]) != self.num_colours
            ):
                raise InputError(f"checkpoint {ck}: made for a different model (colours differ)")
        else:
            for c in range(self.num_colours):
                allc = comm.gather(self._owned_coords(c), root=0)
                if comm.rank == 0:
                    X = np.concatenate(allc)
                    X = X[np.lexsort(X.T[::-1])]
                else:
                    X = None
                coords.append(comm.bcast(X, root=0))
            if comm.rank == 0:
                write_bytes(
                    path,
                    _npz_bytes(
                        num_colours=self.num_colours,
                        degree=self.degree,
                        **{f"x{c}": X for c, X in enumerate(coords)},
                    ),
                    fsync=True,
                )
        diam = float(np.max(np.ptp(np.concatenate(coords), axis=0))) or 1.0
        self._canon_idx: list[np.ndarray] = []
        self._canon_n: list[int] = []
        for c, X in enumerate(coords):
            V = self.spaces[c].space
            active = self._active(c)
            n = V.dofmap.index_map.size_local
            nglob = comm.allreduce(int(active[:n].sum()), op=MPI.SUM)
            if X.shape[0] != nglob:
                raise InputError(
                    f"checkpoint {ck}: colour {c} has {X.shape[0]} dofs, the model {nglob}: "
                    "not the same mesh/degree"
                )
            idx = np.full(active.size, -1, dtype=np.int64)
            dist, found = cKDTree(X).query(V.tabulate_dof_coordinates()[active])
            if dist.size and float(dist.max()) > 1e-8 * diam:
                raise InputError(f"checkpoint {ck}: dof coordinates do not match this mesh")
            idx[active] = found
            self._canon_idx.append(idx)
            self._canon_n.append(nglob)

    def _gather_canonical(self, funcs: Sequence[fem.Function]) -> list[np.ndarray] | None:
        """Owned values in canonical order on rank 0 (None elsewhere)."""
        out = []
        for c, f in enumerate(funcs):
            n = self.spaces[c].space.dofmap.index_map.size_local
            idx = self._canon_idx[c][:n]
            sel = idx >= 0
            parts = self.comm.gather((idx[sel], f.x.array[:n][sel].copy()), root=0)
            if self.comm.rank == 0:
                arr = np.full(self._canon_n[c], np.nan)
                for idx, val in parts:
                    arr[idx] = val
                out.append(arr)
        return out if self.comm.rank == 0 else None

    def _scatter_canonical(self, arrays: list[np.ndarray] | None, funcs: Sequence[fem.Function]):
        for c, f in enumerate(funcs):
            a = self.comm.bcast(arrays[c] if arrays is not None else None, root=0)
            idx = self._canon_idx[c]
            f.x.array[:] = np.where(idx >= 0, a[np.maximum(idx, 0)], 0.0)

    def _save_checkpoint(self, ck: Path, dt: float) -> None:
        vals = self._gather_canonical(self.T_n)
        if self.comm.rank == 0:
            meta = {
                "t": self.t,
                "step": self.step_count,
                "dt": dt,
                "theta": self.theta,
                "E_old": self._E_old,
                "Q_old": self._Q_old,
                "Q_old_terms": [float(q) for q in self._Qv_old],
                "last_step": self._last_step,
                "stored": self._stored,
                "inflow": self._inflow,
                "residual": self._residual,
                "frame_times": self.frame_times,
                "columns": self.columns,
            }
            write_bytes(
                ck / "state.npz",
                _npz_bytes(
                    meta=np.array(json.dumps(meta)),
                    history=np.array(self.history, float).reshape(-1, len(self.columns)),
                    step_residuals=np.array(self.step_residuals, float),
                    **{f"T{c}": a for c, a in enumerate(vals)},
                ),
                fsync=True,
            )
        self.comm.barrier()

    def _load_checkpoint(self, ck: Path) -> bool:
        """Restore the state from ``ck/state.npz``; False if there is none."""
        comm = self.comm
        path = ck / "state.npz"
        data = None
        if comm.rank == 0 and path.is_file():
            with np.load(path) as z:
                data = {k: z[k] for k in z.files if not k.startswith("T")}
        data = comm.bcast(data, root=0)
        if data is None:
            return False
        meta = json.loads(str(data["meta"]))
        if meta["theta"] != self.theta or meta["columns"] != self.columns:
            raise InputError(
                f"checkpoint {ck}: written by a different problem (theta {meta['theta']}, "
                f"columns {meta['columns']})"
            )
        arrays = None
        if comm.rank == 0:
            with np.load(path) as z:
                arrays = [z[f"T{c}"] for c in range(self.num_colours)]
        self._scatter_canonical(arrays, self.T_n)
        for T, Tn in zip(self.T, self.T_n, strict=True):
            T.x.array[:] = Tn.x.array
        self.t = float(meta["t"])
        self.step_count = int(meta["step"])
        self._ck_dt = float(meta["dt"])
        self._E_old, self._Q_old = float(meta["E_old"]), float(meta["Q_old"])
        # (checkpoints of older versions lack the split of Q and the last step)
        self._last_step = meta.get("last_step")
        self._stored, self._inflow = float(meta["stored"]), float(meta["inflow"])
        self._residual = float(meta["residual"])
        self.frame_times = [float(t) for t in meta["frame_times"]]
        self.history = [list(map(float, r)) for r in data["history"]]
        self.step_residuals = [float(r) for r in data["step_residuals"]]
        self._set_time(self.t, self.t)
        terms = meta.get("Q_old_terms")
        self._Qv_old = np.array(terms, float) if terms is not None else self._q_values()
        return True

    def _frame(self, writer: _Outputs, ck: Path | None) -> None:
        """Write an output frame (and store it for a restart)."""
        i = len(self.frame_times)
        self.frame_times.append(self.t)
        if ck is not None:
            vals = self._gather_canonical(self.T)
            if self.comm.rank == 0:
                write_bytes(
                    ck / "frames" / f"frame_{i:06d}.npz",
                    _npz_bytes(t=np.array(self.t), **{f"T{c}": a for c, a in enumerate(vals)}),
                    fsync=True,
                )
        writer.write_frame(self.t)

    def _load_frame(self, ck: Path, i: int) -> list[np.ndarray] | None:
        if self.comm.rank != 0:
            return None
        with np.load(ck / "frames" / f"frame_{i:06d}.npz") as z:
            return [z[f"T{c}"] for c in range(self.num_colours)]


class _Outputs:
    """Time-series writers in a temporary folder; moved into place by :meth:`close`."""

    def __init__(self, p: TransientProblem, folder: Path, name: str, vtx: bool) -> None:
        self.p, self.folder, self.name, self.vtx = p, folder, name, vtx
        self.comm = p.comm

    def open(self) -> None:
        import h5py
        import meshio.xdmf

        from fe_interface.export import gather_vertex_fields

        comm = self.comm
        if comm.rank == 0:
            self.folder.mkdir(parents=True, exist_ok=True)
            for stale in self.folder.glob(f".tmp_{self.name}_*"):  # from a killed run
                shutil.rmtree(stale, ignore_errors=True)
            tmp = tempfile.mkdtemp(prefix=f".tmp_{self.name}_", dir=self.folder)
        else:
            tmp = None
        self.tmp = Path(comm.bcast(tmp, root=0))
        data = gather_vertex_fields(self.p)
        self.xdmf = None
        if comm.rank == 0:
            from fe_interface.export import _MESHIO_TYPE

            points, cells, _, cdata = data
            w = meshio.xdmf.TimeSeriesWriter(self.tmp / f"{self.name}.xdmf")
            # meshio opens the .h5 relative to the working directory: open it here
            w.h5_filename = f"{self.name}.h5"
            w.h5_file = h5py.File(self.tmp / w.h5_filename, "w")
            w.write_points_cells(
                points, [(_MESHIO_TYPE[self.p.tagged.mesh.topology.cell_type], cells)]
            )
            self.xdmf = w
            self.cdata = {k: [v] for k, v in cdata.items()}
        self.vtx_writers = []
        if self.vtx:
            from dolfinx.io import VTXWriter

            for c, T in enumerate(self.p.T):
                self.vtx_writers.append(
                    VTXWriter(
                        comm,
                        self.tmp / f"{self.name}_vtx" / f"temperature_colour{c}.bp",
                        [T],
                        engine="BP4",
                    )
                )

    def write_frame(
        self, t: float, arrays: list[np.ndarray] | None = None, replay: bool = False
    ) -> None:
        """Write T, or (``replay``, collective) the stored canonical ``arrays`` (given on
        rank 0) of a frame written before a restart."""
        from fe_interface.export import gather_vertex_fields

        p = self.p
        saved = None
        if replay:
            saved = [T.x.array.copy() for T in p.T]
            p._scatter_canonical(arrays, p.T)
        data = gather_vertex_fields(p)
        if self.comm.rank == 0:
            self.xdmf.write_data(t, point_data=data[2], cell_data=self.cdata)
        for wr in self.vtx_writers:
            wr.write(t)
        if saved is not None:
            for T, a in zip(p.T, saved, strict=True):
                T.x.array[:] = a

    def write_csv(self) -> Path:
        path = self.folder / f"{self.name}.csv"
        if self.comm.rank == 0:
            buf = io.StringIO()
            wr = csv.writer(buf, lineterminator="\n")
            wr.writerow(self.p.columns)
            for row in self.p.history:
                wr.writerow([repr(float(v)) for v in row])
            write_bytes(path, buf.getvalue().encode())
        self.comm.barrier()
        return path

    def close(self) -> dict[str, Any]:
        for wr in self.vtx_writers:
            wr.close()
        self.comm.barrier()
        out: dict[str, Any] = {"csv": self.write_csv()}
        xdmf = self.folder / f"{self.name}.xdmf"
        vtx_dir = self.folder / f"{self.name}_vtx"
        if self.comm.rank == 0:
            self.xdmf.__exit__()
            os.replace(self.tmp / f"{self.name}.h5", self.folder / f"{self.name}.h5")
            os.replace(self.tmp / f"{self.name}.xdmf", xdmf)
            if self.vtx:
                if vtx_dir.exists():
                    shutil.rmtree(vtx_dir)
                os.replace(self.tmp / f"{self.name}_vtx", vtx_dir)
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.comm.barrier()
        out["xdmf"] = xdmf
        if self.vtx:
            out["vtx"] = [vtx_dir / f"temperature_colour{c}.bp" for c in range(len(self.p.T))]
        return out

    def abort(self) -> None:
        for wr in self.vtx_writers:
            try:
                wr.close()
            except Exception:
                pass
        if self.comm.rank == 0:
            if self.xdmf is not None:
                try:
                    self.xdmf.h5_file.close()
                except Exception:
                    pass
            shutil.rmtree(self.tmp, ignore_errors=True)
