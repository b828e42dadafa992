"""pvbatch: PNG of the thermoelectric-multilayer demo.

Renders ``demos/demo_thermoelectric_multilayer.py``'s result:

    xvfb-run -a pvbatch demo_thermoelectric_multilayer.py RESULTS_FOLDER --png OUT.png

Reads ``thermoelectric_multilayer.vtu`` (the finest stack of the sweep: a 1 µm film
cut into N + 1 layers).  The jumps q R_K at the interfaces are a few mK on a 1 K
drop, so the picture shows the *deviation* from the straight line between the two
faces, T − T_lin(x): the strip (stretched in y for visibility) is warped by it and
coloured by the temperature — the sawtooth is the Kapitza jump at every interface
(the first quarter of the film is shown).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _pvcommon as common
from paraview import simple as pv

FRACTION = 0.25  # part of the film shown (from the hot face)


def main():
    """Render the warped deviation from the linear profile."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder", nargs="?", default="results/thermoelectric_multilayer")
    ap.add_argument("--png", default=None)
    ap.add_argument("--size", type=int, nargs=2, default=[1200, 700])
    args = ap.parse_args()
    png = args.png or os.path.join(args.folder, "thermoelectric_multilayer.png")

    reader = common.open_result(os.path.join(args.folder, "thermoelectric_multilayer.vtu"))
    b = common.bounds(reader)
    length, width = b[1] - b[0], b[3] - b[2]
    lo, hi = reader.PointData[common.FIELD].GetRange()
    # the strip is one layer wide: stretch it to L/20 and normalise x to 0..1
    tr = pv.Transform(Input=reader)
    tr.Transform = "Transform"
    tr.Transform.Scale = [1.0 / length, (length / 20.0) / width / length, 1.0]
    tr.UpdatePipeline()
    calc = pv.Calculator(Input=tr)
    calc.ResultArrayName = "deviation_mK"
    calc.Function = f"({common.FIELD} - ({hi!r} + ({lo!r} - {hi!r}) * coordsX)) * 1000"
    calc.UpdatePipeline()
    dmin, dmax = calc.PointData["deviation_mK"].GetRange()
    # the first quarter of the film (a few tens of teeth for the finest stack)
    clip = pv.Clip(Input=calc)
    clip.ClipType = "Plane"
    clip.ClipType.Origin = [FRACTION, 0.0, 0.0]
    clip.ClipType.Normal = [1.0, 0.0, 0.0]
    clip.Invert = 1
    clip.UpdatePipeline()
    dmin, dmax = clip.PointData["deviation_mK"].GetRange()
    warp = pv.WarpByScalar(Input=clip, Scalars=["POINTS", "deviation_mK"])
    warp.Normal = [0.0, 0.0, 1.0]
    warp.UseNormal = 1
    warp.ScaleFactor = 0.06 / max(dmax - dmin, 1e-300)
    warp.UpdatePipeline()
    view = common.make_view(args.size)
    display = common.show_temperature(warp, view, rng=clip.PointData[common.FIELD].GetRange())
    display.Ambient = 0.6
    display.Diffuse = 0.5
    c = [0.5 * FRACTION, 1.0 / 40.0, 0.0]
    view.CameraFocalPoint = c
    view.CameraPosition = [c[0], c[1] - 1.0, c[2] + 0.3]
    view.CameraViewUp = [0, 0, 1]
    view.CameraParallelProjection = 1
    view.ResetCamera()
    view.GetActiveCamera().Zoom(1.3)
    bar = pv.GetScalarBar(pv.GetColorTransferFunction(common.FIELD), view)
    bar.LabelFormat = "%-#.2f"
    bar.RangeLabelFormat = "%-#.2f"
    common.add_text(
        view,
        f"Bi2Te3 film 1 um, faces {hi:.2f} / {lo:.2f} K; first {FRACTION * 1000:.0f} nm, "
        f"warped by T - T_linear ({dmin:.2f} to {dmax:.2f} mK):\n"
        "inside a layer T falls with q/k, at each interface it jumps by q R_K",
        size=18,
    )
    common.save_png(view, png, args.size)


if __name__ == "__main__":
    main()
