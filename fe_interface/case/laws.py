"""Interface laws by name, as case files give them: parameters, kinds and builders."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fe_interface.case.checker import Checker, is_number, join_path, type_name

__all__ = ["LAWS", "LawSpec", "read_law"]


# --------------------------------------------------------------------------------------
# Parameter kinds: "pos" (> 0), "nonneg" (>= 0), "unit" (0 < x <= 1), "num", "str",
# "int", "phonon" (database name or table), "gas" (name), "surface" (table),
# "hardness" (number or table), "law" (nested law table).
@dataclass(frozen=True)
class LawSpec:
    """A law usable in case files: its parameters (name -> (kind, required))."""

    name: str
    target: str
    params: dict[str, tuple[str, bool]]
    build: Callable[..., Any]
    doc: str


def _builder(module: str, target: str, pair: bool = False) -> Callable[..., Any]:
    """``module.target(**parameters)``, imported when first used; ``pair``: the
    parameters ``surface_plus``/``surface_minus`` become its ``pair`` (a ContactPair)."""

    def make(**kw):
        import importlib

        mod = importlib.import_module(module)
        if pair:
            kw["pair"] = mod.ContactPair(kw.pop("surface_plus"), kw.pop("surface_minus"))
        return getattr(mod, target)(**kw)

    return make


def _law(
    name: str,
    target: str,
    params: dict[str, tuple[str, bool]],
    doc: str,
    module: str = "fe_interface.model.laws",
    pair: bool = False,
) -> LawSpec:
    """The :class:`LawSpec` of ``name`` that builds ``module.target``."""
    return LawSpec(name, target, params, _builder(module, target, pair), doc)


_BASIC = "fe_interface.model.interfaces"
# a rough contact: two surfaces pressed together
_PAIR = {
    "surface_plus": ("surface", True),
    "surface_minus": ("surface", True),
    "pressure": ("nonneg", True),
}

LAWS: dict[str, LawSpec] = {
    s.name: s
    for s in [
        _law("perfect", "PerfectContact", {}, "continuous temperature", _BASIC),
        _law("conductance", "Conductance", {"h": ("nonneg", True)}, "h W/(m^2 K)", _BASIC),
        _law("resistance", "Resistance", {"R": ("pos", True)}, "R = 1/h in m^2 K/W", _BASIC),
        _law(
            "kapitza",
            "KapitzaConductance",
            {
                "material_1": ("phonon", True),
                "material_2": ("phonon", True),
                "model": ("str", False),
                "amm_variant": ("str", False),
                "emitter": ("int", False),
            },
            "phonon boundary (Kapitza) conductance h_K(T), AMM/DMM/PRL",
        ),
        _law(
            "cmy_plastic",
            "CMYPlasticConductance",
            {**_PAIR, "H_c": ("hardness", True)},
            "Cooper-Mikic-Yovanovich plastic contact (solid spots)",
            pair=True,
        ),
        _law(
            "mikic_elastic",
            "MikicElasticConductance",
            _PAIR,
            "Mikic elastic contact (solid spots)",
            pair=True,
        ),
        _law(
            "gas_gap",
            "GasGapConductance",
            {
                "gas": ("gas", True),
                "sigma": ("pos", True),
                "p_gas": ("nonneg", True),
                "accommodation_plus": ("unit", True),
                "accommodation_minus": ("unit", True),
                "relative_pressure": ("nonneg", False),
                "Y": ("nonneg", False),
                "T_gas": ("pos", False),
                "form": ("str", False),
                "k_g": ("pos", False),
            },
            "Yovanovich gas-gap conductance",
        ),
        _law(
            "radiation",
            "GapRadiation",
            {"emissivity_plus": ("unit", True), "emissivity_minus": ("unit", True)},
            "grey parallel-plate gap radiation",
        ),
        _law(
            "contact",
            "ContactConductance",
            {"solid": ("law", True), "gas": ("law", False), "radiation": ("law", False)},
            "parallel paths h_solid + h_gas + h_radiation",
        ),
        _law(
            "series",
            "SeriesResistance",
            {"contact": ("law", False), "kapitza": ("law", False)},
            "contact law in series with a Kapitza law",
        ),
    ]
}
_LAW_ALIASES = {s.target: s.name for s in LAWS.values()}
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

    c.keys(v, path, ("material", "c1", "c2", "brinell"))
    modes = [k for k in ("material", "brinell", "c1") if k in v]
    if len(modes) != 1:
        c.error(path, "give exactly one of material = NAME, brinell = H_B (Pa), or c1 and c2")
        return None
    try:
        if "material" in v:
            m = c.string(v, "material", path, choices=sorted(VICKERS_COEFFICIENTS))
            return None if m is None else VickersMicrohardness.from_material(m)
        if "brinell" in v:
            hb = c.number(v, "brinell", path, gt=0)
            return None if hb is None else VickersMicrohardness.from_brinell(hb)
        c1 = c.number(v, "c1", path, gt=0, required=True)
        c2 = c.number(v, "c2", path, required=True)
        return None if c1 is None or c2 is None else VickersMicrohardness(c1, c2)
    except ValueError as e:
        c.error(path, str(e))
        return None


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
        if p not in d:
            continue
        pp = join_path(path, p)
        v = d[p]
        if kind in ("pos", "nonneg", "unit", "num"):
            kw[p] = c.number(
                d,
                p,
                path,
                gt=0 if kind in ("pos", "unit") else None,
                ge=0 if kind == "nonneg" else None,
                le=1 if kind == "unit" else None,
            )
        elif kind == "str":
            kw[p] = c.string(d, p, path)
        elif kind == "int":
            kw[p] = c.integer(d, p, path)
        elif kind == "gas":
            from fe_interface.model.laws import GASES

            kw[p] = c.string(d, p, path, choices=sorted(GASES))
        elif kind == "phonon":
            kw[p] = _read_phonon(c, v, pp)
        elif kind == "surface":
            kw[p] = _read_surface(c, v, pp)
        elif kind == "hardness":
            kw[p] = _read_hardness(c, v, pp)
        elif kind == "law":
            if not isinstance(v, dict):
                c.error(pp, f"must be a table with a 'law' key, got {type_name(v)}")
            else:
                kw[p] = read_law(c, v, pp)
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
