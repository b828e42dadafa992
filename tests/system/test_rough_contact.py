"""Resolved 2D rough-contact meshes (:func:`fe_interface.geometry.rough_contact_2d`)."""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem

from fe_interface.geometry import rough, rough_contact_2d
from fe_interface.model import FixedTemperature, Interface, Material, PerfectContact
from fe_interface.problems.steady import SteadyProblem

N, DX, SIGMA, ELL = 128, 4e-6, 2e-6, 16e-6


@pytest.fixture(scope="module")
def surface():
    return rough.gaussian_surface(N, N * DX, SIGMA, ELL, seed=3)


def _facet_length(tm, name, interior):
    m = tm.mesh
    tag = tm.facet_names[name]
    if interior:
        meas = ufl.dS(domain=m, subdomain_data=tm.facet_tags, subdomain_id=tag)
        form = fem.Constant(m, 1.0)("+") * meas
    else:
        meas = ufl.ds(domain=m, subdomain_data=tm.facet_tags, subdomain_id=tag)
        form = fem.Constant(m, 1.0) * meas
    return m.comm.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM)


def _area(tm, name):
    m = tm.mesh
    dx = ufl.dx(domain=m, subdomain_data=tm.cell_tags, subdomain_id=tm.cell_names[name])
    return m.comm.allreduce(fem.assemble_scalar(fem.form(fem.Constant(m, 1.0) * dx)), op=MPI.SUM)


@pytest.mark.parametrize("gas", [False, True])
def test_groups_and_measures(surface, gas):
    Y = 1.0 * SIGMA
    t = (60e-6, 80e-6)
    rc = rough_contact_2d(surface, Y, thickness=t, gas=gas)
    tm = rc.tagged
    cells = {"lower", "upper"} | ({"gas"} if gas else set())
    assert set(tm.cell_names) == cells
    assert set(tm.facet_names) == {"contact", "gap_lower", "gap_upper", "bottom", "top", "sides"}
    length = surface.length
    spot_len = float(np.sum(rc.spots[:, 1] - rc.spots[:, 0]))
    assert rc.area_fraction == pytest.approx(spot_len / length)
    # meshed contact fraction follows the sampled one (interpolated spot ends)
    assert rc.area_fraction == pytest.approx(rc.contact.area_fraction, abs=2.0 / N)
    assert _facet_length(tm, "contact", True) == pytest.approx(spot_len, rel=1e-9)
    assert _facet_length(tm, "gap_lower", gas) == pytest.approx(length - spot_len, rel=1e-9)
    assert _facet_length(tm, "bottom", False) == pytest.approx(length, rel=1e-12)
    assert _facet_length(tm, "top", False) == pytest.approx(length, rel=1e-12)
    # lower body is the rectangle; the upper one misses the gaps between y = 0 and Y - z
    assert _area(tm, "lower") == pytest.approx(length * t[0], rel=1e-12)
    total = length * (Y + t[1] + t[0])
    solid = _area(tm, "lower") + _area(tm, "upper")
    g = np.maximum(Y - surface.z, 0.0)
    gap_area = float(np.sum(g) * surface.dx)  # trapezoid rule on the samples
    assert total - solid == pytest.approx(gap_area, rel=0.05)
    if gas:
        assert _area(tm, "gas") == pytest.approx(total - solid, rel=1e-9)


def test_no_heat_through_gaps_in_vacuum(surface):
    """Perfect contact at the spots, vacuum gaps: the joint adds a positive resistance,
    and the energy balance closes."""
    rc = rough_contact_2d(surface, 0.5 * SIGMA, thickness=(200e-6, 200e-6))
    steel = Material("steel", 50.0)
    p = SteadyProblem(
        rc.tagged,
        {"lower": steel, "upper": steel},
        interfaces=[Interface("contact", PerfectContact())],
        boundary_conditions=[FixedTemperature("bottom", 300.0), FixedTemperature("top", 301.0)],
        solver="direct",
    )
    p.run()
    bal = p.energy_balance()
    assert bal.relative_residual < 1e-8
    Q = next(v for k, v in bal.boundary_inflow_W.items() if k.endswith(":top"))
    bulk = (200e-6 + 0.5 * SIGMA + 200e-6) / 50.0
    assert surface.length / Q > bulk  # constriction resistance > 0


def test_pressure_gives_plastic_area_fraction(surface):
    rc = rough_contact_2d(surface, pressure=0.1 * 2e9, hardness=2e9, thickness=(1e-4, 1e-4))
    assert rc.contact.area_fraction == pytest.approx(0.1, abs=1.0 / N)
    assert rc.area_fraction == pytest.approx(0.1, abs=2.0 / N)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"separation": 10 * SIGMA}, "no contact"),
        ({"separation": -10 * SIGMA}, "more contact than"),
        ({"pressure": 2e9, "hardness": 1e9}, ">= 1"),
        ({"separation": 0.0, "thickness": (0.0, 1e-4)}, "thickness"),
        ({"separation": 0.0, "thickness": (1e-4, 1e-7)}, "largest gap"),
        ({"separation": 0.0, "mesh_size": -1.0}, "mesh_size"),
        ({"separation": 0.0, "thickness": 1e-4}, "pair"),
        ({"separation": 0.0, "min_feature": 1.0}, "min_feature"),
    ],
)
def test_invalid_before_gmsh(surface, monkeypatch, kwargs, match):
    import fe_interface.geometry.builders as builders

    def no_gmsh(*args, **kw):
        raise AssertionError("gmsh must not be reached")

    monkeypatch.setattr(builders, "build_model", no_gmsh)
    with pytest.raises(ValueError, match=match):
        rough_contact_2d(surface, **kwargs)


def test_invalid_surface(monkeypatch):
    import fe_interface.geometry.builders as builders

    monkeypatch.setattr(builders, "build_model", lambda *a, **k: pytest.fail("gmsh reached"))
    flat = rough.RoughSurface(np.zeros(64), 1e-6)
    with pytest.raises(ValueError, match="sigma"):
        rough_contact_2d(flat, 0.0)
    area = rough.gaussian_surface(16, 16e-6, 1e-6, 4e-6, seed=1, dim=2)
    with pytest.raises(ValueError, match="1D profile"):
        rough_contact_2d(area, 0.0)
    with pytest.raises(ValueError, match="RoughSurface"):
        rough_contact_2d(np.zeros(64), 0.0)
