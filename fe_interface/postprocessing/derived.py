"""Derived values of a temperature field: surface and region means, region extremes.

Every mean is a linear functional of the temperature, computed once as a vector c of
dof weights, ∫ T w dA = Σ_i c_i T_i (w = r for axisymmetric models), so it applies to
any field on the problem's space (the current temperature of a transient run, a
checkpointed one) with one dot product per call:

* :class:`SurfaceMean` — area-weighted mean over facets seen from one side: an outer
  boundary group, or one side (⁺ or ⁻) of an interface (NumPy facet quadrature of
  :mod:`fe_interface.discretisation.facets`: no ``dS`` form);
* :class:`RegionTemperature` — ∫ T dV, the mean, minimum and maximum over a region
  (``dx`` vector on the parent mesh; the extremes over the region's dofs).

Functions take a problem (anything with a ``formulation``) or a
:class:`~fe_interface.discretisation.formulation.Formulation`; all are collective and
give the same value on every rank.  Units: K, m, m², m³ (axisymmetric: full 2π).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import IntegralType

from fe_interface.discretisation.facets import FacetQuadrature
from fe_interface.discretisation.formulation import Formulation
from fe_interface.errors import InputError
from fe_interface.mesh.topology import facet_cells
from fe_interface.postprocessing.sampling import as_formulation

__all__ = [
    "RegionStatistics",
    "RegionTemperature",
    "SurfaceMean",
    "boundary_mean_temperature",
    "region_statistics",
]


def _quadrature_degree(f: Formulation) -> int:
    tensor = f.mesh.topology.cell_type.name in ("quadrilateral", "hexahedron")
    return f.degree + int(f.axisymmetric) + (2 if tensor else 0)


class SurfaceMean:
    """Area-weighted mean temperature over facets, each seen from one cell.

    Args:
        p: a problem or a formulation.
        cells: local cell of each facet (owned facets only: each facet once).
        local_facets: the facet's local index in that cell.

    Use :meth:`boundary` or :meth:`interface` to build one.
    """

    def __init__(self, p: Any, cells: np.ndarray, local_facets: np.ndarray) -> None:
        f = as_formulation(p)
        self.f = f
        V = f.space
        imap = V.dofmap.index_map
        c = np.zeros(imap.size_local + imap.num_ghosts)
        q = FacetQuadrature(
            f.mesh, V.ufl_element(), V.dofmap.dof_layout, cells, local_facets,
            _quadrature_degree(f), f.axisymmetric,
        )  # fmt: skip
        for g in q.groups:
            dofs = V.dofmap.list[np.asarray(cells)[g.rows]]  # (nf, dofs per cell)
            np.add.at(c, dofs, np.einsum("qi,fq->fi", g.phi, g.weight))
        self.weights = c
        self.area_m2 = f.two_pi * f.comm.allreduce(float(c.sum()), op=MPI.SUM)
        if not self.area_m2 > 0:
            raise InputError("SurfaceMean: the facets have no area")

    @classmethod
    def boundary(cls, p: Any, group: str | int) -> SurfaceMean:
        """Mean over an outer facet group (name or tag)."""
        f = as_formulation(p)
        mesh = f.mesh
        tdim = mesh.topology.dim
        tag = f.model.tagged.facet_tag(group)
        ft = f.model.tagged.facet_tags
        facets = ft.indices[ft.values == tag].astype(np.int32)
        facets = facets[facets < mesh.topology.index_map(tdim - 1).size_local]
        n, _ = facet_cells(mesh, facets)
        if f.comm.allreduce(int(np.sum(n > 1)), op=MPI.SUM):
            raise InputError(f"facet group {group!r} is not on the outer boundary")
        e = fem.compute_integration_domains(IntegralType.exterior_facet, mesh.topology, facets)
        e = np.asarray(e, dtype=np.int32).reshape(-1, 2)
        return cls(f, e[:, 0], e[:, 1])

    @classmethod
    def interface(cls, p: Any, name: str, side: str) -> SurfaceMean:
        """Mean over one side (``"plus"`` or ``"minus"``) of interface ``name``."""
        f = as_formulation(p)
        d = next((d for d in f.model.interfaces if d.label == name), None)
        if d is None:
            raise InputError(
                f"no interface {name!r}; interfaces: {[x.label for x in f.model.interfaces]}"
            )
        if side not in ("plus", "minus"):
            raise InputError(f"side must be 'plus' or 'minus', got {side!r}")
        col = 0 if side == "plus" else 2
        return cls(f, d.entities[:, col], d.entities[:, col + 1])

    def __call__(self, T: fem.Function | None = None) -> float:
        """The mean temperature (K) of ``T`` (default: the problem's temperature)."""
        u = (self.f.T if T is None else T).x.array
        total = self.f.comm.allreduce(float(self.weights @ u), op=MPI.SUM)
        return self.f.two_pi * total / self.area_m2


def boundary_mean_temperature(p: Any, group: str | int, T: fem.Function | None = None) -> float:
    """Area-weighted mean temperature (K) over an outer facet group (collective)."""
    return SurfaceMean.boundary(p, group)(T)


class RegionStatistics(NamedTuple):
    """Temperature of one region.

    Attributes:
        region: region name.
        volume_m3: volume, m³ (2D: m² per metre of depth; axisymmetric: full 2π).
        min_K, mean_K, max_K: minimum, volume mean and maximum temperature, K (the
            extremes over the region's dofs: the field's extremes for P1).
    """

    region: str
    volume_m3: float
    min_K: float
    mean_K: float
    max_K: float


class RegionTemperature:
    """∫ T dV, mean, minimum and maximum of the temperature in one region.

    The weights are assembled once; every call is a dot product and a reduction.

    Args:
        p: a problem or a formulation.
        region: region name or tag.
    """

    def __init__(self, p: Any, region: str | int) -> None:
        f = as_formulation(p)
        self.f = f
        mesh = f.mesh
        tag = f.model.region_tag(region, "region")
        self.name = f.model.region_names[tag]
        cells = f.model.region_cells(tag)
        owned = cells[cells < mesh.topology.index_map(mesh.topology.dim).size_local]
        dx = ufl.Measure(
            "dx",
            domain=mesh,
            subdomain_data=[
                (1, fem.compute_integration_domains(IntegralType.cell, mesh.topology, owned))
            ],
        )
        v = ufl.TestFunction(f.space)
        vec = fem.assemble_vector(fem.form(v * f.w * dx(1)))
        self.weights = vec.array.copy()  # local contributions, ghosts included
        self.volume_m3 = f.two_pi * f.comm.allreduce(float(self.weights.sum()), op=MPI.SUM)
        if not self.volume_m3 > 0:
            raise InputError(f"region {region!r} has no volume")
        self.dofs = np.unique(f.space.dofmap.list[cells])

    def _u(self, T: fem.Function | None) -> np.ndarray:
        return (self.f.T if T is None else T).x.array

    def integral(self, T: fem.Function | None = None) -> float:
        """∫_region T dV, K m³."""
        local = float(self.weights @ self._u(T))
        return self.f.two_pi * self.f.comm.allreduce(local, op=MPI.SUM)

    def mean(self, T: fem.Function | None = None) -> float:
        """Volume mean, K."""
        return self.integral(T) / self.volume_m3

    def max(self, T: fem.Function | None = None) -> float:
        """Largest dof value in the region, K."""
        u = self._u(T)[self.dofs]
        return self.f.comm.allreduce(float(u.max()) if u.size else -math.inf, op=MPI.MAX)

    def min(self, T: fem.Function | None = None) -> float:
        """Smallest dof value in the region, K."""
        u = self._u(T)[self.dofs]
        return self.f.comm.allreduce(float(u.min()) if u.size else math.inf, op=MPI.MIN)

    def statistics(self, T: fem.Function | None = None) -> RegionStatistics:
        """:class:`RegionStatistics` of the field."""
        return RegionStatistics(self.name, self.volume_m3, self.min(T), self.mean(T), self.max(T))


def region_statistics(p: Any, region: str | int, T: fem.Function | None = None) -> RegionStatistics:
    """Volume, minimum, mean and maximum temperature of a region (collective)."""
    return RegionTemperature(p, region).statistics(T)
