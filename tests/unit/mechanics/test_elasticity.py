"""Small-strain elasticity on the broken vector space: patch tests with exact solutions.

* free thermal expansion of a block on rollers (symmetry planes) is a linear field,
  which P1/Q1 reproduce to round-off: u = ε_th x with ε_th = α ΔT (3D, axisymmetric:
  u_r = α ΔT r) and (1 + ν) α ΔT in plane strain (ε_zz = 0 adds ν α ΔT in-plane); the
  stress is zero, except σ_zz = −E α ΔT in plane strain (von Mises E α ΔT);
* a bonded two-material column on rollers under a top pressure p is in uniaxial
  stress σ_yy = −p in plane strain: ε_yy = −(1 − ν²) p/E in each material;
* a second solve (a new temperature) keeps the stiffness and gives the new exact field;
* the vector broken space duplicates the nodes of a contact interface only;
* input errors name the item.
"""

from __future__ import annotations

import numpy as np
import pytest

import fe_interface as fi  # noqa: F401  (MPI before PETSc)
from fe_interface.errors import InputError
from fe_interface.geometry.contact_blocks import stacked_blocks
from fe_interface.io.mechanics import von_mises_cells
from fe_interface.mechanics import (
    Contact,
    Displacement,
    ElasticMaterial,
    ElasticProblem,
    Pressure,
    Symmetry,
    Traction,
)

STEEL = ElasticMaterial("steel", 200e9, 0.3, alpha=12e-6, T_ref=293.15)
ALU = ElasticMaterial("aluminium", 70e9, 0.33, alpha=23e-6, T_ref=293.15)


def blocks(gdim: int, cell: str, n: int = 3):
    x = np.linspace(0.0, 0.02, n + 1)
    z = np.linspace(0.0, 0.01, n + 1)
    axes = [x] if gdim == 2 else [x, x]
    return stacked_blocks(axes, z, z, cell=cell)


def nodal_values(problem: ElasticProblem) -> tuple[np.ndarray, np.ndarray]:
    """Owned node coordinates and displacements."""
    V = problem.space
    n = V.dofmap.index_map.size_local
    bs = V.dofmap.bs
    return V.tabulate_dof_coordinates()[:n], problem.u.x.array[: n * bs].reshape(n, bs)


@pytest.mark.parametrize(
    "gdim, cell, axisymmetric",
    [
        (2, "triangle", False),
        (2, "quadrilateral", False),
        (2, "quadrilateral", True),
        (3, "hexahedron", False),
    ],
)
def test_free_thermal_expansion(gdim, cell, axisymmetric):
    """A uniform temperature rise on rollers: the exact linear field, no stress (only
    σ_zz = −E α ΔT in plane strain)."""
    tagged = blocks(gdim, cell)
    sym = [Symmetry("x0"), Symmetry("bottom")] + ([Symmetry("y0")] if gdim == 3 else [])
    dT = 50.0
    p = ElasticProblem(
        tagged, {"lower": STEEL, "upper": STEEL}, boundary_conditions=sym,
        axisymmetric=axisymmetric, temperature=STEEL.T_ref + dT,
    )  # fmt: skip
    result = p.solve()
    assert result.solve.newton_iterations == 1 and result.contacts == []
    plane = gdim == 2 and not axisymmetric
    eps = STEEL.alpha * dT * ((1 + STEEL.nu) if plane else 1.0)
    x, u = nodal_values(p)
    fixed = np.zeros(gdim)
    fixed[-1] = -0.01  # the rollers: x = 0 (and y = 0), bottom z = -0.01
    np.testing.assert_allclose(u, eps * (x[:, :gdim] - fixed), rtol=0, atol=1e-12 * eps * 0.02)
    vm = von_mises_cells(p)
    expected = STEEL.E * STEEL.alpha * dT if plane else 0.0
    np.testing.assert_allclose(vm, expected, atol=1e-8 * STEEL.E * STEEL.alpha * dT)


@pytest.mark.parametrize("solver", ["direct", "iterative"])
def test_solve_again_keeps_the_stiffness(solver):
    """A second solve with a new temperature assembles only the load: the stiffness (and
    its factorisation or AMG hierarchy) is kept, and the field is the exact one of the
    new temperature, u = α ΔT (x − x_fixed)."""
    tagged = blocks(3, "hexahedron")
    sym = [Symmetry("x0"), Symmetry("y0"), Symmetry("bottom")]
    p = ElasticProblem(
        tagged, {"lower": STEEL, "upper": STEEL}, boundary_conditions=sym,
        temperature=STEEL.T_ref + 50.0, solver=solver,
    )  # fmt: skip
    p.solve()
    state = p.solver.A.stateGet()  # PETSc increases it at every assembly
    dT = -30.0
    p.set_temperature(STEEL.T_ref + dT)
    p.solve()
    assert p.solver.A.stateGet() == state
    eps = STEEL.alpha * dT
    x, u = nodal_values(p)
    fixed = np.array([0.0, 0.0, -0.01])
    # direct: round-off; CG: ksp_rtol 1e-10 on the change from the last field (80 K)
    tol = 1e-12 if solver == "direct" else 1e-8
    np.testing.assert_allclose(u, eps * (x - fixed), rtol=0, atol=tol * abs(eps) * 0.02)


