"""The NumPy geometry of non-matching pairs (fe_interface.discretisation.pair_geometry),
and joining separately meshed parts (fe_interface.mesh.parts)."""

from mpi4py import MPI

import numpy as np
import pytest
from dolfinx import mesh as dmesh
from helpers.parts import block

from fe_interface.discretisation.pair_geometry import (
    ReferenceCell,
    clamp_to_reference,
    clip_to_reference,
    project_along,
    project_along_field,
    project_closest,
    segment_rule,
)
from fe_interface.errors import MeshError
from fe_interface.mesh.parts import join_parts

TET = ReferenceCell("tetrahedron", 1, 0, 3)
HEX = ReferenceCell("hexahedron", 1, 0, 3)
TRI = ReferenceCell("triangle", 1, 0, 2)


def test_clip_triangle_and_square():
    # a big triangle covering the reference triangle: the reference triangle (area 1/2)
    poly = np.array([[[-1.0, -1.0], [3.0, -1.0], [-1.0, 3.0]]])
    out, n = clip_to_reference(TET, poly, np.array([3]))
    _, _, w = segment_rule(TET, out, n, 2)
    assert w.sum() == pytest.approx(0.5, rel=1e-14)
    # the unit square shifted by (0.5, 0.5): a quarter of the reference square remains
    sq = np.array([[[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5]]])
    out, n = clip_to_reference(HEX, sq, np.array([4]))
    _, _, w = segment_rule(HEX, out, n, 2)
    assert w.sum() == pytest.approx(0.25, rel=1e-14)
    # outside: nothing
    far = sq + 3.0
    out, n = clip_to_reference(HEX, far, np.array([4]))
    assert segment_rule(HEX, out, n, 2)[2].size == 0


def test_segment_rule_is_exact_for_polynomials():
    poly = np.array([[[0.1, 0.2], [0.9, -0.3], [0.7, 0.9], [0.0, 0.6]]])
    out, n = clip_to_reference(HEX, poly, np.array([4]))
    _, xi, w = segment_rule(HEX, out, n, 4)
    # ∫ x² y over the clipped polygon, against Green's theorem: ∮ (x³ y / 3) dy
    poly_c = out[0, : n[0]]
    g, gw = np.polynomial.legendre.leggauss(4)
    ref = 0.0
    for a, b in zip(poly_c, np.roll(poly_c, -1, axis=0), strict=True):
        t = 0.5 * (g + 1)
        x, y = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
        ref += np.sum(0.5 * gw * x**3 * y / 3) * (b[1] - a[1])
    assert np.sum(w * xi[:, 0] ** 2 * xi[:, 1]) == pytest.approx(abs(ref), rel=1e-13)
    assert np.sum(w) == pytest.approx(_area(out[0, : n[0]]), rel=1e-13)


def _area(p):
    x, y = p[:, 0], p[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def test_projections_on_a_flat_facet():
    # the triangle's facet 2 (vertices 0, 1) on the x axis from (0,0) to (2,0)
    coords = np.array([[[0.0, 0.0], [2.0, 0.0], [0.0, 1.0]]])
    lf = np.array([2])
    xi, ok = project_closest(TRI, coords, lf, np.array([[1.5, 0.7]]))
    assert ok[0] and xi[0, 0] == pytest.approx(0.75, abs=1e-14)
    xi, t, ok = project_along(TRI, coords, lf, np.array([[0.5, 1.0]]), np.array([[1.0, -1.0]]))
    assert ok[0] and xi[0, 0] == pytest.approx(0.75, abs=1e-14) and t[0] == pytest.approx(1.0)
    normals = np.array([[[0.0, -1.0], [0.0, -1.0]]])  # the facet's outward normal at both ends
    xi, t, ok = project_along_field(TRI, coords, lf, np.array([[1.0, -0.4]]), normals)
    assert ok[0] and xi[0, 0] == pytest.approx(0.5, abs=1e-14) and t[0] == pytest.approx(0.4)
    assert clamp_to_reference(TET, np.array([[0.8, 0.8]])).sum() == pytest.approx(1.0)


def test_frame_and_cell_size():
    coords = np.array([[[0.0, 0.0], [2.0, 0.0], [0.0, 1.0]]])
    fr = TRI.frame(coords, np.array([2]), np.array([[0.25]]))
    assert np.allclose(fr.x, [[0.5, 0.0]]) and np.allclose(fr.n, [[0.0, -1.0]])
    assert fr.dA[0] == pytest.approx(2.0)
    assert TRI.cell_size(coords, np.array([2]))[0] == pytest.approx(1.0 / 2.0)  # |K|/|F|


def test_join_parts_keeps_parts_apart_and_merges_names():
    comm = MPI.COMM_WORLD
    parts = None
    if comm.rank == 0:
        a = block(0.0, [2, 2], "triangle", "a", "a_right")
        b = block(1.0, [3, 3], "triangle", "a", "b_left")  # the same region name: one region
        parts = [a, b]
    t = join_parts(parts, comm)
    assert t.cell_names == {"a": 1}
    assert set(t.facet_names) == {"a_right", "a_outer", "b_left"}
    n = t.mesh.topology.index_map(0).size_global
    assert n == 9 + 16  # no node shared across parts
    assert t.mesh.topology.index_map(2).size_global == 8 + 18


def test_join_parts_errors():
    parts = None
    if MPI.COMM_WORLD.rank == 0:
        m = dmesh.create_unit_square(MPI.COMM_SELF, 1, 1, dmesh.CellType.quadrilateral)
        tri = block(0.0, [1, 1], "triangle", "a", "a_right")
        from fe_interface.mesh import TaggedMesh

        parts = [tri, TaggedMesh(m, tri.cell_tags, tri.facet_tags, {"q": 1}, {})]
    with pytest.raises(MeshError, match="part 1: cell type"):
        join_parts(parts)
    with pytest.raises(MeshError, match="no parts"):
        join_parts([] if MPI.COMM_WORLD.rank == 0 else None)


@pytest.mark.parametrize(
    ("cell", "d"), [("triangle", 2), ("quadrilateral", 2), ("tetrahedron", 3), ("hexahedron", 3)]
)
def test_closed_form_p1_equals_basix(cell, d):
    r = ReferenceCell(cell, 1, 0, d)
    X = np.random.default_rng(1).random((9, d)) * (0.5 if r.simplex else 1.0)
    assert np.abs(r.p1(X) - r.coord.tabulate(1, X)[..., 0]).max() < 1e-14


def test_rectangles_get_a_tensor_rule():
    rect = np.array([[[0.2, 0.1], [0.7, 0.1], [0.7, 0.9], [0.2, 0.9]]])
    _, xi, w = segment_rule(HEX, rect, np.array([4]), 4, 2)
    assert len(w) == 4  # 2 x 2 Gauss points, exact for degree 2 in each variable
    assert np.sum(w * xi[:, 0] ** 2 * xi[:, 1] ** 2) == pytest.approx(
        (0.7**3 - 0.2**3) / 3 * (0.9**3 - 0.1**3) / 3, rel=1e-14
    )
