"""Facet quadrature in NumPy (:mod:`fe_interface.discretisation.facets`) against DOLFINx's
own facet integrals, on curved (second-order, bent) meshes of every cell type: surface
measure, normals, physical points, axisymmetric weights, field values and gradients."""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem
from helpers.meshes import CELLS, bend, tagged_box

from fe_interface.discretisation.facets import FacetQuadrature, closure_dofs
from fe_interface.discretisation.formulation import Formulation
from fe_interface.model import Conductance, Interface, Material
from fe_interface.model.model import Model

COMM = MPI.COMM_WORLD
N = {"triangle": 4, "quadrilateral": 4, "tetrahedron": (4, 2, 2), "hexahedron": (4, 2, 2)}


def formulation(cell: str, degree: int, axisymmetric: bool = False) -> Formulation:
    """Two blocks of the bent unit square/cube (curved P2 cells), interface "ab"."""
    tm = tagged_box(
        cell,
        N[cell],
        {"a": (1, lambda x: x[0] < 0.5), "b": (2, lambda x: x[0] > 0.5)},
        interfaces={"ab": (10, ("a", "b"))},
        order=2,
        deform=bend,
    )
    model = Model(
        tm,
        {"a": Material("a", 1.0), "b": Material("b", 1.0)},
        [Interface("ab", Conductance(1.0), plus="a")],
    )
    return Formulation(model, degree, axisymmetric)


def quadrature(f: Formulation, degree: int) -> tuple[FacetQuadrature, np.ndarray]:
    e = f.model.interfaces[0].entities
    V = f.space
    q = FacetQuadrature(
        f.mesh, V.ufl_element(), V.dofmap.dof_layout, e[:, 0], e[:, 1], degree, f.axisymmetric
    )
    return q, e


def dS_integral(f: Formulation, integrand, degree: int) -> float:
    """∫ integrand dS over the interface facets ('+' the ⁺ side) with a fixed rule."""
    e = f.model.interfaces[0].entities
    dS = ufl.Measure(
        "dS", domain=f.mesh, subdomain_data=[(1, e.ravel())], metadata={"quadrature_degree": degree}
    )
    return COMM.allreduce(fem.assemble_scalar(fem.form(integrand * dS(1))), op=MPI.SUM)


def total(q: FacetQuadrature, per_point) -> float:
    return COMM.allreduce(float(sum(np.sum(per_point(g)) for g in q.groups)), op=MPI.SUM)


@pytest.mark.parametrize("cell", list(CELLS))
def test_measure_normal_and_points_match_dolfinx(cell):
    """Σ dA, Σ n dA and Σ y n_x dA over the curved interface equal DOLFINx's ``dS``
    integrals with the same rule to round-off (⁺ side's outward normal)."""
    f = formulation(cell, 2)
    degree = 4
    q, _ = quadrature(f, degree)
    x = ufl.SpatialCoordinate(f.mesh)
    n = ufl.FacetNormal(f.mesh)("+")
    area = total(q, lambda g: g.dA)
    assert area == pytest.approx(dS_integral(f, fem.Constant(f.mesh, 1.0)("+"), degree), rel=1e-13)
    gdim = f.mesh.geometry.dim
    assert area > 1.0 + 1e-3  # the bent interface is longer than the straight one
    for i in range(gdim):
        ref = dS_integral(f, n[i], degree)
        assert total(q, lambda g, i=i: g.normal[:, :, i] * g.dA) == pytest.approx(
            ref, rel=1e-12, abs=1e-14
        )
    ref = dS_integral(f, x[1]("+") * n[0], degree)
    assert total(q, lambda g: g.x[:, :, 1] * g.normal[:, :, 0] * g.dA) == pytest.approx(
        ref, rel=1e-12
    )
    for g in q.groups:  # unit normals, points on the ⁺ cells' facets
        np.testing.assert_allclose(np.linalg.norm(g.normal, axis=2), 1.0, rtol=1e-14)


@pytest.mark.parametrize("cell", ["triangle", "quadrilateral"])
def test_axisymmetric_weight(cell):
    """The axisymmetric weight is dA · r (r = x[0]; the 2π is left to the totals)."""
    f = formulation(cell, 1, axisymmetric=True)
    q, _ = quadrature(f, 4)
    for g in q.groups:
        np.testing.assert_allclose(g.weight, g.dA * g.x[:, :, 0], rtol=1e-15)
    x = ufl.SpatialCoordinate(f.mesh)
    assert total(q, lambda g: g.weight) == pytest.approx(dS_integral(f, x[0]("+"), 4), rel=1e-13)


@pytest.mark.parametrize(
    ("cell", "degree"),
    [("triangle", 2), ("quadrilateral", 3), ("tetrahedron", 2), ("hexahedron", 2)],
)
def test_values_and_gradients(cell, degree):
    """A field linear in x is exact on isoparametric cells of degree ≥ 2: its values and
    gradients at the facet points are the exact ones, from both sides' copies."""
    f = formulation(cell, degree)
    gdim = f.mesh.geometry.dim
    c = np.array([2.0, -3.0, 0.5])[:gdim]
    T = fem.Function(f.space)
    T.interpolate(lambda x: 1.0 + c @ x[:gdim])
    q, e = quadrature(f, 2 * degree)
    V = f.space
    for g in q.groups:
        dofs = V.dofmap.list[e[g.rows, 0]]
        exact = 1.0 + np.einsum("fqg,g->fq", g.x, c)
        np.testing.assert_allclose(q.values(g, T.x.array, dofs), exact, rtol=1e-12)
        grad = q.gradients(g, T.x.array, dofs)
        np.testing.assert_allclose(grad, np.broadcast_to(c, grad.shape), atol=1e-10)


@pytest.mark.parametrize(
    ("cell", "degree", "count"),
    [("triangle", 2, 3), ("quadrilateral", 3, 4), ("tetrahedron", 3, 10), ("hexahedron", 2, 9)],
)
def test_closure_dofs(cell, degree, count):
    """The dofs on a facet: vertices, edges and (3D) face interiors of the facet."""
    f = formulation(cell, degree)
    layout = f.space.dofmap.dof_layout
    tdim = f.mesh.topology.dim
    nfacets = {"triangle": 3, "quadrilateral": 4, "tetrahedron": 4, "hexahedron": 6}[cell]
    for lf in range(nfacets):
        cl = closure_dofs(layout, tdim, lf)
        assert cl.size == count and np.unique(cl).size == count
