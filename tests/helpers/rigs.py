"""A small meter-bar rig (2D, structured quadrilaterals) for calibration tests.

Layers along x: ``upper`` bar | ``specimen`` | ``lower`` bar (copper bars, aluminium
specimen), 5 mm wide; facet groups ``x0`` (hot face), ``x1`` (cold face), ``interface0``
(upper/specimen), ``interface1`` (specimen/lower), ``sides`` (insulated).
"""

import numpy as np

import fe_interface as fi
from fe_interface.geometry import layered_stack

L_BAR, L_SPEC, WIDTH = 0.03, 0.002, 0.005
K_BAR, K_SPEC = 390.0, 200.0  # W/(m K)
#: thermocouple positions (m) in the bars, away from the interfaces
PROBES_X = (
    0.005,
    0.015,
    0.025,
    L_BAR + L_SPEC + 0.005,
    L_BAR + L_SPEC + 0.015,
    L_BAR + L_SPEC + 0.025,
)


def rig_mesh(mesh_size: float = 0.0025):
    return layered_stack(
        [L_BAR, L_SPEC, L_BAR], WIDTH, dim=2, names=["upper", "specimen", "lower"],
        mesh_size=mesh_size, cell_type="hex",
    )  # fmt: skip


def rig_materials(k_spec: float = K_SPEC, transient: bool = False):
    rc = {"density": 8900.0, "specific_heat": 385.0} if transient else {}
    rs = {"density": 2700.0, "specific_heat": 900.0} if transient else {}
    return {
        "upper": fi.Material("Cu", K_BAR, **rc),
        "specimen": fi.Material("Al", k_spec, **rs),
        "lower": fi.Material("Cu", K_BAR, **rc),
    }


def probe_points(xs=PROBES_X) -> np.ndarray:
    return np.c_[np.asarray(xs, float), np.full(len(xs), WIDTH / 2)]
