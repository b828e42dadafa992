"""pvpython: counts, ranges and probes of a fe_interface result file, as JSON.

    pvpython probe.py RESULT.{vtu,xdmf} [--points '[[x, y, z], ...]']
                      [--line '[[x0, y0, z0], [x1, y1, z1]]' --resolution N]

Prints one line ``FE_INTERFACE_JSON:{...}`` with ``points``, ``cells``, ``ranges``
(every point and cell array: [min, max]), ``probes`` (ProbeLocation at each point:
``temperature_K``, ``region``, ``valid``) and ``line`` (PlotOverLine samples:
``arc_length``, ``temperature_K``, ``valid``).  Because interface vertices are
duplicated, a probe just to one side of an interface returns that side's value.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _pvcommon as common
from paraview import servermanager as sm
from paraview import simple as pv


def _value(data, name, i=0):
    arr = data.GetPointData().GetArray(name)
    return None if arr is None else float(arr.GetTuple1(i))


def main():
    """Probe the result file and print the JSON line."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("file")
    ap.add_argument("--points", default="[]", help="JSON list of [x, y, z]")
    ap.add_argument("--line", default=None, help="JSON [[x0, y0, z0], [x1, y1, z1]]")
    ap.add_argument("--resolution", type=int, default=200)
    args = ap.parse_args()

    reader = common.open_result(args.file)
    info = reader.GetDataInformation()
    out = {
        "file": os.path.abspath(args.file),
        "points": int(info.GetNumberOfPoints()),
        "cells": int(info.GetNumberOfCells()),
        "bounds": common.bounds(reader),
        "ranges": {},
    }
    for kind, arrays in (("point", reader.PointData), ("cell", reader.CellData)):
        for name in arrays.keys():
            out["ranges"][name] = [float(x) for x in arrays[name].GetRange()]
            out.setdefault(f"{kind}_arrays", []).append(name)

    # ProbeLocation probes the cell that contains the point: with duplicated interface
    # vertices, its interpolation uses that side's values only
    probes = []
    pts = json.loads(args.points)
    if pts:
        # cell data (region) is passed to the probe as point data
        probe = pv.ProbeLocation(Input=reader, ProbeType="Fixed Radius Point Source")
        probe.ProbeType.Radius = 0.0
        probe.ProbeType.NumberOfPoints = 1
        for p in pts:
            p = [float(x) for x in p] + [0.0] * (3 - len(p))
            probe.ProbeType.Center = p
            probe.UpdatePipeline()
            data = sm.Fetch(probe)
            valid = _value(data, "vtkValidPointMask")
            probes.append(
                {
                    "point": p,
                    "valid": bool(valid) if valid is not None else None,
                    common.FIELD: _value(data, common.FIELD),
                    "region": _value(data, "region"),
                }
            )
    out["probes"] = probes

    if args.line:
        a, b = json.loads(args.line)
        pol = pv.PlotOverLine(Input=reader)
        # ParaView 5.10+: the line is a property of the filter itself
        pol.Point1 = [float(x) for x in a] + [0.0] * (3 - len(a))
        pol.Point2 = [float(x) for x in b] + [0.0] * (3 - len(b))
        pol.Resolution = args.resolution
        pol.UpdatePipeline()
        data = sm.Fetch(pol)
        n = data.GetNumberOfPoints()
        out["line"] = {
            "arc_length": [_value(data, "arc_length", i) for i in range(n)],
            common.FIELD: [_value(data, common.FIELD, i) for i in range(n)],
            "valid": [_value(data, "vtkValidPointMask", i) for i in range(n)],
        }
    common.emit(out)


if __name__ == "__main__":
    main()
