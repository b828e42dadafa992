"""Normal contact of a rough surface on an elastic half-space: FFT boundary elements.

The micro-mechanics behind an interface law: a rough surface (heights z, m, on a periodic
grid, usually the combined roughness of both faces) pressed against a flat elastic
half-space of contact modulus E* (1/E* = (1 − ν₁²)/E₁ + (1 − ν₂²)/E₂, Pa) at the nominal
pressure P (Pa).  The half-space responds through the periodic Boussinesq kernel in
Fourier space, ũ(q) = 2 p̃(q) / (E* |q|) (the "Westergaard" operator of Stanley & Kato,
J. Tribol. 119 (1997) 481); the contact is the solution of the linear complementarity
problem gap ≥ 0, p ≥ 0, p · gap = 0 with mean pressure P.

* **Elastic** contact is solved by the Polonsky–Keer conjugate gradient (Polonsky & Keer,
  Wear 231 (1999) 206) on scipy FFTs (``engine="fft"``, the default,
  :func:`polonsky_keer`), or by the reference, `Tamaas <https://gitlab.com/tamaas/tamaas>`_
  (Frérot, Anciaux, Rey, Pham-Ba & Molinari, J. Open Source Softw. 5 (2020) 2121): its
  Polonsky–Keer–Rey solver (Rey, Anciaux & Molinari, Comput. Mech. 60 (2017) 69),
  ``engine="tamaas"``.  The two agree to the tolerance (tested); the FFT engine is 7x
  faster at 512² (docs/rough-contact.md, "Cost").
* **Elastic–perfectly-plastic** contact caps the pressure at the hardness H (Pa)
  (p ≤ H; where p = H the asperity flows and the gap may close further: Almqvist et al.,
  Wear 262 (2007) 1295).  Tamaas' solver for it (``KatoSaturated``, a projected gradient)
  took 61 s at 256² on this machine and did not finish at 32² with a tight tolerance;
  here the asperities are flattened around the elastic solver instead: where the
  elastic pressure exceeds H the surface is lowered by the self-compliance times the
  excess, and the elastic contact is solved again, until max p ≤ H (1 + 10⁻³)
  (``plastic_tolerance``).  Checked: bounds and complementarity, and the bearing-area
  limit A_r/A → P/H for H ≪ E* m (tests/unit/model/test_halfspace_contact.py).

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

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np
import scipy.fft as sfft

from fe_interface.errors import InputError, SolverError, on_rank0
from fe_interface.geometry.rough import RoughSurface
from fe_interface.geometry.topography import check_height_map, mirror_periodic
from fe_interface.model.validation import check_positive

__all__ = [
    "DEFAULT_TOLERANCE",
    "ContactLadder",
    "ContactState",
    "HalfSpaceContact",
    "compliance_kernel",
    "polonsky_keer",
    "self_compliance",
]


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
        E_star_Pa: the contact modulus E* of the solve (Pa).
        mirrored: solved with mirror images (``pad=True``: symmetric, insulated sides);
            False: a periodic contact.
    """

    pressure_Pa: float
    area_fraction: float
    mean_gap_m: float
    plastic_fraction: float
    pressure: np.ndarray
    gap: np.ndarray
    contact: np.ndarray
    iterations: int
    E_star_Pa: float = float("nan")
    mirrored: bool = False


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


#: the elastic solvers' default complementarity tolerance (docs/rough-contact.md, "Cost")
DEFAULT_TOLERANCE = {"fft": 1e-8, "tamaas": 1e-10}


