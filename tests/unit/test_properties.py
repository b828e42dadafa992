"""Temperature-dependent properties: NumPy and UFL values agree, antiderivatives are
exact (tables, polynomials) or accurate (Gauss-Legendre), tables are monotone, ranges
warn, bad input is refused with the item named; anisotropic tensors."""

from __future__ import annotations

import math
import warnings

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from scipy.integrate import quad
from scipy.interpolate import PchipInterpolator

import fe_interface as fi
from fe_interface.errors import InputError
from fe_interface.model.properties import (
    NISTCopperFit,
    PolyLog10,
    Polynomial,
    PropertyFunction,
    PropertyRangeWarning,
    Scaled,
    Table,
)

SI_T = (100.0, 200.0, 300.0, 400.0, 600.0, 800.0, 1000.0, 1200.0, 1500.0)
SI_K = (884.0, 264.0, 148.0, 98.9, 61.9, 42.2, 31.2, 25.7, 22.7)
AL_K = (0.07918, 1.0957, -0.07277, 0.08084, 0.02803, -0.09464, 0.04179, -0.00571, 0.0)
CU100 = (2.2154, -0.47461, -0.88068, 0.13871, 0.29505, -0.02043, -0.04831, 0.001281, 0.003207)


def props():
    return [
        Table(SI_T, SI_K, name="si"),
        Polynomial((50.0, 0.2, -1e-4), name="poly"),
        PolyLog10(AL_K, name="al", valid_range=(4.0, 300.0)),
        NISTCopperFit(CU100, name="cu", valid_range=(4.0, 300.0)),
        PropertyFunction(
            lambda T: 3.0 + 0.01 * T + 1e-5 * T**2, name="f", valid_range=(10.0, 500.0)
        ),
        Scaled(Table(SI_T, SI_K), 2330.0),
    ]


def _ufl_at(expr_of_T, T_value: float) -> float:
    """Integrate an expression of a constant field T over the unit interval."""
    m = dmesh.create_unit_interval(MPI.COMM_SELF, 2)
    V = fem.functionspace(m, ("Lagrange", 1))
    u = fem.Function(V)
    u.x.array[:] = T_value
    return float(fem.assemble_scalar(fem.form(expr_of_T(u) * ufl.dx)))


@pytest.mark.parametrize("p", props(), ids=lambda p: type(p).__name__)
def test_numpy_and_ufl_agree(p):
    lo, hi = p.valid_range or (50.0, 400.0)
    for T in np.linspace(lo * 1.01, hi * 0.99, 5):
        assert _ufl_at(p, T) == pytest.approx(float(p(T)), rel=1e-12)
        assert _ufl_at(p.antiderivative, T) == pytest.approx(
            float(p.antiderivative(T)), rel=1e-11, abs=1e-9
        )


@pytest.mark.parametrize("p", props(), ids=lambda p: type(p).__name__)
def test_antiderivative_against_quadrature(p):
    lo, hi = p.valid_range or (50.0, 400.0)
    a, b = lo * 1.05, hi * 0.95
    exact = quad(lambda s: float(p(s)), a, b, limit=400, epsabs=0, epsrel=1e-13)[0]
    assert p.antiderivative(b) - p.antiderivative(a) == pytest.approx(exact, rel=1e-10)


def test_table_is_scipy_pchip_and_monotone_and_holds_ends():
    t = Table(SI_T, SI_K, name="Si")
    T = np.linspace(100.0, 1500.0, 701)
    assert np.max(np.abs(t(T) - PchipInterpolator(SI_T, SI_K)(T))) < 1e-10
    assert np.all(np.diff(t(T)) <= 0)  # monotone data -> monotone interpolant
    assert t(np.array(SI_T)) == pytest.approx(np.array(SI_K), rel=1e-14)
    with pytest.warns(PropertyRangeWarning, match=r"Si: temperatures 50\.\.50 K"):
        assert t(50.0) == pytest.approx(884.0)
    with pytest.warns(PropertyRangeWarning):
        assert t.antiderivative(2000.0) - t.antiderivative(1500.0) == pytest.approx(500 * 22.7)


def test_two_point_table_is_linear():
    t = Table((300.0, 400.0), (10.0, 20.0))
    assert t(350.0) == pytest.approx(15.0, rel=1e-14)
    assert t.antiderivative(400.0) == pytest.approx(1500.0, rel=1e-14)


def test_in_range_evaluation_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for p in props():
            lo, hi = p.valid_range or (50.0, 400.0)
            p(np.array([lo, hi]))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Table((300.0,), (1.0,)), "at least 2 points"),
        (lambda: Table((300.0, 200.0), (1.0, 2.0)), "strictly increasing"),
        (lambda: Table((0.0, 200.0), (1.0, 2.0)), "must be > 0 K"),
        (lambda: Table((100.0, 200.0), (1.0, -2.0)), "values must be > 0"),
        (lambda: Table((100.0, 200.0), (1.0,)), "as many values"),
        (lambda: Table((100.0, float("nan")), (1.0, 2.0)), "finite number"),
        (
            lambda: Table((100.0, 200.0), (1.0, 2.0), name="k", valid_range=(300.0, 100.0)),
            "table 'k': valid_range",
        ),
        (lambda: PolyLog10((), name="x"), "at least one coefficient"),
        (lambda: NISTCopperFit((1.0, 2.0)), "9 coefficients"),
        (lambda: PropertyFunction(3.0), "must be a function of T"),
        (lambda: Scaled(Table((1.0, 2.0), (1.0, 1.0)), -2.0), "factor"),
        (lambda: Polynomial((1.0,), T_ref=-1.0), "T_ref"),
    ],
)
def test_bad_properties_refused(make, match):
    with pytest.raises(InputError, match=match):
        make()


