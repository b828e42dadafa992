"""An electronics package: die, thermal interface material, heat spreader and finned sink.

Conventions: :mod:`fe_interface.geometry.builders`.  Lengths in m.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from fe_interface.geometry.gmsh_build import (
    add_groups,
    adjacent_cells,
    build_model,
    check_order,
    default_size,
    generate,
    length_scale,
    mesh_options,
)
from fe_interface.geometry.rough import positive
from fe_interface.mesh import TaggedMesh

__all__ = ["electronics_package"]


# --------------------------------------------------------------------------------------
# electronics package
# --------------------------------------------------------------------------------------


def _check_layer(value, name: str, dim: int) -> tuple[float, float, float]:
    """(w, t) with w a number or, in 3D, (wx, wy) -> (wx, wy, t)."""
    try:
        w, t = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a (width, thickness) pair, got {value!r}") from None
    t = positive(t, f"{name} thickness")
    if isinstance(w, (tuple, list, np.ndarray)):
        if dim == 2 or len(w) != 2:
            raise ValueError(f"{name} width must be a number (3D: or a (wx, wy) pair), got {w!r}")
        return positive(w[0], f"{name} width"), positive(w[1], f"{name} width"), t
    w = positive(w, f"{name} width")
    return w, w, t


def electronics_package(
    die: tuple[float, float] = (10e-3, 0.5e-3),
    tim: tuple[float, float] = (10e-3, 50e-6),
    spreader: tuple[float, float] = (30e-3, 2e-3),
    sink_base: tuple[float, float] = (50e-3, 5e-3),
    fins: tuple[int, float, float] | None = None,
    dim: int = 2,
    mesh_size: float | None = None,
    order: int = 1,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    msh_file: str | Path | None = None,
    thin_tim: bool = False,
) -> TaggedMesh:
    """Die / TIM / heat spreader / heat-sink base stack (plus optional fins).

    The layers are centred on the vertical axis (``x = 0``, in 3D also ``y = 0``)
    and stacked upwards along ``y`` (2D) or ``z`` (3D): the sink base from 0 to
    ``t_sink``, then the spreader, the TIM and the die on top.

    Args:
        die: ``(width, thickness)`` of the die in m; in 3D the width is a number
            (square) or ``(wx, wy)``.
        tim: ``(width, thickness)`` of the thermal interface material, as ``die``.
        spreader: ``(width, thickness)`` of the heat spreader, as ``die``.
        sink_base: ``(width, thickness)`` of the heat-sink base, as ``die``.
        fins: optional ``(count, thickness, height)``: straight fins hanging below
            the sink base (plates across the whole base depth in 3D), spread
            evenly over the base width (outer fins flush with the base edges),
            part of the ``"sink"`` cell group.
        dim: 2 or 3.
        mesh_size: far-field cell size (default: smallest width / 10); each layer
            is meshed with at most its own thickness, so thin layers (the TIM)
            get correspondingly small cells.
        order: geometry order 1 or 2.
        comm: communicator (built on rank 0).
        msh_file: also write the gmsh mesh (MSH 4.1, ASCII) to this path.
        thin_tim: do not mesh the TIM: the die sits directly on the spreader, and the
            facet group ``"tim"`` between them takes the TIM as an interface law (a
            :class:`~fe_interface.model.laws.thin_layer.ThinLayer` of the TIM's
            thickness and conductivity, and its heat capacity for transient runs).
            The stack is lower by the TIM thickness; the TIM width is not used (the
            layer covers the die/spreader overlap).

    Returns:
        TaggedMesh with cell groups ``"die"``, ``"tim"``, ``"spreader"``,
        ``"sink"``; interface facet groups ``"die_tim"``, ``"tim_spreader"``,
        ``"spreader_sink"`` (the overlap of the two layers); with ``thin_tim`` no
        ``"tim"`` cell group and the interface facet group ``"tim"`` (die/spreader)
        instead of ``"die_tim"`` and ``"tim_spreader"``; boundary facet groups
        ``"die_top"`` (top face of the die), ``"sink_bottom"`` (the underside of
        the sink base and all fin faces) and ``"sides"`` (every other outer face,
        including exposed tops of wider layers).
    """
    layers, fin = _check_package(die, tim, spreader, sink_base, fins, dim, thin_tim)
    widths = [min(w[:2]) if dim == 3 else w[0] for w in layers.values()]
    h = default_size(mesh_size, min(widths))
    order = check_order(order)
    scale = length_scale(*_package_features(layers, fin))
    layers = {k: tuple(v / scale for v in lay) for k, lay in layers.items()}
    if fin is not None:
        fin = (fin[0], fin[1] / scale, fin[2] / scale)
    h /= scale
    z = np.concatenate([[0.0], np.cumsum([lay[2] for lay in layers.values()])])

    def construct(gmsh):
        occ = gmsh.model.occ
        ents = _package_volumes(occ, layers, fin, z, dim)
        order_: list[str] = [n for n in ("sink", "spreader", "tim", "die") if n in layers]
        allv = [e for n in order_ for e in ents[n]]
        _, m = occ.fragment(allv[:1], allv[1:])
        occ.synchronize()
        # m[i] lists the pieces of input i: every input maps to itself (no overlap)
        k = 0
        cells: dict[str, list[int]] = {}
        for n in order_:
            cells[n] = [t for piece in m[k : k + len(ents[n])] for _, t in piece]
            k += len(ents[n])
        facets = _package_facets(gmsh, dim, cells, z, thin_tim)
        add_groups(gmsh, dim, cells)
        add_groups(gmsh, dim - 1, {n: f for n, f in facets.items() if f or n != "sides"})
        # per-layer cell size: at most the layer thickness (smallest wins on shared points)
        sizes: dict[int, float] = {}
        for n, (_, _, t) in sorted(layers.items(), key=lambda it: -it[1][2]):
            pts = gmsh.model.getBoundary(
                [(dim, v) for v in cells[n]], combined=False, oriented=False, recursive=True
            )
            for p in pts:
                sizes[p[1]] = min(sizes.get(p[1], h), t)
        for p, size in sizes.items():
            gmsh.model.mesh.setSize([(0, p)], size)
        mesh_options(gmsh, h, min(sizes.values(), default=h))
        gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 1)
        generate(gmsh, dim, order)

    return build_model(f"electronics_package_{dim}d", comm, dim, construct, msh_file, scale)


def _check_package(
    die: Any, tim: Any, spreader: Any, sink_base: Any, fins: Any, dim: Any, thin_tim: Any
) -> tuple[dict[str, tuple[float, ...]], tuple[int, float, float] | None]:
    """The layers (sink first, m) and fins (count, thickness m, height m) of a package."""
    if dim not in (2, 3) or isinstance(dim, bool):
        raise ValueError(f"dim must be 2 or 3, got {dim!r}")
    layers: dict[str, tuple[float, ...]] = {
        "sink": _check_layer(sink_base, "sink_base", dim),
        "spreader": _check_layer(spreader, "spreader", dim),
        "tim": _check_layer(tim, "tim", dim),
        "die": _check_layer(die, "die", dim),
    }
    if not isinstance(thin_tim, (bool, np.bool_)):
        raise ValueError(f"thin_tim must be true or false, got {thin_tim!r}")
    if thin_tim:
        del layers["tim"]
    return layers, None if fins is None else _check_fins(fins, layers["sink"][0])


def _check_fins(fins: Any, width: float) -> tuple[int, float, float]:
    """(count, thickness, height) of fins on a sink base of ``width`` (m)."""
    try:
        count, ft, fh = fins
    except (TypeError, ValueError):
        raise ValueError(f"fins must be (count, thickness, height), got {fins!r}") from None
    if isinstance(count, bool) or int(count) != count or count < 1:
        raise ValueError(f"fins count must be a positive integer, got {count!r}")
    ft, fh = positive(ft, "fins thickness"), positive(fh, "fins height")
    if count * ft > width * (1 + 1e-12):
        raise ValueError(
            f"fins: {int(count)} fins of thickness {ft} do not fit on the sink base width {width}"
        )
    return (int(count), ft, fh)


def _package_features(
    layers: dict[str, tuple[float, ...]], fin: tuple[int, float, float] | None
) -> list[float]:
    """The lengths that set the model unit (m).

    Thicknesses, widths, fins and the steps between adjacent layers' edges.
    """
    features = [v for lay in layers.values() for v in lay] + list(fin[1:] if fin else [])
    wmax = max(v for lay in layers.values() for v in lay[:2])
    lays = list(layers.values())
    for (ax, ay, _), (bx, by, _) in pairwise(lays):
        features += [d for d in (abs(ax - bx) / 2, abs(ay - by) / 2) if d > 1e-9 * wmax]
    if fin is not None and fin[0] > 1:
        gap = (layers["sink"][0] - fin[0] * fin[1]) / (fin[0] - 1)
        features += [gap] if gap > 1e-9 * wmax else []
    return features


def _package_volumes(
    occ: Any,
    layers: dict[str, tuple[float, ...]],
    fin: tuple[int, float, float] | None,
    z: np.ndarray,
    dim: int,
) -> dict[str, list[tuple[int, int]]]:
    """The OCC entities of every layer (model units), the fins part of the sink."""
    ents = {}
    for i, (name, (wx, wy, t)) in enumerate(layers.items()):
        if dim == 2:
            ents[name] = [(2, occ.addRectangle(-wx / 2, z[i], 0, wx, t))]
        else:
            ents[name] = [(3, occ.addBox(-wx / 2, -wy / 2, z[i], wx, wy, t))]
    if fin is not None:
        count, ft, fh = fin
        wx, wy, _ = layers["sink"]
        xs = [0.0] if count == 1 else np.linspace(-wx / 2 + ft / 2, wx / 2 - ft / 2, count)
        plates = []
        for xc in xs:
            if dim == 2:
                plates.append((2, occ.addRectangle(xc - ft / 2, -fh, 0, ft, fh)))
            else:
                plates.append((3, occ.addBox(xc - ft / 2, -wy / 2, -fh, ft, wy, fh)))
        # fragment (not fuse): fins stay separate volumes of the "sink" group, so a
        # flush outer fin does not merge its face with the side of the base
        ents["sink"] = ents["sink"] + plates
    return ents


#: the facet group between two layers of a package
_PACKAGE_CONTACTS = {
    frozenset(("die", "tim")): "die_tim",
    frozenset(("tim", "spreader")): "tim_spreader",
    frozenset(("spreader", "sink")): "spreader_sink",
    frozenset(("die", "spreader")): "tim",  # thin_tim: the TIM as an interface
}


def _package_facets(
    gmsh: Any, dim: int, cells: dict[str, list[int]], z: np.ndarray, thin_tim: bool
) -> dict[str, list[int]]:
    """The facet groups of a package: contacts, die top, sink bottom and sides."""
    occ = gmsh.model.occ
    owner = {v: n for n, vs in cells.items() for v in vs}
    contacts = ("tim",) if thin_tim else ("die_tim", "tim_spreader")
    facets: dict[str, list[int]] = {
        n: [] for n in (*contacts, "spreader_sink", "die_top", "sink_bottom")
    }
    facets["sides"] = []
    tol = 1e-3 * float(np.min(np.diff(z)))
    for _, f in gmsh.model.getEntities(dim - 1):
        cells_f = adjacent_cells(gmsh, dim, f)
        adj = {owner[c] for c in cells_f}
        zc = occ.getCenterOfMass(dim - 1, f)[dim - 1]
        if len(cells_f) == 2 and len(adj) == 1:
            continue  # inside one material (fin root)
        if len(adj) == 2:
            key = _PACKAGE_CONTACTS.get(frozenset(adj))
            if key is None:
                raise RuntimeError(f"internal error: unexpected contact {sorted(adj)}")
            facets[key].append(f)
        elif adj == {"die"} and abs(zc - z[-1]) < tol:
            facets["die_top"].append(f)
        elif adj == {"sink"} and zc < tol:
            facets["sink_bottom"].append(f)
        else:
            facets["sides"].append(f)
    return facets
