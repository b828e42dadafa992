r"""ParaView scripts shipped with fe_interface, and helpers that run them.

The scripts in this folder run under ParaView's own Python (``pvpython`` /
``pvbatch``, e.g. Debian's ``python3-paraview`` 5.11 and ``paraview``), not in the
fe_interface environment: they only import ``paraview`` and the standard library.
They read the meshio files written by :func:`fe_interface.io.fields.write_meshio`
(``.xdmf`` via the Xdmf3 reader, ``.vtu`` via the XML unstructured-grid reader),
whose interface vertices are duplicated so that the temperature jump is visible.
(Debian's ParaView has no ADIOS2 reader, so the VTX folders ``NAME_vtx.bp`` are not
used.)

* ``probe.py`` (pvpython): point/cell counts, value ranges and ProbeLocation /
  PlotOverLine samples of ``temperature_K``, printed as JSON.
* ``render.py`` (pvbatch): a PNG of the temperature field of any result file.
* ``threshold.py`` (pvpython): ParaView's Threshold of a named region or boundary group
  (the ``region:<name>`` / ``boundary:<name>`` cell arrays), counts and ranges as JSON.
* ``demo_<name>.py`` (pvbatch): the PNG of one demo's result (camera, annotation);
  demos without a script of their own are rendered by ``render.py`` (their ``.vtu``).

From a shell::

    pvpython $(python -c "import fe_interface.io.paraview as p; print(p.script('probe'))") \
        results/two_blocks/two_blocks.vtu --points '[[0.01, 0.01, 0.029], [0.01, 0.01, 0.031]]'
    xvfb-run -a pvbatch .../render.py results/two_blocks/two_blocks.vtu --png t.png

or with ``fe-interface render FILE --png OUT``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fe_interface.errors import InputError

__all__ = [
    "SCRIPTS",
    "ParaViewError",
    "ParaViewInputError",
    "demo_script",
    "find_pvbatch",
    "find_pvpython",
    "probe",
    "render",
    "render_demo",
    "script",
    "threshold",
]

SCRIPTS = Path(__file__).resolve().parent
_MARK = "FE_INTERFACE_JSON:"


class ParaViewError(RuntimeError):
    """ParaView is missing or one of its scripts failed."""


class ParaViewInputError(ParaViewError, InputError):
    """A script refused its input (no such field, a wrong option): one line, no command."""


_INPUT_PREFIX = "fe-interface-input: "  # _pvcommon.INPUT_PREFIX (the scripts run in pvpython)


def script(name: str) -> Path:
    """Path of a shipped script (``"probe"``, ``"render"``, ``"demo_two_blocks"``)."""
    p = SCRIPTS / (name if name.endswith(".py") else f"{name}.py")
    if not p.is_file():
        raise ParaViewError(f"no ParaView script {p.name!r} in {SCRIPTS}")
    return p


def demo_script(demo: str) -> Path | None:
    """The pvbatch script that renders ``demo`` (``demo_two_blocks`` or ``two_blocks``)."""
    name = demo if demo.startswith("demo_") else f"demo_{demo}"
    p = SCRIPTS / f"{name}.py"
    return p if p.is_file() else None


def find_pvpython() -> str | None:
    """Path of ``pvpython`` (None if not on PATH)."""
    return shutil.which("pvpython")


def find_pvbatch() -> str | None:
    """Path of ``pvbatch`` (None if not on PATH)."""
    return shutil.which("pvbatch")


def _env() -> dict[str, str]:
    """Environment without the MPI launcher's variables (ParaView has its own MPI)."""
    drop = ("PMI_", "PMIX_", "HYDRA_", "OMPI_", "MPIR_", "MPICH_", "I_MPI_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.setdefault("OMPI_MCA_plm", "isolated")
    return env


def _run(cmd: list[str], timeout: float, attempts: int = 4) -> str:
    """Run a ParaView command; its standard output.

    A virtual display that fails to open an OpenGL window (SIGABRT in
    vtkXOpenGLRenderWindow, seen intermittently under xvfb-run: exit 134 from pvbatch,
    or 5 from xvfb-run when two ``-a`` servers race for a display number) is retried.
    A script that refused its input (status 2 and a ``fe-interface-input:`` line on
    stderr) raises :class:`ParaViewInputError` with that line.
    """
    display_failures = ("vtkXOpenGLRenderWindow", "OpenGL", "xvfb-run: error")
    for attempt in range(attempts):
        try:
            res = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, env=_env(), check=False
            )
        except subprocess.TimeoutExpired:
            raise ParaViewError(f"{' '.join(cmd[:3])} … timed out after {timeout:g} s") from None
        out = res.stderr + res.stdout
        if res.returncode == 0 or not any(m in out for m in display_failures):
            break
        if attempt < attempts - 1:
            time.sleep(1.0 + attempt)
            cmd = _other_display(cmd)
    bad = [ln for ln in (res.stderr or "").splitlines() if ln.startswith(_INPUT_PREFIX)]
    if res.returncode == 2 and bad:
        raise ParaViewInputError(bad[-1].removeprefix(_INPUT_PREFIX))
    if res.returncode != 0:
        lines = (res.stderr or res.stdout).strip().splitlines()
        first = [ln for ln in lines[:-15] if "ERROR" in ln or "Error" in ln][:3]  # the cause
        tail = "\n".join([*first, *lines[-15:]])
        raise ParaViewError(f"{' '.join(map(str, cmd))} failed ({res.returncode}):\n{tail}")
    return res.stdout


