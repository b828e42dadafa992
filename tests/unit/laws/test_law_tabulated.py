"""Tabulated interface conductance h(P, T), h(gap, T), the thin-layer law and the
configurable contact-law coefficients: exact at the nodes, derivatives against finite
differences, UFL against NumPy, validation with units."""

import math
import warnings

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh

from fe_interface.errors import InputError
from fe_interface.model.interfaces import FacetConductance, law_kind
from fe_interface.model.laws import (
    CMYPlasticConductance,
    ConductanceTable,
    ContactPair,
    MikicElasticConductance,
    Surface,
    TabulatedConductance,
    ThinLayer,
    VickersMicrohardness,
    gap_conductance_map,
)
from fe_interface.model.materials import Material

P = [1.0e4, 1.0e5, 1.0e6, 2.0e6]  # Pa
T = [250.0, 300.0, 400.0]  # K
H = [
    [100.0, 120.0, 130.0],
    [900.0, 1000.0, 1200.0],
    [8000.0, 9000.0, 9500.0],
    [9000.0, 9100.0, 9900.0],
]


def table(method="linear", **kw):
    return ConductanceTable("pressure", P, H, T, interpolation=method, **kw)


@pytest.mark.parametrize("method", ["linear", "pchip"])
def test_exact_at_the_nodes(method):
    t = table(method)
    for i, p in enumerate(P):
        for j, tt in enumerate(T):
            assert t(p, tt) == pytest.approx(H[i][j], rel=1e-14)
    law = TabulatedConductance(t, P[1])
    np.testing.assert_allclose(law.conductance(np.array(T), np.array(T)), H[1], rtol=1e-14)


def test_linear_is_bilinear_and_held_beyond_the_ends():
    t = table()
    # bilinear: the midpoint of a cell is the mean of its four corners
    mid = t(0.5 * (P[1] + P[2]), 0.5 * (T[0] + T[1]))
    assert mid == pytest.approx(0.25 * (H[1][0] + H[1][1] + H[2][0] + H[2][1]), rel=1e-14)
    assert t(1.0, 100.0) == H[0][0] and t(1e9, 1e4) == H[-1][-1]  # Abaqus: end values held
    assert t.derivative(1e9, 350.0) == 0.0 and t.derivative(1e5, 1e4, "temperature") == 0.0


@pytest.mark.parametrize("method", ["linear", "pchip"])
@pytest.mark.parametrize(("p", "tt"), [(2.0e5, 350.0), (5.0e5, 270.0), (1.5e6, 310.0)])
def test_derivatives_against_finite_differences(method, p, tt):
    """Central differences (away from the nodes), relative step 1e-6: agreement to
    ~1e-8 (the difference's truncation + round-off, both far below)."""
    t = table(method)
    dp, dT = 1e-6 * p, 1e-6 * tt
    fd_p = (t(p + dp, tt) - t(p - dp, tt)) / (2 * dp)
    fd_T = (t(p, tt + dT) - t(p, tt - dT)) / (2 * dT)
    assert t.derivative(p, tt) == pytest.approx(fd_p, rel=1e-6)
    assert t.derivative(p, tt, "temperature") == pytest.approx(fd_T, rel=1e-6)
    law = TabulatedConductance(t, p)
    assert law.dh_dT(tt + 5.0, tt - 5.0) == pytest.approx(
        t.derivative(p, tt, "temperature"), rel=1e-12
    )


def test_pchip_is_monotone_between_monotone_points():
    """No overshoot: h(P) at every temperature stays between its neighbours."""
    t = table("pchip")
    for tt in T:
        x = np.geomspace(P[0], P[-1], 400)
        h = t(x, tt)
        assert np.all(np.diff(h) >= -1e-9 * h[:-1])


def test_log_variable_reproduces_a_power_law():
    """h = a P^0.95 at the points: exact in between (CMY's exponent)."""
    pts = np.array([1e4, 1e5, 1e6])
    t = ConductanceTable("pressure", pts, 0.3 * pts**0.95, log_variable=True)
    for p in (2e4, 3.3e5, 7e5):
        assert t(p) == pytest.approx(0.3 * p**0.95, rel=1e-12)
        assert t.derivative(p) == pytest.approx(0.3 * 0.95 * p**-0.05, rel=1e-12)


