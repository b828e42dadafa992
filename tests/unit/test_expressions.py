"""Safe expressions (ast, no eval), tables of a variable, point fields and expression values."""

import math

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

import fe_interface  # noqa: F401  (MPI before PETSc)
from fe_interface.errors import InputError
from fe_interface.model.expressions import Expression
from fe_interface.model.fields import PointField
from fe_interface.model.values import ExpressionValue


@pytest.mark.parametrize(
    "text, match",
    [
        ("100*sin(pi*tt/40)", r"unknown name 'tt' at column 12 .*did you mean 't'"),
        ("100*sin(", "syntax error"),
        ("__import__('os').system('true')", "cannot be called"),
        ("__import__('os')", "unknown function '__import__'"),
        ("os.system(1)", "attribute access"),
        ("x[0]", "indexing"),
        ("(lambda: 1)()", "cannot be called"),
        ("sin(1, 2)", r"sin\(\) takes 1 argument"),
        ("x < 1", "only allowed as the condition of ifelse"),
        ("'a'", "is not a number"),
        ("sinn(x)", "did you mean 'sin'"),
        ("sin", "is a function"),
        ("x % 2", "not allowed"),
        ("1 if x else 2", "use ifelse"),
        ("max(x=1, y=2)", "positional arguments only"),
        ("", "empty expression"),
    ],
)
def test_bad_expressions_are_named(text, match):
    with pytest.raises(InputError, match=match):
        Expression(text, what="boundaries.hot.value")
    with pytest.raises(InputError, match=r"boundaries.hot.value"):
        Expression(text, what="boundaries.hot.value")


def test_huge_expression_refused():
    with pytest.raises(InputError, match=r"too long|longer than"):
        Expression("+".join(["x"] * 1500))


def test_numpy_values():
    e = Expression("100*sin(pi*t/40)")
    assert e.names == {"t"}
    assert e.numpy(t=20.0) == pytest.approx(100.0, rel=1e-15)
    e = Expression("ifelse(x < 0.5 and y > 0, exp(-x), log10(100) + atan2(y, 1))")
    x = np.array([0.25, 0.75])
    np.testing.assert_allclose(e.numpy(x=x, y=1.0), [math.exp(-0.25), 2 + math.atan(1.0)])
    assert Expression("min(x, 2) + max(x, 2) + abs(-x) + sqrt(4) + pow(2, 3)").numpy(x=1.0) == 14.0
    with pytest.raises(InputError, match=r"needs t"):
        Expression("t + x").numpy(x=1.0)


def test_table_of_a_variable():
    tab = Expression.table("T", [100.0, 200.0, 400.0], [1.0, 3.0, 4.0])
    np.testing.assert_allclose(tab.numpy(T=np.array([50.0, 150.0, 300.0, 500.0])), [1, 2, 3.5, 4])
    with pytest.raises(InputError, match=r"increase strictly"):
        Expression.table("T", [1.0, 1.0], [2.0, 3.0])


def test_ufl_equals_numpy():
    """The same tree in UFL and NumPy: integrals of the UFL expression against quadrature."""
    m = dmesh.create_unit_square(MPI.COMM_SELF, 8, 8)
    x = ufl.SpatialCoordinate(m)
    T = fem.Constant(m, 350.0)
    text = (
        "ifelse(x < 0.5, sin(3*x)*exp(y), log10(1 + y)) + atan2(x, 1 + y) + max(x, y) + 1e-4*T**2"
    )
    e = Expression(text)
    val = fem.assemble_scalar(fem.form(e.ufl(x=x[0], y=x[1], T=T) * ufl.dx))
    g, w = np.polynomial.legendre.leggauss(60)
    s = 0.5 * (g + 1)
    X, Y = np.meshgrid(s, s, indexing="ij")
    W = np.outer(w, w) / 4
    # split at x = 0.5 (the conditional): integrate each half with its own rule
    ref = 0.0
    for a, b in ((0.0, 0.5), (0.5, 1.0)):
        Xa = a + (b - a) * X
        ref += np.sum(W * (b - a) * e.numpy(x=Xa, y=Y, T=350.0))
    assert val == pytest.approx(ref, rel=2e-3)  # the kink of max(x, y): P2 quadrature error
    tab = Expression.table("T", [300.0, 400.0], [10.0, 30.0])
    assert fem.assemble_scalar(fem.form(tab.ufl(T=T) * ufl.dx(domain=m))) == pytest.approx(20.0)


def test_point_field_interpolates_and_names_missing_points(tmp_path):
    f = tmp_path / "f.csv"
    f.write_text("# x, y, value\nx, y, f\n0, 0, 0\n1, 0, 1\n0, 1, 2\n1, 1, 3\n")
    fld = PointField.read(f, "f")
    X = np.array([[0.5, 0.25, 0.9], [0.5, 0.5, 0.1], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(fld(X), X[0] + 2 * X[1], rtol=1e-14)  # linear data: exact
    assert fld.missing(X) is None
    out = np.array([[0.5, 1.5], [0.5, 0.5], [0.0, 0.0]])
    assert fld.missing(out) == 1
    with pytest.raises(InputError, match=r"no value at x = \[1.5, 0.5, 0.0\] m"):
        fld(out)
    with pytest.raises(InputError, match=r"no value"):  # off the plane of the points
        fld(np.array([[0.5], [0.5], [0.2]]))


@pytest.mark.parametrize(
    "text, match",
    [
        ("x, y, v\n0, 0, 1\n1, a, 2\n", "line 3: not numbers"),
        ("0, 0, 1\n1, 1\n", "line 2: 2 columns"),
        ("0, 0, 1\n0, 0, 2\n", "same point"),
        ("0, 0, nan\n", "not finite"),
        ("# nothing\n", "no points"),
    ],
)
def test_bad_field_files(tmp_path, text, match):
    f = tmp_path / "f.csv"
    f.write_text(text)
    with pytest.raises(InputError, match=match):
        PointField.read(f, "f")


def test_line_field():
    fld = PointField("l", np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]]), [0.0, 10.0, 30.0])
    np.testing.assert_allclose(fld(np.array([[0.5, 1.5], [0.0, 0.0], [0.0, 0.0]])), [5.0, 20.0])
    assert fld.missing(np.array([[2.1], [0.0], [0.0]])) == 0


def test_expression_value_time_scale_offset():
    v = ExpressionValue("100*sin(pi*t/40)", scale=1.0, offset=273.15, what="x1.value")
    assert v.time_dependent and not v.position_dependent and not v.temperature_dependent
    v.set_time(20.0)
    assert v.evaluate() == pytest.approx(373.15)
    X = np.zeros((3, 4))
    np.testing.assert_allclose(v(X), 373.15)
    w = 2.0 * v  # a scaled copy keeps its time and expression
    assert w.evaluate() == pytest.approx(746.3)
    with pytest.raises(InputError, match=r"depends on the temperature"):
        ExpressionValue("T + 1").evaluate()
    with pytest.raises(InputError, match=r"no field named 'f2'"):
        ExpressionValue(Expression("f2 + 1", ("t", "f2")))
