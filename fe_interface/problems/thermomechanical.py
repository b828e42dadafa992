"""Thermo-mechanical contact: the contact pressure drives the local conductance.

One-way (``coupling="one-way"``): the elastic contact problem is solved once (no
thermal strain); on every contact interface the heat problem
(:class:`~fe_interface.problems.steady.SteadyProblem`) gets the conductance

    h(x) = h(P(x), g(x), T⁺(x), T⁻(x))       (W/(m² K), :class:`LocalContactLaw`)

evaluated at its own facet quadrature points (the law enters as a
:class:`~fe_interface.model.interfaces.Conductance` with a function of position, the
"position" path of the heat core: per-point h, assembled facet by facet).  P and g
come from the nodal contact fields (:mod:`~fe_interface.discretisation.contact_fields`), T⁺, T⁻
from the previous thermal iterate.

Two-way (``coupling="two-way"``): the temperature also enters the elasticity as the
thermal strain α (T − T_ref), so expansion changes the pressure.  Staggered (block
Gauss–Seidel) iteration k = 1, 2, …:

1. mechanics with T_{k−1} (thermal strain; T_0 the initial temperature) → P_k, g_k;
2. heat with h(P_k, g_k, T_{k−1}) → T̃_k; the next T_k from T_{k−1} and T̃_k by the
   interface quasi-Newton method IQN-ILS (default; a plain relaxed iteration diverges
   once a gap closes: the pressure then changes by MPa per kelvin) or by Aitken's or a
   constant relaxation (:class:`~fe_interface.solvers.staggered.FixedPointAcceleration`);

**convergence criterion**: stop at the first k ≥ 2 with

    max |T̃_k − T_{k−1}| ≤ temperature_atol            (K, cell-wise values)  and
    max |P_k − P_{k−1}| ≤ pressure_rtol · max P_k      (nodal pressures, Pa),

i.e. one more mechanics solve would change neither the temperature nor the pressure
beyond the tolerances.  The one-way coupling iterates step 2 alone (a Picard iteration
on the temperature-dependent parts, radiation and the gas mean free path) with the
temperature test only; a law that does not depend on T needs one thermal solve.

**Nothing is rebuilt inside the loop**: the heat problem is built once, at the first
iteration; every later iteration updates its contact conductances in place
(``SteadyProblem.update(interfaces=...)`` evaluates the position-dependent h(x) again
at the same facet quadrature points, located once; a surface contact's pair evaluates
its h(P(x), g(x)) again at its own points) and solves again with the same space, forms,
matrix pattern and solver objects; the mechanics warm-starts from its last displacement
and multipliers.  ``close()`` (or ``with``) frees both problems.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from dolfinx import fem

from fe_interface.discretisation.contact_fields import (
    ContactConductanceMap,
    InterfaceProbe,
    global_max,
)
from fe_interface.discretisation.mortar_contact import MortarContact
from fe_interface.discretisation.nodal_contact import ContactSummary
from fe_interface.discretisation.surface_contact import SurfaceContact
from fe_interface.discretisation.surface_coupling import SurfaceConductance, SurfaceProbe
from fe_interface.errors import InputError
from fe_interface.mesh import TaggedMesh
from fe_interface.model.boundary import Convection, FixedTemperature
from fe_interface.model.contacts import Contact
from fe_interface.model.elastic_materials import ElasticMaterial
from fe_interface.model.interfaces import Conductance, Interface
from fe_interface.model.materials import Material
from fe_interface.model.mechanical_boundary import BodyForce
from fe_interface.model.pairs import InterfacePair
from fe_interface.model.validation import check_positive
from fe_interface.postprocessing.contact import (
    ThermalContactSummary,
    conductance_means,
    nodal_conductance,
)
from fe_interface.postprocessing.interfaces import InterfaceSummary
from fe_interface.problems.base import ProblemBase
from fe_interface.problems.elastic import ElasticProblem, MechanicsResult
from fe_interface.problems.steady import SteadyProblem, SteadyResult
from fe_interface.solvers.staggered import (
    ACCELERATIONS,
    FixedPointAcceleration,
    StaggeredOptions,
    StaggeredStep,
)

__all__ = [
    "ACCELERATIONS",
    "COUPLINGS",
    "ContactConductanceMap",
    "CoupledResult",
    "StaggeredOptions",
    "StaggeredStep",
    "ThermalContactSummary",
    "ThermoMechanicalProblem",
]

COUPLINGS = ("one-way", "two-way")


class CoupledResult(NamedTuple):
    """Result of :meth:`ThermoMechanicalProblem.run`.

    Attributes:
        temperature: T (K) of the last heat solve.
        displacement: u (m) of the last mechanics solve.
        contacts: mechanical summaries per contact (:class:`ContactSummary`).
        thermal_contacts: :class:`ThermalContactSummary` per contact.
        mechanics: the last :class:`MechanicsResult`.
        thermal: the last :class:`~fe_interface.problems.steady.SteadyResult`.
        history: the staggered iterations.
        converged: the convergence criterion was met.
        timings: wall time per stage, s (summed over the iterations).
        interfaces: the heat problem's interface table of the last solve
            (:class:`~fe_interface.postprocessing.interfaces.InterfaceSummary` rows).
    """

    temperature: fem.Function
    displacement: fem.Function
    contacts: list[ContactSummary]
    thermal_contacts: list[ThermalContactSummary]
    mechanics: MechanicsResult
    thermal: SteadyResult
    history: tuple[StaggeredStep, ...]
    converged: bool
    timings: dict[str, float]
    interfaces: tuple[InterfaceSummary, ...] = ()


class ThermoMechanicalProblem(ProblemBase):
    """Steady heat conduction with contact conductances from an elastic contact solve.

    Args:
        tagged: mesh with cell tags (regions) and facet tags.
        materials: region -> thermal :class:`~fe_interface.model.materials.Material`.
        elastic: region -> :class:`ElasticMaterial`.
        contacts: contact interfaces, each with its ``thermal`` law
            (:class:`LocalContactLaw`, required here).
        interfaces: the other (thermal) interfaces.
        boundary_conditions: thermal conditions (fixed temperature, flux, convection).
        mechanical_bcs: displacement, traction, pressure, symmetry conditions.
        sources: heat sources (W/m³).
        body_forces: body forces (N/m³).
        coupling: "one-way" or "two-way" (see the module docstring).
        degree: thermal Lagrange degree (the mechanics is P1/Q1: contact needs it).
        axisymmetric: 2D r–z model.
        thermal_solver, mechanical_solver: "iterative" or "direct".
        thermal_options, mechanical_options: PETSc option overrides.
        initial_temperature: K, the first T of the iteration (default: the mean of the
            fixed and ambient temperatures, else 293.15 K).
        staggered: :class:`StaggeredOptions`.
        augmentation_rtol: of the contact solves.

    ``close()`` (or ``with``) frees the mechanics and the heat problem
    (:meth:`~fe_interface.problems.base.ProblemBase.close`).
    """

    def __init__(
        self,
        tagged: TaggedMesh,
        materials: Mapping[Any, Material],
        elastic: Mapping[Any, ElasticMaterial],
        contacts: Sequence[Contact],
        interfaces: Sequence[Interface] = (),
        boundary_conditions: Sequence[Any] = (),
        mechanical_bcs: Sequence[Any] = (),
        sources: Sequence[Any] = (),
        body_forces: Sequence[BodyForce] = (),
        coupling: str = "one-way",
        degree: int = 1,
        axisymmetric: bool = False,
        thermal_solver: str = "iterative",
        mechanical_solver: str = "direct",
        thermal_options: Mapping[str, Any] | None = None,
        mechanical_options: Mapping[str, Any] | None = None,
        initial_temperature: float | None = None,
        staggered: StaggeredOptions | None = None,
        augmentation_rtol: float = 1.0e-9,
    ) -> None:
        super().__init__(tagged, None, None, None)
        if coupling not in COUPLINGS:
            raise InputError(f"coupling must be one of {list(COUPLINGS)}, got {coupling!r}")
        for c in contacts:
            if not isinstance(c, (Contact, SurfaceContact)) or c.thermal is None:
                raise InputError(
                    f"contact {getattr(c, 'label', c)!r}: a coupled problem needs the contact's "
                    "thermal law (Contact(..., thermal=LocalContactLaw(...)))"
                )
        if not contacts:
            raise InputError("ThermoMechanicalProblem: no contact interfaces given")
        self.materials = dict(materials)
        self.contact_specs = list(contacts)
        self.interfaces = list(interfaces)
        self.boundary_conditions = list(boundary_conditions)
        self.sources = list(sources)
        self.coupling = coupling
        self.degree = degree
        self.axisymmetric = axisymmetric
        self.thermal_solver = thermal_solver
        self.thermal_options = dict(thermal_options or {})
        self.staggered = staggered or StaggeredOptions()
        self.initial_temperature = (
            _default_temperature(boundary_conditions) if initial_temperature is None
            else check_positive(initial_temperature, "initial_temperature", "K")
        )  # fmt: skip
        self.T_strain: fem.Function | None = None
        if coupling == "two-way":
            self.T_strain = fem.Function(
                fem.functionspace(tagged.mesh, ("DG", degree)), name="strain_temperature_K"
            )
            self.T_strain.x.array[:] = self.initial_temperature
        self.mechanics = ElasticProblem(
            tagged, elastic, contacts, mechanical_bcs, body_forces, degree=1,
            axisymmetric=axisymmetric, temperature=self.T_strain, solver=mechanical_solver,
            petsc_options=mechanical_options, augmentation_rtol=augmentation_rtol,
        )  # fmt: skip
        self.thermal: SteadyProblem | None = None
        self.maps: list[Any] = []  # ContactConductanceMap or SurfaceConductance per contact
        self.T_prev: fem.Function | None = None  # the last heat solution, for T⁺, T⁻ of h
        self._thermal_interfaces: list[Interface] = []
        self._T_cells: fem.Function | None = None
        self.timings: dict[str, float] = {}
        self.result: CoupledResult | None = None

    # ------------------------------------------------------------------ pieces
    def _heat(self) -> SteadyProblem:
        """The heat problem with the current contact fields: built once, then updated.

        Its contact interfaces carry a :class:`ContactConductanceMap` each (h of the
        current P, g and of the last heat solution ``T_prev``), its surface contacts'
        pairs a :class:`SurfaceConductance` (h of the current P, g); a later call evaluates
        them again in place (``update(interfaces=...)``, the pairs at their points: see
        :mod:`~fe_interface.discretisation.pair_values`) instead of building a new problem.
        """
        if self.thermal is not None:
            for m in self.maps:
                if isinstance(m, ContactConductanceMap):  # a pair's law takes its own T
                    m.temperature = self.T_prev
            self.thermal.update(interfaces=self._thermal_interfaces)
            return self.thermal
        mech = self.mechanics
        if mech.model is None:
            mech.initialise()
        assert mech.model is not None and mech.fields is not None
        ifaces: list[Any] = list(self.interfaces)
        for c in mech.contacts:
            if isinstance(c, MortarContact):  # separately meshed bodies: a thermal pair
                sc = c.contact
                probe_A = SurfaceProbe(mech.tagged.mesh, sc.entities[:, 0], sc.label)
                law = SurfaceConductance(
                    sc.spec.thermal, mech.fields, probe_A, self.initial_temperature
                )
                self.maps.append(law)
                ifaces.append(
                    InterfacePair(sc.spec.surfaces, law, sc.label, search_distance=sc.distance)
                )
                continue
            rc = c.contact
            assert rc.spec.thermal is not None  # checked in __init__: coupled contacts have a law
            probe = InterfaceProbe(
                mech.tagged.mesh, mech.model.cell_region, rc.entities, rc.plus, rc.minus
            )
            m = ContactConductanceMap(
                rc.spec.thermal, mech.fields, probe, self.T_prev, self.initial_temperature
            )
            self.maps.append(m)
            ifaces.append(Interface(rc.spec.facets, Conductance(m), plus=rc.plus, name=rc.label))
        self._thermal_interfaces = ifaces
        self.thermal = SteadyProblem(
            self.tagged, self.materials, ifaces, self.boundary_conditions, self.sources,
            degree=self.degree, axisymmetric=self.axisymmetric, solver=self.thermal_solver,
            petsc_options=self.thermal_options, initial_temperature=self.initial_temperature,
        )  # fmt: skip
        self.thermal.initialise()
        return self.thermal

    def _keep_temperature(self, T: fem.Function) -> None:
        """Copy the heat solution into ``T_prev`` (the T⁺, T⁻ of the next h)."""
        if self.T_prev is None:
            self.T_prev = fem.Function(T.function_space, name="previous_temperature_K")
        self.T_prev.x.array[:] = T.x.array

    def _cell_temperature(self, T: fem.Function) -> np.ndarray:
        """T interpolated into the DG space of the thermal strain (K)."""
        if self._T_cells is None:
            V = fem.functionspace(self.tagged.mesh, ("DG", self.degree))
            self._T_cells = fem.Function(V)
        self._T_cells.interpolate(T)
        return self._T_cells.x.array.copy()

    def _add_time(self, key: str, t0: float) -> None:
        self.timings[key] = self.timings.get(key, 0.0) + time.perf_counter() - t0

    def check(self) -> None:
        """Make every check of :meth:`run` that precedes the first solve, without solving.

        Collective: the mechanics (model, supports, contacts) and the heat problem with the
        contacts' conductance at zero pressure.  ``fe-interface check`` calls it.

        Raises:
            InputError: what :meth:`run` would raise before its first solve.
        """
        self.mechanics.check()
        self._heat().check()  # kept: run() reuses it

    def close(self) -> None:
        """Free the mechanics and the heat problem, then this problem (collective)."""
        for p in (self.__dict__.get("thermal"), self.__dict__.get("mechanics")):
            if p is not None:
                p.close()
        super().close()

    # ------------------------------------------------------------------ solve
    def run(self) -> CoupledResult:
        """The staggered iteration (collective); see the module docstring.

        Raises:
            SolverError: a solve failed.  Not meeting the criterion within
                ``max_iterations`` is reported in ``converged`` (and a warning).
        """
        opts = self.staggered
        it = _Iteration(self)
        history: list[StaggeredStep] = []
        converged = False
        for k in range(1, opts.max_iterations + 1):
            step, converged = it.step(k)
            history.append(step)
            if converged:
                break
        if not converged:
            warnings.warn(
                f"thermo-mechanical iteration: not converged after {opts.max_iterations} "
                f"iterations (last max dT {history[-1].temperature_change_K:.3e} K, dP/P "
                f"{history[-1].pressure_change:.3e}); raise max_iterations or relax",
                stacklevel=2,
            )
        mres, tres = it.mres, it.tres
        assert mres is not None and tres is not None and self.thermal is not None
        table = self.thermal.interface_table()
        self.result = CoupledResult(
            tres.temperature, mres.displacement, mres.contacts, self.thermal_contacts(table),
            mres, tres, tuple(history), converged, dict(self.timings), tuple(table),
        )  # fmt: skip
        return self.result

    # ------------------------------------------------------------------ outputs
    def thermal_contacts(
        self, table: Sequence[InterfaceSummary] | None = None
    ) -> list[ThermalContactSummary]:
        """Heat flow and the h breakdown of every contact after :meth:`run` (collective).

        ``table``: the heat problem's interface table if already computed.
        """
        assert self.thermal is not None and self.mechanics.model is not None
        rows = self.thermal.interface_table() if table is None else table
        table_of = {s.name: s for s in rows}
        out = []
        for m, c in zip(self.maps, self.mechanics.contacts, strict=True):
            rc = c.contact
            means = conductance_means(m, rc.entities, self.thermal.T, self.axisymmetric)
            s = table_of[rc.label]
            out.append(
                ThermalContactSummary(
                    rc.label, s.heat_flow_W, s.mean_jump_K, s.conductance_W_m2K, *means
                )
            )
        return out

    def summary(self, result: CoupledResult) -> dict[str, Any]:
        """The JSON-ready record of a run.

        Per contact the mechanical statistics and the heat across it, the staggered
        history and the solver counts (units in keys).
        """
        contacts = []
        for m, t in zip(result.contacts, result.thermal_contacts, strict=True):
            contacts.append(m._asdict() | {k: v for k, v in t._asdict().items() if k != "name"})
        s = result.mechanics.solve
        return {
            "coupling": self.coupling,
            "contacts": contacts,
            "rigid": [r.record() for r in result.mechanics.rigid],
            "staggered": {
                "converged": result.converged,
                "iterations": len(result.history),
                "criterion": {
                    "temperature_atol_K": self.staggered.temperature_atol,
                    "pressure_rtol": self.staggered.pressure_rtol,
                    "relaxation": self.staggered.relaxation,
                },
                "history": [h._asdict() for h in result.history],
            },
            "mechanics_solve": {
                "newton_iterations": s.newton_iterations,
                "augmentations": s.augmentations,
                "newton_per_solve": list(s.newton_per_solve),
                "linear_iterations": s.linear_iterations,
                "jacobians": s.jacobians,
                "converged_reason": s.converged_reason,
            },
            "timings_s": result.timings,
        }

    def export(
        self,
        result: CoupledResult,
        folder: str | Path,
        name: str = "thermomechanical",
        files: Sequence[str] = ("xdmf", "vtu", "summary"),
        extra: Mapping[str, Any] | None = None,
        result_set: Any = None,
        derived: Any = None,
        balance: Any = None,
    ) -> dict[str, Path]:
        """Write one result set (collective).

        The temperature (``NAME.vtu/.xdmf``), the mechanics (``NAME_mechanics.*``:
        displacement, von Mises, P, g, h), the contact surfaces (``NAME_contact.*``) and
        ``NAME_summary.json`` (the interface table, the energy balance and
        :meth:`summary`).

        Args:
            result: the result of :meth:`run`.
            folder: output folder.
            name: base name.
            files: kinds among "xdmf", "vtu", "summary", "vtx".
            extra: more entries for the summary.
            result_set: an open :class:`~fe_interface.io.files.ResultSet` to write into
                (the caller commits it); default: one of its own, committed here.
            derived: the :class:`~fe_interface.postprocessing.derived.DerivedValues` of
                the heat problem for the summary (junction, regions, probes), or None.
            balance: the heat problem's energy balance if already computed (W).
        """
        from fe_interface.io.results import write_thermomechanical_results

        assert self.thermal is not None and self.thermal.formulation is not None
        doc = {"thermomechanical": self.summary(result)} | dict(extra or {})
        h = {"contact_conductance_W_m2K": self.nodal_conductance()}
        return write_thermomechanical_results(
            self.thermal.formulation, self.mechanics, folder, name, files, doc, h,
            result_set=result_set, derived=derived, table=list(result.interfaces) or None,
            balance=balance,
        )  # fmt: skip

    def nodal_conductance(self) -> fem.Function:
        """The conductance h (W/(m² K)) at the contact nodes, for output (collective).

        With the final P, g, T⁺, T⁻, on the broken scalar P1 space of the contact fields
        (0 away from contacts).
        """
        mech = self.mechanics
        assert mech.fields is not None and self.thermal is not None
        return nodal_conductance(mech.fields, self.maps, mech.contacts, self.thermal.T)


def _default_temperature(bcs: Sequence[Any]) -> float:
    """Mean of the fixed and ambient temperatures (K), else 293.15 K."""
    given = [b.value for b in bcs if isinstance(b, FixedTemperature)]
    given += [b.T_inf for b in bcs if isinstance(b, Convection)]
    vals = [float(v) for v in given if not callable(v)]
    return float(np.mean(vals)) if vals else 293.15


class _Iteration:
    """State of the staggered iteration of a :class:`ThermoMechanicalProblem`.

    ``x`` is the temperature passed to the mechanics (cell-wise DG values, K); a heat
    solve gives x̃ = H(x); the next x comes from
    :class:`~fe_interface.solvers.staggered.FixedPointAcceleration` (two-way coupling).
    """

    def __init__(self, problem: ThermoMechanicalProblem) -> None:
        self.p = problem
        self.opts = problem.staggered
        self.comm = problem.tagged.mesh.comm
        self.two_way = problem.coupling == "two-way"
        self.dependent = any(
            c.thermal is not None and c.thermal.temperature_dependent for c in problem.contact_specs
        )
        self.x: np.ndarray | None = None
        self.accel: FixedPointAcceleration | None = None
        self.P_prev: np.ndarray | None = None
        self.mres: MechanicsResult | None = None
        self.tres: SteadyResult | None = None

    def _next(self, x: np.ndarray, xt: np.ndarray) -> np.ndarray:
        """The next temperature for the mechanics from the iterate x and x̃ = H(x)."""
        if self.accel is None:
            assert self.p.T_strain is not None
            imap = self.p.T_strain.function_space.dofmap.index_map
            owned = imap.size_local * self.p.T_strain.function_space.dofmap.index_map_bs
            self.accel = FixedPointAcceleration(
                self.comm, owned, self.opts.acceleration, self.opts.relaxation
            )
        return self.accel.next(x, xt)

    def step(self, k: int) -> tuple[StaggeredStep, bool]:
        """Iteration k: mechanics (k = 1, or two-way), heat, the convergence test."""
        p, opts = self.p, self.opts
        start, cpu = time.perf_counter(), time.process_time()
        newton = aug = 0
        if k == 1 or self.two_way:
            t0 = time.perf_counter()
            self.mres = p.mechanics.solve()
            p._add_time("mechanics", t0)
            newton, aug = self.mres.solve.newton_iterations, self.mres.solve.augmentations
        assert p.mechanics.fields is not None
        P = p.mechanics.fields.pressure.x.array.copy()
        t0 = time.perf_counter()
        self.tres = p._heat().run()
        p._keep_temperature(self.tres.temperature)
        p._add_time("thermal", t0)
        new = p._cell_temperature(self.tres.temperature)
        x = self.x if self.x is not None else np.full_like(new, p.initial_temperature)
        dT = global_max(self.comm, new - x)
        pmax = global_max(self.comm, P)
        dP = (
            np.inf
            if self.P_prev is None
            else (global_max(self.comm, P - self.P_prev) / pmax if pmax > 0 else 0.0)
        )
        self.P_prev = P
        thermal_newton = self.tres.solve.newton_iterations
        if not self.two_way:  # Picard on the temperature-dependent parts of the law
            self.x = new
            done = not self.dependent or (k >= 2 and dT <= opts.temperature_atol)
        else:
            self.x = self._next(x, new)
            assert p.T_strain is not None
            p.T_strain.x.array[:] = self.x
            done = k >= 2 and dT <= opts.temperature_atol and dP <= opts.pressure_rtol
        took = (time.perf_counter() - start, time.process_time() - cpu)
        return StaggeredStep(k, dT, float(dP), newton, aug, thermal_newton, *took), done
