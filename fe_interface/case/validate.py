"""The validate stage of a case: the TOML document alone (no mesh, no DOLFINx objects).

:func:`parse_case` reads every table with a reader of its own (here, or in the module of
its table: :mod:`~fe_interface.case.bulk`, :mod:`~fe_interface.case.laws`,
:mod:`~fe_interface.case.analysis`, :mod:`~fe_interface.case.outputs`, ...) and records
every problem with its key path; the format is documented in ``docs/case-format.md``.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fe_interface.case.analysis import read_analysis
from fe_interface.case.build import geometry_builders
from fe_interface.case.bulk import BULK_MATERIALS, read_material, read_radiation, read_source
from fe_interface.case.cad import CAD_KEYS, read_cad
from fe_interface.case.checker import CaseError, Checker, type_name
from fe_interface.case.conditions import read_fixed_temperatures
from fe_interface.case.laws import check_solvable, read_law
from fe_interface.case.mechanics import read_mechanics
from fe_interface.case.outputs import check_file_name, read_outputs
from fe_interface.case.pairs import PAIR_KEYS, read_pair
from fe_interface.case.spec import BoundarySpec, Case, InterfaceSpec
from fe_interface.case.studyspec import read_fit, read_uncertainty
from fe_interface.case.sweepspec import read_sweep
from fe_interface.case.timevalues import read_time_value
from fe_interface.case.values import read_fields

__all__ = ["BOUNDARY_KINDS", "TOP_KEYS", "parse_case"]

#: the tables of a case file
TOP_KEYS = (
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
    "mechanics",
    "sweep",
    "fields",
    "fixed_temperatures",
    "fit",
    "uncertainty",
)
#: [boundaries] type -> (allowed keys, required keys)
BOUNDARY_KINDS = {
    "temperature": (("value",), ("value",)),
    "heat_flux": (("value",), ("value",)),
    "convection": (("h", "T_inf", "emissivity", "T_amb"), ("h", "T_inf")),
    "radiation": (("emissivity", "T_amb", "h", "T_inf"), ("emissivity", "T_amb")),
    "insulated": ((), ()),
}


def parse_case(
    data: Mapping[str, Any],
    base_dir: str | Path = ".",
    source: str | None = None,
    default_name: str = "case",
) -> Case:
    """Validate a case given as a dict (the parsed TOML); see ``docs/case-format.md``."""
    if not isinstance(data, Mapping):
        raise CaseError(f"a case is a table of tables, got {type_name(data)}", source)
    c = Checker()
    base_dir = Path(base_dir).resolve()
    c.keys(data, "", TOP_KEYS)
    name = c.string(data, "name", "", default=default_name)
    description = c.string(data, "description", "", default="")
    check_file_name(c, name, "name")
    c.fields = read_fields(c, data, base_dir)  # [fields]: used by expressions below
    geometry = read_geometry(c, data, base_dir)
    materials = read_materials(c, data)
    interfaces = read_interfaces(c, data)
    boundaries = read_boundaries(c, data)
    sources = read_sources(c, data)
    fixed = read_fixed_temperatures(c, data)  # [fixed_temperatures]: regions and points
    analysis = read_analysis(c, data, boundaries, sources, fixed)
    solver, petsc = read_solver(c, data)
    outputs = read_outputs(c, data, name, analysis.type)
    mechanics = None
    if "mechanics" in data:  # thermo-mechanical contact (docs/case-format.md)
        mechanics = read_mechanics(
            c, data["mechanics"], [s.name for s in interfaces], analysis.type
        )
    sweep = read_sweep(c, data)  # parametric sweep: fe_interface.case.sweepspec
    fit = read_fit(c, dict(data), base_dir)  # [fit], [uncertainty]: case.studyspec
    uncertainty = read_uncertainty(c, dict(data))
    if c.errors:
        raise CaseError(c.errors, source)
    return Case(
        name=name,
        description=description,
        base_dir=base_dir,
        builder=geometry.builder,
        builder_parameters=geometry.parameters,
        mesh_file=geometry.mesh_file,
        gdim=geometry.gdim,
        materials=materials,
        interfaces=interfaces,
        boundaries=boundaries,
        sources=sources,
        analysis=analysis.type,
        transient=analysis.transient,
        degree=analysis.degree,
        axisymmetric=analysis.axisymmetric,
        initial_temperature=analysis.initial_temperature,
        solver=solver,
        petsc_options=petsc,
        output_folder=(base_dir / outputs.folder) if outputs.folder else None,
        output_name=outputs.name,
        files=outputs.files,
        line=outputs.line,
        source=source,
        mechanics=mechanics,
        probes=outputs.probes,
        junction=outputs.junction,
        sweep=sweep,
        fixed=fixed,
        value_uses=list(c.value_uses),
        fit=fit,
        uncertainty=uncertainty,
        data=copy.deepcopy(dict(data)),
        cad=geometry.cad,
    )


# --------------------------------------------------------------------------------------
# [geometry]
# --------------------------------------------------------------------------------------
@dataclass
class GeometrySpec:
    """The [geometry] of a case: one of a builder (and its parameters), a mesh file, a CAD."""

    builder: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    mesh_file: Path | None = None
    gdim: int | None = None
    cad: Any = None


def read_geometry(c: Checker, data: Mapping[str, Any], base_dir: Path) -> GeometrySpec:
    """Table [geometry] (paths relative to ``base_dir``)."""
    out = GeometrySpec()
    g = c.table(data, "geometry", "", required=True)
    if not g:
        return out
    c.keys(g, "geometry", ("builder", "parameters", "mesh", "gdim", *CAD_KEYS))
    if ("builder" in g) + ("mesh" in g) + ("cad" in g) != 1:
        c.error(
            "geometry",
            "give exactly one of 'builder' (with 'parameters'), 'mesh' or 'cad'",
        )
    elif "cad" in g:  # a CAD assembly (fe_interface.case.cad)
        out.cad = read_cad(c, g, base_dir)
    elif "builder" in g:
        _read_builder(c, g, base_dir, out)
    else:
        _read_mesh_file(c, g, base_dir, out)
    for k in CAD_KEYS[1:]:
        if k in g and "cad" not in g:
            c.error(f"geometry.{k}", "only used with 'cad'")
    return out


def _read_builder(c: Checker, g: Mapping[str, Any], base_dir: Path, out: GeometrySpec) -> None:
    """``builder`` and ``parameters``: checked against the builder's signature."""
    builders = geometry_builders()
    out.builder = c.string(g, "builder", "geometry", choices=sorted(builders))
    params = c.table(g, "parameters", "geometry")
    out.parameters = params
    if "gdim" in g:
        c.error("geometry.gdim", "only used with 'mesh'")
    if out.builder is None:
        return
    sig = inspect.signature(builders[out.builder])
    allowed = [p for p in sig.parameters if p != "comm"]
    required = [
        p for p, v in sig.parameters.items() if v.default is inspect.Parameter.empty and p != "comm"
    ]
    c.keys(params, "geometry.parameters", allowed, required)
    out.parameters = dict(params)
    if isinstance(out.parameters.get("msh_file"), str):
        out.parameters["msh_file"] = str(base_dir / out.parameters["msh_file"])


