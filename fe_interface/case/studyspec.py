"""Tables [fit] and [uncertainty] of case files (validate stage; run: :mod:`~fe_interface.case.studies`).

::

    [fit]
    data = "rig_measured.csv"      # readings (fe_interface.studies.data); --data overrides
    sigma = 0.05                   # K, for a file without sigma_K
    levels = [0.68, 0.95]          # confidence levels of the intervals
    sigma_from_residuals = false   # scale the covariance by chi2/dof
    dt = 0.01                      # transient cases: the fixed step (default analysis.dt)

    [[fit.parameters]]
    key = "interfaces.top.R"       # a number of this case (or a list of keys set together)
    name = "R_top"                 # default: the key
    initial = 2e-4                 # default: the case's value
    lower = 1e-6                   # bounds (SI; default none)
    upper = 1e-2
    log = true                     # fit ln p (default false)

    [uncertainty]
    method = "sobol"               # monte_carlo, lhs, sobol, chaos
    samples = 1000
    seed = 0
    outputs = ["junction_K", "interfaces.joint.mean_jump_K"]
    groups = 1                     # groups of ranks running samples side by side

    [[uncertainty.inputs]]
    key = "interfaces.joint.solid.pressure"
    name = "P"
    distribution = "lognormal"     # normal, lognormal, uniform, truncated_normal, samples
    mean = 2e5
    std = 4e4

A parameter's value in each run is written at its key path into the case document, the
document is validated again (an out-of-range value is an error naming its key path and
the entry that set it) and the model objects are built by the case's own code; the mesh,
space, forms and solver are built once (values-only updates,
:mod:`fe_interface.discretisation.values`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fe_interface.case.checker import Checker, is_number, type_name
from fe_interface.case.sweepspec import key_value, lookup_key
from fe_interface.errors import InputError

__all__ = [
    "FIT_KEYS",
    "UNCERTAINTY_KEYS",
    "FitSpec",
    "UncertaintySpec",
    "read_fit",
    "read_uncertainty",
]


FIT_KEYS = ("parameters", "data", "sigma", "levels", "sigma_from_residuals", "dt", "t_end")
_PARAMETER_KEYS = ("key", "name", "initial", "lower", "upper", "log")
UNCERTAINTY_KEYS = ("inputs", "method", "samples", "seed", "outputs", "groups")
_INPUT_KEYS = ("key", "name", "distribution", "mean", "std", "lower", "upper", "values")


@dataclass(frozen=True)
class FitSpec:
    """The [fit] table: parameters (keys, Parameter) and the options."""

    parameters: tuple[tuple[tuple[str, ...], Any], ...]
    data: Path | None
    sigma: float | None
    levels: tuple[float, ...]
    sigma_from_residuals: bool
    dt: float | None
    t_end: float | None


@dataclass(frozen=True)
class UncertaintySpec:
    """The [uncertainty] table: inputs (keys, Distribution) and the options."""

    inputs: tuple[tuple[tuple[str, ...], Any], ...]
    method: str
    samples: int
    seed: int
    outputs: tuple[str, ...]
    groups: int


def _keys(c: Checker, d: dict[str, Any], path: str, data: Any) -> tuple[str, ...]:
    keys = d.get("key")
    keys = [keys] if isinstance(keys, str) else keys
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k for k in keys):
        c.error(f"{path}.key", f"must be a key path or an array of them, got {d.get('key')!r}")
        return ()
    for k in keys:
        found, msg = lookup_key(data, k)
        if not found:
            c.error(f"{path}.key", msg)
        elif not is_number(key_value(data, k)):
            c.error(f"{path}.key", f"{k!r} is {type_name(key_value(data, k))}, not a number")
        elif k.split(".", 1)[0] in ("geometry", "fit", "uncertainty", "sweep"):
            c.error(
                f"{path}.key", f"{k!r}: values-only studies cannot change the {k.split('.')[0]}"
            )
    return tuple(keys)


def _entries(c: Checker, table: dict[str, Any], key: str, path: str) -> list[Any]:
    v = table.get(key, [])
    if not isinstance(v, list) or not v or not all(isinstance(x, dict) for x in v):
        c.error(f"{path}.{key}", f"must be a non-empty array of tables ([[{path}.{key}]])")
        return []
    return v


def _read_parameter(c: Checker, d: dict[str, Any], path: str, data: Any) -> Any:
    from fe_interface.studies.parameters import Parameter

    n0 = len(c.errors)
    c.keys(d, path, _PARAMETER_KEYS, ("key",))
    keys = _keys(c, d, path, data)
    if len(c.errors) > n0:
        return None
    value = c.number(d, "initial", path, default=float(key_value(data, keys[0])))
    lower = c.number(d, "lower", path, default=-math.inf)
    upper = c.number(d, "upper", path, default=math.inf)
    log = c.boolean(d, "log", path)
    name = c.string(d, "name", path, default=keys[0])
    try:
        return keys, Parameter(name, value, lower, upper, log)
    except InputError as e:
        c.error(path, str(e))
        return None


def read_fit(c: Checker, data: dict[str, Any], base_dir: Path) -> FitSpec | None:
    """The [fit] table (errors recorded in ``c`` with their key paths), or None."""
    if "fit" not in data:
        return None
    f = c.table(data, "fit", "")
    c.keys(f, "fit", FIT_KEYS, ("parameters",))
    params = [
        _read_parameter(c, d, f"fit.parameters[{i}]", data)
        for i, d in enumerate(_entries(c, f, "parameters", "fit"))
    ]
    names = [p[1].name for p in params if p is not None]
    if len(set(names)) != len(names):
        c.error("fit.parameters", f"parameter names given twice: {names}")
    levels = f.get("levels", [0.68, 0.95])
    if not isinstance(levels, list) or not all(is_number(x) and 0 < x < 1 for x in levels):
        c.error("fit.levels", f"must be an array of numbers in (0, 1), got {levels!r}")
        levels = [0.68, 0.95]
    file = c.string(f, "data", "fit")
    return FitSpec(
        tuple(p for p in params if p is not None),
        base_dir / file if file else None,
        c.number(f, "sigma", "fit", gt=0),
        tuple(float(x) for x in levels),
        c.boolean(f, "sigma_from_residuals", "fit"),
        c.number(f, "dt", "fit", gt=0),
        c.number(f, "t_end", "fit", gt=0),
    )


def _read_input(c: Checker, d: dict[str, Any], path: str, data: Any) -> Any:
    from fe_interface.studies.distributions import Distribution

    n0 = len(c.errors)
    c.keys(d, path, _INPUT_KEYS, ("key", "distribution"))
    keys = _keys(c, d, path, data)
    kind = c.string(d, "distribution", path, required=True)
    if len(c.errors) > n0:
        return None
    params = {k: v for k, v in d.items() if k not in ("key", "name", "distribution")}
    try:
        return keys, Distribution(c.string(d, "name", path, default=keys[0]), kind, params, path)
    except InputError as e:
        msg = str(e)
        c.error(path, msg[len(path) + 2 :] if msg.startswith(path + ":") else msg)
        return None


def read_uncertainty(c: Checker, data: dict[str, Any]) -> UncertaintySpec | None:
    """The [uncertainty] table (errors recorded in ``c``), or None."""
    from fe_interface.studies.uncertainty import METHODS

    if "uncertainty" not in data:
        return None
    u = c.table(data, "uncertainty", "")
    c.keys(u, "uncertainty", UNCERTAINTY_KEYS, ("inputs",))
    inputs = [
        _read_input(c, d, f"uncertainty.inputs[{i}]", data)
        for i, d in enumerate(_entries(c, u, "inputs", "uncertainty"))
    ]
    outputs = u.get("outputs", [])
    if not isinstance(outputs, list) or not all(isinstance(x, str) and x for x in outputs):
        c.error("uncertainty.outputs", f"must be an array of output names, got {outputs!r}")
        outputs = []
    samples = c.integer(u, "samples", "uncertainty", default=1000)
    if isinstance(samples, int) and samples < 2:
        c.error("uncertainty.samples", f"must be >= 2, got {samples}")
    groups = c.integer(u, "groups", "uncertainty", default=1)
    if isinstance(groups, int) and groups < 1:
        c.error("uncertainty.groups", f"must be >= 1, got {groups}")
    return UncertaintySpec(
        tuple(i for i in inputs if i is not None),
        c.string(u, "method", "uncertainty", choices=METHODS, default="sobol"),
        samples,
        c.integer(u, "seed", "uncertainty", default=0),
        tuple(outputs),
        groups,
    )
