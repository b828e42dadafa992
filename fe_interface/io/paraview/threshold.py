"""pvpython: extract the cells of one named region or boundary group, as JSON.

    pvpython threshold.py RESULT.{vtu,xdmf} --array region:die [--min 1 --max 1]

The result files hold one indicator cell array per region (``region:<name>``) and per
boundary facet group (``boundary:<name>``), 1 on its cells and 0 elsewhere
(:func:`fe_interface.io.fields.write_meshio`), so ParaView's Threshold selects a part by
its name.  Prints one line ``FE_INTERFACE_JSON:{...}`` with ``cell_arrays`` (the names
in the file), ``cells``, ``points``, ``bounds`` and the ``temperature_K`` range of the
selection.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _pvcommon as common
from paraview import simple as pv


def main():
    """Threshold the named array and print the JSON line."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("file")
    ap.add_argument("--array", required=True, help="cell array, e.g. region:die")
    ap.add_argument("--min", type=float, default=1.0)
    ap.add_argument("--max", type=float, default=1.0)
    args = ap.parse_args()

    reader = common.open_result(args.file)
    names = list(reader.CellData.keys())
    if args.array not in names:
        raise SystemExit(f"no cell array {args.array!r} in {args.file} (arrays: {names})")
    thr = pv.Threshold(Input=reader, Scalars=["CELLS", args.array])
    # ParaView 5.10+: LowerThreshold/UpperThreshold; older: ThresholdRange
    if hasattr(thr, "LowerThreshold"):
        thr.LowerThreshold, thr.UpperThreshold = args.min, args.max
    else:
        thr.ThresholdRange = [args.min, args.max]
    thr.UpdatePipeline()
    info = thr.GetDataInformation()
    arr = thr.PointData[common.FIELD] if common.FIELD in thr.PointData.keys() else None
    common.emit(
        {
            "file": os.path.abspath(args.file),
            "array": args.array,
            "cell_arrays": names,
            "cells": int(info.GetNumberOfCells()),
            "points": int(info.GetNumberOfPoints()),
            "bounds": common.bounds(thr),
            "temperature_range_K": [float(x) for x in arr.GetRange()] if arr is not None else None,
        }
    )


if __name__ == "__main__":
    main()
