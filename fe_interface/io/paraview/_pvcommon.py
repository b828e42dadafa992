"""Helpers shared by the pvpython/pvbatch scripts (ParaView's Python only)."""

import json
import os
import sys

from paraview import simple as pv

MARK = "FE_INTERFACE_JSON:"
FIELD = "temperature_K"


def emit(obj):
    """Print the script's result as one JSON line the caller looks for."""
    print(MARK + json.dumps(obj), flush=True)


def save_png(view, png, size, **extra):
    """Render ``view`` and save it as an opaque ``png`` of ``size`` pixels.

    Emits the script's result (``{"png": absolute path, **extra}``); returns the path.
    """
    pv.Render(view)
    png = os.path.abspath(png)
    pv.SaveScreenshot(png, view, ImageResolution=list(size), TransparentBackground=0)
    emit({"png": png, **extra})
    return png


#: time (s) shown for time series: the last step of the last opened series
_TIME = None

#: the prefix of a bad-input line on stderr (exit status 2): the caller's InputError
INPUT_PREFIX = "fe-interface-input: "


def bad_input(msg):
    """Stop with status 2 and ``msg`` on one stderr line (a wrong file, field, option)."""
    print(INPUT_PREFIX + msg, file=sys.stderr, flush=True)
    raise SystemExit(2)


def open_result(path, time=None):
    """Reader for a meshio result file: ``.xdmf`` (Xdmf3 reader) or ``.vtu``.

    A time series (transient XDMF) is updated at the step nearest ``time`` (s; default
    the last: a series has no data until a time is requested) and views made afterwards
    show that time.
    """
    global _TIME
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        bad_input(f"no such file: {path}")
    if path.endswith(".xdmf"):
        reader = pv.Xdmf3ReaderS(FileName=[path])
    elif path.endswith(".vtu"):
        reader = pv.XMLUnstructuredGridReader(FileName=[path])
    else:
        bad_input(f"expected a .xdmf or .vtu file, got {path}")
    times = list(getattr(reader, "TimestepValues", None) or [])
    if times:
        _TIME = times[-1] if time is None else min(times, key=lambda t: abs(t - time))
        reader.UpdatePipeline(_TIME)
    else:
        if time is not None:
            bad_input(f"{path} is not a time series: --time needs one")
        reader.UpdatePipeline()
    return reader


def current_time():
    """The time (s) shown, or None for a file without time steps."""
    return _TIME


def region(source, tag):
    """The cells of ``source`` whose ``region`` tag is ``tag``."""
    thr = pv.Threshold(Input=source, Scalars=["CELLS", "region"])
    thr.LowerThreshold = tag
    thr.UpperThreshold = tag
    return thr


def moved(source, translate, scale=(1.0, 1.0, 1.0)):
    """``source`` scaled by ``scale`` then moved by ``translate`` (drawn apart), updated."""
    tr = pv.Transform(Input=source)
    tr.Transform = "Transform"
    tr.Transform.Scale = list(scale)
    tr.Transform.Translate = list(translate)
    tr.UpdatePipeline()
    return tr


def bounds(source):
    return list(source.GetDataInformation().GetBounds())


def is_flat(source):
    """True for a 2D model (z extent zero)."""
    b = bounds(source)
    ext = max(b[1] - b[0], b[3] - b[2], 1e-300)
    return (b[5] - b[4]) <= 1e-9 * ext


def show_temperature(
    source, view, title="T (K)", edges=False, preset="Inferno (matplotlib)", rng=None
):
    """Colour ``source`` by temperature over ``rng`` (default: its own range)."""
    if rng is None:
        rng = source.PointData[FIELD].GetRange()
    return show_field(source, view, FIELD, "POINTS", rng, title, edges, preset)


