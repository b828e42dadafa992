"""Non-matching interface pairs: Nitsche coupling assembled point by point in NumPy.

On a pair (surfaces A and B of separately meshed bodies, :mod:`fe_interface.model.pairs`)
the heat flux from A to B is q = h (T_A − T_B∘π).  At each quadrature point x of an
integrating surface (:mod:`~fe_interface.discretisation.pair_search`: mortar segments,
so that both sides' shape functions are integrated exactly on flat facets), with n the
integrating side's outward normal, the jump [T] = T_self(x) − T_other(π(x)) and the
bulk flux estimate {q} = −(w_s k_s ∇T_self(x) + w_o k_o ∇T_other(π(x)))·n, the term is

    ∫ c₁ [T][v] + c₂ ({q(T)}[v] + [T]{q(v)}) + c₃ {q(T)}{q(v)} dA,
    c₁ = h/(1 + γh),  c₂ = γh/(1 + γh),  c₃ = −γ/(1 + γh),

Nitsche's method for a Robin (resistive) condition (Juntunen & Stenberg, Math. Comp.
78 (2009) 1353–1374), written for an interface: consistent for every h ≥ 0 (the exact
solution has {q} = q = h[T]), symmetric, and stable uniformly in h; as h → ∞ it becomes
Nitsche's method for continuity with penalty 1/γ, as h → 0 it vanishes.  The penalty
1/γ = β (p + 1)(p + d)/d / (ℓ_s/k_s + ℓ_o/k_o), with ℓ = |K|/|F| of each side's cell,
and the weights w_s = (ℓ_s/k_s)/(ℓ_s/k_s + ℓ_o/k_o), w_o = 1 − w_s take the flux from
the side that bounds it best (robust for conductivity contrasts).  Where a side's
conductivity is not a constant scalar (k(T), tensors) γ = 0: the plain conductance term
∫ h [T][v] dA (consistent for finite h).

Conservation: with v = 1 on one body ([v] = ±1, {q(v)} = 0) each point's term moves the
same heat W (c₁[T] + c₂{q}) out of one body and into the other: the heat leaving A
equals the heat entering B to round-off, whatever the mesh.  Symmetric integration adds
the two directions (A integrating, B integrating) with weight ½ each.

The matrix gets the couplings of each point's two cells; columns owned by other
processes are ghosts of the space (:meth:`BrokenSpace.with_ghosts`), so vectors,
sparsity and the reverse scatter handle them as DOLFINx does its own ghosts.  Laws whose
h depends on T are linearised exactly except for dh/dT, a central difference (relative
step 1e-6).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any, NamedTuple

from mpi4py import MPI
from petsc4py import PETSc

import numpy as np
import scipy.sparse as sp

from fe_interface.discretisation.pair_geometry import ReferenceCell, cofactor, determinant
from fe_interface.discretisation.pair_search import (
    PENETRATION,
    CellData,
    SearchResult,
    Surface,
    search_direction,
    search_distance,
    surface,
)
from fe_interface.discretisation.space import BrokenSpace
from fe_interface.errors import InputError
from fe_interface.model.model import ResolvedPair

__all__ = ["CouplingSet", "PairCoupling", "PairSearch", "static_conductance"]

#: points per block when element matrices are formed
_CHUNK = 8192


def _quadrature_degree(
    degree: int, tdim: int, tensor: bool, axisymmetric: bool, curved: bool
) -> tuple[int, int]:
    """Exact for the products of two sides' shape functions on flat segments.

    (total degree, degree per variable): Q_p × Q_p on a quadrilateral facet has total
    degree 2p(tdim − 1) but degree 2p in each variable.
    """
    extra = int(axisymmetric) + (2 if curved else 0)
    per = degree * (tdim - 1 if tensor and tdim > 1 else 1)
    return 2 * per + extra, 2 * degree + extra


class _Direction(NamedTuple):
    """One direction of a pair as found by the search (see :class:`PairSearch`)."""

    sign: int  # +1: A integrates, -1: B integrates
    S: Surface
    result: SearchResult


class PairSearch:
    """The search of every pair of a model, before the space is final (collective).

    Args:
        mesh: the mesh.
        broken: the broken space (without the pairs' ghosts).
        pairs: the resolved pairs.
        degree: Lagrange degree.
        axisymmetric: weight r = x[0].
        k_region: conductivity per region tag, NaN where not a constant scalar (W/(m K)).
        cell_region: region tag of every local cell.

    Attributes:
        found: per pair, its directions.
    """

    def __init__(
        self,
        mesh: Any,
        broken: BrokenSpace,
        pairs: Sequence[ResolvedPair],
        degree: int,
        axisymmetric: bool,
        k_region: dict[int, float],
        cell_region: np.ndarray,
    ) -> None:
        cmap = mesh.geometry.cmaps[0]
        self.ref = ReferenceCell(
            mesh.topology.cell_type.name, cmap.degree, cmap.variant, mesh.geometry.dim
        )
        self.mesh, self.broken, self.pairs = mesh, broken, list(pairs)
        self.degree, self.axisymmetric = degree, axisymmetric
        self.k_region, self.cell_region = k_region, cell_region
        tensor = mesh.topology.cell_type.name in ("quadrilateral", "hexahedron")
        self.qdeg = _quadrature_degree(
            degree, mesh.topology.dim, tensor, axisymmetric, cmap.degree > 1
        )
        t0 = time.perf_counter()
        self.found: list[list[_Direction]] = [self._search(p) for p in self.pairs]
        #: wall time of the search, s
        self.seconds = time.perf_counter() - t0

    def _cell_data(self, cells: np.ndarray, coords: np.ndarray, lf: np.ndarray) -> CellData:
        imap = self.broken.index_map
        local = self.broken.cell_dofs(cells)
        glob = np.asarray(imap.local_to_global(local.ravel().astype(np.int32)), np.int64)
        owners = np.full(local.size, self.mesh.comm.rank, dtype=np.int32)
        ghost = local.ravel() >= imap.size_local
        owners[ghost] = np.asarray(imap.owners)[local.ravel()[ghost] - imap.size_local]
        regions = self.cell_region[cells]
        k = np.array([self.k_region.get(int(r), math.nan) for r in regions])
        return CellData(
            coords, lf, glob.reshape(local.shape), owners.reshape(local.shape), k,
            self.ref.cell_size(coords, lf), regions.astype(np.int64),
        )  # fmt: skip

    def _search(self, pair: ResolvedPair) -> list[_Direction]:
        mesh = self.mesh
        A, B = (surface(mesh, self.ref, f) for f in pair.facets)
        distance = search_distance(self.ref, (A, B), pair.spec.search_distance, mesh.comm)
        ndofs = self.broken.space.dofmap.list.shape[1]
        dirs = [(1, A, B)] + ([(-1, B, A)] if pair.spec.integration == "symmetric" else [])
        out = []
        for sign, S, T in dirs:
            res = search_direction(
                mesh, self.ref, S, T, self._cell_data, distance, pair.spec.projection,
                self.qdeg, ndofs, self.axisymmetric,
            )  # fmt: skip
            out.append(_Direction(sign, S, res))
        _check(pair, out, distance, mesh.comm)
        return out

    def extended(self) -> BrokenSpace:
        """The broken space with the pairs' off-process columns as ghosts (collective)."""
        glob = [d.result.target.dofs.ravel() for dirs in self.found for d in dirs]
        own = [d.result.target.owners.ravel() for dirs in self.found for d in dirs]
        return self.broken.with_ghosts(
            np.concatenate(glob) if glob else np.zeros(0, np.int64),
            np.concatenate(own) if own else np.zeros(0, np.int32),
        )

    def couplings(self, broken: BrokenSpace, state: Any, penalty_order: int) -> list[PairCoupling]:
        """One :class:`PairCoupling` per pair on the extended space."""
        return [
            PairCoupling(p, dirs, broken, self.ref, state, self, penalty_order)
            for p, dirs in zip(self.pairs, self.found, strict=True)
        ]


def _check(pair: ResolvedPair, dirs: list[_Direction], distance: float, comm: MPI.Comm) -> None:
    """Bad pairs fail with one line naming the pair (collective)."""
    what = f"interface pair {pair.label!r} (surfaces {list(pair.spec.surfaces)})"
    for d in dirs:
        s = d.result.stats
        found, facing, away, far = comm.allreduce(s[:4], op=MPI.SUM)
        # the deepest penetration (stats[4] = -depth / diameter, the smallest wins)
        deep = comm.allgather(s[4:])
        worst = min(deep, key=lambda v: v[0])
        side = "A" if d.sign > 0 else "B"
        if not found and not away:
            raise InputError(
                f"{what}: the search distance {distance:.6g} m finds no facet of the other "
                f"surface near surface {side}: are the surfaces within that distance of each "
                "other? (give search_distance, m)"
            )
        if facing <= away:
            raise InputError(
                f"{what}: the surfaces do not face each other (normals not opposed on "
                f"{away / max(facing + away, 1e-300):.0%} of the area found from surface {side})"
            )
        if worst[0] < -PENETRATION:
            x = [float(v) for v in worst[3:] if np.isfinite(v)]
            raise InputError(
                f"{what}: penetrating parts: the other surface lies {-worst[1]:.6g} m inside the "
                f"body of surface {side} near x = {x} ({-worst[0]:.2f} facet diameters); the "
                "bodies overlap"
            )
        del far


def static_conductance(law: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """H (W/(m² K)) of a law without T at points x with images y; NaN for a law of T.

    Raises :class:`InputError` (this rank) where h is NaN or < 0.
    """
    if law.temperature_dependent:
        return np.full(len(x), np.nan)
    T = np.full(len(x), 293.15)
    return law.checked(x, y, T, T)


def _coefficients(h: np.ndarray, gamma: np.ndarray) -> tuple[np.ndarray, ...]:
    """(c₁, c₂, c₃, dc₁/dh) of the Nitsche–Robin term; h = inf ties the surfaces."""
    inf = np.isinf(h)
    hh = np.where(inf, 0.0, h)
    den = 1.0 + gamma * hh
    with np.errstate(divide="ignore"):
        c1 = np.where(inf, 1.0 / np.where(gamma > 0, gamma, 1.0), hh / den)
    c2 = np.where(inf, 1.0, gamma * hh / den)
    c3 = np.where(inf, 0.0, -gamma / den)
    dc1 = np.where(inf, 0.0, 1.0 / den**2)
    return c1, c2, c3, dc1


class PairCoupling:
    """The coupling terms of one pair on this process (see the module docstring).

    Args:
        pair: the resolved pair.
        dirs: its directions as found by the search.
        broken: the extended broken space.
        ref: the reference cell.
        state: the temperature the nonlinear terms are linearised at (``fem.Function``).
        search: the :class:`PairSearch` (degree, conductivities, axisymmetry).
        order: the Lagrange degree p in the penalty factor.
    """

    def __init__(
        self,
        pair: ResolvedPair,
        dirs: list[_Direction],
        broken: BrokenSpace,
        ref: ReferenceCell,
        state: Any,
        search: PairSearch,
        order: int,
    ) -> None:
        self.pair, self.label, self.law = pair, pair.label, pair.law
        self.state = state
        self.comm: MPI.Comm = broken.mesh.comm
        self.factor = 0.5 if len(dirs) == 2 else 1.0
        #: this process's area (reference measure × surface Jacobian) of points within the
        #: search distance whose surfaces do not face each other (not coupled), per direction
        self.non_facing = [float(d.result.stats[2]) for d in dirs]
        element = broken.space.ufl_element()
        tdim = ref.tdim
        cp = (order + 1) * (order + tdim) / tdim
        beta = pair.spec.penalty
        self._seg_offset = 0
        parts = [self._points(d, broken, ref, element, search, beta * cp) for d in dirs]
        self.p = {k: np.concatenate([q[k] for q in parts]) for k in parts[0]}
        seg = self.p["seg"]
        self.num_segments = int(seg.max(initial=-1)) + 1
        self.seg_dofs = np.zeros((self.num_segments, self.p["dofs"].shape[1]), np.int32)
        self.seg_dofs[seg] = self.p["dofs"]
        self.seg_cell = np.zeros(self.num_segments, np.int64)  # the integrating cell
        self.seg_cell[seg] = self.p["cell"]
        n = len(seg)
        self._P = sp.csc_matrix((np.ones(n), (seg, np.arange(n))), shape=(self.num_segments, n))
        self.nonlinear = self.law.temperature_dependent
        if np.any(np.isinf(self.p["h"]) & (self.p["gamma"] == 0)):
            raise InputError(
                f"interface pair {self.label!r}: tied surfaces (h = inf) need a constant "
                "scalar conductivity on both sides (Nitsche's method); a side has k(T) or a "
                "tensor: give a finite conductance"
            )
        self._M = None if self.nonlinear else self._matrices(self.p["h"], None)

    # ------------------------------------------------------------------ set-up
    def _points(
        self, d: _Direction, broken: BrokenSpace, ref: ReferenceCell, element: Any,
        search: PairSearch, beta_cp: float,
    ) -> dict[str, np.ndarray]:  # fmt: skip
        """Per-point operators J = [φ_s, −φ_o], Q = {q(·)} row, weights and positions."""
        r, S = d.result, d.S
        cells = S.cells[r.src]
        lf = S.lf[r.src]
        cs = S.coords[r.src]
        t = r.target
        co = t.coords[r.slot]
        phi_s, grad_s, x, n = _basis(ref, element, cs, r.X_self, lf)
        phi_o, grad_o, y, _ = _basis(ref, element, co, r.X_other, t.lf[r.slot])
        k_s = np.array([search.k_region.get(int(g), math.nan) for g in search.cell_region[cells]])
        k_o = t.k[r.slot]
        # |K|/|F| once per (cell, facet), not per point
        ucell, first, back = np.unique(
            r.src, return_index=True, return_inverse=True
        )  # src: the integrating facet
        ell_s = ref.cell_size(cs[first], lf[first])[back] if len(cs) else np.zeros(0)
        del ucell
        ell_o = t.ell[r.slot]
        nitsche = np.isfinite(k_s) & np.isfinite(k_o)
        ks, ko = np.where(nitsche, k_s, 1.0), np.where(nitsche, k_o, 1.0)
        ls, lo = ell_s / ks, ell_o / ko
        gamma = np.where(nitsche, (ls + lo) / beta_cp, 0.0)
        ws = np.where(nitsche, ls / (ls + lo), 0.0)
        fs = -np.einsum("ngi,ng->ni", grad_s, n) * (ws * ks)[:, None]
        # the other side's flux density, per integrating area (× dA_other / dA_self; in
        # axisymmetric models the areas carry r: × r_other / r_self)
        ratio = r.area_ratio * (y[:, 0] / x[:, 0] if search.axisymmetric else 1.0)
        ko_eff = ko * ratio
        fo = -np.einsum("ngi,ng->ni", grad_o, n) * ((1.0 - ws) * ko_eff)[:, None]
        dofs_o = broken.local_index(t.dofs[r.slot])
        if np.any(dofs_o < 0):
            raise RuntimeError(f"interface pair {self.label!r}: a coupled dof is not a ghost")
        W = r.weight * (x[:, 0] if search.axisymmetric else 1.0)
        T_plus_self = d.sign > 0
        h = static_conductance(self.law, x, y)
        # segments: (integrating facet, target facet) of this direction, numbered after the
        # previous directions'
        key = r.src.astype(np.int64) * (len(t.lf) + 1) + r.slot
        _, seg = np.unique(key, return_inverse=True)
        offset = self._seg_offset
        self._seg_offset = offset + (int(seg.max()) + 1 if len(seg) else 0)
        return {
            "J": np.concatenate([phi_s, -phi_o], axis=1),
            "Q": np.concatenate([fs, fo], axis=1),
            "dofs": np.concatenate([broken.cell_dofs(cells), dofs_o], axis=1).astype(np.int32),
            "W": W * self.factor,
            "gamma": gamma,
            "h": h,
            "x": x,
            "y": y,
            "sign": np.full(len(W), d.sign, dtype=np.int8),
            "seg": (seg + offset).astype(np.int64),
            "plus_is_self": np.full(len(W), T_plus_self),
            "grad_flux": np.stack([-np.einsum("ngi,ng->ni", grad_s, n) * k_s[:, None],
                                   -np.einsum("ngi,ng->ni", grad_o, n)
                                   * (k_o * ratio)[:, None]], 1),
            "area": r.weight * (x[:, 0] if search.axisymmetric else 1.0),
            "cell": cells.astype(np.int64),
            "lf": lf.astype(np.int64),
        }  # fmt: skip

    def set_law(self, spec: Any, law: Any, h: np.ndarray) -> None:
        """Another law on the same points: ``spec``, its ``law`` and :func:`static_conductance`.

        Only the segment matrices of a law without T are formed again (values-only updates:
        :mod:`fe_interface.discretisation.pair_values`).
        """
        self.pair.spec, self.pair.law, self.law = spec, law, law
        self.p["h"] = h
        self._M = None if self.nonlinear else self._matrices(h, None)

    # ------------------------------------------------------------------ values at points
    def side_values(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(T_self, T_other, flux estimate) at the points for local values u."""
        p = self.p
        nd = p["J"].shape[1] // 2
        ul = u[p["dofs"]]
        Ts = np.einsum("ni,ni->n", p["J"][:, :nd], ul[:, :nd])
        To = -np.einsum("ni,ni->n", p["J"][:, nd:], ul[:, nd:])
        return Ts, To, np.einsum("ni,ni->n", p["Q"], ul)

    def conductance_at(self, Ts: np.ndarray, To: np.ndarray, check: bool = False) -> np.ndarray:
        """The conductance at the points for side temperatures (K); static if h ⊥ T.

        Newton's iterates are not checked (a trial step of the line search may leave the
        law's range; the solution is, :meth:`check`); ``check=True`` raises
        :class:`InputError` where h is NaN or < 0.
        """
        if not self.nonlinear:
            return self.p["h"]
        ps = self.p["plus_is_self"]
        Tp, Tm = np.where(ps, Ts, To), np.where(ps, To, Ts)
        if check:
            return self.law.checked(self.p["x"], self.p["y"], Tp, Tm)
        with np.errstate(all="ignore"):
            return self.law.conductance(self.p["x"], self.p["y"], Tp, Tm)

    def check(self, u: np.ndarray) -> None:
        """Raise :class:`InputError` (on every rank) if the law gives h < 0 or NaN at u."""
        err = None
        try:
            Ts, To, _ = self.side_values(u)
            self.conductance_at(Ts, To, check=True)
        except InputError as e:
            err = e
        from fe_interface.errors import agree

        agree(self.comm, err)

    def _dh(self, Ts: np.ndarray, To: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(∂h/∂T_self, ∂h/∂T_other), central differences (W/(m² K²))."""
        out = []
        for which in (0, 1):
            d = 1e-6 * np.maximum(np.abs(Ts if which == 0 else To), 1.0)
            hi = self.conductance_at(Ts + (d if which == 0 else 0), To + (d if which == 1 else 0))
            lo = self.conductance_at(Ts - (d if which == 0 else 0), To - (d if which == 1 else 0))
            out.append((hi - lo) / (2 * d))
        return out[0], out[1]

    # ------------------------------------------------------------------ matrices
    def _matrices(self, h: np.ndarray, u: np.ndarray | None) -> np.ndarray:
        """Segment matrices (S, 2n, 2n): the term's matrix, or its Jacobian at u."""
        p = self.p
        c1, c2, c3, dc1 = _coefficients(h, p["gamma"])
        n2 = p["J"].shape[1]
        out = np.zeros((self.num_segments, n2 * n2))
        lin = None
        if u is not None:
            Ts, To, qf = self.side_values(u)
            hs, ho = self._dh(Ts, To)
            nd = n2 // 2
            D = np.concatenate([hs[:, None] * p["J"][:, :nd], -ho[:, None] * p["J"][:, nd:]], 1)
            jump = Ts - To
            lin = (dc1 * (jump + p["gamma"] * qf), D)
        for a in range(0, len(h), _CHUNK):
            s = slice(a, a + _CHUNK)
            J, Q, W = p["J"][s], p["Q"][s], p["W"][s]
            # M = U C Uᵀ with U = [J, Q] and C = W [[c₁, c₂], [c₂, c₃]]: batched products
            U = np.stack([J, Q], axis=2)  # (n, 2nd, 2)
            C = np.empty((len(W), 2, 2))
            C[:, 0, 0], C[:, 1, 1] = W * c1[s], W * c3[s]
            C[:, 0, 1] = C[:, 1, 0] = W * c2[s]
            M = (U @ C) @ np.transpose(U, (0, 2, 1))
            if lin is not None:
                g = p["gamma"][s]
                left = (W * lin[0][s])[:, None] * (J + g[:, None] * Q)
                M += left[:, :, None] * lin[1][s][:, None, :]
            out += self._P[:, s] @ M.reshape(len(W), -1)
        return out.reshape(self.num_segments, n2, n2)

    # ------------------------------------------------------------------ the coupling protocol
    @property
    def empty(self) -> bool:
        """True when this process has no points of the pair."""
        return self.num_segments == 0

    def insert_sparsity(self, pattern: Any) -> None:
        """Add the couplings to a (not finalised) sparsity pattern.

        One block per integrating cell: its dofs and those of every cell it meets.
        """
        if self.empty:
            return
        nd = self.seg_dofs.shape[1] // 2
        own = self.seg_cell
        order = np.argsort(own, kind="stable")
        starts = np.flatnonzero(np.r_[True, own[order][1:] != own[order][:-1]])
        for group in np.split(order, starts[1:]):
            d = self.seg_dofs[group]
            block = np.unique(np.concatenate([d[0, :nd], d[:, nd:].ravel()]))
            pattern.insert(block, block)

    def add_to_matrix(self, A: PETSc.Mat, index: np.ndarray, scale: float = 1.0) -> None:
        """A += scale · K (the Jacobian at the state for laws h(T)); local indices."""
        if self.empty:
            return
        M = self._M if self._M is not None else self._jacobian()
        R = np.ascontiguousarray(index[self.seg_dofs], PETSc.IntType)
        K = np.ascontiguousarray((scale * M).reshape(len(M), -1))
        A.setValuesLocalRCV(R, R, K, addv=PETSc.InsertMode.ADD)

    def _jacobian(self) -> np.ndarray:
        u = self.state.x.array
        Ts, To, _ = self.side_values(u)
        return self._matrices(self.conductance_at(Ts, To), u)

    def point_terms(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(W (c₁[T] + c₂{q}), W (c₂[T] + c₃{q})) at the points: the coefficients of J and Q."""
        p = self.p
        Ts, To, qf = self.side_values(u)
        c1, c2, c3, _ = _coefficients(self.conductance_at(Ts, To), p["gamma"])
        jump = Ts - To
        return p["W"] * (c1 * jump + c2 * qf), p["W"] * (c2 * jump + c3 * qf)

    def apply(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Out += the term's residual at u (K u for laws that do not depend on T).

        Local values in, this process's contributions (ghosts included) out: sum them to
        the owners with a reverse scatter.
        """
        y = np.zeros_like(u, dtype=float) if out is None else out
        if self.empty:
            return y
        if self._M is not None:
            r = np.einsum("sij,sj->si", self._M, u[self.seg_dofs])
            np.add.at(y, self.seg_dofs, r)
            return y
        a, b = self.point_terms(u)
        np.add.at(y, self.p["dofs"], a[:, None] * self.p["J"] + b[:, None] * self.p["Q"])
        return y

    def heat_flows(self, u: np.ndarray, rows_of: Sequence[np.ndarray]) -> list[float]:
        """Not used for pairs (their table rows come from :meth:`summary_values`)."""
        return [0.0 for _ in rows_of]

    def matched(self) -> tuple[float, float, float]:
        """(area of A coupled, area of B coupled, area-mean gap on A) (m², m², m; no 2π).

        B's area is NaN with one-sided integration; collective.
        """
        p = self.p
        onA = p["sign"] > 0
        local = np.array(
            [
                p["area"][onA].sum(),
                p["area"][~onA].sum(),
                np.sum(p["area"][onA] * np.linalg.norm(p["y"] - p["x"], axis=1)[onA]),
            ]
        )
        a, b, g = self.comm.allreduce(local, op=MPI.SUM)
        one_sided = self.pair.spec.integration != "symmetric"
        return float(a), math.nan if one_sided else float(b), float(g / a) if a > 0 else math.nan


class CouplingSet:
    """Several facet-wise couplings (conforming interfaces, pairs) as one.

    The protocol of :class:`~fe_interface.discretisation.coupling.InterfaceCoupling`:
    the solvers and balances call it as they call one coupling; ``heat_flows`` are the
    conforming interfaces'.
    """

    def __init__(self, interfaces: Any, pairs: list[PairCoupling]) -> None:
        self.interfaces = interfaces
        self.pairs = pairs
        self.members = ([interfaces] if interfaces is not None else []) + list(pairs)

    @property
    def empty(self) -> bool:
        """True when no member has facets here."""
        return all(m.empty for m in self.members)

    def insert_sparsity(self, pattern: Any) -> None:
        """Every member's couplings."""
        for m in self.members:
            m.insert_sparsity(pattern)

    def add_to_matrix(self, A: PETSc.Mat, index: np.ndarray, scale: float = 1.0) -> None:
        """Every member's matrix (or Jacobian)."""
        for m in self.members:
            m.add_to_matrix(A, index, scale)

    def apply(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Out += every member's residual at u."""
        y = np.zeros_like(u, dtype=float) if out is None else out
        for m in self.members:
            m.apply(u, y)
        return y

    def heat_flows(self, u: np.ndarray, rows_of: Sequence[np.ndarray]) -> list[float]:
        """The conforming interfaces' heat flows (see ``InterfaceCoupling.heat_flows``)."""
        assert self.interfaces is not None
        return self.interfaces.heat_flows(u, rows_of)

    @property
    def entities(self) -> np.ndarray:
        """The conforming interfaces' facet rows (none without them)."""
        return self.interfaces.entities if self.interfaces is not None else np.zeros((0, 4))

    def apply_unit(self, u: np.ndarray, dh: np.ndarray, out: np.ndarray) -> np.ndarray:
        """The conforming interfaces' ``apply_unit`` (pairs have no conductance slots)."""
        if self.interfaces is not None:
            self.interfaces.apply_unit(u, dh, out)
        return out

    def set_conductance(self, rows: np.ndarray, h: Any) -> None:
        """Facet conductances (W/(m² K)) of the conforming interfaces' facet ``rows``."""
        assert self.interfaces is not None
        self.interfaces.set_conductance(rows, h)


def _basis(
    ref: ReferenceCell, element: Any, coords: np.ndarray, X: np.ndarray, lf: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(φ (n, dofs), ∇φ (n, gdim, dofs), x (n, gdim), unit outward normal (n, gdim))."""
    if not len(X):
        nd = element.dim
        g = ref.gdim
        return np.zeros((0, nd)), np.zeros((0, g, nd)), np.zeros((0, g)), np.zeros((0, g))
    x, J = ref.geometry(coords, X)
    # K = J^{-1} = cof(J)ᵀ / det(J) (small matrices: no inverse)
    KT = cofactor(J) / determinant(J)[:, None, None]  # (n, gdim, tdim) = K^T
    degree1 = getattr(element, "degree", None) == 1 and getattr(element, "family_name", "") in (
        "P",
        "Q",
        "Lagrange",
    )
    tab = ref.p1(X) if degree1 else np.asarray(element.tabulate(1, X))  # (1 + tdim, n, dofs)
    grad = KT @ np.transpose(tab[1:], (1, 0, 2))  # (n, gdim, dofs)
    nrm = (KT @ ref.ref_normals[lf][:, :, None])[:, :, 0]
    nrm /= np.linalg.norm(nrm, axis=1, keepdims=True)
    return tab[0], grad, x, nrm
