"""ParaView reads our XDMF and VTU files: counts, temperature range and the jump seen by
probes on both sides of the interface; pvbatch renders non-blank PNGs.

Needs Debian's ``python3-paraview`` (pvpython), ``paraview`` (pvbatch) and ``xvfb``
(xvfb-run); CI installs them.  Runs serially only (launches subprocesses)."""

import json
import shutil
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

from fe_interface.case import load_case, run_case
from fe_interface.io import paraview

CASES = Path(__file__).resolve().parents[2] / "cases"

pytestmark = [
    pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="launches pvpython/pvbatch itself"),
    pytest.mark.skipif(
        shutil.which("pvpython") is None,
        reason="pvpython not found (apt-get install python3-paraview paraview xvfb)",
    ),
]


@pytest.fixture(scope="module")
def two_blocks(tmp_path_factory):
    out = tmp_path_factory.mktemp("pv") / "two_blocks"
    r = run_case(load_case(CASES / "two_blocks.toml"), out=out)
    return r, out


@pytest.fixture(scope="module")
def nanowire(tmp_path_factory):
    out = tmp_path_factory.mktemp("pv") / "nanowire"
    r = run_case(load_case(CASES / "nanowire_kapitza.toml"), out=out)
    return r, out


@pytest.mark.parametrize("ext", ["xdmf", "vtu"])
def test_pvpython_reads_counts_range_and_jump(two_blocks, ext):
    import meshio

    _r, out = two_blocks
    path = out / f"two_blocks.{ext}"
    summary = json.loads((out / "two_blocks_summary.json").read_text())
    jump = summary["interfaces"][0]["mean_jump_K"]  # T_copper - T_aluminium
    eps = 1e-6  # m, either side of the contact plane x = 0.03
    y = z = 0.0111
    res = paraview.probe(
        path,
        points=[[0.03 - eps, y, z], [0.03 + eps, y, z]],
        line=([0.0, y, z], [0.05, y, z]),
        resolution=500,
    )
    m = meshio.read(out / "two_blocks.vtu")
    assert res["points"] == len(m.points)  # interface vertices counted twice
    assert res["cells"] == sum(len(c.data) for c in m.cells)
    T = m.point_data["temperature_K"]
    lo, hi = res["ranges"]["temperature_K"]
    assert lo == pytest.approx(T.min(), rel=1e-12) and hi == pytest.approx(T.max(), rel=1e-12)
    assert res["ranges"]["region"] == [1.0, 2.0]
    al, cu = res["probes"]
    assert al["valid"] and cu["valid"]
    assert (al["region"], cu["region"]) == (1.0, 2.0)
    # the probes see the jump (plus the tiny bulk gradient over 2 eps)
    q = 2e5
    grad = q / 237.0 * eps + q / 398.0 * eps
    assert cu["temperature_K"] - al["temperature_K"] == pytest.approx(jump + grad, rel=1e-6)
    assert jump == pytest.approx(30.0, rel=1e-9)
    # PlotOverLine: one step of ~30 K between two neighbouring samples
    Tl = np.array(res["line"]["temperature_K"])
    steps = np.diff(Tl)
    k = int(np.argmax(np.abs(steps)))
    assert steps[k] == pytest.approx(jump, rel=0.05)
    assert np.sort(np.abs(steps))[-2] < 0.1 * jump


def test_pvpython_2d_kapitza_jump(nanowire):
    r, out = nanowire
    (s,) = r.interfaces
    eps = 1e-9
    res = paraview.probe(
        out / "nanowire_kapitza.xdmf", points=[[0.5e-6 - eps, 0], [0.5e-6 + eps, 0]]
    )
    si, au = res["probes"]
    # the polygonal circle: the points are close to (not exactly on) the interface
    assert si["region"] == 1.0 and au["region"] == 2.0
    assert si["temperature_K"] - au["temperature_K"] == pytest.approx(s.mean_jump_K, rel=2e-2)


