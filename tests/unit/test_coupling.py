"""The facet-wise interface terms (:class:`~fe_interface.discretisation.coupling.
InterfaceCoupling`) against UFL ``dS`` forms on the broken space.

* the matrix and the operator equal those of ``h (u⁺ − u⁻)(v⁺ − v⁻) w⁺ dS`` to round-off,
  for every cell type, P1–P3, axisymmetric, on curved (second-order, bent) meshes, for
  the three kinds of temperature-independent laws (constant, h(x), per facet);
* a whole solve through the coupling (lifting of Dirichlet data on facets the interface
  touches, convection, a triple junction with three colours) equals the solve of the
  all-UFL system.
"""

from __future__ import annotations

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx.fem.petsc
import numpy as np
import pytest
import ufl
from dolfinx import fem, la
from dolfinx import mesh as dmesh
from helpers.meshes import bend, tagged_box

from fe_interface.discretisation.formulation import Formulation
from fe_interface.model import (
    Conductance,
    Convection,
    FacetConductance,
    FixedTemperature,
    Interface,
    Material,
)
from fe_interface.model.model import Model
from fe_interface.problems.steady import SteadyProblem
from fe_interface.solvers.linear import create_matrix

COMM = MPI.COMM_WORLD
N = {"triangle": 4, "quadrilateral": 4, "tetrahedron": (4, 2, 2), "hexahedron": (4, 2, 2)}


def h_of_x(x):
    """A conductance map (W/(m² K)) for NumPy (3, n) points and UFL coordinates."""
    return 30.0 + 40.0 * x[1] + 10.0 * x[0] * x[1]


LAWS = {
    "constant": Conductance(25.0),
    "position": Conductance(h_of_x),
    "facet": FacetConductance(h_of_x),
}


def two_blocks(cell: str, three: bool = False, comm=COMM):
    """Unit square/cube on curved P2 cells (:func:`helpers.meshes.bend`), "a" left of the
    bent plane x = 1/2, "b" right (``three``: "b" above y = 1/2, "c" below)."""
    regions = {"a": (1, lambda x: x[0] < 0.5), "b": (2, lambda x: x[0] > 0.5)}
    interfaces = {"ab": (10, ("a", "b"))}
    if three:
        regions["c"] = (3, lambda x: (x[0] > 0.5) & (x[1] < 0.5))
        interfaces |= {"ac": (11, ("a", "c")), "bc": (12, ("b", "c"))}
    eps = 1e-12
    boundaries = {
        "left": (1, lambda x: np.isclose(x[0], 0.0)),
        "bottom_a": (2, lambda x: np.isclose(x[1], 0.0) & (x[0] < 0.5 + eps)),
        "bottom_b": (4, lambda x: np.isclose(x[1], 0.0) & (x[0] > 0.5 - eps)),
        "right": (3, lambda x: np.isclose(x[0], 1.0)),
    }
    return tagged_box(cell, N[cell], regions, boundaries, interfaces, comm, order=2, deform=bend)


def quadrature_degree(f: Formulation) -> int:
    """The coupling's facet rule (as in InterfaceCoupling)."""
    tensor = f.mesh.topology.cell_type.name in ("quadrilateral", "hexahedron")
    return 2 * f.degree + int(f.axisymmetric) + (2 if tensor else 0)


def ufl_interface_form(f: Formulation, u, v, degree: int | None = None):
    """Σ ∫ h (u⁺ − u⁻)(v⁺ − v⁻) w⁺ dS over the coupled interfaces of ``f``, '+' the ⁺ side
    (per-facet laws as a DG0 field on the ⁺ cells, evaluated at the facet midpoints)."""
    mesh = f.mesh
    tdim = mesh.topology.dim
    x = ufl.SpatialCoordinate(mesh)
    w = x[0]("+") if f.axisymmetric else 1.0
    md = {} if degree is None else {"quadrature_degree": degree}
    data = [(i, d.entities.ravel()) for i, d in enumerate(f.model.interfaces)]
    dS = ufl.Measure("dS", domain=mesh, subdomain_data=data, metadata=md)
    c2f = mesh.topology.connectivity(tdim, tdim - 1)
    nfc = c2f.offsets[1] - c2f.offsets[0]
    form = 0
    for i, d in enumerate(f.model.interfaces):
        law = d.spec.law
        if isinstance(law, FacetConductance):
            e = d.entities
            facets = c2f.array.reshape(-1, nfc)[e[:, 0], e[:, 1]].astype(np.int32)
            hc = fem.Function(fem.functionspace(mesh, ("DG", 0)))
            if len(e):  # each ⁺ cell has one interface facet, each facet one owner:
                hc.x.array[e[:, 0]] = law.at(dmesh.compute_midpoints(mesh, tdim - 1, facets).T)
            hc.x.scatter_reverse(la.InsertMode.add)  # ... so adding sets it once
            hc.x.scatter_forward()
            h = hc("+")
        elif callable(law.h):
            h = law.h(x("+"))
        else:
            h = law.h
        form += h * (u("+") - u("-")) * (v("+") - v("-")) * w * dS(i)
    return form


def max_abs(comm, a) -> float:
    return comm.allreduce(float(np.max(np.abs(a), initial=0.0)), op=MPI.MAX)


