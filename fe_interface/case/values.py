"""Case-file values beyond numbers: expressions, tables of a variable, units, fields.

A value (a boundary value, a source, h, T∞, T_amb …) may be written as

```toml
value = 350.0                                          # a number (SI; temperatures in K)
value = "300 + 50*sin(pi*t/40)"                        # an expression of t, x, y, z, T, fields
value = { expression = "100*sin(pi*t/40)", unit = "degC" }   # a temperature in °C
value = { value = 85.0, unit = "degC" }                # a number with a temperature unit
h = { table = [[1.0, 10.0], [2.0, 15.0]], variable = "f1" }  # a table of a variable/field
```

Expressions are parsed by :mod:`fe_interface.model.expressions` (no ``eval``); their
errors carry the key path.  ``[fields.NAME]`` reads a field from a file
(:class:`~fe_interface.model.fields.PointField`); expressions and tables use it by
name.  Stage 3 (:func:`check_value_uses`) evaluates every value that depends on position
or time where it is used (the vertices of its facets or cells, and times from 0 to
``t_end``): a field without a value at some point, or a value out of its bounds (a
temperature ≤ 0 K, h < 0), is an error with the key path — before any solve.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fe_interface.case.checker import Checker, is_number, join_path, type_name
from fe_interface.errors import InputError

__all__ = [
    "TEMPERATURE_UNITS",
    "ValueUse",
    "check_value_uses",
    "is_time_dependent",
    "read_expression_value",
    "read_fields",
    "read_initial_temperature",
    "read_temperature",
    "temperature_unit",
]

#: temperature units -> (scale, offset) to kelvin: T_K = scale · T + offset
TEMPERATURE_UNITS = {
    "K": (1.0, 0.0),
    "degC": (1.0, 273.15),
    "°C": (1.0, 273.15),
    "degF": (5.0 / 9.0, 273.15 - 32.0 * 5.0 / 9.0),
}
_VARIABLES = ("t", "x", "y", "z", "T")


@dataclass(frozen=True)
class ValueUse:
    """A value to check against the mesh: where it is used and its bounds (stage 3)."""

    path: str
    value: Any
    kind: str  # "boundary", "region", "interface"
    group: str
    gt: float | None = None
    ge: float | None = None


# --------------------------------------------------------------------------------------
# fields
# --------------------------------------------------------------------------------------
def read_fields(c: Checker, data: Mapping[str, Any], base_dir: Path) -> dict[str, Any]:
    """``[fields.NAME]`` tables: ``file = "PATH"`` (relative to the case file) -> PointField."""
    from fe_interface.model.fields import PointField

    out: dict[str, Any] = {}
    for name, d in c.table(data, "fields", "").items():
        p = f"fields.{name}"
        if not name.isidentifier() or name in (*_VARIABLES, "pi", "e"):
            c.error(
                p, f"a field name must be an identifier other than {', '.join(_VARIABLES)}, pi, e"
            )
            continue
        if not isinstance(d, dict):
            c.error(p, f'must be a table {{ file = "PATH" }}, got {type_name(d)}')
            continue
        c.keys(d, p, ("file", "description"), ("file",))
        f = c.string(d, "file", p)
        if f is None:
            continue
        try:
            out[name] = PointField.read(base_dir / f, name)
        except InputError as e:
            c.error(join_path(p, "file"), str(e).removeprefix(f"field {name!r}: "))
    return out


# --------------------------------------------------------------------------------------
# units
# --------------------------------------------------------------------------------------
def temperature_unit(c: Checker, d: Mapping[str, Any], path: str) -> tuple[float, float] | None:
    """(scale, offset) of the ``unit`` of table ``d`` (K when absent); None if unknown."""
    if "unit" not in d:
        return (1.0, 0.0)
    u = d["unit"]
    if not isinstance(u, str) or u not in TEMPERATURE_UNITS:
        c.error(
            join_path(path, "unit"),
            f"{u!r} is not a temperature unit (units: {', '.join(TEMPERATURE_UNITS)})",
        )
        return None
    return TEMPERATURE_UNITS[u]


def read_temperature(
    c: Checker, d: Mapping[str, Any], key: str, path: str, *, required: bool = False,
    default: Any = None,
) -> float | None:  # fmt: skip
    """A temperature number (K), or ``{ value = N, unit = "degC" }``; checked > 0 K."""
    v = d.get(key)
    p = join_path(path, key)
    if key not in d:
        if required:
            c.error(p, "missing required value")
        return default
    if isinstance(v, dict):
        c.keys(v, p, ("value", "unit"), ("value",))
        conv = temperature_unit(c, v, p)
        val = c.number(v, "value", p)
        if conv is None or val is None:
            return None
        return _positive_kelvin(c, join_path(p, "value"), conv[0] * val + conv[1], val, v)
    return c.number(d, key, path, gt=0, default=default)


def read_initial_temperature(c: Checker, a: Mapping[str, Any], path: str) -> Any:
    """``initial_temperature`` (K): a temperature, an expression of x, y, z, or region -> one.

    A number, ``{ value = N, unit = "degC" }``, an expression string of x, y, z (K), or a
    table region -> any of these; None (error recorded) if invalid.
    """
    v = a.get("initial_temperature")
    p = join_path(path, "initial_temperature")
    if isinstance(v, dict) and "unit" not in v:
        out = {}
        for r in v:
            val = _one_initial(c, v, r, p)
            if val is not None:
                out[str(r)] = val
        return out if len(out) == len(v) else None
    return _one_initial(c, a, "initial_temperature", path)


def _one_initial(c: Checker, d: Mapping[str, Any], key: str, path: str) -> Any:
    if isinstance(d.get(key), str):
        val = read_expression_value(
            c, d, key, path, gt=0, temperature=True, variables=("x", "y", "z")
        )
        return val if val is None or is_number(val) else (lambda X, e=val: e.evaluate(X))
    return read_temperature(c, d, key, path)


def _positive_kelvin(c: Checker, path: str, kelvin: float, given: float, d: Any) -> float | None:
    if not kelvin > 0:
        c.error(
            path, f"must be above absolute zero, got {given:g} {d.get('unit', 'K')} = {kelvin:g} K"
        )
        return None
    return kelvin


# --------------------------------------------------------------------------------------
# expressions and tables of a variable
# --------------------------------------------------------------------------------------
def _where(path: str) -> tuple[str, str] | None:
    """(kind, group) of a key path: boundaries.B.x, sources.R.x, interfaces.I..., ..."""
    parts = path.split(".")
    if len(parts) < 2:
        return None
    kinds = {"boundaries": "boundary", "sources": "region", "interfaces": "interface"}
    if parts[0] in kinds:
        return kinds[parts[0]], parts[1]
    return None


def read_expression_value(
    c: Checker, d: Mapping[str, Any], key: str, path: str, *, gt: float | None = None,
    ge: float | None = None, temperature: bool = False, variables: tuple[str, ...] = _VARIABLES,
) -> Any:  # fmt: skip
    """A value given as an expression, a table of a variable, or a number with a unit.

    The forms of the module docstring; None (error recorded) if invalid.  The result is a
    float or an :class:`~fe_interface.model.values.ExpressionValue` (in SI: temperatures
    in K).  Values that depend on position or time are recorded for the stage-3 check.
    """
    from fe_interface.model.expressions import Expression
    from fe_interface.model.values import ExpressionValue

    v = d[key]
    p = join_path(path, key)
    names = (*variables, *c.fields)
    conv = _unit_of(c, v, p, temperature)
    if conv is None:
        return None
    if isinstance(v, str):
        try:
            expr = Expression(v, names, what=p)
        except InputError as e:
            detail = str(e).removeprefix(f"{p}: ")
            c.error(p, f"must be a number (SI) or an expression of {', '.join(names)}: {detail}")
            return None
    else:
        try:
            expr = _dict_expression(c, v, p, names, conv, gt, ge)
        except InputError as e:
            c.error("", str(e))
            return None
        if expr is None or isinstance(expr, float):
            return expr
        if "table" in v:
            conv = (1.0, 0.0)  # applied to the table's values already
    value = ExpressionValue(expr, c.fields, conv[0], conv[1], what=p)
    where = _where(p)
    if where is not None and (value.position_dependent or value.time_dependent):
        getattr(c, "value_uses", []).append(ValueUse(p, value, where[0], where[1], gt, ge))
    elif not (value.position_dependent or value.time_dependent or value.temperature_dependent):
        val = float(value.evaluate())  # a constant expression: check it now
        return _bounded(c, p, val, gt, ge, f"{val:g} (SI)")
    return value


def _unit_of(c: Checker, v: Any, p: str, temperature: bool) -> tuple[float, float] | None:
    """(scale, offset) of a value table's ``unit`` (temperatures only); None if invalid."""
    if not isinstance(v, dict):
        return (1.0, 0.0)
    allowed = ("expression", "table", "variable", "value", "unit", "start", "before")
    c.keys(v, p, allowed)
    if "unit" in v and not temperature:
        c.error(join_path(p, "unit"), "only temperatures take a unit here (the value is SI)")
        return None
    return temperature_unit(c, v, p) if temperature else (1.0, 0.0)


