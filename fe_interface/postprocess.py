"""Per-interface tables and the global energy balance of a solved problem.

All heat flows in W (for axisymmetric models integrated over the full 2π), areas in
m², jumps in K, conductances in W/(m² K).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

from mpi4py import MPI

import dolfinx
import numpy as np
import ufl
from dolfinx import fem, la

from fe_interface.boundary import Convection, HeatFlux

if TYPE_CHECKING:
    from fe_interface.problem import InterfaceData, SteadyProblem

__all__ = ["InterfaceSummary", "EnergyBalance", "interface_summaries", "energy_balance"]


class InterfaceSummary(NamedTuple):
    """One interface after the solve (⁺ → ⁻ is the positive direction).

    Attributes:
        name: interface label.
        plus, minus: region names on the ⁺ and ⁻ sides.
        area_m2: interface area, m² (full revolution for axisymmetric models).
        mean_jump_K: area-weighted mean of T⁺ − T⁻, K.
        min_jump_K, max_jump_K: extremes of T⁺ − T⁻ at facet vertices/midpoints, K.
        heat_flow_W: ∫ h (T⁺ − T⁻) dA, W.
        heat_flow_bulk_plus_W: ∫ −k⁺ ∇T⁺·n dA from the ⁺ side's gradient, W.
        heat_flow_bulk_minus_W: ∫ −k⁻ ∇T⁻·n dA from the ⁻ side's gradient, W.
        conductance_W_m2K: effective h = heat_flow / (area · mean jump), W/(m² K);
            NaN for perfect contact.
        mechanisms: for laws with ``breakdown`` (contact + Kapitza), by the facet-midpoint
            rule: the area-weighted mean h of each mechanism (``h_<name>_W_m2K``), for the
            series law also the mean resistances (``R_contact_m2K_W``,
            ``R_kapitza_m2K_W``, ``R_total_m2K_W``) and the Kapitza share of the jump
            (``kapitza_share`` = R_K/R_total), and the heat flow through each parallel
            contact path (``heat_flow_<name>_W``: solid spots, gas, radiation).  A
            mechanism without resistance -- the contact part of a bonded (Kapitza-only)
            interface, or the Kapitza part of a contact-only one -- has ``h = inf``,
            ``R = 0`` and is named in ``no_resistance`` (a list of names); the JSON
            summary writes the infinite h as null.
    """

    name: str
    plus: str
    minus: str
    area_m2: float
    mean_jump_K: float
    min_jump_K: float
    max_jump_K: float
    heat_flow_W: float
    heat_flow_bulk_plus_W: float
    heat_flow_bulk_minus_W: float
    conductance_W_m2K: float
    mechanisms: dict = {}  # noqa: RUF012


class EnergyBalance(NamedTuple):
    """Global balance: heat generated + heat entering through every boundary = 0.

    Attributes:
        sources_W: total volumetric heat generation, W.
        boundary_inflow_W: heat flowing *in* through each boundary condition's
            facets, W (fixed-temperature boundaries: the consistent reaction flux).
        residual_W: sources + Σ inflows, W (0 for an exact balance).
        relative_residual: |residual| / max(Σ |terms|), dimensionless.
    """

    sources_W: float
    boundary_inflow_W: dict[str, float]
    residual_W: float
    relative_residual: float


def _scalar(form: ufl.Form, entity_maps: list, comm: MPI.Comm) -> float:
    value = fem.assemble_scalar(fem.form(form, entity_maps=entity_maps))
    return float(comm.allreduce(value, op=MPI.SUM))


class _FacetSamples(NamedTuple):
    """Temperatures on both sides of the owned facets of one interface.

    ``T_plus``/``T_minus`` have shape (facets, points): the facet's geometry nodes, then
    its midpoint (last column); each side evaluated in its own cell.
    """

    facets: np.ndarray
    T_plus: np.ndarray
    T_minus: np.ndarray

    @property
    def jump(self) -> np.ndarray:
        return self.T_plus - self.T_minus


def _facet_samples(p: SteadyProblem, d: InterfaceData) -> _FacetSamples:
    """T⁺ and T⁻ at the nodes and the midpoint of every owned facet of the interface."""
    mesh = p.tagged.mesh
    tdim = mesh.topology.dim
    e = d.entities
    if not e.shape[0]:
        return _FacetSamples(np.empty(0, np.int32), np.empty((0, 1)), np.empty((0, 1)))
    c2f = mesh.topology.connectivity(tdim, tdim - 1)
    nfc = c2f.offsets[1] - c2f.offsets[0]
    facets = c2f.array.reshape(-1, nfc)[e[:, 0], e[:, 1]].astype(np.int32)
    nodes = dolfinx.mesh.entities_to_geometry(mesh, tdim - 1, facets, False)
    mids = dolfinx.mesh.compute_midpoints(mesh, tdim - 1, facets)[:, None, :]
    pts = np.concatenate([mesh.geometry.x[nodes], mids], axis=1)  # (nf, npts, 3)
    nf, npts = pts.shape[:2]
    sides = []
    for col, cells in ((d.plus_colour, e[:, 0]), (d.minus_colour, e[:, 2])):
        cs = p.spaces[col]
        sub_cells = cs.entity_map.sub_topology_to_topology(cells.astype(np.int32), True)
        vals = p.T[col].eval(pts.reshape(-1, 3), np.repeat(sub_cells, npts).astype(np.int32))
        sides.append(np.asarray(vals).reshape(nf, npts))  # (1D for a single point)
    return _FacetSamples(facets, *sides)


def _jump_extremes(comm: MPI.Comm, samples: _FacetSamples) -> tuple[float, float]:
    """Min and max of T⁺ − T⁻ over all sampled points of all ranks."""
    jump = samples.jump
    lo, hi = (float(jump.min()), float(jump.max())) if jump.size else (math.inf, -math.inf)
    return float(comm.allreduce(lo, op=MPI.MIN)), float(comm.allreduce(hi, op=MPI.MAX))


def interface_summaries(p: SteadyProblem) -> list[InterfaceSummary]:
    """Area, jump, heat flow (two ways) and effective conductance of every interface."""
    mesh = p.tagged.mesh
    comm = mesh.comm
    x = ufl.SpatialCoordinate(mesh)
    two_pi = 2 * math.pi if p.axisymmetric else 1.0
    out = []
    for d in p.interface_data:
        dS = ufl.Measure("dS", domain=mesh, subdomain_data=[(0, d.entities.ravel())])
        w = x[0]("+") if p.axisymmetric else fem.Constant(mesh, 1.0)("+")
        Tp = p.T[d.plus_colour]("+")
        Tm = p.T[d.minus_colour]("-")
        n = ufl.FacetNormal(mesh)("+")
        emaps = p.entity_maps
        area = two_pi * _scalar(w * dS(0), emaps, comm)
        jint = two_pi * _scalar((Tp - Tm) * w * dS(0), emaps, comm)
        qp = two_pi * _scalar(
            -p.k("+") * ufl.dot(ufl.grad(p.T[d.plus_colour])("+"), n) * w * dS(0), emaps, comm
        )
        qm = two_pi * _scalar(
            -p.k("-") * ufl.dot(ufl.grad(p.T[d.minus_colour])("-"), n) * w * dS(0), emaps, comm
        )
        if d.perfect:
            qh, h_eff = 0.5 * (qp + qm), math.nan
        else:
            qh = two_pi * _scalar(d.h_expr * (Tp - Tm) * w * dS(0), emaps, comm)
            h_eff = qh / jint if jint != 0 else math.inf
        samples = _facet_samples(p, d)
        lo, hi = _jump_extremes(comm, samples)
        mech = _mechanisms(p, d, samples) if hasattr(d.spec.law, "breakdown") else {}
        out.append(
            InterfaceSummary(
                d.spec.label,
                p.region_names[d.plus_region],
                p.region_names[d.minus_region],
                area,
                jint / area if area > 0 else math.nan,
                lo,
                hi,
                qh,
                qp,
                qm,
                h_eff,
                mech,
            )
        )
    return out


def _facet_measure(p: SteadyProblem, facets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Midpoints (n, 3) and areas (n,) of facets, m and m² (axisymmetric: 2π r_mid L)."""
    mesh = p.tagged.mesh
    tdim = mesh.topology.dim
    nodes = dolfinx.mesh.entities_to_geometry(mesh, tdim - 1, facets, False)
    X = mesh.geometry.x[nodes]
    mids = dolfinx.mesh.compute_midpoints(mesh, tdim - 1, facets)
    if tdim == 2:
        area = np.linalg.norm(X[:, 1] - X[:, 0], axis=1)
    elif X.shape[1] == 3:
        area = 0.5 * np.linalg.norm(np.cross(X[:, 1] - X[:, 0], X[:, 2] - X[:, 0]), axis=1)
    else:  # quadrilateral facet, vertices in tensor-product order
        area = 0.5 * np.linalg.norm(np.cross(X[:, 1] - X[:, 0], X[:, 2] - X[:, 0]), axis=1)
        area += 0.5 * np.linalg.norm(np.cross(X[:, 1] - X[:, 3], X[:, 2] - X[:, 3]), axis=1)
    if p.axisymmetric:
        area = area * 2 * math.pi * mids[:, 0]
    return mids, area


