"""The facet-by-facet interface assembly (InterfaceOperator) against UFL ``dS`` forms.

Both paths must give the same solution to round-off, on every cell type and degree,
axisymmetric, with Dirichlet data on facets that the interface touches (lifting), at a
triple junction (three colours, several colour pairs), and in parallel.
"""

from mpi4py import MPI

import numpy as np
import pytest
from dolfinx import mesh as dmesh

from fe_interface.boundary import Convection, FixedTemperature
from fe_interface.interfaces import Conductance, FacetConductance, Interface
from fe_interface.materials import Material
from fe_interface.mesh import tag_mesh
from fe_interface.problem import SteadyProblem

COMM = MPI.COMM_WORLD
CELLS = {
    "triangle": (2, dmesh.CellType.triangle),
    "quadrilateral": (2, dmesh.CellType.quadrilateral),
    "tetrahedron": (3, dmesh.CellType.tetrahedron),
    "hexahedron": (3, dmesh.CellType.hexahedron),
}


def _mesh(cell: str, n: int):
    dim, ct = CELLS[cell]
    gm = dmesh.GhostMode.shared_facet
    if dim == 2:
        m = dmesh.create_rectangle(COMM, [[0, 0], [1, 1]], [n, n], ct, ghost_mode=gm)
    else:
        m = dmesh.create_box(COMM, [[0, 0, 0], [1, 1, 1]], [n, n, 2], ct, ghost_mode=gm)
    # a slanted interface plane x = 0.5 + 0.1 (y − 0.5) moves the nodes off the axes
    x = m.geometry.x
    x[:, 0] += 0.2 * x[:, 0] * (1 - x[:, 0]) * (x[:, 1] - 0.5)
    return m


def _problem(tm, law, degree, axisymmetric, three):
    mats = {"a": Material("a", 2.0), "b": Material("b", 5.0)}
    ifc = [Interface("ab", law, plus="a")]
    if three:
        mats["c"] = Material("c", 1.0)
        ifc += [Interface("ac", Conductance(40.0)), Interface("bc", law)]
    bcs = [
        FixedTemperature("left", 400.0),
        # both touch the interface, with different values: lifting of the interface term
        FixedTemperature("bottom_a", lambda x: 300.0 + 50.0 * x[0]),
        FixedTemperature("bottom_b", lambda x: 330.0 + 50.0 * x[0]),
        Convection("right", 25.0, 290.0),
    ]
    return SteadyProblem(
        tm, mats, ifc, bcs, degree=degree, axisymmetric=axisymmetric, solver="direct"
    )


def _tag(m, three):
    eps = 1e-9
    cells = {"a": (1, lambda x: x[0] < 0.5 + eps), "b": (2, lambda x: x[0] > 0.5 - eps)}
    ifc = {"ab": (10, ("a", "b"))}
    if three:
        cells["c"] = (3, lambda x: (x[0] > 0.5 - eps) & (x[1] > 0.5 - eps))
        ifc = {"ab": (10, ("a", "b")), "ac": (11, ("a", "c")), "bc": (12, ("b", "c"))}
    bnd = {
        "left": (1, lambda x: np.isclose(x[0], 0.0)),
        "bottom_a": (2, lambda x: np.isclose(x[1], 0.0) & (x[0] < 0.5)),
        "bottom_b": (4, lambda x: np.isclose(x[1], 0.0) & (x[0] > 0.5)),
        "right": (3, lambda x: np.isclose(x[0], 1.0)),
    }
    return tag_mesh(m, cells, bnd, ifc)


def _solve_both(tm, law, degree=1, axisymmetric=False, three=False):
    out = []
    for facetwise in (True, False):
        p = _problem(tm, law, degree, axisymmetric, three)
        p.facetwise_interfaces = facetwise
        p.run()
        out.append(p)
    return out


@pytest.mark.parametrize(
    ("cell", "degree", "axisymmetric"),
    [
        ("triangle", 1, False),
        ("triangle", 2, True),
        ("triangle", 3, False),
        ("quadrilateral", 2, False),
        ("tetrahedron", 1, False),
        ("tetrahedron", 2, False),
        ("hexahedron", 1, False),
    ],
)
def test_same_solution_as_dS_forms(cell, degree, axisymmetric):
    tm = _tag(_mesh(cell, 6), three=False)
    law = FacetConductance(lambda x: 30.0 + 40.0 * x[1])
    fast, ref = _solve_both(tm, law, degree, axisymmetric)
    assert fast.system.extra is not None and ref.system.extra is None
    scale = 400.0
    for Tf, Tr in zip(fast.T, ref.T, strict=True):
        err = COMM.allreduce(float(np.max(np.abs(Tf.x.array - Tr.x.array), initial=0)), MPI.MAX)
        assert err <= 1e-10 * scale
    # the jump is real (the interface is resistive) and the energy balance closes
    (s,) = fast.interface_table()
    assert s.max_jump_K > 1.0
    assert fast.energy_balance().relative_residual < 1e-10


def test_triple_junction_three_colours():
    tm = _tag(_mesh("triangle", 8), three=True)
    fast, ref = _solve_both(tm, Conductance(60.0), three=True)
    assert fast.num_colours == 3
    assert len(fast.interface_operator().blocks) == 3
    for Tf, Tr in zip(fast.T, ref.T, strict=True):
        err = COMM.allreduce(float(np.max(np.abs(Tf.x.array - Tr.x.array), initial=0)), MPI.MAX)
        assert err <= 1e-10 * 400.0
    assert fast.energy_balance().relative_residual < 1e-10
