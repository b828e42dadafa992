"""Case-file readers of the bulk physics.

Material properties (numbers, tables of T, library fits, anisotropic tensors), radiation
boundaries and total-power sources.

Every reader records its errors in the :class:`~fe_interface.case.checker.Checker` with
the key path and the unit, like the rest of the case format (``docs/case-format.md``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fe_interface.case.checker import Checker, is_number, join_path, type_name
from fe_interface.case.timevalues import read_time_value
from fe_interface.errors import InputError

__all__ = [
    "BULK_MATERIALS",
    "MATERIAL_KEYS",
    "PowerSource",
    "read_material",
    "read_property",
    "read_radiation",
    "read_source",
]

#: Bulk properties near 300 K: k W/(m K), rho kg/m^3, c_p J/(kg K).
#: Incropera, DeWitt, Bergman & Lavine, Fundamentals of Heat and Mass Transfer,
#: 6th ed., Table A.1 (metals, 300 K) and A.3 (fused silica).
BULK_MATERIALS: dict[str, dict[str, float]] = {
    "copper": {"conductivity": 401.0, "density": 8933.0, "specific_heat": 385.0},
    "aluminium": {"conductivity": 237.0, "density": 2702.0, "specific_heat": 903.0},
    "aluminium_2024_t6": {"conductivity": 177.0, "density": 2770.0, "specific_heat": 875.0},
    "stainless_304": {"conductivity": 14.9, "density": 7900.0, "specific_heat": 477.0},
    "silicon": {"conductivity": 148.0, "density": 2330.0, "specific_heat": 712.0},
    "gold": {"conductivity": 317.0, "density": 19300.0, "specific_heat": 129.0},
    "nickel": {"conductivity": 90.7, "density": 8900.0, "specific_heat": 444.0},
    "lead": {"conductivity": 35.3, "density": 11340.0, "specific_heat": 129.0},
    "fused_silica": {"conductivity": 1.38, "density": 2220.0, "specific_heat": 745.0},
}

#: keys of [materials.REGION]
MATERIAL_KEYS = (
    "conductivity",
    "conductivity_tensor",
    "orthotropic",
    "density",
    "specific_heat",
    "library",
    "label",
)
_ORTHO_KEYS = ("principal", "angle", "axes", "in_plane", "through_plane", "normal")


@dataclass(frozen=True)
class PowerSource:
    """A source given as a total power (W, or a time table) over its region.

    ``depth`` (m) for 2D planar models.
    """

    power: Any
    depth: float | None = None


def _casimir(c: Checker, d: Any, path: str, what: str) -> Any:
    """``{ material = NAME, length = L (m), valid_range = [T0, T1] (K) }``: k(T) ∝ T³."""
    if what != "conductivity":
        c.error(path, "the boundary-scattering (Casimir) limit is a conductivity")
        return None
    if not isinstance(d, dict):
        c.error(path, f"must be a table (material, length, valid_range), got {type_name(d)}")
        return None
    c.keys(d, path, ("material", "length", "valid_range"), ("material", "length"))
    from fe_interface.model.laws import phonon_materials

    name = c.string(d, "material", path, choices=list(phonon_materials()))
    length = c.number(d, "length", path, gt=0)
    rng = d.get("valid_range", [0.1, 10.0])
    ok = isinstance(rng, list) and len(rng) == 2 and all(is_number(x) for x in rng)
    if not ok or not 0 < float(rng[0]) < float(rng[1]):
        c.error(
            f"{path}.valid_range", f"must be [T_min, T_max] with 0 < T_min < T_max (K), got {rng!r}"
        )
        return None
    if name is None or length is None:
        return None
    from fe_interface.model.library import casimir_conductivity

    return casimir_conductivity(name, length, (float(rng[0]), float(rng[1])))


def _table(
    c: Checker, tab: Any, path: str, unit: str, name: str, d: Mapping[str, Any] | None = None
) -> Any:
    """A PCHIP :class:`Table` of [T, value] pairs (T in K, or in ``temperature_unit``)."""
    from fe_interface.model.properties import Table

    ok = (
        isinstance(tab, list)
        and len(tab) >= 2
        and all(isinstance(r, list) and len(r) == 2 and all(is_number(x) for x in r) for r in tab)
    )
    if not ok:
        c.error(path, f"must be an array of at least 2 [T (K), value ({unit})] pairs, got {tab!r}")
        return None
    scale, offset = 1.0, 0.0
    if d is not None and "temperature_unit" in d:
        from fe_interface.case.values import TEMPERATURE_UNITS

        u = d["temperature_unit"]
        if not isinstance(u, str) or u not in TEMPERATURE_UNITS:
            c.error(
                f"{path.rsplit('.', 1)[0]}.temperature_unit",
                f"{u!r} is not a temperature unit (units: {', '.join(TEMPERATURE_UNITS)})",
            )
            return None
        scale, offset = TEMPERATURE_UNITS[u]
    try:
        return Table(
            tuple(scale * float(r[0]) + offset for r in tab),
            tuple(float(r[1]) for r in tab),
            name=name,
            unit=unit,
            source="case file table",
        )
    except InputError as e:
        msg = str(e)
        c.error(path, msg.split(": ", 1)[1] if ": " in msg else msg)
        return None


def read_property(
    c: Checker, d: Mapping[str, Any], key: str, path: str, unit: str, what: str
) -> Any:
    """A material property value read from ``d[key]`` (checked), or None.

    A number > 0, ``{ table = [[T, v], ...] }`` (monotone cubic interpolation, K and ``unit``),
    or ``{ library = "NAME" }`` (the library entry's ``what``: "conductivity" or
    "specific_heat"). None if absent or invalid.
    """
    if key not in d:
        return None
    v = d[key]
    p = join_path(path, key)
    if is_number(v):
        return c.number(d, key, path, gt=0, unit=unit)
    if not isinstance(v, dict):
        c.error(
            p,
            f"must be a number ({unit}), {{ table = [[T, value], ...] }} or {{ library = NAME }}, got {type_name(v)}",
        )
        return None
    c.keys(v, p, ("table", "library", "casimir", "temperature_unit"))
    forms = [k for k in ("table", "library", "casimir") if k in v]
    if len(forms) != 1:
        c.error(p, "give exactly one of 'table', 'library' and 'casimir'")
        return None
    if "temperature_unit" in v and "table" not in v:
        c.error(f"{p}.temperature_unit", "goes with 'table' (the unit of its temperatures)")
        return None
    if "table" in v:
        return _table(c, v["table"], f"{p}.table", unit, f"{path} {key}", v)
    if "casimir" in v:
        return _casimir(c, v["casimir"], f"{p}.casimir", what)
    from fe_interface.model.library import LIBRARY

    name = c.string(v, "library", p, choices=list(LIBRARY))
    if name is None:
        return None
    value = getattr(LIBRARY[name], what)
    if value is None:
        c.error(f"{p}.library", f"library material {name!r} has no {what}")
    return value


def _vector(c: Checker, v: Any, path: str, n: int | None = None) -> list[float] | None:
    ok = isinstance(v, list) and all(is_number(x) and math.isfinite(float(x)) for x in v)
    if not ok or (n is not None and len(v) != n) or len(v) not in (2, 3):
        size = f"{n}" if n else "2 or 3"
        c.error(path, f"must be an array of {size} finite numbers, got {v!r}")
        return None
    return [float(x) for x in v]


def _orthotropic(c: Checker, o: Any, path: str) -> Any:
    from fe_interface.model.materials import Anisotropic

    if not isinstance(o, dict):
        c.error(
            path,
            f"must be a table (principal + angle/axes, or in_plane + through_plane + normal), got {type_name(o)}",
        )
        return None
    c.keys(o, path, _ORTHO_KEYS)
    n0 = len(c.errors)
    try:
        if "in_plane" in o or "through_plane" in o:
            c.keys(
                o,
                path,
                ("in_plane", "through_plane", "normal"),
                ("in_plane", "through_plane", "normal"),
            )
            kin = read_property(c, o, "in_plane", path, "W/(m K)", "conductivity")
            kth = read_property(c, o, "through_plane", path, "W/(m K)", "conductivity")
            n = _vector(c, o.get("normal"), f"{path}.normal") if "normal" in o else None
            if len(c.errors) > n0 or kin is None or kth is None or n is None:
                return None
            return Anisotropic.in_plane(kin, kth, n, path)
        pr = o.get("principal")
        if not isinstance(pr, list) or len(pr) not in (2, 3):
            c.error(
                f"{path}.principal",
                f"must be an array of 2 or 3 conductivities (W/(m K)), got {pr!r}",
            )
            return None
        k = [
            read_property(
                c, {f"principal[{i}]": x}, f"principal[{i}]", path, "W/(m K)", "conductivity"
            )
            for i, x in enumerate(pr)
        ]
        if "angle" in o and "axes" in o:
            c.error(path, "give 'angle' (2D, degrees) or 'axes', not both")
        angle = c.number(o, "angle", path)
        axes = None
        if "axes" in o:
            ax = o["axes"]
            if not isinstance(ax, list) or len(ax) != len(pr):
                c.error(
                    f"{path}.axes",
                    f"must be {len(pr)} vectors (the principal directions), got {ax!r}",
                )
            else:
                axes = [_vector(c, a, f"{path}.axes[{i}]", len(pr)) for i, a in enumerate(ax)]
        if len(c.errors) > n0 or any(x is None for x in k):
            return None
        return Anisotropic.orthotropic(k, axes=axes, angle=angle, name=path)
    except InputError as e:
        c.error(path, str(e))
        return None


def _tensor(c: Checker, t: Any, path: str) -> Any:
    from fe_interface.model.materials import Anisotropic

    ok = (
        isinstance(t, list)
        and len(t) in (2, 3)
        and all(
            isinstance(r, list) and len(r) == len(t) and all(is_number(x) for x in r) for r in t
        )
    )
    if not ok:
        c.error(path, f"must be a 2x2 or 3x3 array of numbers (W/(m K)), got {t!r}")
        return None
    try:
        return Anisotropic.tensor(t, path)
    except InputError as e:
        msg = str(e)
        c.error(path, msg.split(": ", 1)[1] if ": " in msg else msg)
        return None


def _library_values(lib: str | None, bulk_materials: Mapping[str, Any]) -> dict[str, Any]:
    """k, ρ, c_p of a material-level ``library`` name (300 K table or library entry)."""
    from fe_interface.model.library import LIBRARY

    if lib is None:
        return {}
    if lib in bulk_materials:
        return dict(bulk_materials[lib])
    if lib in LIBRARY:
        e = LIBRARY[lib]
        vals = {
            "conductivity": e.conductivity,
            "density": e.density,
            "specific_heat": e.specific_heat,
        }
        return {k: v for k, v in vals.items() if v is not None}
    return {}


def read_material(
    c: Checker, region: str, m: Any, bulk_materials: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The entry of ``[materials.REGION]``.

    Label, conductivity (number, property or tensor), density, specific_heat.
    """
    from fe_interface.model.library import LIBRARY

    p = f"materials.{region}"
    if not isinstance(m, dict):
        c.error(p, f"must be a table (conductivity, ...), got {type_name(m)}")
        return None
    c.keys(m, p, MATERIAL_KEYS)
    lib = c.string(m, "library", p, choices=sorted(bulk_materials) + sorted(LIBRARY))
    base = _library_values(lib, bulk_materials)
    given = [k for k in ("conductivity", "conductivity_tensor", "orthotropic") if k in m]
    if len(given) > 1:
        c.error(p, f"give one of conductivity, conductivity_tensor and orthotropic, got {given}")
    elif not given and lib is None and "library" not in m:
        c.error(f"{p}.conductivity", "missing required value (or give library = NAME)")
    entry: dict[str, Any] = {"label": c.string(m, "label", p, default=lib or region)}
    k = read_property(c, m, "conductivity", p, "W/(m K)", "conductivity")
    if "conductivity_tensor" in m:
        k = _tensor(c, m["conductivity_tensor"], f"{p}.conductivity_tensor")
    if "orthotropic" in m:
        k = _orthotropic(c, m["orthotropic"], f"{p}.orthotropic")
    if k is not None:
        base["conductivity"] = k
    rho = c.number(m, "density", p, gt=0, unit="kg/m^3")
    if rho is not None:
        base["density"] = rho
    cp = read_property(c, m, "specific_heat", p, "J/(kg K)", "specific_heat")
    if cp is not None:
        base["specific_heat"] = cp
    return entry | base


