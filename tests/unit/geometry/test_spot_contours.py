"""Sub-pixel contours of a contact map (geometry/spot_contours.py, spot_polygons.py)."""

import math

import numpy as np
import pytest

from fe_interface.geometry.rough import RoughSurface
from fe_interface.geometry.spot_contours import (
    clip_to_box,
    contour_loops,
    elastic_edge_fractions,
    polygon_area,
)
from fe_interface.geometry.spot_polygons import contour_spots
from fe_interface.model.rough_contact import HalfSpaceContact


def clipped_area(loops, shape):
    return sum(polygon_area(clip_to_box(lp, shape)) for lp in loops)


def test_single_pixel_is_a_diamond_and_saddles_stay_apart():
    m = np.zeros((6, 6), bool)
    m[2, 3] = True
    (loop,) = contour_loops(m)
    assert polygon_area(loop) == pytest.approx(0.5)  # halfway: a diamond through the midpoints
    assert np.allclose(loop.mean(axis=0), [2.5, 3.5])
    m[3, 4] = True  # touching at a corner only: two spots (4-connected), each counter-clockwise
    loops = contour_loops(m)
    assert len(loops) == 2 and all(polygon_area(lp) == pytest.approx(0.5) for lp in loops)


@pytest.mark.parametrize("theta", [0.5, 0.3])
def test_straight_edge_at_the_fraction_and_mirror_sides(theta):
    """Columns j < 5 in contact on an 8 x 10 map: the edge is the line y = 4.5 + theta."""
    m = np.zeros((8, 10), bool)
    m[:, :5] = True
    loops = contour_loops(m, lambda a, b: np.full(len(a), theta))
    # the mirror images meet the sides at right angles: the clipped area is exact
    assert clipped_area(loops, (8, 10)) == pytest.approx(8 * (4.5 + theta), rel=1e-12)
    spots, _ = contour_spots(m, 2.0, lambda a, b: np.full(len(a), theta))
    assert len(spots) == 1 and spots[0].area == pytest.approx(4 * 8 * (4.5 + theta))
    assert spots[0].centroid == pytest.approx((8.0, (4.5 + theta)))


def test_a_spot_with_a_hole_keeps_it():
    m = np.zeros((9, 9), bool)
    m[1:7, 1:7] = True
    m[3:5, 3:5] = False
    spots, loops = contour_spots(m, 1.0)
    assert len(spots) == 1 and len(loops[0]) == 2  # outer loop + hole
    assert polygon_area(loops[0][0]) > 0 > polygon_area(loops[0][1])
    assert spots[0].area == pytest.approx(polygon_area(loops[0][0]) + polygon_area(loops[0][1]))


def test_elastic_edge_of_hertz_contact():
    """The Hertz contact radius from the contour: within 0.5 % at 8 px (pixel count: +3 %)."""
    E, L, R, F, n = 1e9, 1e-3, 0.05, 0.05, 64
    a = (3 * F * R / (4 * E)) ** (1 / 3)
    dx = L / n
    x = (np.arange(n) + 0.5) * dx - L / 2
    X, Y = np.meshgrid(x, x, indexing="ij")
    s = RoughSurface(-(X**2 + Y**2) / (2 * R), dx, periodic=True)
    st = HalfSpaceContact(s, E, tolerance=1e-12).solve(F / L**2)
    assert 7 < a / dx < 9
    loops = contour_loops(st.contact, elastic_edge_fractions(st.pressure, st.gap, E, dx))
    a_contour = math.sqrt(clipped_area(loops, (n, n)) / math.pi) * dx
    a_pixels = math.sqrt(st.contact.sum() / math.pi) * dx
    assert abs(a_contour / a - 1) < 0.005  # measured -0.0011
    assert a_pixels / a - 1 > 0.02  # measured +0.031
    # the fractions themselves: inside (0, 1), the closed form at its own root
    f = elastic_edge_fractions(np.array([[2e6, 0.0]]), np.array([[0.0, 1e-9]]), 1e9, 1e-6)
    t = f(np.array([[0, 0]]), np.array([[0, 1]]))[0]
    assert 0 < t < 1
    assert (1 - t) ** 1.5 / t**0.5 == pytest.approx(3 * 1e9 * 1e-9 / (4 * 2e6 * 1e-6), rel=1e-9)


def test_unknown_spot_edges_is_one_clear_error():
    from fe_interface.geometry.rough_mesh_3d import rough_contact_3d

    z = np.zeros((8, 8))
    z[3, 3] = 1e-6
    m = z > 0
    with pytest.raises(ValueError, match="spot_edges must be 'pixels', 'contours'"):
        rough_contact_3d(RoughSurface(z, 1e-6), contact_map=m, spot_edges="smooth")
