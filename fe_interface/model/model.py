"""The model: materials, conditions, sources and interfaces checked against a mesh.

:class:`Model` resolves every name to its mesh tag and checks what can be checked
before anything is discretised: every region has a material, every interface
separates exactly two different regions, every boundary condition lies on the outer
boundary and no two conditions share a facet, every source names a region.  The
result is plain data (tags, facet and cell indices) that the discretisation reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mpi4py import MPI

import numpy as np

from fe_interface.errors import InputError
from fe_interface.mesh import TaggedMesh
from fe_interface.mesh.topology import (
    RegionAdjacency,
    facet_cells,
    find_root,
    gather_pairs,
    region_adjacency,
)
from fe_interface.model.boundary import BoundaryCondition, Convection, FixedTemperature, Radiation
from fe_interface.model.constraints import PointTemperature, RegionTemperature
from fe_interface.model.interfaces import Conductance, Interface, LawKind, law_kind
from fe_interface.model.materials import Material
from fe_interface.model.pairs import InterfacePair, PairLaw
from fe_interface.model.regions import RegionModel
from fe_interface.model.sources import HeatSource

__all__ = [
    "Model",
    "ResolvedBoundary",
    "ResolvedConstraint",
    "ResolvedInterface",
    "ResolvedPair",
    "ResolvedSource",
]


@dataclass
class ResolvedInterface:
    """One interface on the mesh.

    Attributes:
        spec: the user's :class:`Interface`.
        tag: facet tag.
        plus, minus: region tags on the ⁺ and ⁻ sides.
        entities: this process's owned facets as rows (cell⁺, local facet⁺, cell⁻,
            local facet⁻), cell⁺ in the ⁺ region.
        kind: how the solver treats the law (:func:`~fe_interface.model.interfaces.law_kind`).
    """

    spec: Interface
    tag: int
    plus: int
    minus: int
    entities: np.ndarray = field(default_factory=lambda: np.empty((0, 4), np.int32))
    kind: LawKind = "constant"

    @property
    def label(self) -> str:
        """The interface's name in tables and messages."""
        return self.spec.label

    @property
    def perfect(self) -> bool:
        """True for perfect contact (no jump)."""
        return self.kind == "perfect"


@dataclass
class ResolvedPair:
    """A non-matching interface pair on the mesh.

    Attributes:
        spec: the user's :class:`~fe_interface.model.pairs.InterfacePair`.
        tags: facet tags of surfaces A and B.
        facets: this process's owned facets of A and of B.
        regions: the regions (tags) next to A and next to B, on all ranks.
        law: the law evaluated at the pair's points.
    """

    spec: InterfacePair
    tags: tuple[int, int]
    facets: tuple[np.ndarray, np.ndarray]
    regions: tuple[set[int], set[int]]
    law: PairLaw

    @property
    def label(self) -> str:
        """The pair's name in tables and messages."""
        return self.spec.label


@dataclass
class ResolvedBoundary:
    """A boundary condition on the mesh: its facets (local, ghosts included) and label."""

    spec: BoundaryCondition
    tag: int
    facets: np.ndarray
    label: str


@dataclass
class ResolvedConstraint:
    """A fixed temperature on a region or at a vertex: its local cells (ghosts included).

    ``point``: the vertex (m) for a :class:`PointTemperature` (its dofs are the ones of
    ``cells`` at that point), None for a region.
    """

    spec: RegionTemperature | PointTemperature
    cells: np.ndarray
    regions: set[int]
    label: str
    point: np.ndarray | None = None


@dataclass
class ResolvedSource:
    """A volumetric source: its region tag and local cells (ghosts included)."""

    spec: HeatSource
    region: int
    cells: np.ndarray


def _label(bc: Any, taken: Sequence[str]) -> str:
    """``Kind:facets``, made unique with ``#n``."""
    key = f"{type(bc).__name__}:{bc.facets}"
    return key if key not in taken else f"{key}#{len(taken)}"