def _mechanisms(p: SteadyProblem, d: InterfaceData, samples: _FacetSamples) -> dict[str, Any]:
    """Per-mechanism conductances, resistances and heat flows of a law with ``breakdown``
    (facet-midpoint rule, area-weighted over all ranks).

    A mechanism whose resistance is zero on the whole interface (e.g. the contact part of
    a bonded, Kapitza-only interface: ``1/h_contact = 0``) has ``h_<name>_W_m2K = inf``,
    ``R_<name>_m2K_W = 0`` and is listed in ``no_resistance``.
    """
    comm = p.tagged.mesh.comm
    _, area = _facet_measure(p, samples.facets)
    Tp, Tm = samples.T_plus[:, -1], samples.T_minus[:, -1]
    jump = Tp - Tm
    parts = d.spec.law.breakdown(Tp, Tm) if samples.facets.size else {}
    A = comm.allreduce(float(area.sum()))
    # union over ranks (a rank without facets of this interface has no parts)
    keys = sorted(set().union(*comm.allreduce([sorted(parts)], op=MPI.SUM)))

    def field(k: str) -> np.ndarray:
        return np.broadcast_to(np.asarray(parts.get(k, 0.0), float), jump.shape)

    def area_mean(val: np.ndarray) -> float:
        """Area-weighted mean; inf (-inf) if the value is infinite on any facet."""
        finite = np.isfinite(val)
        s = comm.allreduce(float(np.sum(np.where(finite, val, 0.0) * area)))
        pos = comm.allreduce(int(np.sum(val == np.inf)))
        neg = comm.allreduce(int(np.sum(val == -np.inf)))
        if pos or neg:
            return math.nan if (pos and neg) else (math.inf if pos else -math.inf)
        return s / A

    # fraction of the jump across the Kapitza part (absent: the whole jump is contact)
    kshare = field("kapitza_share") if "kapitza_share" in keys else np.zeros(jump.shape)
    out: dict[str, Any] = {}
    no_resistance: list[str] = []
    for k in keys:
        val = field(k)
        if k == "kapitza_share":
            out[k] = area_mean(val)
        elif k.startswith("R_"):
            out[f"{k}_m2K_W"] = area_mean(val)
        else:
            name = k.removeprefix("contact_")
            h = area_mean(val)
            out[f"h_{name}_W_m2K"] = h
            if h == math.inf and comm.allreduce(int(np.sum(val != np.inf))) == 0:
                no_resistance.append(name)
            if k in ("solid", "gas", "radiation") or k.startswith("contact_"):
                # parallel contact paths share the contact part of the jump
                finite = np.where(np.isfinite(val), val, 0.0)
                out[f"heat_flow_{name}_W"] = comm.allreduce(
                    float(np.sum(finite * jump * (1.0 - kshare) * area))
                )
    if no_resistance:
        out["no_resistance"] = no_resistance
    return out


