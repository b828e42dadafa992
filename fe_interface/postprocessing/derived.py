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

On top of these, the values users read first (:class:`DerivedValues`, computed by
:class:`Derived`; in the JSON summary, the CLI table and the sweep tables):

* the *junction temperature*: the maximum temperature of a chosen region (the die);
* min/mean/max temperature of every region (:class:`RegionStatistics`);
* named point probes (:class:`ProbeValue`; time series in transient runs:
  :class:`Monitors`), each optionally in a given region (a point on an interface
  belongs to both sides);
* the heat flow into the body through every boundary condition (:class:`BoundaryFlow`)
  — the inflows of the energy balance, so that sources + Σ flows − storage = the
  balance residual — and the mean temperature of its facets.

Functions take a problem (anything with a ``formulation``) or a
:class:`~fe_interface.discretisation.formulation.Formulation`; all are collective and
give the same value on every rank.  Units: K, m, m², m³ (axisymmetric: full 2π), W.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
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
from fe_interface.postprocessing.sampling import as_formulation, evaluate_at, locate_points

__all__ = [
    "BoundaryFlow",
    "Derived",
    "DerivedValues",
    "Monitors",
    "ProbeSpec",
    "ProbeValue",
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


# --------------------------------------------------------------------------------------
# probes, boundary flows, the derived values of a run
# --------------------------------------------------------------------------------------
class ProbeSpec(NamedTuple):
    """A named point probe.

    Attributes:
        name: label (the CSV column is ``probe_<name>_K``).
        point: coordinates (2 or 3), m.
        region: region name the point must lie in (None: any; needed on an interface
            to choose the side).
    """

    name: str
    point: tuple[float, ...]
    region: str | None = None


class ProbeValue(NamedTuple):
    """The temperature at a probe.

    Attributes:
        name: the probe's label.
        point: coordinates (3), m.
        region: name of the region of the cell that holds it.
        temperature_K: K.
    """

    name: str
    point: tuple[float, ...]
    region: str
    temperature_K: float


class BoundaryFlow(NamedTuple):
    """Heat entering the body through one boundary condition.

    Attributes:
        name: facet group.
        condition: kind of condition (FixedTemperature, HeatFlux, Convection,
            Radiation).
        heat_flow_W: heat flow into the body, W (negative: heat leaves); the energy
            balance's term (a fixed temperature: the consistent reaction; a transient
            step: the θ-weighted value of the step).
        mean_temperature_K: area-weighted mean temperature of its facets, K.
    """

    name: str
    condition: str
    heat_flow_W: float
    mean_temperature_K: float


class DerivedValues(NamedTuple):
    """The derived values of a solution (see the module docstring).

    Attributes:
        junction: :class:`RegionStatistics` of the junction region (its ``max_K`` is
            the junction temperature), or None.
        regions: one :class:`RegionStatistics` per region (the junction's first).
        probes: one :class:`ProbeValue` per probe.
        boundaries: one :class:`BoundaryFlow` per boundary condition.
    """

    junction: RegionStatistics | None
    regions: list[RegionStatistics]
    probes: list[ProbeValue]
    boundaries: list[BoundaryFlow]

    @property
    def junction_K(self) -> float | None:
        """The junction temperature (max T of the junction region), K, or None."""
        return None if self.junction is None else self.junction.max_K

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``junction`` ({region, temperature_K}), ``regions``, ``probes``, ``boundaries``.

        Lists of objects with a unit in every key.
        """
        j = self.junction
        return {
            "junction": None if j is None else {"region": j.region, "temperature_K": j.max_K},
            "regions": [r._asdict() for r in self.regions],
            "probes": [dict(q._asdict(), point=list(q.point)) for q in self.probes],
            "boundaries": [b._asdict() for b in self.boundaries],
        }

    def flat(self) -> dict[str, float]:
        """One number per key (the names of sweep outputs).

        ``junction_K``, ``regions.<r>.min_K|mean_K|max_K``, ``probes.<p>_K``,
        ``boundaries.<b>.heat_flow_W|mean_temperature_K``.
        """
        out: dict[str, float] = {}
        if self.junction is not None:
            out["junction_K"] = self.junction.max_K
        for r in self.regions:
            for k in ("min_K", "mean_K", "max_K"):
                out[f"regions.{r.region}.{k}"] = getattr(r, k)
        for q in self.probes:
            out[f"probes.{q.name}_K"] = q.temperature_K
        for b in self.boundaries:
            out[f"boundaries.{b.name}.heat_flow_W"] = b.heat_flow_W
            out[f"boundaries.{b.name}.mean_temperature_K"] = b.mean_temperature_K
        return out


def _probe_specs(probes: Any) -> list[ProbeSpec]:
    """ProbeSpec list from a mapping name -> point or ProbeSpec, or a sequence of them."""
    if probes is None:
        return []
    if isinstance(probes, (str, bytes)) or not isinstance(probes, (Mapping, Iterable)):
        raise InputError(
            f"probes must be a mapping name -> point (m) or a sequence of ProbeSpec, got {type(probes).__name__}"
        )
    items = probes.items() if isinstance(probes, Mapping) else [(None, q) for q in probes]
    out = []
    for name, q in items:
        if isinstance(q, ProbeSpec):
            out.append(q._replace(name=name) if name is not None else q)
            continue
        if name is None:
            raise InputError(f"probes: {q!r} needs a name (give a mapping name -> point)")
        try:
            pt = tuple(float(v) for v in q)
        except (TypeError, ValueError):
            pt = ()
        if len(pt) not in (2, 3) or not all(math.isfinite(v) for v in pt):
            raise InputError(
                f"probe {name!r}: the point must be 2 or 3 finite coordinates (m), got {q!r}"
            )
        out.append(ProbeSpec(str(name), pt))
    names = [q.name for q in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"probes: names given twice: {dup}")
    return out


class Derived:
    """Evaluator of :class:`DerivedValues`: set up once, then one call per field (collective).

    Args:
        p: a problem or a formulation.
        probes: mapping name -> point (m) or :class:`ProbeSpec`, or a sequence of
            :class:`ProbeSpec`.
        junction: region whose maximum temperature is the junction temperature.
        regions: regions to report (default: all, the junction's first).

    Raises:
        InputError: an unknown region, or a probe outside the mesh (or outside its
            region), named.
    """

    def __init__(
        self,
        p: Any,
        probes: Any = None,
        junction: str | None = None,
        regions: list[str] | None = None,
    ) -> None:
        f = as_formulation(p)
        self.f = f
        model = f.model
        if junction is not None:
            model.region_tag(junction, "junction")
        if isinstance(regions, str):  # one region
            regions = [regions]
        names = [model.region_names[t] for t in model.regions] if regions is None else list(regions)
        if junction is not None:
            names = [junction] + [n for n in names if n != junction]
        self.junction = junction
        self.regions = {n: RegionTemperature(f, n) for n in names}
        self.probes = _probe_specs(probes)
        tags = [
            None if q.region is None else model.region_tag(q.region, f"probe {q.name!r}: region")
            for q in self.probes
        ]
        self.where = locate_points(f, [q.point for q in self.probes], tags)
        missing = [q for q, o in zip(self.probes, self.where.owner, strict=True) if o < 0]
        if missing:
            q = missing[0]
            inside = f" in region {q.region!r}" if q.region else ""
            raise InputError(
                f"probe {q.name!r}: the point {list(q.point)} m is not in the mesh{inside}"
            )
        self._surfaces: dict[str, SurfaceMean] = {}

    def probe_values(self, T: fem.Function | None = None) -> np.ndarray:
        """The probe temperatures (K), in the order of the probes."""
        if not self.probes:
            return np.empty(0)
        return evaluate_at(self.f, self.where, T)

    def _boundaries(self, balance: Any, T: fem.Function | None) -> list[BoundaryFlow]:
        out = []
        inflow = {} if balance is None else balance.boundary_inflow_W
        for b in self.f.model.boundaries:
            group = str(b.spec.facets)
            if b.label not in self._surfaces:
                self._surfaces[b.label] = SurfaceMean.boundary(self.f, b.spec.facets)
            q = inflow.get(b.label, math.nan)
            out.append(
                BoundaryFlow(group, type(b.spec).__name__, float(q), self._surfaces[b.label](T))
            )
        for c in self.f.model.constraints:  # region and point temperatures: their value
            q = inflow.get(c.label, math.nan)
            out.append(
                BoundaryFlow(c.label, type(c.spec).__name__, float(q), _value_now(c.spec.value))
            )
        return out

    def compute(self, T: fem.Function | None = None, balance: Any = None) -> DerivedValues:
        """The :class:`DerivedValues` of the field ``T`` (default: the problem's).

        The boundary heat flows come from ``balance`` (an
        :class:`~fe_interface.postprocessing.balance.EnergyBalance` of the same field; NaN
        without one).
        """
        stats = [r.statistics(T) for r in self.regions.values()]
        junction = stats[0] if self.junction is not None else None
        names = self.f.model.region_names
        vals = self.probe_values(T)
        probes = [
            ProbeValue(q.name, tuple(map(float, x)), names.get(int(r), str(int(r))), float(v))
            for q, x, r, v in zip(
                self.probes, self.where.points, self.where.region, vals, strict=True
            )
        ]
        return DerivedValues(junction, stats, probes, self._boundaries(balance, T))


def _value_now(v: Any) -> float:
    """A fixed temperature's value now (K): a number, an expression of t or a TimeFunction."""
    if not callable(v):
        return float(v)
    if hasattr(v, "evaluate"):  # ExpressionValue of t
        return float(v.evaluate())
    if hasattr(v, "at") and not callable(getattr(v, "value", None)):  # TimeFunction
        return float(v.at(v.time) * v.value)
    return math.nan


class Monitors:
    """Per-step columns of a transient run: probes and region temperatures (collective).

    The probes (``probe_<name>_K``) and the min/mean/max temperature of chosen regions
    (``<region>_min_K``, ``_mean_K``, ``_max_K``).

    Args:
        f: the formulation.
        probes: as for :class:`Derived`.
        regions: region names.
    """

    def __init__(self, f: Any, probes: Any = None, regions: Any = ()) -> None:
        self.derived = Derived(
            f, probes, regions=[regions] if isinstance(regions, str) else list(regions)
        )
        self.columns = [f"probe_{q.name}_K" for q in self.derived.probes]
        for r in self.derived.regions:
            self.columns += [f"{r}_min_K", f"{r}_mean_K", f"{r}_max_K"]

    def row(self, T: fem.Function | None = None) -> list[float]:
        """The values of :attr:`columns` for the field ``T`` (K)."""
        out = [float(v) for v in self.derived.probe_values(T)]
        for r in self.derived.regions.values():
            s = r.statistics(T)
            out += [s.min_K, s.mean_K, s.max_K]
        return out
