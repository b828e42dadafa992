"""The ParaView runner retries a virtual display that failed on another display number,
and says the cause when it gives up (no ParaView needed: ``subprocess.run`` is replaced)."""

import subprocess
from types import SimpleNamespace

import pytest

from fe_interface.io import paraview

CMD = ["xvfb-run", "-a", "-n", "6614", "-s", "-screen 0 1280x1024x24", "pvbatch", "s.py"]
ABORT = (
    "ERROR: In vtkXOpenGLRenderWindow.cxx, line 1458: bad X server connection\n"
    + "\n".join(f"frame {i}" for i in range(20))
    + "\nvtkXOpenGLRenderWindow::CreateAWindow() SIGABRT"
)


def fake_runs(monkeypatch, results):
    """subprocess.run returning ``results`` in turn; the commands it got."""
    seen = []

    def run(cmd, **kw):
        seen.append(list(cmd))
        code, err = results[len(seen) - 1]
        return SimpleNamespace(returncode=code, stdout="done" if code == 0 else "", stderr=err)

    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.setattr(paraview.time, "sleep", lambda s: None)
    return seen


def test_a_failed_display_is_retried_on_another_number(monkeypatch):
    seen = fake_runs(monkeypatch, [(134, ABORT), (134, ABORT), (0, "")])
    assert paraview._run(CMD, timeout=10) == "done"
    numbers = [c[c.index("-n") + 1] for c in seen]
    assert len(numbers) == 3 and len(set(numbers)) == 3  # a new display search each time
    assert all(c[4:] == CMD[4:] for c in seen)  # the rest of the command unchanged


def test_the_cause_is_in_the_error_after_the_last_attempt(monkeypatch):
    fake_runs(monkeypatch, [(134, ABORT)] * 4)
    with pytest.raises(paraview.ParaViewError, match="bad X server connection"):
        paraview._run(CMD, timeout=10)


def test_a_script_error_is_not_retried(monkeypatch):
    seen = fake_runs(monkeypatch, [(1, "Traceback: KeyError 'temperature_K'")] * 4)
    with pytest.raises(paraview.ParaViewError, match="KeyError"):
        paraview._run(["pvbatch", "s.py"], timeout=10)
    assert len(seen) == 1
