"""TOML case files: a whole steady problem in one file, validated before it runs.

The format is documented in ``docs/case-format.md``; example cases live in ``cases/``.

Three stages, each raising :class:`CaseError` with the key path of every problem
(``materials.copper.conductivity: must be > 0, got -3``):

1. :func:`load_case` / :func:`parse_case` — the TOML document alone (no mesh, no
   DOLFINx objects): unknown keys, wrong types, bad values, required keys, the
   interface laws (constructed here, so their own range checks run too), analysis
   types that are not supported yet.
2. :meth:`Case.build_mesh` — the geometry builder (its parameters are checked by the
   builder before gmsh runs) or the ``.msh`` file.
3. :meth:`Case.check_mesh` — the case against the mesh: every region has a material,
   every named region/facet group exists, every interface separates two regions that
   touch, every boundary group lies on the outer boundary.

Only then :meth:`Case.build_problem` creates the :class:`~fe_interface.problem.SteadyProblem`
and :func:`run_case` solves and writes the outputs.
"""

from __future__ import annotations

import difflib
import inspect
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fe_interface.mesh import TaggedMesh
    from fe_interface.problem import SteadyProblem

__all__ = [
    "CaseError",
    "Case",
    "BULK_MATERIALS",
    "LAWS",
    "OUTPUT_FILES",
    "load_case",
    "parse_case",
    "run_case",
    "geometry_builders",
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

#: Files a run can write (``outputs.files``).
OUTPUT_FILES = {
    "xdmf": "NAME.xdmf + NAME.h5 (meshio, duplicated interface vertices; ParaView)",
    "vtu": "NAME.vtu (meshio, duplicated interface vertices; ParaView)",
    "summary": "NAME_summary.json (interfaces, energy balance, solver)",
    "vtx": "NAME_vtx/temperature_colour{c}.bp (ADIOS2; not readable by Debian's ParaView)",
    "plots": "NAME_line.png/.csv (T along a line) and NAME_flux_<interface>.png/.csv",
    "png": "NAME.png rendered by ParaView (xvfb-run -a pvbatch; skipped with a warning "
    "when pvbatch is absent)",
}
DEFAULT_FILES = ("xdmf", "vtu", "summary")

_TOP_KEYS = (
    "name",
    "description",
    "geometry",
    "materials",
    "interfaces",
    "boundaries",
    "sources",
    "analysis",
    "solver",
    "outputs",
)
_NOT_YET = ("transient", "time", "initial_condition")


class CaseError(ValueError):
    """An invalid case file.  ``errors`` lists ``(key path, message)`` pairs; the
    message has one ``path: message`` line per problem."""

    def __init__(self, errors: list[tuple[str, str]] | str, source: str | None = None):
        if isinstance(errors, str):
            errors = [("", errors)]
        self.errors = list(errors)
        self.source = source
        lines = [f"{p}: {m}" if p else m for p, m in self.errors]
        head = f"{source}: " if source else ""
        if len(lines) == 1:
            super().__init__(head + lines[0])
        else:
            super().__init__(
                f"{head}{len(lines)} problems in the case:\n" + "\n".join("  " + s for s in lines)
            )


# --------------------------------------------------------------------------------------
# small typed readers that record errors with their key path
# --------------------------------------------------------------------------------------
_MISSING = object()


def _type_name(v: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(v), type(v).__name__)


class _Checker:
    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def error(self, path: str, msg: str) -> None:
        self.errors.append((path, msg))

    def keys(
        self,
        d: Mapping[str, Any],
        path: str,
        allowed: tuple[str, ...] | list[str],
        required: tuple[str, ...] | list[str] = (),
    ) -> None:
        for k in d:
            if k not in allowed:
                close = difflib.get_close_matches(k, allowed, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.error(
                    _join(path, k), f"unknown key{hint} (allowed: {', '.join(sorted(allowed))})"
                )
        for k in required:
            if k not in d:
                self.error(_join(path, k), "missing required value")

    def table(self, d: Mapping[str, Any], key: str, path: str, required: bool = False) -> dict:
        v = d.get(key, _MISSING)
        if v is _MISSING:
            if required:
                self.error(_join(path, key), "missing required table")
            return {}
        if not isinstance(v, dict):
            self.error(_join(path, key), f"must be a table, got {_type_name(v)}")
            return {}
        return v

    def number(
        self,
        d: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        gt: float | None = None,
        ge: float | None = None,
        le: float | None = None,
        default: Any = None,
    ) -> Any:
        v = d.get(key, _MISSING)
        p = _join(path, key)
        if v is _MISSING:
            if required:
                self.error(p, "missing required value")
            return default
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.error(p, f"must be a number, got {_type_name(v)} {v!r}")
            return default
        v = float(v)
        if not math.isfinite(v):
            self.error(p, f"must be finite, got {v!r}")
        elif gt is not None and not v > gt:
            self.error(p, f"must be > {gt:g}, got {v:g}")
        elif ge is not None and not v >= ge:
            self.error(p, f"must be >= {ge:g}, got {v:g}")
        elif le is not None and not v <= le:
            self.error(p, f"must be <= {le:g}, got {v:g}")
        else:
            return v
        return default

    def integer(
        self,
        d: Mapping[str, Any],
        key: str,
        path: str,
        *,
        choices: tuple[int, ...] | None = None,
        default: Any = None,
        required: bool = False,
    ) -> Any:
        v = d.get(key, _MISSING)
        p = _join(path, key)
        if v is _MISSING:
            if required:
                self.error(p, "missing required value")
            return default
        if isinstance(v, bool) or not isinstance(v, int):
            self.error(p, f"must be an integer, got {_type_name(v)} {v!r}")
            return default
        if choices is not None and v not in choices:
            self.error(p, f"must be one of {', '.join(map(str, choices))}, got {v}")
            return default
        return v

    def string(
        self,
        d: Mapping[str, Any],
        key: str,
        path: str,
        *,
        choices: tuple[str, ...] | list[str] | None = None,
        default: Any = None,
        required: bool = False,
    ) -> Any:
        v = d.get(key, _MISSING)
        p = _join(path, key)
        if v is _MISSING:
            if required:
                self.error(p, "missing required value")
            return default
        if not isinstance(v, str) or not v:
            self.error(p, f"must be a non-empty string, got {_type_name(v)} {v!r}")
            return default
        if choices is not None and v not in choices:
            close = difflib.get_close_matches(v, list(choices), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.error(p, f"unknown value {v!r}{hint} (choices: {', '.join(choices)})")
            return default
        return v

    def boolean(self, d: Mapping[str, Any], key: str, path: str, default: bool = False) -> bool:
        v = d.get(key, _MISSING)
        if v is _MISSING:
            return default
        if not isinstance(v, bool):
            self.error(_join(path, key), f"must be true or false, got {_type_name(v)} {v!r}")
            return default
        return v

    def point(self, d: Mapping[str, Any], key: str, path: str, required: bool = False) -> Any:
        v = d.get(key, _MISSING)
        p = _join(path, key)
        if v is _MISSING:
            if required:
                self.error(p, "missing required value")
            return None
        if (
            not isinstance(v, list)
            or not 2 <= len(v) <= 3
            or any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in v)
        ):
            self.error(p, f"must be an array of 2 or 3 numbers (m), got {v!r}")
            return None
        return [float(x) for x in v] + [0.0] * (3 - len(v))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# --------------------------------------------------------------------------------------
# interface laws by name
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
    module: str = "fe_interface.laws",
    pair: bool = False,
) -> LawSpec:
    """The :class:`LawSpec` of ``name`` that builds ``module.target``."""
    return LawSpec(name, target, params, _builder(module, target, pair), doc)


_BASIC = "fe_interface.interfaces"
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


def _read_surface(c: _Checker, d: Any, path: str) -> Any:
    if not isinstance(d, dict):
        c.error(path, f"must be a table (sigma, k, ...), got {_type_name(d)}")
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
    from fe_interface.laws import Surface

    try:
        return Surface(name=name, **kw)
    except ValueError as e:
        c.error(path, str(e))
        return None


def _read_hardness(c: _Checker, v: Any, path: str) -> Any:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return c.number({"H_c": v}, "H_c", path.rsplit(".", 1)[0], gt=0)
    if not isinstance(v, dict):
        c.error(path, f"must be a number (Pa) or a table, got {_type_name(v)}")
        return None
    from fe_interface.laws import VICKERS_COEFFICIENTS, VickersMicrohardness

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


def _read_phonon(c: _Checker, v: Any, path: str) -> Any:
    from fe_interface.laws import PhononMaterial, phonon_materials

    if isinstance(v, str):
        db = phonon_materials()
        if v not in db:
            c.error(path, f"unknown phonon material {v!r} (database: {', '.join(db)})")
            return None
        return v
    if not isinstance(v, dict):
        c.error(path, f"must be a database name or a table, got {_type_name(v)}")
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


def _read_law(c: _Checker, d: dict, path: str, skip: tuple[str, ...] = ()) -> Any:
    """Construct the law described by table ``d`` (key ``law`` + parameters)."""
    name = c.string(d, "law", path, required=True)
    if name is None:
        return None
    key = _law_name(name)
    if key is None:
        choices = sorted(LAWS) + sorted(_LAW_ALIASES)
        close = difflib.get_close_matches(name, choices, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        c.error(_join(path, "law"), f"unknown law {name!r}{hint} (laws: {', '.join(LAWS)})")
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
        pp = _join(path, p)
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
            from fe_interface.laws import GASES

            kw[p] = c.string(d, p, path, choices=sorted(GASES))
        elif kind == "phonon":
            kw[p] = _read_phonon(c, v, pp)
        elif kind == "surface":
            kw[p] = _read_surface(c, v, pp)
        elif kind == "hardness":
            kw[p] = _read_hardness(c, v, pp)
        elif kind == "law":
            if not isinstance(v, dict):
                c.error(pp, f"must be a table with a 'law' key, got {_type_name(v)}")
            else:
                kw[p] = _read_law(c, v, pp)
    if len(c.errors) > n0 or any(v is None for v in kw.values()):
        if len(c.errors) == n0:  # a nested reader failed silently
            c.error(path, "invalid law parameters")
        return None
    try:
        return spec.build(**kw)
    except (ValueError, TypeError) as e:
        c.error(path, f"{spec.name}: {e}")
        return None


# --------------------------------------------------------------------------------------
# the case
# --------------------------------------------------------------------------------------
@dataclass
class InterfaceSpec:
    name: str
    law: Any
    plus: str | None
    between: tuple[str, str] | None


@dataclass
class BoundarySpec:
    name: str
    kind: str
    values: dict[str, float]


@dataclass
class Case:
    """A validated case (see :func:`parse_case`); paths are absolute."""

    name: str
    description: str
    base_dir: Path
    builder: str | None
    builder_parameters: dict[str, Any]
    mesh_file: Path | None
    gdim: int | None
    materials: dict[str, dict[str, Any]]
    interfaces: list[InterfaceSpec]
    boundaries: list[BoundarySpec]
    sources: dict[str, float]
    degree: int = 1
    axisymmetric: bool = False
    initial_temperature: float | None = None
    solver: str = "iterative"
    petsc_options: dict[str, Any] = field(default_factory=dict)
    output_folder: Path | None = None
    output_name: str = "temperature"
    files: tuple[str, ...] = DEFAULT_FILES
    line: tuple[list[float], list[float], int] | None = None
    source: str | None = None
    _tagged: Any = field(default=None, repr=False)

    # ---------------------------------------------------------------- stage 2
    def build_mesh(self, comm: Any = None) -> TaggedMesh:
        """The mesh: geometry builder or ``.msh`` file (collective)."""
        from mpi4py import MPI

        comm = MPI.COMM_WORLD if comm is None else comm
        if self.mesh_file is not None:
            from fe_interface.mesh import MeshError, read_msh

            try:
                return read_msh(self.mesh_file, comm, self.gdim)
            except MeshError as e:
                raise CaseError([("geometry.mesh", str(e))], self.source) from None
        builder = geometry_builders()[self.builder]
        try:
            return builder(comm=comm, **self.builder_parameters)
        except (ValueError, TypeError) as e:
            msg = str(e)
            first = msg.split(" ", 1)[0]
            base = first.split("[", 1)[0]
            path = "geometry.parameters"
            if base in self.builder_parameters:
                path = f"{path}.{first}"
                msg = msg.split(" ", 1)[1] if " " in msg else msg
            raise CaseError([(path, f"{self.builder}: {msg}")], self.source) from None

    # ---------------------------------------------------------------- stage 3
    def check_mesh(self, tagged: TaggedMesh) -> TaggedMesh:
        """Check the case against the mesh; returns the mesh with the facet groups
        of ``between`` interfaces added.  Raises :class:`CaseError` (on every rank)."""
        import numpy as np

        from fe_interface.domains import facet_cells, gather_pairs
        from fe_interface.mesh import TaggedMesh, material_contact_facets

        c = _Checker()
        mesh = tagged.mesh
        comm = mesh.comm
        tdim = mesh.topology.dim
        mesh.topology.create_entities(tdim - 1)
        mesh.topology.create_connectivity(tdim - 1, tdim)
        cimap = mesh.topology.index_map(tdim)
        ncells = cimap.size_local + cimap.num_ghosts
        cell_region = np.zeros(ncells, dtype=np.int64)
        cell_region[tagged.cell_tags.indices] = tagged.cell_tags.values
        tags_present = gather_pairs(comm, set(np.unique(cell_region).tolist()))
        regions = dict(tagged.cell_names)
        for t in sorted(tags_present - set(regions.values()) - {0}):
            regions[str(t)] = t  # unnamed region: its tag
        region_of_tag = {t: n for n, t in regions.items()}
        if 0 in tags_present:
            c.error("geometry", "some cells have no region (cell tag)")
        region_list = ", ".join(sorted(regions))
        facet_list = ", ".join(sorted(tagged.facet_names)) or "none"

        for r in self.materials:
            if r not in regions:
                c.error(f"materials.{r}", f"no region {r!r} in the mesh (regions: {region_list})")
        for r in sorted(regions):
            if regions[r] in tags_present and r not in self.materials:
                c.error("materials", f"region {r!r} has no material")
        for r in self.sources:
            if r not in regions:
                c.error(f"sources.{r}", f"no region {r!r} in the mesh (regions: {region_list})")

        def pairs_of(tag: int) -> tuple[set[tuple[int, int]], int]:
            ft = tagged.facet_tags
            facets = ft.indices[ft.values == tag]
            owned = facets[facets < mesh.topology.index_map(tdim - 1).size_local]
            n, cells = facet_cells(mesh, owned)
            outer = comm.allreduce(int(np.sum(n < 2)))
            inner = n == 2
            r0, r1 = cell_region[cells[0][inner]], cell_region[cells[1][inner]]
            local = {(int(min(a, b)), int(max(a, b))) for a, b in zip(r0, r1, strict=True)}
            return gather_pairs(comm, local), outer

        new_groups: dict[str, np.ndarray] = {}
        contact = None
        interface_tags: set[int] = set()
        for spec in self.interfaces:
            p = f"interfaces.{spec.name}"
            if spec.between is not None:
                a, b = spec.between
                bad = [x for x in (a, b) if x not in regions]
                for x in bad:
                    c.error(f"{p}.between", f"no region {x!r} in the mesh (regions: {region_list})")
                if bad:
                    continue
                if spec.name in tagged.facet_names:
                    c.error(
                        f"{p}.between",
                        f"{spec.name!r} is already a facet group of the mesh; drop 'between' "
                        "or give the interface another name",
                    )
                    continue
                if contact is None:
                    contact = material_contact_facets(mesh, tagged.cell_tags)
                ta, tb = sorted((regions[a], regions[b]))
                f = contact.get((ta, tb), np.empty(0, np.int32))
                if comm.allreduce(int(f.size)) == 0:
                    c.error(f"{p}.between", f"regions {a!r} and {b!r} never touch")
                    continue
                new_groups[spec.name] = f
                sides = {a, b}
            else:
                if spec.name not in tagged.facet_names:
                    c.error(
                        p,
                        f"no facet group {spec.name!r} in the mesh (facet groups: {facet_list}); "
                        "name a facet group or give 'between = [region, region]'",
                    )
                    continue
                tag = tagged.facet_names[spec.name]
                interface_tags.add(tag)
                pairs, outer = pairs_of(tag)
                if outer:
                    c.error(p, "some facets of this group lie on the outer boundary")
                    continue
                pairs = {q for q in pairs if q[0] != q[1]}
                if len(pairs) != 1:
                    names = [(region_of_tag.get(x), region_of_tag.get(y)) for x, y in pairs]
                    c.error(
                        p,
                        "an interface must separate exactly two regions; its facets lie "
                        f"between {sorted(names) or 'cells of one region'}",
                    )
                    continue
                ((x, y),) = pairs
                sides = {region_of_tag[x], region_of_tag[y]}
            if spec.plus is not None and spec.plus not in sides:
                c.error(
                    f"{p}.plus",
                    f"region {spec.plus!r} is not on either side (sides: {', '.join(sorted(sides))})",
                )
        for b in self.boundaries:
            p = f"boundaries.{b.name}"
            if b.name not in tagged.facet_names:
                c.error(p, f"no facet group {b.name!r} in the mesh (facet groups: {facet_list})")
                continue
            tag = tagged.facet_names[b.name]
            if tag in interface_tags:
                c.error(p, "this facet group is an interface; boundaries must be outer facets")
                continue
            pairs, _ = pairs_of(tag)
            if pairs:
                c.error(p, "facet group is not on the outer boundary (it has internal facets)")
        if c.errors:
            raise CaseError(c.errors, self.source)
        if not new_groups:
            return tagged
        # add the facet groups of 'between' interfaces
        import dolfinx

        ft = tagged.facet_tags
        idx, val = [ft.indices], [ft.values]
        names = dict(tagged.facet_names)
        next_tag = int(comm.allreduce(int(ft.values.max(initial=0)), op=_mpi_max())) + 1
        next_tag = max(next_tag, max(names.values(), default=0) + 1)
        for n, f in new_groups.items():
            overlap = np.isin(ft.indices, f)
            used = gather_pairs(comm, set(np.unique(ft.values[overlap]).tolist()))
            if used:
                inv = {t: k for k, t in tagged.facet_names.items()}
                groups = ", ".join(repr(inv.get(t, str(t))) for t in sorted(used))
                c.error(
                    f"interfaces.{n}.between",
                    f"these facets already form the facet group {groups} of the mesh; "
                    "name the interface after that group instead of using 'between'",
                )
                continue
            idx.append(f.astype(np.int32))
            val.append(np.full(f.size, next_tag, dtype=np.int32))
            names[n] = next_tag
            next_tag += 1
        if c.errors:
            raise CaseError(c.errors, self.source)
        allidx = np.concatenate(idx)
        order = np.argsort(allidx)
        new_ft = dolfinx.mesh.meshtags(
            mesh, tdim - 1, allidx[order].astype(np.int32), np.concatenate(val)[order]
        )
        return TaggedMesh(mesh, tagged.cell_tags, new_ft, dict(tagged.cell_names), names)

    # ---------------------------------------------------------------- stage 4
    def build_problem(self, tagged: TaggedMesh) -> SteadyProblem:
        """The :class:`SteadyProblem` of a checked mesh (see :meth:`check_mesh`)."""
        from fe_interface.boundary import Convection, FixedTemperature, HeatFlux
        from fe_interface.interfaces import Interface
        from fe_interface.materials import HeatSource, Material
        from fe_interface.problem import SteadyProblem

        mats = {
            r: Material(
                m.get("label", r),
                m["conductivity"],
                m.get("density"),
                m.get("specific_heat"),
            )
            for r, m in self.materials.items()
        }
        interfaces = [Interface(s.name, s.law, plus=s.plus) for s in self.interfaces]
        bcs = []
        for b in self.boundaries:
            if b.kind == "temperature":
                bcs.append(FixedTemperature(b.name, b.values["value"]))
            elif b.kind == "heat_flux":
                bcs.append(HeatFlux(b.name, b.values["value"]))
            elif b.kind == "convection":
                bcs.append(Convection(b.name, b.values["h"], b.values["T_inf"]))
        sources = [HeatSource(r, v) for r, v in self.sources.items()]
        return SteadyProblem(
            tagged,
            mats,
            interfaces=interfaces,
            boundary_conditions=bcs,
            sources=sources,
            degree=self.degree,
            axisymmetric=self.axisymmetric,
            solver=self.solver,
            petsc_options=self.petsc_options,
            initial_temperature=self.initial_temperature,
        )

    def prepare(self, comm: Any = None) -> SteadyProblem:
        """Mesh + checks + problem (not yet solved)."""
        tagged = self.check_mesh(self.build_mesh(comm))
        return self.build_problem(tagged)


def _mpi_max():
    from mpi4py import MPI

    return MPI.MAX


def geometry_builders() -> dict[str, Callable[..., Any]]:
    """The builders of :mod:`fe_interface.geometry` usable as ``geometry.builder``."""
    from fe_interface import geometry

    out = {}
    for name in getattr(geometry, "__all__", []):
        f = getattr(geometry, name, None)
        if callable(f):
            out[name] = f
    return out


def load_case(path: str | Path) -> Case:
    """Read and validate a TOML case file (stage 1; no mesh is built)."""
    path = Path(path)
    if not path.is_file():
        raise CaseError(f"case file not found: {path}")
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise CaseError(f"not valid TOML: {e}", str(path)) from None
    return parse_case(
        data, base_dir=path.resolve().parent, source=str(path), default_name=path.stem
    )


def parse_case(
    data: Mapping[str, Any],
    base_dir: str | Path = ".",
    source: str | None = None,
    default_name: str = "case",
) -> Case:
    """Validate a case given as a dict (the parsed TOML); see ``docs/case-format.md``."""
    c = _Checker()
    base_dir = Path(base_dir).resolve()
    for k in _NOT_YET:
        if k in data:
            c.error(k, "transient analysis is not supported yet (only steady problems)")
    c.keys({k: v for k, v in data.items() if k not in _NOT_YET}, "", _TOP_KEYS)
    name = c.string(data, "name", "", default=default_name)
    description = c.string(data, "description", "", default="")

    # geometry
    g = c.table(data, "geometry", "", required=True)
    builder, params, mesh_file, gdim = None, {}, None, None
    if g:
        c.keys(g, "geometry", ("builder", "parameters", "mesh", "gdim"))
        if ("builder" in g) == ("mesh" in g):
            c.error("geometry", "give exactly one of 'builder' (with 'parameters') or 'mesh'")
        elif "builder" in g:
            builders = geometry_builders()
            builder = c.string(g, "builder", "geometry", choices=sorted(builders))
            params = c.table(g, "parameters", "geometry")
            if "gdim" in g:
                c.error("geometry.gdim", "only used with 'mesh'")
            if builder is not None:
                sig = inspect.signature(builders[builder])
                allowed = [p for p in sig.parameters if p != "comm"]
                c.keys(
                    params,
                    "geometry.parameters",
                    allowed,
                    [
                        p
                        for p, v in sig.parameters.items()
                        if v.default is inspect.Parameter.empty and p != "comm"
                    ],
                )
                params = dict(params)
                if isinstance(params.get("msh_file"), str):
                    params["msh_file"] = str(base_dir / params["msh_file"])
        else:
            if "parameters" in g:
                c.error("geometry.parameters", "only used with 'builder'")
            m = c.string(g, "mesh", "geometry")
            gdim = c.integer(g, "gdim", "geometry", choices=(2, 3))
            if m is not None:
                mesh_file = base_dir / m
                if mesh_file.suffix != ".msh":
                    c.error("geometry.mesh", f"must be a gmsh .msh file, got {m!r}")
                elif not mesh_file.is_file():
                    c.error("geometry.mesh", f"file not found: {mesh_file}")

    # materials
    materials: dict[str, dict[str, Any]] = {}
    mt = c.table(data, "materials", "", required=True)
    if "materials" in data and isinstance(data["materials"], dict) and not mt:
        c.error("materials", "no materials given")
    for region, m in mt.items():
        p = f"materials.{region}"
        if not isinstance(m, dict):
            c.error(p, f"must be a table (conductivity, ...), got {_type_name(m)}")
            continue
        c.keys(m, p, ("conductivity", "density", "specific_heat", "library", "label"))
        lib = c.string(m, "library", p, choices=sorted(BULK_MATERIALS))
        base = dict(BULK_MATERIALS[lib]) if lib else {}
        if lib is None and "library" not in m and "conductivity" not in m:
            c.error(f"{p}.conductivity", "missing required value (or give library = NAME)")
        entry = {"label": c.string(m, "label", p, default=lib or region)}
        for key in ("conductivity", "density", "specific_heat"):
            v = c.number(m, key, p, gt=0)
            if v is not None:
                base[key] = v
        entry |= base
        materials[region] = entry

    # interfaces
    interfaces: list[InterfaceSpec] = []
    for iname, d in c.table(data, "interfaces", "").items():
        p = f"interfaces.{iname}"
        if not isinstance(d, dict):
            c.error(p, f"must be a table with a 'law' key, got {_type_name(d)}")
            continue
        plus = c.string(d, "plus", p)
        between = None
        if "between" in d:
            v = d["between"]
            if (
                not isinstance(v, list)
                or len(v) != 2
                or not all(isinstance(x, str) and x for x in v)
                or v[0] == v[1]
            ):
                c.error(f"{p}.between", f"must be two different region names, got {v!r}")
            else:
                between = (v[0], v[1])
        law = _read_law(c, d, p, skip=("plus", "between"))
        if plus is not None and between is not None and plus not in between:
            c.error(f"{p}.plus", f"region {plus!r} is not one of 'between' {list(between)}")
        interfaces.append(InterfaceSpec(iname, law, plus, between))

    # boundaries
    boundaries: list[BoundarySpec] = []
    kinds = {
        "temperature": ("value",),
        "heat_flux": ("value",),
        "convection": ("h", "T_inf"),
        "insulated": (),
    }
    for bname, d in c.table(data, "boundaries", "").items():
        p = f"boundaries.{bname}"
        if not isinstance(d, dict):
            c.error(p, f"must be a table with a 'type' key, got {_type_name(d)}")
            continue
        kind = c.string(d, "type", p, choices=tuple(kinds), required=True)
        if kind is None:
            continue
        c.keys(d, p, ("type", *kinds[kind]), kinds[kind])
        vals: dict[str, float] = {}
        if kind == "temperature":
            vals["value"] = c.number(d, "value", p, gt=0)
        elif kind == "heat_flux":
            vals["value"] = c.number(d, "value", p)
        elif kind == "convection":
            vals["h"] = c.number(d, "h", p, ge=0)
            vals["T_inf"] = c.number(d, "T_inf", p, gt=0)
        if kind != "insulated":
            boundaries.append(BoundarySpec(bname, kind, vals))

    # sources
    sources: dict[str, float] = {}
    for region, d in c.table(data, "sources", "").items():
        p = f"sources.{region}"
        if not isinstance(d, dict):
            c.error(p, f"must be a table with 'value' (W/m^3), got {_type_name(d)}")
            continue
        c.keys(d, p, ("value",), ("value",))
        v = c.number(d, "value", p)
        if v is not None:
            sources[region] = v

    # analysis
    a = c.table(data, "analysis", "")
    c.keys(a, "analysis", ("type", "degree", "axisymmetric", "initial_temperature"))
    atype = a.get("type", "steady")
    if atype == "transient":
        c.error("analysis.type", "transient analysis is not supported yet (only 'steady')")
    else:
        c.string(a, "type", "analysis", choices=("steady",))
    degree = c.integer(a, "degree", "analysis", choices=(1, 2, 3), default=1)
    axisymmetric = c.boolean(a, "axisymmetric", "analysis")
    t0 = c.number(a, "initial_temperature", "analysis", gt=0)

    # solver
    s = c.table(data, "solver", "")
    c.keys(s, "solver", ("type", "petsc_options"))
    solver = c.string(s, "type", "solver", choices=("iterative", "direct"), default="iterative")
    petsc = c.table(s, "petsc_options", "solver")
    for k, v in petsc.items():
        if isinstance(v, (dict, list)):
            c.error(
                f"solver.petsc_options.{k}",
                f"must be a string, number or boolean, got {_type_name(v)}",
            )

    # outputs
    o = c.table(data, "outputs", "")
    c.keys(o, "outputs", ("folder", "name", "files", "line"))
    folder = c.string(o, "folder", "outputs")
    out_name = c.string(o, "name", "outputs", default=name)
    files = DEFAULT_FILES
    if "files" in o:
        fl = o["files"]
        if not isinstance(fl, list) or not all(isinstance(x, str) for x in fl):
            c.error("outputs.files", f"must be an array of strings, got {fl!r}")
        else:
            bad = [x for x in fl if x not in OUTPUT_FILES]
            if bad:
                c.error(
                    "outputs.files",
                    f"unknown file kind(s) {bad} (choices: {', '.join(OUTPUT_FILES)})",
                )
            files = tuple(dict.fromkeys(fl))
    line = None
    if "line" in o:
        ln = c.table(o, "line", "outputs")
        c.keys(ln, "outputs.line", ("start", "end", "points"), ("start", "end"))
        a0 = c.point(ln, "start", "outputs.line")
        a1 = c.point(ln, "end", "outputs.line")
        npts = c.integer(ln, "points", "outputs.line", default=200)
        if isinstance(npts, int) and npts < 2:
            c.error("outputs.line.points", f"must be >= 2, got {npts}")
        if a0 is not None and a1 is not None:
            if a0 == a1:
                c.error("outputs.line", "start and end must differ")
            line = (a0, a1, npts)

    if c.errors:
        raise CaseError(c.errors, source)
    return Case(
        name=name,
        description=description,
        base_dir=base_dir,
        builder=builder,
        builder_parameters=params,
        mesh_file=mesh_file,
        gdim=gdim,
        materials=materials,
        interfaces=interfaces,
        boundaries=boundaries,
        sources=sources,
        degree=degree,
        axisymmetric=axisymmetric,
        initial_temperature=t0,
        solver=solver,
        petsc_options=dict(petsc),
        output_folder=(base_dir / folder) if folder else None,
        output_name=out_name,
        files=files,
        line=line,
        source=source,
    )


# --------------------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------------------
@dataclass
class CaseResult:
    """What :func:`run_case` produced (the same on every rank; files written once)."""

    case: Case
    problem: Any
    interfaces: list
    balance: Any
    solve: Any
    files: dict[str, Any]
    warnings: list[str]


def run_case(
    case: Case | str | Path,
    out: str | Path | None = None,
    comm: Any = None,
    log: Callable[[str], None] | None = None,
) -> CaseResult:
    """Validate, mesh, check, solve and write the outputs of a case.

    Args:
        case: a :class:`Case` or the path of a TOML case file.
        out: output folder (default: ``outputs.folder`` of the case, else
            ``results/<case name>`` in the current directory).
        comm: MPI communicator (default ``COMM_WORLD``).
        log: called with progress lines on rank 0 (e.g. ``print``).
    """
    from mpi4py import MPI

    from fe_interface.export import write_meshio, write_summary, write_vtx
    from fe_interface.materials import InputError
    from fe_interface.mesh import MeshError

    comm = MPI.COMM_WORLD if comm is None else comm
    say = log if (log is not None and comm.rank == 0) else (lambda s: None)
    if not isinstance(case, Case):
        case = load_case(case)
    folder = Path(out) if out is not None else (case.output_folder or Path("results") / case.name)
    say(f"case {case.name!r}: building the mesh")
    tagged = case.check_mesh(case.build_mesh(comm))
    try:
        problem = case.build_problem(tagged)
        problem.initialise()
    except (InputError, MeshError) as e:
        raise CaseError([("", str(e))], case.source) from None
    n = tagged.mesh.topology.index_map(tagged.mesh.topology.dim).size_global
    say(f"solving ({n} cells, {problem.num_colours} colour spaces, solver {case.solver})")
    result = problem.run()
    table = problem.interface_table()
    balance = problem.energy_balance()
    name = case.output_name
    files: dict[str, Any] = {}
    warnings: list[str] = []
    meshio_files = {k: folder / f"{name}.{k}" for k in ("xdmf", "vtu") if k in case.files}
    if meshio_files:  # the fields are gathered once for both files
        write_meshio(problem, *meshio_files.values())
        files |= meshio_files
    if "vtx" in case.files:
        files["vtx"] = write_vtx(problem, folder / f"{name}_vtx")
    if "summary" in case.files:
        solve = result.solve
        extra = {
            "case": {"name": case.name, "file": case.source, "description": case.description},
            "solve": {
                "iterations": int(solve.iterations),
                "newton_iterations": int(solve.newton_iterations),
                "residual_norm": float(solve.residual_norm),
                "converged_reason": str(solve.converged_reason),
                "cells": int(n),
                "ranks": int(comm.size),
            },
        }
        files["summary"] = write_summary(
            folder / f"{name}_summary.json", table, balance, comm, extra
        )
    if "plots" in case.files:
        from fe_interface import plots

        start, end, npts = case.line if case.line is not None else (None, None, 200)
        prof = plots.line_profile(problem, start, end, npts)
        files["line_plot"] = plots.plot_line_profile(prof, folder / f"{name}_line.png", comm=comm)
        for s in table:
            d = next(d for d in problem.interface_data if d.spec.label == s.name)
            if d.perfect:
                continue
            dist = plots.interface_flux(problem, s.name)
            files[f"flux_plot_{s.name}"] = plots.plot_interface_flux(
                dist, folder / f"{name}_flux_{s.name}.png", comm=comm
            )
    if "png" in case.files:
        from fe_interface import paraview

        src = files.get("vtu") or files.get("xdmf")
        if src is None:
            src = write_meshio(problem, folder / f"{name}.vtu")
            files["vtu"] = src
        png = folder / f"{name}.png"
        msg = None
        if comm.rank == 0:
            try:
                paraview.render(src, png, title=case.name)
            except paraview.ParaViewError as e:
                msg = str(e)
        msg = comm.bcast(msg, root=0)
        if msg:
            warnings.append(f"png not written: {msg}")
        else:
            files["png"] = png
    return CaseResult(case, problem, table, balance, result.solve, files, warnings)
