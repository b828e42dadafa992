"""A staggered (block Gauss–Seidel) fixed-point iteration x = H(x) and its acceleration.

A coupled problem passes an interface quantity x between two solvers (the temperature
given to the mechanics of a thermo-mechanical contact: cell-wise DG values, K); one pass
of both gives x̃ = H(x) and the residual r = x̃ − x.  :class:`FixedPointAcceleration`
chooses the next x:

* ``"iqn-ils"`` (default): the interface quasi-Newton method with an inverse Jacobian
  from least squares (Degroote, Bathe & Vierendeels, Comput. Struct. 87 (2009)
  793–801): with the differences V = [r_k − r_i], W = [x̃_k − x̃_i] of the last
  ``history`` iterations, c = argmin |V c + r_k| and x_{k+1} = x̃_k + W c — a secant
  Newton step on the coupled residual, which converges where the plain iteration
  diverges (a closing gap makes the pressure, and so the conductance, very sensitive to
  the temperature);
* ``"aitken"``: Aitken's dynamic relaxation (Küttler & Wall, Comput. Mech. 43 (2008)
  61–72), x_{k+1} = x_k + ω_k r_k;
* ``"none"``: x_{k+1} = x_k + ω r_k with the constant ``relaxation`` ω.

The first step is always relaxed with ``relaxation``.  Inner products run over the owned
entries of all ranks (the same x on every partition).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from mpi4py import MPI

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.validation import check_positive

__all__ = ["ACCELERATIONS", "FixedPointAcceleration", "StaggeredOptions", "StaggeredStep"]

ACCELERATIONS = ("iqn-ils", "aitken", "none")


@dataclass(frozen=True)
class StaggeredOptions:
    """The staggered iteration of a coupled problem.

    Attributes:
        max_iterations: limit of iterations (≥ 1).
        temperature_atol: K, > 0.
        pressure_rtol: dimensionless, > 0.
        relaxation: ω in (0, 1] applied to the temperature passed on at the first step
            (and at every step with ``acceleration="none"``).
        acceleration: "iqn-ils" (quasi-Newton, default), "aitken" or "none"
            (:class:`FixedPointAcceleration`).
    """

    max_iterations: int = 30
    temperature_atol: float = 1.0e-6
    pressure_rtol: float = 1.0e-6
    relaxation: float = 0.5
    acceleration: str = "iqn-ils"

    def __post_init__(self) -> None:
        owner = "staggered options"
        if not isinstance(self.max_iterations, int) or self.max_iterations < 1:
            raise InputError(
                f"{owner}: max_iterations must be an integer >= 1, got {self.max_iterations!r}"
            )
        for name in ("temperature_atol", "pressure_rtol"):
            object.__setattr__(self, name, check_positive(getattr(self, name), name, "", owner))
        w = check_positive(self.relaxation, "relaxation", "", owner)
        if w > 1.0:
            raise InputError(f"{owner}: relaxation must lie in (0, 1], got {w!r}")
        object.__setattr__(self, "relaxation", w)
        if self.acceleration not in ACCELERATIONS:
            raise InputError(
                f"{owner}: acceleration must be one of {list(ACCELERATIONS)}, got {self.acceleration!r}"
            )


class StaggeredStep(NamedTuple):
    """One staggered iteration.

    Attributes:
        iteration: k (1-based).
        temperature_change_K: max |T̃_k − T_{k−1}|, K.
        pressure_change: max |P_k − P_{k−1}| / max P_k (dimensionless; inf at k = 1).
        newton_iterations: Newton steps of this iteration's mechanics solve (0 if none).
        augmentations: its augmented-Lagrangian updates.
        thermal_newton_iterations: Newton steps of the heat solve (0 if linear).
        time_s: wall time of the iteration (this rank), s.
        cpu_s: CPU time of this process in the iteration, s.
    """

    iteration: int
    temperature_change_K: float
    pressure_change: float
    newton_iterations: int
    augmentations: int
    thermal_newton_iterations: int
    time_s: float = 0.0
    cpu_s: float = 0.0


class FixedPointAcceleration:
    """The next iterate of x = H(x) from x and x̃ = H(x) (module docstring).

    Args:
        comm: the communicator of x.
        owned: how many leading entries of x this rank owns.
        kind: one of :data:`ACCELERATIONS`.
        relaxation: ω of the first step (and of every step with ``kind="none"``).
    """

    history = 5

    def __init__(self, comm: MPI.Comm, owned: int, kind: str, relaxation: float) -> None:
        self.comm = comm
        self.owned = owned
        self.kind = kind
        self.omega = relaxation
        self.past: list[tuple[np.ndarray, np.ndarray]] = []  # (r, x̃), newest last

    def _gram(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        """Aᵀ B over the owned entries of all ranks (A, B: (n, m) or (n,))."""
        n = self.owned
        return self.comm.allreduce(A[:n].T @ B[:n], op=MPI.SUM)

    def next(self, x: np.ndarray, xt: np.ndarray) -> np.ndarray:
        """The next x from the iterate x and x̃ = H(x) (the same shape)."""
        r = xt - x
        if self.past and self.kind == "iqn-ils":
            V = np.stack([r - rp for rp, _ in reversed(self.past)], axis=1)
            W = np.stack([xt - xp for _, xp in reversed(self.past)], axis=1)
            c = np.linalg.lstsq(self._gram(V, V), -self._gram(V, r), rcond=1e-12)[0]
            out = xt + W @ c
        else:
            if self.past and self.kind == "aitken":
                dr = r - self.past[-1][0]
                den = float(self._gram(dr, dr))
                if den > 0.0:
                    self.omega = (
                        float(-self.omega * self._gram(self.past[-1][0], dr) / den) or 1e-12
                    )
            out = x + self.omega * r
        self.past = [*self.past, (r, xt)][-self.history :]
        return out
