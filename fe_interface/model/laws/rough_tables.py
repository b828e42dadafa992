"""Tabulated h(P) laws from one rough surface: Barber's route and the CMY/Mikic route.

Both return a :class:`~fe_interface.model.laws.tabulated.ConductanceTable` against the
contact pressure (Pa), interpolated as a power law between the points (``log_variable``),
so that any case uses it through :class:`TabulatedConductance` (or the case-file law
``tabulated``, :func:`table_toml` writes it).  The third route, finite-element
conduction through the resolved spots, is :mod:`fe_interface.problems.resolved_contact`.

* **Barber** (Proc. R. Soc. Lond. A 459 (2003) 53): for elastic contact the constriction
  conductance of the contact spots follows the incremental normal stiffness K = −dP/dḡ
  (Pa/m) of the same contact: ``h = 2 K / (E* (1/k₁ + 1/k₂)) = k_s K / E*`` with the
  harmonic mean k_s = 2 k₁k₂/(k₁ + k₂) of :class:`~fe_interface.model.laws.contact.ContactPair`
  (written h = 2 k K/E* with the series conductivity 1/k = 1/k₁ + 1/k₂ elsewhere).  Exact for
  half-spaces whose contact plane is insulated outside the spots; K comes from
  :meth:`~fe_interface.model.rough_contact.HalfSpaceContact.ladder`.
* **CMY / Mikic**: the Cooper–Mikic–Yovanovich plastic and the Mikic elastic correlations
  (:mod:`~fe_interface.model.laws.contact`) with σ and m of the same surface: the combined
  surface is split evenly between the two faces (σᵢ = σ/√2, mᵢ = m/√2: the pair's joint
  values are σ and m again).
* **Gas in the gaps**: :func:`gap_gas_conductance` averages the local parallel-plate law
  k_g/(g + M) over the gap map of a contact (the integrand of Yovanovich's gas-gap
  integral, :class:`~fe_interface.model.laws.gas.GasGapConductance`, on the computed gaps
  instead of a Gaussian height distribution).

Units: P in Pa, K in Pa/m, E in Pa, k in W/(m K), h in W/(m² K).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from fe_interface.errors import InputError
from fe_interface.geometry.topography import SurfaceStatistics
from fe_interface.model.validation import check_positive

from .contact import CMYPlasticConductance, ContactPair, MikicElasticConductance, Surface
from .tabulated import ConductanceTable

__all__ = [
    "add_parallel",
    "barber_conductance",
    "barber_table",
    "correlation_table",
    "gap_gas_conductance",
    "pair_from_statistics",
    "table_toml",
]


def barber_conductance(stiffness: Any, E_star: float, k1: float, k2: float) -> Any:
    """Barber's h = 2 K / (E* (1/k₁ + 1/k₂)) (W/(m² K)) from the stiffness K (Pa/m)."""
    E = check_positive(E_star, "E_star", "Pa", "Barber")
    k_series = 1.0 / (
        1.0 / check_positive(k1, "k1", "W/(m K)", "Barber")
        + 1.0 / check_positive(k2, "k2", "W/(m K)", "Barber")
    )
    return 2.0 * k_series * np.asarray(stiffness, dtype=float) / E


def barber_table(
    pressures: Sequence[float],
    stiffness: Sequence[float],
    E_star: float,
    k1: float,
    k2: float,
    name: str = "barber",
) -> ConductanceTable:
    """Barber's route as a table h(P) (Pa -> W/(m² K)), power-law interpolation."""
    h = barber_conductance(stiffness, E_star, k1, k2)
    return ConductanceTable(
        "pressure",
        [float(p) for p in pressures],
        [float(v) for v in h],
        log_variable=True,
        name=name,
        source="Barber (2003): h = 2 K / (E* (1/k1 + 1/k2)), K from the FFT boundary-element contact",
    )


