"""Terms assembled outside UFL: one interface for the facet-wise and the nodal terms.

Two terms of the discretisation are not UFL forms: the facet-wise interface coupling of
the heat problem (:class:`~fe_interface.discretisation.coupling.InterfaceCoupling`:
∫ h [T][v] dA facet by facet, without the entity permutations of a ``dS`` form) and the
node-to-node contact of the mechanics
(:class:`~fe_interface.discretisation.nodal_contact.NodalContact`: A_i P_i n_i at the
node pairs of a contact interface).  They do the same job, and the solvers
(:mod:`~fe_interface.solvers.linear`, :mod:`~fe_interface.solvers.nonlinear`) use them
through :class:`ExternalTerm` alone:

* ``insert_sparsity(pattern)`` — their couplings into a (not finalised) DOLFINx sparsity
  pattern, before the matrix is created;
* ``apply(u, out=None)`` — out += their part of the residual at the local dof values
  ``u`` (owned and ghosts; this rank's facets: a reverse scatter sums them, as after a
  DOLFINx vector assembly; a new array when ``out`` is None);
* ``linearise(u)`` — prepare their Jacobian at ``u``; True when it differs from the one
  last added (a contact whose active set changed), False for a term linear in u;
  collective;
* ``add_to_matrix(A, index, scale)`` — A += scale × their Jacobian (ADD_VALUES, local
  indices, −1 for Dirichlet rows and columns); ``scale = 0`` inserts explicit zeros (the
  pattern of a matrix that is copied into later ones).

:class:`FacetTerms` is the part without ``linearise``: terms linear in u, which the
solvers take as their ``coupling`` (scaled by θ in a time step) — the conforming
coupling and the couplings of non-matching interface pairs
(:class:`~fe_interface.discretisation.pairs.CouplingSet`); :class:`ExternalTerm` adds
``linearise`` for the ``terms`` of Newton's method (the nodal contact, whose Jacobian
changes with its active set; ``InterfaceCoupling`` implements both).

What they report differs in kind (heat flows per interface:
``InterfaceCoupling.heat_flows``; forces, areas and pressures per contact:
``NodalContact.summary``).
"""

from __future__ import annotations

from typing import Any, Protocol

from petsc4py import PETSc

import numpy as np

__all__ = ["ExternalTerm", "FacetTerms"]


class FacetTerms(Protocol):
    """Terms assembled outside UFL, linear in u (see the module docstring)."""

    def insert_sparsity(self, pattern: Any) -> None:
        """Add the term's couplings to a (not finalised) sparsity pattern."""
        ...

    def apply(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Out += the term's residual at the local values ``u``; returns ``out``."""
        ...

    def add_to_matrix(self, A: PETSc.Mat, index: np.ndarray, scale: float = 1.0) -> None:
        """A += scale × the term's Jacobian (ADD_VALUES, local indices)."""
        ...


class ExternalTerm(FacetTerms, Protocol):
    """A term assembled outside UFL whose Jacobian may change (module docstring)."""

    def linearise(self, u: np.ndarray) -> bool:
        """Prepare the Jacobian at ``u``; True if it changed since it was last added."""
        ...
