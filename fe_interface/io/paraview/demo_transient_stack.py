"""pvbatch: PNG of the transient-stack demo (``demos/demo_transient_stack.py``).

    xvfb-run -a pvbatch demo_transient_stack.py RESULTS_FOLDER --png OUT.png

Reads the time series ``RESULTS_FOLDER/transient_stack.xdmf`` (and the two mean
jumps per step from ``transient_stack.csv``) and draws the die–TIM–heat-sink stack at
four moments after the 50 W chip is switched on, side by side on one temperature
scale: the three layers pulled apart along z so that both faces of each joint are
visible.  The layers are not drawn to scale (the TIM is 0.1 mm, the sink 5 mm): each
is stretched or squeezed to a readable thickness.  Early on only the die has warmed;
the colour steps across the die/TIM and TIM/sink joints (the jumps) grow to 5 K and
10 K at the steady state.
"""

import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _pvcommon as common
from paraview import simple as pv

#: region tag of the demo's mesh -> drawn thickness (fraction of the stack's width)
LAYERS = ((1, 0.6), (2, 0.15), (3, 0.25))  # sink, TIM, die (bottom to top)
GAP = 0.08  # between the layers, fraction of the width
MOMENTS = (0.02, 0.1, 0.5, math.inf)  # s: the last frame for inf


def _jumps(folder):
    """(time s, die/TIM jump K, TIM/sink jump K) per step from the CSV, or None."""
    return common.csv_rows(
        os.path.join(folder, "transient_stack.csv"),
        ("time_s", "die_tim_mean_jump_K", "tim_sink_mean_jump_K"),
    )


def _range_at(reader, t):
    reader.UpdatePipeline(t)
    return reader.PointData[common.FIELD].GetRange()


def main():
    """Render the stack at four moments."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder", nargs="?", default="results/transient_stack")
    ap.add_argument("--png", default=None)
    ap.add_argument("--size", type=int, nargs=2, default=[1400, 650])
    args = ap.parse_args()
    xdmf = os.path.join(args.folder, "transient_stack.xdmf")
    png = args.png or os.path.join(args.folder, "transient_stack.png")
    jumps = _jumps(args.folder)

    reader, times = common.open_series(xdmf)
    # one scale for all moments: from the air temperature (start) to the steady junction
    rng = (_range_at(reader, times[0])[0], _range_at(reader, times[-1])[1])
    b = common.bounds(reader)
    width = b[1] - b[0]
    # the layers' z extents in the mesh, and where (and how thick) they are drawn
    placed = []  # (tag, z0 of the mesh, scale along z, z0 drawn)
    z_draw = b[4]
    for tag, thickness in LAYERS:
        thr = common.region(reader, tag)
        thr.UpdatePipeline(times[-1])
        lb = common.bounds(thr)
        placed.append((tag, lb[4], thickness * width / (lb[5] - lb[4]), z_draw))
        z_draw += (thickness + GAP) * width
    height = z_draw - GAP * width - b[4]  # of the drawn stack
    shift = 1.45 * width  # between the moments
    view = common.make_view(args.size)
    view.OrientationAxesVisibility = 0
    # front view, parallel projection: the panels in a row, the gaps seen edge-on
    span = (len(MOMENTS) - 1) * shift + width
    cx = b[0] + 0.57 * span  # room for the colour bar on the right
    cy = 0.5 * (b[2] + b[3])
    cz = b[4] + 0.5 * height
    half_width = 0.64 * span  # of the view, world units
    aspect = args.size[0] / args.size[1]
    scale = max(half_width / aspect, 0.9 * height)  # half the view's height
    shown = []
    for i, moment in enumerate(MOMENTS):
        t = common.nearest_time(times, moment)
        shown.append(t)
        frozen = pv.ForceTime(Input=reader)
        frozen.IgnorePipelineTime = 1
        frozen.ForcedTime = t
        frozen.UpdatePipeline(t)
        t_max = frozen.PointData[common.FIELD].GetRange()[1]  # the junction
        for tag, z0, sz, z_to in placed:
            # z -> z_to + sz (z - z0): stretched about the layer's bottom, then moved
            thr = common.region(frozen, tag)
            tr = common.moved(thr, (i * shift, 0.0, z_to - sz * z0), (1.0, 1.0, sz))
            common.show_temperature(tr, view, rng=rng)
        text = f"t = {t:.2g} s" if t < 1e3 else f"t = {t:.0f} s"
        if math.isinf(moment):
            text += " (steady)"
        text += f"\njunction {t_max:.1f} K"
        if jumps:
            _, j1, j2 = min(jumps, key=lambda r: abs(r[0] - t))
            text += f"\njumps {abs(j1):.2g} K, {abs(j2):.2g} K"
        # the panel's centre in normalised view coordinates (parallel projection)
        x_mid = b[0] + i * shift + 0.5 * width
        x_view = 0.5 + (x_mid - cx) / (2 * scale * aspect) - 0.04
        common.add_text(view, text, size=17, position=(x_view, 0.12), center=True)
    common.add_text(
        view,
        "50 W chip switched on at t = 0: Si die / TIM / Al heat sink (top to bottom)"
        "\nlayers drawn apart, not to scale; jumps: die/TIM, TIM/sink",
        size=18,
    )
    view.CameraParallelProjection = 1
    view.CameraFocalPoint = [cx, cy, cz]
    view.CameraPosition = [cx, cy - 1.0, cz]
    view.CameraViewUp = [0, 0, 1]
    view.CameraParallelScale = scale
    pv._DisableFirstRenderCameraReset()
    common.save_png(view, png, args.size, times=shown)


if __name__ == "__main__":
    main()
