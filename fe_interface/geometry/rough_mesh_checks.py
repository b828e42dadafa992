"""Checks shared by the resolved rough-contact meshers (2D profiles, 3D height maps).

Pure Python/NumPy: every parameter is checked, raising :class:`ValueError`, before gmsh
or DOLFINx is called.  Lengths in metres.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fe_interface.geometry.rough import Contact, RoughSurface, contact, positive

__all__ = ["check_surface", "check_thickness", "sampled_contact"]


def check_surface(surface: Any, dim: int) -> RoughSurface:
    """``surface`` as a finite, non-flat :class:`RoughSurface` of ``dim`` dimensions (1, 2)."""
    if not isinstance(surface, RoughSurface):
        raise ValueError(f"surface must be a RoughSurface, got {type(surface).__name__}")
    if surface.z.ndim != dim:
        kind = "a 1D profile" if dim == 1 else "a 2D height map"
        raise ValueError(f"surface must be {kind}, got z.ndim = {surface.z.ndim}")
    if not np.all(np.isfinite(surface.z)):
        raise ValueError("surface heights must be finite")
    positive(surface.dx, "surface.dx")
    if surface.rms() <= 0.0:
        raise ValueError("surface RMS roughness sigma must be > 0 (the surface is flat)")
    return surface


def check_thickness(thickness: Any) -> tuple[float, float]:
    """The (lower, upper) block thicknesses (m), both > 0."""
    try:
        lo, up = thickness
    except (TypeError, ValueError):
        raise ValueError(
            f"thickness must be a (lower, upper) pair of lengths, got {thickness!r}"
        ) from None
    return positive(lo, "thickness (lower)"), positive(up, "thickness (upper)")


def sampled_contact(
    surface: RoughSurface, separation: Any, pressure: Any, hardness: Any
) -> Contact:
    """The contact, with 'no spot' and 'all contact' rejected."""
    c = contact(surface, separation, pressure=pressure, hardness=hardness)
    if c.area_fraction <= 0.0:
        raise ValueError(
            f"no contact: the surface never rises above the separation Y = {c.separation:g} m "
            f"(max height {surface.z.max():g} m); decrease the separation or raise the load"
        )
    if c.area_fraction >= 1.0:
        raise ValueError(
            f"the whole nominal area is in contact at Y = {c.separation:g} m (more contact than "
            "area): increase the separation or lower the load"
        )
    return c


# --------------------------------------------------------------------------------------
# 2D: resolved profile
# --------------------------------------------------------------------------------------