class Model(RegionModel):
    """A heat-conduction model checked against its mesh (collective).

    Args:
        tagged: mesh with cell tags (regions) and facet tags (boundaries, interfaces).
        materials: region (cell group name or tag) -> :class:`Material`; every region of
            the mesh needs one.
        interfaces: laws on facet groups between two regions.  Facets between two
            regions that no interface names are in perfect contact.
        boundary_conditions: conditions on outer facet groups; untouched outer facets
            are insulated.
        sources: volumetric sources (W/m³) per region.

    Raises:
        InputError: the first problem found, naming the item.
    """

    def __init__(
        self,
        tagged: TaggedMesh,
        materials: Mapping[Any, Material],
        interfaces: Sequence[Interface] = (),
        boundary_conditions: Sequence[BoundaryCondition] = (),
        sources: Sequence[HeatSource] = (),
    ) -> None:
        super().__init__(tagged)
        self._resolve_regions(materials, Material, "materials")
        pairs = [spec for spec in interfaces if isinstance(spec, InterfacePair)]
        interfaces = [spec for spec in interfaces if not isinstance(spec, InterfacePair)]
        self.interfaces = [self._resolve_interface(spec) for spec in interfaces]
        seen: dict[int, str] = {}
        for d in self.interfaces:
            if d.tag in seen:
                raise InputError(f"interface {d.label!r}: facet group given twice")
            seen[d.tag] = d.label
        kinds = (RegionTemperature, PointTemperature)
        self.boundaries = self._resolve_boundaries(
            [b for b in boundary_conditions if not isinstance(b, kinds)]
        )
        self.constraints = [
            self._resolve_constraint(c) for c in boundary_conditions if isinstance(c, kinds)
        ]
        self.sources = [self._resolve_source(s) for s in sources]
        self.pairs: list[ResolvedPair] = []
        for spec in pairs:  # non-matching interfaces (fe_interface.model.pairs)
            self.pairs.append(self._resolve_pair(spec))

    # ------------------------------------------------------------------ items
    def _resolve_interface(self, spec: Interface) -> ResolvedInterface:
        tag, plus, minus, e = self._sides(spec.facets, spec.plus, f"interface {spec.label!r}")
        return ResolvedInterface(spec, tag, plus, minus, e, law_kind(spec.law))

    def _resolve_pair(self, spec: InterfacePair) -> ResolvedPair:
        """Both surfaces: outer facet groups, coupled once, free of boundary conditions."""
        what = f"interface pair {spec.label!r}"
        tags, facets, regions = [], [], []
        for key in spec.surfaces:
            tag, fac = self._group_facets(key, f"{what}: surface {key!r}")
            owned = fac[fac < self.num_owned_facets]
            n, cells = facet_cells(self.mesh, owned)
            if self.comm.allreduce(int(np.sum(n > 1))):
                raise InputError(
                    f"{what}: surface {key!r} has interior facets; a pair couples outer "
                    "facets of separately meshed bodies (an interface between two regions "
                    "of one mesh is an Interface)"
                )
            near = gather_pairs(self.comm, {int(r) for r in self.cell_region[cells[0]]})
            if not near:
                raise InputError(f"{what}: surface {key!r} has no facets")
            for b in self.boundaries:
                if self.comm.allreduce(int(np.isin(owned, b.facets).sum())):
                    raise InputError(
                        f"{what}: surface {key!r} also carries the boundary condition "
                        f"{b.label}: a pair's surfaces exchange heat with each other only"
                    )
            tags.append(tag)
            facets.append(owned)
            regions.append(near)
        for other in self.pairs:
            if other.label == spec.label or set(other.tags) == set(tags):
                raise InputError(
                    f"{what}: listed twice (pair {other.label!r} already couples surfaces "
                    f"{list(other.spec.surfaces)})"
                )
        law = PairLaw(spec.law, spec.pressure, spec.label)
        return ResolvedPair(
            spec, (tags[0], tags[1]), (facets[0], facets[1]), (regions[0], regions[1]), law
        )

    def _resolve_boundaries(self, bcs: Sequence[BoundaryCondition]) -> list[ResolvedBoundary]:
        out: list[ResolvedBoundary] = []
        marked = np.full(self.num_facets, -1, dtype=np.int64)
        for i, bc in enumerate(bcs):
            if not isinstance(bc, (FixedTemperature, Convection)) and not hasattr(bc, "facets"):
                raise InputError(f"boundary_conditions[{i}]: not a boundary condition: {bc!r}")
            what = f"{type(bc).__name__} on {bc.facets!r}"
            tag, facets = self._group_facets(bc.facets, what)
            self.check_outer(facets, what)
            clash = marked[facets]
            j = int(clash.max(initial=-1))
            j = self.comm.allreduce(j, op=MPI.MAX)
            if j >= 0:
                other = out[j]
                raise InputError(
                    f"{what}: its facets are also under {other.label} (two conditions on the "
                    "same facets: give each facet one condition)"
                )
            marked[facets] = len(out)
            out.append(ResolvedBoundary(bc, tag, facets, _label(bc, [b.label for b in out])))
        return out

    def _resolve_constraint(self, c: RegionTemperature | PointTemperature) -> ResolvedConstraint:
        """The cells of a region or point temperature (collective)."""
        if isinstance(c, RegionTemperature):
            r = self.region_tag(c.region, f"fixed temperature of region {c.region!r}")
            return ResolvedConstraint(c, self.region_cells(r), {r}, c.label)
        what = f"fixed temperature at {list(c.point)} m"
        side = None if c.region is None else self.region_tag(c.region, f"{what}: region")
        cells = self._vertex_cells(np.asarray(c.point), what)
        if side is not None:
            cells = cells[self.cell_region[cells] == side]
            if not self.comm.allreduce(int(cells.size)):
                raise InputError(f"{what}: the point is not a vertex of region {c.region!r}")
        regions = gather_pairs(self.comm, {int(t) for t in self.cell_region[cells]})
        return ResolvedConstraint(c, cells, regions, c.label, np.asarray(c.point))

    def _vertex_cells(self, point: np.ndarray, what: str) -> np.ndarray:
        """Local cells that have a vertex at ``point`` (within 1e-8 of the mesh extent)."""
        x = self.mesh.geometry.x
        lo = np.min(self.comm.allgather(x.min(axis=0) if len(x) else np.full(3, np.inf)), axis=0)
        hi = np.max(self.comm.allgather(x.max(axis=0) if len(x) else np.full(3, -np.inf)), axis=0)
        tol = 1e-8 * float(np.max(hi - lo))
        dist = np.linalg.norm(x - point, axis=1) if len(x) else np.empty(0)
        near = np.flatnonzero(dist <= tol)
        dmap = self.mesh.geometry.dofmaps[0][: self.num_cells]
        cells = np.flatnonzero(np.isin(dmap, near).any(axis=1)).astype(np.int32)
        if not self.comm.allreduce(int(cells.size)):
            d = self.comm.allreduce(float(dist.min()) if dist.size else np.inf, op=MPI.MIN)
            raise InputError(
                f"{what}: the point is not a vertex of the mesh (the nearest vertex is "
                f"{d:.3g} m away); put a mesh vertex there"
            )
        return cells

    def _resolve_source(self, s: HeatSource) -> ResolvedSource:
        r = self.region_tag(s.region, "heat source")
        return ResolvedSource(s, r, self.region_cells(r))

    # ------------------------------------------------------------------ contacts
    def adjacency(self) -> RegionAdjacency:
        """Region pairs sharing a vertex, and region pairs in perfect contact.

        Perfect contact: sharing a facet that no resistive interface covers; gathered over all
        ranks.
        """
        resistive = np.zeros(self.num_facets, dtype=bool)
        ft = self.tagged.facet_tags
        for d in self.interfaces:
            if not d.perfect:
                resistive[ft.indices[ft.values == d.tag]] = True
        return region_adjacency(self.mesh, self.cell_region, resistive)

    def resistive_pairs(self) -> dict[tuple[int, int], str]:
        """Region pairs separated by a resistive interface -> the interface's name."""
        return {
            (min(d.plus, d.minus), max(d.plus, d.minus)): d.label
            for d in self.interfaces
            if not d.perfect
        }

    def check_determined(self, perfect_pairs: set[tuple[int, int]]) -> None:
        """Check that every body has a temperature-fixing boundary.

        Every body (regions connected by contact) needs a temperature-fixing boundary (fixed
        temperature, convection with h > 0, or radiation): else a steady problem is singular.

        Raises:
            InputError: naming the regions of the floating body.
        """
        parent = {r: r for r in self.regions}
        coupled = {
            (min(d.plus, d.minus), max(d.plus, d.minus))
            for d in self.interfaces
            if not (
                isinstance(d.spec.law, Conductance)
                and not callable(d.spec.law.h)
                and d.spec.law.h == 0
            )
        }
        for p in self.pairs:  # a pair couples every region next to A with those next to B
            coupled |= {(a, b) for a in p.regions[0] for b in p.regions[1]}
        for a, b in perfect_pairs | coupled:
            parent[find_root(parent, a)] = find_root(parent, b)
        fixed: set[int] = set()
        for bnd in self.boundaries:
            bc = bnd.spec
            if isinstance(bc, (FixedTemperature, Radiation)) or (
                isinstance(bc, Convection) and (callable(bc.h) or bc.h > 0)
            ):
                owned = bnd.facets[bnd.facets < self.num_owned_facets]
                _, cells = facet_cells(self.mesh, owned)
                fixed |= {int(r) for r in self.cell_region[cells[0]]}
        for c in self.constraints:
            fixed |= c.regions
        fixed = gather_pairs(self.comm, fixed)
        fixed_roots = {find_root(parent, r) for r in fixed}
        floating = [r for r in self.regions if find_root(parent, r) not in fixed_roots]
        if floating:
            names = [self.region_names[r] for r in floating]
            raise InputError(
                "no fixed-temperature, convection or radiation boundary on the body made of regions "
                f"{names}: its temperature is not determined (the steady problem is singular)"
            )
