"""pvbatch: PNG of the two-blocks demo (``demos/demo_two_blocks.py``).

    xvfb-run -a pvbatch demo_two_blocks.py RESULTS_FOLDER --png OUT.png

Reads ``RESULTS_FOLDER/two_blocks.vtu`` (and the jump from
``two_blocks_summary.json``); shows the aluminium block (bottom) and the copper block
(top) pulled apart along z so that both faces of the contact are visible, coloured by
temperature: the 30 K step at the contact is the abrupt colour change.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _pvcommon as common


def main():
    """Render the two blocks drawn apart."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder", nargs="?", default="results/two_blocks")
    ap.add_argument("--png", default=None)
    ap.add_argument("--size", type=int, nargs=2, default=[1000, 800])
    args = ap.parse_args()
    vtu = os.path.join(args.folder, "two_blocks.vtu")
    png = args.png or os.path.join(args.folder, "two_blocks.png")
    summary = os.path.join(args.folder, "two_blocks_summary.json")
    jump = None
    if os.path.isfile(summary):
        with open(summary) as fh:
            jump = json.load(fh)["interfaces"][0]["mean_jump_K"]

    reader = common.open_result(vtu)
    b = common.bounds(reader)
    height = b[5] - b[4]
    view = common.make_view(args.size)
    # the two blocks (region tags 1: aluminium, 2: copper), copper lifted by 15 %
    parts = []
    for tag, dz in ((1, 0.0), (2, 0.15 * height)):
        parts.append(common.moved(common.region(reader, tag), (0.0, 0.0, dz)))
    rng = reader.PointData[common.FIELD].GetRange()
    for p in parts:
        common.show_temperature(p, view, edges=True, rng=rng)
    common.camera(view, reader, "iso")
    view.CameraPosition = [
        view.CameraFocalPoint[0] + 1.0,
        view.CameraFocalPoint[1] - 1.0,
        view.CameraFocalPoint[2] + 0.45,
    ]
    view.ResetCamera()
    text = "Cu block on Al heat sink, 100 W, dry contact"
    if jump is not None:
        text += f"\ncontact jump {abs(jump):.2f} K (blocks drawn apart)"
    common.add_text(view, text, size=18)
    common.save_png(view, png, args.size)


if __name__ == "__main__":
    main()
