"""Elements of a gmsh model that DOLFINx cannot turn into tags, found before it tries.

A physical group without elements (DOLFINx: an ``AssertionError``), a facet group whose
nodes are in no cell (an ``MPI_Abort`` with "Invalid rank"), a facet element that is no
face of any cell (silently dropped).  Used by
:func:`fe_interface.mesh.tagged.inspect_gmsh_model` on the rank that holds the model.
"""

from __future__ import annotations

import numpy as np

__all__ = ["check_elements"]


#: the faces of a cell by its primary (corner) nodes, in gmsh's node order
_CELL_FACES: dict[int, list[tuple[int, ...]]] = {
    3: [(0, 1), (1, 2), (2, 0)],
    4: [(0, 1), (1, 2), (2, 3), (3, 0)],
}
_CELL_FACES_3D: dict[int, list[tuple[int, ...]]] = {
    4: [(0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)],
    8: [(0, 1, 2, 3), (4, 5, 6, 7), (0, 1, 5, 4), (1, 2, 6, 5), (2, 3, 7, 6), (3, 0, 4, 7)],
}


def _corners(model, d: int, entities: list[int] | None = None) -> list[np.ndarray]:
    """Per element type of dimension ``d``: the corner node tags, one row per element."""
    out = []
    for e in entities if entities is not None else [-1]:
        types, _, nodes = model.mesh.getElements(d, e)
        for t, n in zip(types, nodes, strict=True):
            _, _, _, num, _, primary = model.mesh.getElementProperties(t)
            out.append(np.asarray(n, dtype=np.int64).reshape(-1, num)[:, :primary])
    return out


def _rows(a: np.ndarray) -> np.ndarray:
    """Each row of an integer array as one comparable item (sorted: order-free)."""
    a = np.ascontiguousarray(np.sort(a, axis=1))
    return a.view(np.dtype((np.void, a.dtype.itemsize * a.shape[1]))).ravel()


def _facet_problem(model, dim: int, name: str, facets: np.ndarray, cells: np.ndarray) -> str | None:
    """Facet elements of group ``name`` whose nodes are in no cell, or that are no cell's face."""
    outside = ~np.isin(facets, cells)
    if outside.any():
        node = int(facets[outside][0])
        x = [round(float(c), 12) for c in model.mesh.getNode(node)[0]]
        return (
            f"facet group {name!r}: {int(outside.any(axis=1).sum())} of its {len(facets)} "
            f"elements have nodes in no cell (e.g. node {node} at x = {x}): a facet group must "
            "lie on faces of the mesh's cells (a curve or surface meshed apart from the cells?)"
        )
    faces = (_CELL_FACES if dim == 2 else _CELL_FACES_3D).get(cells.shape[1])
    if faces is None or facets.shape[1] != len(faces[0]):
        return None
    near = cells[np.isin(cells, facets).any(axis=1)]  # the cells that may own these faces
    own = _rows(near[:, faces].reshape(-1, len(faces[0])))
    loose = ~np.isin(_rows(facets), own)
    if loose.any():
        return (
            f"facet group {name!r}: {int(loose.sum())} of its {len(facets)} elements are no "
            f"face of any cell (e.g. the element with nodes {facets[loose][0].tolist()}): a "
            "facet group must lie on faces of the mesh's cells"
        )
    return None


def check_elements(model, dim: int) -> str | None:
    """Every physical group holds elements; every facet element is a face of a cell.

    DOLFINx fails on these without saying which group (an ``AssertionError``, or an
    ``MPI_Abort`` with "Invalid rank" for facet nodes outside every cell).
    """
    groups: dict[int, list[tuple[str, list[np.ndarray]]]] = {dim: [], dim - 1: []}
    for d in (dim, dim - 1):
        what = "cells" if d == dim else "facets"
        for _, t in model.getPhysicalGroups(d):
            name = model.getPhysicalName(d, t) or str(t)
            rows = _corners(model, d, [int(e) for e in model.getEntitiesForPhysicalGroup(d, t)])
            if sum(len(r) for r in rows) == 0:
                return (
                    f"physical group {name!r} (dimension {d}) holds no {what}: mesh its "
                    "entities or remove the group"
                )
            groups[d].append((name, rows))
    cell_rows = _corners(model, dim)
    if len(cell_rows) != 1:  # mixed cell types: reported by _check_cells
        return None
    for name, rows in groups[dim - 1]:
        for facets in rows:
            problem = _facet_problem(model, dim, name, facets, cell_rows[0])
            if problem is not None:
                return problem
    return None
