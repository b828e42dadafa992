"""Geometry: gmsh builders of tagged meshes and rough contact surfaces.

* :mod:`~fe_interface.geometry.builders` — layered stacks, concentric cylinders and
  spheres, flux tubes, an electronics package;
* :mod:`~fe_interface.geometry.rough` — Gaussian and fractal rough surfaces, contact spots;
* :mod:`~fe_interface.geometry.rough_mesh` — meshes of two rough bodies in contact;
* :mod:`~fe_interface.geometry.topography` — self-affine surfaces, measured height maps,
  statistics and power spectra.

Every builder returns a :class:`~fe_interface.mesh.TaggedMesh` in metres.
"""

from fe_interface.geometry.builders import (
    concentric_cylinders,
    concentric_spheres,
    electronics_package,
    flux_tube,
    layered_stack,
)
from fe_interface.geometry.rough import (
    Contact,
    RoughSurface,
    combined,
    contact,
    fractal_surface,
    gaussian_area_fraction,
    gaussian_separation,
    gaussian_surface,
)
from fe_interface.geometry.rough_mesh import (
    GROUPS_3D,
    RoughContact2D,
    RoughContact3D,
    Spot,
    check_groups,
    rough_contact_2d,
    rough_contact_3d,
)
from fe_interface.geometry.topography import (
    SurfaceStatistics,
    mirror_periodic,
    power_spectrum,
    read_topography,
    self_affine_surface,
    surface_statistics,
)

__all__ = [
    "GROUPS_3D",
    "Contact",
    "RoughContact2D",
    "RoughContact3D",
    "RoughSurface",
    "Spot",
    "SurfaceStatistics",
    "check_groups",
    "combined",
    "concentric_cylinders",
    "concentric_spheres",
    "contact",
    "electronics_package",
    "flux_tube",
    "fractal_surface",
    "gaussian_area_fraction",
    "gaussian_separation",
    "gaussian_surface",
    "layered_stack",
    "mirror_periodic",
    "power_spectrum",
    "read_topography",
    "rough_contact_2d",
    "rough_contact_3d",
    "self_affine_surface",
    "surface_statistics",
]