def _dict_expression(
    c: Checker, v: Mapping[str, Any], p: str, names: tuple[str, ...],
    conv: tuple[float, float], gt: float | None, ge: float | None,
) -> Any:  # fmt: skip
    """The Expression of ``{expression}``/``{table}``, or the number of ``{value, unit}``."""
    from fe_interface.model.expressions import Expression

    if "expression" in v:
        if not isinstance(v["expression"], str):
            c.error(
                join_path(p, "expression"), f"must be a string, got {type_name(v['expression'])}"
            )
            return None
        if set(v) - {"expression", "unit"}:
            c.error(p, "give 'expression' (and 'unit') only")
            return None
        return Expression(v["expression"], names, what=join_path(p, "expression"))
    if "table" in v:
        return _read_table(c, v, p, names, conv, gt, ge)
    c.keys(v, p, ("value", "unit"), ("value",))  # { value = N, unit = "..." }
    n = c.number(v, "value", p)
    if n is None:
        return None
    val = conv[0] * n + conv[1]
    shown = f"{n:g} {v['unit']} = {val:g} K" if "unit" in v else f"{val:g}"
    return _bounded(c, join_path(p, "value"), val, gt, ge, shown)


def _bounded(
    c: Checker, p: str, val: float, gt: float | None, ge: float | None, shown: str
) -> float | None:
    """``val`` (SI) checked against ``gt``/``ge`` at key path ``p``; ``shown``: as given."""
    if not math.isfinite(val):
        c.error(p, f"must be finite, got {shown}")
    elif gt is not None and not val > gt:
        c.error(p, f"must be > {gt:g}, got {shown}")
    elif ge is not None and not val >= ge:
        c.error(p, f"must be >= {ge:g}, got {shown}")
    else:
        return val
    return None


