"""pvbatch: render the temperature field of a fe_interface result file to a PNG.

    xvfb-run -a pvbatch render.py RESULT.{vtu,xdmf} --png OUT.png
        [--title TEXT] [--view auto|xy|iso] [--size W H] [--edges] [--warp]

2D models are seen from +z (``--warp``: temperature as height, so interface jumps
show as steps), 3D models from an oblique (isometric-like) direction.
Prints ``FE_INTERFACE_JSON:{"png": ...}``.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _pvcommon as common
from paraview import simple as pv


def main():
    """Render the result file to the PNG."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("file")
    ap.add_argument("--png", required=True)
    ap.add_argument("--title", default=None)
    ap.add_argument("--view", default="auto", choices=["auto", "xy", "iso"])
    ap.add_argument("--size", type=int, nargs=2, default=[1000, 700])
    ap.add_argument("--edges", action="store_true", help="draw the cell edges")
    ap.add_argument("--warp", action="store_true", help="2D: warp by temperature")
    args = ap.parse_args()

    reader = common.open_result(args.file)
    view = common.make_view(args.size)
    source = reader
    kind = args.view
    if args.warp and common.is_flat(reader):
        b = common.bounds(reader)
        lo, hi = reader.PointData[common.FIELD].GetRange()
        ext = max(b[1] - b[0], b[3] - b[2])
        source = pv.WarpByScalar(Input=reader, Scalars=["POINTS", common.FIELD])
        source.ScaleFactor = 0.4 * ext / max(hi - lo, 1e-300)
        source.UpdatePipeline()
        kind = "iso" if kind == "auto" else kind
    common.show_temperature(source, view, edges=args.edges)
    if kind == "auto":
        kind = "xy" if common.is_flat(reader) else "iso"
    if kind == "iso" and args.warp:
        b = common.bounds(source)
        c = [0.5 * (b[0] + b[1]), 0.5 * (b[2] + b[3]), 0.5 * (b[4] + b[5])]
        view.CameraFocalPoint = c
        view.CameraPosition = [c[0] + 1.0, c[1] - 1.6, c[2] + 1.2]
        view.CameraViewUp = [0, 0, 1]
        view.ResetCamera()
    else:
        common.camera(view, reader, kind)
    lo, hi = reader.PointData[common.FIELD].GetRange()
    title = args.title or os.path.basename(args.file)
    common.add_text(view, f"{title}\nT = {lo:.2f} to {hi:.2f} K", size=18)
    common.save_png(view, args.png, args.size)


if __name__ == "__main__":
    main()
