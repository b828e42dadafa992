"""DOLFINx cell types in meshio/VTK files: type names, vertex order, facet types.

The one table of each for the field writers (:mod:`fe_interface.io.fields`,
:mod:`fe_interface.io.mechanics`).
"""

from __future__ import annotations

import numpy as np
from dolfinx.mesh import CellType

__all__ = ["FACET_TYPE", "MESHIO_CELL_TYPE", "VTK_ORDER", "vtk_cells"]

#: cell type -> meshio cell type
MESHIO_CELL_TYPE = {
    CellType.interval: "line",
    CellType.triangle: "triangle",
    CellType.quadrilateral: "quad",
    CellType.tetrahedron: "tetra",
    CellType.hexahedron: "hexahedron",
}
#: DOLFINx (tensor-product) vertex order -> VTK order
VTK_ORDER = {
    CellType.quadrilateral: [0, 1, 3, 2],
    CellType.hexahedron: [0, 1, 3, 2, 4, 5, 7, 6],
}
#: cell type -> meshio type of its facets
FACET_TYPE = {
    CellType.interval: "vertex",
    CellType.triangle: "line",
    CellType.quadrilateral: "line",
    CellType.tetrahedron: "triangle",
    CellType.hexahedron: "quad",
}


def vtk_cells(cells: np.ndarray, cell_type: CellType) -> np.ndarray:
    """Cell-vertex connectivity (one row per cell) in VTK's vertex order."""
    order = VTK_ORDER.get(cell_type)
    return cells if order is None else cells[:, order]
