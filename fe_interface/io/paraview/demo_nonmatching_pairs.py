"""pvbatch: PNG of the non-matching pairs demo (``demos/demo_nonmatching_pairs.py``).

    xvfb-run -a pvbatch demo_nonmatching_pairs.py RESULTS_FOLDER --png OUT.png

Reads ``RESULTS_FOLDER/stack.vtu``: the die, the lid and the heat-sink base, meshed
separately, are drawn apart along z with their own meshes (edges) and coloured by
temperature, so both sides of each pair are visible with their temperatures; the jumps
``pair_jump_K`` (the mean of T_A − T_B∘π on each facet of the pairs) are written in the
title from ``stack_summary.json``.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _pvcommon as common
from paraview import simple as pv


def main():
    """Render the three parts drawn apart."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder", nargs="?", default="results/nonmatching_pairs")
    ap.add_argument("--png", default=None)
    ap.add_argument("--size", type=int, nargs=2, default=[1000, 800])
    args = ap.parse_args()
    vtu = os.path.join(args.folder, "stack.vtu")
    png = args.png or os.path.join(args.folder, "stack.png")
    summary = os.path.join(args.folder, "stack_summary.json")
    jumps = []
    if os.path.isfile(summary):
        with open(summary) as fh:
            jumps = [(s["name"], s["mean_jump_K"]) for s in json.load(fh)["interfaces"]]

    reader = common.open_result(vtu)
    b = common.bounds(reader)
    height = b[5] - b[4]
    view = common.make_view(args.size)
    cells = pv.Threshold(Input=reader, Scalars=["CELLS", "boundary"])
    cells.LowerThreshold = 0
    cells.UpperThreshold = 0  # the cells, not the boundary facets
    parts = []
    for tag in (1, 2, 3):  # die, lid, sink (region tags in the order of the builder)
        dz = 0.25 * height * (tag - 1)
        parts.append(common.moved(common.region(cells, tag), (0.0, 0.0, dz)))
    rng = reader.PointData[common.FIELD].GetRange()
    for p in parts:
        common.show_temperature(p, view, edges=True, rng=rng)
    common.camera(view, reader, "iso")
    view.ResetCamera()
    text = "die, lid, heat sink meshed separately (drawn apart)"
    if jumps:
        text += "\n" + ", ".join(f"{n} jump {abs(j):.2f} K" for n, j in jumps)
    common.add_text(view, text, size=18)
    common.save_png(view, png, args.size)


if __name__ == "__main__":
    main()