def _other_display(cmd: list[str]) -> list[str]:
    """``cmd`` with xvfb-run's display search starting elsewhere (a retry after a failure)."""
    if "-n" not in cmd:
        return cmd
    i = cmd.index("-n") + 1
    return [*cmd[:i], str(100 + (int(cmd[i]) + 998 - 100) % 8000), *cmd[i + 1 :]]


def _parse(stdout: str) -> Any:
    for line in reversed(stdout.splitlines()):
        if line.startswith(_MARK):
            return json.loads(line[len(_MARK) :])
    raise ParaViewError(f"no result in the script output:\n{stdout[-2000:]}")


def probe(
    path: str | Path,
    points: Sequence[Sequence[float]] = (),
    line: tuple[Sequence[float], Sequence[float]] | None = None,
    resolution: int = 200,
    timeout: float = 300,
) -> dict[str, Any]:
    """Run ``probe.py`` under pvpython on a result file.

    Returns a dict: ``points``, ``cells`` (counts), ``ranges`` (array name -> [min, max]),
    ``probes`` (one ``{"point", "valid", "temperature_K", "region"}`` per point) and, with
    ``line=(start, end)``, ``line`` (``arc_length``, ``temperature_K``, ``valid``).
    """
    exe = find_pvpython()
    if exe is None:
        raise ParaViewError("pvpython not found (Debian: apt-get install python3-paraview)")
    cmd = [exe, str(script("probe")), str(path), "--points", json.dumps([list(p) for p in points])]
    if line is not None:
        cmd += ["--line", json.dumps([list(line[0]), list(line[1])]), "--resolution"]
        cmd += [str(resolution)]
    return _parse(_run(cmd, timeout))


def threshold(
    path: str | Path, array: str, lo: float = 1.0, hi: float = 1.0, timeout: float = 300
) -> dict[str, Any]:
    """Run ``threshold.py`` under pvpython: ParaView's Threshold of a named cell array.

    The array ``array`` (e.g. ``region:die``, ``boundary:die_top``) between ``lo`` and
    ``hi``.

    Returns a dict: ``cell_arrays`` (names in the file), ``cells``, ``points``,
    ``bounds`` (m) and ``temperature_range_K`` of the selection.
    """
    exe = find_pvpython()
    if exe is None:
        raise ParaViewError("pvpython not found (Debian: apt-get install python3-paraview)")
    cmd = [exe, str(script("threshold")), str(path), "--array", array]
    cmd += ["--min", repr(float(lo)), "--max", repr(float(hi))]
    return _parse(_run(cmd, timeout))


