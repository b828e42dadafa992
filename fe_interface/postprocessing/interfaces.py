"""Per-interface tables of a temperature field.

For each interface: area, the mean, minimum and maximum jump T⁺ − T⁻, the heat flow
∫ h [T] dA (the same discrete operator that was solved), the heat flow from each side's
bulk gradient, the effective conductance and, for laws with a ``breakdown``, the split
into mechanisms.  Everything is integrated with facet quadrature in NumPy
(:mod:`fe_interface.discretisation.facets`), no ``dS`` form.

Units: areas m² (axisymmetric: the full 2π revolution), jumps K, heat flows W (⁺ → ⁻
positive), conductances W/(m² K).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np
from dolfinx import fem

from fe_interface.discretisation.bulk import NormalFlux
from fe_interface.discretisation.coupling import facet_sides
from fe_interface.discretisation.facets import FacetQuadrature
from fe_interface.discretisation.formulation import Formulation
from fe_interface.discretisation.terms import InterfaceTerm
from fe_interface.model.model import ResolvedInterface

__all__ = [
    "BULK_FLOW_RTOL",
    "InterfaceSummary",
    "InterfaceTable",
    "bulk_flow_warnings",
    "check_laws",
    "interface_table",
    "law_range_warnings",
    "warn_law_ranges",
]


class InterfaceSummary(NamedTuple):
    """One interface (⁺ → ⁻ is the positive direction).

    Attributes:
        name: interface label.
        plus, minus: region names on the ⁺ and ⁻ sides.
        area_m2: interface area, m² (full revolution for axisymmetric models).
        mean_jump_K: area-weighted mean of T⁺ − T⁻, K.
        min_jump_K, max_jump_K: extremes of T⁺ − T⁻ over the facets' dofs and
            quadrature points, K.
        heat_flow_W: ∫ h (T⁺ − T⁻) dA, W (perfect contact: the mean of the two bulk
            values).
        heat_flow_bulk_plus_W: ∫ −(K⁺ ∇T⁺)·n dA from the ⁺ side's gradient, W, with
            the local conductivity (k(T⁺) at each point, or the tensor K⁺).
        heat_flow_bulk_minus_W: ∫ −(K⁻ ∇T⁻)·n dA from the ⁻ side's gradient, W.
        conductance_W_m2K: effective h = heat_flow / (area · mean jump), W/(m² K); NaN
            for perfect contact.
        mechanisms: for laws with ``breakdown`` (contact + Kapitza), area means over
            the quadrature points: the mean h of each mechanism (``h_<name>_W_m2K``),
            for the series law the mean resistances (``R_contact_m2K_W``,
            ``R_kapitza_m2K_W``, ``R_total_m2K_W``) and the Kapitza share of the jump
            (``kapitza_share`` = R_K/R_total), and the heat flow through each parallel
            contact path (``heat_flow_<name>_W``: solid spots, gas, radiation).  A
            mechanism without resistance -- the contact part of a bonded (Kapitza-only)
            interface, or the Kapitza part of a contact-only one -- has ``h = inf``,
            ``R = 0`` and is named in ``no_resistance``.
        heat_flow_gross_W: ∫ |q| dA, W: the heat crossing the interface in either
            direction (of the law's flux for pairs, of the ⁺ side's bulk flux for the
            interfaces of one mesh); the scale of the bulk-vs-interface check, which a net
            flow near zero (heat in at one place, out at another) cannot be.
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
    heat_flow_gross_W: float = math.nan


class _Points(NamedTuple):
    """Quadrature points of this process's facets of one interface (concatenated)."""

    weight: np.ndarray  # w dA (no 2π)
    T_plus: np.ndarray
    T_minus: np.ndarray
    flux_plus: np.ndarray  # −k⁺ ∇T⁺·n⁺ (W/m², ⁺ → ⁻)
    nodal_jump: np.ndarray


