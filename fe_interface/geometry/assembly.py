"""CAD assemblies: parts read from STEP/BREP files, glued where they touch, meshed together.

:func:`cad_assembly` reads one or several CAD files with gmsh's OpenCASCADE kernel
(STEP and IGES are converted to metres from the unit the file declares; a BREP file has
no unit: ``unit`` gives it, m per file unit), names every solid a *part*, and ``fragment`` s the parts: faces where two parts touch become one shared face,
so the parts are meshed conformingly and each contact is an interface of the mesh
(solids only: an assembly is three-dimensional).
Every contact is named ``"<part a>/<part b>"`` (parts in file order) with its area; the
faces of a part that touch no other part are the facet group ``"<part>_outer"``.

Part names: the ``names`` given (one per part, in file order), else the labels the
file carries (STEP product names, last component, made identifier-like) when they are
unique and not the generic ``"Open CASCADE STEP translator ..."`` names, else the file
stem (one part per file) or ``"part1"``, ``"part2"``, ...

Errors (:class:`~fe_interface.errors.MeshError`, naming the file): a file that cannot
be read, no solids, two parts that overlap (fragment makes a piece that belongs to both:
its volume is reported), several parts none of which touches another ("no touching
faces": place them in contact, or mesh them separately and couple them with
non-matching interface pairs, :mod:`fe_interface.model.pairs`).

Units: lengths in m, areas in m², volumes in m³.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from mpi4py import MPI

from fe_interface.errors import MeshError
from fe_interface.geometry.gmsh_build import add_groups, build_model, generate, mesh_options
from fe_interface.mesh import TaggedMesh

__all__ = ["CAD_SUFFIXES", "Assembly", "Contact", "cad_assembly", "part_names"]

#: file suffix -> whether the file declares its length unit
CAD_SUFFIXES = {".step": True, ".stp": True, ".iges": True, ".igs": True, ".brep": False}


class Contact(NamedTuple):
    """Two parts that touch.

    Attributes:
        name: the facet group (interface) ``"<part a>/<part b>"``.
        parts: (part a, part b), in file order.
        area_m2: contact area, m².
    """

    name: str
    parts: tuple[str, str]
    area_m2: float


class Assembly(NamedTuple):
    """A meshed CAD assembly.

    Attributes:
        tagged: the mesh: one region per part, the contacts as interfaces, each part's
            free faces as ``"<part>_outer"``.
        parts: part names in file order.
        contacts: the contacts found.
    """

    tagged: TaggedMesh
    parts: tuple[str, ...]
    contacts: tuple[Contact, ...]


def _identifier(label: str) -> str:
    """A STEP label made a name: its last path component, [A-Za-z0-9_-] only."""
    last = label.rsplit("/", 1)[-1].strip()
    return re.sub(r"[^A-Za-z0-9_-]+", "_", last).strip("_")


def part_names(
    labels: Sequence[str], files: Sequence[str], names: Sequence[str] | None
) -> list[str]:
    """One name per part (see the module docstring).

    Args:
        labels: the label of each part ('' when the file has none).
        files: the file stem each part comes from.
        names: names given by the user, or None.

    Raises:
        MeshError: ``names`` of the wrong length, empty or repeated.
    """
    n = len(labels)
    if names is not None:
        out = [str(x) for x in names]
        if len(out) != n:
            raise MeshError(f"names: {len(out)} given for {n} parts (one per part, in file order)")
        bad = [x for x in out if not x or not re.fullmatch(r"[A-Za-z0-9_-]+", x)]
        if bad:
            raise MeshError(f"names: {bad!r} are not names (letters, digits, '_' and '-')")
        if len(set(out)) != n:
            raise MeshError(f"names must be unique, got {out}")
        return out
    from_labels = [_identifier(s) for s in labels]
    generic = any(not s or s.startswith("Open_CASCADE") for s in from_labels)
    if not generic and len(set(from_labels)) == n:
        return from_labels
    stems = [re.sub(r"[^A-Za-z0-9_-]+", "_", s) for s in files]
    if len(set(stems)) == n:
        return stems
    return [f"part{i + 1}" for i in range(n)]


def _import(gmsh: Any, paths: list[Path], unit: float | None) -> tuple[list[int], list[str]]:
    """Import the files into the current model; (entity tags of the parts, labels), stems."""
    occ = gmsh.model.occ
    parts: list[tuple[int, int]] = []
    stems: list[str] = []
    # OpenCASCADE reads STEP and IGES in millimetres (its default unit, whatever the file
    # declares); gmsh's Geometry.OCCTargetUnit is not used: it changes OpenCASCADE's unit
    # for the rest of the process, also for STEP files written later
    labels = gmsh.option.getNumber("Geometry.OCCImportLabels")
    gmsh.option.setNumber("Geometry.OCCImportLabels", 1)
    try:
        for p in paths:
            try:
                out = occ.importShapes(str(p), highestDimOnly=True)
            except Exception as e:
                msg = str(e).strip() or type(e).__name__
                raise MeshError(f"{p}: not a readable CAD file ({msg})") from None
            scale = 1e-3 if CAD_SUFFIXES[p.suffix.lower()] else unit
            if scale not in (None, 1.0):
                occ.dilate(out, 0, 0, 0, scale, scale, scale)
            parts += out
            stems += [p.stem] * len(out)
    finally:
        gmsh.option.setNumber("Geometry.OCCImportLabels", labels)
    occ.synchronize()
    keep = [i for i, (d, _) in enumerate(parts) if d == 3]
    if not keep:
        raise MeshError(
            f"{', '.join(map(str, paths))}: no solids to mesh (an assembly is made of solids)"
        )
    return [parts[i][1] for i in keep], [stems[i] for i in keep]


def _fragment(gmsh: Any, dim: int, tags: list[int], names: list[str], what: str) -> list[list[int]]:
    """Fragment the parts; the entities of each part afterwards.

    Raises:
        MeshError: two parts overlap.
    """
    occ = gmsh.model.occ
    _, mapping = occ.fragment([(dim, t) for t in tags], [])
    occ.synchronize()
    owner: dict[int, int] = {}
    for i, pieces in enumerate(mapping):
        for d, t in pieces:
            if d != dim:
                continue
            if t in owner and owner[t] != i:
                vol = occ.getMass(dim, t)
                raise MeshError(
                    f"{what}: parts {names[owner[t]]!r} and {names[i]!r} overlap "
                    f"({vol:.4g} m^3 in common): parts may touch but not intersect"
                )
            owner[t] = i
    return [[t for d, t in m if d == dim] for m in mapping]


def _contacts(
    gmsh: Any, dim: int, pieces: list[list[int]], names: list[str]
) -> tuple[dict[str, list[int]], list[Contact], dict[str, list[int]]]:
    """Shared faces grouped by pair of parts, the contacts, the free faces of each part."""
    part_of = {t: i for i, ts in enumerate(pieces) for t in ts}
    shared: dict[tuple[int, int], list[int]] = {}
    outer: dict[str, list[int]] = {f"{n}_outer": [] for n in names}
    for _, s in gmsh.model.getEntities(dim - 1):
        up, _ = gmsh.model.getAdjacencies(dim - 1, s)
        owners = sorted({part_of[int(v)] for v in up if int(v) in part_of})
        if len(owners) == 2:
            shared.setdefault((owners[0], owners[1]), []).append(s)
        elif len(owners) == 1 and len(up) == 1:
            outer[f"{names[owners[0]]}_outer"].append(s)
    groups: dict[str, list[int]] = {}
    contacts = []
    for (a, b), faces in sorted(shared.items()):
        name = f"{names[a]}/{names[b]}"
        area = sum(gmsh.model.occ.getMass(dim - 1, s) for s in faces)
        groups[name] = faces
        contacts.append(Contact(name, (names[a], names[b]), float(area)))
    return groups, contacts, {k: v for k, v in outer.items() if v}


def _check_inputs(
    source: str | Path | Sequence[str | Path], mesh_size: float | None, order: int
) -> list[Path]:
    paths = [Path(source)] if isinstance(source, (str, Path)) else [Path(p) for p in source]
    if not paths:
        raise MeshError("no CAD file given")
    for p in paths:
        if p.suffix.lower() not in CAD_SUFFIXES:
            raise MeshError(
                f"{p}: not a CAD file this reader knows (suffixes: {', '.join(CAD_SUFFIXES)})"
            )
        if not p.is_file():
            raise MeshError(f"{p}: file not found")
    if mesh_size is not None and not (isinstance(mesh_size, (int, float)) and mesh_size > 0):
        raise MeshError(f"mesh_size must be a length > 0 (m), got {mesh_size!r}")
    if order not in (1, 2) or isinstance(order, bool):
        raise MeshError(f"order must be 1 or 2 (geometry order), got {order!r}")
    return paths


def cad_assembly(
    source: str | Path | Sequence[str | Path],
    names: Sequence[str] | None = None,
    mesh_size: float | None = None,
    order: int = 1,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    unit: float | None = None,
    msh_file: str | Path | None = None,
) -> Assembly:
    """Read, glue and mesh a CAD assembly (collective; gmsh runs on rank 0).

    Args:
        source: a STEP/IGES/BREP file, or several (their parts in order).
        names: one name per part, in file order (default: see the module docstring).
        mesh_size: largest cell size, m (default: a twentieth of the assembly's
            bounding-box diagonal; smaller parts get smaller cells from their edges).
        order: geometry order, 1 or 2 (curved cells on the CAD surfaces).
        comm: the communicator to distribute the mesh over.
        unit: BREP only: m per file unit (default 1: the file is in metres).
        msh_file: also write the gmsh mesh there.

    Returns:
        The :class:`Assembly` (mesh, part names, contacts), the same on every rank.

    Raises:
        MeshError: see the module docstring.
    """
    paths = _check_inputs(source, mesh_size, order)
    what = ", ".join(str(p) for p in paths)
    found: dict[str, Any] = {}

    def construct(gmsh: Any) -> None:
        tags, stems = _import(gmsh, paths, unit)
        dim = 3
        labels = [gmsh.model.getEntityName(dim, t) for t in tags]
        try:
            part = part_names(labels, stems, names)
        except MeshError as e:
            raise MeshError(f"{what}: {e}") from None
        pieces = _fragment(gmsh, dim, tags, part, what)
        groups, contacts, outer = _contacts(gmsh, dim, pieces, part)
        if len(part) > 1 and not contacts:
            raise MeshError(
                f"{what}: no touching faces: none of the {len(part)} parts ({', '.join(part)}) "
                "touches another after fragment; place them in contact, or mesh them "
                "separately and couple them with interface pairs"
            )
        add_groups(gmsh, dim, dict(zip(part, pieces, strict=True)))
        add_groups(gmsh, dim - 1, {**groups, **outer})
        x0, y0, z0, x1, y1, z1 = gmsh.model.getBoundingBox(-1, -1)
        diag = ((x1 - x0) ** 2 + (y1 - y0) ** 2 + (z1 - z0) ** 2) ** 0.5
        h = mesh_size if mesh_size is not None else diag / 20.0
        mesh_options(gmsh, h, 0.0)
        gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 1)
        generate(gmsh, dim, order)
        found["result"] = (tuple(part), tuple(contacts))

    try:
        tagged = build_model("cad_assembly", comm, 3, construct, msh_file)
        err = None
    except MeshError as e:
        tagged, err = None, str(e)
    except Exception as e:  # gmsh failing, or a rank-0 error re-raised elsewhere
        tagged, err = None, f"{what}: {type(e).__name__}: {e}"
    err = comm.bcast(err if comm.rank == 0 else None, root=0) or err
    if err is not None:
        raise MeshError(err.removeprefix("RuntimeError: building the 'cad_assembly' mesh failed"))
    parts, contacts = comm.bcast(found.get("result"), root=0)
    assert tagged is not None
    return Assembly(tagged, parts, contacts)
