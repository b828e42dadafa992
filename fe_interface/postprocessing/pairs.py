"""The table rows of non-matching interface pairs, and their conservation.

One :class:`~fe_interface.postprocessing.interfaces.InterfaceSummary` per pair, from the
points the pair was solved with (:class:`~fe_interface.discretisation.pairs.PairCoupling`):
surface A is the ⁺ side, the jump is T_A − T_B∘π, the heat flow is positive from A to B.

Conservation is measured on the *assembled* residual: the pair's term, summed to the
owners of its rows (over processes), over the dofs of A is the heat leaving A
(``heat_flow_leaving_A_W``), over those of B minus the heat entering B
(``heat_flow_entering_B_W``); ``conservation_relative`` = |Q_A − Q_B| / max(|Q_A|, |Q_B|,
∫|q| dA) (the gross heat through the pair: a pair whose heat flows both ways and
cancels has Q = 0).
Nitsche's term moves the same heat out of one body and into the other at every point, so
it is round-off.

Units: m², K, W, W/(m² K), m.
"""

from __future__ import annotations

import math
from typing import Any

from mpi4py import MPI

import numpy as np
from dolfinx import la

from fe_interface.discretisation.pairs import PairCoupling

__all__ = ["conservation", "facet_values", "pair_summary"]


def _region_names(f: Any, regions: set[int]) -> str:
    return "+".join(f.model.region_names[r] for r in sorted(regions))


def conservation(f: Any, pc: PairCoupling, u: np.ndarray) -> tuple[float, float]:
    """(heat leaving A, heat entering B) from the assembled term (W; collective, no 2π)."""
    imap = f.space.dofmap.index_map
    n = imap.size_local + imap.num_ghosts
    p = pc.p
    nd = p["dofs"].shape[1] // 2
    a_self = p["sign"] > 0  # points where A integrates: A's dofs are the "self" ones
    marks = []
    for on_a in (a_self, ~a_self):  # A's rows, then B's
        v = la.vector(imap, dtype=np.float64)
        rows = np.concatenate([p["dofs"][on_a, :nd].ravel(), p["dofs"][~on_a, nd:].ravel()])
        v.array[np.unique(rows)] = 1.0
        v.scatter_reverse(la.InsertMode.add)
        marks.append(v.array[: imap.size_local] > 0)
    y = la.vector(imap, dtype=np.float64)
    y.array[:] = pc.apply(u, np.zeros(n))
    y.scatter_reverse(la.InsertMode.add)
    owned = y.array[: imap.size_local]
    local = np.array([owned[marks[0]].sum(), -owned[marks[1]].sum()])
    qa, qb = f.comm.allreduce(local, op=MPI.SUM)
    return float(qa), float(qb)


def _sums(pc: PairCoupling, u: np.ndarray) -> dict[str, np.ndarray]:
    """Local sums and extremes over the pair's points."""
    p = pc.p
    nd = p["dofs"].shape[1] // 2
    Ts, To, _ = pc.side_values(u)
    a, _ = pc.point_terms(u)
    onA = p["sign"] > 0
    jump = np.where(onA, Ts - To, To - Ts)  # T_A - T_B
    area = p["area"]
    ul = u[p["dofs"]]
    flux_self = np.einsum("ni,ni->n", p["grad_flux"][:, 0], ul[:, :nd])
    flux_other = np.einsum("ni,ni->n", p["grad_flux"][:, 1], ul[:, nd:])
    h = pc.conductance_at(Ts, To)
    gap = np.linalg.norm(p["y"] - p["x"], axis=1)
    aA = area[onA]
    hA = np.where(np.isinf(h[onA]), 0.0, h[onA])
    sums = np.array(
        [
            float(np.sum(a * p["sign"])),
            aA.sum(),
            area[~onA].sum(),
            float(np.sum(aA * jump[onA])),
            float(np.sum(aA * flux_self[onA])),
            float(np.sum(aA * flux_other[onA])),
            float(np.sum(aA * hA)),
            float(np.sum(aA * gap[onA])),
            float(np.isinf(h).sum()),
            float(np.sum(np.abs(a))),
        ]
    )
    return {"sums": sums, "jump": jump}


