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

from mpi4py import MPI

import numpy as np
from dolfinx import fem
from dolfinx.fem import IntegralType

from fe_interface.errors import InputError, MeshError
from fe_interface.mechanics.boundary import (
    BodyForce,
    Displacement,
    Pressure,
    Symmetry,
    Traction,
    check_dimension,
)
from fe_interface.mechanics.contact import Contact
from fe_interface.mechanics.materials import ElasticMaterial, effective_modulus
from fe_interface.mesh import TaggedMesh
from fe_interface.mesh.topology import facet_cells, gather_pairs

__all__ = ["MechanicalModel", "ResolvedContact", "ResolvedLoad"]


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


class MechanicalModel:
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
        materials: Mapping[str | int, ElasticMaterial],
        contacts: Sequence[Contact] = (),
        boundary_conditions: Sequence[Any] = (),
        body_forces: Sequence[BodyForce] = (),
    ) -> None:
        self.tagged = tagged
        self.mesh = tagged.mesh
        self.comm: MPI.Comm = self.mesh.comm
        mesh = self.mesh
        tdim = mesh.topology.dim
        mesh.topology.create_entities(tdim - 1)
        for d0, d1 in ((tdim - 1, tdim), (tdim, tdim - 1), (tdim, 0)):
            mesh.topology.create_connectivity(d0, d1)
        self.gdim = mesh.geometry.dim
        if self.gdim != tdim:
            raise InputError(f"mechanics needs gdim = tdim, got a {tdim}D mesh in {self.gdim}D")
        cimap = mesh.topology.index_map(tdim)
        self.num_cells = cimap.size_local + cimap.num_ghosts
        self.num_owned_facets = mesh.topology.index_map(tdim - 1).size_local
        self._regions(materials)
        self.contacts = [self._contact(c) for c in contacts]
        seen: set[int] = set()
        for c in self.contacts:
            if c.tag in seen:
                raise InputError(f"contact {c.label!r}: facet group given twice")
            seen.add(c.tag)
        self.boundaries = [self._boundary(i, b) for i, b in enumerate(boundary_conditions)]
        self.body_forces = [self._body_force(b) for b in body_forces]

    # ------------------------------------------------------------------ regions
    def _regions(self, materials: Mapping[str | int, ElasticMaterial]) -> None:
        tg = self.tagged
        self.region_material: dict[int, ElasticMaterial] = {}
        for key, mat in materials.items():
            if not isinstance(mat, ElasticMaterial):
                raise InputError(f"elastic materials[{key!r}]: expected an ElasticMaterial, got {mat!r}")
            tag = self.region_tag(key, "elastic materials")
            if tag in self.region_material:
                raise InputError(f"elastic materials: region {key!r} (tag {tag}) is given twice")
            self.region_material[tag] = mat
        cell_region = np.zeros(self.num_cells, dtype=np.int64)
        cell_region[tg.cell_tags.indices] = tg.cell_tags.values
        tags = gather_pairs(self.comm, set(np.unique(cell_region).tolist()))
        if 0 in tags:
            raise MeshError("some cells have no region (cell tag); tag every cell")
        inv = {v: k for k, v in tg.cell_names.items()}
        missing = sorted(tags - set(self.region_material))
        if missing:
            raise InputError(
                "no elastic material for region(s) "
                + ", ".join(f"{inv.get(t, t)!r} (tag {t})" for t in missing)
            )
        self.regions = sorted(tags)
        self.cell_region = cell_region
        self.region_names = {t: str(inv.get(t, t)) for t in self.regions}

    def region_tag(self, key: str | int, what: str) -> int:
        """The cell tag of a region name or tag; ``what`` names the item in the error."""
        try:
            return self.tagged.cell_tag(key)
        except MeshError as e:
            raise InputError(f"{what}: {e}") from None

    def region_cells(self, region: int) -> np.ndarray:
        """Local cells (ghosts included) of a region tag."""
        return np.flatnonzero(self.cell_region == region).astype(np.int32)

    # ------------------------------------------------------------------ facets
    def _group(self, key: str | int, what: str) -> tuple[int, np.ndarray]:
        try:
            tag = self.tagged.facet_tag(key)
        except MeshError as e:
            raise InputError(f"{what}: {e}") from None
        ft = self.tagged.facet_tags
        return tag, ft.indices[ft.values == tag].astype(np.int32)

    def _contact(self, spec: Contact) -> ResolvedContact:
        if not isinstance(spec, Contact):
            raise InputError(f"contacts: expected a Contact, got {spec!r}")
        what = f"contact {spec.label!r}"
        tag, facets = self._group(spec.facets, what)
        owned = facets[facets < self.num_owned_facets]
        n, cells = facet_cells(self.mesh, owned)
        if self.comm.allreduce(int(np.sum(n < 2))):
            raise InputError(f"{what}: some facets lie on the outer boundary (a contact separates two regions)")
        r = self.cell_region[cells]
        lohi = {(int(min(a, b)), int(max(a, b))) for a, b in zip(r[0], r[1], strict=True)}
        pairs = gather_pairs(self.comm, lohi)
        if len(pairs) != 1 or next(iter(pairs))[0] == next(iter(pairs))[1]:
            names = sorted((self.region_names[a], self.region_names[b]) for a, b in pairs)
            raise InputError(f"{what} must separate exactly two different regions; its facets lie between {names}")
        lo, hi = next(iter(pairs))
        plus, minus = lo, hi
        if spec.plus is not None:
            p = self.region_tag(spec.plus, f"{what}: plus")
            if p not in (lo, hi):
                raise InputError(f"{what}: plus region {spec.plus!r} is not on either side")
            plus, minus = p, (hi if p == lo else lo)
        e = fem.compute_integration_domains(IntegralType.interior_facet, self.mesh.topology, owned)
        e = np.asarray(e, dtype=np.int32).reshape(-1, 4).copy()
        swap = self.cell_region[e[:, 0]] != plus
        e[swap] = e[swap][:, [2, 3, 0, 1]]
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
            raise InputError(f"mechanical boundary_conditions[{i}]: not a boundary condition: {bc!r}")
        check_dimension(bc, self.gdim)
        what = f"{type(bc).__name__} on {bc.facets!r}"
        tag, facets = self._group(bc.facets, what)
        owned = facets[facets < self.num_owned_facets]
        n, _ = facet_cells(self.mesh, owned)
        if self.comm.allreduce(int(np.sum(n > 1))):
            raise InputError(f"{what}: the facet group has interior facets; boundary conditions go on the outer boundary")
        return ResolvedLoad(bc, tag, facets, f"{type(bc).__name__}:{bc.facets}")

    def _body_force(self, b: Any) -> ResolvedLoad:
        if not isinstance(b, BodyForce):
            raise InputError(f"body_forces: expected a BodyForce, got {b!r}")
        check_dimension(b, self.gdim)
        r = self.region_tag(b.region, f"body force in {b.region!r}")
        return ResolvedLoad(b, r, self.region_cells(r), f"BodyForce:{b.region}")
