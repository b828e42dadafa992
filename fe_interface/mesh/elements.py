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


def _rows_in(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each row of ``a``: whether ``b`` has a row with the same entries (in any order)."""
    both = np.sort(np.concatenate([a, b]), axis=1)
    from_b = np.r_[np.zeros(len(a), dtype=bool), np.ones(len(b), dtype=bool)]
    order = np.lexsort(both.T[::-1])
    s = both[order]
    start = np.r_[True, np.any(s[1:] != s[:-1], axis=1)]  # runs of equal rows
    run = np.cumsum(start) - 1
    has_b = np.zeros(int(run[-1]) + 1 if len(run) else 0, dtype=bool)
    np.logical_or.at(has_b, run, from_b[order])
    out = np.empty(len(both), dtype=bool)
    out[order] = has_b[run]
    return out[: len(a)]


def _outside(model, facet_sets: list[tuple[str, np.ndarray]], in_cell: np.ndarray) -> str | None:
    """The first facet group with nodes in no cell."""
    for name, f in facet_sets:
        outside = ~in_cell[f]
        if outside.any():
            node = int(f[outside][0])
            x = [round(float(c), 12) for c in model.mesh.getNode(node)[0]]
            return (
                f"facet group {name!r}: {int(outside.any(axis=1).sum())} of its {len(f)} "
                f"elements have nodes in no cell (e.g. node {node} at x = {x}): a facet group "
                "must lie on faces of the mesh's cells (a curve or surface meshed apart from "
                "the cells?)"
            )
    return None


def _no_face(
    facet_sets: list[tuple[str, np.ndarray]], cells: np.ndarray, faces: list[tuple[int, ...]],
    size: int,
) -> str | None:  # fmt: skip
    """The first facet group with elements that are no face of any cell."""
    nv = len(faces[0])
    sets = [(name, f) for name, f in facet_sets if f.shape[1] == nv]
    if not sets:
        return None
    marked = np.zeros(size, dtype=bool)
    marked[np.concatenate([f for _, f in sets])] = True
    near = cells[marked[cells].any(axis=1)]  # the cells that may own these faces
    own = near[:, faces].reshape(-1, nv)
    own = own[marked[own].all(axis=1)]  # faces with a node off every group match none
    found = _rows_in(np.concatenate([f for _, f in sets]), own)
    ends = np.cumsum([len(f) for _, f in sets])
    for (name, f), end in zip(sets, ends, strict=True):
        loose = ~found[end - len(f) : end]
        if loose.any():
            return (
                f"facet group {name!r}: {int(loose.sum())} of its {len(f)} elements are no "
                f"face of any cell (e.g. the element with nodes {f[loose][0].tolist()}): a "
                "facet group must lie on faces of the mesh's cells"
            )
    return None


def check_elements(model, dim: int) -> str | None:
    """Every physical group holds elements; every facet element is a face of a cell.

    DOLFINx fails on these without saying which group (an ``AssertionError``, or an
    ``MPI_Abort`` with "Invalid rank" for facet nodes outside every cell).  Every cell is
    in a group (checked before), so the cell groups hold all cells.
    """
    groups: dict[int, list[tuple[str, np.ndarray]]] = {dim: [], dim - 1: []}
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
            groups[d] += [(name, r) for r in rows]
    widths = {r.shape[1] for _, r in groups[dim]}
    if len(widths) != 1 or not groups[dim - 1]:  # mixed cell types: reported before
        return None
    cells = np.concatenate([r for _, r in groups[dim]])
    size = 1 + max(int(r.max(initial=0)) for _, r in groups[dim] + groups[dim - 1])
    in_cell = np.zeros(size, dtype=bool)
    in_cell[cells] = True
    problem = _outside(model, groups[dim - 1], in_cell)
    faces = (_CELL_FACES if dim == 2 else _CELL_FACES_3D).get(cells.shape[1])
    if problem is None and faces is not None:
        problem = _no_face(groups[dim - 1], cells, faces, size)
    return problem
