"""Thermo-mechanical contact: the contact pressure drives the local conductance.

One-way (``coupling="one-way"``): the elastic contact problem is solved once (no
thermal strain); on every contact interface the heat problem
(:class:`~fe_interface.problems.steady.SteadyProblem`) gets the conductance

    h(x) = h(P(x), g(x), T⁺(x), T⁻(x))       (W/(m² K), :class:`LocalContactLaw`)

evaluated at its own facet quadrature points (the law enters as a
:class:`~fe_interface.model.interfaces.Conductance` with a function of position, the
"position" path of the heat core: per-point h, assembled facet by facet).  P and g
come from the nodal contact fields (:mod:`~fe_interface.mechanics.fields`), T⁺, T⁻
from the previous thermal iterate.

Two-way (``coupling="two-way"``): the temperature also enters the elasticity as the
thermal strain α (T − T_ref), so expansion changes the pressure.  Staggered (block
Gauss–Seidel) iteration k = 1, 2, …:

1. mechanics with T_{k−1} (thermal strain; T_0 the initial temperature) → P_k, g_k;
2. heat with h(P_k, g_k, T_{k−1}) → T̃_k; the next T_k from T_{k−1} and T̃_k by the
   interface quasi-Newton method IQN-ILS (default; a plain relaxed iteration diverges
   once a gap closes: the pressure then changes by MPa per kelvin) or by Aitken's or a
   constant relaxation (:class:`_Iteration`);

**convergence criterion**: stop at the first k ≥ 2 with

    max |T̃_k − T_{k−1}| ≤ temperature_atol            (K, cell-wise values)  and
    max |P_k − P_{k−1}| ≤ pressure_rtol · max P_k      (nodal pressures, Pa),

i.e. one more mechanics solve would change neither the temperature nor the pressure
beyond the tolerances.  The one-way coupling iterates step 2 alone (a Picard iteration
on the temperature-dependent parts, radiation and the gas mean free path) with the
temperature test only; a law that does not depend on T needs one thermal solve.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np
from dolfinx import fem

from fe_interface.discretisation.facets import FacetQuadrature
from fe_interface.errors import InputError
from fe_interface.mechanics.boundary import BodyForce
from fe_interface.mechanics.contact import Contact
from fe_interface.mechanics.contact_law import LocalContactLaw
from fe_interface.mechanics.fields import ContactFields, InterfaceProbe, evaluate, global_max
from fe_interface.mechanics.materials import ElasticMaterial
from fe_interface.mechanics.mortar import MortarContact
from fe_interface.mechanics.nodal import ContactSummary
from fe_interface.mechanics.problem import ElasticProblem, MechanicsResult
from fe_interface.mechanics.surface_contact import SurfaceContact
from fe_interface.mechanics.surface_coupling import SurfaceConductance, SurfaceProbe
from fe_interface.mesh import TaggedMesh, check_tagged
from fe_interface.model.boundary import Convection, FixedTemperature
from fe_interface.model.interfaces import Conductance, Interface
from fe_interface.model.materials import Material
from fe_interface.model.pairs import InterfacePair
from fe_interface.model.validation import check_positive
from fe_interface.problems.steady import SteadyProblem, SteadyResult

__all__ = [
    "COUPLINGS",
    "ContactConductanceMap",
    "CoupledResult",
    "StaggeredOptions",
    "StaggeredStep",
    "ThermalContactSummary",
    "ThermoMechanicalProblem",
]

COUPLINGS = ("one-way", "two-way")
ACCELERATIONS = ("iqn-ils", "aitken", "none")


@dataclass(frozen=True)
class StaggeredOptions:
    """The staggered iteration (see the module docstring).

    Attributes:
        max_iterations: limit of iterations (≥ 1).
        temperature_atol: K, > 0.
        pressure_rtol: dimensionless, > 0.
        relaxation: ω in (0, 1] applied to the temperature passed on at the first step
            (and at every step with ``acceleration="none"``).
        acceleration: "iqn-ils" (quasi-Newton, default), "aitken" or "none"
            (:class:`_Iteration`).
    """

    max_iterations: int = 30
    temperature_atol: float = 1.0e-6
    pressure_rtol: float = 1.0e-6
    relaxation: float = 0.5
    acceleration: str = "iqn-ils"

    def __post_init__(self) -> None:
        owner = "staggered options"
        if not isinstance(self.max_iterations, int) or self.max_iterations < 1:
            raise InputError(
                f"{owner}: max_iterations must be an integer >= 1, got {self.max_iterations!r}"
            )
        for name in ("temperature_atol", "pressure_rtol"):
            object.__setattr__(self, name, check_positive(getattr(self, name), name, "", owner))
        w = check_positive(self.relaxation, "relaxation", "", owner)
        if w > 1.0:
            raise InputError(f"{owner}: relaxation must lie in (0, 1], got {w!r}")
        object.__setattr__(self, "relaxation", w)
        if self.acceleration not in ACCELERATIONS:
            raise InputError(
                f"{owner}: acceleration must be one of {list(ACCELERATIONS)}, got {self.acceleration!r}"
            )


class StaggeredStep(NamedTuple):
    """One staggered iteration.

    Attributes:
        iteration: k (1-based).
        temperature_change_K: max |T̃_k − T_{k−1}|, K.
        pressure_change: max |P_k − P_{k−1}| / max P_k (dimensionless; inf at k = 1).
        newton_iterations: Newton steps of this iteration's mechanics solve (0 if none).
        augmentations: its augmented-Lagrangian updates.
        thermal_newton_iterations: Newton steps of the heat solve (0 if linear).
    """

    iteration: int
    temperature_change_K: float
    pressure_change: float
    newton_iterations: int
    augmentations: int
    thermal_newton_iterations: int


class ThermalContactSummary(NamedTuple):
    """Heat across one contact interface (the same on every rank).

    Attributes:
        name: contact label.
        heat_flow_W: ∫ h (T⁺ − T⁻) dA, W (⁺ → ⁻).
        mean_jump_K: area mean of T⁺ − T⁻, K.
        conductance_W_m2K: heat flow / (area · mean jump), W/(m² K).
        mean_h_W_m2K: area mean of the local h, W/(m² K).
        max_h_W_m2K: largest local h at the quadrature points, W/(m² K).
        mean_h_solid_W_m2K, mean_h_gas_W_m2K, mean_h_radiation_W_m2K: area means of
            the three paths, W/(m² K).
    """

    name: str
    heat_flow_W: float
    mean_jump_K: float
    conductance_W_m2K: float
    mean_h_W_m2K: float
    max_h_W_m2K: float
    mean_h_solid_W_m2K: float
    mean_h_gas_W_m2K: float
    mean_h_radiation_W_m2K: float


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


class ContactConductanceMap:
    """The conductance h(x) (W/(m² K)) of one contact for the heat problem.

    A function of NumPy points (shape (3, n), m) on the interface, given as
    ``Conductance(h=this)``.

    Args:
        law: the local contact law.
        fields: the contact fields (P, g) of the mechanics.
        probe: locates points on the interface.
        temperature: the previous temperature (K) for T⁺, T⁻, or None.
        guess: uniform temperature (K) used when ``temperature`` is None.
    """

    def __init__(
        self,
        law: LocalContactLaw,
        fields: ContactFields,
        probe: InterfaceProbe,
        temperature: fem.Function | None,
        guess: float,
    ) -> None:
        self.law, self.fields, self.probe = law, fields, probe
        self.temperature, self.guess = temperature, guess
        self._error: Exception | None = None

    def values(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """P (Pa), g (m), T⁺, T⁻ (K) and the law's breakdown (W/(m² K)).

        At points x (n, 3) of this rank's interface facets.
        """
        cp, cm = self.probe.locate(x)
        P = np.maximum(evaluate(self.fields.pressure, x, cp), 0.0)
        g = np.maximum(evaluate(self.fields.gap, x, cp), 0.0)
        if self.temperature is None:
            Tp = Tm = np.full(x.shape[0], self.guess)
        else:
            Tp, Tm = evaluate(self.temperature, x, cp), evaluate(self.temperature, x, cm)
        parts = self.law.breakdown(P, g, Tp, Tm)
        return {"P": P, "g": g, "T_plus": Tp, "T_minus": Tm, **parts}

    def __call__(self, x: Any) -> np.ndarray:
        """The conductance h at points x (3, n).

        NumPy input only (the heat core retries with UFL on an error: the first error is
        raised again then).
        """
        if not isinstance(x, np.ndarray):
            if self._error is not None:
                raise self._error
            raise InputError(f"contact law {self.law.name!r}: h(x) needs NumPy points")
        try:
            return self.values(np.ascontiguousarray(x.T))["total"]
        except Exception as e:
            self._error = e
            raise


class ThermoMechanicalProblem:
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
        check_tagged(tagged, type(self).__name__)
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
        self.tagged = tagged
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
        self.timings: dict[str, float] = {}
        self.result: CoupledResult | None = None

    # ------------------------------------------------------------------ pieces
    def _thermal_problem(self, T_prev: fem.Function | None) -> SteadyProblem:
        """The heat problem with the current contact fields."""
        mech = self.mechanics
        assert mech.model is not None and mech.fields is not None
        self.maps = []
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
                rc.spec.thermal, mech.fields, probe, T_prev, self.initial_temperature
            )
            self.maps.append(m)
            ifaces.append(Interface(rc.spec.facets, Conductance(m), plus=rc.plus, name=rc.label))
        return SteadyProblem(
            self.tagged, self.materials, ifaces, self.boundary_conditions, self.sources,
            degree=self.degree, axisymmetric=self.axisymmetric, solver=self.thermal_solver,
            petsc_options=self.thermal_options, initial_temperature=self.initial_temperature,
        )  # fmt: skip

    def _cell_temperature(self, T: fem.Function) -> np.ndarray:
        """T interpolated into the DG space of the thermal strain (K)."""
        if self.T_strain is None:
            self.T_strain = fem.Function(fem.functionspace(self.tagged.mesh, ("DG", self.degree)))
        out = fem.Function(self.T_strain.function_space)
        out.interpolate(T)
        return out.x.array.copy()

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
        thermal = self._thermal_problem(None)
        try:
            thermal.check()
        finally:
            thermal.close()

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
            import warnings

            warnings.warn(
                f"thermo-mechanical iteration: not converged after {opts.max_iterations} "
                f"iterations (last max dT {history[-1].temperature_change_K:.3e} K, dP/P "
                f"{history[-1].pressure_change:.3e}); raise max_iterations or relax",
                stacklevel=2,
            )
        mres, tres = it.mres, it.tres
        assert mres is not None and tres is not None
        self.result = CoupledResult(
            tres.temperature, mres.displacement, mres.contacts, self.thermal_contacts(),
            mres, tres, tuple(history), converged, dict(self.timings),
        )  # fmt: skip
        return self.result

    # ------------------------------------------------------------------ outputs
    def thermal_contacts(self) -> list[ThermalContactSummary]:
        """Heat flow and the h breakdown of every contact after :meth:`run` (collective)."""
        assert self.thermal is not None and self.mechanics.model is not None
        table = {s.name: s for s in self.thermal.interface_table()}
        out = []
        for m, c in zip(self.maps, self.mechanics.contacts, strict=True):
            rc = c.contact
            means = self._h_means(m, rc)
            s = table[rc.label]
            out.append(
                ThermalContactSummary(
                    rc.label, s.heat_flow_W, s.mean_jump_K, s.conductance_W_m2K, *means
                )
            )
        return out

    def _h_means(self, m: ContactConductanceMap, rc: Any) -> tuple[float, ...]:
        """Area means (mean, max, solid, gas, radiation) of h, W/(m² K).

        Over the interface, with the final temperature.
        """
        mech = self.mechanics
        assert self.thermal is not None and mech.fields is not None
        mesh = mech.tagged.mesh
        e = rc.entities
        probe_T = ContactConductanceMap(m.law, m.fields, m.probe, self.thermal.T, m.guess)
        q = FacetQuadrature(
            mesh, mech.fields.space.ufl_element(), mech.fields.space.dofmap.dof_layout,
            e[:, 0], e[:, 1], 2 + int(self.axisymmetric), self.axisymmetric,
        )  # fmt: skip
        acc = np.zeros(5)
        hmax = 0.0
        for g in q.groups:
            x = np.zeros((g.x.shape[0] * g.x.shape[1], 3))
            x[:, : g.x.shape[2]] = g.x.reshape(-1, g.x.shape[2])
            v = probe_T.values(x)
            w = g.weight.ravel()
            acc += [
                w.sum(),
                np.sum(w * v["total"]),
                np.sum(w * v["solid"]),
                np.sum(w * v["gas"]),
                np.sum(w * v["radiation"]),
            ]
            hmax = max(hmax, float(np.max(v["total"], initial=0.0)))
        comm = mesh.comm
        acc = comm.allreduce(acc, op=MPI.SUM)
        hmax = comm.allreduce(hmax, op=MPI.MAX)
        A = acc[0] if acc[0] > 0 else 1.0
        return tuple(float(v) for v in (acc[1] / A, hmax, acc[2] / A, acc[3] / A, acc[4] / A))

    def summary(self, result: CoupledResult) -> dict[str, Any]:
        """The JSON-ready record of a run.

        Per contact the mechanical statistics and the heat across it, the staggered
        history and the solver counts (units in keys).
        """
        contacts = []
        for m, t in zip(result.contacts, result.thermal_contacts, strict=True):
            contacts.append(m._asdict() | {k: v for k, v in t._asdict().items() if k != "name"})
        s = result.mechanics.solve
        rigid = [
            {"name": r.name, "region": r.region, "force_N": list(r.force_N),
             "force_magnitude_N": r.magnitude_N}
            for r in getattr(result.mechanics, "rigid", [])
        ]  # fmt: skip
        return {
            "coupling": self.coupling,
            "contacts": contacts,
            "rigid": rigid,
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
        """
        from fe_interface.io.files import ResultSet
        from fe_interface.io.results import write_steady_results
        from fe_interface.mechanics.output import write_contact_surface, write_mechanics

        assert self.thermal is not None and self.thermal.formulation is not None
        comm = self.tagged.mesh.comm
        own = result_set is None
        rs = ResultSet(folder, name, comm, "thermomechanical") if own else result_set
        if own:
            rs.open()
        try:
            kinds = [k for k in files if k in ("xdmf", "vtu", "summary", "vtx")]
            doc = {"thermomechanical": self.summary(result)} | dict(extra or {})
            out = write_steady_results(
                self.thermal.formulation, rs.folder, name, kinds, extra=doc, result_set=rs,
                derived=derived,
            )  # fmt: skip
            paths = {k: v for k, v in out.items() if k in kinds}
            h = {"contact_conductance_W_m2K": self.nodal_conductance()}
            suffixes = [k for k in ("vtu", "xdmf") if k in kinds]
            if suffixes:
                mech = [rs.path(f"{name}_mechanics.{k}") for k in suffixes]
                surf = [rs.path(f"{name}_contact.{k}") for k in suffixes]
                write_mechanics(self.mechanics, *mech, extra=h)
                write_contact_surface(self.mechanics, *surf, extra=h)
                for k, a, b in zip(suffixes, mech, surf, strict=True):
                    paths[f"mechanics_{k}"] = rs.final(a)
                    paths[f"contact_{k}"] = rs.final(b)
            if own:
                rs.commit()
        finally:
            if own and not rs.committed:
                rs.abort()
        return paths

    def nodal_conductance(self) -> fem.Function:
        """The conductance h (W/(m² K)) at the contact nodes, for output (collective).

        With the final P, g, T⁺, T⁻, on the broken scalar P1 space of the contact fields
        (0 away from contacts).
        """
        mech = self.mechanics
        f = mech.fields
        assert f is not None and self.thermal is not None
        h = fem.Function(f.space, name="contact_conductance_W_m2K")
        values = []
        for m, c in zip(self.maps, mech.contacts, strict=True):
            s = c.current_state()
            x = np.zeros((c.nodes.size, 3))
            x[:, : c.x.shape[1]] = c.x[:, : c.x.shape[1]]
            # a surface contact: T⁻ at A's node (see mechanics.surface_coupling)
            other = c.nodes if isinstance(c, MortarContact) else c.mnodes
            cp, cm = _node_cells(f.space, c.nodes), _node_cells(f.space, other)
            T = self.thermal.T
            Tp, Tm = evaluate(T, x, cp), evaluate(T, x, cm)
            values.append(
                m.law.conductance(np.maximum(s.pressure_Pa, 0), np.maximum(s.gap_m, 0), Tp, Tm)
            )
        f.nodal_values(values, h)
        return h