def pixel_std(png: Path) -> float:
    import matplotlib.image

    img = matplotlib.image.imread(png)
    return float(np.asarray(img)[..., :3].std())


@pytest.mark.skipif(
    shutil.which("pvbatch") is None or shutil.which("xvfb-run") is None,
    reason="pvbatch or xvfb-run not found (apt-get install paraview xvfb)",
)
def test_pvbatch_renders_demo_and_case(two_blocks, nanowire, tmp_path):
    _r, out = two_blocks
    png = paraview.render(out / "two_blocks.vtu", tmp_path / "case.png", title="two blocks")
    assert png.is_file() and pixel_std(png) > 0.05
    _r2, out2 = nanowire
    png2 = paraview.render(out2 / "nanowire_kapitza.xdmf", tmp_path / "nw.png")
    assert pixel_std(png2) > 0.05
    # the demo's own script, on the demo's output folder
    from fe_interface.cli import list_demos

    path, _ = list_demos()["two_blocks"]
    import importlib.util

    spec = importlib.util.spec_from_file_location("demo_two_blocks", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(n=4, out=str(tmp_path / "demo"), solver="direct")
    png3 = paraview.render_demo("two_blocks", tmp_path / "demo", tmp_path / "demo.png")
    assert png3.is_file() and pixel_std(png3) > 0.05
    # a demo without a script of its own: render.py on its result file
    png4 = paraview.render_demo("no_such_demo", tmp_path / "demo", tmp_path / "fallback.png")
    assert pixel_std(png4) > 0.05
    with pytest.raises(paraview.ParaViewError, match=r"no .vtu/.xdmf result"):
        paraview.render_demo("no_such_demo", tmp_path / "empty", tmp_path / "x.png")


def test_blank_image_detected(tmp_path):
    """The variance check itself: a uniform image is 'blank'."""
    import matplotlib.image

    blank = tmp_path / "blank.png"
    matplotlib.image.imsave(blank, np.ones((20, 20, 3)))
    assert pixel_std(blank) == 0.0


@pytest.mark.skipif(
    shutil.which("pvbatch") is None or shutil.which("xvfb-run") is None,
    reason="pvbatch or xvfb-run not found (apt-get install paraview xvfb)",
)
@pytest.mark.parametrize(
    "demo, kwargs",
    [
        ("chip_heatsink", {"n": 4, "plots": False}),
        ("thermoelectric_multilayer", {"n": 7, "plots": False}),
        ("transient_contact", {"n": 8, "plots": False, "output_every": 100}),
        ("transient_stack", {"n": 2}),  # writes no plots: no `plots` argument
        ("nonmatching_pairs", {"n": 4}),
        # no script of their own: render.py on the field they export
        ("contact_laws", {"n": 2}),
        ("rough_homogenization", {"n": 256}),
    ],
)
def test_pvbatch_renders_new_demos(demo, kwargs, tmp_path):
    """The demo's own pvbatch script writes a non-trivial PNG (not a single colour)."""
    import importlib.util

    from fe_interface.cli import list_demos

    path, _ = list_demos()[demo]
    if demo not in ("contact_laws", "rough_homogenization"):
        assert paraview.demo_script(demo) is not None
    spec = importlib.util.spec_from_file_location(f"demo_{demo}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(out=str(tmp_path / "demo"), solver="direct", **kwargs)
    png = paraview.render_demo(demo, tmp_path / "demo", tmp_path / f"{demo}.png")
    assert png.is_file() and pixel_std(png) > 0.05
    import matplotlib.image

    img = np.asarray(matplotlib.image.imread(png))[..., :3]
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 50  # many colours: a real picture
    if demo == "transient_contact":  # a time series opens at its last step (equilibrium)
        res = paraview.probe(
            tmp_path / "demo" / "transient_contact.xdmf", points=[[0.025, 0.025, 0.07]]
        )
        assert res["cells"] > 0
        (p,) = res["probes"]
        assert p["valid"] and p["temperature_K"] == pytest.approx(358.4987, rel=1e-5)