def show_field(
    source, view, field, assoc="POINTS", rng=None, title=None, edges=False,
    preset="Inferno (matplotlib)",
):  # fmt: skip
    """Colour ``source`` by the point or cell array ``field`` (vectors: magnitude)."""
    display = pv.Show(source, view)
    display.Ambient = 0.25
    display.Diffuse = 0.8
    display.Representation = "Surface With Edges" if edges else "Surface"
    pv.ColorBy(display, (assoc, field))
    lut = pv.GetColorTransferFunction(field)
    data = source.PointData if assoc == "POINTS" else source.CellData
    if data[field] is not None and data[field].GetNumberOfComponents() > 1:
        lut.VectorMode = "Magnitude"
    lut.ApplyPreset(preset, True)
    if rng is None:
        rng = data[field].GetRange(-1 if data[field].GetNumberOfComponents() > 1 else 0)
    lut.RescaleTransferFunction(rng[0], rng[1] if rng[1] > rng[0] else rng[0] + 1e-300)
    lut.AutomaticRescaleRangeMode = "Never"
    display.SetScalarBarVisibility(view, True)
    bar = pv.GetScalarBar(lut, view)
    bar.Title = title or field
    bar.ComponentTitle = ""
    bar.TitleColor = [0, 0, 0]
    bar.LabelColor = [0, 0, 0]
    bar.TitleFontSize = 18
    bar.LabelFontSize = 16
    bar.AutomaticLabelFormat = 0
    fmt = "%-#.1f" if field == FIELD else "%-#.3g"
    bar.LabelFormat = fmt
    bar.RangeLabelFormat = fmt
    return display


def make_view(size):
    view = pv.CreateView("RenderView")
    view.ViewSize = list(size)
    view.Background = [1.0, 1.0, 1.0]
    try:  # ParaView >= 5.10: do not use the colour palette's background
        view.UseColorPaletteForBackground = 0
    except AttributeError:
        pass
    view.OrientationAxesVisibility = 1
    if _TIME is not None:
        view.ViewTime = _TIME
    return view


def add_text(view, text, location="Upper Center", size=20, position=None, center=False):
    """Black text in ``view``.

    At a named ``location``, or at ``position`` (x, y in normalised view coordinates;
    ``center``: centred there).
    """
    t = pv.Text(Text=text)
    d = pv.Show(t, view)
    if position is None:
        d.WindowLocation = location
    else:
        d.WindowLocation = "Any Location"
        if center:
            d.Justification = "Center"
        d.Position = list(position)
    d.FontSize = size
    d.Color = [0, 0, 0]
    return t


def camera(view, source, kind="auto"):
    b = bounds(source)
    if kind == "auto":
        kind = "xy" if is_flat(source) else "iso"
    c = [0.5 * (b[0] + b[1]), 0.5 * (b[2] + b[3]), 0.5 * (b[4] + b[5])]
    if kind == "xy":
        view.CameraPosition = [c[0], c[1], c[2] + 1.0]
        view.CameraViewUp = [0, 1, 0]
    elif kind == "iso":
        view.CameraPosition = [c[0] + 1.0, c[1] - 1.2, c[2] + 0.9]
        view.CameraViewUp = [0, 0, 1]
    else:
        bad_input(f"unknown view {kind!r}: auto, xy or iso")
    view.CameraFocalPoint = c
    view.ResetCamera()
    return kind


def csv_rows(path, columns):
    """Float tuples of ``columns`` per row of a demo's CSV (None if there is no file)."""
    import csv

    if not os.path.isfile(path):
        return None
    with open(path) as fh:
        return [tuple(float(r[c]) for c in columns) for r in csv.DictReader(fh)]


def nearest_time(values, t):
    """The value of ``values`` nearest to t on a log scale (the last one for t = inf)."""
    import math

    if math.isinf(t):
        return values[-1]
    pos = [v for v in values if v > 0]
    return min(pos, key=lambda v: abs(math.log(v / t)))


def open_series(path):
    """Reader and time steps (s) of a transient XDMF; exits if it has no time steps."""
    reader = open_result(path)
    times = list(reader.TimestepValues)
    if not times:
        raise SystemExit(f"{path}: no time steps")
    return reader, times
