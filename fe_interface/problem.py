"""Steady heat conduction with temperature jumps on internal interfaces.

Strong form, per region Ω_i with conductivity k_i (W/(m K)) and source f (W/m³):

    −∇·(k ∇T) = f                       in Ω_i
    −k⁺ ∇T⁺·n⁺ = h (T⁺ − T⁻) = k⁻ ∇T⁻·n⁺  on an interface Γ (n⁺ points from ⁺ to ⁻)

Weak form (T_c, v_c: temperature and test function of colour c, see
:mod:`fe_interface.domains`):

    Σ_c ∫ k ∇T_c·∇v_c w dx + Σ_Γ ∫_Γ h [T][v] w dS + Σ ∫ h_c T v w ds
        = Σ ∫ f v w dx + Σ ∫ q v w ds + Σ ∫ h_c T∞ v w ds,     [T] = T⁺ − T⁻,

with w = 1 (Cartesian) or w = r = x[0] (axisymmetric r–z; totals carry the 2π).

Usage (the FESTIM pattern)::

    problem = SteadyProblem(tagged, materials={"copper": cu, "steel": st},
                            interfaces=[Interface("contact", Resistance(1e-4))],
                            boundary_conditions=[FixedTemperature("hot", 350.0), ...])
    problem.initialise()
    result = problem.run()
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx
import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import IntegralType
from dolfinx.fem.forms import derivative_block

from fe_interface.boundary import Convection, FixedTemperature, HeatFlux
from fe_interface.domains import (
    ColourSpace,
    build_colour_spaces,
    colour_regions,
    facet_cells,
    find_root,
    gather_pairs,
    region_vertex_pairs,
    unique_pairs,
)
from fe_interface.interface_operator import InterfaceOperator
from fe_interface.interfaces import Conductance, FacetConductance, Interface, PerfectContact
from fe_interface.materials import HeatSource, InputError, Material
from fe_interface.mesh import MeshError, TaggedMesh
from fe_interface.solver import LinearSystem, NonlinearSystem, SolveInfo, default_petsc_options

__all__ = ["SteadyProblem", "SteadyResult", "InterfaceData"]

_counter = iter(range(1_000_000))


@dataclass
class InterfaceData:
    """Everything the solver and the post-processing need about one interface.

    Attributes:
        spec: the user's :class:`Interface`.
        tag: facet tag.
        plus_region, minus_region: region tags on the ⁺ and ⁻ sides.
        plus_colour, minus_colour: colour (space index) of each side.
        entities: local owned facets as (cell⁺, local facet⁺, cell⁻, local facet⁻).
        measure_id: integration id of the dS integral that carries this interface,
            None for perfect contact.
        h_expr: UFL conductance on this interface (W/(m² K)), None for perfect contact.
    """

    spec: Interface
    tag: int
    plus_region: int
    minus_region: int
    plus_colour: int = -1
    minus_colour: int = -1
    entities: np.ndarray = field(default_factory=lambda: np.empty((0, 4), np.int32))
    measure_id: int | None = None
    h_expr: Any = None

    @property
    def perfect(self) -> bool:
        return isinstance(self.spec.law, PerfectContact)


class SteadyResult(NamedTuple):
    """Result of :meth:`SteadyProblem.run`.

    Attributes:
        temperature: one function per colour space (K); see :meth:`SteadyProblem.region_temperature`.
        solve: iterations, residual norm, converged reason.
        timings: wall time per stage, s.
    """

    temperature: list[fem.Function]
    solve: SolveInfo
    timings: dict[str, float]


def _constant_conductance(spec: Interface) -> float | None:
    """h (W/(m² K)) of a law that depends neither on T nor on position, else None."""
    law = spec.law
    if isinstance(law, FacetConductance):
        return None
    if isinstance(law, Conductance):
        return None if law.position_dependent else float(law.h)
    if law.temperature_dependent:
        return None
    h = float(law.conductance(293.15, 293.15))
    if not np.isfinite(h) or h < 0:
        raise InputError(f"interface {spec.label!r}: conductance law gives h = {h!r} W/(m^2 K)")
    return h


def _facet_dofs(cs: ColourSpace, parent_cells: np.ndarray, local_facets: np.ndarray) -> np.ndarray:
    """Local dofs of ``cs.space`` on the closure of the given (parent cell, local facet)
    pairs, made consistent across ranks (a dof on a facet owned elsewhere is found too)."""
    V = cs.space
    tdim = V.mesh.topology.dim
    sub_cells = cs.entity_map.sub_topology_to_topology(parent_cells.astype(np.int32), True)
    layout = V.dofmap.dof_layout
    closure = np.array(
        [
            layout.entity_closure_dofs(tdim - 1, i)
            for i in range(dolfinx.cpp.mesh.cell_num_entities(V.mesh.topology.cell_type, tdim - 1))
        ]
    )
    marker = dolfinx.la.vector(V.dofmap.index_map, dtype=np.float64)
    if sub_cells.size:
        cell_dofs = V.dofmap.list[sub_cells]
        marker.array[np.take_along_axis(cell_dofs, closure[local_facets], axis=1).ravel()] = 1.0
    marker.scatter_reverse(dolfinx.la.InsertMode.add)
    marker.scatter_forward()
    return np.flatnonzero(marker.array > 0).astype(np.int32)


def _as_value(v: float | Callable, x: Any) -> Any:
    return v(x) if callable(v) else v


class SteadyProblem:
    """Steady conduction with interface conductance (see module docstring).

    Args:
        tagged: mesh with cell tags (regions) and facet tags (boundaries, interfaces).
        materials: region (cell group name or tag) -> :class:`Material`; every region
            of the mesh needs one.
        interfaces: laws on facet groups between two regions. Facets between two
            regions that no interface names are in perfect contact.
        boundary_conditions: :class:`FixedTemperature`, :class:`HeatFlux`,
            :class:`Convection` on outer facet groups; untouched outer facets are
            insulated (zero flux).
        sources: volumetric sources (W/m³) per region.
        degree: Lagrange degree (1 or 2).
        axisymmetric: 2D r–z model (x[0] = r ≥ 0, x[1] = z).
        solver: "iterative" (CG + GAMG, default) or "direct" (MUMPS).
        petsc_options: PETSc options that override the defaults, set under the
            problem's prefix (``petsc_options_prefix``).
        petsc_options_prefix: defaults to a unique ``fe_interface_<n>_``.
        initial_temperature: Newton's initial guess (K) for temperature-dependent laws;
            default: the mean of the fixed and ambient temperatures.
    """

    #: assemble the interface terms with temperature-independent h facet by facet
    #: (:class:`~fe_interface.interface_operator.InterfaceOperator`, fast) instead of
    #: as UFL ``dS`` integrals (same matrix to round-off; False exists for testing)
    facetwise_interfaces: bool = True

    def __init__(
        self,
        tagged: TaggedMesh,
        materials: Mapping[str | int, Material],
        interfaces: Sequence[Interface] = (),
        boundary_conditions: Sequence[FixedTemperature | HeatFlux | Convection] = (),
        sources: Sequence[HeatSource] = (),
        degree: int = 1,
        axisymmetric: bool = False,
        solver: str = "iterative",
        petsc_options: Mapping[str, Any] | None = None,
        petsc_options_prefix: str | None = None,
        initial_temperature: float | None = None,
    ) -> None:
        if degree not in (1, 2, 3):
            raise InputError(f"degree must be 1, 2 or 3, got {degree!r}")
        if axisymmetric and tagged.mesh.geometry.dim != 2:
            raise InputError("axisymmetric models need a 2D (r, z) mesh")
        for m in materials.values():
            if not isinstance(m, Material):
                raise InputError(f"materials must map regions to Material objects, got {m!r}")
        self.tagged = tagged
        self.materials = dict(materials)
        self.interfaces = list(interfaces)
        self.boundary_conditions = list(boundary_conditions)
        self.sources = list(sources)
        self.degree = degree
        self.axisymmetric = axisymmetric
        self.petsc_options = default_petsc_options(solver) | dict(petsc_options or {})
        self.prefix = petsc_options_prefix or f"fe_interface_{next(_counter)}_"
        self.timings: dict[str, float] = {}
        self._initialised = False
        self._interface_operator: InterfaceOperator | None = None
        if initial_temperature is None:
            fixed = [b.value for b in boundary_conditions if isinstance(b, FixedTemperature)]
            fixed += [b.T_inf for b in boundary_conditions if isinstance(b, Convection)]
            fixed = [t for t in fixed if not callable(t)]
            initial_temperature = float(np.mean(fixed)) if fixed else 293.15
        self.initial_temperature = initial_temperature

    # ------------------------------------------------------------------ set-up
    @property
    def comm(self) -> MPI.Comm:
        return self.tagged.mesh.comm

    def initialise(self) -> None:
        """Check the input, colour the regions, build spaces, forms and the system."""
        t0 = time.perf_counter()
        mesh = self.tagged.mesh
        tdim = mesh.topology.dim
        mesh.topology.create_entities(tdim - 1)
        for d0, d1 in ((tdim - 1, tdim), (tdim, tdim - 1), (tdim, 0)):
            mesh.topology.create_connectivity(d0, d1)
        cimap = mesh.topology.index_map(tdim)
        self._ncells = cimap.size_local + cimap.num_ghosts
        self._check_regions()
        self._check_interfaces()
        self._colour()
        self.timings["setup_topology"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        ft = self.tagged.facet_tags
        resistive = [d.tag for d in self.interface_data if not d.perfect]
        facets = ft.indices[np.isin(ft.values, resistive)]
        n, cells = facet_cells(self.tagged.mesh, facets)
        self.spaces: list[ColourSpace] = build_colour_spaces(
            self.tagged, self.cell_colour, self.num_colours, self.degree, cells[:, n == 2]
        )
        self.timings["setup_spaces"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        self._build_forms()
        self.timings["setup_forms"] = time.perf_counter() - t0
        self._initialised = True

    def _check_regions(self) -> None:
        tg = self.tagged
        self.region_material: dict[int, Material] = {}
        for key, mat in self.materials.items():
            try:
                tag = tg.cell_tag(key)
            except MeshError as e:
                raise InputError(f"materials: {e}") from None
            if tag in self.region_material:
                raise InputError(f"materials: region {key!r} (tag {tag}) is given twice")
            self.region_material[tag] = mat
        cell_region = np.zeros(self._ncells, dtype=np.int64)
        cell_region[tg.cell_tags.indices] = tg.cell_tags.values
        local_tags = set(np.unique(cell_region).tolist())
        all_tags = gather_pairs(self.comm, local_tags)
        if 0 in all_tags:
            raise MeshError("some cells have no region (cell tag); tag every cell")
        missing = sorted(all_tags - set(self.region_material))
        if missing:
            inv = {v: k for k, v in tg.cell_names.items()}
            raise InputError(
                "no material for region(s) "
                + ", ".join(f"{inv.get(t, t)!r} (tag {t})" for t in missing)
            )
        self.regions = sorted(all_tags)
        self.cell_region = cell_region
        inv = {v: k for k, v in tg.cell_names.items()}
        self.region_names = {t: str(inv.get(t, t)) for t in self.regions}

    def _check_interfaces(self) -> None:
        mesh, tg = self.tagged.mesh, self.tagged
        ft = tg.facet_tags
        self.interface_data: list[InterfaceData] = []
        seen: set[int] = set()
        for spec in self.interfaces:
            try:
                tag = tg.facet_tag(spec.facets)
            except MeshError as e:
                raise InputError(f"interface: {e}") from None
            if tag in seen:
                raise InputError(f"interface {spec.label!r}: facet group given twice")
            seen.add(tag)
            facets = ft.indices[ft.values == tag]
            # owned facets have both cells locally (shared-facet ghosting)
            facets = facets[facets < mesh.topology.index_map(mesh.topology.dim - 1).size_local]
            n, cells = facet_cells(mesh, facets)
            if self.comm.allreduce(int(np.sum(n < 2))):
                raise InputError(
                    f"interface {spec.label!r}: some of its facets lie on the outer boundary; an "
                    "interface must separate two regions"
                )
            r = self.cell_region[cells]
            lohi = np.unique(np.stack([r.min(axis=0), r.max(axis=0)], axis=1), axis=0)
            pairs = gather_pairs(self.comm, {(int(a), int(b)) for a, b in lohi})
            if not pairs:
                raise InputError(f"interface {spec.label!r}: facet group {tag} has no facets")
            if len(pairs) > 1 or next(iter(pairs))[0] == next(iter(pairs))[1]:
                names = [(self.region_names[a], self.region_names[b]) for a, b in sorted(pairs)]
                raise InputError(
                    f"interface {spec.label!r} must separate exactly two different regions; its "
                    f"facets lie between {names}"
                )
            lo, hi = next(iter(pairs))
            plus, minus = lo, hi
            if spec.plus is not None:
                try:
                    p = tg.cell_tag(spec.plus)
                except MeshError as e:
                    raise InputError(f"interface {spec.label!r}: plus: {e}") from None
                if p not in (lo, hi):
                    raise InputError(
                        f"interface {spec.label!r}: plus region {spec.plus!r} is not on either side"
                    )
                plus, minus = p, (hi if p == lo else lo)
            self.interface_data.append(InterfaceData(spec, tag, plus, minus))

    def _colour(self) -> None:
        mesh = self.tagged.mesh
        tdim = mesh.topology.dim
        # region pairs in contact through facets, and which of those are resistive
        fimap = mesh.topology.index_map(tdim - 1)
        nf = fimap.size_local + fimap.num_ghosts
        resistive = np.zeros(nf, dtype=bool)
        resistive_pairs: dict[tuple[int, int], str] = {}
        ft = self.tagged.facet_tags
        for d in self.interface_data:
            if not d.perfect:
                resistive[ft.indices[ft.values == d.tag]] = True
                resistive_pairs[
                    (min(d.plus_region, d.minus_region), max(d.plus_region, d.minus_region))
                ] = d.spec.label
        allf = np.arange(nf, dtype=np.int32)
        n, cells = facet_cells(mesh, allf)
        interior = n == 2
        r0 = self.cell_region[cells[0][interior]]
        r1 = self.cell_region[cells[1][interior]]
        perfect = (r0 != r1) & ~resistive[interior]
        perfect_pairs = gather_pairs(self.comm, unique_pairs(r0[perfect], r1[perfect]))
        vertex_pairs = region_vertex_pairs(mesh, self.cell_region)
        col = colour_regions(self.regions, perfect_pairs, resistive_pairs, vertex_pairs)
        self.colouring = col
        self.num_colours = col.num_colours
        lut = np.zeros(max(self.regions) + 1, dtype=np.int32)
        for r, c in col.colour_of_region.items():
            lut[r] = c
        self.cell_colour = lut[self.cell_region]
        for d in self.interface_data:
            d.plus_colour = col.colour_of_region[d.plus_region]
            d.minus_colour = col.colour_of_region[d.minus_region]
        # interfaces with h = 0 do not connect the two bodies
        coupled = {
            (min(d.plus_region, d.minus_region), max(d.plus_region, d.minus_region))
            for d in self.interface_data
            if not (
                isinstance(d.spec.law, Conductance)
                and not callable(d.spec.law.h)
                and d.spec.law.h == 0
            )
        }
        self._check_connected_bcs(perfect_pairs | coupled)

    def _check_connected_bcs(self, contact_pairs: set[tuple[int, int]]) -> None:
        """Every body (regions connected by contact) needs a T-fixing boundary."""
        parent = {r: r for r in self.regions}

        def find(a: int) -> int:
            return find_root(parent, a)

        for a, b in contact_pairs:
            parent[find(a)] = find(b)
        fixed: set[int] = set()
        ft = self.tagged.facet_tags
        mesh = self.tagged.mesh
        self._bc_tags: list[int] = []
        for bc in self.boundary_conditions:
            try:
                tag = self.tagged.facet_tag(bc.facets)
            except MeshError as e:
                raise InputError(f"{type(bc).__name__}: {e}") from None
            facets = ft.indices[ft.values == tag]
            facets = facets[facets < mesh.topology.index_map(mesh.topology.dim - 1).size_local]
            n, cells = facet_cells(mesh, facets)
            if self.comm.allreduce(int(np.sum(n > 1))):
                raise InputError(
                    f"{type(bc).__name__} on {bc.facets!r}: the facet group has interior facets; "
                    "boundary conditions go on the outer boundary"
                )
            self._bc_tags.append(tag)
            if isinstance(bc, FixedTemperature) or (
                isinstance(bc, Convection) and (callable(bc.h) or bc.h > 0)
            ):
                fixed |= {int(r) for r in self.cell_region[cells[0]]}
        fixed = gather_pairs(self.comm, fixed)
        bodies = {find(r) for r in self.regions}
        floating = sorted(b for b in bodies if b not in {find(r) for r in fixed})
        if floating:
            names = [self.region_names[r] for r in self.regions if find(r) in floating]
            raise InputError(
                "no fixed-temperature or convection boundary on the body made of regions "
                f"{names}: its temperature is not determined (the steady problem is singular)"
            )

    # ------------------------------------------------------------------ forms
    def _interior_entities(self, facets: np.ndarray, plus_cells: np.ndarray) -> np.ndarray:
        """Owned interior facets as (c⁺, lf⁺, c⁻, lf⁻) with c⁺ in ``plus_cells``."""
        mesh = self.tagged.mesh
        tdim = mesh.topology.dim
        owned = facets[facets < mesh.topology.index_map(tdim - 1).size_local]
        e = fem.compute_integration_domains(IntegralType.interior_facet, mesh.topology, owned)
        e = e.reshape(-1, 4).copy()
        swap = ~plus_cells[e[:, 0]]
        e[swap] = e[swap][:, [2, 3, 0, 1]]
        return e

    def _build_forms(self) -> None:
        mesh = self.tagged.mesh
        tdim = mesh.topology.dim
        ft = self.tagged.facet_tags
        x = ufl.SpatialCoordinate(mesh)
        w = x[0] if self.axisymmetric else 1.0
        self.weight = w
        self.T = [fem.Function(cs.space, name=f"T_colour{c}") for c, cs in enumerate(self.spaces)]

        # bulk coefficients: k and constant sources as DG0 fields on the parent mesh
        Q = fem.functionspace(mesh, ("DG", 0))
        k = fem.Function(Q, name="conductivity")
        lut = np.zeros(max(self.regions) + 1)
        for r, m in self.region_material.items():
            lut[r] = m.conductivity
        k.x.array[:] = lut[self.cell_region]
        f = fem.Function(Q, name="source")
        dx_data: list[tuple[int, np.ndarray]] = []
        for c in range(self.num_colours):
            cells = np.flatnonzero(self.cell_colour == c).astype(np.int32)
            dx_data.append(
                (c, fem.compute_integration_domains(IntegralType.cell, mesh.topology, cells))
            )
        source_terms: list[tuple[int, int, Any]] = []  # (dx id, colour, UFL value)
        has_const_source = False
        for s in self.sources:
            try:
                r = self.tagged.cell_tag(s.region)
            except MeshError as e:
                raise InputError(f"heat source: {e}") from None
            cells = np.flatnonzero(self.cell_region == r).astype(np.int32)
            if callable(s.value):
                sid = len(dx_data)
                dx_data.append(
                    (sid, fem.compute_integration_domains(IntegralType.cell, mesh.topology, cells))
                )
                source_terms.append((sid, self.colouring.colour_of_region[r], s.value(x)))
            else:
                f.x.array[cells] += s.value
                has_const_source = True
        self.k, self.f = k, f

        # interfaces: constant h in one DG0 field on the facet submesh of all such
        # interfaces, one integral per colour pair; other laws an integral each.
        dS_data: list[tuple[int, np.ndarray]] = []
        groups: dict[tuple[int, int], list[InterfaceData]] = {}
        special: list[InterfaceData] = []
        h_const: dict[int, float | FacetConductance] = {}
        for d in self.interface_data:
            facets = ft.indices[ft.values == d.tag]
            d.entities = self._interior_entities(facets, self.cell_region == d.plus_region)
            if d.perfect:
                continue
            law = d.spec.law
            value = law if isinstance(law, FacetConductance) else _constant_conductance(d.spec)
            if value is not None:
                h_const[d.tag] = value
                a, b = sorted((d.plus_colour, d.minus_colour))
                groups.setdefault((a, b), []).append(d)
            else:
                special.append(d)
        self.nonlinear = any(d.spec.law.temperature_dependent for d in special)
        self.entity_maps = [cs.entity_map for cs in self.spaces]
        self.h_field = None
        if groups:
            allf = np.unique(np.concatenate([ft.indices[ft.values == t] for t in h_const]))
            fsub, femap, _, _ = dolfinx.mesh.create_submesh(mesh, tdim - 1, allf.astype(np.int32))
            h_field = fem.Function(fem.functionspace(fsub, ("DG", 0)), name="conductance")
            fmap = fsub.topology.index_map(tdim - 1)
            parent_of_sub = femap.sub_topology_to_topology(
                np.arange(fmap.size_local + fmap.num_ghosts, dtype=np.int32), False
            )
            pmap = mesh.topology.index_map(tdim - 1)
            hval = np.zeros(pmap.size_local + pmap.num_ghosts)
            for t, value in h_const.items():
                facets = ft.indices[ft.values == t]
                if isinstance(value, FacetConductance):
                    mid = dolfinx.mesh.compute_midpoints(mesh, tdim - 1, facets.astype(np.int32))
                    try:
                        hval[facets] = value.at(mid.T)
                    except InputError as e:
                        label = next(d.spec.label for d in self.interface_data if d.tag == t)
                        raise InputError(f"interface {label!r}: {e}") from None
                else:
                    hval[facets] = value
            h_field.x.array[:] = hval[parent_of_sub]
            self.h_field = h_field
            self._h_field_parent = np.asarray(parent_of_sub, dtype=np.int32)
            self.entity_maps.append(femap)
        # (id, colour '+', colour '-', h as a function of the block temperatures)
        self._dS_terms: list[tuple[int, int, int, Callable[[Sequence[Any]], Any]]] = []
        # the DG0-h integrals: (id, colour '+', colour '-', owned entities)
        self._h_field_terms: list[tuple[int, int, int, np.ndarray]] = []
        for (a, b), g in sorted(groups.items()):
            mid = len(dS_data)
            # each interface's entities with '+' on colour a (swap the sides if needed)
            ent = [d.entities if d.plus_colour == a else d.entities[:, [2, 3, 0, 1]] for d in g]
            dS_data.append((mid, np.concatenate(ent).ravel()))
            self._h_field_terms.append((mid, a, b, np.concatenate(ent)))
            self._dS_terms.append((mid, a, b, lambda T, hf=self.h_field: hf("+")))
            for d in g:
                d.measure_id = mid
        # interfaces with equal laws between the same colours share one integral (one
        # kernel to compile, however many interfaces: e.g. Kapitza on every interface
        # of a superlattice)
        shared: dict[tuple[Any, int, int], list[InterfaceData]] = {}
        for d in special:
            try:
                key = (d.spec.law, d.plus_colour, d.minus_colour)
                hash(key)
            except TypeError:  # unhashable law object: an integral of its own
                key = (id(d.spec.law), d.plus_colour, d.minus_colour)
            shared.setdefault(key, []).append(d)
        for members in shared.values():
            d = members[0]
            mid = len(dS_data)
            dS_data.append((mid, np.concatenate([m.entities for m in members]).ravel()))
            law = d.spec.law
            if isinstance(law, Conductance):
                hfun = lambda T, law=law: law.at(x("+"))  # noqa: E731
            elif not getattr(law, "supports_ufl", True):
                raise InputError(
                    f"interface {d.spec.label!r}: {type(law).__name__} depends on temperature "
                    "but cannot be written in UFL (needed for Newton's Jacobian); use its "
                    "UFL-compatible form (e.g. form='simple' for the gas gap)"
                )
            else:  # h(T⁺, T⁻): '+' of this integral is the interface's plus side
                hfun = lambda T, law=law, p=d.plus_colour, m=d.minus_colour: law.conductance(  # noqa: E731
                    T[p]("+"), T[m]("-")
                )
            self._dS_terms.append((mid, d.plus_colour, d.minus_colour, hfun))
            for m in members:
                m.measure_id = mid
        hfuns = {mid: hfun for mid, _, _, hfun in self._dS_terms}
        for d in self.interface_data:
            if d.measure_id is not None:
                d.h_expr = hfuns[d.measure_id](self.T)

        # outer boundaries: one ds id per (condition, colour)
        ds_data: list[tuple[int, np.ndarray]] = []
        self._ds_terms: list[tuple[int, int, Any]] = []  # (id, colour, bc)
        self._dirichlet_facets: list[tuple[FixedTemperature, np.ndarray]] = []
        for bc, tag in zip(self.boundary_conditions, self._bc_tags, strict=True):
            facets = ft.indices[ft.values == tag]
            if isinstance(bc, FixedTemperature):
                self._dirichlet_facets.append((bc, facets))
                continue
            _, cells = facet_cells(mesh, facets)
            owned = facets < mesh.topology.index_map(tdim - 1).size_local
            for c in range(self.num_colours):
                sel = facets[owned & (self.cell_colour[cells[0]] == c)]
                if self.comm.allreduce(sel.size) == 0:
                    continue
                e = fem.compute_integration_domains(IntegralType.exterior_facet, mesh.topology, sel)
                ds_data.append((len(ds_data), e))
                self._ds_terms.append((len(ds_data) - 1, c, bc))

        self.dx = ufl.Measure("dx", domain=mesh, subdomain_data=dx_data)
        self.dS = ufl.Measure("dS", domain=mesh, subdomain_data=dS_data)
        self.ds = ufl.Measure("ds", domain=mesh, subdomain_data=ds_data)
        self._source_terms = source_terms
        self._has_const_source = has_const_source

        self.W = ufl.MixedFunctionSpace(*[cs.space for cs in self.spaces])
        self.bcs = self._dirichlet_bcs()
        self._build_system()

    def _zero_rows(self, v: Sequence[Any]) -> Any:
        """0·v_c dx for every colour: every block row gets a linear form."""
        zero = fem.Constant(self.tagged.mesh, PETSc.ScalarType(0.0))
        return sum(zero * v[c] * self.dx(c) for c in range(self.num_colours))

    def _build_system(self) -> None:
        """Compile the forms of F(T; v) = 0 and create the PETSc system (steady).

        Subclasses (e.g. transient problems) override this and reuse :meth:`residual`.
        """
        v = ufl.TestFunctions(self.W)
        self.system: LinearSystem | NonlinearSystem
        if self.nonlinear:
            F_blocks = ufl.extract_blocks(self.residual(self.T, v) + self._zero_rows(v))
            self.F = fem.form(F_blocks, entity_maps=self.entity_maps)
            self.J = fem.form(derivative_block(F_blocks, self.T), entity_maps=self.entity_maps)
            self.system = NonlinearSystem(
                self.F, self.J, self.T, self.bcs, self.prefix, self.petsc_options
            )
        else:
            # temperature-independent interface terms (DG0 h) are assembled facet by facet
            # (InterfaceOperator); their dS form only gives the coupling blocks' sparsity
            facetwise = bool(self._h_field_terms) and self.facetwise_interfaces
            u = ufl.TrialFunctions(self.W)
            R = self.residual(u, v, h_field_terms=not facetwise) - self._zero_rows(v)
            a, L = ufl.system(R)
            a_blocks = ufl.extract_blocks(a)
            self.a = fem.form(a_blocks, entity_maps=self.entity_maps)
            self.L = fem.form(ufl.extract_blocks(L), entity_maps=self.entity_maps)
            if not facetwise:
                self.system = LinearSystem(
                    self.a, self.L, self.bcs, self.prefix, self.petsc_options
                )
                return
            nc = self.num_colours
            coupling: list[list[Any]] = [[None] * nc for _ in range(nc)]
            hf = self.h_field("+")
            for mid, ca, cb, _ in self._h_field_terms:
                for i, j, term in (
                    (ca, cb, hf * u[cb]("-") * v[ca]("+") * self.dS(mid)),
                    (cb, ca, hf * u[ca]("+") * v[cb]("-") * self.dS(mid)),
                ):
                    coupling[i][j] = term if coupling[i][j] is None else coupling[i][j] + term
            pattern = [
                [
                    self.a[i][j]
                    if coupling[i][j] is None
                    else fem.form(
                        coupling[i][j]
                        if a_blocks[i][j] is None
                        else a_blocks[i][j] + coupling[i][j],
                        entity_maps=self.entity_maps,
                    )
                    for j in range(nc)
                ]
                for i in range(nc)
            ]
            self.system = LinearSystem(
                self.a,
                self.L,
                self.bcs,
                self.prefix,
                self.petsc_options,
                pattern=pattern,
                extra=self.interface_operator(),
            )

    def interface_operator(self) -> InterfaceOperator:
        """The DG0-h interface terms as an :class:`InterfaceOperator` (built once)."""
        if self._interface_operator is None:
            mesh = self.tagged.mesh
            tdim = mesh.topology.dim
            c2f = mesh.topology.connectivity(tdim, tdim - 1)
            nfc = c2f.offsets[1] - c2f.offsets[0]
            facets = c2f.array.reshape(-1, nfc)
            x = mesh.geometry.x
            scale = float(np.max(np.ptp(x, axis=0))) if x.size else 1.0
            self._interface_operator = InterfaceOperator(
                self.spaces,
                self.h_field.function_space.mesh,
                self._h_field_parent,
                self.h_field,
                [(a, b, e) for _, a, b, e in self._h_field_terms],
                lambda e: facets[e[:, 0], e[:, 1]],
                self.axisymmetric,
                self.comm.allreduce(scale, op=MPI.MAX),
            )
        return self._interface_operator

    def residual(self, T: Sequence[Any], v: Sequence[Any], h_field_terms: bool = True) -> ufl.Form:
        """Weak residual F(T; v) (W) for block temperatures T and test functions v.

        ``h_field_terms=False`` leaves out the interface terms with temperature-independent
        h (those that :meth:`interface_operator` assembles facet by facet).
        """
        skip = set() if h_field_terms else {t[0] for t in self._h_field_terms}
        x = ufl.SpatialCoordinate(self.tagged.mesh)
        w = self.weight
        dx, dS, ds = self.dx, self.dS, self.ds
        F = 0
        for c in range(self.num_colours):
            F += self.k * ufl.inner(ufl.grad(T[c]), ufl.grad(v[c])) * w * dx(c)
            if self._has_const_source:
                F -= self.f * v[c] * w * dx(c)
        for sid, c, val in self._source_terms:
            F -= val * v[c] * w * dx(sid)
        wp = w("+") if self.axisymmetric else 1.0
        for mid, a, b, hfun in self._dS_terms:
            if mid in skip:
                continue
            F += hfun(T) * (T[a]("+") - T[b]("-")) * (v[a]("+") - v[b]("-")) * wp * dS(mid)
        for sid, c, bc in self._ds_terms:
            if isinstance(bc, HeatFlux):
                F -= _as_value(bc.value, x) * v[c] * w * ds(sid)
            else:
                F += _as_value(bc.h, x) * (T[c] - _as_value(bc.T_inf, x)) * v[c] * w * ds(sid)
        return F

    def _dirichlet_bcs(self) -> list[fem.DirichletBC]:
        """Fixed temperatures per (condition, colour), then 0 on inactive halo dofs."""
        mesh = self.tagged.mesh
        tdim = mesh.topology.dim
        c2f = mesh.topology.connectivity(tdim, tdim - 1)
        nfc = c2f.offsets[1] - c2f.offsets[0]
        bcs = []
        self._dirichlet_groups: list[tuple[FixedTemperature, np.ndarray, list[int]]] = []
        for bc, facets in self._dirichlet_facets:
            colours: list[int] = []
            self._dirichlet_groups.append((bc, facets, colours))
            _, cells = facet_cells(mesh, facets)
            c0 = cells[0]
            # local index of each facet in its cell
            lf = np.argmax(c2f.array.reshape(-1, nfc)[c0] == facets[:, None], axis=1)
            for c, cs in enumerate(self.spaces):
                sel = self.cell_colour[c0] == c
                if self.comm.allreduce(int(sel.sum())) == 0:
                    continue
                dofs = _facet_dofs(cs, c0[sel], lf[sel])
                colours.append(c)
                if callable(bc.value):
                    g = fem.Function(cs.space)
                    g.interpolate(bc.value)
                    bcs.append(fem.dirichletbc(g, dofs))
                else:
                    bcs.append(fem.dirichletbc(PETSc.ScalarType(bc.value), dofs, cs.space))
        for cs in self.spaces:
            if self.comm.allreduce(cs.inactive_dofs.size):
                bcs.append(fem.dirichletbc(PETSc.ScalarType(0.0), cs.inactive_dofs, cs.space))
        return bcs

    # ------------------------------------------------------------------ solve
    def run(self) -> SteadyResult:
        """Assemble and solve; returns the temperature per colour space (K)."""
        if not self._initialised:
            self.initialise()
        t0 = time.perf_counter()
        if isinstance(self.system, LinearSystem):
            self.system.assemble_matrix()
            self.system.assemble_rhs()
        self.timings["assemble"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        if isinstance(self.system, NonlinearSystem):
            for T in self.T:
                T.x.array[:] = self.initial_temperature
            info = self.system.solve()
        else:
            info = self.system.solve(self.T)
        self.timings["solve"] = time.perf_counter() - t0
        return SteadyResult(self.T, info, dict(self.timings))

    def region_temperature(self, region: str | int) -> tuple[fem.Function, np.ndarray]:
        """The colour function holding ``region`` and the submesh cells of that region."""
        r = self.tagged.cell_tag(region)
        c = self.colouring.colour_of_region[r]
        cs = self.spaces[c]
        cells = np.flatnonzero(self.cell_region[cs.parent_cells] == r).astype(np.int32)
        return self.T[c], cells

    # ------------------------------------------------------------------ outputs
    def interface_table(self):
        """Per-interface :class:`~fe_interface.postprocess.InterfaceSummary` list."""
        from fe_interface.postprocess import interface_summaries

        return interface_summaries(self)

    def energy_balance(self):
        """Global :class:`~fe_interface.postprocess.EnergyBalance` (W)."""
        from fe_interface.postprocess import energy_balance

        return energy_balance(self)

    def export(self, folder: str, name: str = "temperature", vtx: bool = True) -> dict[str, Any]:
        """Write ``name.xdmf``/``.h5``, ``name.vtu``, ``name_summary.json`` and VTX
        folders into ``folder``; returns the paths and the summary objects."""
        from pathlib import Path

        from fe_interface.export import write_meshio, write_summary, write_vtx

        folder_p = Path(folder)
        table = self.interface_table()
        balance = self.energy_balance()
        out: dict[str, Any] = {
            "xdmf": write_meshio(self, folder_p / f"{name}.xdmf", folder_p / f"{name}.vtu"),
            "vtu": folder_p / f"{name}.vtu",
            "summary": write_summary(folder_p / f"{name}_summary.json", table, balance, self.comm),
            "interfaces": table,
            "balance": balance,
        }
        if vtx:
            out["vtx"] = write_vtx(self, folder_p / f"{name}_vtx")
        return out