def _ufl_value(expr, m):
    return fem.assemble_scalar(fem.form(expr * ufl.dx(domain=m)))


@pytest.mark.parametrize("method", ["linear", "pchip"])
def test_ufl_matches_numpy_and_its_derivative(method):
    """The UFL form (what Newton differentiates) equals the NumPy value and its UFL
    derivative equals dh_dT, at temperatures in every piece and outside the table."""
    m = mesh.create_unit_square(MPI.COMM_SELF, 1, 1)
    law = TabulatedConductance(table(method), 3.0e5)
    c = fem.Constant(m, 0.0)
    Tv = ufl.variable(c)
    h = law.conductance(Tv + 1.0, Tv - 1.0)  # mean temperature = c
    dh = ufl.diff(h, Tv)
    for tt in (200.0, 251.0, 290.0, 330.0, 399.0, 450.0):
        c.value = tt
        assert _ufl_value(h, m) == pytest.approx(law.conductance(tt, tt), rel=1e-13)
        assert _ufl_value(dh, m) == pytest.approx(2 * law.dh_dT(tt, tt) / 2, rel=1e-11, abs=1e-12)


def test_kinds_constant_fast_path_and_temperature():
    """A table without a temperature axis read at a fixed P is a constant law (the
    facet-wise path); with one, h depends on T (Newton)."""
    t_P = ConductanceTable("pressure", P, [h[1] for h in H])
    law = TabulatedConductance(t_P, 2e5)
    assert law_kind(law) == "constant" and law.h == pytest.approx(t_P(2e5))
    assert law.conductance(300.0, 300.0) == law.h
    assert law_kind(TabulatedConductance(table(), 2e5)) == "temperature"
    hash(law)  # equal laws share a term: hashable


def test_gap_table_and_a_gap_map():
    t = ConductanceTable("gap", [0.0, 1e-5, 5e-5], [1.0e4, 3.0e3, 6.0e2])
    assert TabulatedConductance(t, 1e-5).h == 3.0e3
    fc = gap_conductance_map(t, lambda x: 1e-5 + 0 * x[0])
    assert isinstance(fc, FacetConductance)
    np.testing.assert_allclose(fc.at(np.zeros((3, 4))), 3.0e3)
    with pytest.raises(InputError, match="variable='gap'"):
        gap_conductance_map(table(), lambda x: x[0])


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"points": [1e5, 1e4, 1e6, 2e6]}, r"pressure points must increase strictly \(Pa\)"),
        ({"points": [-1.0, 1e4, 1e6, 2e6]}, r"pressure points\[0\] \(Pa\) must be >= 0"),
        ({"temperature": [300.0, 250.0, 400.0]}, r"temperature must increase strictly \(K\)"),
        ({"temperature": [0.0, 250.0, 400.0]}, r"temperature\[0\] \(K\) must be > 0"),
        ({"h": [[1.0, 2.0, 3.0]] * 3}, r"4 rows .* of 3 values"),
        (
            {"h": [[1.0, 2.0, -3.0], *H[1:]]},
            r"h\[0, 2\] \(W/\(m\^2 K\)\) must be >= 0, got -3.0",
        ),
        ({"h": [[1.0, 2.0, math.nan], *H[1:]]}, r"h\[0, 2\] .* must be a finite number"),
        ({"interpolation": "cubic"}, r"interpolation must be one of"),
        ({"variable": "force"}, r"variable must be one of"),
        ({"points": [0.0, 1e4, 1e6, 2e6], "log_variable": True}, r"log_variable needs"),
    ],
)
def test_table_validation(kw, match):
    args = {"variable": "pressure", "points": P, "h": H, "temperature": T} | kw
    with pytest.raises(InputError, match=match):
        ConductanceTable(**args)


