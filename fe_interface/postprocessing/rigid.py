"""The force (N) that holds a rigid region in place.

A :class:`~fe_interface.model.mechanical_boundary.RigidRegion` prescribes the same
displacement at every node of a region.  After the solve its force is the sum, over the
region's nodes, of the residual without the Dirichlet conditions — the elastic and
contact forces that the prescribed motion balances (axisymmetric models: the total over
the full revolution, 2π included; 2D plane strain: per metre of depth).  Pressing a
punch down (−y) gives a force along −y.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI

import numpy as np

__all__ = ["RigidForce", "rigid_forces"]


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

    def record(self) -> dict[str, Any]:
        """The JSON-ready record (units in the keys)."""
        return {
            "name": self.name,
            "region": self.region,
            "force_N": list(self.force_N),
            "force_magnitude_N": self.magnitude_N,
        }


def rigid_forces(
    model: Any, space: Any, residual: np.ndarray, axisymmetric: bool
) -> list[RigidForce]:
    """The force of every rigid region of ``model`` (collective).

    Args:
        model: the :class:`~fe_interface.model.mechanical_model.MechanicalModel`.
        space: the displacement space.
        residual: the residual without Dirichlet conditions at the solution, local
            array summed over the ranks (owned entries exact), N.
        axisymmetric: r–z model (the total carries 2π).
    """
    bs = space.dofmap.bs
    n_owned = space.dofmap.index_map.size_local
    R = residual.reshape(-1, bs)
    scale = 2.0 * math.pi if axisymmetric else 1.0
    out = []
    for r in model.rigid:
        blocks = np.unique(space.dofmap.list[r.cells])
        blocks = blocks[blocks < n_owned]
        local = R[blocks].sum(axis=0) if blocks.size else np.zeros(bs)
        total = scale * model.comm.allreduce(local, op=MPI.SUM)
        out.append(RigidForce(r.spec.label, model.region_names[r.region], tuple(map(float, total))))
    return out
