"""Body loads, the penalty method and the iterative solver, on a column with an exact solution.

Two blocks of one material (lower y ∈ [−H_l, 0], upper y ∈ [0, H_u]) on rollers at both
sides and at the bottom, loaded by their weight b = −ρ g only, the upper block resting
on the lower one through the contact (top free).  With rollers on both sides the
problem is one-dimensional (uniaxial strain, M = E(1 − ν)/((1 + ν)(1 − 2ν))):

    σ_yy(y) = −ρ g (H_u − y),   P = ρ g H_u on the contact,
    u_y(H_u) = −ρ g (H_l + H_u)²/(2 M)     (the column of height H_l + H_u),

and P1/Q1 elements on the structured mesh give these values at the nodes (1D linear
elements are nodally exact), so the contact pressure and the top displacement are
compared to the augmentation tolerance (1e-9).

* body force (2D quadrilaterals and 3D hexahedra): P = ρ g H_u at every contact node,
  force = ρ g H_u × area, u_y(top) exact;
* ``method="penalty"``: P_i = ε_i ⟨−g_i⟩ at every node (the penalty law, with the
  penetration it implies), the force still in equilibrium with the weight;
* ``solver="iterative"`` (CG + GAMG, rigid body modes): the direct solution to the
  linear tolerance, on the column and on a 3D point contact;
* 3D tetrahedra (unstructured simplices, triangular contact facets): P = p exactly under
  a uniform load.
"""

from __future__ import annotations

import numpy as np
import pytest

import fe_interface as fi  # noqa: F401  (MPI before PETSc)
from fe_interface.geometry.contact_blocks import stacked_blocks
from fe_interface.mechanics import BodyForce, Contact, ElasticMaterial, ElasticProblem, Symmetry

STEEL = ElasticMaterial("steel", 200e9, 0.3)
RHO_G = 7850.0 * 9.81 * 1e3  # N/m³: a thousandfold weight (any value: linear problem)
H_L, H_U, W = 0.01, 0.006, 0.004


def column(gdim: int, method: str = "augmented", solver: str = "direct") -> ElasticProblem:
    x = np.linspace(0.0, W, 3)
    tagged = stacked_blocks(
        [x] * (gdim - 1), np.linspace(0.0, H_L, 6), np.linspace(0.0, H_U, 4),
        cell="quadrilateral" if gdim == 2 else "hexahedron",
    )  # fmt: skip
    down = (0.0,) * (gdim - 1) + (-RHO_G,)
    rollers = ["x0", "x1", "bottom"] + (["y0", "y1"] if gdim == 3 else [])
    p = ElasticProblem(
        tagged, {"lower": STEEL, "upper": STEEL},
        contacts=[Contact("contact", plus="upper", method=method)],
        boundary_conditions=[Symmetry(g) for g in rollers],
        body_forces=[BodyForce("lower", down), BodyForce("upper", down)], solver=solver,
    )  # fmt: skip
    return p


def top_displacement(p: ElasticProblem) -> np.ndarray:
    """u_y (last component) of the owned nodes on the top face."""
    V = p.space
    n = V.dofmap.index_map.size_local
    x = V.tabulate_dof_coordinates()[:n]
    gdim = p.tagged.mesh.geometry.dim
    u = p.u.x.array[: n * V.dofmap.bs].reshape(n, -1)
    return u[np.isclose(x[:, gdim - 1], H_U), gdim - 1]


@pytest.mark.parametrize("gdim", [2, 3])
def test_body_force_column(gdim):
    p = column(gdim)
    res = p.solve()
    c = res.contacts[0]
    area = W ** (gdim - 1)
    t = p.contacts[0].nodal_table()
    np.testing.assert_allclose(t.pressure_Pa, RHO_G * H_U, rtol=1e-9)
    assert c.force_N == pytest.approx(RHO_G * H_U * area, rel=1e-9)
    assert c.area_fraction == pytest.approx(1.0, rel=1e-12)
    assert c.max_penetration_m <= 1e-12 * H_U  # augmented: no penetration
    M = STEEL.E * (1 - STEEL.nu) / ((1 + STEEL.nu) * (1 - 2 * STEEL.nu))
    exact = -RHO_G * (H_L + H_U) ** 2 / (2 * M)
    np.testing.assert_allclose(top_displacement(p), exact, rtol=1e-9)


