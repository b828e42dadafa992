"""fe_interface: finite-element heat conduction with interface elements.

Temperature jumps on internal interfaces from thermal contact resistance (rough
surfaces: solid spots, gas, radiation) and Kapitza resistance (phonon mismatch), on
DOLFINx 0.11 + PETSc.  ``import fe_interface`` first: it loads MPI before PETSc and
DOLFINx, as they require.

Data flow: :mod:`~fe_interface.geometry` → :mod:`~fe_interface.mesh` →
:mod:`~fe_interface.model` → :mod:`~fe_interface.discretisation` →
:mod:`~fe_interface.problems` → :mod:`~fe_interface.solvers` →
:mod:`~fe_interface.postprocessing` → :mod:`~fe_interface.io` →
:mod:`~fe_interface.case` / :mod:`~fe_interface.cli`.
"""

from mpi4py import MPI  # noqa: F401  (before petsc4py and dolfinx)

import dolfinx.jit as _jit

from fe_interface.errors import InputError, MeshError, SolverError, TimeStepError
from fe_interface.mesh import TaggedMesh, read_msh, tag_mesh
from fe_interface.mesh.parts import join_parts, read_parts
from fe_interface.model import (
    Anisotropic,
    Conductance,
    Convection,
    FacetConductance,
    FixedTemperature,
    HeatFlux,
    HeatSource,
    Interface,
    Material,
    PerfectContact,
    Radiation,
    Resistance,
    Table,
    TimeFunction,
)
from fe_interface.model.laws.gap import GapConduction
from fe_interface.model.pairs import InterfacePair
from fe_interface.problems import SteadyProblem, SteadyResult, TransientProblem, TransientResult

# Processes sharing a cold JIT cache (pytest-xdist workers, case runs side by side) wait for
# each other's compilation of a form, and DOLFINx gives up after 10 s by default ("JIT
# compilation timed out") although a compile on a loaded machine can take longer.  Wait up
# to 120 s unless the user's dolfinx_jit_options.json says otherwise (it takes priority).
_timeout, _doc = _jit.DOLFINX_DEFAULT_JIT_OPTIONS["timeout"]
_jit.DOLFINX_DEFAULT_JIT_OPTIONS["timeout"] = (max(int(_timeout), 120), _doc)

__all__ = [
    "Anisotropic",
    "Conductance",
    "Convection",
    "FacetConductance",
    "FixedTemperature",
    "GapConduction",
    "HeatFlux",
    "HeatSource",
    "InputError",
    "Interface",
    "InterfacePair",
    "Material",
    "MeshError",
    "PerfectContact",
    "Radiation",
    "Resistance",
    "SolverError",
    "SteadyProblem",
    "SteadyResult",
    "Table",
    "TaggedMesh",
    "TimeFunction",
    "TimeStepError",
    "TransientProblem",
    "TransientResult",
    "join_parts",
    "read_msh",
    "read_parts",
    "tag_mesh",
]