def pair_summary(f: Any, pc: PairCoupling, u: np.ndarray, extremes: bool = True) -> tuple:
    """The fields of the :class:`InterfaceSummary` of a pair for local values u (collective).

    ``mechanisms`` holds: ``h_mean_W_m2K`` (area mean of h on A; inf: tied),
    ``heat_flow_leaving_A_W``, ``heat_flow_entering_B_W`` (from the assembled term),
    ``conservation_relative``, ``matched_area_A_m2`` and ``matched_area_B_m2`` (the area
    coupled from each surface; B's only with symmetric integration), ``mean_gap_m``
    (area mean of |π(x) − x| on A), ``non_facing_area_A_m2`` (A's area within the search
    distance whose image's normal is not opposed: not coupled), ``projection`` and
    ``integration``.
    """
    comm = f.comm
    two_pi = f.two_pi
    d = _sums(pc, u)
    tot = comm.allreduce(d["sums"], op=MPI.SUM)
    Q, areaA, areaB, jint, qp, qm, hint, gint, ninf, gross = tot
    jump = d["jump"]
    lo = hi = math.nan
    mech: dict[str, Any] = {}
    if extremes:
        lo = comm.allreduce(float(jump.min()) if jump.size else math.inf, op=MPI.MIN)
        hi = comm.allreduce(float(jump.max()) if jump.size else -math.inf, op=MPI.MAX)
        qa, qb = conservation(f, pc, u)
        qa, qb = two_pi * qa, two_pi * qb
        scale = max(abs(qa), abs(qb), two_pi * gross)  # ∫|q| dA: also when Q = 0
        symmetric = pc.pair.spec.integration == "symmetric"
        mech = {
            "h_mean_W_m2K": math.inf if ninf else (float(hint / areaA) if areaA > 0 else math.nan),
            "heat_flow_leaving_A_W": qa,
            "heat_flow_entering_B_W": qb,
            "conservation_relative": abs(qa - qb) / scale if scale > 0 else 0.0,
            "matched_area_A_m2": float(two_pi * areaA),
            "matched_area_B_m2": float(two_pi * areaB) if symmetric else math.nan,
            "mean_gap_m": float(gint / areaA) if areaA > 0 else math.nan,
            # within the search distance but not facing the other surface: not coupled
            "non_facing_area_A_m2": float(two_pi * comm.allreduce(pc.non_facing[0], op=MPI.SUM)),
            "projection": pc.pair.spec.projection,
            "integration": pc.pair.spec.integration,
        }
    mean = jint / areaA if areaA > 0 else math.nan
    regions = pc.pair.regions
    return (
        pc.label,
        _region_names(f, regions[0]),
        _region_names(f, regions[1]),
        float(two_pi * areaA),
        float(mean),
        lo,
        hi,
        float(two_pi * Q),
        float(two_pi * qp),
        float(two_pi * qm),
        float(Q / jint) if jint != 0 else math.inf,
        mech,
        float(two_pi * gross),
    )


def facet_values(f: Any, u: np.ndarray, cells: np.ndarray, lf: np.ndarray) -> np.ndarray:
    """Per outer facet (cell, local facet): the pairs' jump and heat flux, for output.

    Column 0: the area mean of T_A − T_B∘π over the points of the facet (K); column 1:
    the heat flux leaving the facet's body through the pair (W/m²).  NaN on facets
    without points (not a pair surface, or B's facets with one-sided integration).
    """
    out = np.full((len(cells), 2), np.nan)
    if not len(cells):
        return out
    nf = int(np.max(lf, initial=0)) + 1
    key = cells.astype(np.int64) * nf + lf
    order = np.argsort(key)
    for pc in f.pairs:
        p = pc.p
        if pc.empty:
            continue
        Ts, To, _ = pc.side_values(u)
        a, _ = pc.point_terms(u)
        jump = np.where(p["sign"] > 0, Ts - To, To - Ts)
        pk = p["cell"] * nf + p["lf"]
        pos = np.searchsorted(key[order], pk)
        pos = np.minimum(pos, len(key) - 1)
        hit = key[order][pos] == pk
        row = order[pos[hit]]
        area = np.bincount(row, weights=p["area"][hit], minlength=len(cells))
        j = np.bincount(row, weights=(p["area"] * jump)[hit], minlength=len(cells))
        q = np.bincount(row, weights=(a / pc.factor)[hit], minlength=len(cells))
        got = area > 0
        out[got, 0] = j[got] / area[got]
        out[got, 1] = q[got] / area[got]
    return out
