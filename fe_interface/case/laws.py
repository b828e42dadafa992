"""Interface laws by name, as case files give them: parameters, kinds and builders."""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fe_interface.case.checker import Checker, is_number, join_path, type_name
from fe_interface.model.validation import LawDeclaration

__all__ = ["LAWS", "LawSpec", "check_solvable", "law_table", "read_law"]


@dataclass(frozen=True)
class LawSpec:
    """A law usable in case files: its declaration and how it is built.

    ``params``: name -> (kind, required), from the declaration.
    """

    name: str
    target: str
    params: dict[str, tuple[str, bool]]
    build: Callable[..., Any]
    doc: str
    declaration: LawDeclaration


def _builder(target: Callable[..., Any], pair: bool) -> Callable[..., Any]:
    """``target(**parameters)``; ``pair``: ``surface_plus``/``surface_minus`` become its pair."""

    def make(**kw: Any) -> Any:
        if pair:
            from fe_interface.model.laws import ContactPair

            kw["pair"] = ContactPair(kw.pop("surface_plus"), kw.pop("surface_minus"))
        return target(**kw)

    return make


def _declared() -> list[tuple[LawDeclaration, str, Callable[..., Any]]]:
    """(declaration, class name, builder) of every law of case files, in docs order."""
    from fe_interface.model.interfaces import PerfectContact, Resistance
    from fe_interface.model.laws import (
        CincottiConductance,
        CMYPlasticConductance,
        ContactConductance,
        GapRadiation,
        GasGapConductance,
        KapitzaConductance,
        MikicElasticConductance,
        SeriesResistance,
        TabulatedConductance,
        ThinLayer,
    )
    from fe_interface.model.laws.expression import CONDUCTANCE_LAW, conductance_law
    from fe_interface.model.laws.gap import GapConduction

    classes: list[Any] = [
        PerfectContact, None, CincottiConductance, Resistance, KapitzaConductance,
        CMYPlasticConductance, MikicElasticConductance, ThinLayer, TabulatedConductance,
        GasGapConductance, GapRadiation, ContactConductance, SeriesResistance, GapConduction,
    ]  # fmt: skip
    out: list[tuple[LawDeclaration, str, Callable[..., Any]]] = []
    for cls in classes:
        if cls is None:  # a number or an expression: conductance_law picks the class
            out.append((CONDUCTANCE_LAW, "Conductance", conductance_law))
        elif cls is TabulatedConductance:
            out.append((cls.case, cls.__name__, cls.from_case))
        else:
            out.append((cls.case, cls.__name__, cls))
    return out


def _spec(decl: LawDeclaration, target: str, build: Callable[..., Any]) -> LawSpec:
    params = {p.name: (p.kind, p.required) for p in decl.parameters}
    return LawSpec(decl.name, target, params, _builder(build, decl.pair), decl.doc, decl)


#: the laws of case files by name (generated from the laws' declarations)
LAWS: dict[str, LawSpec] = {d.name: _spec(d, t, b) for d, t, b in _declared()}


def law_table() -> str:
    """The law table of ``docs/case-format.md`` (Markdown), generated from the declarations."""
    rows = ["| `law` | class | parameters |", "| --- | --- | --- |"]
    for s in LAWS.values():
        d = s.declaration
        required = [_param_doc(p) for p in d.parameters if p.required]
        optional = [_param_doc(p) for p in d.parameters if not p.required]
        parts = ", ".join(required)
        if optional:
            parts += ("; optional " if parts else "optional ") + ", ".join(optional)
        rows.append(f"| `{s.name}` | `{s.target}` | {d.doc}: {parts or '–'} |")
    return "\n".join(rows) + "\n"


def _param_doc(p: Any) -> str:
    """One parameter in the docs: name, bound, unit, choices, what it is."""
    bound = {"pos": " > 0", "nonneg": " ≥ 0", "unit": " in (0, 1]"}.get(p.kind, "")
    unit = " " + p.unit.replace("^2", "²").replace("^3", "³").replace("^4", "⁴") if p.unit else ""
    choices = " = " + "/".join(f"`{c}`" for c in p.choices) if p.choices else ""
    doc = f" ({p.doc})" if p.doc else ""
    return f"`{p.name}`{bound}{unit}{choices}{doc}"