# --------------------------------------------------------------------------------------
# the Polonsky-Keer conjugate gradient on FFTs (engine="fft")
# --------------------------------------------------------------------------------------
def compliance_kernel(shape: tuple[int, ...], dx: float, E_star: float) -> np.ndarray:
    """The periodic half-space compliance 2/(E* |q|) (m/Pa per unit area) on the rfftn grid; 0 at q = 0."""
    qs = [2 * np.pi * np.fft.fftfreq(k, d=dx) for k in shape[:-1]]
    qs.append(2 * np.pi * np.fft.rfftfreq(shape[-1], d=dx))
    q = np.sqrt(sum(g**2 for g in np.meshgrid(*qs, indexing="ij")))
    out = np.zeros_like(q)
    out[q > 0] = 2.0 / (E_star * q[q > 0])
    return out


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Σ a b, without BLAS.

    OpenBLAS threads its dot products; on a shared machine the spinning threads cost more
    CPU than the FFTs (the whole solve's CPU time was 3x larger at 512²).
    """
    return float(np.einsum("i,i->", a.ravel(), b.ravel()))


class _Compliance:
    """u = irfftn(rfftn(p) K): the periodic half-space displacement (m) of a pressure (Pa).

    One thread of scipy.fft (pocketfft), the kernel K in the rfftn layout, multiplied in place.
    """

    def __init__(self, kernel: np.ndarray, shape: tuple[int, ...]) -> None:
        self.kernel, self.shape = kernel, shape
        self.axes = tuple(range(len(shape)))

    def __call__(self, p: np.ndarray) -> np.ndarray:
        spec = sfft.rfftn(p, axes=self.axes)
        spec *= self.kernel
        return sfft.irfftn(spec, s=self.shape, axes=self.axes, overwrite_x=True)


def _project(p: np.ndarray, g: np.ndarray, tau: float) -> tuple[bool, bool]:
    """Polonsky-Keer's projection: negative pressures to 0, overlapping points re-enter.

    Returns (whether the contact set changed, whether points entered it).
    """
    neg = p < 0
    left = bool(neg.any())
    if left:
        p[neg] = 0.0
    overlap = (p == 0) & (g < 0)
    entered = bool(overlap.any())
    if entered:
        p[overlap] -= tau * g[overlap]
    return left or entered, entered


def polonsky_keer(
    z: np.ndarray,
    kernel: np.ndarray,
    P: float,
    tol: float,
    max_iter: int = 10000,
    p0: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Elastic contact at mean pressure P: (pressure Pa, gap m, iterations).

    ``p0``: a starting pressure (Pa, ≥ 0, scaled to the mean P), e.g. the contact of a
    nearby problem; default uniform P.

    Polonsky & Keer, Wear 231 (1999) 206: conjugate gradients on the contact set,
    overlapping points re-enter, the load restored by scaling; converged when the
    complementarity Σ p |g| / (N P σ_z) < tol and no point entered in the last step.

    Two changes to the published algorithm, both measured (docs/rough-contact.md, "Cost"):

    * the conjugate directions are kept when points enter the contact set (Polonsky and
      Keer restart them): in the long phase where the set gains and loses a few points per
      iteration a restart turns the method into steepest descent; kept, the same solution
      (same contact set, mean gap to 1e-13) takes 2.4x fewer iterations at 512².  A
      direction that is not a descent direction (g·t ≤ 0) is reset to the gradient;
    * the displacement of the pressure is updated, u(p − τt) = u(p) − τ u(t), and only
      recomputed by an FFT when the projection changed the contact set: one FFT pair per
      iteration once the set has settled, two before.
    """
    u = _Compliance(kernel, z.shape)
    scale = float(np.std(z)) or 1.0
    p = np.full(z.shape, float(P))
    if p0 is not None and p0.mean() > 0:
        p = np.maximum(p0, 0.0) * (P / p0.mean())
    up = u(p)
    g, t, gon, step = (np.zeros(z.shape) for _ in range(4))
    G_old = 1.0
    for it in range(1, max_iter + 1):
        on = p > 0
        n_on = np.count_nonzero(on)
        np.subtract(up, z, out=g)
        g -= g[on].sum() / n_on
        np.multiply(g, on, out=gon)
        G = _dot(gon, gon)
        t *= on
        t *= G / G_old
        t += gon
        gt = _dot(gon, t)
        if gt <= 0.0:  # not a descent direction: restart from the gradient
            t[...] = gon
            gt = G
        G_old = G
        r = u(t)
        tau = gt / (_dot(r, t) - r[on].sum() / n_on * t.sum())
        np.multiply(t, tau, out=step)
        p -= step
        np.multiply(r, tau, out=step)
        up -= step
        changed, entered = _project(p, g, tau)
        f = P / p.mean()
        p *= f
        if changed:
            up = u(p)
        else:
            up *= f
        err = _dot(p, np.abs(gon)) / (P * p.size * scale)
        if err < tol and not entered:
            on = p > 0
            g = u(p) - z
            g -= g[on].mean()
            return p, np.where(on, 0.0, np.maximum(g, 0.0)), it
    raise SolverError(f"rough contact (Polonsky-Keer): no convergence in {max_iter} iterations")


# --------------------------------------------------------------------------------------
# elastic-perfectly-plastic: plastic flattening around the elastic solver
# --------------------------------------------------------------------------------------
def self_compliance(shape: tuple[int, ...], dx: float, E_star: float) -> float:
    """Displacement (m) of a grid point under a unit pressure (Pa) on that point alone."""
    qs = [2 * np.pi * np.fft.fftfreq(k, d=dx) for k in shape]
    q = np.sqrt(sum(g**2 for g in np.meshgrid(*qs, indexing="ij")))
    return float(np.sum(2.0 / (E_star * q[q > 0])) / q.size)


def _elastic_plastic(
    elastic: Any, z: np.ndarray, P: float, H: float, c: float, tol: float, max_iter: int = 500
) -> tuple[np.ndarray, np.ndarray, int]:
    """Pressure capped at H by flattening the asperities where the elastic pressure exceeds it.

    The plastic flow w ≥ 0 lowers the surface where p > H: w += c (p − H)₊ with the
    self-compliance c (a Jacobi step of the complementarity p ≤ H, w (H − p) = 0), each
    step an elastic contact of z − w (``elastic(z, P, p0) -> (p, gap)``, started from the
    previous step's pressure p0), until max p ≤ H (1 + tol).
    The gap is that of the flattened surface.
    """
    w = np.zeros_like(z)
    p = np.full_like(z, P)
    for it in range(1, max_iter + 1):
        p, g = elastic(z - w, P, p)
        excess = p - H
        if excess.max() <= tol * H:
            return p, g, it
        w += c * np.maximum(excess, 0.0)
    raise SolverError(
        f"rough contact (elastic-plastic): the pressure is still above the hardness after "
        f"{max_iter} flattening steps (max p / H = {p.max() / H:.4g})"
    )


# --------------------------------------------------------------------------------------
# the contact
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HalfSpaceContact:
    """A rough surface against an elastic (–perfectly-plastic) half-space.

    Args:
        surface: the (combined) roughness, heights in m; periodic, or ``pad=True``.
        E_star: contact modulus E* (Pa), 1/E* = Σ (1 − νᵢ²)/Eᵢ.
        hardness: H (Pa) for elastic–perfectly-plastic contact (p ≤ H); None: elastic.
        tolerance: relative complementarity tolerance of the elastic solver; None: the
            engine's default, :data:`DEFAULT_TOLERANCE` (``"fft"``: 1e-8, where A_r/A and the
            mean gap agree with a 1e-13 solve within 1e-4, tested, measured ≤ 1.5e-7;
            ``"tamaas"``: 1e-10).
        plastic_tolerance: elastic–plastic contact: max p ≤ H (1 + plastic_tolerance).
        engine: the elastic solver: ``"fft"`` (default: the Polonsky-Keer algorithm on
            scipy FFTs, :func:`polonsky_keer`; 7x faster than Tamaas at 512², docs/rough-contact.md)
            or ``"tamaas"`` (Tamaas' PKR, the reference: the two agree to the tolerance, tested).
        pad: a non-periodic surface is made periodic by mirror images
            (:func:`~fe_interface.geometry.topography.mirror_periodic`); the fields are
            returned on the original grid.
        comm: the contact is solved on its rank 0 and broadcast.
    """

    surface: RoughSurface
    E_star: float
    hardness: float | None = None
    tolerance: float | None = None
    plastic_tolerance: float = 1e-3
    pad: bool = False
    engine: str = "fft"
    comm: Any = field(default_factory=lambda: MPI.COMM_WORLD, compare=False)
    _grid: RoughSurface = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.surface, RoughSurface):
            raise InputError(
                f"rough contact: surface must be a RoughSurface, got {type(self.surface).__name__}"
            )
        check_height_map(self.surface.z, self.surface.dx, "rough contact: surface")
        object.__setattr__(
            self, "E_star", check_positive(self.E_star, "E_star", "Pa", "rough contact")
        )
        if self.hardness is not None:
            object.__setattr__(
                self, "hardness", check_positive(self.hardness, "hardness", "Pa", "rough contact")
            )
        if self.engine not in DEFAULT_TOLERANCE:
            raise InputError(
                f"rough contact: engine must be 'tamaas' or 'fft', got {self.engine!r}"
            )
        tol = DEFAULT_TOLERANCE[self.engine] if self.tolerance is None else self.tolerance
        object.__setattr__(
            self, "tolerance", check_positive(tol, "tolerance", owner="rough contact")
        )
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
        P = check_positive(pressure, "pressure", "Pa", "rough contact")
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
            p, g = self._elastic(z, P)
            it = 1
        else:
            c = self_compliance(z.shape, self._grid.dx, self.E_star)
            p, g, it = _elastic_plastic(
                self._elastic, z, P, self.hardness, c, self.plastic_tolerance
            )
        if self.pad:  # the original quarter (half of a profile)
            sl = tuple(slice(0, k) for k in self.surface.z.shape)
            p, g = p[sl], g[sl]
        contact = p > 0
        H = self.hardness
        plastic = float(np.mean(p >= H * (1 - self.plastic_tolerance))) if H else 0.0
        return ContactState(
            P,
            float(contact.mean()),
            float(g.mean()),
            plastic,
            p,
            np.where(contact, 0.0, g),
            contact,
            int(it),
            self.E_star,
            self.pad,
        )

    def _elastic(
        self, z: np.ndarray, P: float, p0: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Elastic contact of z (m) at P (Pa): (pressure Pa, gap m); ``p0`` starts the FFT engine."""
        assert self.tolerance is not None  # set in __post_init__
        if self.engine == "fft":
            kernel = compliance_kernel(z.shape, self._grid.dx, self.E_star)
            p, g, _ = polonsky_keer(z, kernel, P, self.tolerance, p0=p0)
            return p, g
        try:
            import tamaas as tm
        except ImportError:
            raise InputError(
                "rough contact: the FFT boundary-element solver Tamaas is not installed "
                "(pip install 'fe_interface[rough]', or engine='fft')"
            ) from None
        tm.set_log_level(tm.LogLevel.error)
        kind = tm.model_type.basic_1d if z.ndim == 1 else tm.model_type.basic_2d
        sizes = [k * self._grid.dx for k in z.shape]
        model = tm.ModelFactory.createModel(kind, sizes, list(z.shape))
        model.E, model.nu = self.E_star, 0.0
        solver = tm.PolonskyKeerRey(model, np.ascontiguousarray(z), self.tolerance)
        solver.max_iter = 10000
        try:
            solver.solve(P)
        except (FloatingPointError, RuntimeError) as e:  # Tamaas: one-node contact -> NaN
            raise SolverError(
                f"rough contact: the elastic solver failed at P = {P:.4g} Pa ({e}); the contact "
                "is probably a single grid point: refine the grid or raise the load"
            ) from None
        p = np.array(model.traction).reshape(z.shape)
        u = np.array(model.displacement).reshape(z.shape)
        contact = p > 0
        g = u - z - (u - z)[contact].mean()
        return p, np.where(contact, 0.0, np.maximum(g, 0.0))

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

    def punch_stiffness(self, state: ContactState, tolerance: float = 1e-10) -> float:
        """K (Pa/m) of the contact area of ``state`` held fixed: a rigid flat punch of its shape.

        Barber's premise: the incremental stiffness −dP/dḡ of an elastic contact is the
        stiffness of its current contact area pressed as a rigid flat punch (the area's
        growth adds nothing at first order: the pressure vanishes at a smooth edge).  This
        is that stiffness for the discrete contact set, without the finite-difference step
        of :meth:`ladder`: the pressure increment dp on the contact points whose
        displacement is 1 m there (conjugate gradients on the FFT compliance; dp = 0
        elsewhere) gives K = mean(dp) / 1 m.  ``tolerance``: relative residual.
        """
        K = on_rank0(self.comm, lambda: self._punch_rank0(state, tolerance))
        return float(self.comm.bcast(K, root=0))

    def _punch_rank0(self, state: ContactState, tolerance: float) -> float:
        mask = np.asarray(state.contact, dtype=bool)
        if self.pad:
            for ax in range(mask.ndim):
                mask = np.concatenate([mask, np.flip(mask, axis=ax)], axis=ax)
        if mask.shape != self._grid.z.shape or not mask.any() or mask.all():
            raise InputError("rough contact: punch_stiffness needs a state of this contact")
        u = _Compliance(compliance_kernel(mask.shape, self._grid.dx, self.E_star), mask.shape)
        x = np.zeros(int(mask.sum()))
        r = np.ones_like(x)  # the residual of A x = 1 (m) on the contact points
        d = r.copy()
        rr = _dot(r, r)
        full = np.zeros(mask.shape)
        for _ in range(10 * x.size + 100):
            full[mask] = d
            Ad = u(full)[mask]
            alpha = rr / _dot(d, Ad)
            x += alpha * d
            r -= alpha * Ad
            rr, rr_old = _dot(r, r), rr
            if np.sqrt(rr / x.size) < tolerance:
                return float(x.sum() / mask.size)
            d = r + (rr / rr_old) * d
        raise SolverError("rough contact: punch_stiffness did not converge")