def _read_table(
    c: Checker, v: Mapping[str, Any], p: str, names: tuple[str, ...],
    conv: tuple[float, float], gt: float | None, ge: float | None,
) -> Any:  # fmt: skip
    """``{ table = [[x, value], ...], variable = NAME }`` as an Expression (values in SI)."""
    from fe_interface.model.expressions import Expression

    var = v.get("variable", "t")
    if not isinstance(var, str) or var not in names:
        c.error(
            join_path(p, "variable"), f"unknown variable {var!r} (variables: {', '.join(names)})"
        )
        return None
    tab = v["table"]
    ok = (
        isinstance(tab, list)
        and len(tab) >= 1
        and all(isinstance(r, list) and len(r) == 2 and all(is_number(x) for x in r) for r in tab)
    )
    if not ok:
        c.error(join_path(p, "table"), f"must be an array of [{var}, value] pairs, got {tab!r}")
        return None
    n0 = len(c.errors)
    vals = [conv[0] * float(r[1]) + conv[1] for r in tab]
    for i, x in enumerate(vals):
        c.number({"v": x}, "v", f"{p}.table[{i}]", gt=gt, ge=ge)
    if len(c.errors) > n0:
        return None
    return Expression.table(var, [float(r[0]) for r in tab], vals, what=join_path(p, "table"))


