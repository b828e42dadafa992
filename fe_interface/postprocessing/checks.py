"""Checks of computed values against exact values or bounds (demos, verification).

A :class:`Check` holds one computed number, what it must match and how closely:

* ``kind="close"`` (default): ``|computed − expected| ≤ atol + rtol·|expected|``;
* ``kind="range"``: lo ≤ computed ≤ hi, stored as the midpoint ``expected`` and the
  half-width ``atol`` (:meth:`Check.within`): the ``close`` condition with rtol = 0;
* ``kind="max"``: ``computed ≤ expected`` (an upper bound, e.g. a ratio that must stay
  below 1); ``kind="min"``: ``computed ≥ expected`` (a lower bound).
  Every check also says how closely a serial and a parallel run
must agree (``parallel_rtol``): 1e-10 for values solved to round-off with the direct
solver, larger where the value amplifies round-off (a finite difference in time, a
fitted slope, ...); ``None`` for values that are round-off themselves (an energy-balance
residual of 1e-13: serial and parallel differ by 100 % and that means nothing; each run
is checked against its own bound instead).

A check is a NamedTuple (JSON: a list in field order; ``_asdict()`` for names) with
validated fields: tolerances finite and ≥ 0, the expected value finite.  A computed NaN
is not an input error: it fails the check.

Usage::

    checks = {"contact_jump_K": Check(jump, q * R, rtol=1e-9, note="1D: P1 exact")}
    print(format_checks(checks))
    assert not failures(checks)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from fe_interface.errors import InputError
from fe_interface.model.validation import is_real

__all__ = ["KINDS", "Check", "checks_as_json", "compare_runs", "failures", "format_checks"]

#: kinds of check -> the condition (text)
KINDS = {
    "close": "|computed - expected| <= atol + rtol |expected|",
    "range": "expected - atol <= computed <= expected + atol",
    "max": "computed <= expected",
    "min": "computed >= expected",
}


def _real(value: Any, what: str) -> float:
    if not is_real(value):
        raise InputError(f"Check: {what} must be a real number, got {value!r}")
    return float(value)


def _tolerance(value: Any, what: str) -> float:
    v = _real(value, what)
    if not (math.isfinite(v) and v >= 0.0):
        raise InputError(f"Check: {what} must be a finite number >= 0, got {value!r}")
    return v


class _CheckFields(NamedTuple):
    computed: float
    expected: float
    rtol: float
    atol: float
    parallel_rtol: float | None
    note: str
    kind: str


class Check(_CheckFields):
    """One computed value against its exact value (or bound) and tolerances.

    Attributes:
        computed: the computed value (units in the key of the dict holding the check).
        expected: the exact value (``close``) or the bound (``max``/``min``).
        rtol, atol: ``close``: |computed − expected| ≤ atol + rtol·|expected|.
        parallel_rtol: serial and parallel runs agree to
            |c_p − c_s| ≤ parallel_rtol·max(|c_s|, |c_p|); None: not compared (a
            round-off quantity, e.g. a balance residual: each run meets its own bound).
        note: why this tolerance (discretisation error, solver tolerance, conditioning).
        kind: "close", "range", "max" or "min" (:data:`KINDS`).

    Raises:
        InputError: a tolerance that is negative or not finite, an expected value that
            is not finite, an unknown kind.
    """

    __slots__ = ()

    def __new__(  # noqa: D102  (the class docstring documents the fields)
        cls,
        computed: float,
        expected: float,
        rtol: float = 0.0,
        atol: float = 0.0,
        parallel_rtol: float | None = 1e-10,
        note: str = "",
        kind: str = "close",
    ) -> Check:
        if kind not in KINDS:
            raise InputError(f"Check: kind must be one of {list(KINDS)}, got {kind!r}")
        c = _real(computed, "computed")
        e = _real(expected, "expected")
        if not math.isfinite(e):
            raise InputError(f"Check: expected must be finite, got {expected!r}")
        rt, at = _tolerance(rtol, "rtol"), _tolerance(atol, "atol")
        pr = None if parallel_rtol is None else _tolerance(parallel_rtol, "parallel_rtol")
        if kind in ("max", "min") and (rt or at):
            raise InputError(f"Check: a {kind!r} bound takes no rtol/atol")
        if kind == "range" and (rt or not at):
            raise InputError("Check: a range is the midpoint and atol > 0 (the half-width)")
        return super().__new__(cls, c, e, rt, at, pr, str(note), kind)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def at_most(
        cls, computed: float, bound: float, parallel_rtol: float | None = 1e-10, note: str = ""
    ) -> Check:
        """Computed ≤ bound."""
        return cls(computed, bound, parallel_rtol=parallel_rtol, note=note, kind="max")

    @classmethod
    def at_least(
        cls, computed: float, bound: float, parallel_rtol: float | None = 1e-10, note: str = ""
    ) -> Check:
        """Computed ≥ bound."""
        return cls(computed, bound, parallel_rtol=parallel_rtol, note=note, kind="min")

    @classmethod
    def within(
        cls,
        computed: float,
        lower: float,
        upper: float,
        parallel_rtol: float | None = 1e-10,
        note: str = "",
    ) -> Check:
        """Lower ≤ computed ≤ upper (kind "range": the midpoint and atol = half-width)."""
        lo, hi = _real(lower, "lower"), _real(upper, "upper")
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise InputError(f"Check.within: need finite lower < upper, got {lower!r}, {upper!r}")
        return cls(computed, 0.5 * (lo + hi), 0.0, 0.5 * (hi - lo), parallel_rtol, note, "range")

    @property
    def bounds(self) -> tuple[float, float]:
        """(lower, upper) of the accepted values (±inf where unbounded)."""
        if self.kind == "max":
            return (-math.inf, self.expected)
        if self.kind == "min":
            return (self.expected, math.inf)
        return (self.expected - self.tolerance, self.expected + self.tolerance)

    # ------------------------------------------------------------------ evaluation
    @property
    def tolerance(self) -> float:
        """The allowed |computed − expected| of a ``close`` check (0 for bounds)."""
        return (
            self.atol + self.rtol * abs(self.expected) if self.kind in ("close", "range") else 0.0
        )

    @property
    def error(self) -> float:
        """|computed − expected| (NaN if computed is NaN)."""
        return abs(self.computed - self.expected)

    @property
    def relative_error(self) -> float:
        """|computed − expected| / |expected| (the absolute error if expected is 0)."""
        return self.error / abs(self.expected) if self.expected != 0.0 else self.error

    @property
    def passed(self) -> bool:
        """True if the computed value satisfies the check (never for NaN)."""
        c = self.computed
        if math.isnan(c):
            return False
        if self.kind == "max":
            return c <= self.expected
        if self.kind == "min":
            return c >= self.expected
        return self.error <= self.tolerance

    def describe_tolerance(self) -> str:
        """The condition in words: ``rtol 1e-09``, ``atol 5``, ``<= 1``..."""
        if self.kind == "max":
            return f"<= {self.expected:.6g}"
        if self.kind == "min":
            return f">= {self.expected:.6g}"
        if self.kind == "range":
            lo, hi = self.bounds
            return f"in [{lo:.6g}, {hi:.6g}]"
        parts = [f"rtol {self.rtol:.3g}"] if self.rtol else []
        parts += [f"atol {self.atol:.3g}"] if self.atol or not self.rtol else []
        return " + ".join(parts)

    def failure(self, key: str) -> str | None:
        """One line describing the failure, or None if the check passes."""
        if self.passed:
            return None
        if self.kind == "close":
            how = (
                f"relative error {self.relative_error:.3e}"
                if self.expected != 0.0
                else f"absolute error {self.error:.3e}"
            )
            return (
                f"{key}: computed {self.computed!r}, expected {self.expected!r}, {how} > "
                f"tolerance {self.describe_tolerance()} (allowed |error| {self.tolerance:.3e})"
            )
        return f"{key}: computed {self.computed!r} is not {self.describe_tolerance()}"

    def agrees_with(self, other: Check) -> bool:
        """Serial vs parallel: this value and ``other``'s agree to ``parallel_rtol``.

        Always True when ``parallel_rtol`` is None (not compared).
        """
        if self.parallel_rtol is None:
            return True
        a, b = self.computed, other.computed
        if math.isnan(a) or math.isnan(b):
            return False
        return abs(a - b) <= self.parallel_rtol * max(abs(a), abs(b))


def _as_check(key: str, value: Any) -> Check:
    """A check, or one rebuilt from its JSON list/dict (a run in another process)."""
    if isinstance(value, Check):
        return value
    if isinstance(value, Mapping):
        fields = {k: value[k] for k in _CheckFields._fields if k in value}
        if fields.get("computed", 0.0) is None:  # checks_as_json writes NaN as null
            fields["computed"] = math.nan
        return Check(**fields)
    if isinstance(value, (list, tuple)) and len(value) == len(_CheckFields._fields):
        return Check(*value)
    raise InputError(f"{key}: not a Check: {value!r}")


def failures(checks: Mapping[str, Any]) -> list[str]:
    """One line per failed check (key, computed, expected, error, tolerance).

    Values may be :class:`Check` objects or their JSON lists/dicts; [] if all pass.
    """
    out = []
    for key, value in checks.items():
        line = _as_check(key, value).failure(key)
        if line is not None:
            out.append(line)
    return out


def compare_runs(serial: Mapping[str, Any], parallel: Mapping[str, Any]) -> list[str]:
    """One line per check whose computed values differ between two runs.

    The runs (serial, parallel) must agree to each check's ``parallel_rtol`` (checks
    with None are not compared); keys present in only one run are failures too.
    """
    out = []
    for key in sorted(set(serial) | set(parallel)):
        if key not in serial or key not in parallel:
            out.append(f"{key}: only in the {'serial' if key in serial else 'parallel'} run")
            continue
        s, p = _as_check(key, serial[key]), _as_check(key, parallel[key])
        if not s.agrees_with(p):
            diff = abs(s.computed - p.computed)
            scale = max(abs(s.computed), abs(p.computed))
            rel = diff / scale if scale > 0 else diff
            out.append(
                f"{key}: serial {s.computed!r}, parallel {p.computed!r}: relative difference "
                f"{rel:.3e} > parallel_rtol {s.parallel_rtol:.3g}"
            )
    return out


def format_checks(checks: Mapping[str, Check], width: int | None = None) -> str:
    """A text table: key, computed, expected, relative error, tolerance, ok.

    For a range the expected column holds its midpoint, for a bound the bound.
    """
    w = width or max([len(k) for k in checks] + [8]) + 2
    head = f"{'check':<{w}}{'computed':>18}{'expected':>18}{'rel. error':>12}  {'tolerance':<22}ok"
    lines = [head, "-" * len(head)]
    for key, c in checks.items():
        err = f"{c.relative_error:.2e}" if c.kind == "close" else "-"
        ok = "yes" if c.passed else "NO"
        lines.append(
            f"{key:<{w}}{c.computed:>18.10g}{c.expected:>18.10g}{err:>12}  "
            f"{c.describe_tolerance():<22}{ok}"
        )
    return "\n".join(lines)


def checks_as_json(checks: Mapping[str, Check]) -> dict[str, dict[str, Any]]:
    """Key -> the check's fields, ``passed`` and ``relative_error`` (NaN -> None).

    What ``fe-interface demo NAME --json`` prints: strict JSON with field names.
    """
    out = {}
    for key, c in checks.items():
        d: dict[str, Any] = c._asdict()
        d["passed"] = c.passed
        d["relative_error"] = c.relative_error if c.kind == "close" else None
        out[key] = {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()
        }
    return out
