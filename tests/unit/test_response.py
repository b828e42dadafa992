"""t63/t90/t95 of a history against a first-order (single-exponential) response."""

import math

import numpy as np
import pytest

from fe_interface.postprocessing.response import response_times


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_first_order_response(sign):
    tau = 3.0
    t = np.linspace(0.0, 20 * tau, 2001)[1:]
    T = 300.0 + sign * 50.0 * (1.0 - np.exp(-t / tau))
    r = response_times("junction", t, T, 300.0)
    # linear interpolation between samples dt = tau/100 apart: relative error ~1e-5
    assert r.times_s["t63_s"] == pytest.approx(tau, rel=1e-4)
    assert r.times_s["t90_s"] == pytest.approx(tau * math.log(10.0), rel=1e-4)
    assert r.times_s["t95_s"] == pytest.approx(tau * math.log(20.0), rel=1e-4)
    assert r.final_K == pytest.approx(300.0 + sign * 50.0 * (1 - math.exp(-20)))
    assert abs(r.end_rate_K_s) < 1e-6
    assert r.as_dict()["t95_s"] == r.times_s["t95_s"]


def test_no_change_has_no_times():
    r = response_times("flat", [1.0, 2.0], [300.0, 300.0], 300.0)
    assert r.times_s == {"t63_s": None, "t90_s": None, "t95_s": None}
