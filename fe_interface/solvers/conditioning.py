"""Warnings about problems whose discrete answer is unreliable: material contrast.

A huge ratio between conductivities (or between an interface conductance and the
conduction of the cells next to it) makes the matrix ill-conditioned: the true residual
can be small while the temperatures are off.  Measured on ``cases/two_blocks.toml``
(two blocks, flux + convection, hexahedra) with the conductivity of one block raised,
relative error of the temperature field (of its range), CG+GAMG and MUMPS alike:

    k ratio   1e6     1e8     1e10    1e11    1e12
    error     ~4e-9   6e-6    9e-4    2e-2    (refused: true residual > 1e-3)

i.e. about 1e-13 × the ratio: round-off, not the solver.  An interface conductance h
against the cells' conduction k/ℓ (ℓ the mean cell size), on a two-layer wall
(tetrahedra, h ℓ/k ratio): GAMG loses accuracy first (6e4: 5e-7 of the range) and
stops converging near 6e7 (DIVERGED_INDEFINITE_PC); MUMPS reaches 1e-4 at 6e10 and 1 %
at 6e12.

So :func:`contrast_warning` warns when the contrast exceeds :data:`CONTRAST_WARN` = 1e8
(expected error above ~1e-5 of the temperature range), and for iterative solves when an
interface contrast exceeds :data:`ITERATIVE_INTERFACE_CONTRAST_WARN` = 1e6.  Beyond
what double precision can answer it refuses the model (an ``InputError`` at set-up)
rather than return a field with a warning: a conductivity ratio above
:data:`CONTRAST_ERROR` = 1e10 (round-off of ~1e-3 of the temperature range and more: a
ratio of 1e12 gave a 30.30 K jump for 30 K exact, with exit status 0) and an interface
contrast h ℓ/k above :data:`INTERFACE_CONTRAST_ERROR` = 1e12 (MUMPS: 1 % at 6e12).  The
remedy is in the message: a region 1e6 times as conductive as its neighbours is already
isothermal to 1e-6 of the temperature drop, so lowering its conductivity to that does not
change the answer; an interface that stiff is a perfect contact.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.interfaces import constant_conductance

__all__ = [
    "CONTRAST_ERROR",
    "CONTRAST_WARN",
    "INTERFACE_CONTRAST_ERROR",
    "ITERATIVE_INTERFACE_CONTRAST_WARN",
    "contrast",
    "contrast_warning",
]

CONTRAST_WARN = 1.0e8
ITERATIVE_INTERFACE_CONTRAST_WARN = 1.0e6
CONTRAST_ERROR = 1.0e10
INTERFACE_CONTRAST_ERROR = 1.0e12


def _cell_size(f: Any) -> float:
    """Mean cell size ℓ = (bounding-box volume / cells)^(1/d), m (collective)."""
    mesh = f.mesh
    comm = mesh.comm
    x = mesh.geometry.x
    ext = np.array(
        comm.allgather(np.r_[x.min(axis=0), -x.max(axis=0)] if x.size else np.full(6, np.inf))
    )
    size = -ext[:, 3:].min(axis=0) - ext[:, :3].min(axis=0)
    d = mesh.topology.dim
    size = np.sort(size)[::-1][:d]
    ncells = mesh.topology.index_map(d).size_global
    vol = float(np.prod(np.maximum(size, 1e-300)))
    return (vol / max(ncells, 1)) ** (1.0 / d)


def contrast(f: Any) -> tuple[float, str, float, str]:
    """The contrasts of a formulation (collective).

    Returns (conductivity ratio, its description, largest interface ratio h ℓ/k, its
    description).
    """
    model = f.model
    k = {r: m.k_ref for r, m in model.region_material.items()}  # k(T): at 293 K or in range
    names = model.region_names
    hi = max(k, key=lambda r: k[r])
    lo = min(k, key=lambda r: k[r])
    kr = k[hi] / k[lo]
    kdesc = f"k = {k[hi]:.4g} W/(m K) in {names[hi]!r} vs {k[lo]:.4g} in {names[lo]!r}"
    ell = _cell_size(f)
    best, idesc = 0.0, ""
    for d in model.interfaces:
        if d.kind != "constant":
            continue
        try:
            h = constant_conductance(d.spec.law)
        except Exception:  # checked elsewhere
            continue
        kk = min(k[d.plus], k[d.minus])
        r = h * ell / kk if kk > 0 else 0.0
        if r > best:
            best = r
            idesc = (
                f"interface {d.label!r}: h = {h:.4g} W/(m^2 K), cell size {ell:.3g} m, "
                f"k = {kk:.4g} W/(m K)"
            )
    return kr, kdesc, best, idesc


def _iterative(options: Mapping[str, Any]) -> bool:
    return not (
        str(options.get("ksp_type", "")) == "preonly"
        and str(options.get("pc_type", "")) in ("lu", "cholesky")
    )


def contrast_warning(f: Any, options: Mapping[str, Any]) -> str | None:
    """A warning when the contrast makes the answer unreliable, else None.

    Collective; the thresholds are in the module docstring.

    Raises:
        InputError: a contrast beyond what double precision resolves.
    """
    kr, kdesc, ir, idesc = contrast(f)
    if kr > CONTRAST_ERROR:
        raise InputError(
            f"conductivity contrast {kr:.1e} ({kdesc}) > {CONTRAST_ERROR:.0e}: round-off "
            f"alone would leave errors of ~{min(1e-13 * kr, 1.0):.0e} of the temperature "
            "range; lower the larger conductivity (a region 1e6 times as conductive as its "
            "neighbours is already isothermal to 1e-6 of the temperature drop) or replace "
            "that region by a fixed temperature"
        )
    if ir > INTERFACE_CONTRAST_ERROR:
        raise InputError(
            f"interface conductance contrast h l/k = {ir:.1e} ({idesc}) > "
            f"{INTERFACE_CONTRAST_ERROR:.0e}: round-off alone would leave errors of 1 % and "
            "more; the interface conducts like a perfect contact: model it as one "
            "(PerfectContact, law = 'perfect') or lower h"
        )
    iterative = _iterative(options)
    msgs = []
    if kr > CONTRAST_WARN:
        msgs.append(
            f"conductivity contrast {kr:.1e} ({kdesc}) > {CONTRAST_WARN:.0e}: expect errors "
            f"of ~{min(1e-13 * kr, 1.0):.0e} of the temperature range from round-off"
        )
    limit = ITERATIVE_INTERFACE_CONTRAST_WARN if iterative else CONTRAST_WARN
    if ir > limit:
        msgs.append(
            f"interface conductance contrast h l/k = {ir:.1e} ({idesc}) > {limit:.0e}"
            + (
                ": the iterative solver may be inaccurate or fail; use solver = 'direct'"
                if iterative
                else ": expect round-off errors"
            )
            + " (or model the interface as perfect contact)"
        )
    return "; ".join(msgs) if msgs else None
