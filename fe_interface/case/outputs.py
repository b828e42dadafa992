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
from typing import Any

from fe_interface.case.checker import Checker, is_number, join_path, type_name

__all__ = ["check_outputs", "read_probes"]


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
