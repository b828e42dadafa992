"""The README's quick-start script runs and gives the 1D answer."""

import os
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def test_quickstart(shared_tmp):
    code = re.search(r"## Quick start\s+```python\n(.*?)```", README.read_text(), re.S).group(1)
    cwd = os.getcwd()
    os.chdir(shared_tmp)
    try:
        ns: dict = {}
        exec(compile(code, "README-quickstart", "exec"), ns)
    finally:
        os.chdir(cwd)
    (row,) = ns["problem"].interface_table()
    # 1D: 350 K -> [Cu 25 mm] -> R -> [steel 25 mm] -> h=500 to 293.15 K
    R = 0.025 / 398.0 + 2e-4 + 0.025 / 14.9 + 1 / 500.0
    q = (350.0 - 293.15) / R
    assert row.mean_jump_K == pytest.approx(q * 2e-4, rel=1e-6)
    assert row.heat_flow_W == pytest.approx(q * 0.02 * 0.02, rel=1e-6)
    assert (shared_tmp / "results/quickstart/temperature.xdmf").is_file()
