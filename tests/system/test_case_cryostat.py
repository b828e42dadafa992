"""The bulk-physics keys in a whole case: ``cases/cryostat_die.toml`` (k(T) from the
library, a total-power source with a depth, a radiation boundary) runs serially and under
``mpirun -n 2`` and its energy balance reports the given power and the radiation law."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fe_interface.case import run_case

ROOT = Path(__file__).resolve().parents[2]
SIGMA_SB = 5.670374419e-8


def test_cryostat_die_case(shared_tmp):
    res = run_case(ROOT / "cases" / "cryostat_die.toml", out=shared_tmp / "out")
    b = res.balance
    assert b.sources_W == pytest.approx(0.05 / 0.01, rel=1e-12)  # W per metre of depth
    assert b.relative_residual < 1e-9
    assert res.solve.newton_iterations >= 3
    assert not res.warnings  # 77-90 K: inside the ranges of both library entries
    # the radiation inflow is ε σ (T_amb⁴ − T⁴) over the top face (width 10 mm)
    p = res.problem
    T = p.T
    x = T.function_space.tabulate_dof_coordinates()
    top = np.isclose(x[:, 0], 3.5e-3)
    vals = np.concatenate(p.comm.allgather(T.x.array[top]))
    assert np.ptp(vals) < 1e-3  # 1D field
    q = 0.6 * SIGMA_SB * (300.0**4 - vals.mean() ** 4) * 0.01
    assert b.boundary_inflow_W["Radiation:x1"] == pytest.approx(q, rel=1e-7)
