"""From the model to the discrete problem: one broken space, one set of terms.

:class:`Formulation` colours the blocks, builds the broken Lagrange space
(:mod:`~fe_interface.discretisation.space`), and turns every model object into its
terms (:mod:`~fe_interface.discretisation.terms`):

* bulk conduction ∫ (K ∇T)·∇v w dx (W/(m K)): one ``fem.Constant`` per distinct
  constant k, one integral per temperature-dependent or anisotropic conductivity
  (:mod:`~fe_interface.discretisation.bulk`);
* sources (W/m³, or a total power in W over the region's volume): constant values
  one ``fem.Constant`` per value, functions of x or t each a term;
* flux, convection and radiation boundaries as ``ds`` terms, fixed temperatures as Dirichlet
  conditions on the copies of their facets' side;
* interfaces: laws with h independent of T (constant, resistance, per facet, h(x)) in
  one :class:`~fe_interface.discretisation.coupling.InterfaceCoupling` assembled facet by
  facet; temperature-dependent laws as ``dS`` terms (equal laws between the same sides
  share one integral), which Newton differentiates.

Numbers enter the forms as ``fem.Constant`` objects, so the compiled kernels do not
depend on the values (a parameter sweep compiles nothing new).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx
import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import IntegralType

from fe_interface.discretisation import bulk
from fe_interface.discretisation.coupling import InterfaceCoupling
from fe_interface.discretisation.dirichlet import DirichletGroup, dirichlet_groups
from fe_interface.discretisation.facets import FacetGroup
from fe_interface.discretisation.law_constants import SymbolicLaw
from fe_interface.discretisation.pairs import CouplingSet, PairCoupling, PairSearch
from fe_interface.discretisation.regions import Colouring, colour_regions
from fe_interface.discretisation.space import BrokenSpace, broken_lagrange_space
from fe_interface.discretisation.terms import (
    Conduction,
    ConvectionBoundary,
    FluxBoundary,
    InterfaceTerm,
    RadiationBoundary,
    Term,
    VolumeSource,
)
from fe_interface.errors import InputError, collective, describe, user_function
from fe_interface.model.boundary import (
    STEFAN_BOLTZMANN,
    Convection,
    FixedTemperature,
    HeatFlux,
    Radiation,
    condition_name,
)
from fe_interface.model.interfaces import Conductance, constant_conductance
from fe_interface.model.model import (
    Model,
    ResolvedInterface,
)

__all__ = ["DirichletGroup", "Formulation"]

#: PETSc's scalar type, a NumPy scalar type (petsc4py's stubs declare it a dtype)
_SCALAR: Any = PETSc.ScalarType


def _static_conductivity(f: Any, model: Model) -> np.ndarray | None:
    """The conductivity per cell when every conductivity is a constant scalar, else None."""
    k = {r: bulk.constant_scalar(m.conductivity) for r, m in model.region_material.items()}
    if any(v is None for v in k.values()):
        return None
    return f.cell_values(k)


def _check_axisymmetric(mesh: Any) -> None:
    """An axisymmetric (r, z) mesh is 2D and lies in r = x ≥ 0 (collective).

    The weight w = r of cells at x < 0 is negative: the solve runs (the matrix is
    indefinite: CG fails, a direct solver does not) and reports a meaningless heat flow.
    A vertex below −1e-9 of the mesh's extent counts (r = 0 up to round-off is the axis).
    """
    if mesh.geometry.dim != 2:
        raise InputError("axisymmetric models need a 2D (r, z) mesh")
    x = mesh.geometry.x
    comm = mesh.comm
    lo = comm.allreduce(float(x[:, 0].min(initial=np.inf)), op=MPI.MIN)
    hi = comm.allreduce(float(x[:, 0].max(initial=-np.inf)), op=MPI.MAX)
    ylo = comm.allreduce(float(x[:, 1].min(initial=np.inf)), op=MPI.MIN)
    yhi = comm.allreduce(float(x[:, 1].max(initial=-np.inf)), op=MPI.MAX)
    extent = max(hi - lo, yhi - ylo)
    if lo < -1e-9 * extent:
        raise InputError(
            f"axisymmetric model: the mesh reaches x = r = {lo:.6g} m < 0 (x from {lo:.6g} to "
            f"{hi:.6g} m); an (r, z) mesh must lie in r >= 0 with the axis at r = 0: mesh "
            "only the half r >= 0, or set axisymmetric = false for a planar model"
        )


class Formulation:
    """The discretised model (collective).

    Args:
        model: the checked model.
        degree: Lagrange degree (1, 2 or 3).
        axisymmetric: 2D r–z model (x[0] = r ≥ 0, x[1] = z): weight w = r.

    Attributes:
        model, degree, axisymmetric: as given.
        colouring: blocks and colours of the regions.
        broken: the broken space; ``space`` its DOLFINx function space.
        T: the temperature (K).
        k_cells: conductivity of every local cell (W/(m K)).
        terms: the UFL terms (bulk, sources, boundaries, T-dependent interfaces).
        coupling: the facet-wise interface terms, or None.
        dirichlet: the fixed-temperature conditions.
        nonlinear: some interface law, conductivity or boundary condition (radiation)
            depends on T.
        separate: one ``fem.Constant`` per region for region-wise values (conductivity, heat
            capacity, sources) instead of one per distinct value, and zero sources kept, so
            that each region's value can change without new forms
            (:mod:`~fe_interface.discretisation.values`).
        symbolic_laws: interface label -> the temperature-dependent law with constants
            (``separate`` only).
        region_constants: quantity ("conductivity", "heat_capacity", "source") -> region
            tag -> its ``fem.Constant``.
        roundoff_W: the round-off floor ε ‖ |A| |T| ‖₂ of the residual of the last solve,
            W (set by the problems; 0 before a solve): the resolution of the energy balance
            (:mod:`fe_interface.solvers.roundoff`).
    """

    def __init__(
        self, model: Model, degree: int = 1, axisymmetric: bool = False, separate: bool = False
    ) -> None:
        if degree not in (1, 2, 3):
            raise InputError(f"degree must be 1, 2 or 3, got {degree!r}")
        mesh = model.mesh
        if axisymmetric:
            _check_axisymmetric(mesh)
        self.model = model
        self.mesh = mesh
        self.comm: MPI.Comm = mesh.comm
        self.degree = degree
        self.axisymmetric = axisymmetric
        self.separate = separate
        self.region_constants: dict[str, dict[int, fem.Constant]] = {}
        adjacency = model.adjacency()
        self.perfect_pairs = adjacency.facet_pairs
        self.colouring: Colouring = colour_regions(
            model.regions, adjacency.facet_pairs, model.resistive_pairs(), adjacency.vertex_pairs
        )
        lut = np.zeros(max(model.regions) + 1, dtype=np.int32)
        for r, c in self.colouring.colour_of_region.items():
            lut[r] = c
        cell_colour = lut[model.cell_region]
        self.broken: BrokenSpace = broken_lagrange_space(
            mesh, cell_colour, self.colouring.num_colours, degree
        )
        self.pair_search: PairSearch | None = None
        if model.pairs:  # non-matching pairs: the search, then their off-process columns
            k_region = {
                r: v if (v := bulk.constant_scalar(m.conductivity)) is not None else np.nan
                for r, m in model.region_material.items()
            }
            self.pair_search = PairSearch(
                mesh, self.broken, model.pairs, degree, axisymmetric, k_region, model.cell_region
            )
            self.broken = self.pair_search.extended()
        self.space = self.broken.space
        self.T = fem.Function(self.space, name="temperature_K")
        self.x = ufl.SpatialCoordinate(mesh)
        self.w: Any = self.x[0] if axisymmetric else 1.0
        self.two_pi = 2 * np.pi if axisymmetric else 1.0
        self._k_static = _static_conductivity(self, model)
        # subdomain 0 has no cells: the zero integral every form carries (see residual)
        self._subdomains: list[tuple[int, np.ndarray]] = [(0, np.empty(0, np.int32))]
        self._boundary_domains: list[tuple[int, np.ndarray]] = []
        self._interface_domains: list[tuple[int, np.ndarray]] = []
        self.dx = ufl.Measure("dx", domain=mesh, subdomain_data=self._subdomains)
        self.ds = ufl.Measure("ds", domain=mesh, subdomain_data=self._boundary_domains)
        self.dS = ufl.Measure("dS", domain=mesh, subdomain_data=self._interface_domains)
        self.terms: list[Term] = [Conduction(bulk.conduction_groups(self), self.w)]
        self.temperature_values = False  # some value (an expression) depends on T
        self._add_sources()
        self._add_boundaries()
        self.coupling: InterfaceCoupling | CouplingSet | None = None
        self.symbolic_laws: dict[str, SymbolicLaw] = {}
        self.coupled_rows: dict[str, np.ndarray] = {}
        self._add_interfaces()
        self.pairs: list[PairCoupling] = []
        if self.pair_search is not None:  # the pairs join the facet-wise terms
            self.pairs = self.pair_search.couplings(self.broken, self.T, degree)
            self.coupling = CouplingSet(self.coupling, self.pairs)
        self.nonlinear = (
            any(p.nonlinear for p in self.pairs)
            or any(d.kind == "temperature" for d in model.interfaces)
            or bulk.conduction_nonlinear(self)
            or any(isinstance(t, RadiationBoundary) for t in self.terms)
            or self.temperature_values
        )
        self.dirichlet = dirichlet_groups(model, self.space)
        self.roundoff_W = 0.0

    # ------------------------------------------------------------------ helpers
    def cell_values(self, per_region: dict[int, float]) -> np.ndarray:
        """One value per local cell (ghosts included) from values per region.

        0 where a region has none.
        """
        lut = np.zeros(max(self.model.regions) + 1)
        for r, v in per_region.items():
            lut[r] = v
        return lut[self.model.cell_region]

    def piecewise(
        self, per_region: dict[int, float], regions: list[int] | None = None, what: str = ""
    ) -> list[tuple[fem.Constant, Any]]:
        """A region-wise constant as (``fem.Constant``, measure) pairs, one per distinct value.

        Integrals with a constant are the plain Poisson kernel (a DG0 coefficient costs a
        quarter more assembly time); one value everywhere is one ``dx``. ``regions``: only these
        regions (default: all).  With ``separate``, one pair per region.  ``what`` names the
        quantity in :attr:`region_constants`.
        """
        by_value: dict[Any, list[int]] = {}
        subset = (
            self.model.regions
            if regions is None
            else [r for r in self.model.regions if r in regions]
        )
        for r in subset:
            key = (float(per_region.get(r, 0.0)), r if self.separate else 0)
            by_value.setdefault(key, []).append(r)
        mesh = self.mesh
        if len(by_value) == 1 and len(subset) == len(self.model.regions):
            (((val, _), members),) = by_value.items()
            c = fem.Constant(mesh, _SCALAR(val))
            self.region_constants.setdefault(what, {}).update(dict.fromkeys(members, c))
            return [(c, ufl.dx(domain=mesh))]
        out = []
        n = mesh.topology.index_map(mesh.topology.dim).size_local
        region = self.model.cell_region[:n]
        for (val, _), members in sorted(by_value.items()):
            cells = np.flatnonzero(np.isin(region, members)).astype(np.int32)
            sid = len(self._subdomains)
            self._subdomains.append((sid, cells))
            c = fem.Constant(mesh, _SCALAR(val))
            self.region_constants.setdefault(what, {}).update(dict.fromkeys(members, c))
            out.append((c, self.dx(sid)))
        return out

    def value(self, v: Any, what: str = "a value(x)") -> Any:
        """A model value in UFL.

        A function of x (or a TimeFunction) is called with x, a number becomes a
        ``fem.Constant``; an expression value
        (:class:`~fe_interface.model.values.ExpressionValue`) is built in UFL with the
        temperature T (then the problem is nonlinear) and its fields on this mesh.  ``what``
        names the item and its function in the :class:`InputError` raised if the function
        fails (e.g. ``"heat flux on 'top': value(x)"``).
        """
        if hasattr(v, "ufl_value"):
            self.temperature_values |= bool(getattr(v, "temperature_dependent", False))
            return v.ufl_value(self.x, self.T, self.mesh)
        if callable(v):
            with user_function(what):  # called with the UFL coordinate: the same on every rank
                return v(self.x)
        return fem.Constant(self.mesh, _SCALAR(float(v)))

    @property
    def conductivity_varies(self) -> bool:
        """True unless every conductivity is a constant scalar (then :attr:`k_cells` is fixed)."""
        return self._k_static is None

    def refresh_conductivity(self) -> None:
        """Re-read the constant conductivities of the model's materials (after an update)."""
        self._k_static = _static_conductivity(self, self.model)

    def _owned_cells(self, cells: np.ndarray) -> np.ndarray:
        n = self.mesh.topology.index_map(self.mesh.topology.dim).size_local
        return cells[cells < n]

    @property
    def k_cells(self) -> np.ndarray:
        """Conductivity of every local cell (ghosts included), W/(m K).

        Constant values as they are; for k(T) the value at the cell's mean temperature of
        the current field; for a tensor its largest principal value.
        """
        if self._k_static is not None:
            return self._k_static
        return bulk.cell_conductivity(self)

    def _source_density(self, s: Any) -> Any:
        """A source's power density (W/m³).

        Its value, or its total power over the region's volume (see
        :mod:`fe_interface.model.sources`).
        """
        spec = s.spec
        if spec.power is None:
            return spec.value
        what = f"heat source in {spec.region!r}"
        if spec.depth is not None and (self.axisymmetric or self.mesh.geometry.dim != 2):
            raise InputError(f"{what}: depth (m) is only for 2D planar models")
        volume = bulk.region_volume(self, s.region)
        if not volume > 0:
            raise InputError(f"{what}: the region has zero volume ({volume!r})")
        scale = 1.0 / (volume * (spec.depth or 1.0))
        return spec.power * scale if callable(spec.power) else float(spec.power) * scale

    def _add_sources(self) -> None:
        const: dict[int, float] = {}
        for s in self.model.sources:
            v = self._source_density(s)
            label = f"HeatSource:{s.spec.region}"
            if callable(v):
                sid = len(self._subdomains)
                cells = fem.compute_integration_domains(
                    IntegralType.cell, self.mesh.topology, self._owned_cells(s.cells)
                )
                self._subdomains.append((sid, cells))
                what = f"heat source in {s.spec.region!r}: value(x)"
                self.terms.append(VolumeSource(label, self.value(v, what), self.w, self.dx(sid)))
            else:
                const[s.region] = const.get(s.region, 0.0) + float(v)
        if const:  # one term per distinct value, a constant each (no coefficient to pack)
            for value, dx in self.piecewise(const, what="source"):
                if float(value.value) != 0.0 or self.separate:
                    self.terms.append(VolumeSource("sources", value, self.w, dx))

    def _add_boundaries(self) -> None:
        tdim = self.mesh.topology.dim
        nf = self.mesh.topology.index_map(tdim - 1).size_local
        for b in self.model.boundaries:
            bc = b.spec
            if isinstance(bc, FixedTemperature):
                continue
            bid = len(self._boundary_domains)
            owned = b.facets[b.facets < nf]
            e = fem.compute_integration_domains(
                IntegralType.exterior_facet, self.mesh.topology, owned
            )
            self._boundary_domains.append((bid, e))
            name = condition_name(bc)
            if isinstance(bc, HeatFlux):
                q = self.value(bc.value, f"{name}: value(x)")
                self.terms.append(FluxBoundary(b.label, q, self.w, self.ds(bid)))
            elif isinstance(bc, Convection):
                h = self.value(bc.h, f"{name}: h(x)")
                T_inf = self.value(bc.T_inf, f"{name}: T_inf(x)")
                self.terms.append(ConvectionBoundary(b.label, h, T_inf, self.w, self.ds(bid)))
            elif isinstance(bc, Radiation):
                eps_sigma = self.value(bc.emissivity * STEFAN_BOLTZMANN)
                T_amb = self.value(bc.T_amb, f"{name}: T_amb(x)")
                h = self.value(bc.h, f"{name}: h(x)") if bc.has_convection else None
                T_inf = (
                    self.value(bc.fluid_temperature, f"{name}: T_inf(x)")
                    if bc.has_convection
                    else None
                )
                self.terms.append(
                    RadiationBoundary(b.label, eps_sigma, T_amb, h, T_inf, self.w, self.ds(bid))
                )
            else:
                raise InputError(f"{b.label}: unsupported boundary condition {bc!r}")

    def _add_interfaces(self) -> None:
        model = self.model
        coupled = [d for d in model.interfaces if d.kind in ("constant", "facet", "position")]
        if coupled:
            parts, offset = [], 0
            for d in coupled:
                n = len(d.entities)
                self.coupled_rows[d.label] = np.arange(offset, offset + n)
                parts.append(d.entities)
                offset += n
            entities = np.concatenate(parts).astype(np.int32)
            if self.comm.allreduce(len(entities), op=MPI.SUM):
                # h(x) is checked on this rank's facets: an error is raised on every rank
                self._h_at = self._coupled_h(coupled, entities)
                with collective(self.comm):
                    self.coupling = InterfaceCoupling(
                        self.broken, entities, self._h_at, self.axisymmetric
                    )
        self._add_dependent_interfaces()

    @property
    def conforming_coupling(self) -> InterfaceCoupling | None:
        """The facet-wise coupling of the conforming interfaces (inside the pairs' set)."""
        if isinstance(self.coupling, CouplingSet):
            return self.coupling.interfaces
        return self.coupling

    def refresh_positions(self) -> list[str]:
        """Evaluate every position-dependent h(x) again at the quadrature points (collective).

        For functions of x whose values changed (the h(P(x), g(x)) of a contact solve, or
        another function given by ``update``): the facet matrices of those interfaces are
        rebuilt in place; nothing else changes.  Returns the labels refreshed.
        """
        done = []
        conforming = self.conforming_coupling
        for d in self.model.interfaces:
            if d.kind != "position" or conforming is None or d.label not in self.coupled_rows:
                continue
            with collective(self.comm):  # h(x) fails on one rank: raised on every rank
                conforming.recompute(self.coupled_rows[d.label], self._h_at)
            done.append(d.label)
        return done

    def _add_dependent_interfaces(self) -> None:
        """Temperature-dependent laws: equal laws (between the same sides) share a term."""
        model = self.model
        shared: dict[Any, list[ResolvedInterface]] = {}
        for d in model.interfaces:
            if d.kind != "temperature":
                continue
            if not getattr(d.spec.law, "supports_ufl", True):
                raise InputError(
                    f"interface {d.label!r}: {type(d.spec.law).__name__} depends on temperature "
                    "but cannot be written in UFL (needed for Newton's Jacobian); use its "
                    "UFL-compatible form (e.g. form='simple' for the gas gap)"
                )
            try:
                key = hash((d.spec.law, d.plus, d.minus)) and (d.spec.law, d.plus, d.minus)
            except TypeError:  # an unhashable law: a term of its own
                key = (id(d.spec.law), d.plus, d.minus)
            if self.separate:  # each its own term, its numbers as constants
                key = (id(d), d.plus, d.minus)
            shared.setdefault(key, []).append(d)
        for members in shared.values():
            sid = len(self._interface_domains)
            e = np.concatenate([m.entities for m in members]).astype(np.int32).ravel()
            self._interface_domains.append((sid, e))
            law = members[0].spec.law
            label = ",".join(m.label for m in members)
            h = law.conductance
            if self.separate:
                sym = SymbolicLaw(law, self.mesh, label)
                self.symbolic_laws[label] = sym
                h = sym.conductance
            self.terms.append(InterfaceTerm(label, h, self.w, self.dS(sid)))

    def _coupled_h(
        self, coupled: list[ResolvedInterface], entities: np.ndarray
    ) -> Callable[[FacetGroup, np.ndarray], np.ndarray]:
        """Conductance h (W/(m² K)) at the quadrature points of any rows of the coupled facets."""
        mesh = self.mesh
        tdim = mesh.topology.dim
        c2f = mesh.topology.connectivity(tdim, tdim - 1)
        nfc = c2f.offsets[1] - c2f.offsets[0]
        facet_of = c2f.array.reshape(-1, nfc)
        per_row = np.concatenate([np.full(len(d.entities), i) for i, d in enumerate(coupled)])
        facet_h: dict[int, np.ndarray] = {}
        for i, d in enumerate(coupled):
            law = d.spec.law
            if d.kind == "facet":
                facets = facet_of[d.entities[:, 0], d.entities[:, 1]].astype(np.int32)
                mids = dolfinx.mesh.compute_midpoints(mesh, tdim - 1, facets)
                try:
                    facet_h[i] = law.at(mids.T)
                except InputError as e:
                    raise InputError(f"interface {d.label!r}: {e}") from None
                except Exception as e:  # the user's h(x) failing at these points
                    raise InputError(f"interface {d.label!r}: h(x) raised {describe(e)}") from None
            elif d.kind == "constant":
                h = constant_conductance(law)
                if not np.isfinite(h) or h < 0:
                    raise InputError(
                        f"interface {d.label!r}: conductance law gives h = {h!r} W/(m^2 K)"
                    )
                facet_h[i] = np.full(len(d.entities), h)
        offsets = np.concatenate([[0], np.cumsum([len(d.entities) for d in coupled])])

        def h_at(group: FacetGroup, rows: np.ndarray) -> np.ndarray:
            out = np.empty((len(rows), group.phi.shape[0]))
            which = per_row[rows]
            for i in np.unique(which):
                sel = which == i
                d = coupled[int(i)]
                if i in facet_h:
                    out[sel] = facet_h[int(i)][rows[sel] - offsets[i]][:, None]
                else:
                    out[sel] = self._position_h(d, group, entities[rows[sel], 0], group.x[sel])
            return out

        return h_at

    def _position_h(
        self, d: ResolvedInterface, group: FacetGroup, cells: np.ndarray, x: np.ndarray
    ) -> np.ndarray:
        """Conductance h(x) (W/(m² K)) of a position-dependent :class:`Conductance` at points x.

        The points x (facets, points, gdim) are in the given ⁺ cells: the function is called
        with NumPy coordinates (3, n), or, if it only accepts UFL, evaluated as a DOLFINx
        expression in the cells.
        """
        law: Conductance = d.spec.law
        h_of_x = cast(Callable[..., Any], law.h)  # position-dependent: a function of x
        pts = np.zeros((3, x.shape[0] * x.shape[1]))
        pts[: x.shape[2]] = x.reshape(-1, x.shape[2]).T
        try:
            h = np.asarray(h_of_x(pts), dtype=float)
            h = np.broadcast_to(h, (pts.shape[1],)).reshape(x.shape[:2])
        except InputError as e:  # the function's own check (a field without a value there)
            raise InputError(f"interface {d.label!r}: {e}") from None
        except Exception as numpy_error:  # a UFL-only function of x?
            try:
                # compiled on this rank alone: only ranks holding facets of the interface
                # come here, so the mesh's communicator would wait for the others
                expr = fem.Expression(h_of_x(self.x), group.X, comm=MPI.COMM_SELF)
            except Exception as e:  # neither: name the interface and the function's error
                msg = f"interface {d.label!r}: h(x) raised {describe(numpy_error)}"
                if describe(e) != describe(numpy_error):
                    msg += f" (with NumPy points; with the UFL coordinate: {describe(e)})"
                raise InputError(msg) from None
            h = np.asarray(expr.eval(self.mesh, cells.astype(np.int32))).reshape(x.shape[:2])
        if not np.all(np.isfinite(h)) or np.any(h < 0):
            bad = np.flatnonzero(~np.isfinite(h.ravel()) | (h.ravel() < 0))[0]
            raise InputError(
                f"interface {d.label!r}: h(x) = {float(h.ravel()[bad]):.6g} W/(m^2 K) at x = "
                f"{pts[:, bad].tolist()} (must be finite and >= 0)"
            )
        return h

    # ------------------------------------------------------------------ forms
    @property
    def bcs(self) -> list[fem.DirichletBC]:
        """The Dirichlet conditions."""
        return [g.bc for g in self.dirichlet]

    def residual(self, T: Any, v: Any) -> Any:
        """The residual F(T; v) (W) of the UFL terms.

        The facet-wise coupling is added to vectors and matrices by the solvers.
        """
        # every form has a cell integral; over no cells (over every cell, it cost a Newton
        # residual 60 % more when the conduction integrals are per subdomain)
        zero = fem.Constant(self.mesh, _SCALAR(0.0))
        form = sum((t.residual(T, v) for t in self.terms), start=zero * v * self.dx(0))
        if self.temperature_values and T is not self.T:  # values of T: at this T (T_n)
            form = ufl.replace(form, {self.T: T})
        return form

    def rate_terms(self) -> list[Term]:
        """The terms with a heat rate: sources and flux/convection boundaries."""
        return [t for t in self.terms if t.kind in ("source", "boundary")]

    def interface_measure(self, entities: np.ndarray) -> Any:
        """The ``dS`` measure of interface facets given as rows.

        Rows (cell⁺, local facet⁺, cell⁻, local facet⁻) ('+' is the ⁺ side), in the
        formulation's one ``dS`` subdomain list (every ``dS`` integral of a form must share it).
        """
        sid = len(self._interface_domains)
        self._interface_domains.append((sid, np.asarray(entities, dtype=np.int32).ravel()))
        return self.dS(sid)

    def region_cells(self, region: str | int) -> np.ndarray:
        """Local cells (ghosts included) of a region (name or tag)."""
        return self.model.region_cells(self.model.region_tag(region, "region"))

    def region_dofs(self, region: int) -> np.ndarray:
        """The local dofs (ghosts included) of a region's local cells, sorted (cached).

        Checked after every Newton solve (k(T) > 0, valid ranges): computing them anew
        cost 0.2 s per region at 0.28 M dofs.
        """
        cache: dict[int, np.ndarray] = self.__dict__.setdefault("_region_dofs", {})
        if region not in cache:
            cells = self.model.region_cells(region)
            imap = self.space.dofmap.index_map
            mask = np.zeros(imap.size_local + imap.num_ghosts, dtype=bool)
            mask[self.space.dofmap.list[cells].ravel()] = True  # (np.unique sorts: 10x slower)
            cache[region] = np.flatnonzero(mask)
        return cache[region]

    def bc_marker(self) -> np.ndarray:
        """Local copy -> local index, −1 on Dirichlet dofs (for the facet-wise terms)."""
        imap = self.space.dofmap.index_map
        idx = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int64)
        for g in self.dirichlet:
            idx[g.bc.dof_indices()[0]] = -1
        return idx