def is_time_dependent(v: Any) -> bool:
    """True for a value that changes with t (an expression or a table of t)."""
    return bool(getattr(v, "time_dependent", False))


# --------------------------------------------------------------------------------------
# stage 3: values against the mesh
# --------------------------------------------------------------------------------------
def _points(tagged: Any, kind: str, group: str, regions: Mapping[str, int]) -> np.ndarray:
    """Local vertices (3, n) of the facets of a group or of the cells of a region (owned)."""
    mesh = tagged.mesh
    tdim = mesh.topology.dim
    if kind == "region":
        tag = regions.get(group)
        ct = tagged.cell_tags
        ents = ct.indices[ct.values == tag] if tag is not None else np.empty(0, np.int32)
        ents = ents[ents < mesh.topology.index_map(tdim).size_local]
        dim = tdim
    else:
        tag = tagged.facet_names.get(group)
        ft = tagged.facet_tags
        ents = ft.indices[ft.values == tag] if tag is not None else np.empty(0, np.int32)
        ents = ents[ents < mesh.topology.index_map(tdim - 1).size_local]
        dim = tdim - 1
    if not len(ents):
        return np.zeros((3, 0))
    import dolfinx

    mesh.topology.create_connectivity(dim, 0)
    nodes = dolfinx.mesh.entities_to_geometry(mesh, dim, np.asarray(ents, np.int32))
    return mesh.geometry.x[np.unique(nodes)].T


def _check_one(use: ValueUse, X: np.ndarray, times: np.ndarray) -> str | None:
    """The first problem of one value at points X and times; None if it is fine."""
    v = use.value
    for name, fld in v.fields.items():
        i = fld.missing(X)
        if i is not None:
            pt = [round(float(a), 12) for a in X[:, i]]
            return (
                f"field {name!r} has no value at x = {pt} m (outside the points of "
                f"{fld.source or 'the field'}; {use.kind} {use.group!r})"
            )
    if v.temperature_dependent:  # bounds need T: checked during the solve
        return None
    for t in times if v.time_dependent else times[:1]:
        try:
            vals = np.atleast_1d(v.evaluate(X, float(t)))
        except InputError as e:
            return str(e).removeprefix(f"{use.path}: ")
        bad = np.zeros(vals.shape, bool)
        if use.gt is not None:
            bad |= ~(vals > use.gt)
        if use.ge is not None:
            bad |= ~(vals >= use.ge)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            bound = f"> {use.gt:g}" if use.gt is not None else f">= {use.ge:g}"
            pt = [round(float(a), 12) for a in X[:, i]]
            when = f" at t = {t:g} s" if v.time_dependent else ""
            return f"must be {bound} (SI), got {float(vals[i]):g} at x = {pt} m{when}"
    return None


def check_value_uses(c: Checker, uses: list[ValueUse], tagged: Any, t_end: float | None) -> None:
    """Evaluate every recorded value where it is used (collective; errors in ``c``)."""
    if not uses:
        return
    comm = tagged.mesh.comm
    regions = dict(tagged.cell_names)
    times = np.linspace(0.0, t_end, 51) if t_end else np.zeros(1)
    for use in uses:
        X = _points(tagged, use.kind, use.group, regions)
        msg = _check_one(use, X, times) if X.shape[1] else None
        msgs = [m for m in comm.allgather(msg) if m]
        if msgs:
            c.error(use.path, msgs[0])
