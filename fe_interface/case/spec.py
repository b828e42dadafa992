"""A validated case: what :func:`~fe_interface.case.validate.parse_case` returns.

The stages of a case, each in its module and each raising
:class:`~fe_interface.case.checker.CaseError` with the key path of every problem
(``materials.copper.conductivity: must be > 0, got -3``):

1. read (:mod:`~fe_interface.case.read`): the TOML file;
2. validate (:mod:`~fe_interface.case.validate`): the document alone (no mesh, no DOLFINx
   objects): unknown keys, wrong types, bad values, required keys, the interface laws
   (constructed here, so their own range checks run too), values in time;
3. build (:mod:`~fe_interface.case.build`): the mesh (the geometry builder checks its
   parameters before gmsh runs, or the ``.msh`` file), the case checked against it
   (:mod:`~fe_interface.case.meshcheck`: every region has a material, every named region
   and facet group exists, every interface separates two regions that touch, every
   boundary group lies on the outer boundary), then the problem;
4. run (:mod:`~fe_interface.case.run`, :mod:`~fe_interface.case.solve`): solve;
5. write (:mod:`~fe_interface.case.write`): the result set, plots and pictures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fe_interface.case.analysis import TransientSpec
from fe_interface.case.outputs import DEFAULT_FILES

if TYPE_CHECKING:
    from fe_interface.mesh import TaggedMesh
    from fe_interface.problems import SteadyProblem, TransientProblem

__all__ = ["BoundarySpec", "Case", "InterfaceSpec"]


@dataclass
class InterfaceSpec:
    """An ``[interfaces]`` entry: a facet group (or ``between`` two regions) or a pair."""

    name: str
    law: Any
    plus: str | None
    between: tuple[str, str] | None
    pair: dict[str, Any] | None = None  # a non-matching pair (fe_interface.case.pairs)


@dataclass
class BoundarySpec:
    """A ``[boundaries]`` entry: its type and values (SI; numbers or values in time)."""

    name: str
    kind: str
    values: dict[str, Any]


@dataclass
class Case:
    """A validated case (see :func:`parse_case`); paths are absolute."""

    name: str
    description: str
    base_dir: Path
    builder: str | None
    builder_parameters: dict[str, Any]
    mesh_file: Path | None
    gdim: int | None
    materials: dict[str, dict[str, Any]]
    interfaces: list[InterfaceSpec]
    boundaries: list[BoundarySpec]
    sources: dict[str, Any]
    analysis: str = "steady"
    transient: TransientSpec | None = None
    degree: int = 1
    axisymmetric: bool = False
    initial_temperature: float | None = None
    solver: str = "iterative"
    petsc_options: dict[str, Any] = field(default_factory=dict)
    output_folder: Path | None = None
    output_name: str = "temperature"
    files: tuple[str, ...] = DEFAULT_FILES
    line: tuple[list[float], list[float], int] | None = None
    source: str | None = None
    mechanics: Any = None  # fe_interface.case.mechanics.MechanicsSpec
    probes: dict[str, Any] = field(default_factory=dict)  # name -> ProbeSpec (outputs.probes)
    junction: str | None = None  # outputs.junction: region whose max T is reported first
    sweep: Any = None  # fe_interface.case.sweep.SweepSpec ([sweep])
    fixed: list[Any] = field(default_factory=list)  # [fixed_temperatures] (case/conditions.py)
    value_uses: list[Any] = field(default_factory=list, repr=False)  # checked at stage 3
    fit: Any = None  # fe_interface.case.studies.FitSpec ([fit])
    uncertainty: Any = None  # fe_interface.case.studies.UncertaintySpec ([uncertainty])
    data: dict[str, Any] | None = field(default=None, repr=False)  # the TOML document
    cad: Any = None  # fe_interface.case.cad.CadSpec ([geometry] cad = ...)
    contacts: tuple = ()  # the CAD assembly's contacts (after build_mesh)

    # ---------------------------------------------------------------- build stage
    def build_mesh(self, comm: Any = None) -> TaggedMesh:
        """The mesh: CAD assembly, geometry builder or ``.msh`` file (collective)."""
        from fe_interface.case.build import build_mesh

        return build_mesh(self, comm)

    def check_mesh(self, tagged: TaggedMesh) -> TaggedMesh:
        """Check the case against the mesh (:func:`~fe_interface.case.meshcheck.check_mesh`).

        Returns the mesh with the facet groups of ``between`` interfaces added. Raises
        :class:`~fe_interface.case.checker.CaseError` (on every rank).
        """
        from fe_interface.case.meshcheck import check_mesh

        return check_mesh(self, tagged)

    def build_problem(self, tagged: TaggedMesh) -> SteadyProblem | TransientProblem:
        """The problem of a checked mesh (:func:`~fe_interface.case.build.build_problem`)."""
        from fe_interface.case.build import build_problem

        return build_problem(self, tagged)

    def prepare(self, comm: Any = None) -> SteadyProblem | TransientProblem:
        """Mesh + checks + problem (not yet solved)."""
        tagged = self.check_mesh(self.build_mesh(comm))
        return self.build_problem(tagged)
