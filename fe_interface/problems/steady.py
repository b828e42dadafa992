"""Steady heat conduction with temperature jumps on internal interfaces.

Strong form, per region with conductivity k (W/(m K)) and source f (W/m³):

    −∇·(k ∇T) = f                         in each region,
    −k⁺ ∇T⁺·n⁺ = h (T⁺ − T⁻) = −k⁻ ∇T⁻·n⁺  on an interface (n⁺ from ⁺ to ⁻).

Weak form on the broken space (one copy of a dof per side of an interface):

    ∫ k ∇T·∇v w dx + Σ_Γ ∫_Γ h [T][v] w dS + ∫ h_c T v w ds
        = ∫ f v w dx + ∫ q v w ds + ∫ h_c T∞ v w ds,        [T] = T⁺ − T⁻,

w = 1, or r = x[0] for axisymmetric models (totals carry the 2π).  Linear models are
one linear solve; temperature-dependent laws use Newton with the exact Jacobian.

Usage (the FESTIM pattern)::

    problem = SteadyProblem(tagged, materials={"copper": cu, "steel": st},
                            interfaces=[Interface("contact", Resistance(1e-4))],
                            boundary_conditions=[FixedTemperature("hot", 350.0), ...])
    problem.initialise()
    result = problem.run()
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import ufl
from dolfinx import fem

from fe_interface.discretisation.bulk import (
    check_conductivities,
    conduction_nonlinear,
    warn_ranges,
)
from fe_interface.discretisation.formulation import Formulation
from fe_interface.errors import InputError, SolverError
from fe_interface.mesh import TaggedMesh
from fe_interface.model.boundary import BoundaryCondition, Convection, FixedTemperature, Radiation
from fe_interface.model.interfaces import Interface
from fe_interface.model.materials import Material
from fe_interface.model.model import Model
from fe_interface.model.sources import HeatSource
from fe_interface.postprocessing.balance import (
    EnergyBalance,
    HeatRates,
    balance_warning,
    steady_balance,
)
from fe_interface.postprocessing.derived import Derived, DerivedValues
from fe_interface.postprocessing.interfaces import (
    InterfaceSummary,
    InterfaceTable,
    bulk_flow_warnings,
    check_laws,
    warn_law_ranges,
)
from fe_interface.problems.base import ConductionProblem, jacobian_symmetric
from fe_interface.solvers.conditioning import contrast_warning
from fe_interface.solvers.kirchhoff import KirchhoffStart
from fe_interface.solvers.linear import LinearSolver, SolveInfo
from fe_interface.solvers.nonlinear import ChangeOfVariables, NewtonSolver

__all__ = ["SteadyProblem", "SteadyResult", "newton_checked"]


def newton_checked(
    newton: NewtonSolver,
    table: InterfaceTable,
    keep_preconditioner: bool = False,
    change: ChangeOfVariables | None = None,
) -> SolveInfo:
    """Newton from the current field, with the temperature-dependent laws checked.

    The laws and the conductivities k(T) are checked at the initial guess, after the solve
    and, if it fails, at the last iterate (a law giving h < 0 or NaN, a k(T) turning negative
    or NaN, is named with its temperatures instead of a PETSc reason or a converged field
    with k < 0).  ``keep_preconditioner``, ``change``: see :meth:`NewtonSolver.solve`.

    Raises:
        InputError: a law gives h < 0, NaN or Inf, or a conductivity k ≤ 0, NaN or Inf.
        SolverError: Newton failed otherwise.
    """
    check_laws(table)
    check_conductivities(table.f)
    try:
        info = newton.solve(keep_preconditioner, change)
    except SolverError:
        check_laws(table)
        check_conductivities(table.f)
        raise
    check_laws(table)
    check_conductivities(table.f)
    return info


class SteadyResult(NamedTuple):
    """Result of :meth:`SteadyProblem.run`.

    Attributes:
        temperature: the temperature (K) on the broken space.
        solve: iterations, residual norms, converged reason.
        timings: wall time per stage, s.
    """

    temperature: fem.Function
    solve: SolveInfo
    timings: dict[str, float]


class SteadyProblem(ConductionProblem):
    """Steady conduction with interface conductance (see the module docstring).

    Args:
        tagged: mesh with cell tags (regions) and facet tags (boundaries, interfaces).
        materials: region (cell group name or tag) -> :class:`Material`.
        interfaces: laws on facet groups between two regions; facets between two
            regions that no interface names are in perfect contact.
        boundary_conditions: :class:`FixedTemperature`, :class:`HeatFlux`,
            :class:`Convection`, :class:`Radiation` on outer facet groups; other outer
            facets are insulated.
        sources: volumetric sources (W/m³) per region.
        degree: Lagrange degree (1, 2 or 3).
        axisymmetric: 2D r–z model (x[0] = r ≥ 0, x[1] = z).
        solver: "iterative" (CG + GAMG, default) or "direct" (MUMPS).
        petsc_options: PETSc options that override the defaults, set under the
            problem's prefix.
        petsc_options_prefix: defaults to a unique ``fe_interface_<n>_``.
        initial_temperature: Newton's initial guess (K) for temperature-dependent laws,
            conductivities and radiation; default: the mean of the fixed and ambient
            temperatures.
    """

    def __init__(
        self,
        tagged: TaggedMesh,
        materials: Mapping[Any, Material],
        interfaces: Sequence[Interface] = (),
        boundary_conditions: Sequence[BoundaryCondition] = (),
        sources: Sequence[HeatSource] = (),
        degree: int = 1,
        axisymmetric: bool = False,
        solver: str = "iterative",
        petsc_options: Mapping[str, Any] | None = None,
        petsc_options_prefix: str | None = None,
        initial_temperature: float | None = None,
    ) -> None:
        super().__init__(
            tagged, materials, interfaces, boundary_conditions, sources, degree, axisymmetric,
            solver, petsc_options, petsc_options_prefix,
        )  # fmt: skip
        if initial_temperature is None:
            fixed = [b.value for b in boundary_conditions if isinstance(b, FixedTemperature)]
            fixed += [b.T_inf for b in boundary_conditions if isinstance(b, Convection)]
            fixed += [b.T_amb for b in boundary_conditions if isinstance(b, Radiation)]
            consts: list[float] = [t for t in fixed if not callable(t)]
            initial_temperature = float(np.mean(consts)) if consts else 293.15
        self.initial_temperature = initial_temperature
        self.timings: dict[str, float] = {}
        self.solver: LinearSolver | NewtonSolver | None = None
        self._solved = False

    # ------------------------------------------------------------------ set-up
    def initialise(self) -> None:
        """Check the input, build the space, the forms and the solver (collective)."""
        t0 = time.perf_counter()
        model = Model(
            self.tagged, self.materials, self.interfaces, self.boundary_conditions, self.sources
        )
        self.timings["setup_model"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        f = Formulation(model, self.degree, self.axisymmetric, self.separate_values)
        model.check_determined(f.perfect_pairs)
        self.formulation = f
        self.timings["setup_space"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        v = ufl.TestFunction(f.space)
        marker = f.bc_marker()
        if f.nonlinear:
            F = f.residual(f.T, v)
            J = ufl.derivative(F, f.T, ufl.TrialFunction(f.space))
            self.solver = NewtonSolver(
                fem.form(F), fem.form(J), f.T, f.bcs, f.coupling, marker, self.prefix,
                self.petsc_options, symmetric=jacobian_symmetric(f),
            )  # fmt: skip
        else:
            a, L = ufl.system(f.residual(ufl.TrialFunction(f.space), v))
            self.solver = LinearSolver(
                fem.form(a), fem.form(L), f.bcs, f.coupling, marker, self.prefix,
                self.petsc_options,
            )  # fmt: skip
        self.timings["setup_forms"] = time.perf_counter() - t0
        msg = contrast_warning(f, self.petsc_options)
        if msg:
            warnings.warn(msg, stacklevel=2)

    def check(self) -> None:
        """Make every check of :meth:`run` that precedes the solve, without solving (collective).

        The model and its discretisation (:meth:`initialise`) and, for a Newton solve, the
        temperature-dependent laws at the initial guess.  ``fe-interface check`` calls it.

        Raises:
            InputError: what :meth:`run` would raise before solving.
        """
        f = self._formulation()
        if isinstance(self.solver, NewtonSolver):
            f.T.x.array[:] = self.initial_temperature
            check_laws(self._law_table())

    def renew_solver(self) -> None:
        """Linear solver objects built again on the same compiled forms (collective).

        After :meth:`update` the next solve reuses what PETSc kept (a direct solver's
        symbolic factorisation, GAMG's interpolation): the result is that of a problem built
        for the new values to round-off (direct) or within the solver tolerance.  With a
        new matrix, KSP and options it is that problem's computation (a sweep's runs:
        :mod:`fe_interface.case.sweepreuse`).  Newton solves keep their solver.
        """
        if isinstance(self.solver, LinearSolver):
            self.solver = self.solver.renewed()

    # ------------------------------------------------------------------ solve
    def run(self) -> SteadyResult:
        """Assemble and solve (initialising first if needed)."""
        f = self._formulation()
        t0 = time.perf_counter()
        f.T.x.array[:] = self.initial_temperature  # the reference (linear) or initial guess
        if isinstance(self.solver, LinearSolver):
            self.solver.assemble_matrix()
            self.solver.assemble_rhs()
            self.timings["assemble"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            info = self.solver.solve(f.T)
        else:
            assert isinstance(self.solver, NewtonSolver)
            info = newton_checked(self.solver, self._law_table(), change=self._kirchhoff())
        self.timings["solve"] = time.perf_counter() - t0
        f.roundoff_W = info.roundoff_W
        self._solved = True
        warn_ranges(f)
        if f.nonlinear:
            warn_law_ranges(self._law_table())
        return SteadyResult(f.T, info, dict(self.timings))

    def _kirchhoff(self) -> KirchhoffStart | None:
        """The Kirchhoff start of the k(T) regions (:mod:`~fe_interface.solvers.kirchhoff`)."""
        f = self._formulation()
        if not conduction_nonlinear(f):
            return None
        if getattr(self, "_kirchhoff_start", None) is None:
            self._kirchhoff_start = KirchhoffStart(f)
        return self._kirchhoff_start

    def _values_changed(self, materials: bool) -> None:
        self.__dict__.pop("_table", None)  # its bulk fluxes use the conductivities
        self.__dict__.pop("_kirchhoff_start", None)  # its materials
        self._solved = False
        f = self._formulation()
        f.model.check_determined(f.perfect_pairs)  # a conductance set to 0 may float a body

    def _law_table(self) -> InterfaceTable:
        if getattr(self, "_table", None) is None:
            self._table = InterfaceTable(self._formulation())
        return self._table

    def _heat_rates(self) -> HeatRates:
        """The source and boundary heat rates and the residual form, compiled once."""
        if getattr(self, "_rates", None) is None:
            self._rates = HeatRates(self._formulation())
        return self._rates

    def _require_solution(self, what: str) -> Formulation:
        if not self._solved:
            raise InputError(f"SteadyProblem.{what}(): no solution yet: call run() first")
        return self._formulation()

    # ------------------------------------------------------------------ outputs
    def interface_table(self) -> list[InterfaceSummary]:
        """Per-interface :class:`~fe_interface.postprocessing.interfaces.InterfaceSummary`.

        Of the current field; the quadrature data of the table
        (:class:`~fe_interface.postprocessing.interfaces.InterfaceTable`) are built once.

        Warns when an interface's bulk heat flows disagree with its interface heat flow
        (:func:`~fe_interface.postprocessing.interfaces.bulk_flow_warnings`).
        """
        f = self._require_solution("interface_table")
        rows = self._law_table().compute()
        if rows:
            # the heat rates, or the round-off
            scale = steady_balance(f, self._heat_rates()).scale_W or 0.0
            for msg in bulk_flow_warnings(rows, scale):
                warnings.warn(msg, stacklevel=2)
        return rows

    def energy_balance(self) -> EnergyBalance:
        """Global :class:`~fe_interface.postprocessing.balance.EnergyBalance` (W)."""
        f = self._require_solution("energy_balance")
        b = steady_balance(f, self._heat_rates())
        msg = balance_warning(b)
        if msg:
            warnings.warn(msg, stacklevel=2)
        return b

    def derived_values(
        self, probes: Any = None, junction: str | None = None, regions: list[str] | None = None
    ) -> DerivedValues:
        """Junction temperature, region min/mean/max, probes and boundary heat flows (K, W).

        See :class:`~fe_interface.postprocessing.derived.DerivedValues`.

        Args:
            probes: mapping name -> point (m), or ProbeSpec objects.
            junction: region whose maximum temperature is the junction temperature.
            regions: regions to report (default all).
        """
        f = self._require_solution("derived_values")
        balance = steady_balance(f, self._heat_rates())
        return Derived(f, probes, junction, regions).compute(balance=balance)

    def export(
        self, folder: str | Path, name: str = "temperature", vtx: bool = True
    ) -> dict[str, Any]:
        """Write the solution and its summary into ``folder``; returns the paths and the tables.

        Writes ``name.xdmf``/``.h5``, ``name.vtu``, ``name_summary.json`` (and the VTX folder
        ``name_vtx.bp``).
        """
        from fe_interface.io.results import write_steady_results

        f = self._require_solution("export")
        return write_steady_results(f, Path(folder), name, vtx=vtx)
