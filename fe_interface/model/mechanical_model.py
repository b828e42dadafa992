"""The mechanical model checked against the mesh: regions, contacts, boundaries, loads.

Like :class:`fe_interface.model.model.Model` for heat: every name is resolved to its
mesh tag and checked before anything is discretised (every region has an elastic
material, every contact separates exactly two regions, every boundary condition lies on
the outer boundary).  Regions that touch across facets that are not contact facets are
bonded (continuous displacement).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fe_interface.errors import InputError
from fe_interface.mesh import TaggedMesh
from fe_interface.model.contacts import Contact
from fe_interface.model.elastic_materials import ElasticMaterial, effective_modulus
from fe_interface.model.mechanical_boundary import (
    BodyForce,
    Displacement,
    Pressure,
    RigidRegion,
    Symmetry,
    Traction,
    check_dimension,
)
from fe_interface.model.regions import RegionModel

__all__ = ["MechanicalModel", "ResolvedContact", "ResolvedLoad", "ResolvedRigid"]


@dataclass
class ResolvedRigid:
    """A rigid region: its spec, region tag and local cells (ghosts in)."""

    spec: RigidRegion
    region: int
    cells: np.ndarray


@dataclass
class ResolvedContact:
    """One contact interface on the mesh.

    Attributes:
        spec: the user's :class:`Contact`.
        tag: facet tag.
        plus, minus: region tags of the ⁺ and ⁻ sides.
        entities: owned facets as rows (cell⁺, local facet⁺, cell⁻, local facet⁻).
        E_star: contact modulus of the two materials, Pa.
    """

    spec: Contact
    tag: int
    plus: int
    minus: int
    entities: np.ndarray = field(default_factory=lambda: np.empty((0, 4), np.int32))
    E_star: float = 0.0

    @property
    def label(self) -> str:
        """The name in tables and messages."""
        return self.spec.label


@dataclass
class ResolvedLoad:
    """A boundary condition or body force on the mesh.

    Attributes:
        spec: the user's object.
        tag: facet tag (boundaries) or cell tag (body forces).
        entities: local facets (ghosts included) or local cells.
        label: ``Kind:group``.
    """

    spec: Any
    tag: int
    entities: np.ndarray
    label: str


class MechanicalModel(RegionModel):
    """An elastic model checked against its mesh (collective).

    Args:
        tagged: mesh with cell tags (regions) and facet tags.
        materials: region (name or tag) -> :class:`ElasticMaterial`, every region.
        contacts: contact interfaces.
        boundary_conditions: :class:`Displacement`, :class:`Traction`,
            :class:`Pressure`, :class:`Symmetry` on outer facet groups.
        body_forces: :class:`BodyForce` per region.

    Raises:
        InputError: the first problem found, naming the item.
    """

    def __init__(
        self,
        tagged: TaggedMesh,
        materials: Mapping[Any, ElasticMaterial],
        contacts: Sequence[Contact] = (),
        boundary_conditions: Sequence[Any] = (),
        body_forces: Sequence[BodyForce] = (),
    ) -> None:
        super().__init__(tagged)
        tdim = self.mesh.topology.dim
        self.gdim = self.mesh.geometry.dim
        if self.gdim != tdim:
            raise InputError(f"mechanics needs gdim = tdim, got a {tdim}D mesh in {self.gdim}D")
        self._resolve_regions(materials, ElasticMaterial, "elastic materials")
        self.contacts = [self._contact(c) for c in contacts]
        seen: set[int] = set()
        for c in self.contacts:
            if c.tag in seen:
                raise InputError(f"contact {c.label!r}: facet group given twice")
            seen.add(c.tag)
        self.rigid = [
            ResolvedRigid(b, r, self.region_cells(r))
            for b in boundary_conditions
            if isinstance(b, RigidRegion)
            for r in [self.region_tag(b.region, f"rigid region {b.region!r}")]
        ]
        for rr in self.rigid:
            if len(rr.spec.displacement) != self.gdim:
                raise InputError(
                    f"rigid region {rr.spec.region!r}: {len(rr.spec.displacement)} "
                    f"displacement components for a {self.gdim}D mesh"
                )
        self.boundaries = [
            self._boundary(i, b)
            for i, b in enumerate(boundary_conditions)
            if not isinstance(b, RigidRegion)
        ]
        self.body_forces = [self._body_force(b) for b in body_forces]

    # ------------------------------------------------------------------ items
    def _contact(self, spec: Contact) -> ResolvedContact:
        if not isinstance(spec, Contact):
            raise InputError(f"contacts: expected a Contact, got {spec!r}")
        tag, plus, minus, e = self._sides(spec.facets, spec.plus, f"contact {spec.label!r}")
        E_star = effective_modulus(self.region_material[plus], self.region_material[minus])
        return ResolvedContact(spec, tag, plus, minus, e, E_star)

    def contact_facet_mask(self) -> np.ndarray:
        """Local facet -> True on contact facets."""
        nf = self.mesh.topology.index_map(self.mesh.topology.dim - 1)
        mask = np.zeros(nf.size_local + nf.num_ghosts, dtype=bool)
        ft = self.tagged.facet_tags
        for c in self.contacts:
            mask[ft.indices[ft.values == c.tag]] = True
        return mask

    def _boundary(self, i: int, bc: Any) -> ResolvedLoad:
        if not isinstance(bc, (Displacement, Traction, Pressure, Symmetry)):
            raise InputError(
                f"mechanical boundary_conditions[{i}]: not a boundary condition: {bc!r}"
            )
        check_dimension(bc, self.gdim)
        what = f"{type(bc).__name__} on {bc.facets!r}"
        tag, facets = self._group_facets(bc.facets, what)
        self.check_outer(facets, what)
        return ResolvedLoad(bc, tag, facets, f"{type(bc).__name__}:{bc.facets}")

    def _body_force(self, b: Any) -> ResolvedLoad:
        if not isinstance(b, BodyForce):
            raise InputError(f"body_forces: expected a BodyForce, got {b!r}")
        check_dimension(b, self.gdim)
        r = self.region_tag(b.region, f"body force in {b.region!r}")
        return ResolvedLoad(b, r, self.region_cells(r), f"BodyForce:{b.region}")
