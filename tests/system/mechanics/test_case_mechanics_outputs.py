"""``[mechanics]`` cases write every output they ask for (issue 18: ``outputs.junction``,
``outputs.probes`` and the ``plots`` were dropped without a word).

``cases/pressed_blocks_contact.toml`` (x0 at 300 K, x1 at 400 K, a 1D heat flow through the
contact) with a junction region, two probes and plots: the junction temperature is the
fixed 400 K of the upper block's free face; the probes lie on the exact linear profiles
of the two blocks (T = 300 K + q x / k below the contact, 400 K − q (L − x) / k above,
q the heat flux the run reports); the summary holds them; the line and contact-flux plots
are written.  Serially and under ``mpirun -n 2`` (the same numbers).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from mpi4py import MPI

import pytest
from helpers.cases import with_key

from fe_interface.case import parse_case, run_case

COMM = MPI.COMM_WORLD
ROOT = Path(__file__).resolve().parents[3]
K = 16.0  # W/(m K), both blocks
WIDTH = 0.02  # m (2D: per metre of depth)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    data = tomllib.loads((ROOT / "cases" / "pressed_blocks_contact.toml").read_text())
    data = with_key(data, "outputs.files", ["summary", "plots"])
    data = with_key(data, "outputs.junction", "upper")
    data = with_key(data, "outputs.probes", {"low": [0.005, 0.01], "high": [0.015, 0.01]})
    out = tmp_path_factory.mktemp("mech") if COMM.rank == 0 else None
    out = Path(COMM.bcast(str(out) if out else None, root=0))
    return run_case(parse_case(data), out=out), out


def test_junction_and_probes(result):
    res, _ = result
    d = res.derived
    assert d is not None
    assert d.junction_K == pytest.approx(400.0, abs=1e-9)
    q = res.interfaces[0].heat_flow_W / WIDTH  # W/m^2 through the stack
    probes = {p.name: p.temperature_K for p in d.probes}
    assert probes["low"] == pytest.approx(300.0 + q * 0.005 / K, rel=1e-9)
    assert probes["high"] == pytest.approx(400.0 - q * 0.005 / K, rel=1e-9)
    assert res.warnings == []


def test_summary_and_plots(result):
    res, out = result
    assert {"summary", "line_plot", "flux_plot_interface0"} <= set(res.files)
    if COMM.rank == 0:
        doc = json.loads((out / "pressed_blocks_contact_summary.json").read_text())
        text = json.dumps(doc)
        assert '"junction": {"region": "upper", "temperature_K": 400.0' in text, text[:300]
        assert '"name": "low"' in text and '"name": "high"' in text
        assert (out / "pressed_blocks_contact_line.png").stat().st_size > 0