def _node_cells(space: fem.FunctionSpace, nodes: np.ndarray) -> np.ndarray:
    """A local cell of each node copy (the last cell that lists it)."""
    dl = space.dofmap.list
    imap = space.dofmap.index_map
    cell_of = np.full(imap.size_local + imap.num_ghosts, -1, np.int32)
    cell_of[dl.ravel()] = np.repeat(np.arange(dl.shape[0], dtype=np.int32), dl.shape[1])
    return cell_of[nodes]


def _default_temperature(bcs: Sequence[Any]) -> float:
    """Mean of the fixed and ambient temperatures (K), else 293.15 K."""
    given = [b.value for b in bcs if isinstance(b, FixedTemperature)]
    given += [b.T_inf for b in bcs if isinstance(b, Convection)]
    vals = [float(v) for v in given if not callable(v)]
    return float(np.mean(vals)) if vals else 293.15


class _Iteration:
    """State of the staggered iteration of a :class:`ThermoMechanicalProblem`.

    ``x`` is the temperature passed to the mechanics (cell-wise DG values, K); a heat
    solve gives x̃ = H(x) and the residual r = x̃ − x.  The next x is

    * ``acceleration="iqn-ils"`` (default): the interface quasi-Newton method with an
      inverse Jacobian from least squares (Degroote, Bathe & Vierendeels, Comput.
      Struct. 87 (2009) 793–801): with the differences V = [r_k − r_i], W = [x̃_k − x̃_i]
      of the last ``history`` iterations, c = argmin |V c + r_k| and
      x_{k+1} = x̃_k + W c — a secant Newton step on the coupled residual, which
      converges where the plain iteration diverges (a closing gap makes the pressure,
      and so the conductance, very sensitive to the temperature);
    * ``"aitken"``: Aitken's dynamic relaxation (Küttler & Wall, Comput. Mech. 43 (2008)
      61–72), x_{k+1} = x_k + ω_k r_k;
    * ``"none"``: x_{k+1} = x_k + ω r_k with the constant ``relaxation`` ω.

    The first step is always relaxed with ``relaxation``.
    """

    history = 5

    def __init__(self, problem: ThermoMechanicalProblem) -> None:
        self.p = problem
        self.opts = problem.staggered
        self.comm: MPI.Comm = problem.tagged.mesh.comm
        self.two_way = problem.coupling == "two-way"
        self.dependent = any(
            c.thermal is not None and c.thermal.temperature_dependent for c in problem.contact_specs
        )
        self.x: np.ndarray | None = None
        self.omega = self.opts.relaxation
        self.past: list[tuple[np.ndarray, np.ndarray]] = []  # (r, x̃), newest last
        self.T_prev: fem.Function | None = None
        self.P_prev: np.ndarray | None = None
        self.mres: MechanicsResult | None = None
        self.tres: SteadyResult | None = None

    def _owned(self) -> int:
        assert self.p.T_strain is not None
        V = self.p.T_strain.function_space
        return V.dofmap.index_map.size_local * V.dofmap.index_map_bs

    def _gram(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        """Aᵀ B over the owned DG dofs of all ranks (A, B: (n, m) or (n,))."""
        n = self._owned()
        return self.comm.allreduce(A[:n].T @ B[:n], op=MPI.SUM)

    def _next(self, x: np.ndarray, xt: np.ndarray) -> np.ndarray:
        """The next temperature for the mechanics from the iterate x and x̃ = H(x)."""
        r = xt - x
        kind = self.opts.acceleration
        if self.past and kind == "iqn-ils":
            V = np.stack([r - rp for rp, _ in reversed(self.past)], axis=1)
            W = np.stack([xt - xp for _, xp in reversed(self.past)], axis=1)
            G = self._gram(V, V)
            b = -self._gram(V, r)
            c = np.linalg.lstsq(G, b, rcond=1e-12)[0]
            out = xt + W @ c
        else:
            if self.past and kind == "aitken":
                dr = r - self.past[-1][0]
                den = float(self._gram(dr, dr))
                if den > 0.0:
                    self.omega = (
                        float(-self.omega * self._gram(self.past[-1][0], dr) / den) or 1e-12
                    )
            out = x + self.omega * r
        self.past = [*self.past, (r, xt)][-self.history :]
        return out

    def step(self, k: int) -> tuple[StaggeredStep, bool]:
        """Iteration k: mechanics (k = 1, or two-way), heat, the convergence test."""
        p, opts = self.p, self.opts
        newton = aug = 0
        if k == 1 or self.two_way:
            t0 = time.perf_counter()
            self.mres = p.mechanics.solve()
            p._add_time("mechanics", t0)
            newton, aug = self.mres.solve.newton_iterations, self.mres.solve.augmentations
        assert p.mechanics.fields is not None
        P = p.mechanics.fields.pressure.x.array.copy()
        t0 = time.perf_counter()
        p.thermal = p._thermal_problem(self.T_prev)
        self.tres = p.thermal.run()
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
        self.T_prev, self.P_prev = self.tres.temperature, P
        step = StaggeredStep(k, dT, float(dP), newton, aug, self.tres.solve.newton_iterations)
        if not self.two_way:  # Picard on the temperature-dependent parts of the law
            self.x = new
            return step, not self.dependent or (k >= 2 and dT <= opts.temperature_atol)
        self.x = self._next(x, new)
        assert p.T_strain is not None
        p.T_strain.x.array[:] = self.x
        return step, k >= 2 and dT <= opts.temperature_atol and dP <= opts.pressure_rtol