def test_bonded_column_under_pressure():
    """Two bonded materials (no contact named) between rollers on both sides, a top
    pressure p: uniaxial strain, ε_yy = −p/M with M = E(1 − ν)/((1 + ν)(1 − 2ν)) in
    each material, σ_xx = σ_zz = ν/(1 − ν) σ_yy, von Mises p (1 − 2ν)/(1 − ν)."""
    tagged = blocks(2, "quadrilateral")
    p_top = 3.0e6
    p = ElasticProblem(
        tagged, {"lower": STEEL, "upper": ALU},
        boundary_conditions=[Symmetry("x0"), Symmetry("x1"), Symmetry("bottom"), Pressure("top", p_top)],
    )  # fmt: skip
    p.solve()
    assert p.broken.num_colours == 1  # bonded: no duplicated nodes
    x, u = nodal_values(p)
    M = {m: m.E * (1 - m.nu) / ((1 + m.nu) * (1 - 2 * m.nu)) for m in (STEEL, ALU)}
    s_lo, s_up = -p_top / M[STEEL], -p_top / M[ALU]
    y = x[:, 1]
    exact = np.where(y <= 0, s_lo * (y + 0.01), s_lo * 0.01 + s_up * y)
    np.testing.assert_allclose(u[:, 1], exact, rtol=0, atol=1e-10 * abs(s_up) * 0.01)
    np.testing.assert_allclose(u[:, 0], 0.0, atol=1e-12 * abs(s_up) * 0.01)
    vm = von_mises_cells(p)
    region = p.model.cell_region[: vm.size]
    for tag, m in ((1, STEEL), (2, ALU)):
        exact_vm = p_top * (1 - 2 * m.nu) / (1 - m.nu)
        np.testing.assert_allclose(vm[region == tag], exact_vm, rtol=1e-9)


def test_traction_equals_pressure():
    """Traction (0, −p) on the top equals Pressure p there (normal +y)."""
    out = []
    for bc in (Pressure("top", 1e6), Traction("top", (0.0, -1e6))):
        p = ElasticProblem(
            blocks(2, "triangle"), {"lower": STEEL, "upper": STEEL},
            boundary_conditions=[Symmetry("x0"), Symmetry("bottom"), bc],
        )  # fmt: skip
        p.solve()
        out.append(nodal_values(p)[1])
    np.testing.assert_allclose(out[0], out[1], rtol=1e-12, atol=1e-22)


def test_vector_space_duplicates_contact_nodes_only():
    """With a contact on the interface, each interface node has two copies (all
    components); the numbers of nodes add up."""
    n = 3
    tagged = blocks(2, "quadrilateral", n)
    p = ElasticProblem(
        tagged, {"lower": STEEL, "upper": STEEL}, contacts=[Contact("contact")],
        boundary_conditions=[Symmetry("x0"), Symmetry("bottom"), Displacement("top", (None, -1e-7))],
    )  # fmt: skip
    p.initialise()
    assert p.broken.num_colours == 2
    assert p.space.dofmap.bs == 2
    assert p.broken.num_global == (n + 1) * (2 * n + 1) + (n + 1)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: ElasticMaterial("x", -1.0, 0.3), "E"),
        (lambda: ElasticMaterial("x", 1e9, 0.5), "nu"),
        (lambda: ElasticMaterial("x", 1e9, 0.3, T_ref=0.0), "T_ref"),
        (lambda: Displacement("top", (None, None)), "every component is free"),
        (lambda: Displacement("top", (0.0,)), "2 or 3 components"),
        (lambda: Traction("top", "a"), "list of 2 or 3 numbers"),
        (lambda: Pressure("top", float("nan")), "finite"),
        (lambda: Contact("contact", penalty=0.0), "penalty"),
        (lambda: Contact("contact", method="nitsche"), "method"),
        (lambda: Contact("contact", initial_gap=-1e-6), "initial_gap"),
    ],
)
def test_input_errors(make, match):
    with pytest.raises(InputError, match=match):
        make()


def test_model_errors_name_the_item():
    tagged = blocks(2, "quadrilateral")
    mats = {"lower": STEEL, "upper": STEEL}
    with pytest.raises(InputError, match="no elastic material for region"):
        ElasticProblem(tagged, {"lower": STEEL}).initialise()
    with pytest.raises(InputError, match="outer boundary"):
        ElasticProblem(tagged, mats, contacts=[Contact("top")]).initialise()
    with pytest.raises(InputError, match="interior facets"):
        ElasticProblem(tagged, mats, boundary_conditions=[Symmetry("contact")]).initialise()
    with pytest.raises(InputError, match="degree 1"):
        ElasticProblem(tagged, mats, contacts=[Contact("contact")], degree=2)
    with pytest.raises(InputError, match="3 components for a 2D mesh"):
        ElasticProblem(
            tagged, mats, boundary_conditions=[Traction("top", (0, 0, 1.0))]
        ).initialise()
