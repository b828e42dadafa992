"""The ``[geometry] cad = "assembly.step"`` form of a case: a CAD assembly as the mesh.

Keys of ``[geometry]`` with ``cad`` (see ``docs/case-format.md``)::

    [geometry]
    cad = "assembly.step"                   # or a list of files; relative to the case file
    parts = ["die", "lid", "heat_sink"]     # optional: part names in file order
    mesh_size = 1.0e-3                      # optional: largest cell size, m
    order = 1                               # optional: geometry order 1 or 2
    unit = 1.0e-3                           # BREP only: m per file unit (default 1)

The regions are the parts (``[materials.die]``), the contacts the interfaces
``"die/lid"`` (``[interfaces."die/lid"]``; contacts no interface names are in perfect
contact), the free faces of each part the boundary ``"<part>_outer"``
(:mod:`fe_interface.geometry.assembly`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fe_interface.case.checker import CaseError, Checker

__all__ = ["CAD_KEYS", "CadSpec", "read_cad"]

#: keys of [geometry] that belong to the cad form
CAD_KEYS = ("cad", "parts", "mesh_size", "order", "unit")


@dataclass(frozen=True)
class CadSpec:
    """A checked ``cad`` geometry (paths absolute)."""

    files: tuple[Path, ...]
    parts: tuple[str, ...] | None = None
    mesh_size: float | None = None
    order: int = 1
    unit: float | None = None

    def build(self, comm: Any, source: str | None = None) -> Any:
        """The :class:`~fe_interface.geometry.assembly.Assembly` (collective).

        Raises:
            CaseError: at ``geometry.cad``, with the reader's message.
        """
        from fe_interface.errors import MeshError
        from fe_interface.geometry.assembly import cad_assembly

        try:
            return cad_assembly(
                list(self.files), self.parts, self.mesh_size, self.order, comm, unit=self.unit
            )
        except MeshError as e:
            raise CaseError([("geometry.cad", str(e))], source) from None


def read_cad(c: Checker, g: dict[str, Any], base_dir: Path) -> CadSpec | None:
    """The :class:`CadSpec` of a ``[geometry]`` table with ``cad`` (errors recorded in ``c``)."""
    from fe_interface.geometry.assembly import CAD_SUFFIXES

    n0 = len(c.errors)
    raw = g.get("cad")
    names = raw if isinstance(raw, list) else [raw]
    if not names or not all(isinstance(x, str) and x for x in names):
        c.error("geometry.cad", f"must be a file name or a list of file names, got {raw!r}")
        return None
    files = []
    for x in names:
        p = base_dir / str(x)
        if p.suffix.lower() not in CAD_SUFFIXES:
            c.error("geometry.cad", f"{x!r}: not a CAD file (suffixes: {', '.join(CAD_SUFFIXES)})")
        elif not p.is_file():
            c.error("geometry.cad", f"file not found: {p}")
        files.append(p)
    parts = g.get("parts")
    if parts is not None and (
        not isinstance(parts, list) or not all(isinstance(x, str) and x for x in parts)
    ):
        c.error("geometry.parts", f"must be a list of part names, got {parts!r}")
    mesh_size = c.number(g, "mesh_size", "geometry", gt=0)
    order = c.integer(g, "order", "geometry", choices=(1, 2), default=1)
    unit = c.number(g, "unit", "geometry", gt=0)
    if unit is not None and all(CAD_SUFFIXES.get(p.suffix.lower(), True) for p in files):
        c.error("geometry.unit", "only for BREP files (STEP and IGES files declare their unit)")
    if len(c.errors) > n0:
        return None
    return CadSpec(
        tuple(files),
        tuple(parts) if parts is not None else None,
        mesh_size,
        int(order) if order is not None else 1,
        unit,
    )