_LAW_ALIASES = {s.target: s.name for s in LAWS.values()} | {"conductance_law": "conductance"}
#: units accepted in a conductance table's ``units`` -> factor to SI (temperature: offset)
TABLE_UNITS = {
    "pressure": {"Pa": 1.0, "kPa": 1e3, "MPa": 1e6, "GPa": 1e9, "bar": 1e5, "psi": 6894.757293168},
    "gap": {"m": 1.0, "mm": 1e-3, "um": 1e-6, "nm": 1e-9},
    "temperature": {"K": 0.0, "degC": 273.15},
    "h": {"W/(m^2 K)": 1.0, "kW/(m^2 K)": 1e3},
}
_SURFACE_KEYS = ("sigma", "k", "m", "E", "nu", "name")
_PHONON_KEYS = ("density", "v_L", "v_T", "debye_temperature", "number_density", "name")


def _law_name(name: str) -> str | None:
    if name in LAWS:
        return name
    return _LAW_ALIASES.get(name)


def _read_surface(c: Checker, d: Any, path: str) -> Any:
    if not isinstance(d, dict):
        c.error(path, f"must be a table (sigma, k, ...), got {type_name(d)}")
        return None
    n0 = len(c.errors)
    c.keys(d, path, _SURFACE_KEYS, ("sigma", "k"))
    kw = {
        "sigma": c.number(d, "sigma", path, gt=0),
        "k": c.number(d, "k", path, gt=0),
        "m": c.number(d, "m", path, gt=0),
        "E": c.number(d, "E", path, gt=0),
        "nu": c.number(d, "nu", path, ge=0),
    }
    name = c.string(d, "name", path, default="")
    if len(c.errors) > n0:
        return None
    from fe_interface.model.laws import Surface

    try:
        return Surface(name=name, **kw)
    except ValueError as e:
        c.error(path, str(e))
        return None


def _read_hardness(c: Checker, v: Any, path: str) -> Any:
    if is_number(v):
        return c.number({"H_c": v}, "H_c", path.rsplit(".", 1)[0], gt=0)
    if not isinstance(v, dict):
        c.error(path, f"must be a number (Pa) or a table, got {type_name(v)}")
        return None
    from fe_interface.model.laws import VICKERS_COEFFICIENTS, VickersMicrohardness

    c.keys(v, path, ("material", "c1", "c2", "brinell", "size_factor", "exponent_factor"))
    factors = {k: c.number(v, k, path, gt=0) for k in ("size_factor", "exponent_factor") if k in v}
    if any(x is None for x in factors.values()):
        return None
    modes = [k for k in ("material", "brinell", "c1") if k in v]
    if len(modes) != 1:
        c.error(path, "give exactly one of material = NAME, brinell = H_B (Pa), or c1 and c2")
        return None
    try:
        if "material" in v:
            m = c.string(v, "material", path, choices=sorted(VICKERS_COEFFICIENTS))
            return None if m is None else VickersMicrohardness.from_material(m, **factors)
        if "brinell" in v:
            hb = c.number(v, "brinell", path, gt=0)
            return None if hb is None else VickersMicrohardness.from_brinell(hb, **factors)
        c1 = c.number(v, "c1", path, gt=0, required=True)
        c2 = c.number(v, "c2", path, required=True)
        return None if c1 is None or c2 is None else VickersMicrohardness(c1, c2, **factors)
    except ValueError as e:
        c.error(path, str(e))
        return None


def _read_gas_conductivity(c: Checker, v: Any, path: str) -> Any:
    """k_g: a number > 0 (W/(m K)) or ``{ table = [[T (K), k], ...] }`` (a PCHIP Table)."""
    if is_number(v):
        return c.number({"k_g": v}, "k_g", path.rsplit(".", 1)[0], gt=0)
    if not isinstance(v, dict):
        c.error(
            path, f"must be a number (W/(m K)) or {{ table = [[T, k], ...] }}, got {type_name(v)}"
        )
        return None
    from fe_interface.case.bulk import read_property

    c.keys(v, path, ("table",), ("table",))
    if "table" not in v:
        return None
    return read_property(c, {"k_g": v}, "k_g", path.rsplit(".", 1)[0], "W/(m K)", "conductivity")


