"""The case checked against its mesh (build stage), every problem with its key path.

Every region has a material, every named region and facet group exists, every interface
separates two regions that touch, every boundary group lies on the outer boundary, every
point and field lies in the mesh.  The regions of the cells and of the two sides of a facet
group are the model's (:class:`~fe_interface.model.regions.RegionModel`): the case names
what the model would refuse, by key path, before the model is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from fe_interface.case.checker import CaseError, Checker
from fe_interface.case.conditions import check_fixed_temperatures
from fe_interface.case.outputs import check_outputs
from fe_interface.case.pairs import check_pair
from fe_interface.case.values import check_value_uses
from fe_interface.errors import InputError

if TYPE_CHECKING:
    from fe_interface.case.spec import Case, InterfaceSpec
    from fe_interface.mesh import TaggedMesh

__all__ = ["check_mesh"]


@dataclass
class _Mesh:
    """What the checks need to know of the mesh (collective to build)."""

    tagged: TaggedMesh
    model: Any  # RegionModel
    cell_region: np.ndarray
    tags_present: set[int]
    regions: dict[str, int]  # name (or str(tag) if unnamed) -> tag
    contact: Any = None  # material_contact_facets, computed when first needed

    @property
    def region_of_tag(self) -> dict[int, str]:
        return {t: n for n, t in self.regions.items()}

    @property
    def region_list(self) -> str:
        return ", ".join(sorted(self.regions))

    @property
    def facet_list(self) -> str:
        return ", ".join(sorted(self.tagged.facet_names)) or "none"

    def owned_facets(self, tag: int) -> np.ndarray:
        """This rank's owned facets of the facet group ``tag``."""
        ft = self.tagged.facet_tags
        facets = ft.indices[ft.values == tag]
        return facets[facets < self.model.num_owned_facets]


def _mesh(tagged: TaggedMesh) -> _Mesh:
    from fe_interface.model.regions import RegionModel

    model = RegionModel(tagged)
    cell_region, tags_present = model.cell_regions()
    regions = dict(tagged.cell_names)
    for t in sorted(tags_present - set(regions.values()) - {0}):
        regions[str(t)] = t  # unnamed region: its tag
    return _Mesh(tagged, model, cell_region, tags_present, regions)


def check_mesh(case: Case, tagged: TaggedMesh) -> TaggedMesh:
    """Check ``case`` against the mesh ``tagged``.

    Returns the mesh with the facet groups of ``between`` interfaces added. Raises
    :class:`CaseError` (on every rank).
    """
    c = Checker()
    m = _mesh(tagged)
    _check_regions(c, case, m)
    new_groups: dict[str, np.ndarray] = {}
    interface_tags: set[int] = set()
    for spec in case.interfaces:
        _check_interface(c, spec, m, new_groups, interface_tags)
    if case.line is not None:
        from fe_interface.postprocessing.sampling import check_line

        try:
            check_line(tagged.mesh, case.line[0], case.line[1], "line")
        except InputError as e:
            c.error("outputs.line", str(e).removeprefix("line: "))
    check_outputs(c, case, tagged, m.regions)  # outputs.junction, outputs.probes
    _check_boundaries(c, case, m, interface_tags)
    if case.mechanics is not None:
        case.mechanics.check(tagged, c)
    check_fixed_temperatures(c, case.fixed, tagged, m.regions)
    t_end = case.transient.t_end if case.transient is not None else None
    check_value_uses(c, case.value_uses, tagged, t_end)  # fields, bounds of expressions
    if c.errors:
        raise CaseError(c.errors, case.source)
    if not new_groups:
        return tagged
    return _add_groups(case, tagged, new_groups)


def _check_regions(c: Checker, case: Case, m: _Mesh) -> None:
    """Materials and sources name regions of the mesh; every region has a material."""
    if 0 in m.tags_present:
        c.error("geometry", "some cells have no region (cell tag)")
    for r in case.materials:
        if r not in m.regions:
            c.error(f"materials.{r}", f"no region {r!r} in the mesh (regions: {m.region_list})")
    for r in sorted(m.regions):
        if m.regions[r] in m.tags_present and r not in case.materials:
            c.error("materials", f"region {r!r} has no material")
    for r in case.sources:
        if r not in m.regions:
            c.error(f"sources.{r}", f"no region {r!r} in the mesh (regions: {m.region_list})")


def _check_interface(
    c: Checker,
    spec: InterfaceSpec,
    m: _Mesh,
    new_groups: dict[str, np.ndarray],
    interface_tags: set[int],
) -> None:
    """One ``[interfaces]`` entry: a pair, a ``between`` or a facet group between two regions."""
    p = f"interfaces.{spec.name}"
    if spec.pair is not None:
        check_pair(c, spec.name, spec.pair, m.tagged)
        return
    if spec.between is not None:
        sides = _between_sides(c, spec, m, new_groups)
    else:
        sides = _group_sides(c, spec, m, interface_tags)
    if sides is not None and spec.plus is not None and spec.plus not in sides:
        c.error(
            f"{p}.plus",
            f"region {spec.plus!r} is not on either side (sides: {', '.join(sorted(sides))})",
        )


