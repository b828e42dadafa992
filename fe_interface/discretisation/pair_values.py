"""Values-only updates of non-matching interface pairs: a new law on the same points.

A pair's discretisation (:mod:`fe_interface.discretisation.pairs`) holds its quadrature
points, their images on the other surface, weights, Nitsche penalty and flux operators
— all fixed by the surfaces, the search and the conductivities next to them — and the
conductance h at the points.  An update (``problem.update(interfaces=...)``,
:meth:`~fe_interface.problems.base.ConductionProblem.update`) gives each pair another
:class:`~fe_interface.model.pairs.InterfacePair` of the same surfaces: its law (or its
pressure) may change, and a law of position is evaluated again at the same points (the
h(P(x), g(x)) of a surface contact after a new contact solve).  Nothing is searched,
compiled or allocated; the next assembly uses the new h.

What a pair keeps from its set-up cannot change this way (a new problem is needed, and
the update says so): the surfaces, name, projection, search distance, integration and
penalty; a law of T for one without (the problem's solver kind); the conductivity of a
region next to the pair (Nitsche's penalty and flux weights use it).

:func:`stage_pairs` checks and evaluates everything first (collective: an error on one
rank is raised on every rank) and returns the commit, so that a failed update changes
nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from fe_interface.discretisation import bulk
from fe_interface.discretisation.pairs import PairCoupling, static_conductance
from fe_interface.errors import InputError, agree
from fe_interface.model.pairs import InterfacePair, PairLaw

__all__ = ["FIXED", "stage_pairs"]

#: the attributes of an :class:`InterfacePair` that a values-only update keeps
FIXED = ("surfaces", "name", "projection", "search_distance", "integration", "penalty")


def _check_materials(
    f: Any, materials: Mapping[int, Any] | None, k_region: Mapping[int, float]
) -> None:
    """The conductivities next to every pair are those of the set-up (else InputError)."""
    if materials is None:
        return
    names = f.model.region_names
    for pc in f.pairs:
        for r in sorted(set().union(*pc.pair.regions)):
            new = bulk.constant_scalar(materials[r].conductivity)
            old = k_region.get(r, math.nan)
            same = (new is None and math.isnan(old)) or (new is not None and new == old)
            if not same:
                raise InputError(
                    f"materials.{names[r]}: the conductivity next to interface pair "
                    f"{pc.label!r} changed ({old!r} -> {new!r} W/(m K)): a pair keeps the "
                    "conductivities of its set-up (Nitsche's penalty); that needs a new problem"
                )


def _stage_one(pc: PairCoupling, spec: Any) -> tuple[InterfacePair, PairLaw, np.ndarray]:
    """(spec, law, h at the points) of one pair (this rank; InputError if not allowed)."""
    what = f"interface pair {pc.label!r}"
    if not isinstance(spec, InterfacePair):
        raise InputError(f"{what}: got {spec!r}, not an InterfacePair")
    old = pc.pair.spec
    changed = [k for k in FIXED if getattr(spec, k) != getattr(old, k)]
    if changed:
        raise InputError(f"{what}: {', '.join(changed)} changed: that needs a new problem")
    law = PairLaw(spec.law, spec.pressure, spec.label)
    if law.temperature_dependent != pc.nonlinear:
        raise InputError(
            f"{what}: the law {'became' if law.temperature_dependent else 'is no longer'} "
            "temperature dependent: that needs a new problem"
        )
    h = static_conductance(law, pc.p["x"], pc.p["y"])
    if np.any(np.isinf(h) & (pc.p["gamma"] == 0)):
        raise InputError(
            f"{what}: tied surfaces (h = inf) need a constant scalar conductivity on both "
            "sides (Nitsche's method)"
        )
    return spec, law, h


def stage_pairs(
    f: Any,
    specs: Sequence[Any] | None,
    materials: Mapping[int, Any] | None = None,
) -> Callable[[], None]:
    """Check an update of the pairs of formulation ``f``; returns its commit (collective).

    Args:
        f: the :class:`~fe_interface.discretisation.formulation.Formulation`.
        specs: one :class:`InterfacePair` per pair of the model, in order (None: the pairs
            keep their laws).
        materials: region tag -> the new materials (None: unchanged).

    Raises:
        InputError: on every rank, naming the pair or region whose change needs a new
            problem, or a law that gives h < 0 or NaN at a point.
    """
    pairs: list[PairCoupling] = list(getattr(f, "pairs", []))
    if specs is not None and len(specs) != len(pairs):
        raise InputError(f"update: {len(specs)} interface pairs for a problem with {len(pairs)}")
    staged: list[tuple[InterfacePair, PairLaw, np.ndarray]] = []
    err = None
    try:
        if pairs:
            _check_materials(f, materials, f.pair_search.k_region)
        if specs is not None:
            staged = [_stage_one(pc, s) for pc, s in zip(pairs, specs, strict=True)]
    except InputError as e:
        err = e
    agree(f.comm, err)

    def commit() -> None:
        for pc, (spec, law, h) in zip(pairs, staged, strict=False):
            pc.set_law(spec, law, h)

    return commit
