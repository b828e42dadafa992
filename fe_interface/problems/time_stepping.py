"""The θ-scheme stepper of transient conduction: one step at a time, its energy balance.

:class:`TransientStepper` holds the state (T, T_n, t), builds the θ-scheme forms and
systems, advances and commits steps (fixed, Crank–Nicolson start-up, step doubling) and
keeps the energy bookkeeping; :class:`~fe_interface.problems.transient.TransientProblem`
adds the run: the time loop, adaptivity, output frames and checkpoints.  The scheme and
its balance: :mod:`fe_interface.problems.transient`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import numpy as np
import ufl
from dolfinx import fem, la

from fe_interface.discretisation.bulk import HeatStorage
from fe_interface.discretisation.formulation import Formulation
from fe_interface.discretisation.layers import InterfaceStorage
from fe_interface.errors import InputError, collective
from fe_interface.mesh import TaggedMesh
from fe_interface.model.boundary import BoundaryCondition
from fe_interface.model.interfaces import Interface
from fe_interface.model.materials import Material
from fe_interface.model.model import Model
from fe_interface.model.sources import HeatSource
from fe_interface.model.time import TimeFunction
from fe_interface.postprocessing.balance import (
    EnergyBalance,
    HeatRates,
    balance_floor,
    balance_warning,
    dirichlet_reactions,
    make_balance,
)
from fe_interface.postprocessing.derived import Derived, DerivedValues, Monitors
from fe_interface.postprocessing.interfaces import (
    InterfaceSummary,
    InterfaceTable,
    check_laws,
)
from fe_interface.problems.base import ConductionProblem, jacobian_symmetric
from fe_interface.problems.steady import newton_checked
from fe_interface.solvers.conditioning import contrast_warning
from fe_interface.solvers.linear import LinearSolver, SolveInfo
from fe_interface.solvers.nonlinear import NewtonSolver

__all__ = ["SCHEMES", "TransientStepper"]


#: PETSc's scalar type, a NumPy scalar type (petsc4py's stubs declare it a dtype)
_SCALAR: Any = PETSc.ScalarType

#: time schemes by name -> θ
SCHEMES = {
    "backward_euler": 1.0,
    "be": 1.0,
    "implicit_euler": 1.0,
    "crank_nicolson": 0.5,
    "cn": 0.5,
}


def _theta(scheme: str | float) -> float:
    if isinstance(scheme, str):
        if scheme.lower() not in SCHEMES:
            raise InputError(
                f"unknown time scheme {scheme!r}: use 'backward_euler', 'crank_nicolson' or "
                "a number theta in [0.5, 1]"
            )
        return SCHEMES[scheme.lower()]
    theta = float(scheme)
    if not 0.5 <= theta <= 1.0:
        raise InputError(f"theta must lie in [0.5, 1] (stable schemes), got {theta!r}")
    return theta


class TransientStepper(ConductionProblem):
    """The state and steps of a transient problem (arguments: :class:`~fe_interface.problems.transient.TransientProblem`)."""

    stores_heat = True
    # energy bookkeeping, set by the initial state and every accepted step (W, J)
    _Qv_old: np.ndarray
    _stored: float
    _inflow: float
    _residual: float

    def __init__(
        self,
        tagged: TaggedMesh,
        materials: Mapping[Any, Material],
        interfaces: Sequence[Interface] = (),
        boundary_conditions: Sequence[BoundaryCondition] = (),
        sources: Sequence[HeatSource] = (),
        initial_temperature: float
        | Mapping[Any, float | Callable]
        | Callable = 293.15,  # keys: region names or tags
        scheme: str | float = "backward_euler",
        startup_steps: int = 2,
        degree: int = 1,
        axisymmetric: bool = False,
        solver: str = "iterative",
        petsc_options: Mapping[str, Any] | None = None,
        petsc_options_prefix: str | None = None,
        probes: Any = None,
        monitor_regions: Sequence[str] = (),
    ) -> None:
        for key, m in materials.items():
            if isinstance(m, Material) and m.heat_capacity is None:
                missing = [n for n in ("density", "specific_heat") if getattr(m, n) is None]
                raise InputError(
                    f"material {m.name!r} (region {key!r}): a transient problem needs "
                    f"{' and '.join(missing)} (density in kg/m^3, specific_heat in J/(kg K))"
                )
        self.theta = _theta(scheme)
        self.order = 2 if self.theta == 0.5 else 1
        self.startup_steps = int(startup_steps) if self.theta < 1.0 else 0
        super().__init__(
            tagged, materials, interfaces, boundary_conditions, sources, degree, axisymmetric,
            solver, petsc_options, petsc_options_prefix,
        )  # fmt: skip
        self.initial_field = initial_temperature
        self.probes = probes
        self.monitor_regions = (
            [monitor_regions] if isinstance(monitor_regions, str) else list(monitor_regions)
        )
        self.t = 0.0
        self.step_count = 0
        self.stats = {"matrix_assemblies": 0, "rhs_assemblies": 0, "solves": 0, "newton_its": 0}
        self.history: list[list[float]] = []
        self.frame_times: list[float] = []
        self.step_residuals: list[float] = []
        self._last_step: dict[str, Any] | None = None
        self._has_state = False
        #: called with (dt, θ) after every solved step, before it is committed
        self.on_step: Callable[[float, float], None] | None = None
        self.last_solve = SolveInfo(0, 0.0, "no step solved yet")

    # ------------------------------------------------------------------ set-up
    def initialise(self) -> None:
        """Check the input, build the space, the forms and the diagnostics (collective)."""
        model = Model(
            self.tagged, self.materials, self.interfaces, self.boundary_conditions, self.sources
        )
        f = Formulation(model, self.degree, self.axisymmetric, self.separate_values)
        self.formulation = f
        mesh = f.mesh
        self.T_n = fem.Function(f.space, name="T_old")
        self._dt = fem.Constant(mesh, _SCALAR(1.0))
        self._theta_c = fem.Constant(mesh, _SCALAR(self.theta))
        self._theta_now = self.theta
        th, dt = self._theta_c, self._dt
        v = ufl.TestFunction(f.space)

        storage = HeatStorage(f)
        self.nonlinear = f.nonlinear or storage.nonlinear
        layers = InterfaceStorage(f)  # thin layers (interfaces) that store heat

        def mass(T: Any) -> Any:
            return storage.rate(T, self.T_n, dt, v) + layers.rate(T, self.T_n, dt, v)

        R_new = f.residual(f.T, v)
        # time constants in the residual, and their old-time twins for R(T_n)
        tconsts: list[Any] = []
        for c in R_new.constants():
            if hasattr(c, "_fe_time_function") and all(c is not d for d in tconsts):
                tconsts.append(c)
        self._time_pairs = [
            (c, fem.Constant(mesh, _SCALAR(float(c.value))), c._fe_time_function) for c in tconsts
        ]
        self._time_functions: list[TimeFunction] = []
        for tf in [tf for _, _, tf in self._time_pairs] + [
            g.value for g in f.dirichlet if isinstance(g.value, TimeFunction)
        ]:
            if all(tf is not u for u in self._time_functions):
                self._time_functions.append(tf)
        replace = {c: c_old for c, c_old, _ in self._time_pairs}
        R_old = f.residual(self.T_n, v)
        if replace:
            R_old = ufl.replace(R_old, replace)
        F = mass(f.T) + th * R_new + (1 - th) * R_old
        self.step_residual = F  # UFL: the θ-step residual (tangent-linear sensitivities)
        self._F_res = fem.form(F) if f.dirichlet else None
        self._marker = f.bc_marker()
        self._systems: dict[tuple[float, float], LinearSolver] = {}
        self._stale: set[tuple[float, float]] = set()
        self.newton: NewtonSolver | None = None
        self._newton_step: tuple[float, float] | None = None  # (dt, θ) of the last Newton step
        if self.nonlinear:
            J = ufl.derivative(F, f.T, ufl.TrialFunction(f.space))
            self.newton = NewtonSolver(
                fem.form(F), fem.form(J), f.T, f.bcs, f.coupling, self._marker, self.prefix,
                self.petsc_options, self.theta, self._add_old_coupling,
                symmetric=jacobian_symmetric(f),
            )  # fmt: skip
        else:
            u = ufl.TrialFunction(f.space)
            a, L = ufl.system(mass(u) + th * f.residual(u, v) + (1 - th) * R_old)
            self._matrix_time_dependent = any(
                hasattr(c, "_fe_time_function") for c in a.constants()
            )
            self._a, self._L = fem.form(a), fem.form(L)
        # diagnostics
        self._E_form = fem.form(storage.energy(f.T) + layers.energy(f.T))
        self._rates = HeatRates(f)
        self.table = InterfaceTable(f)
        self._inflow_labels = [b.label for b in model.boundaries]
        self._inflow_labels += [c.label for c in model.constraints]
        self.columns = ["time_s", "dt_s"]
        labels = [d.label for d in model.interfaces] + [p.label for p in model.pairs]
        for label in labels:  # pairs: rows after the interfaces
            self.columns += [f"{label}_heat_flow_W", f"{label}_mean_jump_K"]
        self.columns += ["stored_energy_change_J", "net_inflow_J", "balance_residual_J"]
        self.monitors = Monitors(f, self.probes, self.monitor_regions)  # probes, regions
        self.columns += self.monitors.columns
        msg = contrast_warning(f, self.petsc_options)
        if msg:
            warnings.warn(msg, stacklevel=2)

    def _add_old_coupling(self, b: np.ndarray) -> None:
        """Add the old-time interface terms to ``b``: b += (1 − θ) K T_n."""
        f = self._formulation()
        if f.coupling is not None and self._theta_now < 1.0:
            b += (1.0 - self._theta_now) * f.coupling.apply(self.T_n.x.array)

    def _subtract_old_coupling(self, b: np.ndarray) -> None:
        f = self._formulation()
        if f.coupling is not None and self._theta_now < 1.0:
            b -= (1.0 - self._theta_now) * f.coupling.apply(self.T_n.x.array)

    # ------------------------------------------------------------------ state
    def set_initial_temperature(self) -> None:
        """Interpolate ``initial_temperature`` into T and T_n; t = 0, step 0."""
        f = self._formulation()
        model = f.model
        init = self.initial_field
        per_region: dict[int, Any] = {}
        if isinstance(init, Mapping):
            for key, val in init.items():
                per_region[model.region_tag(key, "initial_temperature")] = val
            missing = [model.region_names[r] for r in model.regions if r not in per_region]
            if missing:
                raise InputError(f"initial_temperature: no value for region(s) {missing}")
        else:
            per_region = dict.fromkeys(model.regions, init)
        for r in model.regions:
            val = per_region[r]
            if callable(val):
                continue
            if not isinstance(val, (int, float, np.floating)) or not math.isfinite(val) or val <= 0:
                raise InputError(
                    f"initial_temperature of region {model.region_names[r]!r} must be a "
                    f"positive finite number (K) or a function of x, got {val!r}"
                )
        order = list(per_region) if isinstance(init, Mapping) else model.regions
        for r in order:
            val = per_region[r]
            fun = val if callable(val) else (lambda x, v=float(val): np.full(x.shape[1], v))
            cells = model.region_cells(r)
            with collective(self.comm):
                try:
                    f.T.interpolate(fun, cells0=cells)
                except Exception as e:  # a user function that fails on these points
                    raise InputError(
                        f"initial_temperature of region {model.region_names[r]!r}: the "
                        f"function failed: {type(e).__name__}: {e}"
                    ) from None
            self._check_initial(r, cells)
        f.T.x.scatter_forward()
        self.T_n.x.array[:] = f.T.x.array
        self.t = 0.0
        self.step_count = 0
        self._last_step = None
        self._has_state = True

    def check(self) -> None:
        """Make every check of :meth:`run` that precedes the first step, without one (collective).

        The model and its discretisation, the initial temperature and, for Newton steps, the
        temperature-dependent laws at it.  ``fe-interface check`` calls it.

        Raises:
            InputError: what :meth:`run` would raise before its first step.
        """
        self.set_initial_temperature()
        if self.newton is not None:
            check_laws(self.table)

    def _check_initial(self, region: int, cells: np.ndarray) -> None:
        """The interpolated initial temperature of ``region`` is finite and > 0 K (collective).

        Else InputError naming the region and a point.
        """
        f = self._formulation()
        dofs = np.unique(f.space.dofmap.list[cells]) if cells.size else np.empty(0, np.int32)
        vals = f.T.x.array[dofs]
        bad = ~np.isfinite(vals) | (vals <= 0)
        msg = None
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            x = f.space.tabulate_dof_coordinates()[dofs[i]]
            msg = (
                f"initial_temperature of region {f.model.region_names[region]!r}: "
                f"T = {float(vals[i]):.6g} K at x = {[round(float(c), 12) for c in x]} (must be finite "
                "and > 0 K)"
            )
        msgs = [m for m in self.comm.allgather(msg) if m]
        if msgs:
            raise InputError(msgs[0])

    def _set_time(self, t_new: float, t_old: float) -> None:
        for tf in self._time_functions:
            tf.set_time(t_new)
        for _, c_old, tf in self._time_pairs:
            c_old.value = tf.at(t_old)
        for g in self._formulation().dirichlet:
            if isinstance(g.value, TimeFunction):
                g.interpolate()

    def _linear_system(self, theta: float, dt: float) -> LinearSolver:
        f = self._formulation()
        key = (theta, dt)
        sys_ = self._systems.get(key)
        if sys_ is None:
            if len(self._systems) >= 6:  # drop the oldest
                self._systems.pop(next(iter(self._systems))).destroy()
            sys_ = LinearSolver(
                self._a, self._L, f.bcs, f.coupling, self._marker, self.prefix,
                self.petsc_options, theta,
            )  # fmt: skip
            self._dt.value, self._theta_c.value = dt, theta
            sys_.assemble_matrix()
            self.stats["matrix_assemblies"] += 1
            self._systems[key] = sys_
        elif self._matrix_time_dependent or key in self._stale:
            sys_.assemble_matrix()
            self._stale.discard(key)
            self.stats["matrix_assemblies"] += 1
        return sys_

    def step_system(self, theta: float, dt: float) -> LinearSolver:
        """The assembled linear system (matrix and solver) of a θ-step of ``dt`` (s).

        Linear problems only; the one the last step used when called from :attr:`on_step`.
        """
        return self._linear_system(theta, dt)

    def _values_changed(self, materials: bool) -> None:
        self._stale = set(self._systems)
        self._newton_step = None
        if materials:
            self.table = InterfaceTable(self._formulation())

    def _advance(self, dt: float, theta: float) -> dict[str, Any]:
        """Solve one θ-step of ``dt`` from (t, T_n) into T (not committed).

        Returns the energy increments of the step.
        """
        f = self._formulation()
        t_old, t_new = self.t, self.t + dt
        self._set_time(t_new, t_old)
        self._dt.value, self._theta_c.value = dt, theta
        self._theta_now = theta
        info: SolveInfo
        if self.newton is not None:
            self.newton.coupling_scale = theta
            f.T.x.array[:] = self.T_n.x.array
            # steps of one size keep the preconditioner while it pays (NewtonSolver.solve)
            keep = self._newton_step == (dt, theta)
            self._newton_step = (dt, theta)
            info = newton_checked(self.newton, self.table, keep)
            self.stats["newton_its"] += info.newton_iterations
        else:
            sys_ = self._linear_system(theta, dt)
            sys_.assemble_rhs(self._subtract_old_coupling)
            self.stats["rhs_assemblies"] += 1
            info = sys_.solve(f.T)
        self.stats["solves"] += 1
        self.last_solve = info
        f.roundoff_W = info.roundoff_W
        E = self._sum(self._E_form)
        src, inflows = self._rates.values()
        Qv = np.array([src, *inflows.values()])
        QDv = self._reaction(theta)
        Q, QD = float(np.sum(Qv)), float(np.sum(QDv))
        return {
            "E": E,
            "Q": Q,
            "inflow": dt * (theta * Q + (1 - theta) * self._Q_old + QD),
            "dE": E - self._E_old,
            "dt": dt,
            "theta": theta,
            "Qv": Qv,
            "QDv": QDv,
        }

    def _sum(self, form: fem.Form) -> float:
        f = self._formulation()
        return f.two_pi * float(self.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM))

    def _reaction(self, theta: float) -> np.ndarray:
        """Per fixed-temperature condition, the θ-step residual summed over its owned dofs (W).

        The heat entering through it during the step (the consistent reaction, heat stored in
        the boundary cells included).
        """
        f = self._formulation()
        if self._F_res is None:
            return np.zeros(0)
        vec = fem.assemble_vector(self._F_res)
        if f.coupling is not None:
            vec.array[:] += theta * f.coupling.apply(f.T.x.array)
            if theta < 1.0:
                vec.array[:] += (1.0 - theta) * f.coupling.apply(self.T_n.x.array)
        vec.scatter_reverse(la.InsertMode.add)
        return np.array(list(dirichlet_reactions(f, vec.array).values()))

    def _commit(self, inc: dict[str, Any]) -> None:
        if self.on_step is not None:  # T is the new level, T_n still the old one
            self.on_step(inc["dt"], inc["theta"])
        f = self._formulation()
        t_old = self.t
        self.t += inc["dt"]
        self.T_n.x.array[:] = f.T.x.array
        self._last_step = {
            "t_old": t_old,
            "t": self.t,
            "dt": inc["dt"],
            "theta": inc["theta"],
            "dE": inc["dE"],
            "E": float(inc["E"]),
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
            self.T_n.x.array.copy(),
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
        arr, self.t, self._E_old, self._Q_old, self._Qv_old, self._last_step, *rest = snap
        self._stored, self._inflow, self._residual, n = rest
        self.T_n.x.array[:] = arr
        self._formulation().T.x.array[:] = arr
        del self.step_residuals[n:]

    def _start_accounting(self) -> None:
        self._set_time(self.t, self.t)
        self._E_old = self._sum(self._E_form)
        src, inflows = self._rates.values()
        self._Qv_old = np.array([src, *inflows.values()])
        self._Q_old = float(np.sum(self._Qv_old))
        self._last_step = None
        self._stored = self._inflow = self._residual = 0.0
        self.step_residuals = []

    def _row(self, dt: float) -> list[float]:
        row = [self.t, dt]
        for q, jump in self.table.flows_and_jumps():
            row += [q, jump]
        return [*row, self._stored, self._inflow, self._residual, *self.monitors.row()]

    # ------------------------------------------------------------------ outputs
    def energy_balance(self) -> EnergyBalance:
        """Energy balance of the last time step, heat storage included (W).

        Sources + Σ boundary inflows = storage rate ∫ ρ c_p ∂T/∂t dV, each as the
        θ-scheme conserves it over the last step: for θ < 1 the sources and inflows are
        the θ-weighted means of their values at t − Δt and t, the storage rate the
        difference quotient.  "The last step" is the last one solved (a Crank–Nicolson
        start-up step and an adaptive step are each two half steps).

        Raises:
            InputError: no time step has been taken yet: call :meth:`run` first.
        """
        last = self._last_step
        if last is None:
            raise InputError(
                "TransientProblem.energy_balance(): no time step has been taken yet (the "
                "heat-storage rate comes from the last step): call run() first"
            )
        dt, th = last["dt"], last["theta"]
        q = th * np.array(last["Qv"]) + (1 - th) * np.array(last["Qv_old"])
        f = self._formulation()
        flux_labels = [t.label for t in f.rate_terms() if t.kind == "boundary"]
        inflow = dict(zip(flux_labels, (float(v) for v in q[1:]), strict=True))
        inflow |= dict(
            zip(
                (g.boundary.label for g in f.dirichlet),
                (float(v) for v in last["QDv"]),
                strict=True,
            )
        )
        inflow = {k: inflow[k] for k in self._inflow_labels if k in inflow}
        floor = balance_floor(f, f.T, abs(float(last.get("E", 0.0))), dt)
        b = make_balance(float(q[0]), inflow, last["dE"] / dt, (last["t"], dt, th), floor)
        msg = balance_warning(b)
        if msg:
            warnings.warn(msg, stacklevel=2)
        return b

    def interface_table(self) -> list[InterfaceSummary]:
        """Per-interface table at the current time (instantaneous values).

        ``heat_flow_W`` = ∫ h (T⁺ − T⁻) dA is the interface heat flow at t.  The bulk
        values come from the gradient in the cells next to the interface: while the
        temperature changes they also contain part of the heat stored in those cells.

        Raises:
            InputError: the problem holds no temperature yet: call :meth:`run` first.
        """
        if not self._has_state:
            raise InputError(
                "TransientProblem.interface_table(): no temperature yet: call run() (or "
                "set_initial_temperature()) first"
            )
        return self.table.compute()

    def derived_values(
        self, probes: Any = None, junction: str | None = None, regions: list[str] | None = None
    ) -> DerivedValues:
        """Junction and region temperatures, probes and boundary heat flows (K, W).

        The temperatures at the current time, the boundary heat flows of the last step
        (θ-weighted, as in :meth:`energy_balance`); see
        :class:`~fe_interface.postprocessing.derived.DerivedValues`.

        Raises:
            InputError: no time step has been taken yet.
        """
        balance = self.energy_balance()
        probes = self.probes if probes is None else probes
        return Derived(self._formulation(), probes, junction, regions).compute(balance=balance)

    def interface_history(self) -> dict[str, np.ndarray]:
        """The per-step table (CSV columns) as arrays."""
        arr = np.array(self.history, dtype=float).reshape(-1, len(self.columns))
        return {k: arr[:, i] for i, k in enumerate(self.columns)}

    # ------------------------------------------------------------------ stepping
    def step(self, dt: float) -> None:
        """One fixed step of ``dt`` (s) (Crank–Nicolson start-up: two BE half steps)."""
        if self.step_count < self.startup_steps:
            for _ in range(2):
                self._commit(self._advance(0.5 * dt, 1.0))
        else:
            self._commit(self._advance(dt, self.theta))
        self.step_count += 1

    def _adaptive_step(self, dt: float, tol: float) -> tuple[bool, float]:
        """Try a step of ``dt`` by step doubling; returns (accepted, error estimate K)."""
        f = self._formulation()
        startup = self.step_count < self.startup_steps
        theta = 1.0 if startup else self.theta
        p = 1 if startup else self.order
        snap = self._snapshot()
        self._advance(dt, theta)
        full = f.T.x.array.copy()
        self._commit(self._advance(0.5 * dt, theta))
        self._commit(self._advance(0.5 * dt, theta))
        n = f.space.dofmap.index_map.size_local
        local = float(np.max(np.abs(f.T.x.array[:n] - full[:n]), initial=0.0))
        err = self.comm.allreduce(local, op=MPI.MAX) / (2**p - 1)
        if err > tol:
            self._restore(snap)
            return False, err
        self.step_count += 1
        return True, err
