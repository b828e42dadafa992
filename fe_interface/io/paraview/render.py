"""pvbatch: render a field of a fe_interface result file to a PNG.

    xvfb-run -a pvbatch render.py RESULT.{vtu,xdmf} --png OUT.png
        [--field NAME] [--warp [SCALE]] [--clip AXIS[=VALUE]] [--time T]
        [--title TEXT] [--view auto|xy|iso] [--size W H] [--edges]

Works on the heat files (``temperature_K``), the mechanics files
(``NAME_mechanics``: ``displacement_m``, ``contact_pressure_Pa``, ``von_mises_Pa`` …) and
the contact surfaces (``NAME_contact``).  ``--field`` picks the array (point or cell
data; vectors by magnitude); the default is ``temperature_K`` where there is one, else
``contact_pressure_Pa``, else the first point array.  ``--warp``: with a
``displacement_m`` array the deformed shape (SCALE, default: the largest displacement
shown as 5 % of the model's size), else, on a 2D model, the field as height (interface
jumps show as steps).  ``--clip x|y|z[=VALUE]``: cut away the half-space on the camera's
side of the plane (x > VALUE, y < VALUE or z > VALUE; default: through the centre), so
that the cut face is what the iso view sees.  ``--time T``: the frame of a time series nearest to T (s)
(default: the last).  Prints ``FE_INTERFACE_JSON:{"png": ..., "field": ..., "range": ...}``.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _pvcommon as common
from paraview import simple as pv

_DEFAULTS = ("temperature_K", "contact_pressure_Pa", "displacement_m")


def _arrays(source):
    """Point and cell array names of ``source``."""
    pts = [source.PointData.GetArray(i).Name for i in range(source.PointData.GetNumberOfArrays())]
    cells = [source.CellData.GetArray(i).Name for i in range(source.CellData.GetNumberOfArrays())]
    return pts, cells


def _pick_field(source, name):
    """(association, name) of the field to colour by; exits naming the arrays if absent."""
    pts, cells = _arrays(source)
    if name is None:
        for n in _DEFAULTS:
            if n in pts:
                return "POINTS", n
        if pts:
            return "POINTS", pts[0]
        if cells:
            return "CELLS", cells[0]
        raise SystemExit("the file has no point or cell arrays to show")
    if name in pts:
        return "POINTS", name
    if name in cells:
        return "CELLS", name
    common.bad_input(
        f"no array {name!r} in the file (point arrays: {', '.join(pts) or 'none'}; "
        f"cell arrays: {', '.join(cells) or 'none'})"
    )


def _range(source, assoc, name):
    data = source.PointData if assoc == "POINTS" else source.CellData
    arr = data[name]
    comp = -1 if arr.GetNumberOfComponents() > 1 else 0
    return arr.GetRange(comp)


def _clip(source, spec):
    """Clip ``source`` with a plane normal to x, y or z (``spec``: "x" or "x=0.01").

    Keeps x < VALUE, y > VALUE or z < VALUE: the half facing away from the iso camera
    (at +x, -y, +z), whose cut face the camera sees.
    """
    axis, _, value = spec.partition("=")
    axis = axis.strip().lower()
    if axis not in ("x", "y", "z"):
        common.bad_input(f"--clip: give x, y or z (optionally =VALUE), got {spec!r}")
    i = "xyz".index(axis)
    b = common.bounds(source)
    origin = [0.5 * (b[0] + b[1]), 0.5 * (b[2] + b[3]), 0.5 * (b[4] + b[5])]
    if value:
        try:
            origin[i] = float(value)
        except ValueError:
            common.bad_input(f"--clip: {value!r} is not a number (m)")
    normal = [0.0, 0.0, 0.0]
    normal[i] = 1.0
    clip = pv.Clip(Input=source)
    clip.ClipType = "Plane"
    clip.ClipType.Origin = origin
    clip.ClipType.Normal = normal
    clip.Invert = 0 if axis == "y" else 1  # Invert = 1 keeps the side behind the normal
    clip.UpdatePipeline(common.current_time())
    return clip


def _warp(source, assoc, field, scale):
    """Warp by ``displacement_m`` if present, else (2D) by the scalar field as height."""
    pts, _ = _arrays(source)
    b = common.bounds(source)
    ext = max(b[1] - b[0], b[3] - b[2], b[5] - b[4], 1e-300)
    if "displacement_m" in pts:
        umax = source.PointData["displacement_m"].GetRange(-1)[1]
        w = pv.WarpByVector(Input=source, Vectors=["POINTS", "displacement_m"])
        w.ScaleFactor = scale if scale is not None else 0.05 * ext / max(umax, 1e-300)
        w.UpdatePipeline(common.current_time())
        return w, "deformed"
    if not common.is_flat(source) or assoc != "POINTS":
        common.bad_input(
            "--warp: needs a displacement_m array, or a 2D model coloured by a point field"
        )
    lo, hi = _range(source, assoc, field)
    w = pv.WarpByScalar(Input=source, Scalars=["POINTS", field])
    w.ScaleFactor = scale if scale is not None else 0.4 * ext / max(hi - lo, 1e-300)
    w.UpdatePipeline(common.current_time())
    return w, "height"


def main():
    """Render the result file to the PNG."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("file")
    ap.add_argument("--png", required=True)
    ap.add_argument("--field", default=None)
    ap.add_argument("--warp", nargs="?", const=-1.0, type=float, default=None)
    ap.add_argument("--clip", default=None)
    ap.add_argument("--time", type=float, default=None)
    ap.add_argument("--title", default=None)
    ap.add_argument("--view", default="auto", choices=["auto", "xy", "iso"])
    ap.add_argument("--size", type=int, nargs=2, default=[1000, 700])
    ap.add_argument("--edges", action="store_true", help="draw the cell edges")
    args = ap.parse_args()

    reader = common.open_result(args.file, args.time)
    assoc, field = _pick_field(reader, args.field)
    source = reader
    kind = args.view
    warped = None
    if args.clip:
        source = _clip(source, args.clip)
    if args.warp is not None:
        scale = None if args.warp < 0 else args.warp
        source, warped = _warp(source, assoc, field, scale)
        if warped == "height":
            kind = "iso" if kind == "auto" else kind
    lo, hi = _range(reader, assoc, field)
    view = common.make_view(args.size)
    common.show_field(source, view, field, assoc, (lo, hi), edges=args.edges)
    if kind == "auto":
        kind = "xy" if common.is_flat(reader) else "iso"
    if kind == "iso" and warped == "height":
        b = common.bounds(source)
        c = [0.5 * (b[0] + b[1]), 0.5 * (b[2] + b[3]), 0.5 * (b[4] + b[5])]
        view.CameraFocalPoint = c
        view.CameraPosition = [c[0] + 1.0, c[1] - 1.6, c[2] + 1.2]
        view.CameraViewUp = [0, 0, 1]
        view.ResetCamera()
    else:
        common.camera(view, source, kind)
    title = args.title or os.path.basename(args.file)
    when = common.current_time()
    at = f", t = {when:g} s" if when is not None else ""
    common.add_text(view, f"{title}{at}\n{field} = {lo:.4g} to {hi:.4g}", size=18)
    common.save_png(view, args.png, args.size, field=field, range=[lo, hi], time=when)


if __name__ == "__main__":
    main()
