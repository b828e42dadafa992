"""The contact spots of a contact map as polygons: pixel staircases or sub-pixel contours.

A spot is a 4-connected union of contact pixels of an n × n contact map (pixel ``[i, j]``
spans ``[i dx, (i + 1) dx] × [j dx, (j + 1) dx]``).  Its polygon is either

* the boundary of its pixels (:func:`pixel_spots`: exact in area — the pixel count times
  dx² —, vertices on the pixel grid; spots touching at a pixel corner are first separated
  by :func:`separate_corners`), or
* a contour through the pixel centres' grid (:func:`contour_spots`, from
  :mod:`fe_interface.geometry.spot_contours`): the edge placed between a contact and a gap
  pixel centre, e.g. by the elastic edge asymptotics.  Conduction through a staircase
  over-estimates conduction through the smooth spot it samples (docs/rough-contact.md).

Pure NumPy (no gmsh).  Lengths in metres.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from fe_interface.geometry.rough import label_periodic
from fe_interface.geometry.spot_contours import (
    EdgeFraction,
    clip_to_box,
    contour_loops,
    polygon_area,
)

__all__ = ["Spot", "contour_spots", "pixel_spots", "separate_corners", "trace_pixels"]


class Spot(NamedTuple):
    """One meshed contact spot.

    A piece of a :class:`~fe_interface.rough.Contact` spot: spots wrapping around the period
    are cut at the sides.

    Attributes:
        area: m^2 within the plane (pixel spots: the pixel count times ``dx**2``).
        centroid: ``(x, y)`` of the spot within the plane (m).
        loops: boundary polygons ``(k, 2)`` (m): the outer loop (counter-clockwise)
            first, then the holes (clockwise); consecutive vertices are joined, the
            last to the first (contour spots: not yet clipped to the plane).
    """

    area: float
    centroid: tuple[float, float]
    loops: list[np.ndarray]


def separate_corners(mask: np.ndarray, gap: np.ndarray) -> tuple[np.ndarray, int]:
    """Fill one gap pixel of every 2 x 2 checkerboard (spots touching at a corner only).

    The gap pixel with the smaller gap joins the contact; one at a time, in row-major
    order (deterministic), until no checkerboard is left.  Returns (mask, fills).
    """
    m = mask.copy()
    filled = 0
    while True:
        a, b, c, d = m[:-1, :-1], m[1:, :-1], m[:-1, 1:], m[1:, 1:]
        diag = a & d & ~b & ~c  # contact at (i, j) and (i+1, j+1)
        anti = b & c & ~a & ~d  # contact at (i+1, j) and (i, j+1)
        bad = np.flatnonzero((diag | anti).ravel())
        if bad.size == 0:
            return m, filled
        i, j = np.unravel_index(bad[0], diag.shape)
        cand = [(i + 1, j), (i, j + 1)] if diag[i, j] else [(i, j), (i + 1, j + 1)]
        m[min(cand, key=lambda p: gap[p])] = True
        filled += 1


_LEFT = {(1, 0): (0, 0), (0, 1): (-1, 0), (-1, 0): (-1, -1), (0, -1): (0, -1)}


def trace_pixels(mask: np.ndarray) -> tuple[np.ndarray, list[tuple[int, np.ndarray]]]:
    """Boundary loops of the contact pixels (no checkerboards), in pixel-corner units.

    Returns the non-periodic 4-connected labels and ``(label, loop)`` pairs; every
    loop has the contact on its left (outer loops counter-clockwise, holes
    clockwise) and no collinear vertices.

    Raises:
        ValueError: two boundary edges start at one vertex (spots touching at a
            corner: the polygons would not be simple).
    """
    nx, ny = mask.shape
    labels = label_periodic(np.pad(mask, ((0, 1), (0, 1))))[:nx, :ny]
    edges = _boundary_edges(mask)
    loops: list[tuple[int, np.ndarray]] = []
    for start in sorted(edges):
        if start not in edges:
            continue
        chain = [start]
        v = edges.pop(start)
        while v != start:
            chain.append(v)
            v = edges.pop(v)
        c = np.array(chain)
        step = np.roll(c, -1, axis=0) - c
        keep = np.any(step != np.roll(step, 1, axis=0), axis=1)  # drop collinear vertices
        d0 = (int(step[0, 0]), int(step[0, 1]))
        off = _LEFT[d0]
        label = int(labels[c[0, 0] + off[0], c[0, 1] + off[1]])
        loops.append((label, c[keep]))
    return labels, loops


def _boundary_edges(mask: np.ndarray) -> dict[tuple[int, int], tuple[int, int]]:
    """The boundary edges of the contact pixels, start vertex -> end vertex (pixel corners).

    Each edge has the contact on its left.

    Raises:
        ValueError: two boundary edges start at one vertex (see :func:`trace_pixels`).
    """
    p = np.pad(mask, 1)  # p[i + 1, j + 1] = mask[i, j]; outside the plane: no contact
    edges: dict[tuple[int, int], tuple[int, int]] = {}

    def add(a, b):
        if a in edges:
            raise ValueError(
                f"spot polygons touch at the pixel corner {a} (they would self-intersect)"
            )
        edges[a] = b

    for i, j in zip(*(k.tolist() for k in np.nonzero(mask)), strict=True):
        if not p[i + 1, j]:
            add((i, j), (i + 1, j))
        if not p[i + 2, j + 1]:
            add((i + 1, j), (i + 1, j + 1))
        if not p[i + 1, j + 2]:
            add((i + 1, j + 1), (i, j + 1))
        if not p[i, j + 1]:
            add((i, j + 1), (i, j))
    return edges


def pixel_spots(mask: np.ndarray, dx: float) -> tuple[list[Spot], list[list[np.ndarray]]]:
    """The spots of a contact mask and their loops (pixel-corner units, outer first)."""
    labels, loops = trace_pixels(mask)
    spots: list[Spot] = []
    spot_loops: list[list[np.ndarray]] = []
    for lab in range(1, int(labels.max()) + 1):
        mine = [lp for k, lp in loops if k == lab]
        areas = [polygon_area(lp) for lp in mine]
        outer = [lp for lp, a in zip(mine, areas, strict=True) if a > 0]
        if len(outer) != 1 or any(a == 0 for a in areas):
            raise RuntimeError(f"internal error: spot {lab} has {len(outer)} outer loops")
        holes = [lp for lp, a in zip(mine, areas, strict=True) if a < 0]
        ii, jj = np.nonzero(labels == lab)
        if not np.isclose(sum(areas), ii.size):
            raise RuntimeError(f"internal error: spot {lab} polygon area != pixel count")
        spot_loops.append([outer[0], *holes])
        spots.append(
            Spot(
                float(ii.size * dx * dx),
                (float((ii.mean() + 0.5) * dx), float((jj.mean() + 0.5) * dx)),
                [lp * dx for lp in spot_loops[-1]],
            )
        )
    return spots, spot_loops


def _inside(point: np.ndarray, loop: np.ndarray) -> bool:
    """Whether ``point`` lies inside the closed polygon ``loop`` (ray casting)."""
    x, y = loop[:, 0], loop[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = (y > point[1]) != (y1 > point[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = x + (point[1] - y) * (x1 - x) / (y1 - y)
    return bool(np.count_nonzero(cross & (xs > point[0])) % 2)


def contour_spots(
    mask: np.ndarray, dx: float, fraction: EdgeFraction | None = None
) -> tuple[list[Spot], list[list[np.ndarray]]]:
    """The spots of a contact mask as sub-pixel contours, and their loops (pixel units).

    The loops (:func:`~fe_interface.geometry.spot_contours.contour_loops`, outer loop first,
    then its holes) reach half a pixel beyond the plane ``[0, nx] × [0, ny]``: clip them
    (the mesher intersects the faces with the plane).  The spots' areas and centroids are
    those of the clipped polygons.  ``fraction``: where the edge lies between a contact and
    a gap pixel centre; None: halfway.
    """
    shape = np.shape(mask)
    box = (float(shape[0]), float(shape[1]))
    loops = contour_loops(mask, fraction)
    outer = [lp for lp in loops if polygon_area(lp) > 0]
    holes = [lp for lp in loops if polygon_area(lp) < 0]
    groups: list[list[np.ndarray]] = [[lp] for lp in outer]
    for h in holes:
        # the smallest outer loop around the hole's first vertex
        owners = [g for g in groups if _inside(h[0], g[0])]
        if not owners:
            raise RuntimeError("internal error: a contour hole outside every spot")
        min(owners, key=lambda g: polygon_area(g[0])).append(h)
    spots: list[Spot] = []
    kept: list[list[np.ndarray]] = []
    for g in groups:
        clipped = [clip_to_box(lp, box) for lp in g]
        parts = [(polygon_area(c), _centroid(c)) for c in clipped if c.shape[0] >= 3]
        area = sum(a for a, _ in parts)
        if area <= 0.0:
            continue  # a contour of the mirror images only
        cx = sum(a * c[0] for a, c in parts) / area
        cy = sum(a * c[1] for a, c in parts) / area
        spots.append(Spot(float(area * dx * dx), (float(cx * dx), float(cy * dx)),
                          [lp * dx for lp in g]))  # fmt: skip
        kept.append(g)
    return spots, kept


def _centroid(loop: np.ndarray) -> tuple[float, float]:
    """Centroid of a closed polygon (its units); the vertex mean if it has no area."""
    x, y = loop[:, 0], loop[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    c = x * y1 - x1 * y
    a = 0.5 * float(c.sum())
    if a == 0.0:
        return float(x.mean()), float(y.mean())
    return float(((x + x1) * c).sum() / (6 * a)), float(((y + y1) * c).sum() / (6 * a))
