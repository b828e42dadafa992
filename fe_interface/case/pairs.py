"""Non-matching interface pairs in case files: ``[interfaces.NAME]`` with ``pair``.

::

    [interfaces.lid_sink]
    pair = ["lid_bottom", "sink_top"]   # surfaces A, B: outer facet groups of two parts
    law = "conductance"                 # any law (gap laws read the local gap)
    h = 5000.0
    projection = "normal"               # optional: "normal" (default) or "closest"
    search_distance = 1.0e-3            # optional, m (default: the largest facet size)
    integration = "one-sided"           # optional: "one-sided" (default, on A) or "symmetric"
    pressure = 2.0e6                    # optional, Pa: for tables against pressure
    penalty = 10.0                      # optional: Nitsche's factor

See :class:`~fe_interface.model.pairs.InterfacePair`; ``plus`` and ``between`` are not
used with ``pair`` (A is the ⁺ side).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fe_interface.case.checker import Checker, join_path

__all__ = ["PAIR_KEYS", "check_pair", "pair_interface", "pair_report", "read_pair"]

#: keys of an interface table with ``pair`` besides the law's
PAIR_KEYS = ("pair", "projection", "search_distance", "integration", "pressure", "penalty")


def read_pair(c: Checker, d: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The pair options of interface table ``d`` (errors recorded in ``c``)."""
    from fe_interface.model.pairs import INTEGRATIONS, PROJECTIONS

    n0 = len(c.errors)
    v = d.get("pair")
    if not isinstance(v, list) or len(v) != 2 or not all(isinstance(x, str) and x for x in v):
        c.error(join_path(path, "pair"), f"must be two facet group names [A, B], got {v!r}")
    elif v[0] == v[1]:
        c.error(join_path(path, "pair"), f"the two surfaces must differ, got {v!r}")
    for k in ("plus", "between"):
        if k in d:
            c.error(join_path(path, k), "not used with 'pair' (surface A is the + side)")
    out = {
        "surfaces": tuple(v) if isinstance(v, list) else None,
        "projection": c.string(d, "projection", path, choices=tuple(PROJECTIONS), default="normal"),
        "integration": c.string(
            d, "integration", path, choices=tuple(INTEGRATIONS), default="one-sided"
        ),
        "search_distance": c.number(d, "search_distance", path, gt=0),
        "pressure": c.number(d, "pressure", path, ge=0),
        "penalty": c.number(d, "penalty", path, gt=0, default=10.0),
    }
    return out if len(c.errors) == n0 else None


def check_pair(c: Checker, name: str, pair: dict[str, Any], tagged: Any) -> None:
    """Both surfaces are facet groups of the mesh on its outer boundary (collective)."""
    from fe_interface.mesh.topology import facet_cells

    mesh = tagged.mesh
    tdim = mesh.topology.dim
    nowned = mesh.topology.index_map(tdim - 1).size_local
    groups = ", ".join(sorted(tagged.facet_names)) or "none"
    for s in pair["surfaces"]:
        p = f"interfaces.{name}.pair"
        if s not in tagged.facet_names:
            c.error(p, f"no facet group {s!r} in the mesh (facet groups: {groups})")
            continue
        ft = tagged.facet_tags
        facets = ft.indices[ft.values == tagged.facet_names[s]]
        n, _ = facet_cells(mesh, facets[facets < nowned])
        if mesh.comm.allreduce(int(np.sum(n > 1))):
            c.error(p, f"surface {s!r} has interior facets: a pair couples outer facets")


def pair_interface(name: str, law: Any, pair: dict[str, Any]) -> Any:
    """The :class:`~fe_interface.model.pairs.InterfacePair` of a checked case entry."""
    from fe_interface.model.pairs import InterfacePair

    return InterfacePair(
        pair["surfaces"],
        law,
        name=name,
        projection=pair["projection"],
        search_distance=pair["search_distance"],
        integration=pair["integration"],
        pressure=pair["pressure"],
        penalty=pair["penalty"],
    )


def pair_report(problem: Any) -> list[str]:
    """One line per pair of a (not yet solved) problem: what the search matched.

    The heat problem (a coupled problem's ``thermal``) is initialised if it is not yet
    (the search runs there; collective); areas in m² (the full revolution for
    axisymmetric models), the mean gap in m.
    """
    heat = getattr(problem, "thermal", None) or problem
    if heat.formulation is None:
        heat.initialise()
    f = heat.formulation
    lines = []
    for pc in f.pairs:
        a, b, gap = pc.matched()
        A, B = pc.pair.spec.surfaces
        tail = "" if np.isnan(b) else f", of {B!r} {f.two_pi * b:.6g} m2"
        lines.append(
            f"pair {pc.label}: {A} -> {B}, matched area of {A!r} {f.two_pi * a:.6g} m2{tail}, "
            f"mean gap {gap:.6g} m ({pc.pair.spec.projection} projection, "
            f"{pc.pair.spec.integration})"
        )
    return lines
