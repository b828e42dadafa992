"""Summaries: the JSON file and the text table of a solution.

The derived values (junction and region temperatures, probes, boundary heat flows), the
interfaces and the energy balance.

The interface columns: ``Q_h`` = ∫ h (T⁺ − T⁻) dA, the heat flow of the interface law
(the operator that was solved, ⁺ → ⁻); ``Q_bulk+`` and ``Q_bulk-`` = ∫ −(K∇T)·n⁺ dA
evaluated with the gradient of the ⁺ and of the ⁻ side; ``Q_bulk`` = their mean.  The
bulk values converge to ``Q_h`` as the mesh is refined (their spread is a measure of the
discretisation error of the gradient at the interface).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from fe_interface.errors import on_rank0
from fe_interface.io.files import output_error, write_text
from fe_interface.postprocessing.balance import EnergyBalance
from fe_interface.postprocessing.derived import DerivedValues
from fe_interface.postprocessing.interfaces import InterfaceSummary

__all__ = ["format_table", "json_safe", "write_summary"]


def json_safe(v: Any) -> Any:
    """JSON-safe copy of ``v``.

    Non-finite floats become null (JSON has no Infinity/NaN), numpy scalars become Python
    numbers, tuples become lists.
    """
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_safe(x) for x in v]
    return v


#: what the interface heat-flow keys of the summary mean
DEFINITIONS = {
    "heat_flow_W": "Q_h = integral of h (T+ - T-) dA: the interface law's heat flow, + -> -",
    "heat_flow_bulk_plus_W": "Q_bulk+ = integral of -(K grad T).n+ dA from the + side's gradient",
    "heat_flow_bulk_minus_W": "Q_bulk- = the same from the - side's gradient",
    "Q_bulk": "the mean of Q_bulk+ and Q_bulk- (CLI table); both converge to Q_h",
    "heat_flow_gross_W": "integral of |q| dA: heat crossing in either direction (pairs: the "
    "law's flux; interfaces of one mesh: the + side's bulk flux)",
    "boundaries.heat_flow_W": "heat entering the body through the condition (energy balance term)",
    "junction.temperature_K": "maximum temperature of the junction region",
}


def write_summary(
    path: str | Path,
    interfaces: list[InterfaceSummary],
    balance: EnergyBalance | None,
    comm: Any,
    extra: dict | None = None,
    derived: DerivedValues | None = None,
) -> Path:
    """Write the summary JSON of a solution (strict JSON: NaN/Inf become null).

    The derived values (``junction``, ``regions``, ``probes``, ``boundaries``; with
    ``derived``), ``interfaces`` (one object per interface, unit in every key),
    ``energy_balance`` and ``definitions`` (what the heat-flow keys mean).  (An infinite
    mechanism conductance -- no resistance, e.g. the contact part of a bonded interface
    -- is null there and its name is listed in ``mechanisms.no_resistance``.)
    """
    path = Path(path)

    def write() -> None:
        doc = json_safe(
            (derived.as_dict() if derived is not None else {})
            | {
                "interfaces": [s._asdict() for s in interfaces],
                "energy_balance": balance._asdict() if balance is not None else None,
                "definitions": DEFINITIONS,
            }
            | (extra or {})
        )
        write_text(path, json.dumps(doc, indent=2, allow_nan=False))

    on_rank0(comm, write, lambda e: output_error(e, f"writing {path.name}"))
    return path


def _format_mechanisms(s: InterfaceSummary) -> str:
    """One line with the mechanism breakdown of an interface ('' without one)."""
    m = s.mechanisms
    if not m:
        return ""
    absent = set(m.get("no_resistance", ()))
    items = []
    for k, v in m.items():
        if k.startswith("h_"):
            name = k.removeprefix("h_").removesuffix("_W_m2K")
            items.append(f"h_{name} {'inf (no resistance)' if name in absent else f'{v:.4g}'}")
    flows = [
        f"{k.removeprefix('heat_flow_').removesuffix('_W')} {v:.4g}"
        for k, v in m.items()
        if k.startswith("heat_flow_")
    ]
    text = f"  {s.name}: " + ", ".join(items) + " W/m2K"
    if "kapitza_share" in m:
        text += f"; Kapitza share of the jump {m['kapitza_share']:.4g}"
    if flows:
        text += "; heat flow W: " + ", ".join(flows)
    return text


def format_derived(derived: DerivedValues, per_depth: bool = False) -> list[str]:
    """Lines of the derived values: the junction temperature first.

    Then the region temperatures, the probes and the boundary heat flows.  ``per_depth``:
    a 2D planar model, whose totals are per metre of depth (W/m, m²/m).
    """
    lines: list[str] = []
    j = derived.junction
    if j is not None:
        lines.append(f"junction temperature (max T in {j.region!r}): {j.max_K:.6g} K")
    vol, W = ("area m2", "W/m") if per_depth else ("volume m3", "W")
    if derived.regions:
        head = f"{'region':<16}{'min T K':>12}{'mean T K':>12}{'max T K':>12}{vol:>12}"
        lines += [head, "-" * len(head)]
        for r in derived.regions:
            lines.append(
                f"{r.region:<16}{r.min_K:>12.6g}{r.mean_K:>12.6g}{r.max_K:>12.6g}{r.volume_m3:>12.4g}"
            )
    if derived.probes:
        lines.append(f"{'probe':<16}{'T K':>12}  region, point (m)")
        for q in derived.probes:
            pt = ", ".join(f"{v:.6g}" for v in q.point)
            lines.append(f"{q.name:<16}{q.temperature_K:>12.6g}  {q.region}, ({pt})")
    if derived.boundaries:
        lines.append(f"{'boundary':<16}{'condition':<18}{'inflow ' + W:>12}{'mean T K':>12}")
        for b in derived.boundaries:
            lines.append(
                f"{b.name:<16}{b.condition:<18}{b.heat_flow_W:>12.6g}{b.mean_temperature_K:>12.6g}"
            )
    return lines


def format_table(
    interfaces: list[InterfaceSummary],
    balance: EnergyBalance | None,
    derived: DerivedValues | None = None,
    per_depth: bool = False,
) -> str:
    """The text table of a solution: derived values, interfaces, energy balance.

    With ``derived``: junction and region temperatures, probes, boundary heat flows;
    the per-interface table (Q_h, both sides' bulk heat flows and their mean; a legend
    says what they are), mechanism breakdowns and energy balance (``balance`` None: not
    computed, left out).  ``per_depth``: a 2D planar model: its totals are per metre of
    depth, and the labels say so (W/m, m²/m).
    """
    lines = format_derived(derived, per_depth) if derived is not None else []
    if interfaces:
        lines += _interface_lines(interfaces, per_depth)
    if balance is not None:
        W = "W/m" if per_depth else "W"
        if balance.time_s is not None:
            lines.append(
                f"energy balance of the last step (t = {balance.time_s:.6g} s, dt = "
                f"{balance.dt_s:.3g} s): storage {balance.storage_rate_W:.6g} {W}"
            )
        lines.append(f"sources: {balance.sources_W:.6g} {W}")
        for k, q in balance.boundary_inflow_W.items():
            lines.append(f"inflow {k}: {q:.6g} {W}")
        lines.append(f"energy balance relative residual: {balance.relative_residual:.2e}")
    if per_depth:
        lines.append("(2D planar model: heat flows, areas and volumes are per metre of depth)")
    return "\n".join(lines)


def _interface_lines(interfaces: list[InterfaceSummary], per_depth: bool = False) -> list[str]:
    """The interface table, its legend and the mechanism breakdowns."""
    a, W = ("m2/m", "W/m") if per_depth else ("m2", "W")
    head = (
        f"{'interface':<16}{'area ' + a:>11}{'mean dT K':>11}{'min dT K':>11}{'max dT K':>11}"
        f"{'Q_h ' + W:>12}{'Q_bulk+ ' + W:>13}{'Q_bulk- ' + W:>13}{'Q_bulk ' + W:>12}"
        f"{'h W/m2K':>12}"
    )
    lines = [head, "-" * len(head)]
    for s in interfaces:
        qp, qm = s.heat_flow_bulk_plus_W, s.heat_flow_bulk_minus_W
        lines.append(
            f"{s.name:<16}{s.area_m2:>11.4g}{s.mean_jump_K:>11.4g}{s.min_jump_K:>11.4g}"
            f"{s.max_jump_K:>11.4g}{s.heat_flow_W:>12.5g}{qp:>13.5g}{qm:>13.5g}"
            f"{0.5 * (qp + qm):>12.5g}{s.conductance_W_m2K:>12.5g}"
        )
    lines.append(
        "(dT = T+ - T-; Q_h = integral of h dT dA, + -> -; Q_bulk+/Q_bulk- = integral of "
        "-k grad T . n dA from the +/- side's gradient, Q_bulk = their mean)"
    )
    breakdown = [t for t in map(_format_mechanisms, interfaces) if t]
    if breakdown:
        lines.append("mechanisms (area means):")
        lines.extend(breakdown)
    return lines