class _Side(NamedTuple):
    """Cached quadrature data of one group of facets of one side."""

    phi: np.ndarray  # (nq, closure dofs)
    plus: np.ndarray  # ⁺ copies of the closure dofs (nf, n)
    minus: np.ndarray  # ⁻ copies, aligned
    cell_dofs: np.ndarray  # this side's cells' dofs (nf, dofs per cell)
    grad: np.ndarray  # reference basis gradients pushed forward (nf, nq, gdim, dofs)
    normal: np.ndarray  # (nf, nq, gdim)
    flux: NormalFlux  # −(K ∇T)·n with this side's local conductivity k(T) or tensor
    weight: np.ndarray  # (nf, nq)
    closure: np.ndarray  # positions of the facet's dofs in the cell's dof list


def _degree(f: Formulation) -> int:
    tensor = f.mesh.topology.cell_type.name in ("quadrilateral", "hexahedron")
    return 2 * f.degree + int(f.axisymmetric) + (2 if tensor else 0)


class InterfaceTable:
    """The quadrature data of every interface, computed once.

    :meth:`compute` gives the table of any temperature field on the formulation's space
    (collective).

    Args:
        f: the formulation.
    """

    def __init__(self, f: Formulation) -> None:
        self.f = f
        self._rate_forms: dict[tuple[str, int], fem.Form] = {}
        self.sides: list[tuple[list[_Side], list[_Side]]] = []
        for d in f.model.interfaces:
            self.sides.append((self._side(d, 0), self._side(d, 2)))

    def _side(self, d: ResolvedInterface, col: int) -> list[_Side]:
        f = self.f
        V = f.space
        e = d.entities
        q = FacetQuadrature(
            f.mesh, V.ufl_element(), V.dofmap.dof_layout, e[:, col], e[:, col + 1],
            _degree(f), f.axisymmetric,
        )  # fmt: skip
        out = []
        for g in q.groups:
            if col == 0:
                plus, minus = facet_sides(f.broken, e, g)
            else:
                plus = minus = np.empty((len(g.rows), 0), np.int32)
            grad = np.einsum("fqdg,dqi->fqgi", g.K, g.dphi)
            cells = e[g.rows, col]
            out.append(
                _Side(
                    g.phi[:, g.closure], plus, minus, V.dofmap.list[cells], grad, g.normal,
                    NormalFlux(f, cells), g.weight, g.closure,
                )
            )  # fmt: skip
        return out

    def _points(self, i: int, u: np.ndarray) -> tuple[_Points, float]:
        """Values at the ⁺ side's points, and ∫ −k⁻ ∇T⁻·n⁺ w dA from the ⁻ side."""
        plus_side, minus_side = self.sides[i]
        parts: list[list[np.ndarray]] = [[] for _ in range(5)]
        for s in plus_side:
            Tp = np.einsum("qi,fi->fq", s.phi, u[s.plus])
            Tm = np.einsum("qi,fi->fq", s.phi, u[s.minus])
            g = np.einsum("fqgi,fi->fqg", s.grad, u[s.cell_dofs])
            flux = s.flux(g, s.normal, Tp)
            for lst, val in zip(
                parts, (s.weight, Tp, Tm, flux, u[s.plus] - u[s.minus]), strict=True
            ):
                lst.append(val.ravel())
        pts = _Points(*(np.concatenate(x) if x else np.empty(0) for x in parts))
        minus_flow = 0.0
        for s in minus_side:  # n⁻ = −n⁺:  −(K⁻ ∇T⁻)·n⁺ = (K⁻ ∇T⁻)·n⁻
            g = np.einsum("fqgi,fi->fqg", s.grad, u[s.cell_dofs])
            Ts = (
                None
                if s.flux.simple
                else np.einsum("qi,fi->fq", s.phi, u[s.cell_dofs[:, s.closure]])
            )
            flux = -s.flux(g, s.normal, Ts)
            minus_flow += float(np.sum(flux * s.weight))
        return pts, minus_flow

    def _heat_flow(self, d: ResolvedInterface, T: Any) -> float:
        """∫ h [T] w dA (no 2π) of this process's facets, as the solve integrates it.

        Facet-wise laws: the coupling's own quadrature.  Temperature-dependent laws: the
        residual term itself with the test function replaced by χ⁺ (1 on the ⁺ side's
        copies), so its quadrature degree is the solve's (a table-of-points rule of its own
        was 3e-5 off the conserved flow for grey radiation on P1 triangles).
        """
        f = self.f
        if d.kind == "temperature":
            return float(fem.assemble_scalar(self._rate_form(d, T)))
        assert f.coupling is not None
        return f.coupling.heat_flows(T.x.array, [f.coupled_rows[d.label]])[0]

    def _rate_form(self, d: ResolvedInterface, T: Any) -> fem.Form:
        """The compiled ∫ h(T⁺, T⁻) [T] χ⁺ w dS of a temperature-dependent interface."""
        key = (d.label, id(T))
        form = self._rate_forms.get(key)
        if form is None:
            f = self.f
            chi = fem.Function(f.space)
            chi.x.array[:] = f.broken.colour == f.colouring.colour_of_region[d.plus]
            term = InterfaceTerm(
                d.label, d.spec.law.conductance, f.w, f.interface_measure(d.entities)
            )
            form = fem.form(term.residual(T, chi))
            self._rate_forms[key] = form
        return form

    def flows_and_jumps(self, T: Any = None) -> list[tuple[float, float]]:
        """(heat flow W, mean jump K) of every interface (collective).

        The per-step columns of a transient run.
        """
        return [(s.heat_flow_W, s.mean_jump_K) for s in self.compute(T, extremes=False)]

    def compute(self, T: Any = None, extremes: bool = True) -> list[InterfaceSummary]:
        """The :class:`InterfaceSummary` of every interface for the field ``T`` (default ``f.T``).

        Collective, the same on every rank (``extremes=False`` skips the min/max and the
        mechanisms: NaN and {}).
        """
        f = self.f
        T = f.T if T is None else T
        u = T.x.array
        comm = f.comm
        out = []
        for i, d in enumerate(f.model.interfaces):
            pts, qm_local = self._points(i, u)
            jump = pts.T_plus - pts.T_minus
            qh_local = 0.0 if d.perfect else self._heat_flow(d, T)
            local = np.array(
                [
                    pts.weight.sum(),
                    np.sum(jump * pts.weight),
                    np.sum(pts.flux_plus * pts.weight),
                    qm_local,
                    qh_local,
                    np.sum(np.abs(pts.flux_plus) * pts.weight),
                ]
            )
            area, jint, qp, qm, qh, gross = f.two_pi * comm.allreduce(local, op=MPI.SUM)
            lo = hi = math.nan
            mech: dict[str, Any] = {}
            if extremes:
                allj = np.concatenate([jump, pts.nodal_jump])
                lo = comm.allreduce(float(allj.min()) if allj.size else math.inf, op=MPI.MIN)
                hi = comm.allreduce(float(allj.max()) if allj.size else -math.inf, op=MPI.MAX)
                if hasattr(d.spec.law, "breakdown"):
                    mech = _mechanisms(f, d, pts)
            if d.perfect:
                qh, h_eff = 0.5 * (qp + qm), math.nan
            else:
                h_eff = qh / jint if jint != 0 else math.inf
            out.append(
                InterfaceSummary(
                    d.label,
                    f.model.region_names[d.plus],
                    f.model.region_names[d.minus],
                    float(area),
                    float(jint / area) if area > 0 else math.nan,
                    lo,
                    hi,
                    float(qh),
                    float(qp),
                    float(qm),
                    float(h_eff),
                    mech,
                    float(gross),
                )
            )
        if getattr(f, "pairs", None):  # non-matching pairs: rows of their own
            from fe_interface.postprocessing.pairs import pair_summary

            out += [InterfaceSummary(*pair_summary(f, pc, u, extremes)) for pc in f.pairs]
        return out