def _pvbatch_cmd() -> list[str]:
    exe = find_pvbatch()
    if exe is None:
        raise ParaViewError("pvbatch not found (Debian: apt-get install paraview)")
    if os.environ.get("DISPLAY"):
        return [exe]
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        raise ParaViewError("no DISPLAY and no xvfb-run (Debian: apt-get install xvfb xauth)")
    # -a searches from -n: a start of this process's own, so that renders running side by
    # side (a parallel test run) do not race for one display number
    start = 100 + (os.getpid() % 4000) * 2
    return [xvfb, "-a", "-n", str(start), "-s", "-screen 0 1280x1024x24", exe]


def render(
    path: str | Path,
    png: str | Path,
    title: str | None = None,
    view: str = "auto",
    size: tuple[int, int] = (1000, 700),
    timeout: float = 300,
    field: str | None = None,
    warp: float | bool | None = None,
    clip: str | None = None,
    time: float | None = None,
) -> Path:
    """Render a field of a result file (``.vtu``/``.xdmf``: heat, mechanics, contact) to ``png``.

    Runs ``xvfb-run -a pvbatch render.py`` (plain ``pvbatch`` when ``DISPLAY`` is set).

    Args:
        path: the result file.
        png: the image to write.
        title: the annotation (default: the file name).
        view: camera, "auto", "xy" or "iso".
        size: pixels (width, height).
        timeout: time limit (s).
        field: the point or cell array (default: temperature_K, else
            contact_pressure_Pa, else the first point array).
        warp: True (automatic scale) or a scale factor: the deformed shape of a mechanics
            file, or a 2D field as height.
        clip: "x", "y" or "z", optionally "=VALUE" (m): cut away the half-space beyond.
        time: the frame of a time series nearest to this time (s); default the last.
    """
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    cmd = [*_pvbatch_cmd(), str(script("render")), str(path), "--png", str(png)]
    cmd += ["--view", view, "--size", str(size[0]), str(size[1])]
    if title:
        cmd += ["--title", title]
    if field:
        cmd += ["--field", field]
    if warp is True:
        cmd += ["--warp"]
    elif warp not in (None, False):
        cmd += ["--warp", repr(float(warp))]
    if clip:
        cmd += ["--clip", clip]
    if time is not None:
        cmd += ["--time", repr(float(time))]
    _parse(_run(cmd, timeout))
    return png


def _demo_result(demo: str, folder: Path) -> Path | None:
    """The result file of a demo without its own script.

    ``NAME.vtu`` (``NAME.xdmf``), else the first ``.vtu``/``.xdmf`` in ``folder``.
    """
    name = demo.removeprefix("demo_")
    for cand in (folder / f"{name}.vtu", folder / f"{name}.xdmf"):
        if cand.is_file():
            return cand
    files = sorted(folder.glob("*.vtu")) + sorted(folder.glob("*.xdmf"))
    return files[0] if files else None


def render_demo(demo: str, folder: str | Path, png: str | Path, timeout: float = 300) -> Path:
    """Render the results of ``demo`` (written to ``folder``) to ``png``.

    With the demo's own script (``demo_<name>.py``), or with ``render.py`` on its result
    file if it has none.
    """
    folder = Path(folder)
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    s = demo_script(demo)
    if s is None:
        result = _demo_result(demo, folder)
        if result is None:
            raise ParaViewError(f"demo {demo!r}: no .vtu/.xdmf result in {folder} to render")
        return render(result, png, title=demo.removeprefix("demo_"), timeout=timeout)
    _parse(_run([*_pvbatch_cmd(), str(s), str(folder), "--png", str(png)], timeout))
    return png