def energy_balance(p: SteadyProblem) -> EnergyBalance:
    """Sources and boundary inflows; fixed-temperature flows from the residual."""
    mesh = p.tagged.mesh
    comm = mesh.comm
    x = ufl.SpatialCoordinate(mesh)
    w = x[0] if p.axisymmetric else 1.0
    two_pi = 2 * math.pi if p.axisymmetric else 1.0
    emaps = p.entity_maps
    sources = 0.0
    for c in range(p.num_colours):
        sources += _scalar(p.f * w * p.dx(c), [], comm) if p._has_const_source else 0.0
    for sid, _, val in p._source_terms:
        sources += _scalar(val * w * p.dx(sid), [], comm)
    sources *= two_pi
    inflow: dict[str, float] = {}

    def label(bc) -> str:
        key = f"{type(bc).__name__}:{bc.facets}"
        return key if key not in inflow else f"{key}#{len(inflow)}"

    flux_terms: dict[int, float] = {}
    for sid, c, bc in p._ds_terms:
        if isinstance(bc, HeatFlux):
            val = bc.value(x) if callable(bc.value) else bc.value
            q = _scalar(val * w * p.ds(sid), [], comm)
        else:
            h = bc.h(x) if callable(bc.h) else bc.h
            Tinf = bc.T_inf(x) if callable(bc.T_inf) else bc.T_inf
            q = _scalar(h * (Tinf - p.T[c]) * w * p.ds(sid), emaps, comm)
        flux_terms[id(bc)] = flux_terms.get(id(bc), 0.0) + two_pi * q
    for bc in p.boundary_conditions:
        if isinstance(bc, (HeatFlux, Convection)):
            inflow[label(bc)] = flux_terms.get(id(bc), 0.0)
    # fixed temperature: consistent reaction = residual of the unconstrained system
    if p.bcs:
        v = ufl.TestFunctions(p.W)
        # the facet-wise interface terms (if the system has them) are added as K·T: a
        # dS form would make DOLFINx compute every submesh's entity permutations
        op = getattr(p.system, "extra", None)
        R = fem.form(
            ufl.extract_blocks(p.residual(p.T, v, h_field_terms=op is None)), entity_maps=emaps
        )
        KT = op.apply([T.x.array for T in p.T]) if op is not None else None
        res = []
        for c, Rc in enumerate(R):
            if Rc is None and KT is None:
                res.append(None)
                continue
            if Rc is None:
                vec = la.vector(p.spaces[c].space.dofmap.index_map)
            else:
                vec = fem.assemble_vector(Rc)
            if KT is not None:
                vec.array[:] += KT[c]
            vec.scatter_reverse(la.InsertMode.add)
            res.append(vec.array)
        bc_iter = iter(p.bcs)
        counted: list[set[int]] = [set() for _ in range(p.num_colours)]
        for bc_spec, _facets, colours in p._dirichlet_groups:
            total = 0.0
            for c in colours:
                bc = next(bc_iter)
                dofs, first_ghost = bc.dof_indices()
                owned = [int(i) for i in dofs[:first_ghost] if int(i) not in counted[c]]
                counted[c].update(owned)
                if res[c] is not None:
                    total += float(np.sum(res[c][owned]))
            inflow[label(bc_spec)] = two_pi * comm.allreduce(total, op=MPI.SUM)
    total = sources + sum(inflow.values())
    scale = max(abs(sources) + sum(abs(q) for q in inflow.values()), 1e-300)
    return EnergyBalance(sources, inflow, total, abs(total) / scale)


