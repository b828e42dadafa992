"""TOML case files: a whole steady or transient problem in one file, validated first.

The format is documented in ``docs/case-format.md``; example cases live in ``cases/``.

Three stages, each raising :class:`~fe_interface.case.checker.CaseError` with the key
path of every problem (``materials.copper.conductivity: must be > 0, got -3``):

1. :func:`load_case` / :func:`parse_case` — the TOML document alone (no mesh, no
   DOLFINx objects): unknown keys, wrong types, bad values, required keys, the interface
   laws (constructed here, so their own range checks run too), time-dependent values.
2. :meth:`Case.build_mesh` — the geometry builder (its parameters are checked by the
   builder before gmsh runs) or the ``.msh`` file.
3. :meth:`Case.check_mesh` — the case against the mesh: every region has a material,
   every named region/facet group exists, every interface separates two regions that
   touch, every boundary group lies on the outer boundary.

Only then :meth:`Case.build_problem` creates the
:class:`~fe_interface.problems.steady.SteadyProblem` or
:class:`~fe_interface.problems.transient.TransientProblem`, and
:func:`fe_interface.case.run.run_case` solves and writes the outputs.
"""

from __future__ import annotations

import copy
import inspect
import math
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from fe_interface.case.bulk import (
    PowerSource,
    read_material,
    read_radiation,
    read_source,
)
from fe_interface.case.cad import CAD_KEYS, read_cad
from fe_interface.case.checker import CaseError, Checker, is_number, join_path, type_name
from fe_interface.case.conditions import (
    check_fixed_temperatures,
    fixed_conditions,
    read_fixed_temperatures,
)
from fe_interface.case.laws import check_solvable, read_law
from fe_interface.case.outputs import check_outputs, read_probes
from fe_interface.case.pairs import PAIR_KEYS, check_pair, pair_interface, read_pair
from fe_interface.case.studies import read_fit, read_uncertainty
from fe_interface.case.sweep import read_sweep
from fe_interface.case.values import (
    check_value_uses,
    is_time_dependent,
    read_expression_value,
    read_fields,
    read_initial_temperature,
    read_temperature,
)
from fe_interface.errors import InputError

if TYPE_CHECKING:
    from fe_interface.mesh import TaggedMesh
    from fe_interface.model.time import TimeFunction
    from fe_interface.problems import SteadyProblem, TransientProblem

__all__ = [
    "BULK_MATERIALS",
    "OUTPUT_FILES",
    "TRANSIENT_KEYS",
    "Case",
    "TimeValue",
    "TransientSpec",
    "geometry_builders",
    "load_case",
    "parse_case",
    "time_value",
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
    "xdmf": "NAME.xdmf + NAME.h5 (meshio, duplicated interface vertices; ParaView; a time "
    "series for transient runs, with NAME.csv: the per-step table)",
    "vtu": "NAME.vtu (meshio, duplicated interface vertices; ParaView; steady runs)",
    "summary": "NAME_summary.json (interfaces, energy balance, solver)",
    "vtx": "NAME_vtx.bp (ADIOS2; not readable by Debian's ParaView)",
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
    "mechanics",
    "sweep",
    "fields",
    "fixed_temperatures",
    "fit",
    "uncertainty",
)


# --------------------------------------------------------------------------------------
# values that change in time
# --------------------------------------------------------------------------------------
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


def radiation_condition(name: str, v: dict[str, Any]) -> Any:
    """The :class:`~fe_interface.model.boundary.Radiation` condition of a boundary ``v``.

    For a ``radiation`` boundary, or for a ``convection`` boundary with an ``emissivity``
    (T_amb defaults to T_inf).
    """
    from fe_interface.model import Radiation

    if "T_amb" in v:
        return Radiation(name, v["emissivity"], v["T_amb"], v.get("h", 0.0), v.get("T_inf"))
    return Radiation(name, v["emissivity"], v["T_inf"], v["h"], v["T_inf"])


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


