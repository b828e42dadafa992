"""Values that change in time (case files): tables of t and steps, read with their key paths.

A boundary, source or fixed temperature may be given as a function of time t (s) in a
transient case; :func:`read_time_value` reads it (validate stage), :func:`time_value` turns it
into the model's :class:`~fe_interface.model.time.TimeFunction` (build stage).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from fe_interface.case.checker import Checker, is_number, join_path
from fe_interface.case.values import read_expression_value

__all__ = ["TimeValue", "read_time_value", "time_value"]


@dataclass(frozen=True)
class TimeValue:
    """A value given as a function of time t (s).

    Piecewise linear through the points (``times``, ``values``), constant beyond the ends.
    """

    times: tuple[float, ...]
    values: tuple[float, ...]

    def __call__(self, t: float) -> float:
        """The value at time ``t`` (s)."""
        return float(np.interp(t, self.times, self.values))


def time_value(v: Any) -> Any:
    """A case value for the model.

    Numbers as they are, a :class:`TimeValue` as a
    :class:`~fe_interface.model.time.TimeFunction`.
    """
    if isinstance(v, TimeValue):
        from fe_interface.model.time import TimeFunction

        tf: TimeFunction = TimeFunction(v, 1.0)
        return tf
    return v


def read_time_value(
    c: Checker, d: Mapping[str, Any], key: str, path: str, gt: float | None = None,
    ge: float | None = None, unit: str | None = None, temperature: bool = False,
) -> Any:  # fmt: skip
    """A number, or a value given in time t (s) as a table or a step.

    The forms::

        value = { table = [[0.0, 300.0], [10.0, 350.0]] }  # (t s, value) points, linear
        value = { value = 2e5, start = 1e-3 }              # 0 before t = 1 ms
        value = { value = 350.0, start = 5.0, before = 300.0 }

    and the expressions, tables of a variable and temperature units of
    :mod:`fe_interface.case.values` (``temperature``: the value is a temperature, K).
    Every value obeys the same bounds (and magnitudes of its ``unit``) as a plain number.
    """
    v = d.get(key)
    p = join_path(path, key)
    if isinstance(v, str) or (
        isinstance(v, dict) and ({"expression", "variable", "unit"} & set(v)) and "start" not in v
    ):
        return read_expression_value(c, d, key, path, gt=gt, ge=ge, temperature=temperature)
    if not isinstance(v, dict):
        return c.number(d, key, path, gt=gt, ge=ge, unit=unit)
    n0 = len(c.errors)
    if "table" in v:
        c.keys(v, p, ("table",))
        tab = v["table"]
        ok = (
            isinstance(tab, list)
            and len(tab) >= 1
            and all(
                isinstance(r, list) and len(r) == 2 and all(is_number(x) for x in r) for r in tab
            )
        )
        if not ok:
            c.error(f"{p}.table", f"must be an array of [t (s), value] pairs, got {tab!r}")
            return None
        times = [float(r[0]) for r in tab]
        values = [float(r[1]) for r in tab]
        if not all(math.isfinite(x) for x in times + values):
            c.error(f"{p}.table", "times and values must be finite")
        elif any(b <= a for a, b in pairwise(times)):
            c.error(f"{p}.table", f"times must increase strictly, got {times}")
        for i, x in enumerate(values):
            c.number({f"table[{i}]": x}, f"table[{i}]", p, gt=gt, ge=ge, unit=unit)
        return TimeValue(tuple(times), tuple(values)) if len(c.errors) == n0 else None
    c.keys(v, p, ("value", "start", "before"), ("value", "start"))
    val = c.number(v, "value", p, gt=gt, ge=ge, unit=unit)
    start = c.number(v, "start", p, ge=0)
    before = c.number(v, "before", p, gt=gt, ge=ge, default=0.0, unit=unit)
    if gt is not None and "before" not in v and 0.0 <= gt:
        c.error(f"{p}.before", f"required: the value before 'start' must be > {gt:g} too")
    if len(c.errors) > n0 or val is None or start is None:
        return None
    eps = max(abs(start), 1.0) * 1e-12
    return TimeValue((start, start + eps), (before, val))