def pair_from_statistics(
    stats: SurfaceStatistics,
    k1: float,
    k2: float,
    E1: float | None = None,
    nu1: float | None = None,
    E2: float | None = None,
    nu2: float | None = None,
) -> ContactPair:
    """The :class:`ContactPair` whose joint σ and m are those of the (combined) surface."""
    if not isinstance(stats, SurfaceStatistics):
        raise InputError(
            f"pair_from_statistics: need SurfaceStatistics, got {type(stats).__name__}"
        )
    s, m = stats.rms_height_m / math.sqrt(2.0), stats.rms_slope / math.sqrt(2.0)
    return ContactPair(Surface(s, k1, m=m, E=E1, nu=nu1), Surface(s, k2, m=m, E=E2, nu=nu2))


def correlation_table(
    pair: ContactPair,
    pressures: Sequence[float],
    hardness: float | None = None,
    name: str = "",
) -> ConductanceTable:
    """CMY plastic (``hardness`` H_c in Pa given) or Mikic elastic (else) as a table h(P)."""
    Ps = [float(p) for p in pressures]
    if hardness is None:
        h = [MikicElasticConductance(pair, p).h for p in Ps]
        src = "Mikic (1974) elastic correlation, sigma and m of the surface"
    else:
        h = [CMYPlasticConductance(pair, p, hardness).h for p in Ps]
        src = "Cooper-Mikic-Yovanovich plastic correlation, sigma and m of the surface"
    return ConductanceTable(
        "pressure",
        Ps,
        h,
        log_variable=True,
        name=name or ("cmy" if hardness else "mikic"),
        source=src,
    )


def gap_gas_conductance(gap: np.ndarray, contact: np.ndarray, k_g: float, M: float) -> float:
    """Mean of k_g/(g + M) over the nominal area, 0 on the contact (W/(m² K)).

    ``gap`` (m) and ``contact`` on the surface grid; ``k_g`` (W/(m K)) and the temperature
    jump distance ``M`` (m) from :class:`~fe_interface.model.laws.gas.GasGapConductance`.
    """
    g = np.asarray(gap, dtype=float)
    k = check_positive(k_g, "k_g", "W/(m K)", "gas")
    if M < 0 or not math.isfinite(M):
        raise InputError(f"gas: the jump distance M must be finite and >= 0 m, got {M!r}")
    local = np.where(np.asarray(contact, bool), 0.0, k / (np.maximum(g, 0.0) + M))
    return float(local.mean())


def add_parallel(
    table: ConductanceTable, h: Sequence[float], name: str, note: str
) -> ConductanceTable:
    """``table`` plus a parallel path ``h`` (W/(m² K)) at each of its points (e.g. the gas)."""
    if len(h) != len(table.points):
        raise InputError(f"add_parallel: {len(h)} values for {len(table.points)} points")
    return ConductanceTable(
        table.variable,
        table.points,
        [float(a) + float(b) for a, b in zip(table.h, h, strict=True)],
        log_variable=table.log_variable,
        name=name,
        source=f"{table.source} + {note}",
    )


def table_toml(
    table: ConductanceTable,
    interface: str = "joint",
    pressure: float | None = None,
    plus: str | None = None,
) -> str:
    """The table as a case-file ``tabulated`` law (``[interfaces.NAME]``), to paste or include."""
    lines = [
        f"# {table.source}" if table.source else "",
        f"[interfaces.{interface}]",
        'law = "tabulated"',
    ]
    if plus is not None:
        lines.append(f'plus = "{plus}"   # the region on the + side')
    if pressure is not None:
        lines.append(f"pressure = {float(pressure)!r}   # Pa: the operating point")
    lines.append("log_variable = true")
    lines.append(f"[interfaces.{interface}.table]")
    lines.append("pressure = [" + ", ".join(f"{p!r}" for p in table.points) + "]   # Pa")
    lines.append("h = [" + ", ".join(f"{float(v)!r}" for v in table.h) + "]   # W/(m^2 K)")
    return "\n".join(x for x in lines if x) + "\n"