def _time_values(
    boundaries: list[BoundarySpec], sources: dict[str, Any], fixed: Sequence[Any] = ()
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


# --------------------------------------------------------------------------------------
# transient analyses
# --------------------------------------------------------------------------------------
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


def read_transient(c: Checker, a: Mapping[str, Any]) -> TransientSpec | None:  # noqa: C901 -- flat key-by-key validation
    """The :class:`TransientSpec` of table [analysis] (errors recorded in ``c``)."""
    p = "analysis"
    n0 = len(c.errors)
    for k in ("t_end", "dt", "initial_temperature"):
        if k not in a:
            c.error(join_path(p, k), "missing required value (transient analysis)")
    t_end = c.number(a, "t_end", p, gt=0)
    dt = c.number(a, "dt", p, gt=0)
    scheme: Any = a.get("scheme", "backward_euler")
    if isinstance(scheme, str):
        from fe_interface.problems.transient import SCHEMES

        scheme = c.string(a, "scheme", p, choices=tuple(SCHEMES), default="backward_euler")
    else:
        scheme = c.number(a, "scheme", p, ge=0.5, le=1.0)
    init: Any = read_initial_temperature(c, a, p) if "initial_temperature" in a else None
    startup = c.integer(a, "startup_steps", p, default=2)
    if isinstance(startup, int) and startup < 0:
        c.error(join_path(p, "startup_steps"), f"must be >= 0, got {startup}")
    every = {
        k: c.integer(a, k, p, default=d) for k, d in (("output_every", 1), ("checkpoint_every", 10))
    }
    for k, v in every.items():
        if isinstance(v, int) and v < 1:
            c.error(join_path(p, k), f"must be >= 1, got {v}")
    max_steps = c.integer(a, "max_steps", p, default=1_000_000)
    if isinstance(max_steps, int) and max_steps < 1:
        c.error(join_path(p, "max_steps"), f"must be >= 1, got {max_steps}")
        max_steps = None
    tol = c.number(a, "tol", p, gt=0, default=1e-2)
    dt_min = c.number(a, "dt_min", p, gt=0)
    dt_max = c.number(a, "dt_max", p, gt=0)
    if dt_min is not None and dt_max is not None and dt_min > dt_max:
        c.error(join_path(p, "dt_min"), f"must be <= dt_max ({dt_max:g}), got {dt_min:g}")
    elif t_end is not None and dt is not None and c.boolean(a, "adaptive", p):
        # against the defaults the run takes (dt_max = t_end, dt_min = dt * 1e-6)
        if dt_min is not None and dt_max is None and dt_min > t_end:
            c.error(join_path(p, "dt_min"), f"must be <= t_end ({t_end:g}), got {dt_min:g}")
        if dt_max is not None and dt_min is None and dt_max < dt * 1e-6:
            c.error(join_path(p, "dt_max"), f"must be >= dt * 1e-6 ({dt * 1e-6:g}), got {dt_max:g}")
    if t_end is not None and dt is not None and not c.boolean(a, "adaptive", p):
        if isinstance(max_steps, int) and t_end / dt > max_steps:
            c.error(
                join_path(p, "dt"),
                f"t_end / dt = {t_end / dt:.3g} steps exceeds max_steps = {max_steps} "
                "(a larger dt, adaptive = true, or a larger max_steps)",
            )
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
    if c.boolean(a, "restart", p) and "checkpoint" not in a:
        c.error(join_path(p, "restart"), "needs a checkpoint folder (analysis.checkpoint)")
    if len(c.errors) > n0 or t_end is None or dt is None or init is None:
        return None
    return TransientSpec(
        t_end=t_end,
        dt=dt,
        initial_temperature=init,
        scheme=scheme if scheme is not None else "backward_euler",
        startup_steps=int(startup) if isinstance(startup, int) else 2,
        adaptive=c.boolean(a, "adaptive", p),
        tol=tol,
        dt_min=dt_min,
        dt_max=dt_max,
        output_every=int(every["output_every"] or 1),
        checkpoint_every=int(every["checkpoint_every"] or 10),
        checkpoint=checkpoint,
        restart=c.boolean(a, "restart", p),
        max_steps=int(max_steps) if isinstance(max_steps, int) else 1_000_000,
    )


# --------------------------------------------------------------------------------------
# the case
# --------------------------------------------------------------------------------------
@dataclass
@dataclass
class InterfaceSpec:
    name: str
    law: Any
    plus: str | None
    between: tuple[str, str] | None
    pair: dict[str, Any] | None = None  # a non-matching pair (fe_interface.case.pairs)


@dataclass
class BoundarySpec:
    name: str
    kind: str
    values: dict[str, Any]


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
    sources: dict[str, Any]
    analysis: str = "steady"
    transient: TransientSpec | None = None
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
    mechanics: Any = None  # fe_interface.case.mechanics.MechanicsSpec
    probes: dict[str, Any] = field(default_factory=dict)  # name -> ProbeSpec (outputs.probes)
    junction: str | None = None  # outputs.junction: region whose max T is reported first
    sweep: Any = None  # fe_interface.case.sweep.SweepSpec ([sweep])
    fixed: list[Any] = field(default_factory=list)  # [fixed_temperatures] (case/conditions.py)
    value_uses: list[Any] = field(default_factory=list, repr=False)  # checked at stage 3
    fit: Any = None  # fe_interface.case.studies.FitSpec ([fit])
    uncertainty: Any = None  # fe_interface.case.studies.UncertaintySpec ([uncertainty])
    data: dict[str, Any] | None = field(default=None, repr=False)  # the TOML document
    _tagged: Any = field(default=None, repr=False)
    _problem: Any = field(default=None, repr=False)  # the last built problem (summary units)
    cad: Any = None  # fe_interface.case.cad.CadSpec ([geometry] cad = ...)
    contacts: tuple = ()  # the CAD assembly's contacts (after build_mesh)

    # ---------------------------------------------------------------- stage 2
    def build_mesh(self, comm: Any = None) -> TaggedMesh:
        """The mesh: geometry builder or ``.msh`` file (collective)."""
        from mpi4py import MPI

        comm = MPI.COMM_WORLD if comm is None else comm
        if self.cad is not None:
            assembly = self.cad.build(comm, self.source)
            self.contacts = assembly.contacts
            return assembly.tagged
        if self.mesh_file is not None:
            from fe_interface.errors import MeshError
            from fe_interface.mesh import read_msh

            try:
                return read_msh(self.mesh_file, comm, self.gdim)
            except MeshError as e:
                raise CaseError([("geometry.mesh", str(e))], self.source) from None
        assert self.builder is not None  # parse_case: a CAD file, a mesh file or a builder
        builder = geometry_builders()[self.builder]
        try:
            return builder(comm=comm, **self.builder_parameters)
        except Exception as e:  # the builder's checks (on every rank), or gmsh failing
            msg = str(e) if isinstance(e, (ValueError, TypeError)) else f"{type(e).__name__}: {e}"
            first = msg.split(" ", 1)[0]
            base = first.split("[", 1)[0]
            path = "geometry.parameters"
            if base in self.builder_parameters:
                path = f"{path}.{first}"
                msg = msg.split(" ", 1)[1] if " " in msg else msg
            raise CaseError([(path, f"{self.builder}: {msg}")], self.source) from None

    # ---------------------------------------------------------------- stage 3
    def check_mesh(self, tagged: TaggedMesh) -> TaggedMesh:  # noqa: C901 -- sequential case-vs-mesh checks
        """Check the case against the mesh.

        Returns the mesh with the facet groups of ``between`` interfaces added. Raises
        :class:`CaseError` (on every rank).
        """
        from mpi4py import MPI

        from fe_interface.mesh import TaggedMesh, material_contact_facets
        from fe_interface.mesh.topology import facet_cells, gather_pairs

        c = Checker()
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
            if spec.pair is not None:
                check_pair(c, spec.name, spec.pair, tagged)
                continue
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
                ((tx, ty),) = pairs
                sides = {region_of_tag[tx], region_of_tag[ty]}
            if spec.plus is not None and spec.plus not in sides:
                c.error(
                    f"{p}.plus",
                    f"region {spec.plus!r} is not on either side (sides: {', '.join(sorted(sides))})",
                )
        if self.line is not None:
            from fe_interface.postprocessing.sampling import check_line

            try:
                check_line(mesh, self.line[0], self.line[1], "line")
            except InputError as e:
                c.error("outputs.line", str(e).removeprefix("line: "))
        check_outputs(c, self, tagged, regions)  # outputs.junction, outputs.probes
        for bnd in self.boundaries:
            p = f"boundaries.{bnd.name}"
            if bnd.name not in tagged.facet_names:
                c.error(p, f"no facet group {bnd.name!r} in the mesh (facet groups: {facet_list})")
                continue
            tag = tagged.facet_names[bnd.name]
            if tag in interface_tags:
                c.error(p, "this facet group is an interface; boundaries must be outer facets")
                continue
            pairs, _ = pairs_of(tag)
            if pairs:
                c.error(p, "facet group is not on the outer boundary (it has internal facets)")
        if self.mechanics is not None:
            self.mechanics.check(tagged, c)
        check_fixed_temperatures(c, self.fixed, tagged, regions)
        t_end = self.transient.t_end if self.transient is not None else None
        check_value_uses(c, self.value_uses, tagged, t_end)  # fields, bounds of expressions
        if c.errors:
            raise CaseError(c.errors, self.source)
        if not new_groups:
            return tagged
        # add the facet groups of 'between' interfaces
        import dolfinx

        ft = tagged.facet_tags
        idx, val = [ft.indices], [ft.values]
        facet_names = dict(tagged.facet_names)
        next_tag = int(comm.allreduce(int(ft.values.max(initial=0)), op=MPI.MAX)) + 1
        next_tag = max(next_tag, max(facet_names.values(), default=0) + 1)
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
            facet_names[n] = next_tag
            next_tag += 1
        if c.errors:
            raise CaseError(c.errors, self.source)
        allidx = np.concatenate(idx)
        order = np.argsort(allidx)
        new_ft = dolfinx.mesh.meshtags(
            mesh, tdim - 1, allidx[order].astype(np.int32), np.concatenate(val)[order]
        )
        return TaggedMesh(mesh, tagged.cell_tags, new_ft, dict(tagged.cell_names), facet_names)

    # ---------------------------------------------------------------- stage 4
    def build_problem(self, tagged: TaggedMesh) -> SteadyProblem | TransientProblem:
        """The problem of a checked mesh (see :meth:`check_mesh`).

        A :class:`~fe_interface.problems.steady.SteadyProblem`, or a
        :class:`~fe_interface.problems.transient.TransientProblem` for ``analysis.type =
        "transient"``.
        """
        from fe_interface.model import (
            Convection,
            FixedTemperature,
            HeatFlux,
            HeatSource,
            Interface,
            Material,
        )
        from fe_interface.problems import SteadyProblem, TransientProblem

        try:
            mats: dict[str | int, Material] = {
                r: Material(
                    m.get("label", r), m["conductivity"], m.get("density"), m.get("specific_heat")
                )
                for r, m in self.materials.items()
            }
        except InputError as e:
            raise CaseError([("materials", str(e))], self.source) from None
        interfaces = [
            Interface(s.name, s.law, plus=s.plus)
            if s.pair is None
            else pair_interface(s.name, s.law, s.pair)
            for s in self.interfaces
        ]
        bcs: list[Any] = []
        for b in self.boundaries:
            v = {k: time_value(x) for k, x in b.values.items()}
            if b.kind == "temperature":
                bcs.append(FixedTemperature(b.name, v["value"]))
            elif b.kind == "heat_flux":
                bcs.append(HeatFlux(b.name, v["value"]))
            elif b.kind == "convection" and "emissivity" not in v:
                bcs.append(Convection(b.name, v["h"], v["T_inf"]))
            elif b.kind in ("radiation", "convection"):
                bcs.append(radiation_condition(b.name, v))
        bcs += fixed_conditions(self.fixed)  # [fixed_temperatures]: regions and points
        sources = [
            HeatSource(r, power=time_value(v.power), depth=v.depth)
            if isinstance(v, PowerSource)
            else HeatSource(r, time_value(v))
            for r, v in self.sources.items()
        ]
        common: dict[str, Any] = {
            "interfaces": interfaces,
            "boundary_conditions": bcs,
            "sources": sources,
            "degree": self.degree,
            "axisymmetric": self.axisymmetric,
            "solver": self.solver,
            "petsc_options": self.petsc_options,
        }
        if self.mechanics is not None:  # a ThermoMechanicalProblem
            return self.mechanics.build(self, tagged, {"materials": mats, **common})
        if self.transient is not None:
            tr = self.transient
            return TransientProblem(
                tagged,
                mats,
                initial_temperature=tr.initial_temperature,
                scheme=tr.scheme,
                startup_steps=tr.startup_steps,
                probes=list(self.probes.values()),  # time series: probe_<name>_K
                monitor_regions=[self.junction] if self.junction else [],
                **common,
            )
        return SteadyProblem(tagged, mats, initial_temperature=self.initial_temperature, **common)

    def prepare(self, comm: Any = None) -> SteadyProblem | TransientProblem:
        """Mesh + checks + problem (not yet solved)."""
        tagged = self.check_mesh(self.build_mesh(comm))
        return self.build_problem(tagged)


def geometry_builders() -> dict[str, Callable[..., Any]]:
    """The builders of :mod:`fe_interface.geometry` usable as ``geometry.builder``.

    Those of ``builders`` and of ``parts`` (separately meshed parts, for pairs).
    """
    from fe_interface.geometry import builders, parts

    out = {}
    for module in (builders, parts):
        for name in getattr(module, "__all__", []):
            f = getattr(module, name, None)
            if callable(f):
                out[name] = f
    from fe_interface.mechanics.meshes import contact_blocks

    out["contact_blocks"] = contact_blocks  # graded blocks on a flat contact (mechanics)
    return out


def _check_file_name(c: Checker, name: Any, path: str) -> None:
    """``name`` is used as a file or folder name: no path separators, no '..'."""
    if not isinstance(name, str):
        return
    from fe_interface.io.files import check_output_name

    try:
        check_output_name(name, path)
    except InputError as e:
        msg = str(e)
        c.error(path, msg[len(path) + 1 :] if msg.startswith(f"{path} ") else msg)


def load_case(path: str | Path) -> Case:
    """Read and validate a TOML case file (stage 1; no mesh is built).

    Raises:
        CaseError: the file is missing, unreadable, not UTF-8 text, not TOML, or an
            invalid case.
    """
    path = Path(path)
    if path.is_dir():
        raise CaseError(f"case file {path} is a folder, not a file")
    if not path.is_file():
        raise CaseError(f"case file not found: {path}")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CaseError(f"cannot read the case file: {e.strerror or e}", str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CaseError(
            f"not a text file (not UTF-8: byte {e.start} is 0x{raw[e.start]:02x}); a case "
            "file is TOML text",
            str(path),
        ) from None
    if "\0" in text:
        raise CaseError(
            "not a text file (it contains NUL bytes); a case file is TOML text", str(path)
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise CaseError(f"not valid TOML: {e}", str(path)) from None
    return parse_case(
        data, base_dir=path.resolve().parent, source=str(path), default_name=path.stem
    )


def parse_case(  # noqa: C901 -- one branch per case-file table
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
    c.keys(data, "", _TOP_KEYS)
    name = c.string(data, "name", "", default=default_name)
    description = c.string(data, "description", "", default="")
    _check_file_name(c, name, "name")
    c.fields = read_fields(c, data, base_dir)  # [fields]: used by expressions below

    # geometry
    g = c.table(data, "geometry", "", required=True)
    builder, params, mesh_file, gdim, cad = None, {}, None, None, None
    if g:
        c.keys(g, "geometry", ("builder", "parameters", "mesh", "gdim", *CAD_KEYS))
        if ("builder" in g) + ("mesh" in g) + ("cad" in g) != 1:
            c.error(
                "geometry",
                "give exactly one of 'builder' (with 'parameters'), 'mesh' or 'cad'",
            )
        elif "cad" in g:  # a CAD assembly (fe_interface.case.cad)
            cad = read_cad(c, g, base_dir)
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
        for k in CAD_KEYS[1:]:
            if k in g and "cad" not in g:
                c.error(f"geometry.{k}", "only used with 'cad'")
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
        entry = read_material(c, region, m, BULK_MATERIALS)
        if entry is not None:
            materials[region] = entry

    # interfaces
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
        law = read_law(c, d, p, skip=("plus", "between"))
        check_solvable(c, law, p)  # a law Newton cannot differentiate: its key path
        if plus is not None and between is not None and plus not in between:
            c.error(f"{p}.plus", f"region {plus!r} is not one of 'between' {list(between)}")
        interfaces.append(InterfaceSpec(iname, law, plus, between))

    # boundaries
    boundaries: list[BoundarySpec] = []
    kinds = {  # type -> (allowed keys, required keys)
        "temperature": (("value",), ("value",)),
        "heat_flux": (("value",), ("value",)),
        "convection": (("h", "T_inf", "emissivity", "T_amb"), ("h", "T_inf")),
        "radiation": (("emissivity", "T_amb", "h", "T_inf"), ("emissivity", "T_amb")),
        "insulated": ((), ()),
    }
    for bname, d in c.table(data, "boundaries", "").items():
        p = f"boundaries.{bname}"
        if not isinstance(d, dict):
            c.error(p, f"must be a table with a 'type' key, got {type_name(d)}")
            continue
        kind = c.string(d, "type", p, choices=tuple(kinds), required=True)
        if kind is None:
            continue
        c.keys(d, p, ("type", *kinds[kind][0]), kinds[kind][1])
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

    # sources
    sources: dict[str, Any] = {}
    for region, d in c.table(data, "sources", "").items():
        v = read_source(c, d, f"sources.{region}")
        if v is not None:
            sources[region] = v

    fixed = read_fixed_temperatures(c, data)  # [fixed_temperatures]: regions and points

    # analysis
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

    # solver
    s = c.table(data, "solver", "")
    c.keys(s, "solver", ("type", "petsc_options"))
    solver = c.string(s, "type", "solver", choices=("iterative", "direct"), default="iterative")
    petsc = c.table(s, "petsc_options", "solver")
    from fe_interface.solvers.options import check_option_values

    for k, msg in check_option_values(petsc):
        c.error(f"solver.petsc_options.{k}", msg)

    # outputs
    o = c.table(data, "outputs", "")
    c.keys(o, "outputs", ("folder", "name", "files", "line", "probes", "junction"))
    probes = read_probes(c, o)  # fe_interface.case.outputs
    junction = c.string(o, "junction", "outputs")
    folder = c.string(o, "folder", "outputs")
    out_name = c.string(o, "name", "outputs", default=name)
    if "name" in o:
        _check_file_name(c, out_name, "outputs.name")
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
            if atype == "transient" and "vtu" in fl:  # one file per run: no time series
                transient_files = ", ".join(k for k in OUTPUT_FILES if k != "vtu")
                c.error(
                    "outputs.files",
                    "'vtu' is written by steady runs only: a transient run writes its time "
                    f"series as 'xdmf' (or 'vtx') (choices for transient runs: {transient_files})",
                )
            files = tuple(dict.fromkeys(fl))
    line = None
    if "line" in o:
        ln = c.table(o, "line", "outputs")
        c.keys(ln, "outputs.line", ("start", "end", "points"), ("start", "end"))
        a0 = c.point(ln, "start", "outputs.line")
        a1 = c.point(ln, "end", "outputs.line")
        npts = c.integer(ln, "points", "outputs.line", default=200)
        if isinstance(npts, int) and not 2 <= npts <= 100_000:
            c.error("outputs.line.points", f"must be between 2 and 100000, got {npts}")
        if a0 is not None and a1 is not None:
            if a0 == a1:
                c.error("outputs.line", "start and end must differ")
            line = (a0, a1, npts)

    mechanics = None
    if "mechanics" in data:  # thermo-mechanical contact (docs/case-format.md)
        from fe_interface.case.mechanics import read_mechanics

        mechanics = read_mechanics(
            c, data["mechanics"], [s.name for s in interfaces], atype or "steady"
        )
    sweep = read_sweep(c, data)  # parametric sweep: fe_interface.case.sweep
    fit = read_fit(c, dict(data), base_dir)  # [fit], [uncertainty]: fe_interface.case.studies
    uncertainty = read_uncertainty(c, dict(data))

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
        analysis=atype or "steady",
        transient=transient,
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
        mechanics=mechanics,
        probes=probes,
        junction=junction,
        sweep=sweep,
        fixed=fixed,
        value_uses=list(c.value_uses),
        fit=fit,
        uncertainty=uncertainty,
        data=copy.deepcopy(dict(data)),
        cad=cad,
    )
