"""What every problem shares: its mesh, its PETSc options and its lifetime; and the heat input.

:class:`ProblemBase` is the root of every problem (conduction, elasticity, their coupling):
the mesh, the solver options under a PETSc prefix of the problem's own, and the lifetime
(:meth:`ProblemBase.close`, ``with``).  :class:`ConductionProblem` adds what steady and
transient conduction share: the model input (materials, interfaces, boundary conditions,
sources), the discretisation choices (Lagrange degree, axisymmetry), values-only updates
and the temperature; it builds the
:class:`~fe_interface.discretisation.formulation.Formulation` on first use.  Subclasses
define :meth:`ProblemBase.initialise` (the forms and the solver of their kind).
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Mapping, Sequence
from typing import Any, Self

from petsc4py import PETSc

import numpy as np
from dolfinx import fem

from fe_interface.discretisation.bulk import conduction_nonlinear
from fe_interface.discretisation.formulation import Formulation
from fe_interface.discretisation.pair_values import stage_pairs
from fe_interface.discretisation.values import FormulationValues, ModelInput
from fe_interface.errors import InputError
from fe_interface.mesh import TaggedMesh, check_tagged
from fe_interface.model.boundary import BoundaryCondition
from fe_interface.model.constraints import PointTemperature, RegionTemperature
from fe_interface.model.interfaces import Interface
from fe_interface.model.materials import Material
from fe_interface.model.pairs import InterfacePair
from fe_interface.model.sources import HeatSource
from fe_interface.solvers.options import default_petsc_options

__all__ = ["ConductionProblem", "ProblemBase", "unique_prefix"]

_counter = itertools.count()


def unique_prefix() -> str:
    """A PETSc options prefix no other problem of this process uses."""
    return f"fe_interface_{next(_counter)}_"


def jacobian_symmetric(f: Formulation) -> bool:
    """True if Newton's Jacobian of ``f`` is symmetric at every field.

    Not with a k(T) (the terms ∫ k'(T) δT ∇T·∇v) or an interface law of T (the terms
    ∂h/∂T δT (T⁺ − T⁻)[v]), on conforming interfaces or pairs; radiation, h(T) of a
    convection and c_p(T) add terms in δT v, which are symmetric.
    """
    return not (
        conduction_nonlinear(f)
        or any(d.kind == "temperature" for d in f.model.interfaces)
        or any(p.nonlinear for p in f.pairs)
    )


class ProblemBase:
    """The root of every problem: mesh, PETSc options under its own prefix, lifetime.

    Args:
        tagged: mesh with cell tags (regions) and facet tags.
        solver: "iterative" or "direct": the default PETSc options (None: none, a
            problem made of problems).
        petsc_options: PETSc options that override the defaults, set under the prefix.
        petsc_options_prefix: defaults to a unique ``fe_interface_<n>_``.
    """

    def __init__(
        self,
        tagged: TaggedMesh,
        solver: str | None,
        petsc_options: Mapping[str, Any] | None,
        petsc_options_prefix: str | None,
    ) -> None:
        check_tagged(tagged, type(self).__name__)
        self.tagged = tagged
        defaults = default_petsc_options(solver) if solver is not None else {}
        self.petsc_options = defaults | dict(petsc_options or {})
        self.prefix = petsc_options_prefix or unique_prefix()

    def initialise(self) -> None:
        """Check the input, build the space, the forms and the solver (collective)."""
        raise NotImplementedError

    @property
    def comm(self) -> Any:
        """The mesh's communicator."""
        return self.tagged.mesh.comm

    def close(self) -> None:
        """Destroy this problem's PETSc objects now (collective); the problem is unusable after.

        On more than one rank petsc4py does not destroy a PETSc object that Python frees: it
        parks it until ``PETSc.garbage_cleanup`` runs on the object's communicator (a
        collective call).  A parallel loop over many problems kept every run's matrices,
        solvers and their MPI communicators, and MPICH ran out of communicators after ~250
        runs.  ``close()`` (or ``with problem:``) ends a problem at a point every rank reaches;
        results already returned stay valid.  Calling it twice does nothing.
        """
        tagged = self.__dict__.get("tagged")
        if tagged is None:
            return
        self.__dict__.clear()
        self.__dict__["_closed"] = True
        gc.collect()
        PETSc.garbage_cleanup(tagged.mesh.comm)

    def __getattr__(self, name: str) -> Any:
        """Only reached for a missing attribute: after :meth:`close`, every one is missing."""
        if not name.startswith("__") and self.__dict__.get("_closed"):
            raise InputError(
                f"this {type(self).__name__} was closed (close() or the end of its 'with' "
                "block): its solver and fields are gone; build a new problem"
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ConductionProblem(ProblemBase):
    """The input and the temperature of a conduction problem (steady or transient).

    Args:
        tagged: mesh with cell tags (regions) and facet tags (boundaries, interfaces).
        materials: region (cell group name or tag) -> :class:`Material`.
        interfaces: laws on facet groups between two regions.
        boundary_conditions: conditions on outer facet groups.
        sources: volumetric sources (W/m³) per region.
        degree: Lagrange degree (1, 2 or 3).
        axisymmetric: 2D r–z model (x[0] = r ≥ 0, x[1] = z).
        solver: "iterative" (CG + GAMG) or "direct" (MUMPS).
        petsc_options: PETSc options that override the defaults, set under the prefix.
        petsc_options_prefix: defaults to a unique ``fe_interface_<n>_``.

    Raises:
        InputError: a degree other than 1, 2 or 3.
    """

    def __init__(
        self,
        tagged: TaggedMesh,
        materials: Mapping[Any, Material],
        interfaces: Sequence[Interface],
        boundary_conditions: Sequence[BoundaryCondition],
        sources: Sequence[HeatSource],
        degree: int,
        axisymmetric: bool,
        solver: str,
        petsc_options: Mapping[str, Any] | None,
        petsc_options_prefix: str | None,
    ) -> None:
        if degree not in (1, 2, 3):
            raise InputError(f"degree must be 1, 2 or 3, got {degree!r}")
        super().__init__(tagged, solver, petsc_options, petsc_options_prefix)
        self.materials = dict(materials)
        self.interfaces = list(interfaces)
        self.boundary_conditions = list(boundary_conditions)
        self.sources = list(sources)
        self.degree = degree
        self.axisymmetric = axisymmetric
        self.formulation: Formulation | None = None
        self.separate_values = False
        self._values: FormulationValues | None = None

    # ------------------------------------------------------------------ values-only updates
    def enable_updates(self) -> None:
        """Give every region its own constants, so that any value can change later.

        Call before :meth:`initialise`.  Without it, regions with equal conductivity (heat
        capacity, source) share one constant and :meth:`update` can only change them
        together; temperature-dependent interface laws are compiled with their numbers, and
        only with it do they get constants (:mod:`~fe_interface.discretisation.law_constants`).

        Raises:
            InputError: the problem is already initialised.
        """
        if self.formulation is not None:
            raise InputError("enable_updates() must be called before initialise()")
        self.separate_values = True

    @property
    def values(self) -> FormulationValues:
        """The numbers that :meth:`update` changes in place (collective on first use)."""
        if self._values is None:
            self._values = FormulationValues(self._formulation(), storage=self.stores_heat)
        return self._values

    stores_heat = False  # a transient problem uses heat capacities

    def model_input(
        self,
        materials: Mapping[Any, Material] | None = None,
        interfaces: Sequence[Interface] | None = None,
        boundary_conditions: Sequence[BoundaryCondition] | None = None,
        sources: Sequence[HeatSource] | None = None,
    ) -> ModelInput:
        """The model objects aligned with the problem's model (None: the current ones).

        Raises:
            InputError: a region without a material, or another number of interfaces,
                conditions or sources.
        """
        model = self._formulation().model
        mats = dict(model.region_material)
        if materials is not None:
            given = {model.region_tag(k, "materials"): m for k, m in materials.items()}
            missing = [model.region_names[r] for r in mats if r not in given]
            if missing:
                raise InputError(f"update: no material for region(s) {missing}")
            mats = given
        fixed = constraints = None  # fixed region/point temperatures: a list of their own
        if boundary_conditions is not None:
            kinds = (RegionTemperature, PointTemperature)
            fixed = [b for b in boundary_conditions if not isinstance(b, kinds)]
            constraints = [b for b in boundary_conditions if isinstance(b, kinds)]
        lists = []
        for what, new, old in (
            ("interfaces", interfaces, [d.spec for d in model.interfaces]),
            ("boundary conditions", fixed, [b.spec for b in model.boundaries]),
            ("sources", sources, [s.spec for s in model.sources]),
            ("fixed region/point temperatures", constraints, [c.spec for c in model.constraints]),
        ):
            if new is not None and len(new) != len(old):
                raise InputError(f"update: {len(new)} {what} for a problem with {len(old)}")
            lists.append(list(old if new is None else new))
        return ModelInput(mats, *lists)

    def update(
        self,
        materials: Mapping[Any, Material] | None = None,
        interfaces: Sequence[Interface] | None = None,
        boundary_conditions: Sequence[BoundaryCondition] | None = None,
        sources: Sequence[HeatSource] | None = None,
    ) -> None:
        """New values for the same model: no new mesh, space, form, matrix or solver.

        The objects replace the problem's (None: unchanged) and must have the same
        structure: the same regions, facet groups, kinds of condition and law; only numbers
        change (:mod:`~fe_interface.discretisation.values`).  Position-dependent conductances
        h(x) (:class:`~fe_interface.model.interfaces.Conductance` of a function) are evaluated
        again at the facet quadrature points whenever ``interfaces`` is given — the same
        function whose values changed (h(P(x), g(x)) of a contact solve) or another one; so
        is the law of a non-matching pair (:class:`~fe_interface.model.pairs.InterfacePair`,
        at the same points: :mod:`~fe_interface.discretisation.pair_values`).  The next :meth:`run`
        reassembles and solves with the same matrix pattern and solver objects (a direct
        solver keeps its symbolic factorisation).  Collective.

        Raises:
            InputError: something changed that needs a new problem, naming it (nothing
                changed then); steady problems: with the values in place, a body is left
                without a fixed temperature (a conductance set to 0: singular).
        """
        conforming = pairs = None
        if interfaces is not None:  # non-matching pairs: fe_interface.discretisation.pair_values
            conforming = [i for i in interfaces if not isinstance(i, InterfacePair)]
            pairs = [i for i in interfaces if isinstance(i, InterfacePair)] or None  # none: kept
        inp = self.model_input(materials, conforming, boundary_conditions, sources)
        f = self._formulation()
        commit_pairs = stage_pairs(f, pairs, inp.materials if materials is not None else None)
        self.values.apply(inp)
        commit_pairs()
        if interfaces is not None:  # a function of x: its values may have changed
            f.refresh_positions()
        if materials is not None:
            self.materials = dict(materials)
        if interfaces is not None and pairs is None:  # the pairs kept
            interfaces = [
                *interfaces,
                *(i for i in self.interfaces if isinstance(i, InterfacePair)),
            ]
        for name, new in (
            ("interfaces", interfaces),
            ("boundary_conditions", boundary_conditions),
            ("sources", sources),
        ):
            if new is not None:
                setattr(self, name, list(new))
        self._values_changed(materials is not None)

    def _values_changed(self, materials: bool) -> None:
        """Drop what was computed from the old values (subclasses)."""

    @property
    def T(self) -> fem.Function:
        """The temperature (K) on the broken space (the current time level if transient)."""
        return self._formulation().T

    temperature = T

    def _formulation(self) -> Formulation:
        if self.formulation is None:
            self.initialise()
        assert self.formulation is not None
        return self.formulation

    def region_temperature(self, region: str | int) -> tuple[fem.Function, np.ndarray]:
        """The temperature (K) and the local cells (ghosts included) of ``region``."""
        f = self._formulation()
        return f.T, f.region_cells(region)
