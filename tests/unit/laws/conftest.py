"""Shared fixtures for the interface-law tests."""

import pytest


@pytest.fixture(scope="session")
def ufl_coefficients():
    """Two scalar UFL coefficients on an abstract P1 triangle space (no mesh needed)."""
    basix_ufl = pytest.importorskip("basix.ufl")
    ufl = pytest.importorskip("ufl")
    domain = ufl.Mesh(basix_ufl.element("Lagrange", "triangle", 1, shape=(2,)))
    V = ufl.FunctionSpace(domain, basix_ufl.element("Lagrange", "triangle", 1))
    return ufl, V, ufl.Coefficient(V), ufl.Coefficient(V)
