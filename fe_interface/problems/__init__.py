"""Problems: conduction, elasticity with contact, and their coupling.

Steady and transient conduction on one formulation; elasticity with contact and its
coupling to heat (:mod:`~fe_interface.problems.elastic`,
:mod:`~fe_interface.problems.thermomechanical`).
"""

from fe_interface.problems.elastic import ElasticProblem, MechanicsResult
from fe_interface.problems.steady import SteadyProblem, SteadyResult
from fe_interface.problems.thermomechanical import (
    CoupledResult,
    StaggeredOptions,
    ThermoMechanicalProblem,
)
from fe_interface.problems.transient import SCHEMES, TransientProblem, TransientResult

__all__ = [
    "SCHEMES",
    "CoupledResult",
    "ElasticProblem",
    "MechanicsResult",
    "StaggeredOptions",
    "SteadyProblem",
    "SteadyResult",
    "ThermoMechanicalProblem",
    "TransientProblem",
    "TransientResult",
]
