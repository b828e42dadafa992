"""The mesh side of a model: regions, facet groups and the two sides of an interface.

:class:`RegionModel` is what the heat model (:class:`fe_interface.model.model.Model`)
and the mechanical model (:class:`fe_interface.model.mechanical_model.MechanicalModel`) share:
the topology they need, every region's material (each region of the mesh must have
one), facet groups by name or tag, outer-boundary checks and the ⁺/⁻ sides of a facet
group between two regions.  Every check is collective and raises
:class:`~fe_interface.errors.InputError` naming the item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mpi4py import MPI

import numpy as np
from dolfinx import fem
from dolfinx.fem import IntegralType

from fe_interface.errors import InputError, MeshError
from fe_interface.mesh import TaggedMesh, check_tagged
from fe_interface.mesh.topology import facet_cells, gather_pairs

__all__ = ["RegionModel"]


class RegionModel:
    """Regions and facet groups of a tagged mesh, checked (collective).

    Args:
        tagged: mesh with cell tags (regions) and facet tags (boundaries, interfaces).

    Attributes:
        num_cells: local cells, ghosts included.
        num_owned_facets, num_facets: owned and local (ghosts included) facets.
        region_material: region tag -> material (after :meth:`_resolve_regions`).
        regions: every region tag of the mesh (all ranks), sorted.
        cell_region: region tag of every local cell.
        region_names: region tag -> name.
    """

    def __init__(self, tagged: TaggedMesh) -> None:
        self.tagged = check_tagged(tagged, type(self).__name__)
        self.mesh = tagged.mesh
        self.comm: MPI.Comm = tagged.mesh.comm
        topology = self.mesh.topology
        tdim = topology.dim
        topology.create_entities(tdim - 1)
        for d0, d1 in ((tdim - 1, tdim), (tdim, tdim - 1), (tdim, 0)):
            topology.create_connectivity(d0, d1)
        cimap = topology.index_map(tdim)
        self.num_cells = cimap.size_local + cimap.num_ghosts
        fimap = topology.index_map(tdim - 1)
        self.num_owned_facets = fimap.size_local
        self.num_facets = fimap.size_local + fimap.num_ghosts

    # ------------------------------------------------------------------ regions
    def _resolve_regions(self, materials: Mapping[Any, Any], kind: type, key: str) -> None:
        """Map every region to its material (instances of ``kind``; ``key`` in messages).

        Raises:
            InputError: a value of another type, a region given twice or without material.
            MeshError: cells without a (positive) region tag.
        """
        tg = self.tagged
        self.region_material: dict[int, Any] = {}
        for name, mat in materials.items():
            if not isinstance(mat, kind):
                raise InputError(f"{key}[{name!r}]: expected a {kind.__name__}, got {mat!r}")
            tag = self.region_tag(name, key)
            if tag in self.region_material:
                raise InputError(f"{key}: region {name!r} (tag {tag}) is given twice")
            self.region_material[tag] = mat
        cell_region, all_tags = self.cell_regions()
        if min(all_tags, default=0) < 0:
            raise MeshError("negative cell tags; region tags must be >= 1")
        if 0 in all_tags:
            raise MeshError("some cells have no region (cell tag); tag every cell")
        inv = {v: k for k, v in tg.cell_names.items()}
        missing = sorted(all_tags - set(self.region_material))
        if missing:
            raise InputError(
                f"no {key.removesuffix('s')} for region(s) "
                + ", ".join(f"{inv.get(t, t)!r} (tag {t})" for t in missing)
            )
        self.regions: list[int] = sorted(all_tags)
        self.cell_region = cell_region
        self.region_names = {t: str(inv.get(t, t)) for t in self.regions}

    def cell_regions(self) -> tuple[np.ndarray, set[int]]:
        """The region tag of every local cell (0: untagged) and every tag of any rank.

        Collective.
        """
        tg = self.tagged
        cell_region = np.zeros(self.num_cells, dtype=np.int64)
        cell_region[tg.cell_tags.indices] = tg.cell_tags.values
        present = gather_pairs(self.comm, {int(t) for t in np.unique(cell_region)})
        return cell_region, present

    def region_pairs(
        self, owned: np.ndarray, cell_region: np.ndarray | None = None
    ) -> tuple[set[tuple[int, int]], int]:
        """The (lower, higher) region tags on the two sides of the owned facets ``owned``.

        Of every rank, with the number of those facets (all ranks) on the outer boundary
        (one cell).  ``cell_region``: the cells' regions (default: :meth:`cell_regions`,
        or those of :meth:`_resolve_regions`).  Collective.
        """
        if cell_region is None:
            cell_region = getattr(self, "cell_region", None)
        if cell_region is None:
            cell_region = self.cell_regions()[0]
        n, cells = facet_cells(self.mesh, owned)
        outer = self.comm.allreduce(int(np.sum(n < 2)))
        inner = n == 2
        r0, r1 = cell_region[cells[0][inner]], cell_region[cells[1][inner]]
        lohi = np.unique(np.stack([np.minimum(r0, r1), np.maximum(r0, r1)], axis=1), axis=0)
        return gather_pairs(self.comm, {(int(a), int(b)) for a, b in lohi}), outer

    def interface_regions(
        self, owned: np.ndarray, what: str, cell_region: np.ndarray | None = None
    ) -> tuple[int, int]:
        """The (lower, higher) region tags on the two sides of an interface (collective).

        ``owned``: the interface's owned facets; ``what`` names it in messages;
        ``cell_region`` as in :meth:`region_pairs`.  The one rule for an interface, used
        by the model and by the case checker.

        Raises:
            InputError: facets on the outer boundary, no facets, facets between more than
                two regions or inside one.
        """
        pairs, outer = self.region_pairs(owned, cell_region)
        if outer:
            raise InputError(
                f"{what}: some of its facets lie on the outer boundary; an interface must "
                "separate two regions"
            )
        if not pairs:
            raise InputError(f"{what}: the facet group has no facets")
        lo, hi = next(iter(pairs))
        if len(pairs) > 1 or lo == hi:
            names = {t: n for n, t in self.tagged.cell_names.items()}
            between = [(names.get(a, str(a)), names.get(b, str(b))) for a, b in sorted(pairs)]
            raise InputError(
                f"{what} must separate exactly two different regions; its facets lie "
                f"between {between}"
            )
        return lo, hi

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
    def _group_facets(self, key: str | int, what: str) -> tuple[int, np.ndarray]:
        """The tag and local facets (ghosts included) of a facet group name or tag."""
        try:
            tag = self.tagged.facet_tag(key)
        except MeshError as e:
            raise InputError(f"{what}: {e}") from None
        ft = self.tagged.facet_tags
        return tag, ft.indices[ft.values == tag].astype(np.int32)

    def check_outer(self, facets: np.ndarray, what: str) -> None:
        """Raise unless every facet lies on the outer boundary (one cell)."""
        owned = facets[facets < self.num_owned_facets]
        n, _ = facet_cells(self.mesh, owned)
        if self.comm.allreduce(int(np.sum(n > 1))):
            raise InputError(
                f"{what}: the facet group has interior facets; boundary conditions go on "
                "the outer boundary"
            )

    def _sides(
        self, key: str | int, plus: str | int | None, what: str
    ) -> tuple[int, int, int, np.ndarray]:
        """The two sides of a facet group between two regions.

        Args:
            key: the facet group (name or tag).
            plus: the region on the ⁺ side, or None (the lower region tag).
            what: the item in messages, e.g. ``interface 'joint'``.

        Returns:
            (facet tag, ⁺ region, ⁻ region, entities): the owned facets as rows (cell⁺,
            local facet⁺, cell⁻, local facet⁻), cell⁺ in the ⁺ region.

        Raises:
            InputError: facets on the outer boundary, an empty group, a group between
                more than two regions or inside one, a ``plus`` region on neither side.
        """
        tag, facets = self._group_facets(key, what)
        # owned facets have both cells locally (shared-facet ghosting)
        owned = facets[facets < self.num_owned_facets]
        lo, hi = self.interface_regions(owned, what, self.cell_region)
        p, m = lo, hi
        if plus is not None:
            p = self.region_tag(plus, f"{what}: plus")
            if p not in (lo, hi):
                raise InputError(f"{what}: plus region {plus!r} is not on either side")
            m = hi if p == lo else lo
        e = fem.compute_integration_domains(IntegralType.interior_facet, self.mesh.topology, owned)
        e = np.asarray(e, dtype=np.int32).reshape(-1, 4).copy()
        swap = self.cell_region[e[:, 0]] != p
        e[swap] = e[swap][:, [2, 3, 0, 1]]
        return tag, p, m, e
