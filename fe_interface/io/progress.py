"""A one-line progress bar with ETA for long runs."""

from __future__ import annotations

import math
import os
import sys
import time
from typing import Any

from mpi4py import MPI

__all__ = ["ProgressBar"]


class ProgressBar:
    """A one-line progress bar with ETA on stderr (rank 0).

    Quiet unless stderr is a terminal and the ``CI`` environment variable is unset
    (``enabled`` forces it on or off).
    """

    def __init__(
        self, t0: float, t_end: float, enabled: bool | None = None, stream: Any = None
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", lambda: False)
            enabled = bool(isatty()) and not os.environ.get("CI")
        self.enabled = enabled and MPI.COMM_WORLD.rank == 0
        self.t0, self.t_end = t0, t_end
        self.start = time.perf_counter()
        self._last = -math.inf
        self._width = 0

    @staticmethod
    def _hms(s: float) -> str:
        if not math.isfinite(s):
            return "--:--:--"
        s = round(s)
        return f"{s // 3600:d}:{s // 60 % 60:02d}:{s % 60:02d}"

    def line(self, t: float, step: int, dt: float) -> str:
        """The bar at time ``t`` (s), step number ``step`` and step ``dt`` (s)."""
        span = self.t_end - self.t0
        frac = min(max((t - self.t0) / span, 0.0), 1.0) if span > 0 else 1.0
        elapsed = time.perf_counter() - self.start
        eta = elapsed * (1 - frac) / frac if frac > 0 else math.inf
        n = 30
        fill = round(frac * n)
        return (
            f"[{'#' * fill}{'.' * (n - fill)}] {100 * frac:5.1f}% t={t:.4g} s "
            f"step {step} dt={dt:.3g} s elapsed {self._hms(elapsed)} ETA {self._hms(eta)}"
        )

    def update(self, t: float, step: int, dt: float, force: bool = False) -> None:
        """Redraw the bar (at most every 0.2 s unless ``force``)."""
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._last < 0.2:
            return
        self._last = now
        s = self.line(t, step, dt)
        self.stream.write("\r" + s + " " * max(0, self._width - len(s)))
        self._width = len(s)
        self.stream.flush()

    def close(self, t: float, step: int, dt: float) -> None:
        """Draw the final state and end the line."""
        if self.enabled:
            self.update(t, step, dt, force=True)
            self.stream.write("\n")
            self.stream.flush()