def test_body_force_changes_the_result():
    """The test above can fail: without the upper block's weight P = 0."""
    p = column(2)
    p.body_forces = p.body_forces[:1]
    res = p.solve()
    assert res.contacts[0].max_pressure_Pa == 0.0


def test_penalty_method():
    p = column(2, method="penalty")
    res = p.solve()
    c = p.contacts[0]
    s = c.current_state()
    assert res.solve.augmentations == 1  # penalty: no multiplier updates
    assert np.all(s.gap_m < 0)  # the penalty needs a penetration to carry the load
    np.testing.assert_allclose(s.pressure_Pa, c.eps * np.maximum(-s.gap_m, 0.0), rtol=1e-12)
    assert res.contacts[0].force_N == pytest.approx(RHO_G * H_U * W, rel=1e-9)
    # ε = γ₀ E*/h: the penetration is P h/(γ₀ E*), a small fraction of the cell size
    assert res.contacts[0].max_penetration_m < 1e-3 * H_U / 3


def test_iterative_solver_equals_direct():
    direct = column(2)
    direct.solve()
    it = column(2, solver="iterative")
    res = it.solve()
    assert res.solve.linear_iterations > res.solve.newton_iterations  # a Krylov method ran
    P_d = direct.contacts[0].nodal_table().pressure_Pa
    P_i = it.contacts[0].nodal_table().pressure_Pa
    np.testing.assert_allclose(P_i, P_d, rtol=1e-6)
    np.testing.assert_allclose(top_displacement(it), top_displacement(direct), rtol=1e-6)


def point_contact(solver: str) -> ElasticProblem:
    """A quarter of two 3D blocks pressed through a spherical gap r²/(2R) (a point contact)."""
    from fe_interface.geometry.contact_blocks import graded_nodes
    from fe_interface.mechanics import Pressure

    a, R = 0.5e-3, 10e-3
    L = 10 * a
    x = graded_nodes(L, 1.5 * a, a / 2, 1.12)
    z = graded_nodes(L, 0.5 * a, a / 2, 1.12)
    tagged = stacked_blocks([x, x], z, z, cell="hexahedron")
    F = 4 * (STEEL.plane_strain_modulus / 2) * a**3 / (3 * R)  # Hertz load of radius a
    gap = lambda X: (X[0] ** 2 + X[1] ** 2) / (2 * R)  # noqa: E731
    return ElasticProblem(
        tagged, {"lower": STEEL, "upper": STEEL},
        contacts=[Contact("contact", plus="upper", initial_gap=gap)],
        boundary_conditions=[Symmetry("x0"), Symmetry("y0"), Symmetry("bottom"), Pressure("top", F / 4 / L**2)],
        solver=solver,
    )  # fmt: skip


def test_point_contact_iterative_equals_direct():
    """CG + GAMG on a 3D point contact, where the active set changes from one node to
    many: an AMG hierarchy is kept only while few contact nodes changed state (kept
    through the overshooting first steps, CG failed with an indefinite preconditioner);
    the result equals MUMPS's."""
    res = {s: point_contact(s) for s in ("direct", "iterative")}
    out = {s: p.solve() for s, p in res.items()}
    it = out["iterative"].solve
    assert 1 < it.preconditioners <= it.jacobians
    cd, ci = out["direct"].contacts[0], out["iterative"].contacts[0]
    assert ci.force_N == pytest.approx(cd.force_N, rel=1e-9)  # equilibrium with the load
    assert ci.active_nodes == cd.active_nodes > 1
    Pd = res["direct"].contacts[0].nodal_table().pressure_Pa
    Pi = res["iterative"].contacts[0].nodal_table().pressure_Pa
    np.testing.assert_allclose(Pi, Pd, rtol=0, atol=1e-6 * Pd.max())
    # the multipliers came from the exact step (the settled active set, one projected
    # CG solve) instead of augmentations: its gaps are closed to round-off
    assert it.exact_step and it.augmentations == 1
    assert it.converged_reason == "CONVERGED_EXACT_STEP"
    assert it.residual_history[-1] <= 1e-10 * it.residual_history[0]  # the load's 1e-10
    assert ci.max_penetration_m <= 1e-12 * 0.5e-3


