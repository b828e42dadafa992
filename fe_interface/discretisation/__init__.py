"""Discretisation: colours, the broken Lagrange space, facet quadrature and the terms."""

from fe_interface.discretisation.formulation import Formulation
from fe_interface.discretisation.space import BrokenSpace, broken_lagrange_space

__all__ = ["BrokenSpace", "Formulation", "broken_lagrange_space"]
