"""Meshes with region (cell) and boundary/interface (facet) tags: :class:`TaggedMesh`.

Three ways in: :func:`from_gmsh_model` (a gmsh model with physical groups),
:func:`read_msh` (a ``.msh`` file) and :func:`tag_mesh` (a DOLFINx mesh tagged by
Python markers).  Lengths are in metres.
"""

from fe_interface.errors import MeshError
from fe_interface.mesh.tagged import (
    TaggedMesh,
    check_tagged,
    from_gmsh_model,
    ghosted_partitioner,
    material_contact_facets,
    read_msh,
    tag_mesh,
)

__all__ = [
    "MeshError",
    "TaggedMesh",
    "check_tagged",
    "from_gmsh_model",
    "ghosted_partitioner",
    "material_contact_facets",
    "read_msh",
    "tag_mesh",
]
