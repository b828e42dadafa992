"""Named fields given at points, read from a file (as Abaqus' predefined field variables).

A :class:`PointField` holds values at scattered points (m) and interpolates them
linearly: on the Delaunay triangulation of the points in their own affine hull (a line
of points: piecewise linear along it; points in a plane: triangles in that plane; a
cloud: tetrahedra).  Where a field is used (an interface, a boundary, a region) every
point must lie in the points' hull (within 10⁻⁶ of their extent): a point outside is
*missing* and an :class:`~fe_interface.errors.InputError` names it — the field is never
extrapolated.

The file (:meth:`PointField.read`) is text: one point per line, ``x, y, value`` (2D) or
``x, y, z, value`` (3D), separated by commas or blanks; lines starting with ``#`` and an
optional first line of column names are skipped.  Units: coordinates in m, the value in
whatever unit the expression that uses it expects (a field is a plain number, like an
Abaqus field variable).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fe_interface.errors import InputError

__all__ = ["PointField"]

_REL_TOL = 1e-6


@dataclass(frozen=True, eq=False)
class PointField:
    """A scalar field at points, interpolated linearly (see the module docstring).

    Args:
        name: the field's name (in expressions).
        points: (n, 2) or (n, 3) coordinates, m.
        values: (n,) finite values.
        source: where the values come from (a file), for messages.
    """

    name: str
    points: Any
    values: Any
    source: str = ""
    _basis: Any = field(init=False, default=None, repr=False)
    _interp: Any = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        what = f"field {self.name!r}" + (f" ({self.source})" if self.source else "")
        P = np.asarray(self.points, dtype=float)
        v = np.asarray(self.values, dtype=float).ravel()
        if P.ndim != 2 or P.shape[1] not in (2, 3) or P.shape[0] != v.size or v.size == 0:
            raise InputError(f"{what}: needs n points (n, 2 or 3) and n values, got {P.shape}")
        if not (np.all(np.isfinite(P)) and np.all(np.isfinite(v))):
            raise InputError(f"{what}: points and values must be finite")
        P3 = np.zeros((P.shape[0], 3))
        P3[:, : P.shape[1]] = P
        if len(np.unique(np.round(P3, 14), axis=0)) != len(P3):
            raise InputError(f"{what}: two values are given at the same point")
        object.__setattr__(self, "points", P3)
        object.__setattr__(self, "values", v)
        c = P3.mean(axis=0)
        extent = float(np.ptp(P3, axis=0).max()) if len(P3) > 1 else 0.0
        _, s, vt = np.linalg.svd(P3 - c, full_matrices=False)
        rank = int(np.sum(s > 1e-9 * max(s.max(initial=0.0), 1e-300)))
        basis = vt[:rank]
        object.__setattr__(self, "_basis", (c, basis, max(extent, 1e-300)))
        q = (P3 - c) @ basis.T
        if rank >= 2:
            from scipy.interpolate import LinearNDInterpolator

            interp: Any = LinearNDInterpolator(q, v, fill_value=np.nan)
        elif rank == 1:
            order = np.argsort(q[:, 0])
            xs, ys = q[order, 0], v[order]
            interp = _Line(xs, ys, _REL_TOL * extent)
        else:
            interp = _Line(np.zeros(1), v[:1], 0.0)
        object.__setattr__(self, "_interp", interp)

    @classmethod
    def read(cls, path: str | Path, name: str) -> PointField:
        """The field ``name`` from a text file (see the module docstring).

        Raises:
            InputError: the file is missing or unreadable, a line is not numbers or has
                another number of columns, a value is not finite, two values at one point.
        """
        path = Path(path)
        if not path.is_file():
            raise InputError(f"field {name!r}: file not found: {path}")
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"field {name!r}: cannot read {path}: {e}") from None
        rows: list[list[float]] = []
        for i, line in enumerate(lines, start=1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            cells = [c for c in re.split(r"[,\s;]+", s) if c]
            try:
                nums = [float(c) for c in cells]
            except ValueError:
                if not rows:  # a header of column names
                    continue
                raise InputError(f"field {name!r}: {path}, line {i}: not numbers: {s!r}") from None
            if len(nums) not in (3, 4) or (rows and len(nums) != len(rows[0])):
                want = f"{len(rows[0])}" if rows else "3 (x, y, value) or 4 (x, y, z, value)"
                raise InputError(
                    f"field {name!r}: {path}, line {i}: {len(nums)} columns, expected {want}"
                )
            if not all(math.isfinite(x) for x in nums):
                raise InputError(f"field {name!r}: {path}, line {i}: not finite: {s!r}")
            rows.append(nums)
        if not rows:
            raise InputError(f"field {name!r}: {path} has no points")
        a = np.array(rows)
        return cls(name, a[:, :-1], a[:, -1], str(path))

    def missing(self, x: Any) -> int | None:
        """The index of the first point of ``x`` ((3, m) or (2, m), m) outside the field."""
        bad = np.flatnonzero(~np.isfinite(self._evaluate(x)))
        return int(bad[0]) if bad.size else None

    def _evaluate(self, x: Any) -> np.ndarray:
        """Values at points ``x`` ((3, m) or (2, m), m); NaN where missing."""
        X = np.atleast_2d(np.asarray(x, dtype=float))
        X3 = np.zeros((X.shape[1], 3))
        X3[:, : X.shape[0]] = X.T
        c, basis, extent = self._basis
        d = X3 - c
        q = d @ basis.T
        off = np.linalg.norm(d - q @ basis, axis=1) > _REL_TOL * extent
        vals = np.asarray(self._interp(q), dtype=float).ravel()
        vals[off] = np.nan
        return vals

    def __call__(self, x: Any) -> np.ndarray:
        """Values at points ``x`` ((3, m), m); InputError naming the first missing point."""
        vals = self._evaluate(x)
        bad = np.flatnonzero(~np.isfinite(vals))
        if bad.size:
            p = np.atleast_2d(np.asarray(x, dtype=float))[:, int(bad[0])]
            raise InputError(
                f"field {self.name!r}: no value at x = {[round(float(v), 12) for v in p]} m "
                f"(outside the field's points{' in ' + self.source if self.source else ''}; "
                f"{bad.size} of {vals.size} points missing)"
            )
        return vals


class _Line:
    """Piecewise-linear interpolation along one coordinate; NaN outside (beyond tol)."""

    def __init__(self, xs: np.ndarray, ys: np.ndarray, tol: float) -> None:
        self.xs, self.ys, self.tol = xs, ys, tol

    def __call__(self, q: np.ndarray) -> np.ndarray:
        s = q[:, 0] if q.ndim == 2 and q.shape[1] else np.zeros(len(q))
        out = np.interp(s, self.xs, self.ys)
        out[(s < self.xs[0] - self.tol) | (s > self.xs[-1] + self.tol)] = np.nan
        return out
