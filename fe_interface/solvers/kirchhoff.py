"""Newton steps in Kirchhoff variables while the first Jacobian serves (k(T) regions).

In a region of conductivity k(T) the heat flux is −k(T)∇T = −∇ψ(T), with the Kirchhoff
transform ψ(T) = ∫_{T_ref}^{T} k(s) ds (W/m): the conduction operator is linear in
θ = Φ(T) = T_ref + ψ(T)/k(T_ref) (K), and its Jacobian at T is J(T) δT ≈ −∇²(k(T) δT).
The first Jacobian J₀ of a steady solve is assembled where each k(T) region is uniform at
its start temperature T₀ (its Dirichlet dofs too, :meth:`KirchhoffStart.jacobian_field`):
there J₀ = k(T₀)·(−∇²), symmetric, and the steps with it are taken in θ and mapped back,

    θ_{k+1} = Φ(T_k) − s·J₀⁻¹F(T_k),   T_{k+1} = Φ⁻¹(θ_{k+1}),   s = k(T₀)/k(T_ref),

exact in one step for one region with Dirichlet values, flux conditions and sources (F
is linear in θ: the first step on a 1D slab lands 7.5 decades down, up to the table of
Φ below).  What is left: the P1 interpolation does not commute with Φ (the chord steps
contract by ~k'|∇T| h/k: 0.01 at 16³, 0.007 at 64³ cells on the k(T) benchmark) and the
interfaces, whose laws couple T, not θ.  Their dofs take the plain step (in θ a large h
turns Φ_A(T_I) ≠ Φ_B(T_I) into a large heat flow: the first step reduced ‖F‖ by 0.93
at h = 1e4 when they did not), and Φ is referenced at the mean temperature of the
region's interface dofs after the first step, which keeps the two sides' θ close there.
On the k(T) benchmark (two regions, k ±30–40 %, h = 50, 64³ cells) the first step lands
2.2 decades down (plain Newton: 1 decade) and one Jacobian and one preconditioner serve
the whole solve (6 steps; plain Newton with chord steps: 2 Jacobians).  Whether a step
keeps J₀ is the chord rule of :mod:`~fe_interface.solvers.nonlinear`; a new Jacobian
ends the steps in θ.

A k(T) region changes variables when it is isotropic and its free dofs start at one
temperature (the steady start).  Dofs shared by two regions (perfect contact, where T is
continuous but Φ is not) take the plain step.  Φ is tabulated on 4097 temperatures over
the range the field and the step need (ψ by the trapezoidal rule; the range from global
reductions, so every partition maps alike), Φ⁻¹ by interpolating the same table
(Φ⁻¹(Φ(T)) = T to round-off).  When k(T) is not finite and positive on that range, or a
target leaves it after widening, the step is the plain Newton step; a solve that fails
is repeated without the change of variables (:meth:`NewtonSolver.solve`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

from mpi4py import MPI

import numpy as np
from dolfinx import la

from fe_interface.discretisation.facets import closure_dofs
from fe_interface.discretisation.formulation import Formulation
from fe_interface.model.materials import Material
from fe_interface.model.properties import PropertyRangeWarning

__all__ = ["KirchhoffStart"]

#: temperatures of the table of Φ
_GRID = 4097
#: the table is widened (its span doubled) at most this many times to reach a target
_WIDEN = 6


@dataclass
class _Region:
    """One region's change of variables (owned local dofs without Dirichlet/shared ones)."""

    material: Material
    dofs: np.ndarray
    T_ref: float  # Φ(T_ref) = T_ref (K)
    T_jacobian: float  # the region's temperature in the first Jacobian (K)
    interface: np.ndarray  # positions in ``dofs`` of its dofs on interfaces
    fixed: np.ndarray  # its owned Dirichlet dofs
    scale: float = 1.0  # s = k(T_jacobian)/k(T_ref)
    grid: np.ndarray = field(default_factory=lambda: np.empty(0))
    phi: np.ndarray = field(default_factory=lambda: np.empty(0))

    def conductivity(self, T: np.ndarray) -> np.ndarray | None:
        """The conductivity at T (W/(m K)), or None where it is not finite and positive."""
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", PropertyRangeWarning)
            try:
                k = np.broadcast_to(np.asarray(self.material.conductivity_at(T), float), T.shape)
            except Exception:  # a user function failing there: no change of variables
                return None
        return k if np.all(np.isfinite(k) & (k > 0)) else None

    def tabulate(self, lo: float, hi: float) -> bool:
        """Φ on [lo, hi] (K; containing T_ref); False if k is not finite and > 0 there."""
        grid = np.linspace(lo, hi, _GRID)
        k = self.conductivity(grid)
        if k is None:
            return False
        psi = np.concatenate(([0.0], np.cumsum(0.5 * (k[1:] + k[:-1]) * np.diff(grid))))
        psi -= np.interp(self.T_ref, grid, psi)
        beta = float(np.interp(self.T_ref, grid, k))
        self.grid, self.phi = grid, self.T_ref + psi / beta
        self.scale = float(np.interp(self.T_jacobian, grid, k)) / beta
        return True


