"""The node-to-node contact operator (:mod:`fe_interface.discretisation.nodal_contact`).

* lumped nodal areas sum to the interface area (2D: its length; axisymmetric: ∫ r dr =
  L²/2; 3D hexahedra: L²), the nodal normals are the ⁺ side's outward normal;
* the Jacobian is the exact derivative of the residual: J δ equals the central
  difference of R(u ± t δ) at a state with both active and inactive nodes (the contact
  term is piecewise linear, so the difference is exact up to round-off while no node
  changes state);
* the residual's contact forces sum to the contact force of the summary, in parallel
  too.
"""

from __future__ import annotations

from petsc4py import PETSc

import numpy as np
import pytest

import fe_interface as fi  # noqa: F401
from fe_interface.geometry.contact_blocks import stacked_blocks
from fe_interface.mechanics import Contact, Displacement, ElasticMaterial, ElasticProblem, Symmetry

STEEL = ElasticMaterial("steel", 200e9, 0.3)
L = 0.02


def problem(gdim: int, cell: str, axisymmetric: bool = False, gap=0.0, n: int = 4):
    x = np.linspace(0.0, L, n + 1)
    z = np.linspace(0.0, 0.01, n + 1)
    tagged = stacked_blocks([x] * (gdim - 1), z, z, cell=cell)
    bcs = [Symmetry("x0"), Symmetry("bottom"), Displacement("top", (None,) * (gdim - 1) + (-1e-6,))]
    if gdim == 3:
        bcs.append(Symmetry("y0"))
    p = ElasticProblem(
        tagged, {"lower": STEEL, "upper": STEEL}, contacts=[Contact("contact", plus="upper", initial_gap=gap)],
        boundary_conditions=bcs, axisymmetric=axisymmetric,
    )  # fmt: skip
    p.initialise()
    return p


@pytest.mark.parametrize(
    "gdim, cell, axisymmetric, area",
    [
        (2, "triangle", False, L),
        (2, "quadrilateral", True, L**2 / 2),
        (3, "hexahedron", False, L**2),
    ],
)
def test_areas_and_normals(gdim, cell, axisymmetric, area):
    p = problem(gdim, cell, axisymmetric)
    table = p.contacts[0].nodal_table()
    assert table.area_m2.sum() == pytest.approx(area, rel=1e-13)
    down = np.zeros(gdim)
    down[-1] = -1.0  # ⁺ = upper block: outward normal −z
    np.testing.assert_allclose(table.normal, np.tile(down, (len(table.normal), 1)), atol=1e-14)
    assert len(table.x) == (5 if gdim == 2 else 25)


def residual_and_jacobian(p, u: np.ndarray):
    s = p.solver.newton  # the Newton solver under the contact solver
    x = s.x.duplicate()
    x.array_w[:] = u[: x.getLocalSize()]
    x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
    b = s.b.duplicate()
    s._residual(None, x, b)
    return x, b


@pytest.mark.parametrize("gdim, cell", [(2, "triangle"), (3, "hexahedron")])
def test_jacobian_is_the_derivative(gdim, cell):
    """J δ = (R(u + tδ) − R(u − tδ)) / 2t with some nodes in contact, some not."""
    gap = lambda x: 1e-7 * x[0] / L  # noqa: E731  (a wedge: the gap opens with x)
    p = problem(gdim, cell, gap=gap)
    s = p.solver.newton
    c = p.contacts[0]
    c.lam[:] = 1e5  # multipliers as after an augmentation
    rng = np.random.default_rng(7)
    u = p.u.x.array.copy()
    V = p.space
    X = V.tabulate_dof_coordinates()
    bs = V.dofmap.bs
    # press the upper block down by 0.5e-7: nodes with x < L/2 penetrate.  The upper
    # block's nodes are those above the interface plus the interface's ⁺ copies (the
    # mesh generator may leave ±1e-19 in the interface coordinates: no sign test there)
    U = u.reshape(-1, bs)
    upper = X[:, gdim - 1] > 1e-9 * L
    upper[c.nodes] = True
    U[:, -1] = np.where(upper, -0.5e-7, 0.0) + 1e-10 * rng.standard_normal(len(X))
    U[:, :-1] = 1e-10 * rng.standard_normal((len(X), bs - 1))
    p.u.x.array[:] = u
    p.u.x.scatter_forward()
    u = p.u.x.array.copy()
    st = c.state(u)
    assert 0 < st.active.sum() < st.active.size or p.u.function_space.mesh.comm.size > 1
    x0, _ = residual_and_jacobian(p, u)
    s._assembled = False  # assemble at x0 whatever was assembled before
    s._jacobian(None, x0, s.A, s.A)
    d = x0.duplicate()
    d.array_w[:] = 1e-9 * rng.standard_normal(d.getLocalSize())
    for bc in p.bcs:  # the Dirichlet rows of J are the identity: keep δ zero there
        dof = bc.dof_indices()[0]
        d.array_w[dof[dof < d.getLocalSize()]] = 0.0
    Jd = d.duplicate()
    s.A.mult(d, Jd)
    t = 1e-3
    diff = []
    for sign in (1.0, -1.0):
        xs = x0.copy()
        xs.axpy(sign * t, d)
        xs.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        b = s.b.duplicate()
        s._residual(None, xs, b)
        diff.append(b)
    fd = diff[0].copy()
    fd.axpy(-1.0, diff[1])
    fd.scale(1.0 / (2 * t))
    # the Dirichlet rows of R are x - g: their difference is δ, J's rows the identity
    err = fd.copy()
    err.axpy(-1.0, Jd)
    assert err.norm() <= 1e-7 * Jd.norm()
    assert c.state(p.u.x.array).active.any()


def test_contact_forces_sum_to_the_summary_force():
    p = problem(2, "quadrilateral")
    r = p.solve()
    table = p.contacts[0].nodal_table()
    assert r.contacts[0].force_N == pytest.approx(
        np.sum(table.area_m2 * table.pressure_Pa), rel=1e-12
    )
    assert r.contacts[0].active_nodes == 5 and r.contacts[0].area_fraction == pytest.approx(1.0)
