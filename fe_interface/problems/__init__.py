"""Problems: steady and transient conduction on one formulation."""

from fe_interface.problems.steady import SteadyProblem, SteadyResult
from fe_interface.problems.transient import SCHEMES, TransientProblem, TransientResult

__all__ = ["SCHEMES", "SteadyProblem", "SteadyResult", "TransientProblem", "TransientResult"]
