"""pvbatch: PNG of the chip-on-heat-sink demo (``demos/demo_chip_heatsink.py``).

    xvfb-run -a pvbatch demo_chip_heatsink.py RESULTS_FOLDER --png OUT.png

Reads ``chip_heatsink_dry.vtu`` and ``chip_heatsink_greased.vtu`` (and the mean
jumps from the ``_summary.json`` files) and draws the two 2D packages side by side
on one temperature scale: the dry joint (left) and the greased one (right).  The
die, TIM and spreader are lifted a little off the sink so that both faces of the
spreader/sink joint are visible: the colour step there is the contact jump.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _pvcommon as common
from paraview import simple as pv

#: regions of fe_interface.geometry.electronics_package, selected by name (the result
#: files hold one indicator cell array ``region:<name>`` per region)
SINK, LIFTED = ["sink"], ["spreader", "tim", "die"]


def _regions(reader, names):
    """The cells of the named regions.

    Threshold on ``region:<name>`` = 1; regions the file does not have, e.g. the TIM of a
    thin-layer model, are skipped.
    """
    parts = []
    for name in names:
        if f"region:{name}" not in reader.CellData.keys():
            continue
        thr = pv.Threshold(Input=reader, Scalars=["CELLS", f"region:{name}"])
        thr.LowerThreshold = thr.UpperThreshold = 1.0
        parts.append(thr)
    return parts[0] if len(parts) == 1 else pv.AppendDatasets(Input=parts)


def _jump(folder, label):
    path = os.path.join(folder, f"chip_heatsink_{label}_summary.json")
    if not os.path.isfile(path):
        return None
    with open(path) as fh:
        return json.load(fh)["interfaces"][0]["mean_jump_K"]


def main():
    """Render the dry and greased packages side by side."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder", nargs="?", default="results/chip_heatsink")
    ap.add_argument("--png", default=None)
    ap.add_argument("--size", type=int, nargs=2, default=[1200, 700])
    args = ap.parse_args()
    png = args.png or os.path.join(args.folder, "chip_heatsink.png")

    readers = {
        label: common.open_result(os.path.join(args.folder, f"chip_heatsink_{label}.vtu"))
        for label in ("dry", "greased")
    }
    lo = min(r.PointData[common.FIELD].GetRange()[0] for r in readers.values())
    hi = max(r.PointData[common.FIELD].GetRange()[1] for r in readers.values())
    b = common.bounds(readers["dry"])
    width, height = b[1] - b[0], b[3] - b[2]
    gap = 0.04 * height  # lift of the die/TIM/spreader block
    shift = 1.15 * width  # the greased package to the right
    view = common.make_view(args.size)
    for i, (label, reader) in enumerate(readers.items()):
        for names, dy in ((SINK, 0.0), (LIFTED, gap)):
            tr = common.moved(_regions(reader, names), (i * shift, dy, 0.0))
            common.show_temperature(tr, view, rng=(lo, hi))
        jump = _jump(args.folder, label)
        text = f"{label} joint" + (f": jump {abs(jump):.1f} K" if jump is not None else "")
        text += f"\njunction {reader.PointData[common.FIELD].GetRange()[1]:.1f} K"
        common.add_text(view, text, size=18, position=(0.12 + 0.45 * i, 0.78))
    common.add_text(view, "100 W chip on a finned Al heat sink (2D section)", size=20)
    view.CameraPosition = [0.5 * (b[0] + b[1] + shift), 0.5 * (b[2] + b[3]), 1.0]
    view.CameraFocalPoint = [0.5 * (b[0] + b[1] + shift), 0.5 * (b[2] + b[3]), 0.0]
    view.CameraViewUp = [0, 1, 0]
    view.ResetCamera()
    view.GetActiveCamera().Zoom(1.45)
    common.save_png(view, png, args.size)


if __name__ == "__main__":
    main()
