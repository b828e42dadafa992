"""The ``[analysis]`` table of a case file: steady or transient, degree, axisymmetry.

:func:`read_analysis` validates the table (the transient keys by :func:`read_transient`);
every error is recorded with its key path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fe_interface.case.bulk import PowerSource
from fe_interface.case.checker import Checker, join_path
from fe_interface.case.timevalues import TimeValue
from fe_interface.case.values import is_time_dependent, read_initial_temperature, read_temperature

__all__ = ["TRANSIENT_KEYS", "AnalysisSpec", "TransientSpec", "read_analysis", "read_transient"]


#: keys of [analysis] for type = "transient" (besides type, degree, axisymmetric)
TRANSIENT_KEYS = {
    "t_end": "final time, s (required)",
    "dt": "time step, s (required; the first step when adaptive)",
    "scheme": "backward_euler (default), crank_nicolson, or theta in [0.5, 1]",
    "startup_steps": "Crank-Nicolson: first steps as two backward-Euler half steps (2)",
    "adaptive": "step-doubling error control (false)",
    "tol": "adaptive: local error per step, K (0.01)",
    "dt_min": "adaptive: smallest step, s (dt * 1e-6)",
    "dt_max": "adaptive: largest step, s (t_end)",
    "initial_temperature": "K: a number, or a table region -> K (required)",
    "output_every": "write a frame every N steps (1)",
    "checkpoint_every": "write the restart state every N steps (10)",
    "checkpoint": "restart folder, relative to the output folder (none: no checkpoints)",
    "restart": "continue from the checkpoint if it holds a state of this case (false)",
    "max_steps": "refuse fixed-step runs with more steps (1000000)",
}


@dataclass(frozen=True)
class TransientSpec:
    """The [analysis] of a transient case (times in s, temperatures in K)."""

    t_end: float
    dt: float
    initial_temperature: Any  # K: a number, a function of x, or region -> either
    scheme: str | float = "backward_euler"
    startup_steps: int = 2
    adaptive: bool = False
    tol: float = 1e-2
    dt_min: float | None = None
    dt_max: float | None = None
    output_every: int = 1
    checkpoint_every: int = 10
    checkpoint: str | None = None
    restart: bool = False
    max_steps: int = 1_000_000


def read_transient(c: Checker, a: Mapping[str, Any]) -> TransientSpec | None:
    """The :class:`TransientSpec` of table [analysis] (errors recorded in ``c``)."""
    p = "analysis"
    n0 = len(c.errors)
    for k in ("t_end", "dt", "initial_temperature"):
        if k not in a:
            c.error(join_path(p, k), "missing required value (transient analysis)")
    t_end = c.number(a, "t_end", p, gt=0)
    dt = c.number(a, "dt", p, gt=0)
    scheme = _read_scheme(c, a, p)
    init: Any = read_initial_temperature(c, a, p) if "initial_temperature" in a else None
    counts = _read_counts(c, a, p)
    tol = c.number(a, "tol", p, gt=0, default=1e-2)
    dt_min = c.number(a, "dt_min", p, gt=0)
    dt_max = c.number(a, "dt_max", p, gt=0)
    adaptive = c.boolean(a, "adaptive", p)
    _check_steps(c, p, (t_end, dt, dt_min, dt_max), adaptive, counts["max_steps"])
    checkpoint = _read_checkpoint(c, a, p)
    restart = c.boolean(a, "restart", p)
    if restart and "checkpoint" not in a:
        c.error(join_path(p, "restart"), "needs a checkpoint folder (analysis.checkpoint)")
    if len(c.errors) > n0 or t_end is None or dt is None or init is None:
        return None
    return TransientSpec(
        t_end=t_end,
        dt=dt,
        initial_temperature=init,
        scheme=scheme if scheme is not None else "backward_euler",
        startup_steps=counts["startup_steps"] if counts["startup_steps"] is not None else 2,
        adaptive=adaptive,
        tol=tol,
        dt_min=dt_min,
        dt_max=dt_max,
        output_every=int(counts["output_every"] or 1),
        checkpoint_every=int(counts["checkpoint_every"] or 10),
        checkpoint=checkpoint,
        restart=restart,
        max_steps=counts["max_steps"] if counts["max_steps"] is not None else 1_000_000,
    )


def _read_scheme(c: Checker, a: Mapping[str, Any], p: str) -> Any:
    """A scheme name of ``SCHEMES`` or theta in [0.5, 1]."""
    if isinstance(a.get("scheme", "backward_euler"), str):
        from fe_interface.problems.transient import SCHEMES

        return c.string(a, "scheme", p, choices=tuple(SCHEMES), default="backward_euler")
    return c.number(a, "scheme", p, ge=0.5, le=1.0)


#: the integer keys of a transient analysis: (default, smallest value)
_COUNTS = {
    "startup_steps": (2, 0),
    "output_every": (1, 1),
    "checkpoint_every": (10, 1),
    "max_steps": (1_000_000, 1),
}


def _read_counts(c: Checker, a: Mapping[str, Any], p: str) -> dict[str, int | None]:
    """The integer keys of :data:`_COUNTS` (``None``: too small, the error recorded)."""
    out: dict[str, int | None] = {}
    for k, (default, least) in _COUNTS.items():
        v = c.integer(a, k, p, default=default)  # the default if not an integer
        out[k] = v
        if v < least:
            c.error(join_path(p, k), f"must be >= {least}, got {v}")
            out[k] = None
    return out


def _check_steps(
    c: Checker, p: str, steps: tuple[Any, Any, Any, Any], adaptive: bool, max_steps: int | None
) -> None:
    """``dt_min`` <= ``dt_max`` (against the run's defaults when adaptive), t_end/dt <= max_steps."""
    t_end, dt, dt_min, dt_max = steps
    if dt_min is not None and dt_max is not None and dt_min > dt_max:
        c.error(join_path(p, "dt_min"), f"must be <= dt_max ({dt_max:g}), got {dt_min:g}")
    elif t_end is not None and dt is not None and adaptive:
        # against the defaults the run takes (dt_max = t_end, dt_min = dt * 1e-6)
        if dt_min is not None and dt_max is None and dt_min > t_end:
            c.error(join_path(p, "dt_min"), f"must be <= t_end ({t_end:g}), got {dt_min:g}")
        if dt_max is not None and dt_min is None and dt_max < dt * 1e-6:
            c.error(join_path(p, "dt_max"), f"must be >= dt * 1e-6 ({dt * 1e-6:g}), got {dt_max:g}")
    if t_end is not None and dt is not None and not adaptive:
        if max_steps is not None and t_end / dt > max_steps:
            c.error(
                join_path(p, "dt"),
                f"t_end / dt = {t_end / dt:.3g} steps exceeds max_steps = {max_steps} "
                "(a larger dt, adaptive = true, or a larger max_steps)",
            )


def _read_checkpoint(c: Checker, a: Mapping[str, Any], p: str) -> str | None:
    """The restart folder: a plain folder name inside the output folder."""
    checkpoint = c.string(a, "checkpoint", p)
    if checkpoint is not None and (
        Path(checkpoint).is_absolute()
        or ".." in Path(checkpoint).parts
        or "\\" in checkpoint
        or checkpoint.strip() in ("", ".")
        or checkpoint.startswith(".")
    ):
        c.error(
            join_path(p, "checkpoint"),
            f"must be a folder name inside the output folder, got {checkpoint!r}",
        )
    return checkpoint


# --------------------------------------------------------------------------------------
# the [analysis] table
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnalysisSpec:
    """The [analysis] of a case: type, degree, axisymmetry, initial state (K)."""

    type: str
    degree: int
    axisymmetric: bool
    initial_temperature: Any  # K, steady runs: the initial guess (None: the default)
    transient: TransientSpec | None


def read_analysis(
    c: Checker,
    data: Mapping[str, Any],
    boundaries: Sequence[Any],
    sources: Mapping[str, Any],
    fixed: Sequence[Any],
) -> AnalysisSpec:
    """Table [analysis]; a steady run refuses values in time of the other tables."""
    a = c.table(data, "analysis", "")
    atype = c.string(a, "type", "analysis", choices=("steady", "transient"), default="steady")
    allowed = ["type", "degree", "axisymmetric", "initial_temperature"]
    if atype == "transient":
        allowed += list(TRANSIENT_KEYS)
    c.keys(a, "analysis", allowed)
    degree = c.integer(a, "degree", "analysis", choices=(1, 2, 3), default=1)
    axisymmetric = c.boolean(a, "axisymmetric", "analysis")
    t0 = None
    transient = None
    if atype == "transient":
        transient = read_transient(c, a)
    else:
        t0 = read_temperature(c, a, "initial_temperature", "analysis")
        for path, v in _time_values(boundaries, sources, fixed):
            if isinstance(v, TimeValue) or is_time_dependent(v):
                c.error(path, 'a time-dependent value needs analysis.type = "transient"')
    return AnalysisSpec(atype or "steady", degree, axisymmetric, t0, transient)


def _time_values(
    boundaries: Sequence[Any], sources: Mapping[str, Any], fixed: Sequence[Any] = ()
) -> Iterator[tuple[str, Any]]:
    for f in fixed:
        yield f"fixed_temperatures.{f.name}.value", f.value
    for b in boundaries:
        for k, v in b.values.items():
            yield f"boundaries.{b.name}.{k}", v
    for r, v in sources.items():
        if isinstance(v, PowerSource):
            yield f"sources.{r}.power", v.power
        else:
            yield f"sources.{r}.value", v