# --------------------------------------------------------------------------------------
# anisotropic tensors
# --------------------------------------------------------------------------------------
def test_tensor_and_orthotropic_forms_agree():
    K = np.array([[3.0, 1.0], [1.0, 2.0]])
    a = fi.Anisotropic.tensor(K)
    assert a.matrix() == pytest.approx(K, abs=1e-14)
    th = math.radians(30.0)
    o = fi.Anisotropic.orthotropic((10.0, 1.0), angle=30.0)
    R = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
    assert o.matrix() == pytest.approx(R @ np.diag([10.0, 1.0]) @ R.T, abs=1e-13)
    layer = fi.Anisotropic.in_plane(20.0, 0.5, (0.0, 0.0, 1.0))
    assert layer.matrix() == pytest.approx(np.diag([20.0, 20.0, 0.5]), abs=1e-13)
    assert fi.Material("pad", layer).normal_conductivity((0, 0, 2.0)) == pytest.approx(0.5)
    assert fi.Material("pad", layer).normal_conductivity((1, 0, 0)) == pytest.approx(20.0)


def test_temperature_dependent_principal_value():
    k_in = Table((100.0, 300.0), (40.0, 20.0))
    a = fi.Anisotropic.orthotropic((k_in, 1.0))
    assert a.temperature_dependent
    assert a.matrix(np.array([200.0]))[0] == pytest.approx(np.diag([30.0, 1.0]))
    m = fi.Material("g", a)
    assert m.conductivity_dependent and m.anisotropic
    assert _ufl_at(lambda T: a.matrix(T)[0, 0], 200.0) == pytest.approx(30.0)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: fi.Anisotropic.tensor([[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
        (lambda: fi.Anisotropic.tensor([[1.0, 2.0], [2.0, 1.0]]), "positive definite"),
        (lambda: fi.Anisotropic.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), "2x2 or 3x3"),
        (lambda: fi.Anisotropic.tensor("k"), "2x2 or 3x3"),
        (lambda: fi.Anisotropic((1.0, 2.0), ((1.0, 0.0), (1.0, 1.0))), "orthogonal"),
        (lambda: fi.Anisotropic((1.0, -2.0), ((1.0, 0.0), (0.0, 1.0))), "principal value 2"),
        (lambda: fi.Anisotropic((1.0,), ((1.0,),)), "2 or 3 principal values"),
        (lambda: fi.Anisotropic.orthotropic((1.0, 2.0, 3.0), angle=10.0), "angle"),
        (lambda: fi.Anisotropic.in_plane(1.0, 2.0, (0.0, 0.0)), "normal"),
    ],
)
def test_bad_tensors_refused(make, match):
    with pytest.raises(InputError, match=match):
        make()


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: fi.Material("cu", -1.0), "material 'cu': conductivity"),
        (lambda: fi.Material("cu", "hot"), "material 'cu': conductivity"),
        (lambda: fi.Material("cu", 1.0, 1000.0, "x"), "material 'cu': specific_heat"),
        (lambda: fi.Material("cu", 1.0, -5.0, 400.0), "material 'cu': density"),
        (lambda: fi.Radiation("top", 1.5, 300.0), "radiation on 'top': emissivity"),
        (lambda: fi.Radiation("top", 0.5, -3.0), "radiation on 'top': T_amb"),
        (lambda: fi.Radiation("top", 0.5, 300.0, h=-1.0), "radiation on 'top': h"),
        (lambda: fi.HeatSource("chip"), "exactly one of value"),
        (lambda: fi.HeatSource("chip", 1e6, power=2.0), "exactly one of value"),
        (lambda: fi.HeatSource("chip", power="2 W"), "power \\(W\\)"),
        (lambda: fi.HeatSource("chip", power=2.0, depth=0.0), "depth \\(m\\)"),
        (lambda: fi.HeatSource("chip", 1e6, depth=0.01), "depth \\(m\\) goes with power"),
    ],
)
def test_bad_bulk_inputs_refused(make, match):
    with pytest.raises(InputError, match=match):
        make()


def test_material_accepts_tables_and_functions():
    m = fi.Material("x", ((100.0, 200.0), (10.0, 20.0)), 1000.0, lambda T: 400.0 + 0 * T)
    assert isinstance(m.conductivity, Table)
    assert m.capacity_dependent is True
    assert m.heat_capacity(300.0) == pytest.approx(4.0e5)