def _read_phonon(c: Checker, v: Any, path: str) -> Any:
    from fe_interface.model.laws import PhononMaterial, phonon_materials

    if isinstance(v, str):
        db = phonon_materials()
        if v not in db:
            c.error(path, f"unknown phonon material {v!r} (database: {', '.join(db)})")
            return None
        return v
    if not isinstance(v, dict):
        c.error(path, f"must be a database name or a table, got {type_name(v)}")
        return None
    n0 = len(c.errors)
    c.keys(v, path, _PHONON_KEYS, ("density", "v_L", "v_T"))
    kw = {k: c.number(v, k, path, gt=0) for k in _PHONON_KEYS if k != "name"}
    if len(c.errors) > n0:
        return None
    try:
        return PhononMaterial(name=c.string(v, "name", path, default=path), **kw)
    except ValueError as e:
        c.error(path, str(e))
        return None


def _axis(
    c: Checker, t: dict, key: str, path: str, unit: str, factor: float, positive: bool
) -> Any:
    """A strictly increasing array of finite numbers (SI after the unit factor/offset)."""
    p = join_path(path, key)
    v = t[key]
    if not isinstance(v, list) or not v or not all(is_number(x) for x in v):
        c.error(p, f"must be a non-empty array of numbers ({unit}), got {v!r}")
        return None
    n0 = len(c.errors)
    vals = [float(x) for x in v]
    si = [x + factor for x in vals] if key == "temperature" else [x * factor for x in vals]
    for i, (x, y) in enumerate(zip(vals, si, strict=True)):
        if not math.isfinite(x):
            c.error(f"{p}[{i}]", f"must be finite ({unit}), got {x!r}")
        elif (y <= 0) if positive else (y < 0):
            c.error(
                f"{p}[{i}]",
                f"must be {'>' if positive else '>='} 0 ({'K' if key == 'temperature' else unit}), got {x!r}",
            )
    if len(c.errors) == n0 and any(b <= a for a, b in itertools.pairwise(si)):
        c.error(p, f"must increase strictly ({unit}), got {vals}")
    return si if len(c.errors) == n0 else None


def _table_units(c: Checker, t: dict, path: str) -> dict[str, tuple[str, float]]:
    """(unit, factor or offset) of each column of a conductance table."""
    out = {k: (next(iter(u)), next(iter(u.values()))) for k, u in TABLE_UNITS.items()}
    units = t.get("units", {})
    p = join_path(path, "units")
    if not isinstance(units, dict):
        c.error(p, f"must be a table column -> unit, got {type_name(units)}")
        return out
    c.keys(units, p, tuple(TABLE_UNITS))
    for k in units:
        if k in TABLE_UNITS:
            name = c.string(units, k, p, choices=tuple(TABLE_UNITS[k]))
            if name is not None:
                out[k] = (name, TABLE_UNITS[k][name])
    return out


def _read_h(c: Checker, v: Any, path: str, n: int, nT: int | None, unit: str, factor: float) -> Any:
    """The h values: n numbers, or n rows of nT numbers (finite, >= 0)."""
    rows = (
        f"{n} values (one per point)"
        if nT is None
        else f"{n} rows (one per point) of {nT} values (one per temperature)"
    )
    flat = (
        v
        if nT is None
        else [x for r in v for x in r]
        if isinstance(v, list) and all(isinstance(r, list) for r in v)
        else None
    )
    shape_ok = isinstance(v, list) and len(v) == n and (nT is None or all(len(r) == nT for r in v))
    if flat is None or not shape_ok or not all(is_number(x) for x in flat):
        c.error(path, f"must hold {rows} ({unit}), got {v!r}")
        return None
    n0 = len(c.errors)
    for i, x in enumerate(flat):
        idx = f"[{i}]" if nT is None else f"[{i // nT}][{i % nT}]"
        if not math.isfinite(float(x)) or float(x) < 0:
            c.error(f"{path}{idx}", f"must be finite and >= 0 ({unit}), got {x!r}")
    if len(c.errors) > n0:
        return None
    if nT is None:
        return [float(x) * factor for x in v]
    return [[float(x) * factor for x in r] for r in v]