def check_laws(table: InterfaceTable, T: Any = None) -> None:
    """Check that every temperature-dependent law gives a finite h >= 0 for the field ``T``.

    At the quadrature points of the field ``T`` (default ``f.T``) where the temperatures are
    finite (collective).

    Raises:
        InputError: naming the interface, the law, h and the temperatures T⁺, T⁻.
    """
    from fe_interface.errors import InputError

    f = table.f
    u = (f.T if T is None else T).x.array
    msg = None
    for i, d in enumerate(f.model.interfaces):
        if d.kind != "temperature" or msg is not None:
            continue
        pts, _ = table._points(i, u)
        Tp, Tm = pts.T_plus, pts.T_minus
        ok_T = np.isfinite(Tp) & np.isfinite(Tm)
        if not ok_T.any():
            continue
        Tp, Tm = Tp[ok_T], Tm[ok_T]
        name = type(d.spec.law).__name__
        try:
            with np.errstate(all="ignore"):
                h = np.asarray(d.spec.law.conductance(Tp, Tm), dtype=float)
            h = np.broadcast_to(h, Tp.shape)
        except Exception as e:  # the law fails at these temperatures
            msg = (
                f"interface {d.label!r}: {name} failed at T+ in [{Tp.min():.6g}, {Tp.max():.6g}] K, "
                f"T- in [{Tm.min():.6g}, {Tm.max():.6g}] K: {type(e).__name__}: {e}"
            )
            continue
        bad = ~np.isfinite(h) | (h < 0)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            msg = (
                f"interface {d.label!r}: {name} gives h = {float(h[j])!r} W/(m^2 K) at "
                f"T+ = {float(Tp[j]):.6g} K, T- = {float(Tm[j]):.6g} K (h must be finite and "
                f">= 0; {int(bad.sum())} of {bad.size} points on this process)"
            )
    msgs = [m for m in f.comm.allgather(msg) if m]
    if msgs:
        raise InputError(msgs[0])
    for pc in getattr(f, "pairs", ()):  # non-matching pairs with h(T)
        if pc.nonlinear:
            pc.check(u)


