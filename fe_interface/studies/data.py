"""Measured temperatures: probe points, times, values and standard uncertainties.

A measurement file is CSV with a header row; columns (any order, SI units):

=================  ==========================================================
``x_m``, ``y_m``   the probe position, m (``z_m`` too for 3D meshes)
``T_K``            the measured temperature, K
``sigma_K``        its standard uncertainty, K (> 0; or one value for all rows)
``time_s``         the time of the reading, s (transient cases only)
``name``           a label (default ``row<i>``)
``region``         the region the point lies in (needed only on an interface)
=================  ==========================================================

Every value is checked when read: a missing column, a non-finite number or a
non-positive uncertainty is one error naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fe_interface.errors import InputError

__all__ = ["Observations", "read_measurements"]

_COLUMNS = ("x_m", "y_m", "z_m", "T_K", "sigma_K", "time_s", "name", "region")


@dataclass(frozen=True)
class Observations:
    """Measured temperatures (one row per reading).

    Attributes:
        points: (n, 3) probe positions, m.
        values: (n,) measured temperatures, K.
        sigma: (n,) standard uncertainties, K.
        times: (n,) times of the readings, s, or None (steady).
        names: a label per row.
        regions: per row, the region the point must lie in, or None.
        source: where they came from (messages).
    """

    points: np.ndarray
    values: np.ndarray
    sigma: np.ndarray
    times: np.ndarray | None = None
    names: tuple[str, ...] = ()
    regions: tuple[str | None, ...] = ()
    source: str = "data"

    def __post_init__(self) -> None:
        pts = np.atleast_2d(np.asarray(self.points, dtype=float))
        n = len(pts)
        if pts.shape[1] < 3:
            pts = np.hstack([pts, np.zeros((n, 3 - pts.shape[1]))])
        object.__setattr__(self, "points", pts)
        vals = np.broadcast_to(np.asarray(self.values, dtype=float), (n,)).copy()
        sig = np.broadcast_to(np.asarray(self.sigma, dtype=float), (n,)).copy()
        object.__setattr__(self, "values", vals)
        object.__setattr__(self, "sigma", sig)
        if self.times is not None:
            t = np.broadcast_to(np.asarray(self.times, dtype=float), (n,)).copy()
            object.__setattr__(self, "times", t)
        if not self.names:
            object.__setattr__(self, "names", tuple(f"row{i}" for i in range(n)))
        if not self.regions:
            object.__setattr__(self, "regions", (None,) * n)
        if len(self.names) != n or len(self.regions) != n:
            raise InputError(f"{self.source}: {n} points but {len(self.names)} names")
        self._check()

    def _check(self) -> None:
        for what, arr in (("point", self.points), ("T_K", self.values), ("sigma_K", self.sigma)):
            bad = np.flatnonzero(~np.all(np.isfinite(arr.reshape(len(arr), -1)), axis=1))
            if bad.size:
                i = int(bad[0])
                raise InputError(
                    f"{self.source}: {self.names[i]}: {what} is not a finite number "
                    f"({arr[i].tolist()})"
                )
        bad = np.flatnonzero(self.sigma <= 0)
        if bad.size:
            i = int(bad[0])
            raise InputError(
                f"{self.source}: {self.names[i]}: sigma_K must be > 0 (a standard uncertainty), "
                f"got {self.sigma[i]!r}"
            )
        if self.times is not None:
            bad = np.flatnonzero(~np.isfinite(self.times) | (self.times < 0))
            if bad.size:
                i = int(bad[0])
                raise InputError(
                    f"{self.source}: {self.names[i]}: time_s must be a finite time >= 0, got "
                    f"{self.times[i]!r}"
                )
        if not len(self.values):
            raise InputError(f"{self.source}: no measurements")

    def __len__(self) -> int:
        return len(self.values)

    def unique_points(self) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
        """(distinct (point, region) pairs (m, 3), index of each row's pair, their regions)."""
        keys: dict[tuple[Any, ...], int] = {}
        index = np.empty(len(self), dtype=np.int64)
        for i, (p, r) in enumerate(zip(self.points, self.regions, strict=True)):
            index[i] = keys.setdefault((*map(float, p), r), len(keys))
        pts = np.array([k[:3] for k in keys], dtype=float).reshape(-1, 3)
        return pts, index, [k[3] for k in keys]

    def with_values(self, values: Sequence[float] | np.ndarray) -> Observations:
        """The same points and uncertainties with other values (synthetic data)."""
        return Observations(
            self.points, np.asarray(values, float), self.sigma, self.times, self.names,
            self.regions, self.source,
        )  # fmt: skip


def _number(row: dict[str, str], col: str, where: str) -> float:
    raw = (row.get(col) or "").strip()
    try:
        v = float(raw)
    except ValueError:
        raise InputError(f"{where}, column {col!r}: not a number: {raw!r}") from None
    if not math.isfinite(v):
        raise InputError(f"{where}, column {col!r}: not a finite number: {raw!r}")
    return v


def read_measurements(path: str | Path, sigma: float | None = None) -> Observations:
    """Read a measurement CSV (module docstring).

    Args:
        path: the file.
        sigma: standard uncertainty (K) of every row, for files without ``sigma_K``.

    Raises:
        InputError: the file is missing or unreadable, a column is missing or unknown, or a
            value is not a finite number, naming the file, line and column.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"measurement file {path}: cannot read it ({e})") from None
    rows = list(csv.DictReader(line for line in text.splitlines() if line.strip()))
    header = [h.strip() for h in (csv.DictReader(text.splitlines()).fieldnames or [])]
    unknown = [h for h in header if h not in _COLUMNS]
    if unknown:
        raise InputError(f"{path}: unknown column(s) {unknown} (columns: {', '.join(_COLUMNS)})")
    need = ["x_m", "T_K"] + ([] if sigma is not None else ["sigma_K"])
    missing = [c for c in need if c not in header]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}")
    if not rows:
        raise InputError(f"{path}: no measurements (only a header)")
    pts, vals, sig, times, names, regions = [], [], [], [], [], []
    for i, raw in enumerate(rows):
        row = {k.strip(): v for k, v in raw.items() if k is not None}
        where = f"{path}, line {i + 2}"
        pts.append([_number(row, c, where) if c in header else 0.0 for c in ("x_m", "y_m", "z_m")])
        vals.append(_number(row, "T_K", where))
        sig.append(_number(row, "sigma_K", where) if "sigma_K" in header else float(sigma or 0))
        if "time_s" in header:
            times.append(_number(row, "time_s", where))
        names.append((row.get("name") or "").strip() or f"line{i + 2}")
        regions.append((row.get("region") or "").strip() or None)
    return Observations(
        np.array(pts), np.array(vals), np.array(sig), np.array(times) if times else None,
        tuple(names), tuple(regions), str(path),
    )  # fmt: skip
