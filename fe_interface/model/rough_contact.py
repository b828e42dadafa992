"""Normal contact of a rough surface on an elastic half-space: FFT boundary elements.

The micro-mechanics behind an interface law: a rough surface (heights z, m, on a periodic
grid, usually the combined roughness of both faces) pressed against a flat elastic
half-space of contact modulus E* (1/E* = (1 − ν₁²)/E₁ + (1 − ν₂²)/E₂, Pa) at the nominal
pressure P (Pa).  The half-space responds through the periodic Boussinesq kernel in
Fourier space, ũ(q) = 2 p̃(q) / (E* |q|) (the "Westergaard" operator of Stanley & Kato,
J. Tribol. 119 (1997) 481); the contact is the solution of the linear complementarity
problem gap ≥ 0, p ≥ 0, p · gap = 0 with mean pressure P.

* **Elastic** contact is solved by `Tamaas <https://gitlab.com/tamaas/tamaas>`_ (Frérot,
  Anciaux, Rey, Pham-Ba & Molinari, J. Open Source Softw. 5 (2020) 2121): its
  Polonsky–Keer–Rey conjugate-gradient solver (Polonsky & Keer, Wear 231 (1999) 206;
  Rey, Anciaux & Molinari, Comput. Mech. 60 (2017) 69).
* **Elastic–perfectly-plastic** contact caps the pressure at the hardness H (Pa)
  (p ≤ H; where p = H the asperity flows and the gap may close further: Almqvist et al.,
  Wear 262 (2007) 1295).  Tamaas' solver for it (``KatoSaturated``, a projected gradient)
  took 61 s at 256² on this machine; here it is the Polonsky–Keer conjugate gradient
  with the bound 0 ≤ p ≤ H (points at either bound leave the conjugate set), on the
  same kernel.  It reproduces Tamaas' elastic solution for H → ∞ and Tamaas'
  ``KatoSaturated`` for finite H (tests/unit/model/test_rough_contact.py).

Results (:class:`ContactState`): the pressure field p (Pa), the gap field (m, zero in
contact), the contact map, the real-area fraction A_r/A, the mean gap ḡ (m), and the
plastic fraction.  :meth:`HalfSpaceContact.ladder` solves a ladder of loads and adds the
contact stiffness K = −dP/dḡ (Pa/m) by central differences at P(1 ± δ) (error ~ δ²/6).

Bad input is rejected with one line: a non-periodic surface without ``pad=True`` (the
FFT kernel is periodic: a measured map is made periodic by mirror images,
:func:`~fe_interface.geometry.topography.mirror_periodic`), NaNs, a load at or beyond full
contact (all points in contact: the spots no longer exist), P ≥ H.

Under MPI the contact is solved on rank 0 and broadcast (the FFT solve is serial; every
rank returns the same arrays).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np

from fe_interface.errors import InputError, SolverError, on_rank0
from fe_interface.geometry.rough import RoughSurface
from fe_interface.geometry.topography import check_height_map, mirror_periodic

__all__ = ["ContactLadder", "ContactState", "HalfSpaceContact", "westergaard_kernel"]


class ContactState(NamedTuple):
    """The contact at one nominal pressure (fields on the surface grid).

    Attributes:
        pressure_Pa: nominal (mean) pressure P (Pa).
        area_fraction: real contact area fraction A_r/A (points with p > 0).
        mean_gap_m: mean gap ḡ between the deformed surfaces (m).
        plastic_fraction: fraction of the nominal area at the hardness (p = H).
        pressure: local pressure p (Pa).
        gap: local gap g (m), 0 in contact.
        contact: contact map (p > 0).
        iterations: iterations of the solver.
    """

    pressure_Pa: float
    area_fraction: float
    mean_gap_m: float
    plastic_fraction: float
    pressure: np.ndarray
    gap: np.ndarray
    contact: np.ndarray
    iterations: int


class ContactLadder(NamedTuple):
    """Contacts over a ladder of loads, with the contact stiffness.

    Attributes:
        pressures_Pa: the nominal pressures P (Pa), increasing.
        area_fraction: A_r/A at each load.
        mean_gap_m: ḡ (m) at each load.
        stiffness_Pa_per_m: K = −dP/dḡ (Pa/m) at each load.
        states: the :class:`ContactState` of each load.
    """

    pressures_Pa: np.ndarray
    area_fraction: np.ndarray
    mean_gap_m: np.ndarray
    stiffness_Pa_per_m: np.ndarray
    states: tuple[ContactState, ...]


def westergaard_kernel(shape: tuple[int, ...], dx: float, E_star: float) -> np.ndarray:
    """The periodic half-space compliance 2 / (E* |q|) (m/Pa·m) on the rfft grid; 0 at q = 0."""
    qs = [2 * np.pi * np.fft.fftfreq(k, d=dx) for k in shape[:-1]]
    qs.append(2 * np.pi * np.fft.rfftfreq(shape[-1], d=dx))
    q = np.sqrt(sum(g**2 for g in np.meshgrid(*qs, indexing="ij")))
    out = np.zeros_like(q)
    out[q > 0] = 2.0 / (E_star * q[q > 0])
    return out


# --------------------------------------------------------------------------------------
# the bounded Polonsky-Keer conjugate gradient (elastic-perfectly-plastic)
# --------------------------------------------------------------------------------------
def _scale_to_load(p: np.ndarray, P: float, H: float) -> np.ndarray:
    """Pressures with mean ``P``: the points below H scaled, those at H kept.

    Points pushed above H by the scaling join the bound; if the points at H alone carry
    more than the load, every point is scaled (bisection on ``min(s p, H)``).
    """
    p = np.minimum(p, H)
    total = P * p.size
    for _ in range(p.size):
        at = p >= H
        rest = float(p[~at].sum())
        need = total - H * int(at.sum())
        if need <= 0:
            break
        if rest <= 0:  # nothing left below H: spread the rest of the load evenly
            return np.where(at, H, min(need / max(int((~at).sum()), 1), H))
        q = np.where(at, H, p * (need / rest))
        if not np.any(q[~at] > H):
            return q
        p = np.minimum(q, H)
    lo, hi = 0.0, 1.0
    while np.mean(np.minimum(hi * p, H)) < P:
        hi *= 2.0
        if hi > 1e30:
            raise SolverError("rough contact: the load cannot be carried below the hardness")
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if np.mean(np.minimum(mid * p, H)) < P:
            lo = mid
        else:
            hi = mid
    return np.minimum(hi * p, H)


@dataclass
class _BoundedPK:
    """Polonsky-Keer CG for min ½ pᵀCp − pᵀz, 0 ≤ p ≤ H, mean p = P (C: the kernel)."""

    z: np.ndarray
    kernel: np.ndarray
    P: float
    H: float
    tol: float
    max_iter: int = 10000

    def compliance(self, p: np.ndarray) -> np.ndarray:
        return np.fft.irfftn(np.fft.rfftn(p) * self.kernel, s=p.shape)

    def solve(self) -> tuple[np.ndarray, np.ndarray, int]:
        """(pressure, gap, iterations)."""
        z, P, H = self.z, self.P, self.H
        scale = float(np.std(z)) or 1.0
        p = np.full(z.shape, P)
        t = np.zeros_like(z)
        G_old, delta = 1.0, 0.0
        for it in range(1, self.max_iter + 1):
            g = self.compliance(p) - z
            free = (p > 0) & (p < H)
            g -= g[free].mean() if free.any() else g[p > 0].max()
            G = float(np.sum(g[free] ** 2))
            t = np.where(free, g + delta * (G / G_old) * t, 0.0)
            G_old = max(G, 1e-300)
            r = self.compliance(t)
            r -= r[free].mean() if free.any() else 0.0
            denom = float(np.sum(r[free] * t[free]))
            tau = float(np.sum(g[free] * t[free])) / denom if denom > 0 else 0.0
            p = np.where(free, p - tau * t, p)
            p = np.clip(p, 0.0, H)
            overlap = (p == 0) & (g < 0)
            retreat = (p == H) & (g > 0)
            delta = 0.0 if (overlap.any() or retreat.any()) else 1.0
            p[overlap] -= tau * g[overlap]
            p[retreat] -= tau * g[retreat]
            p = _scale_to_load(np.clip(p, 0.0, None), P, H)
            if self._converged(p, g, scale):
                g = self.compliance(p) - z
                free = (p > 0) & (p < H)
                g -= g[free].mean() if free.any() else g[p > 0].max()
                return p, np.maximum(g, 0.0) * (p == 0), it
        raise SolverError(
            f"rough contact (elastic-plastic): no convergence in {self.max_iter} iterations"
        )

    def _converged(self, p: np.ndarray, g: np.ndarray, scale: float) -> bool:
        """Complementarity: p |g| on the free set and the overlap at p = 0, relative."""
        free = (p > 0) & (p < self.H)
        err = float(np.sum(p[free] * np.abs(g[free]))) / (self.P * p.size * scale)
        over = float(np.max(-g[p == 0], initial=0.0)) / scale
        return err < self.tol and over < math.sqrt(self.tol)


# --------------------------------------------------------------------------------------
# the contact
# --------------------------------------------------------------------------------------
def _positive(value: Any, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a positive number, got {value!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise InputError(f"{what} must be a positive finite number, got {value!r}")
    return v


@dataclass(frozen=True)
class HalfSpaceContact:
    """A rough surface against an elastic (–perfectly-plastic) half-space.

    Args:
        surface: the (combined) roughness, heights in m; periodic, or ``pad=True``.
        E_star: contact modulus E* (Pa), 1/E* = Σ (1 − νᵢ²)/Eᵢ.
        hardness: H (Pa) for elastic–perfectly-plastic contact (p ≤ H); None: elastic.
        tolerance: relative complementarity tolerance of the solvers.
        pad: a non-periodic surface is made periodic by mirror images
            (:func:`~fe_interface.geometry.topography.mirror_periodic`); the fields are
            returned on the original grid.
        comm: the contact is solved on its rank 0 and broadcast.
    """

    surface: RoughSurface
    E_star: float
    hardness: float | None = None
    tolerance: float = 1e-10
    pad: bool = False
    comm: Any = field(default_factory=lambda: MPI.COMM_WORLD, compare=False)
    _grid: RoughSurface = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.surface, RoughSurface):
            raise InputError(
                f"rough contact: surface must be a RoughSurface, got {type(self.surface).__name__}"
            )
        check_height_map(self.surface.z, self.surface.dx, "rough contact: surface")
        object.__setattr__(self, "E_star", _positive(self.E_star, "rough contact: E_star (Pa)"))
        if self.hardness is not None:
            object.__setattr__(
                self, "hardness", _positive(self.hardness, "rough contact: hardness (Pa)")
            )
        object.__setattr__(self, "tolerance", _positive(self.tolerance, "rough contact: tolerance"))
        if not self.surface.periodic and not self.pad:
            raise InputError(
                "rough contact: the surface is not periodic and the FFT kernel is: give pad=True "
                "(mirror images, insulated/frictionless sides) or a periodic surface"
            )
        grid = mirror_periodic(self.surface) if self.pad else self.surface
        object.__setattr__(self, "_grid", grid)

    # ----------------------------------------------------------------------------------
    def solve(self, pressure: float) -> ContactState:
        """The contact at the nominal pressure P (Pa)."""
        P = _positive(pressure, "rough contact: pressure (Pa)")
        if self.hardness is not None and P >= self.hardness:
            raise InputError(
                f"rough contact: pressure {P:.4g} Pa >= hardness {self.hardness:.4g} Pa: "
                "the whole surface flows (full plastic contact), no spots left"
            )
        state = on_rank0(self.comm, lambda: self._solve_rank0(P))
        state = self.comm.bcast(state, root=0)
        assert state is not None
        if state.area_fraction >= 1.0:
            raise InputError(
                f"rough contact: pressure {P:.4g} Pa brings the whole surface into contact "
                "(full contact: no spots, no gap left); lower the load"
            )
        return state

    def _solve_rank0(self, P: float) -> ContactState:
        z = self._grid.z - self._grid.z.mean()
        if self.hardness is None:
            p, g, it = self._tamaas_elastic(z, P)
        else:
            kernel = westergaard_kernel(z.shape, self._grid.dx, self.E_star)
            p, g, it = _BoundedPK(z, kernel, P, self.hardness, self.tolerance).solve()
        if self.pad:  # the original quarter (half of a profile)
            sl = tuple(slice(0, k) for k in self.surface.z.shape)
            p, g = p[sl], g[sl]
        contact = p > 0
        plastic = float(np.mean(p >= self.hardness * (1 - 1e-12))) if self.hardness else 0.0
        return ContactState(
            P,
            float(contact.mean()),
            float(g.mean()),
            plastic,
            p,
            np.where(contact, 0.0, g),
            contact,
            int(it),
        )

    def _tamaas_elastic(self, z: np.ndarray, P: float) -> tuple[np.ndarray, np.ndarray, int]:
        import tamaas as tm

        tm.set_log_level(tm.LogLevel.error)
        kind = tm.model_type.basic_1d if z.ndim == 1 else tm.model_type.basic_2d
        sizes = [k * self._grid.dx for k in z.shape]
        model = tm.ModelFactory.createModel(kind, sizes, list(z.shape))
        model.E, model.nu = self.E_star, 0.0
        solver = tm.PolonskyKeerRey(model, np.ascontiguousarray(z), self.tolerance)
        solver.setMaxIterations(10000)
        solver.solve(P)
        p = np.array(model.traction).reshape(z.shape)
        u = np.array(model.displacement).reshape(z.shape)
        contact = p > 0
        g = u - z - (u - z)[contact].mean()
        return p, np.where(contact, 0.0, np.maximum(g, 0.0)), 0

    # ----------------------------------------------------------------------------------
    def ladder(self, pressures: Any, step: float = 0.05) -> ContactLadder:
        """Contacts at the ``pressures`` (Pa, increasing) and K = −dP/dḡ (Pa/m).

        K from the mean gaps at P(1 ± ``step``): central differences, error ~ step²/6.
        """
        Ps = np.asarray(pressures, dtype=float).ravel()
        if Ps.size == 0 or np.any(np.diff(Ps) <= 0):
            raise InputError(f"rough contact: the load ladder must increase strictly, got {Ps}")
        if not 0 < step < 0.5:
            raise InputError(f"rough contact: step must be in (0, 0.5), got {step!r}")
        states = tuple(self.solve(P) for P in Ps)
        K = np.empty(Ps.size)
        for i, P in enumerate(Ps):
            lo, hi = self.solve(P * (1 - step)), self.solve(P * (1 + step))
            K[i] = 2 * step * P / (lo.mean_gap_m - hi.mean_gap_m)
        return ContactLadder(
            Ps,
            np.array([s.area_fraction for s in states]),
            np.array([s.mean_gap_m for s in states]),
            K,
            states,
        )