def _read_htable(c: Checker, t: Any, path: str) -> Any:
    """A conductance table (``interfaces.NAME.table``), every problem with its key path.

    ``pressure`` (Pa) or ``gap`` (m) points, optional ``temperature`` (K), ``h``
    (W/(m^2 K)), optional ``units``.  Returns {variable, points, temperature, h} in SI, or
    None.
    """
    if not isinstance(t, dict):
        c.error(path, f"must be a table (pressure or gap, temperature, h), got {type_name(t)}")
        return None
    n0 = len(c.errors)
    c.keys(t, path, ("pressure", "gap", "temperature", "h", "units"), ("h",))
    var = [k for k in ("pressure", "gap") if k in t]
    if len(var) != 1:
        c.error(
            path, "give exactly one of 'pressure' (Pa) and 'gap' (m): the variable of the table"
        )
        return None
    units = _table_units(c, t, path)
    (name, f) = units[var[0]]
    points = _axis(c, t, var[0], path, name, f, False)
    T = None
    if "temperature" in t:
        T = _axis(c, t, "temperature", path, units["temperature"][0], units["temperature"][1], True)
        if T is None:
            return None
    if points is None or "h" not in t:
        return None
    h = _read_h(
        c, t["h"], join_path(path, "h"), len(points), None if T is None else len(T), *units["h"]
    )
    if h is None or len(c.errors) > n0:
        return None
    return {"variable": var[0], "points": points, "temperature": T, "h": h}


def _linked_gas(law: str, param: str, d: dict, kw: dict[str, Any]) -> dict:
    """The gas gap of a ``contact`` law takes the solid law's P/H_c.

    Without ``relative_pressure`` or ``Y`` of its own (the gaps between the same
    asperities): a sweep of the contact pressure changes both.
    """
    solid = kw.get("solid")
    if (
        law == "contact"
        and param == "gas"
        and d.get("law") in ("gas_gap", "GasGapConductance")
        and "relative_pressure" not in d
        and "Y" not in d
        and solid is not None
        and getattr(solid, "relative_pressure", None) is not None
    ):
        return {**d, "relative_pressure": float(solid.relative_pressure)}
    return d


def _read_param(c: Checker, d: dict, p: str, kind: str, path: str, law: str, kw: dict) -> Any:
    """Parameter ``p`` of kind ``kind`` of the law table ``d`` at ``path``.

    None if invalid (the error recorded); ``kw``: the parameters read so far.
    """
    pp = join_path(path, p)
    v = d[p]
    decl = LAWS[law].declaration.parameter(p)
    if kind in ("pos", "nonneg", "unit", "num"):  # the bounds of the declared kind
        return c.number(
            d, p, path,
            gt=0 if kind in ("pos", "unit") else None,
            ge=0 if kind == "nonneg" else None,
            le=1 if kind == "unit" else None,
            unit=decl.unit or None,  # magnitudes checked at the key
        )  # fmt: skip
    simple = {
        "str": lambda: c.string(d, p, path, choices=decl.choices or None),
        "int": lambda: c.integer(d, p, path),
        "bool": lambda: c.boolean(d, p, path),
        "point": lambda: c.point(d, p, path),
        "htable": lambda: _read_htable(c, v, pp),
        "phonon": lambda: _read_phonon(c, v, pp),
        "surface": lambda: _read_surface(c, v, pp),
        "hardness": lambda: _read_hardness(c, v, pp),
    }
    if kind in simple:
        return simple[kind]()
    if kind == "value":  # a number >= 0, an expression or a table (case/values.py)
        from fe_interface.case.values import read_expression_value

        if is_number(v):
            return c.number(d, p, path, ge=0, unit=decl.unit or None)
        if isinstance(v, dict) and "start" in v:
            c.error(pp, "a step is not available here: give a table of t, or an expression")
            return None
        return read_expression_value(c, d, p, path, ge=0)
    if kind == "temperature":
        from fe_interface.case.values import read_temperature

        return read_temperature(c, d, p, path)
    if kind == "kg":
        return _read_gas_conductivity(c, v, pp)
    if kind == "gas":
        from fe_interface.model.laws import GASES

        return c.string(d, p, path, choices=sorted(GASES))
    if not isinstance(v, dict):  # kind "law"
        c.error(pp, f"must be a table with a 'law' key, got {type_name(v)}")
        return None
    return read_law(c, _linked_gas(law, p, v, kw), pp)


