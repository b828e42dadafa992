"""One problem for the runs of a sweep that change values only.

A sweep (:mod:`fe_interface.case.sweep`) whose variants differ in numbers — an
interface law's parameters (pressure, gas pressure, h, ...), boundary values, sources,
the conductivities of regions away from non-matching pairs — solves them all with one
problem: the first run builds it (space, compiled forms, matrix pattern, solver; with
updates enabled, so that every region and temperature-dependent law has its own
constants), each later run puts its values in place
(:meth:`~fe_interface.problems.base.ConductionProblem.update`, which checks that only
numbers changed) and solves again.  A run is the same computation as the single run of
its case: the same compiled forms, the same start, and new linear solver objects
(:meth:`~fe_interface.problems.steady.SteadyProblem.renew_solver`: a factorisation or
GAMG interpolation kept from the previous run would make a row depend on the rows
before it); the numbers agree to round-off.  What is saved per run: the model and its
checks, the space and its colouring, the pairs' search, the compiled forms.  Newton
and transient solves keep their solver objects (their rows agree with the single runs
within the solvers' tolerances).

A new problem is built (the previous one closed) when a variant changes the structure:

* the mesh (a swept ``geometry`` key) or anything the problem is built with besides the
  model's numbers: the analysis and its time stepping, degree, axisymmetry, solver and
  PETSc options, the probes and junction, fixed temperatures of regions and points, a
  ``[mechanics]`` table (coupled problems are always built again);
* the regions, interfaces (names, sides, ``between``, a pair's surfaces and options) or
  boundaries (names, types, keys) of the case;
* anything :meth:`update` refuses: a law of another kind, a number that becomes a
  function of x or t (values in time are functions), a conductivity next to a pair.
"""

from __future__ import annotations

from typing import Any

from fe_interface.errors import InputError

__all__ = ["SweepProblems", "structure"]


def structure(case: Any) -> tuple:
    """What a sweep's runs must share to use one problem (see the module docstring)."""
    pairs = [
        None if s.pair is None else sorted((k, v) for k, v in s.pair.items() if k != "pressure")
        for s in case.interfaces
    ]
    return (
        case.mechanics is None,
        case.analysis, case.transient, case.degree, case.axisymmetric, case.solver,
        sorted(case.petsc_options.items()), sorted(case.materials), sorted(case.sources),
        [(s.name, s.plus, s.between) for s in case.interfaces], pairs,
        [(b.name, b.kind, sorted(b.values)) for b in case.boundaries],
        case.fixed, sorted(case.probes.items()), case.junction,
    )  # fmt: skip


def _min() -> Any:
    from mpi4py import MPI

    return MPI.MIN


class SweepProblems:
    """The problem of each run of a sweep: reused while only values change.

    Args:
        reuse: reuse is allowed (the mesh is built once).

    Attributes:
        built: how many problems were built (the runs solved with a reused one:
            :attr:`reused`).
    """

    def __init__(self, reuse: bool) -> None:
        self.reuse = reuse
        self.problem: Any = None
        self._structure: tuple | None = None
        self.built = 0
        self.reused = 0

    def get(self, case: Any, tagged: Any) -> Any:
        """The problem of the run of ``case`` on its checked mesh ``tagged`` (collective)."""
        new = case.build_problem(tagged)  # the model objects (nothing is discretised yet)
        key = structure(case)
        if self.problem is not None and self.reuse and key == self._structure and key[0]:
            ok = True
            try:
                self._update(new)
            except InputError:  # a change of structure: a new problem
                ok = False
            if self.problem.comm.allreduce(int(ok), op=_min()):  # every rank reuses, or none
                self.reused += 1
                return self.problem
        self.close()
        self.problem, self._structure = new, key
        self.built += 1
        if self.reuse and key[0]:
            new.enable_updates()  # every value its own constant: later runs update them
        return new

    def _update(self, new: Any) -> None:
        from fe_interface.model.constraints import PointTemperature, RegionTemperature

        p = self.problem
        bcs = [
            b
            for b in new.boundary_conditions
            if not isinstance(b, (RegionTemperature, PointTemperature))  # equal: structure
        ]
        p.update(new.materials, new.interfaces, bcs, new.sources)
        if hasattr(new, "initial_temperature"):  # steady: Newton's start, from the values
            p.initial_temperature = new.initial_temperature
        renew = getattr(p, "renew_solver", None)
        if renew is not None:  # no factorisation or interpolation kept from the last run
            renew()

    def close(self) -> None:
        """Close the current problem (collective)."""
        if self.problem is not None:
            self.problem.close()
            self.problem = None
