"""``[fixed_temperatures.NAME]``: a temperature held on a whole region or at a point.

```toml
[fixed_temperatures.sink]            # an isothermal body: every dof of the region
region = "sink"
value = 300.0                        # K (or { value = 27.0, unit = "degC" }, an expression of t)

[fixed_temperatures.thermocouple]    # a mesh vertex (on an interface: one side with region)
point = [0.0, 0.005]
region = "die"
value = { value = 85.0, unit = "degC" }
```

Read at stage 1 (:func:`read_fixed_temperatures`), checked against the mesh at stage 3
(:func:`check_fixed_temperatures`: the region exists, the point is a vertex of the mesh,
of the region if one is given), turned into
:class:`~fe_interface.model.constraints.RegionTemperature` /
:class:`~fe_interface.model.constraints.PointTemperature` by :func:`fixed_conditions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from fe_interface.case.checker import Checker, type_name
from fe_interface.case.timevalues import read_time_value, time_value

__all__ = ["FixedSpec", "check_fixed_temperatures", "fixed_conditions", "read_fixed_temperatures"]


@dataclass(frozen=True)
class FixedSpec:
    """One fixed temperature: a region or a point (m), and its value (K)."""

    name: str
    value: Any
    region: str | None
    point: list[float] | None


def read_fixed_temperatures(c: Checker, data: Mapping[str, Any]) -> list[FixedSpec]:
    """The ``[fixed_temperatures]`` tables (errors recorded with their key paths)."""
    from fe_interface.case.values import ValueUse

    out = []
    for name, d in c.table(data, "fixed_temperatures", "").items():
        p = f"fixed_temperatures.{name}"
        if not isinstance(d, dict):
            c.error(p, f"must be a table (region or point, value), got {type_name(d)}")
            continue
        n0 = len(c.errors)
        c.keys(d, p, ("region", "point", "value"), ("value",))
        region = c.string(d, "region", p)
        point = c.point(d, "point", p)
        if "region" not in d and "point" not in d:
            c.error(p, "give region = NAME (an isothermal region) or point = [x, y(, z)] (m)")
        value = read_time_value(c, d, "value", p, gt=0, temperature=True) if "value" in d else None
        if value is not None and getattr(value, "temperature_dependent", False):
            c.error(f"{p}.value", "a fixed temperature cannot depend on T")
        if point is not None and getattr(value, "position_dependent", False):
            c.error(f"{p}.value", "a point temperature can depend on t only")
        if len(c.errors) > n0 or value is None:
            continue
        if region is not None and point is None and getattr(value, "position_dependent", False):
            getattr(c, "value_uses", []).append(
                ValueUse(f"{p}.value", value, "region", region, gt=0)
            )
        out.append(FixedSpec(name, value, region, point))
    return out


def check_fixed_temperatures(
    c: Checker, specs: list[FixedSpec], tagged: Any, regions: Mapping[str, int]
) -> None:
    """Regions exist; points are vertices of the mesh (of their region) (collective)."""
    if not specs:
        return
    mesh = tagged.mesh
    names = ", ".join(sorted(regions))
    x = mesh.geometry.x
    lo = np.min(mesh.comm.allgather(x.min(axis=0) if len(x) else np.full(3, np.inf)), axis=0)
    hi = np.max(mesh.comm.allgather(x.max(axis=0) if len(x) else np.full(3, -np.inf)), axis=0)
    tol = 1e-8 * float(np.max(hi - lo))
    tdim = mesh.topology.dim
    ncells = mesh.topology.index_map(tdim).size_local
    cell_region = np.zeros(ncells, np.int64)
    ct = tagged.cell_tags
    own = ct.indices < ncells
    cell_region[ct.indices[own]] = ct.values[own]
    dmap = mesh.geometry.dofmaps[0][:ncells]
    for s in specs:
        p = f"fixed_temperatures.{s.name}"
        if s.region is not None and s.region not in regions:
            c.error(f"{p}.region", f"no region {s.region!r} in the mesh (regions: {names})")
            continue
        if s.point is None:
            continue
        near = np.flatnonzero(np.linalg.norm(x - np.asarray(s.point), axis=1) <= tol)
        cells = np.flatnonzero(np.isin(dmap, near).any(axis=1))
        if s.region is not None:
            cells = cells[cell_region[cells] == regions[s.region]]
        if not mesh.comm.allreduce(int(cells.size)):
            inside = f" of region {s.region!r}" if s.region else ""
            c.error(f"{p}.point", f"the point {s.point} m is not a vertex of the mesh{inside}")


def fixed_conditions(specs: list[FixedSpec]) -> list[Any]:
    """The model's RegionTemperature / PointTemperature conditions of the specs."""
    from fe_interface.model.constraints import PointTemperature, RegionTemperature

    out: list[Any] = []
    for s in specs:
        v = time_value(s.value)
        if s.point is None:
            assert s.region is not None  # read_fixed_temperatures: region or point
            out.append(RegionTemperature(s.region, v, name=f"fixed:{s.name}"))
        else:
            out.append(PointTemperature(s.point, v, s.region, name=f"fixed:{s.name}"))
    return out