def law_range_warnings(table: InterfaceTable, T: Any = None) -> list[str]:
    """Messages for the laws whose data the interface temperatures leave (collective).

    A law with a ``temperature_range`` (K; a conductance table's temperature axis) is
    read at the mean (T⁺ + T⁻)/2 of the field ``T`` (default ``f.T``) at the quadrature
    points of its interface; beyond the range the end values are held, like a pressure
    outside the table or k(T) outside its source's range, which warn too.
    """
    f = table.f
    u = (f.T if T is None else T).x.array
    msgs = []
    for i, d in enumerate(f.model.interfaces):
        rng = getattr(d.spec.law, "temperature_range", None)
        if rng is None:
            continue
        pts, _ = table._points(i, u)
        Tm = 0.5 * (pts.T_plus + pts.T_minus)
        Tm = Tm[np.isfinite(Tm)]
        lo = f.comm.allreduce(float(Tm.min(initial=np.inf)), op=MPI.MIN)
        hi = f.comm.allreduce(float(Tm.max(initial=-np.inf)), op=MPI.MAX)
        if not math.isfinite(lo) or (lo >= rng[0] * (1 - 1e-9) and hi <= rng[1] * (1 + 1e-9)):
            continue
        msgs.append(
            f"interface {d.label!r}: {type(d.spec.law).__name__} is read at mean interface "
            f"temperatures {lo:.4g}..{hi:.4g} K, outside its temperature range "
            f"{rng[0]:g}..{rng[1]:g} K: the end values are held there"
        )
    return msgs


def warn_law_ranges(table: InterfaceTable, T: Any = None) -> None:
    """Warn (:class:`PropertyRangeWarning`) for every message of :func:`law_range_warnings`."""
    from fe_interface.model.properties import PropertyRangeWarning

    for msg in law_range_warnings(table, T):
        warnings.warn(msg, PropertyRangeWarning, stacklevel=3)


#: relative disagreement between a side's bulk heat flow and the interface heat flow above
#: which :func:`bulk_flow_warnings` warns.  A P1 cell's gradient is the flux at its middle:
#: next to a uniform source it misses half a cell's heat, 1/(2n) of the flow with n cells
#: across the region (12.5 % at n = 4); beyond 15 % the cells do not resolve the field.
BULK_FLOW_RTOL = 0.15
#: ... measured against at least this share of the model's gross heat rate (an interface
#: that carries almost nothing is not flagged for noise in its bulk gradients)
BULK_FLOW_SHARE = 0.05


