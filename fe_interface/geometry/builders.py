"""Geometry builders: gmsh models with named materials, boundaries and interfaces.

Every builder checks its parameters (raising :class:`ValueError` naming the
parameter *before* gmsh is called), builds an OpenCASCADE model on rank 0 of
``comm`` only, glues the regions with ``fragment`` so that every interface is one
conforming curve/surface shared by the two regions, meshes it (geometry order 1
or 2: order 2 gives curved second-order cells whose high-order nodes lie on the
CAD geometry) and returns a :class:`fe_interface.mesh.TaggedMesh` distributed
over ``comm`` with shared-facet ghosting.

Every material region is a physical group of cells, every outer boundary part and
every interface a physical group of facets.  An *interface* group contains only
internal facets (two cells, one on each side, with different cell tags): integrate
over it with ``dS``; boundaries with ``ds``.  Each facet belongs to at most one
group.  All lengths are in metres.  Since OpenCASCADE's tolerances are absolute
(about 1e-7 model units), a model whose smallest feature is below 5 um (thin films,
superlattices) is built and meshed in a power-of-ten unit that makes that feature
O(1), and the mesh (and the ``.msh`` file) is scaled back to metres: builders work
at any length scale, and models of 5 um .. 10 km features are meshed unscaled.

gmsh is initialised (quiet: ``General.Terminal = 0``) and finalised inside each
builder unless the caller already initialised it, in which case a temporary model
is added and removed.

The builders live by family (:mod:`~fe_interface.geometry.concentric`,
:mod:`~fe_interface.geometry.layered`, :mod:`~fe_interface.geometry.package`) on the gmsh
session of :mod:`~fe_interface.geometry.gmsh_build`; this module gathers them.
"""

from fe_interface.geometry.concentric import concentric_cylinders, concentric_spheres
from fe_interface.geometry.gmsh_build import (
    add_groups,
    background_min,
    build_model,
    length_scale,
    mesh_options,
)
from fe_interface.geometry.layered import flux_tube, layered_stack
from fe_interface.geometry.package import electronics_package

__all__ = [
    "add_groups",
    "background_min",
    "build_model",
    "concentric_cylinders",
    "concentric_spheres",
    "electronics_package",
    "flux_tube",
    "layered_stack",
    "length_scale",
    "mesh_options",
]
