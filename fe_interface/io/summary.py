"""Summaries: the JSON file and the text table of interfaces and the energy balance."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from fe_interface.errors import on_rank0
from fe_interface.io.files import output_error, write_text
from fe_interface.postprocessing.balance import EnergyBalance
from fe_interface.postprocessing.interfaces import InterfaceSummary

__all__ = ["json_safe", "write_summary", "format_table"]


def json_safe(v: Any) -> Any:
    """JSON-safe copy: non-finite floats become null (JSON has no Infinity/NaN), numpy
    scalars become Python numbers, tuples become lists."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_safe(x) for x in v]
    return v


def write_summary(
    path: str | Path,
    interfaces: list[InterfaceSummary],
    balance: EnergyBalance | None,
    comm: Any,
    extra: dict | None = None,
) -> Path:
    """JSON with ``interfaces`` (one object per interface, unit in every key) and
    ``energy_balance``; NaN/Inf become null, so the file is strict JSON.  (An infinite
    mechanism conductance -- no resistance, e.g. the contact part of a bonded interface --
    is null there and its name is listed in ``mechanisms.no_resistance``.)"""
    path = Path(path)

    def write() -> None:
        doc = json_safe(
            {
                "interfaces": [s._asdict() for s in interfaces],
                "energy_balance": balance._asdict() if balance is not None else None,
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


def format_table(interfaces: list[InterfaceSummary], balance: EnergyBalance | None) -> str:
    """Human-readable per-interface table, mechanism breakdowns and energy balance
    (``balance`` None: not computed, left out)."""
    head = (
        f"{'interface':<16}{'area m2':>11}{'mean dT K':>11}{'min dT K':>11}{'max dT K':>11}"
        f"{'Q_h W':>12}{'Q_bulk W':>12}{'h W/m2K':>12}"
    )
    lines = [head, "-" * len(head)]
    for s in interfaces:
        qb = 0.5 * (s.heat_flow_bulk_plus_W + s.heat_flow_bulk_minus_W)
        lines.append(
            f"{s.name:<16}{s.area_m2:>11.4g}{s.mean_jump_K:>11.4g}{s.min_jump_K:>11.4g}"
            f"{s.max_jump_K:>11.4g}{s.heat_flow_W:>12.5g}{qb:>12.5g}{s.conductance_W_m2K:>12.5g}"
        )
    breakdown = [t for t in map(_format_mechanisms, interfaces) if t]
    if breakdown:
        lines.append("mechanisms (area means):")
        lines.extend(breakdown)
    if balance is None:
        return "\n".join(lines)
    if balance.time_s is not None:
        lines.append(
            f"energy balance of the last step (t = {balance.time_s:.6g} s, dt = "
            f"{balance.dt_s:.3g} s): storage {balance.storage_rate_W:.6g} W"
        )
    lines.append(f"sources: {balance.sources_W:.6g} W")
    for k, q in balance.boundary_inflow_W.items():
        lines.append(f"inflow {k}: {q:.6g} W")
    lines.append(f"energy balance relative residual: {balance.relative_residual:.2e}")
    return "\n".join(lines)