def read_radiation(c: Checker, d: Mapping[str, Any], path: str, kind: str) -> dict[str, Any]:
    """The values of a ``radiation`` or ``convection`` boundary, by key.

    A ``radiation`` boundary: emissivity, T_amb, optional h and T_inf; a ``convection``
    boundary: h, T_inf, with optional ``emissivity`` (and ``T_amb``, default T_inf).
    """
    vals: dict[str, Any] = {}
    if kind == "radiation":
        vals["emissivity"] = c.number(d, "emissivity", path, gt=0, le=1)
        vals["T_amb"] = read_time_value(c, d, "T_amb", path, gt=0, unit="K", temperature=True)
        if "h" in d:
            vals["h"] = read_time_value(c, d, "h", path, ge=0, unit="W/(m^2 K)")
        if "T_inf" in d:
            vals["T_inf"] = read_time_value(c, d, "T_inf", path, gt=0, unit="K", temperature=True)
        if "T_inf" in d and "h" not in d:
            c.error(f"{path}.T_inf", "goes with h (the convection part)")
        return vals
    vals["h"] = read_time_value(c, d, "h", path, ge=0, unit="W/(m^2 K)")
    vals["T_inf"] = read_time_value(c, d, "T_inf", path, gt=0, unit="K", temperature=True)
    if "emissivity" in d:
        vals["emissivity"] = c.number(d, "emissivity", path, gt=0, le=1)
        if "T_amb" in d:
            vals["T_amb"] = read_time_value(c, d, "T_amb", path, gt=0, unit="K", temperature=True)
    elif "T_amb" in d:
        c.error(f"{path}.T_amb", "goes with emissivity (the radiation part)")
    return vals


def read_source(c: Checker, d: Any, path: str) -> Any:
    """The heat source of a region from its case table ``d``; None if invalid.

    ``value`` (W/m³, or a time table) or ``power`` (W, or a time table) with optional
    ``depth`` (m, 2D planar models).
    """
    if not isinstance(d, dict):
        c.error(path, f"must be a table with 'value' (W/m^3) or 'power' (W), got {type_name(d)}")
        return None
    c.keys(d, path, ("value", "power", "depth"))
    if ("value" in d) == ("power" in d):
        c.error(path, "give exactly one of 'value' (W/m^3) and 'power' (W)")
        return None
    if "value" in d:
        if "depth" in d:
            c.error(f"{path}.depth", "goes with 'power' (W), not with 'value'")
        return read_time_value(c, d, "value", path, unit="W/m^3")
    n0 = len(c.errors)
    P = read_time_value(c, d, "power", path, unit="W")
    if getattr(P, "position_dependent", False) or getattr(P, "temperature_dependent", False):
        c.error(f"{path}.power", "a total power (W) can depend on t only (use value, W/m^3)")
    depth = c.number(d, "depth", path, gt=0)
    if len(c.errors) > n0 or P is None:
        return None
    return PowerSource(P, depth)
