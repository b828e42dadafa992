"""Problems: steady and transient conduction on one formulation."""

from fe_interface.problems.steady import SteadyProblem, SteadyResult

__all__ = ["SteadyProblem", "SteadyResult"]
