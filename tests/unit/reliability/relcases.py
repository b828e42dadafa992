"""Shared inputs of the reliability tests: a small valid case, and helpers to spoil it.

Imported by the tests of ``tests/unit/reliability`` and ``tests/system/reliability``
(both put this folder on ``sys.path``).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from helpers.cases import with_key

#: a valid steady case: two 1 cm layers (quadrilaterals), a contact resistance
BASE: dict[str, Any] = {
    "name": "rel",
    "geometry": {
        "builder": "layered_stack",
        "parameters": {
            "thicknesses": [0.01, 0.01],
            "width": 0.01,
            "dim": 2,
            "names": ["a", "b"],
            "cell_type": "hex",
            "mesh_size": 0.0025,
        },
    },
    "materials": {
        "a": {"conductivity": 10.0, "density": 1000.0, "specific_heat": 500.0},
        "b": {"conductivity": 20.0, "density": 1000.0, "specific_heat": 500.0},
    },
    "interfaces": {"interface0": {"law": "resistance", "R": 1e-4, "plus": "a"}},
    "boundaries": {
        "x0": {"type": "temperature", "value": 300.0},
        "x1": {"type": "heat_flux", "value": 1e4},
    },
    "solver": {"type": "direct"},
    "outputs": {"files": ["xdmf", "summary"]},
}

#: the transient twin
TRANSIENT: dict[str, Any] = copy.deepcopy(BASE) | {
    "analysis": {"type": "transient", "t_end": 0.5, "dt": 0.1, "initial_temperature": 300.0}
}


spoil = with_key  # a deep copy with one key replaced (DELETE removes it)


def toml_value(v: Any) -> str:
    """A TOML literal of a Python value (numbers, strings, booleans, lists, dicts)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(float(v)) if isinstance(v, float) else str(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f'"{k}" = {toml_value(x)}' for k, x in v.items()) + " }"
    raise TypeError(type(v))


def write_toml(path: Path, case: dict[str, Any]) -> Path:
    """Write ``case`` as a TOML file (top-level scalars, then one table per key)."""
    lines = [f"{k} = {toml_value(v)}" for k, v in case.items() if not isinstance(v, dict)]
    for k, v in case.items():
        if isinstance(v, dict):
            lines.append(f"[{k}]")
            lines += [f'"{kk}" = {toml_value(vv)}' for kk, vv in v.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