class KirchhoffStart:
    """The change of variables of the module docstring for a formulation's k(T) regions.

    Args:
        f: the formulation (its regions, materials and Dirichlet dofs).
    """

    def __init__(self, f: Formulation) -> None:
        self.f = f
        self.comm = f.comm
        self.regions: list[_Region] = []
        imap = f.space.dofmap.index_map
        self.n = imap.size_local * f.space.dofmap.index_map_bs
        self._members = {r: self._owned(f.region_dofs(r)) for r in f.model.region_material}
        self._interface = self._owned(self._interface_dofs())
        self._first = False  # the next step is the first of the solve

    def _owned(self, dofs: np.ndarray) -> np.ndarray:
        """Owned dofs -> True if in the local dofs ``dofs`` of some process (collective)."""
        V = self.f.space
        vec = la.vector(V.dofmap.index_map, V.dofmap.index_map_bs)
        vec.array[dofs] = 1.0
        vec.scatter_reverse(la.InsertMode.add)
        return vec.array[: self.n] > 0

    def _interface_dofs(self) -> np.ndarray:
        """Local dofs (both copies) on the facets of the conforming interfaces."""
        V = self.f.space
        tdim = V.mesh.topology.dim
        e = [d.entities for d in self.f.model.interfaces if len(d.entities)]
        if not e:
            return np.empty(0, dtype=np.int32)
        ent = np.concatenate(e)
        nfc = int(np.max(ent[:, [1, 3]])) + 1
        table = np.stack([closure_dofs(V.dofmap.dof_layout, tdim, lf) for lf in range(nfc)])
        dl = V.dofmap.list
        plus = np.take_along_axis(dl[ent[:, 0]], table[ent[:, 1]], axis=1)
        minus = np.take_along_axis(dl[ent[:, 2]], table[ent[:, 3]], axis=1)
        return np.concatenate((plus.ravel(), minus.ravel()))

    @property
    def active(self) -> bool:
        """True if some region changes variables (after :meth:`prepare`)."""
        return bool(self.regions)

    def prepare(self, x: np.ndarray, free: np.ndarray) -> None:
        """Choose the regions: those whose free dofs of ``x`` share one value (collective).

        Args:
            x: owned dof values (K) with the Dirichlet values imposed (the start).
            free: owned dofs -> True where not Dirichlet.
        """
        shared = np.sum([m.astype(np.int8) for m in self._members.values()], axis=0) > 1
        self.regions = []
        for r, mat in self.f.model.region_material.items():
            if not mat.conductivity_dependent or mat.anisotropic:
                continue
            dofs = np.flatnonzero(self._members[r] & free & ~shared)
            lo, hi = self._range(x[dofs])
            if not (lo == hi and lo > 0):  # (no dofs: lo = inf)
                continue
            fixed = np.flatnonzero(self._members[r] & ~free)
            reg = _Region(mat, dofs, lo, lo, np.flatnonzero(self._interface[dofs]), fixed)
            if self._tabulate(reg, lo, hi):
                self.regions.append(reg)
        self._first = True

    def jacobian_field(self, x: np.ndarray) -> None:
        """The field of the first Jacobian: each region's Dirichlet dofs at its start value.

        Then the Jacobian is k(T₀)·(−∇²) up to the boundary: at the start itself the cells
        on a Dirichlet boundary hold the jump to the boundary value, and their
        k'(T) δT ∇T terms (mesh independent: ∇T ~ jump/h) made each later step contract
        ‖F‖ by 0.033 instead of 0.004–0.014 (one k(T) region, 16³ cells).
        """
        for reg in self.regions:
            x[reg.fixed] = reg.T_jacobian

    def _tabulate(self, reg: _Region, lo: float, hi: float) -> bool:
        """Tabulate Φ on [lo, hi] widened by its span on each side (kept above 0 K).

        The span is that of the values to map (the table's resolution follows the field:
        a nanowire's 0.7 mK rise needs a table over mK, not over its 77 K level).
        """
        span = max(hi - lo, 1.0e-9 * max(abs(hi), 1.0))
        return reg.tabulate(max(lo - span, 0.5 * lo), hi + span)

    def step(self, x: np.ndarray, y: np.ndarray) -> bool:
        """The Newton update ``y`` (x_new = x − y, owned values, K) taken in θ (collective).

        y ← x − Φ⁻¹(Φ(x) − s y) on each region's dofs; False (``y`` unchanged) if a region's
        table cannot cover the field and the target.
        """
        if self._first:
            self._first = False
            self._reference(x, y)
        new = []
        for reg in self.regions:
            t = self._map(reg, x[reg.dofs], y[reg.dofs])
            if t is None:
                return False
            new.append(t)
        for reg, t in zip(self.regions, new, strict=True):
            # the interface laws couple T: their dofs take the plain step
            t[reg.interface] = x[reg.dofs[reg.interface]] - y[reg.dofs[reg.interface]]
            y[reg.dofs] = x[reg.dofs] - t
        return True

    def _map(self, reg: _Region, xs: np.ndarray, ys: np.ndarray) -> np.ndarray | None:
        """Φ⁻¹(Φ(xs) − s ys) (K), Φ tabulated over the values' range; None if it fails."""
        lo, hi = self._range(np.concatenate((xs, xs - ys, [reg.T_ref, reg.T_jacobian])))
        for _ in range(_WIDEN):
            if not self._tabulate(reg, lo, hi):
                return None
            theta = np.interp(xs, reg.grid, reg.phi) - reg.scale * ys
            tlo, thi = self._range(theta)
            if reg.phi[0] <= tlo and thi <= reg.phi[-1]:
                return np.interp(theta, reg.phi, reg.grid)
            lo, hi = reg.grid[0], reg.grid[-1]
        return None

    def _reference(self, x: np.ndarray, y: np.ndarray) -> None:
        """Φ of each region referenced at the mean of its interface dofs after the step.

        The interface law couples T, not θ: two regions' Φ differ at the interface
        temperature T_I by ½ (k_A'/k_A − k_B'/k_B)(T_I − T_ref)², which a large h turns
        into a large heat flow; with T_ref at the estimate x − y of T_I the difference is
        of the order of the estimate's error squared.  Regions without interface dofs keep
        the start's temperature (collective).
        """
        for reg in self.regions:
            t = x[reg.dofs[reg.interface]] - y[reg.dofs[reg.interface]]
            total = self.comm.allreduce(float(t.sum()), op=MPI.SUM)
            count = self.comm.allreduce(t.size, op=MPI.SUM)
            T_ref = total / count if count else reg.T_ref
            if np.isfinite(T_ref) and T_ref > 0:
                reg.T_ref = T_ref

    def _range(self, v: np.ndarray) -> tuple[float, float]:
        """Global (min, max) of ``v`` (K)."""
        lo = float(v.min()) if v.size else np.inf
        hi = float(v.max()) if v.size else -np.inf
        return self.comm.allreduce(lo, op=MPI.MIN), self.comm.allreduce(hi, op=MPI.MAX)