def bulk_flow_warnings(rows: list[InterfaceSummary], scale_W: float) -> list[str]:
    """Interfaces whose bulk heat flows disagree with their interface heat flow.

    ``heat_flow_W`` (∫ h [T] dA) is what the solve conserves; the bulk values come from the
    gradient of the cells next to the interface.  When they differ by more than
    :data:`BULK_FLOW_RTOL` of max(|Q_h|, :data:`BULK_FLOW_SHARE` · ``scale_W``, the gross
    flow ∫ |q| dA of :class:`InterfaceSummary`) the cells
    there do not resolve the field: a 50 µm TIM one P1 cell thick reported 16.9 W from its
    gradient beside 30 W through the interface (30.02 W with P2).  Interfaces between the
    same two regions are compared together (the spots and the gap of a rough contact
    split one plane, and the constriction at a spot's edge feeds the gap's cells).  Steady
    fields only (in a transient one the bulk values include heat being stored); perfect
    contacts are skipped.  ``scale_W``: the model's gross heat rate, or its round-off
    resolution if larger (the ``scale_W`` of
    :class:`~fe_interface.postprocessing.balance.EnergyBalance`).
    """
    groups: dict[tuple[str, str], list[InterfaceSummary]] = {}
    for s in rows:
        if not math.isnan(s.conductance_W_m2K):  # perfect contact: Q_h is the bulk mean
            groups.setdefault((s.plus, s.minus), []).append(s)
    out = []
    for (plus, minus), members in groups.items():
        qh = sum(s.heat_flow_W for s in members)
        sides = (
            ("+", plus, sum(s.heat_flow_bulk_plus_W for s in members)),
            ("-", minus, sum(s.heat_flow_bulk_minus_W for s in members)),
        )
        sign, region, q = max(sides, key=lambda side: abs(side[2] - qh))
        gross = sum(s.heat_flow_gross_W for s in members)  # NaN: not known
        ref = max(abs(qh), BULK_FLOW_SHARE * abs(scale_W), 0.0 if math.isnan(gross) else gross)
        diff = abs(q - qh)
        if not ref > 0 or not diff > BULK_FLOW_RTOL * ref:
            continue
        names = ", ".join(repr(s.name) for s in members)
        out.append(
            f"interface{'s' if len(members) > 1 else ''} {names}: the heat flow from the bulk "
            f"gradient on the {sign} side (region {region!r}) is {q:.4g} W, the interface "
            f"heat flow ∫ h [T] dA is {qh:.4g} W ({diff / ref:.0%} apart): the cells next to "
            "the interface do not resolve the temperature gradient there (a layer one cell "
            "thick, or a heat source in those cells?); refine the mesh there or use degree = 2"
        )
    return out


def interface_table(f: Formulation, T: Any = None) -> list[InterfaceSummary]:
    """The :class:`InterfaceSummary` of every interface of ``f`` for the field ``T``.

    ``T`` defaults to ``f.T``; collective, the same on every rank.
    """
    return InterfaceTable(f).compute(T)


def _mechanisms(f: Formulation, d: ResolvedInterface, pts: _Points) -> dict[str, Any]:
    """Per-mechanism conductances, resistances and heat flows of a law with ``breakdown``.

    Area means over the quadrature points of all ranks.
    """
    comm = f.comm
    area = pts.weight * f.two_pi
    Tp, Tm = pts.T_plus, pts.T_minus
    jump = Tp - Tm
    parts = d.spec.law.breakdown(Tp, Tm) if Tp.size else {}
    A = comm.allreduce(float(area.sum()))
    keys = sorted(set().union(*comm.allgather(set(parts))))

    def field(k: str) -> np.ndarray:
        return np.broadcast_to(np.asarray(parts.get(k, 0.0), float), jump.shape)

    def area_mean(val: np.ndarray) -> float:
        """Area-weighted mean; ±inf if the value is infinite anywhere."""
        finite = np.isfinite(val)
        s = comm.allreduce(float(np.sum(np.where(finite, val, 0.0) * area)))
        pos = comm.allreduce(int(np.sum(val == np.inf)))
        neg = comm.allreduce(int(np.sum(val == -np.inf)))
        if pos or neg:
            return math.nan if (pos and neg) else (math.inf if pos else -math.inf)
        return s / A

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
                finite = np.where(np.isfinite(val), val, 0.0)
                out[f"heat_flow_{name}_W"] = comm.allreduce(
                    float(np.sum(finite * jump * (1.0 - kshare) * area))
                )
    if no_resistance:
        out["no_resistance"] = no_resistance
    return out
