"""Non-matching interfaces: two boundary facet groups of separately meshed bodies.

An :class:`InterfacePair` couples surface A (the ⁺ side) and surface B (the ⁻ side) —
outer facet groups of bodies meshed independently (separate parts of one mesh whose
cells do not connect across the pair) — by the heat flux

    q = h (T_A − T_B∘π)     [W/m², positive from A to B],

π mapping a point of the integrating surface to the other surface: ``projection =
"normal"`` (default: along the integrating surface's outward normal) or ``"closest"``
(the closest point).  Points whose image lies farther than ``search_distance`` (m) are
not coupled.  The local gap g(x) = |π(x) − x| is computed, not given: gap laws
(:class:`~fe_interface.model.laws.gap.GapConduction`, conductance tables against the
gap) read it.

``integration = "one-sided"`` (default) integrates the coupling on surface A only (A is
the *integrating* side: its area carries the law, e.g. the inner surface of a cylindrical
gap; the mortar methods' secondary side); ``"symmetric"`` integrates on both surfaces
with weight ½ (each direction with its own projection: unbiased, twice the search and
the coupling terms).  Either way every quadrature point moves the same heat
out of one body and into the other, so the heat leaving A equals the heat entering B to
round-off.  The discretisation (Nitsche's method, stable as h → ∞) is in
:mod:`fe_interface.discretisation.pairs`.

Laws: every interface law (:class:`~fe_interface.model.interfaces.Conductance` with a
number or h(x), :class:`~fe_interface.model.interfaces.Resistance`,
:class:`~fe_interface.model.interfaces.FacetConductance` (evaluated at the points),
:class:`~fe_interface.model.interfaces.PerfectContact` (h = ∞: the surfaces are tied),
temperature-dependent laws h(T⁺, T⁻)); gap laws with ``pair_conductance(x, y, T⁺, T⁻)``;
a :class:`~fe_interface.model.laws.tabulated.ConductanceTable` against the gap (read at
the local gap) or the pressure (read at ``pressure``, Pa: a number or a function of x).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.interfaces import (
    Conductance,
    FacetConductance,
    InterfaceLaw,
    PerfectContact,
    Resistance,
)
from fe_interface.model.validation import check_positive, is_real

__all__ = ["INTEGRATIONS", "PROJECTIONS", "InterfacePair", "PairLaw"]

#: projection -> what it does
PROJECTIONS = {
    "normal": "along the integrating surface's outward normal",
    "closest": "to the closest point of the other surface",
}
#: integration -> where the coupling is integrated
INTEGRATIONS = {
    "symmetric": "on both surfaces, weight 1/2 each",
    "one-sided": "on surface A (the first of the pair) only",
}


@dataclass(frozen=True)
class InterfacePair:
    """A non-matching interface between two outer facet groups (see the module docstring).

    Attributes:
        surfaces: (A, B): facet groups (names or tags); A is the ⁺ side.
        law: the conductance law (see the module docstring).
        name: label for tables (default ``"A:B"``).
        projection: "normal" (default) or "closest".
        search_distance: largest distance (m) between a point and its image; default:
            half the largest facet diameter of the two surfaces (parts that touch; give
            it for a gap).
        integration: "one-sided" (default: on A) or "symmetric".
        pressure: contact pressure (Pa) for laws tabulated against pressure: a number or
            a function of x (NumPy (3, n)).
        penalty: Nitsche's dimensionless penalty factor β (> 0, default 10): the penalty
            is β (p + 1)(p + d)/d · k/ℓ (see :mod:`fe_interface.discretisation.pairs`).
    """

    surfaces: tuple[str | int, str | int]
    law: Any
    name: str | None = None
    projection: str = "normal"
    search_distance: float | None = None
    integration: str = "one-sided"
    pressure: float | Callable[[Any], Any] | None = None
    penalty: float = 10.0

    def __post_init__(self) -> None:
        s = self.surfaces
        what = f"interface pair {self.name or s!r}"
        if (
            isinstance(s, (str, int))
            or len(s) != 2
            or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in s)
        ):
            raise InputError(
                f"{what}: surfaces must be two facet groups (names or tags), got {s!r}"
            )
        if s[0] == s[1]:
            raise InputError(f"{what}: the two surfaces are the same facet group {s[0]!r}")
        object.__setattr__(self, "surfaces", (s[0], s[1]))
        if self.projection not in PROJECTIONS:
            raise InputError(
                f"{what}: projection must be one of {list(PROJECTIONS)}, got {self.projection!r}"
            )
        if self.integration not in INTEGRATIONS:
            raise InputError(
                f"{what}: integration must be one of {list(INTEGRATIONS)}, got {self.integration!r}"
            )
        if self.search_distance is not None:
            check_positive(self.search_distance, "search_distance", "m", what)
        check_positive(self.penalty, "penalty", "", what)
        p = self.pressure
        if p is not None and not callable(p):
            if not is_real(p) or not p >= 0:
                raise InputError(f"{what}: pressure must be a number >= 0 (Pa) or a function of x")
        PairLaw(self.law, self.pressure, self.label)  # the law is checked here

    @property
    def label(self) -> str:
        """The pair's name in tables and messages."""
        return self.name if self.name is not None else f"{self.surfaces[0]}:{self.surfaces[1]}"


