"""Case-file readers of the derived outputs: ``outputs.junction`` and ``outputs.probes``.

::

    [outputs]
    junction = "die"                  # region: its max T is the junction temperature

    [outputs.probes]                  # named points (m); time series in transient runs
    die_centre = [0.0, 0.00755]
    joint_top = { point = [0.0, 0.007], region = "spreader" }   # the side of an interface

Stage 1 checks the syntax (names, finite coordinates); stage 3 (:func:`check_outputs`)
checks the names and points against the mesh, each error with its key path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fe_interface.case.checker import Checker, is_number, join_path, type_name

__all__ = [
    "DEFAULT_FILES",
    "OUTPUT_FILES",
    "OutputsSpec",
    "check_file_name",
    "check_outputs",
    "read_outputs",
    "read_probes",
]

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


@dataclass(frozen=True)
class OutputsSpec:
    """The [outputs] of a case (``folder`` relative to the case file, as given)."""

    folder: str | None
    name: str
    files: tuple[str, ...]
    line: tuple[list[float], list[float], int] | None
    probes: dict[str, Any]
    junction: str | None


def check_file_name(c: Checker, name: Any, path: str) -> None:
    """``name`` is used as a file or folder name: no path separators, no '..'."""
    if not isinstance(name, str):
        return
    from fe_interface.errors import InputError
    from fe_interface.io.files import check_output_name

    try:
        check_output_name(name, path)
    except InputError as e:
        msg = str(e)
        c.error(path, msg[len(path) + 1 :] if msg.startswith(f"{path} ") else msg)


def read_outputs(c: Checker, data: Mapping[str, Any], name: str, analysis: str) -> OutputsSpec:
    """Table [outputs] of a case named ``name`` (errors recorded with their key paths)."""
    o = c.table(data, "outputs", "")
    c.keys(o, "outputs", ("folder", "name", "files", "line", "probes", "junction"))
    probes = read_probes(c, o)
    junction = c.string(o, "junction", "outputs")
    folder = c.string(o, "folder", "outputs")
    out_name = c.string(o, "name", "outputs", default=name)
    if "name" in o:
        check_file_name(c, out_name, "outputs.name")
    files = _read_files(c, o, analysis) if "files" in o else DEFAULT_FILES
    line = _read_line(c, o) if "line" in o else None
    return OutputsSpec(folder, out_name, files, line, probes, junction)


def _read_files(c: Checker, o: Mapping[str, Any], analysis: str) -> tuple[str, ...]:
    """``outputs.files``: kinds of :data:`OUTPUT_FILES` (a steady run's only: ``vtu``)."""
    fl = o["files"]
    if not isinstance(fl, list) or not all(isinstance(x, str) for x in fl):
        c.error("outputs.files", f"must be an array of strings, got {fl!r}")
        return DEFAULT_FILES
    bad = [x for x in fl if x not in OUTPUT_FILES]
    if bad:
        c.error(
            "outputs.files",
            f"unknown file kind(s) {bad} (choices: {', '.join(OUTPUT_FILES)})",
        )
    if analysis == "transient" and "vtu" in fl:  # one file per run: no time series
        transient_files = ", ".join(k for k in OUTPUT_FILES if k != "vtu")
        c.error(
            "outputs.files",
            "'vtu' is written by steady runs only: a transient run writes its time "
            f"series as 'xdmf' (or 'vtx') (choices for transient runs: {transient_files})",
        )
    return tuple(dict.fromkeys(fl))


def _read_line(c: Checker, o: Mapping[str, Any]) -> tuple[list[float], list[float], int] | None:
    """``outputs.line``: start and end points (m) and the number of points."""
    ln = c.table(o, "line", "outputs")
    c.keys(ln, "outputs.line", ("start", "end", "points"), ("start", "end"))
    a0 = c.point(ln, "start", "outputs.line")
    a1 = c.point(ln, "end", "outputs.line")
    npts = c.integer(ln, "points", "outputs.line", default=200)
    if isinstance(npts, int) and not 2 <= npts <= 100_000:
        c.error("outputs.line.points", f"must be between 2 and 100000, got {npts}")
    if a0 is None or a1 is None:
        return None
    if a0 == a1:
        c.error("outputs.line", "start and end must differ")
    return (a0, a1, npts)


def _point(c: Checker, v: Any, path: str) -> tuple[float, ...] | None:
    if not isinstance(v, list) or not 2 <= len(v) <= 3 or not all(is_number(x) for x in v):
        c.error(path, f"must be an array of 2 or 3 coordinates (m), got {v!r}")
        return None
    if not all(math.isfinite(float(x)) for x in v):
        c.error(path, f"coordinates must be finite (m), got {v!r}")
        return None
    return tuple(float(x) for x in v)


def read_probes(c: Checker, o: Mapping[str, Any]) -> dict[str, Any]:
    """``outputs.probes``: name -> :class:`~fe_interface.postprocessing.derived.ProbeSpec`.

    Errors are recorded in ``c``.
    """
    from fe_interface.postprocessing.derived import ProbeSpec

    out: dict[str, Any] = {}
    probes = c.table(o, "probes", "outputs")
    for name, v in probes.items():
        p = f"outputs.probes.{name}"
        region = None
        if isinstance(v, dict):
            c.keys(v, p, ("point", "region"), ("point",))
            region = c.string(v, "region", p)
            pt = _point(c, v["point"], join_path(p, "point")) if "point" in v else None
        elif isinstance(v, list):
            pt = _point(c, v, p)
        else:
            c.error(
                p,
                f"must be a point [x, y(, z)] (m) or a table {{point, region}}, got {type_name(v)}",
            )
            continue
        if pt is not None:
            out[str(name)] = ProbeSpec(str(name), pt, region)
    return out


def check_outputs(c: Checker, case: Any, tagged: Any, regions: Mapping[str, int]) -> None:
    """``outputs.junction`` and ``outputs.probes`` against the mesh (collective).

    The regions exist, every probe lies in the mesh (in its region).
    """
    names = ", ".join(sorted(regions))
    if case.junction is not None and case.junction not in regions:
        c.error("outputs.junction", f"no region {case.junction!r} in the mesh (regions: {names})")
    if not case.probes:
        return
    import numpy as np

    from fe_interface.postprocessing.sampling import locate_in_mesh

    specs = list(case.probes.values())
    unknown = [q for q in specs if q.region is not None and q.region not in regions]
    for q in unknown:
        c.error(
            f"outputs.probes.{q.name}.region",
            f"no region {q.region!r} in the mesh (regions: {names})",
        )
    if unknown:  # the same on every rank (case data): no rank enters the collective call
        return
    mesh = tagged.mesh
    imap = mesh.topology.index_map(mesh.topology.dim)
    cell_region = np.zeros(imap.size_local + imap.num_ghosts, dtype=np.int64)
    cell_region[tagged.cell_tags.indices] = tagged.cell_tags.values
    tags = [None if q.region is None else regions[q.region] for q in specs]
    where = locate_in_mesh(mesh, cell_region, [q.point for q in specs], tags)
    for q, owner in zip(specs, where.owner, strict=True):
        if owner < 0:
            inside = f" in region {q.region!r}" if q.region else ""
            path = f"outputs.probes.{q.name}" + (".point" if q.region else "")
            c.error(path, f"the point {list(q.point)} m is not in the mesh{inside}")