def _read_mesh_file(c: Checker, g: Mapping[str, Any], base_dir: Path, out: GeometrySpec) -> None:
    """``mesh`` (a gmsh ``.msh`` file) and ``gdim``."""
    if "parameters" in g:
        c.error("geometry.parameters", "only used with 'builder'")
    m = c.string(g, "mesh", "geometry")
    out.gdim = c.integer(g, "gdim", "geometry", choices=(2, 3))
    if m is not None:
        mesh_file = base_dir / m
        out.mesh_file = mesh_file
        if mesh_file.suffix != ".msh":
            c.error("geometry.mesh", f"must be a gmsh .msh file, got {m!r}")
        elif not mesh_file.is_file():
            c.error("geometry.mesh", f"file not found: {mesh_file}")


# --------------------------------------------------------------------------------------
# [materials], [interfaces], [boundaries], [sources], [solver]
# --------------------------------------------------------------------------------------
def read_materials(c: Checker, data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Table [materials]: region -> its properties (SI)."""
    materials: dict[str, dict[str, Any]] = {}
    mt = c.table(data, "materials", "", required=True)
    if "materials" in data and isinstance(data["materials"], dict) and not mt:
        c.error("materials", "no materials given")
    for region, m in mt.items():
        entry = read_material(c, region, m, BULK_MATERIALS)
        if entry is not None:
            materials[region] = entry
    return materials


def read_interfaces(c: Checker, data: Mapping[str, Any]) -> list[InterfaceSpec]:
    """Table [interfaces]: the laws (constructed, so their own checks run) and their sides."""
    interfaces: list[InterfaceSpec] = []
    for iname, d in c.table(data, "interfaces", "").items():
        p = f"interfaces.{iname}"
        if not isinstance(d, dict):
            c.error(p, f"must be a table with a 'law' key, got {type_name(d)}")
            continue
        if "pair" in d:  # a non-matching pair of two outer facet groups
            pair = read_pair(c, d, p)
            law = read_law(c, d, p, skip=PAIR_KEYS)
            interfaces.append(InterfaceSpec(iname, law, None, None, pair))
            continue
        plus = c.string(d, "plus", p)
        between = _read_between(c, d, p)
        law = read_law(c, d, p, skip=("plus", "between"))
        check_solvable(c, law, p)  # a law Newton cannot differentiate: its key path
        if plus is not None and between is not None and plus not in between:
            c.error(f"{p}.plus", f"region {plus!r} is not one of 'between' {list(between)}")
        interfaces.append(InterfaceSpec(iname, law, plus, between))
    return interfaces


def _read_between(c: Checker, d: Mapping[str, Any], p: str) -> tuple[str, str] | None:
    """``between = [region, region]``: two different region names, or None."""
    if "between" not in d:
        return None
    v = d["between"]
    if (
        not isinstance(v, list)
        or len(v) != 2
        or not all(isinstance(x, str) and x for x in v)
        or v[0] == v[1]
    ):
        c.error(f"{p}.between", f"must be two different region names, got {v!r}")
        return None
    return (v[0], v[1])


def read_boundaries(c: Checker, data: Mapping[str, Any]) -> list[BoundarySpec]:
    """Table [boundaries] (insulated ones are left out: insulated is the default)."""
    boundaries: list[BoundarySpec] = []
    for bname, d in c.table(data, "boundaries", "").items():
        p = f"boundaries.{bname}"
        if not isinstance(d, dict):
            c.error(p, f"must be a table with a 'type' key, got {type_name(d)}")
            continue
        kind = c.string(d, "type", p, choices=tuple(BOUNDARY_KINDS), required=True)
        if kind is None:
            continue
        c.keys(d, p, ("type", *BOUNDARY_KINDS[kind][0]), BOUNDARY_KINDS[kind][1])
        vals: dict[str, Any] = {}
        if kind == "temperature":
            vals["value"] = read_time_value(c, d, "value", p, gt=0, unit="K", temperature=True)
            if getattr(vals["value"], "temperature_dependent", False):
                c.error(f"{p}.value", "a fixed temperature cannot depend on T")
        elif kind == "heat_flux":
            vals["value"] = read_time_value(c, d, "value", p, unit="W/m^2")
        elif kind in ("convection", "radiation"):
            vals = read_radiation(c, d, p, kind)
        if kind != "insulated":
            boundaries.append(BoundarySpec(bname, kind, vals))
    return boundaries


def read_sources(c: Checker, data: Mapping[str, Any]) -> dict[str, Any]:
    """Table [sources]: region -> power density (W/m³) or a total power."""
    sources: dict[str, Any] = {}
    for region, d in c.table(data, "sources", "").items():
        v = read_source(c, d, f"sources.{region}")
        if v is not None:
            sources[region] = v
    return sources


def read_solver(c: Checker, data: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Table [solver]: the solver type and the PETSc options (their values checked)."""
    from fe_interface.solvers.options import check_option_values

    s = c.table(data, "solver", "")
    c.keys(s, "solver", ("type", "petsc_options"))
    solver = c.string(s, "type", "solver", choices=("iterative", "direct"), default="iterative")
    petsc = c.table(s, "petsc_options", "solver")
    for k, msg in check_option_values(petsc):
        c.error(f"solver.petsc_options.{k}", msg)
    return solver, dict(petsc)