CASES = [(c, k, False, "position") for c in N for k in (1, 2, 3)] + [
    ("triangle", 1, False, "constant"),
    ("triangle", 1, False, "facet"),
    ("hexahedron", 2, False, "constant"),
    ("hexahedron", 2, False, "facet"),
    ("tetrahedron", 2, False, "facet"),
    ("triangle", 2, True, "position"),
    ("triangle", 1, True, "facet"),
    ("quadrilateral", 3, True, "constant"),
]


@pytest.mark.parametrize(("cell", "degree", "axisymmetric", "law"), CASES)
def test_coupling_equals_dS_form(cell, degree, axisymmetric, law):
    tm = two_blocks(cell)
    model = Model(
        tm,
        {"a": Material("a", 1.0), "b": Material("b", 2.0)},
        [Interface("ab", LAWS[law], plus="a")],
    )
    f = Formulation(model, degree, axisymmetric)
    c = f.coupling
    assert c is not None and not [t for t in f.terms if t.kind == "interface"]
    V = f.space
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    a = fem.form(ufl_interface_form(f, u, v, quadrature_degree(f)))
    A = dolfinx.fem.petsc.assemble_matrix(a)
    A.assemble()
    B = create_matrix(a, c)
    imap = V.dofmap.index_map
    c.add_to_matrix(B, np.arange(imap.size_local + imap.num_ghosts, dtype=np.int64))
    B.assemble()
    scale = A.norm(PETSc.NormType.FROBENIUS)
    assert scale > 0
    B.axpy(-1.0, A, PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
    assert B.norm(PETSc.NormType.FROBENIUS) <= 1e-13 * scale
    # the operator: K u (summed to the owners) equals A u (u = O(1), so that round-off
    # is relative to |A||u| ~ |A u|: a T ~ 300 K offset would cancel in the jumps)
    rng = np.random.default_rng(7 + COMM.rank)
    x = la.vector(imap)
    x.array[: imap.size_local] = rng.random(imap.size_local) - 0.5
    x.scatter_forward()
    y = la.vector(imap)
    y.array[:] = c.apply(x.array)
    y.scatter_reverse(la.InsertMode.add)
    xp, yp = A.createVecRight(), A.createVecLeft()
    xp.array[:] = x.array[: imap.size_local]
    A.mult(xp, yp)
    n = imap.size_local
    assert max_abs(COMM, y.array[:n] - yp.array) <= 1e-13 * max_abs(COMM, yp.array)
    for obj in (A, B, xp, yp):
        obj.destroy()


def reference_solve(f: Formulation) -> np.ndarray:
    """Solve the all-UFL system (the interface terms as ``dS`` forms with the coupling's
    facet rule: on curved cells another rule gives another, equally valid, quadrature
    error; DOLFINx lifting) with MUMPS; returns the local solution array."""
    V = f.space
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    dS_terms = ufl_interface_form(f, u, v, quadrature_degree(f))
    a, L = ufl.system(f.residual(u, v) + dS_terms)
    a, L = fem.form(a), fem.form(L)
    A = dolfinx.fem.petsc.assemble_matrix(a, bcs=f.bcs)
    A.assemble()
    b = dolfinx.fem.petsc.assemble_vector(L)
    dolfinx.fem.petsc.apply_lifting(b, [a], bcs=[f.bcs])
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    dolfinx.fem.petsc.set_bc(b, f.bcs)
    ksp = PETSc.KSP().create(COMM)
    ksp.setOperators(A)
    ksp.setType("preonly")
    ksp.getPC().setType("lu")
    ksp.getPC().setFactorSolverType("mumps")
    T = fem.Function(V)
    ksp.solve(b, T.x.petsc_vec)
    T.x.scatter_forward()
    for obj in (ksp, A, b):
        obj.destroy()
    return T.x.array.copy()


@pytest.mark.parametrize(
    ("cell", "degree", "axisymmetric", "three"),
    [
        ("triangle", 1, False, False),
        ("triangle", 2, True, False),
        ("quadrilateral", 2, False, True),
        ("tetrahedron", 2, False, False),
        ("hexahedron", 1, False, True),
    ],
)
def test_solution_equals_dS_system(cell, degree, axisymmetric, three):
    """Dirichlet data on facets that the interface touches, with a different value on
    each side (lifting of the interface term), convection, and with ``three`` a triple
    junction (three colours, three laws): the solve through the coupling equals the
    all-UFL solve."""
    tm = two_blocks(cell, three)
    mats = {"a": Material("a", 2.0), "b": Material("b", 5.0)}
    ifc = [Interface("ab", LAWS["facet"], plus="a")]
    if three:
        mats["c"] = Material("c", 1.0)
        ifc += [Interface("ac", LAWS["constant"]), Interface("bc", LAWS["position"])]
    bcs = [
        FixedTemperature("left", 400.0),
        FixedTemperature("bottom_a", lambda x: 300.0 + 50.0 * x[0]),
        FixedTemperature("bottom_b", lambda x: 330.0 + 50.0 * x[0]),
        Convection("right", 25.0, 290.0),
    ]
    p = SteadyProblem(tm, mats, ifc, bcs, degree=degree, axisymmetric=axisymmetric, solver="direct")
    p.run()
    f = p.formulation
    assert f.broken.num_colours == (3 if three else 2)
    ref = reference_solve(f)
    assert max_abs(COMM, p.T.x.array - ref) <= 1e-10 * 400.0
    # the jump is real (the interfaces are resistive) and the energy balance closes
    assert all(s.max_jump_K - s.min_jump_K > 0.1 for s in p.interface_table())
    assert p.energy_balance().relative_residual < 1e-10
