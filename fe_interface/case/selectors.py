"""Output selectors of a case (``sweep.outputs``) checked against the case, before any run.

A selector names one number of a run (see :func:`fe_interface.case.sweep.flat_outputs`):
``junction_K``, ``regions.<r>.min_K|mean_K|max_K``, ``probes.<p>_K``,
``boundaries.<b>.heat_flow_W|mean_temperature_K``, ``interfaces.<i>.<column>`` (a numeric
column of the interface table), ``balance.relative_residual|sources_W|residual_W|
storage_rate_W``.  The names come from the case (its materials, probes, boundaries,
interfaces and contacts), so a selector that names nothing is found by ``fe-interface
check`` and before the first run of a sweep, not after it.
"""

from __future__ import annotations

import difflib
from typing import Any, get_type_hints

__all__ = ["unknown_outputs"]

_REGION = ("min_K", "mean_K", "max_K")
_BOUNDARY = ("heat_flow_W", "mean_temperature_K")
_BALANCE = ("relative_residual", "sources_W", "residual_W", "storage_rate_W")


def _interface_columns() -> tuple[str, ...]:
    from fe_interface.postprocessing.interfaces import InterfaceSummary

    hints = get_type_hints(InterfaceSummary)
    return tuple(k for k, t in hints.items() if t in (float, int))


def _names(case: Any) -> dict[str, list[str]]:
    """The names each kind of selector may use in ``case``."""
    contacts = [c.label for c in case.mechanics.contacts] if case.mechanics is not None else []
    return {
        "regions": list(case.materials),
        "probes": list(case.probes),
        "boundaries": [b.name for b in case.boundaries],
        "interfaces": [s.name for s in case.interfaces] + contacts,
    }


def _problem(selector: str, names: dict[str, list[str]], case: Any) -> str | None:
    """Why ``selector`` names nothing in the case (None: it names an output)."""
    if selector == "junction_K":
        return None if case.junction else "junction_K needs outputs.junction (a region)"
    kind, _, rest = selector.partition(".")
    if kind == "balance":
        return None if rest in _BALANCE else f"balance outputs: {', '.join(_BALANCE)}"
    if kind == "probes":
        name = rest.removesuffix("_K")
        if rest.endswith("_K") and name in names["probes"]:
            return None
        return f"probes: {', '.join(f'probes.{p}_K' for p in names['probes']) or 'none'}"
    name, _, column = rest.rpartition(".")
    columns = {"regions": _REGION, "boundaries": _BOUNDARY}.get(kind) or _interface_columns()
    if name not in names[kind]:
        close = difflib.get_close_matches(name, names[kind], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        if kind == "interfaces":  # many columns: the names and the columns apart
            known = f"interfaces: {', '.join(names[kind]) or 'none'}"
        else:
            known = ", ".join(f"{kind}.{n}.{c}" for n in names[kind] for c in columns) or "none"
        return f"no {kind[:-1]} {name!r}{hint} ({known})"
    if column not in columns:
        return f"no column {column!r} of {kind} (columns: {', '.join(columns)})"
    return None


def unknown_outputs(case: Any, outputs: tuple[str, ...]) -> list[tuple[str, str]]:
    """``(key path, message)`` of every selector in ``outputs`` that names nothing in ``case``.

    ``outputs`` are the selectors of ``sweep.outputs`` (their syntax already checked).
    """
    names = _names(case)
    out = []
    for i, x in enumerate(outputs):
        why = _problem(x, names, case)
        if why is not None:
            out.append((f"sweep.outputs[{i}]", f"no output {x!r} in this case: {why}"))
    return out