def boundary_mean_temperature(p: SteadyProblem, group: str | int) -> float:
    """Area-weighted mean temperature (K) over an outer facet group."""
    from dolfinx.fem import IntegralType

    from fe_interface.domains import facet_cells

    mesh = p.tagged.mesh
    tdim = mesh.topology.dim
    tag = p.tagged.facet_tag(group)
    ft = p.tagged.facet_tags
    facets = ft.indices[ft.values == tag]
    facets = facets[facets < mesh.topology.index_map(tdim - 1).size_local]
    n, cells = facet_cells(mesh, facets)
    if mesh.comm.allreduce(int(np.sum(n > 1))):
        raise ValueError(f"facet group {group!r} is not on the outer boundary")
    x = ufl.SpatialCoordinate(mesh)
    w = x[0] if p.axisymmetric else 1.0
    data = [
        (
            c,
            fem.compute_integration_domains(
                IntegralType.exterior_facet, mesh.topology, facets[p.cell_colour[cells[0]] == c]
            ),
        )
        for c in range(p.num_colours)
    ]
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=data)
    one = fem.Constant(mesh, 1.0)
    area = sum(_scalar(one * w * ds(c), [], mesh.comm) for c in range(p.num_colours))
    tint = sum(_scalar(p.T[c] * w * ds(c), p.entity_maps, mesh.comm) for c in range(p.num_colours))
    return tint / area
