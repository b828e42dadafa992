"""pvbatch: PNG of the transient-contact demo (``demos/demo_transient_contact.py``).

    xvfb-run -a pvbatch demo_transient_contact.py RESULTS_FOLDER --png OUT.png

Reads the time series ``RESULTS_FOLDER/transient_contact.xdmf`` (and the mean jump
per step from ``transient_contact.csv``) and draws the two blocks at four moments
side by side on one temperature scale (300–400 K): the aluminium block (bottom) and
the copper block (top) pulled apart along z so that both faces of the contact are
visible.  Early on, thin heated/cooled layers grow from the contact and the colour
step across it is the jump; late, the pair is uniform at the equilibrium temperature.
"""

import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _pvcommon as common
from paraview import simple as pv

AL_TAG, CU_TAG = 1, 2  # region tags of the demo's mesh
MOMENTS = (0.1, 1.0, 10.0, math.inf)  # s: the last frame for inf


def _jumps(folder):
    """(time s, mean jump K) per step from the CSV, or None."""
    return common.csv_rows(
        os.path.join(folder, "transient_contact.csv"), ("time_s", "contact_mean_jump_K")
    )


def main():
    """Render the two blocks at four moments."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder", nargs="?", default="results/transient_contact")
    ap.add_argument("--png", default=None)
    ap.add_argument("--size", type=int, nargs=2, default=[1400, 700])
    args = ap.parse_args()
    xdmf = os.path.join(args.folder, "transient_contact.xdmf")
    png = args.png or os.path.join(args.folder, "transient_contact.png")
    jumps = _jumps(args.folder)

    reader, times = common.open_series(xdmf)
    # (a time series has no data information until a time is requested)
    reader.UpdatePipeline(times[0])
    b = common.bounds(reader)
    width, height = b[1] - b[0], b[5] - b[4]
    gap = 0.1 * height  # copper lifted off the aluminium
    shift = 1.6 * width  # between the moments
    view = common.make_view(args.size)
    view.OrientationAxesVisibility = 0
    # front view, a little from above, parallel projection: the panels in a row
    span = (len(MOMENTS) - 1) * shift + width
    cx = b[0] + 0.57 * span  # room for the colour bar on the right
    cy = 0.5 * (b[2] + b[3])
    cz = 0.5 * (b[4] + b[5] + gap)
    half_width = 0.64 * span  # of the view, world units
    aspect = args.size[0] / args.size[1]
    scale = max(half_width / aspect, 0.7 * (height + gap))  # half the view's height
    # one scale for all moments: the initial temperatures
    rng = reader.PointData[common.FIELD].GetRange()
    for i, moment in enumerate(MOMENTS):
        t = common.nearest_time(times, moment)
        frozen = pv.ForceTime(Input=reader)
        frozen.IgnorePipelineTime = 1
        frozen.ForcedTime = t
        for tag, dz in ((AL_TAG, 0.0), (CU_TAG, gap)):
            tr = common.moved(common.region(frozen, tag), (i * shift, 0.0, dz))
            common.show_temperature(tr, view, rng=rng)
        text = f"t = {t:.2g} s" if t < 1e3 else f"t = {t:.0f} s"
        if jumps:
            _, jump = min(jumps, key=lambda r: abs(r[0] - t))
            text += f"\njump {abs(jump):.3g} K" if abs(jump) > 1e-3 else "\nuniform"
        # the panel's centre in normalised view coordinates (parallel projection)
        x_mid = b[0] + i * shift + 0.5 * width
        x_view = 0.5 + (x_mid - cx) / (2 * scale * aspect) - 0.035
        common.add_text(view, text, size=18, position=(x_view, 0.04), center=True)
    common.add_text(
        view,
        "Cu (400 K) pressed onto Al (300 K) at t = 0, contact conductance 2e4 W/(m² K)"
        "\nblocks drawn apart; insulated elsewhere",
        size=18,
    )
    view.CameraParallelProjection = 1
    view.CameraFocalPoint = [cx, cy, cz]
    view.CameraPosition = [cx, cy - 1.0, cz + 0.15]
    view.CameraViewUp = [0, 0, 1]
    view.CameraParallelScale = scale
    pv._DisableFirstRenderCameraReset()
    common.save_png(view, png, args.size, times=[common.nearest_time(times, m) for m in MOMENTS])


if __name__ == "__main__":
    main()
