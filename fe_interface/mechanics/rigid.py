"""Rigid regions: a punch or an indenter that moves as one body and reports its force.

A :class:`RigidRegion` prescribes the same displacement (m) at every node of a region:
the region does not deform (a rigid punch, indenter or clamp jaw, instead of a stiff
stand-in material); its contacts and bonded neighbours carry the load.  After the solve
:func:`rigid_forces` gives the force (N) the prescribed motion applies to the model:
the sum, over the region's nodes, of the residual without the Dirichlet conditions —
the elastic and contact forces that hold the region in place (axisymmetric models: the
total over the full revolution, 2π included; 2D plane strain: per metre of depth).
Pressing a punch down (−y) gives a force along −y.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI

import numpy as np
from dolfinx import fem

from fe_interface.errors import InputError
from fe_interface.model.validation import check_real

__all__ = ["RigidForce", "RigidRegion", "rigid_dirichlet", "rigid_forces"]


@dataclass(frozen=True)
class RigidRegion:
    """Every node of ``region`` moves by ``displacement`` (m): a rigid translation.

    Attributes:
        region: cell group (physical name or tag).
        displacement: one component per coordinate, m.
        name: label in tables (default: the region).
    """

    region: str | int
    displacement: Sequence[float]
    name: str | None = None

    def __post_init__(self) -> None:
        owner = f"rigid region {self.region!r}"
        d = self.displacement
        if isinstance(d, (str, bytes)) or not isinstance(d, Sequence) or len(d) not in (2, 3):
            raise InputError(f"{owner}: displacement (m) must be 2 or 3 numbers, got {d!r}")
        vals = tuple(check_real(v, f"displacement[{i}]", "m", owner) for i, v in enumerate(d))
        object.__setattr__(self, "displacement", vals)

    @property
    def label(self) -> str:
        """The name in tables and messages."""
        return self.name or str(self.region)


@dataclass(frozen=True)
class RigidForce:
    """The force (N) a rigid region's prescribed motion applies (module docstring)."""

    name: str
    region: str
    force_N: tuple[float, ...]

    @property
    def magnitude_N(self) -> float:
        """|F|, N."""
        return math.sqrt(sum(f * f for f in self.force_N))


def rigid_dirichlet(space: fem.FunctionSpace, cells: np.ndarray, value: Sequence[float]) -> list:
    """One Dirichlet condition per component on every node of ``cells``."""
    from petsc4py import PETSc

    bs = space.dofmap.bs
    blocks = np.unique(space.dofmap.list[cells]).astype(np.int32)
    out = []
    for c, v in enumerate(value):
        sub = space.sub(c)
        out.append(fem.dirichletbc(PETSc.ScalarType(v), blocks * bs + c, sub))  # type: ignore[operator]
    return out


def rigid_forces(problem: Any) -> list[RigidForce]:
    """The force of every rigid region of a solved ElasticProblem (collective)."""
    model = problem.model
    if model is None or not model.rigid:
        return []
    import ufl

    v = ufl.TestFunction(problem.space)
    form = getattr(problem, "_residual_form", None)
    if form is None:
        form = fem.form(problem.forms.residual(problem.u, v))
        problem._residual_form = form
    vec = fem.assemble_vector(form)
    for c in getattr(problem, "contacts", []):
        c.add_residual(problem.u.x.array, vec.array)
    from dolfinx import la

    vec.scatter_reverse(la.InsertMode.add)
    space = problem.space
    bs = space.dofmap.bs
    n_owned = space.dofmap.index_map.size_local
    R = vec.array.reshape(-1, bs)
    scale = 2.0 * math.pi if problem.axisymmetric else 1.0
    out = []
    for r in model.rigid:
        blocks = np.unique(space.dofmap.list[r.cells])
        blocks = blocks[blocks < n_owned]
        local = R[blocks].sum(axis=0) if blocks.size else np.zeros(bs)
        total = scale * model.comm.allreduce(local, op=MPI.SUM)
        out.append(RigidForce(r.spec.label, model.region_names[r.region], tuple(map(float, total))))
    return out