def _between_sides(
    c: Checker, spec: InterfaceSpec, m: _Mesh, new_groups: dict[str, np.ndarray]
) -> set[str] | None:
    """The sides of ``between = [a, b]`` (its facets into ``new_groups``), or None."""
    from fe_interface.mesh import material_contact_facets

    p = f"interfaces.{spec.name}"
    assert spec.between is not None
    a, b = spec.between
    bad = [x for x in (a, b) if x not in m.regions]
    for x in bad:
        c.error(f"{p}.between", f"no region {x!r} in the mesh (regions: {m.region_list})")
    if bad:
        return None
    if spec.name in m.tagged.facet_names:
        c.error(
            f"{p}.between",
            f"{spec.name!r} is already a facet group of the mesh; drop 'between' "
            "or give the interface another name",
        )
        return None
    if m.contact is None:
        m.contact = material_contact_facets(m.tagged.mesh, m.tagged.cell_tags)
    ta, tb = sorted((m.regions[a], m.regions[b]))
    f = m.contact.get((ta, tb), np.empty(0, np.int32))
    if m.tagged.mesh.comm.allreduce(int(f.size)) == 0:
        c.error(f"{p}.between", f"regions {a!r} and {b!r} never touch")
        return None
    new_groups[spec.name] = f
    return {a, b}


def _group_sides(
    c: Checker, spec: InterfaceSpec, m: _Mesh, interface_tags: set[int]
) -> set[str] | None:
    """The two regions on either side of the facet group ``spec.name``, or None."""
    p = f"interfaces.{spec.name}"
    if spec.name not in m.tagged.facet_names:
        c.error(
            p,
            f"no facet group {spec.name!r} in the mesh (facet groups: {m.facet_list}); "
            "name a facet group or give 'between = [region, region]'",
        )
        return None
    tag = m.tagged.facet_names[spec.name]
    interface_tags.add(tag)
    try:  # the model's rule (collective: the same outcome on every rank)
        tx, ty = m.model.interface_regions(m.owned_facets(tag), "the interface", m.cell_region)
    except InputError as e:
        c.error(p, str(e))
        return None
    names = m.region_of_tag
    return {names[tx], names[ty]}


def _check_boundaries(c: Checker, case: Case, m: _Mesh, interface_tags: set[int]) -> None:
    """Every boundary is an outer facet group of the mesh, not an interface."""
    for bnd in case.boundaries:
        p = f"boundaries.{bnd.name}"
        if bnd.name not in m.tagged.facet_names:
            c.error(p, f"no facet group {bnd.name!r} in the mesh (facet groups: {m.facet_list})")
            continue
        tag = m.tagged.facet_names[bnd.name]
        if tag in interface_tags:
            c.error(p, "this facet group is an interface; boundaries must be outer facets")
            continue
        try:  # the model's rule (collective)
            m.model.check_outer(m.owned_facets(tag), "the boundary")
        except InputError as e:
            c.error(p, str(e))


def _add_groups(case: Case, tagged: TaggedMesh, new_groups: dict[str, np.ndarray]) -> TaggedMesh:
    """The mesh with the facet groups of ``between`` interfaces added (collective)."""
    from mpi4py import MPI

    import dolfinx

    from fe_interface.mesh import TaggedMesh
    from fe_interface.mesh.topology import gather_pairs

    c = Checker()
    mesh = tagged.mesh
    comm = mesh.comm
    ft = tagged.facet_tags
    idx, val = [ft.indices], [ft.values]
    facet_names = dict(tagged.facet_names)
    next_tag = int(comm.allreduce(int(ft.values.max(initial=0)), op=MPI.MAX)) + 1
    next_tag = max(next_tag, max(facet_names.values(), default=0) + 1)
    for n, f in new_groups.items():
        overlap = np.isin(ft.indices, f)
        used = gather_pairs(comm, set(np.unique(ft.values[overlap]).tolist()))
        if used:
            inv = {t: k for k, t in tagged.facet_names.items()}
            groups = ", ".join(repr(inv.get(t, str(t))) for t in sorted(used))
            c.error(
                f"interfaces.{n}.between",
                f"these facets already form the facet group {groups} of the mesh; "
                "name the interface after that group instead of using 'between'",
            )
            continue
        idx.append(f.astype(np.int32))
        val.append(np.full(f.size, next_tag, dtype=np.int32))
        facet_names[n] = next_tag
        next_tag += 1
    if c.errors:
        raise CaseError(c.errors, case.source)
    allidx = np.concatenate(idx)
    order = np.argsort(allidx)
    new_ft = dolfinx.mesh.meshtags(
        mesh, mesh.topology.dim - 1, allidx[order].astype(np.int32), np.concatenate(val)[order]
    )
    return TaggedMesh(mesh, tagged.cell_tags, new_ft, dict(tagged.cell_names), facet_names)
