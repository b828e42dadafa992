"""Fixed temperatures: DOLFINx Dirichlet conditions on the broken space, with their owned dofs.

Conditions on facets fix the copies of their facets' side; region and point temperatures
fix the dofs of their cells (points: the dofs at the point).  Values in K: numbers, or
functions of x (or :class:`~fe_interface.model.time.TimeFunction`) interpolated into a
work function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from petsc4py import PETSc

import numpy as np
from dolfinx import fem

from fe_interface.errors import collective, user_function
from fe_interface.model.boundary import FixedTemperature, condition_name
from fe_interface.model.model import Model, ResolvedBoundary, ResolvedConstraint

__all__ = ["DirichletGroup", "dirichlet_groups"]

#: PETSc's scalar type, a NumPy scalar type (petsc4py's stubs declare it a dtype)
_SCALAR: Any = PETSc.ScalarType


@dataclass
class DirichletGroup:
    """One fixed-temperature condition.

    Its DOLFINx condition, its owned dofs (each dof counted by the first condition that fixes
    it), its value and, for values given as functions (of x, or TimeFunction), the work function
    the value is interpolated into (``bc.g`` is DOLFINx's C++ object, which cannot interpolate a
    Python callable).
    """

    boundary: ResolvedBoundary | ResolvedConstraint
    bc: fem.DirichletBC
    owned_dofs: np.ndarray
    value: Any
    function: fem.Function | None = None

    def interpolate(self) -> None:
        """Interpolate a value given as a function into :attr:`function` (collective).

        A function that fails (on any rank's points) is an :class:`InputError` naming the
        condition, on every rank.
        """
        if self.function is None:
            return
        spec = self.boundary.spec
        name = condition_name(spec) if hasattr(spec, "facets") else f"temperature of {spec.label}"
        with collective(self.function.function_space.mesh.comm):
            with user_function(f"{name}: value(x)"):
                self.function.interpolate(self.value)
        self.function.x.scatter_forward()  # ghosts in no local cell (pairs' columns) too


def dirichlet_groups(model: Model, space: fem.FunctionSpace) -> list[DirichletGroup]:
    """The fixed temperatures of ``model`` on ``space``: on facets, then on regions and at vertices."""
    tdim = model.mesh.topology.dim
    out: list[DirichletGroup] = []
    imap = space.dofmap.index_map
    counted = np.zeros(imap.size_local + imap.num_ghosts, dtype=bool)
    for b in model.boundaries:
        if isinstance(b.spec, FixedTemperature):
            dofs = fem.locate_dofs_topological(space, tdim - 1, b.facets)
            out.append(_dirichlet_group(space, b, dofs, counted))
    for c in model.constraints:  # region and point temperatures
        dofs = np.unique(space.dofmap.list[c.cells]).astype(np.int32)
        if c.point is not None:
            x = space.tabulate_dof_coordinates()[dofs]
            h = float(np.max(model.mesh.h(tdim, c.cells))) if len(c.cells) else 1.0
            dofs = dofs[np.linalg.norm(x - c.point, axis=1) <= 1e-8 * h]
        out.append(_dirichlet_group(space, c, dofs, counted))
    return out


def _dirichlet_group(
    space: fem.FunctionSpace, item: Any, dofs: np.ndarray, counted: np.ndarray
) -> DirichletGroup:
    """The condition of ``item`` (its ``spec.value``, K) on ``dofs``.

    Each owned dof counted by the first condition that fixes it (``counted``, updated).
    """
    v = item.spec.value
    g = None
    if callable(v):
        g = fem.Function(space)
        bc = fem.dirichletbc(g, dofs)
    else:
        bc = fem.dirichletbc(_SCALAR(v), dofs, space)
    idx, first_ghost = bc.dof_indices()
    owned = np.asarray(idx[:first_ghost])
    owned = owned[~counted[owned]]
    counted[owned] = True
    group = DirichletGroup(item, bc, owned, v, g)
    group.interpolate()
    return group