def test_operating_value_validation_and_warning():
    with pytest.raises(InputError, match=r"tabulated conductance: pressure \(Pa\) must be >= 0"):
        TabulatedConductance(table(), -1.0)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        law = TabulatedConductance(table(), 5e6)
    assert any("outside the table's points" in str(x.message) for x in w)
    assert law.conductance(300.0, 300.0) == pytest.approx(H[-1][1])


# ------------------------------------------------------------------ thin layer
def test_thin_layer_law():
    lay = ThinLayer(1e-4, 4.0, 2000.0, 1000.0, "TIM")
    assert lay.h == pytest.approx(4.0e4) and lay.resistance == pytest.approx(2.5e-5)
    assert lay.storage_per_area == pytest.approx(2000.0 * 1000.0 * 1e-4)
    assert law_kind(lay) == "constant" and lay.conductance(300.0, 310.0) == lay.h
    assert ThinLayer(1e-4, 4.0).storage_per_area == 0.0
    m = ThinLayer.from_material(Material("tim", 4.0, 2000.0, 1000.0), 1e-4)
    assert m == ThinLayer(1e-4, 4.0, 2000.0, 1000.0, "tim")


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0.0, 4.0), r"thickness \(m\) must be > 0"),
        ((1e-4, -4.0), r"conductivity \(W/\(m K\)\) must be > 0"),
        ((1e-4, 4.0, 2000.0), r"give both density .* and specific_heat"),
        ((1e-4, 4.0, 2000.0, -1.0), r"specific_heat \(J/\(kg K\)\) must be > 0"),
    ],
)
def test_thin_layer_validation(args, match):
    with pytest.raises(InputError, match=match):
        ThinLayer(*args)


# ------------------------------------------------------------------ contact coefficients
PAIR = ContactPair(Surface(2e-6, 200.0, E=70e9, nu=0.33), Surface(2e-6, 200.0, E=70e9, nu=0.33))


def test_contact_coefficients_default_to_the_published_values():
    base = CMYPlasticConductance(PAIR, 1e5, 1e9)
    assert (base.coefficient, base.exponent) == (1.25, 0.95)
    ref = 1.25 * PAIR.k_s * PAIR.m / PAIR.sigma * (1e5 / 1e9) ** 0.95
    assert base.h == pytest.approx(ref, rel=1e-14)
    cmy69 = CMYPlasticConductance(PAIR, 1e5, 1e9, coefficient=1.45, exponent=0.985)
    assert cmy69.h == pytest.approx(1.45 * PAIR.k_s * PAIR.m / PAIR.sigma * 1e-4**0.985, rel=1e-14)
    el = MikicElasticConductance(PAIR, 1e5)
    assert (el.coefficient, el.exponent) == (1.54, 0.94)
    assert MikicElasticConductance(PAIR, 1e5, coefficient=3.08).h == pytest.approx(
        2 * el.h, rel=1e-14
    )
    with pytest.raises(InputError, match="coefficient must be > 0"):
        CMYPlasticConductance(PAIR, 1e5, 1e9, coefficient=0.0)


def test_vickers_form_factors():
    v = VickersMicrohardness(6.271e9, -0.229)
    assert (v.size_factor, v.exponent_factor) == (1.62, 0.071)
    sigma, m = 2e-6, 0.1
    rel = (1e6 / (6.271e9 * (1.62 * 2.0 / m) ** -0.229)) ** (1 / (1 - 0.071 * 0.229))
    assert v.relative_pressure(1e6, sigma, m) == pytest.approx(rel, rel=1e-14)
    w = VickersMicrohardness.from_material("SS304", size_factor=1.43)
    rel2 = (1e6 / (6.271e9 * (1.43 * 2.0 / m) ** -0.229)) ** (1 / (1 - 0.071 * 0.229))
    assert w.relative_pressure(1e6, sigma, m) == pytest.approx(rel2, rel=1e-14)
    with pytest.raises(InputError, match="size_factor must be > 0"):
        VickersMicrohardness(6e9, -0.2, size_factor=-1.0)