def test_failed_kept_preconditioner_restarts_the_solve(monkeypatch):
    """An AMG hierarchy kept through the first steps of a point contact (one node to
    hundreds active) makes CG meet an indefinite preconditioner: the Newton solve starts
    again from the same u with a new hierarchy at every changed Jacobian, and the
    result equals MUMPS's."""
    import fe_interface.solvers.contact as contact_solver

    monkeypatch.setattr(contact_solver, "_AMG_REUSE_NODES", 10**9)  # keep it always
    direct, it = point_contact("direct"), point_contact("iterative")
    direct.solve()
    it.solve()
    assert it.solver.restarts == 1
    Pd = direct.contacts[0].nodal_table().pressure_Pa
    Pi = it.contacts[0].nodal_table().pressure_Pa
    np.testing.assert_allclose(Pi, Pd, rtol=0, atol=1e-6 * Pd.max())


def test_exact_step_refuses_a_wrong_active_set():
    """The exact step with nodes outside the contact forced into the active set: they
    pull (negative pressures), the step is refused, u and the multipliers are kept."""
    p = point_contact("iterative")
    p.solve()
    solver, c = p.solver, p.contacts[0]
    u0, lam0 = p.u.x.array.copy(), c.lam.copy()
    s = c.current_state()
    r = np.hypot(c.x[:, 0], c.x[:, 1])
    c._state = s._replace(active=s.active | (r < 2 * 0.5e-3))  # past the contact radius a
    its, ok = solver._exact_step()
    assert its > 0 and not ok
    np.testing.assert_array_equal(p.u.x.array, u0)
    np.testing.assert_array_equal(c.lam, lam0)
    assert np.array_equal(c.current_state().active, s.active)  # the state at u again


def test_uniform_pressure_on_tetrahedra():
    """Unstructured simplices in 3D (a tetrahedral box cut at z = 0, as from gmsh): two
    blocks on rollers pressed by p on the top.  The exact solution is linear (uniaxial
    stress), in the P1 space, so every lumped nodal pressure is p to the augmentation
    tolerance, on triangular contact facets."""
    from mpi4py import MPI

    import dolfinx.mesh

    from fe_interface.mechanics import Pressure
    from fe_interface.mesh import tag_mesh
    from fe_interface.mesh.tagged import ghosted_partitioner

    m = dolfinx.mesh.create_box(
        MPI.COMM_WORLD, [[0.0, 0.0, -0.01], [0.02, 0.02, 0.01]], [3, 3, 4],
        dolfinx.mesh.CellType.tetrahedron, partitioner=ghosted_partitioner(),
    )  # fmt: skip
    tagged = tag_mesh(
        m, cells={"lower": (1, lambda x: x[2] < 0.0), "upper": (2, lambda x: x[2] > 0.0)},
        boundaries={
            "x0": (1, lambda x: np.isclose(x[0], 0.0)), "y0": (2, lambda x: np.isclose(x[1], 0.0)),
            "bottom": (3, lambda x: np.isclose(x[2], -0.01)), "top": (4, lambda x: np.isclose(x[2], 0.01)),
        },
        interfaces={"contact": (10, ("upper", "lower"))},
    )  # fmt: skip
    p0 = 3.0e6
    p = ElasticProblem(
        tagged, {"lower": STEEL, "upper": ElasticMaterial("alu", 70e9, 0.33)},
        contacts=[Contact("contact", plus="upper")],
        boundary_conditions=[Symmetry("x0"), Symmetry("y0"), Symmetry("bottom"), Pressure("top", p0)],
    )  # fmt: skip
    res = p.solve()
    t = p.contacts[0].nodal_table()
    assert len(t.x) == 16 and t.area_m2.sum() == pytest.approx(0.02**2, rel=1e-12)
    np.testing.assert_allclose(t.pressure_Pa, p0, rtol=1e-9)
    assert res.contacts[0].force_N == pytest.approx(p0 * 0.02**2, rel=1e-9)