class PairLaw:
    """A law evaluated at the points of a pair.

    ``conductance(x, y, T_plus, T_minus)``: h (W/(m² K)) at integration points x
    (n, gdim) with images y, T⁺ on surface A and T⁻ on surface B (K); ``inf`` for tied
    surfaces.

    Args:
        law: the pair's law.
        pressure: Pa, a number or a function of x, for laws tabulated against pressure.
        label: the pair's name in messages.

    Raises:
        InputError: a law a pair cannot use.
    """

    def __init__(self, law: Any, pressure: Any, label: str) -> None:
        self.law, self.pressure, self.label = law, pressure, label
        self.perfect = isinstance(law, PerfectContact)
        basic = (Conductance, FacetConductance, Resistance, PerfectContact)
        self.table = False
        if not isinstance(law, basic):  # the tables' module only when needed
            from fe_interface.model.laws.tabulated import ConductanceTable

            self.table = isinstance(law, ConductanceTable)
        self.gap_law = hasattr(law, "pair_conductance")
        if isinstance(law, (int, float)):
            raise InputError(
                f"interface pair {label!r}: give the law as Conductance({law}) or Resistance({law})"
            )
        known = (Conductance, FacetConductance, Resistance, PerfectContact)
        if not (
            self.table or self.gap_law or isinstance(law, known) or isinstance(law, InterfaceLaw)
        ):
            raise InputError(
                f"interface pair {label!r}: {law!r} is not an interface law (needs "
                ".conductance(T_plus, T_minus) and .temperature_dependent, or "
                ".pair_conductance(x, y, T_plus, T_minus))"
            )
        if self.table and law.variable == "pressure" and pressure is None:
            raise InputError(
                f"interface pair {label!r}: the table is against pressure: give the pair's "
                "pressure (Pa)"
            )

    @property
    def temperature_dependent(self) -> bool:
        """True when h depends on the temperatures (Newton)."""
        return bool(getattr(self.law, "temperature_dependent", False))

    def _pressure(self, x: np.ndarray) -> np.ndarray:
        p = self.pressure
        if callable(p):
            pts = np.zeros((3, len(x)))
            pts[: x.shape[1]] = x.T
            return np.broadcast_to(np.asarray(p(pts), dtype=float), (len(x),))
        return np.full(len(x), float(p))

    def _at_x(self, x: np.ndarray) -> np.ndarray:
        pts = np.zeros((3, len(x)))
        pts[: x.shape[1]] = x.T
        if isinstance(self.law, FacetConductance):
            return self.law.at(pts)
        return np.asarray(self.law.h(pts), dtype=float)

    def conductance(
        self, x: np.ndarray, y: np.ndarray, T_plus: np.ndarray, T_minus: np.ndarray
    ) -> np.ndarray:
        """The conductance (W/(m² K)) at the points (see the class docstring)."""
        law = self.law
        n = len(x)
        if self.perfect:
            h: Any = np.inf
        elif self.gap_law:
            h = law.pair_conductance(x, y, T_plus, T_minus)
        elif self.table:
            v = np.linalg.norm(y - x, axis=1) if law.variable == "gap" else self._pressure(x)
            Tm = 0.5 * (T_plus + T_minus) if law.temperature_dependent else None
            h = law(v, Tm)
        elif isinstance(law, FacetConductance) or (
            isinstance(law, Conductance) and law.position_dependent
        ):
            h = self._at_x(x)
        else:
            h = law.conductance(T_plus, T_minus)
        return np.array(np.broadcast_to(np.asarray(h, dtype=float), (n,)))

    def checked(
        self, x: np.ndarray, y: np.ndarray, T_plus: np.ndarray, T_minus: np.ndarray
    ) -> np.ndarray:
        """:meth:`conductance`, raising :class:`InputError` where h is NaN or negative."""
        try:
            with np.errstate(all="ignore"):
                h = self.conductance(x, y, T_plus, T_minus)
        except InputError as e:
            raise InputError(f"interface pair {self.label!r}: {e}") from None
        bad = np.isnan(h) | (h < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"interface pair {self.label!r}: the law gives h = {float(h[i])!r} W/(m^2 K) at "
                f"x = {x[i].tolist()} (T+ = {float(T_plus[i]):.6g} K, T- = "
                f"{float(T_minus[i]):.6g} K): h must be >= 0"
            )
        return h