def read_law(c: Checker, d: dict, path: str, skip: tuple[str, ...] = ()) -> Any:
    """Construct the law described by table ``d`` (key ``law`` + parameters)."""
    name = c.string(d, "law", path, required=True)
    if name is None:
        return None
    key = _law_name(name)
    if key is None:
        choices = sorted(LAWS) + sorted(_LAW_ALIASES)
        close = difflib.get_close_matches(name, choices, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        c.error(join_path(path, "law"), f"unknown law {name!r}{hint} (laws: {', '.join(LAWS)})")
        return None
    spec = LAWS[key]
    n0 = len(c.errors)
    c.keys(
        d,
        path,
        ("law", *skip, *spec.params),
        [p for p, (_, req) in spec.params.items() if req],
    )
    kw: dict[str, Any] = {}
    for p, (kind, _) in spec.params.items():
        if p in d:
            kw[p] = _read_param(c, d, p, kind, path, spec.name, kw)
    if len(c.errors) > n0 or any(v is None for v in kw.values()):
        if len(c.errors) == n0:  # a nested reader failed silently
            c.error(path, "invalid law parameters")
        return None
    try:
        return spec.build(**kw)
    except Exception as e:  # the law's own range checks (InputError), or worse
        msg = str(e) if isinstance(e, (ValueError, TypeError)) else f"{type(e).__name__}: {e}"
        c.error(path, f"{spec.name}: {msg}")
        return None


# --------------------------------------------------------------------------------------
# laws Newton cannot differentiate
# --------------------------------------------------------------------------------------
def _parts(law: Any) -> dict[str, Any]:
    """The sub-laws of a combined law, by their key in the case file."""
    parts = getattr(law, "parts", None)
    if isinstance(parts, dict):
        return parts
    return {k: v for k in ("contact", "kapitza") if (v := getattr(law, k, None)) is not None}


def _not_differentiable(law: Any, path: str) -> tuple[str, str]:
    """The key path of the part of ``law`` Newton cannot differentiate, and why."""
    for key, sub in _parts(law).items():
        if getattr(sub, "temperature_dependent", False) and not getattr(sub, "supports_ufl", True):
            return _not_differentiable(sub, join_path(path, key))
    if hasattr(law, "form"):  # the gas gap's integral form
        return join_path(path, "form"), (
            f"the gas gap's form {law.form!r} (default 'integral') with a gas temperature that "
            "follows the interface cannot be solved: Newton's method needs the derivative of h(T), which "
            'this form does not provide; set form = "simple" (h_g = k_g/(Y + M)) or fix T_gas'
        )
    return path, (
        f"{type(law).__name__} depends on temperature but Newton's method cannot differentiate "
        "it (the law does not accept symbolic temperatures)"
    )


def check_solvable(c: Checker, law: Any, path: str) -> None:
    """Record an error if the ``[interfaces]`` law ``law`` at ``path`` cannot be solved.

    A temperature-dependent law is solved by Newton, which needs its derivative: the part
    that does not provide one is named by its key path (e.g. ``interfaces.joint.gas.form``).
    """
    if getattr(law, "temperature_dependent", False) and not getattr(law, "supports_ufl", True):
        c.error(*_not_differentiable(law, path))
