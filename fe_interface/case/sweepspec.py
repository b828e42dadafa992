"""The ``[sweep]`` table of a case file (validate stage) and key paths into a case document.

The format and what a sweep does: :mod:`fe_interface.case.sweep` (the run stage).
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fe_interface.case.checker import Checker, is_integer, is_number, type_name

__all__ = [
    "SWEEP_KEYS",
    "SweepParameter",
    "SweepSpec",
    "assign_key",
    "key_value",
    "lookup_key",
    "read_sweep",
]

#: keys of [sweep]
SWEEP_KEYS = {
    "parameters": "array of tables: key (or keys), values, name, labels (required)",
    "mode": "'product' (every combination, default) or 'zip' (the i-th values together)",
    "outputs": "selectors of the tabulated and plotted outputs (default: junction, jumps)",
    "plot": "write NAME_sweep.png (true)",
    "log_x": "logarithmic axis of the first parameter in the plot (false)",
    "run_files": "write every run's files (outputs.files) as NAME_run<i> (false)",
    "resume": "keep the finished rows of a previous run of this sweep whose case is unchanged (true)",
}
_PARAMETER_KEYS = ("key", "values", "name", "labels")
_OUTPUT_PREFIXES = ("regions.", "probes.", "boundaries.", "interfaces.", "balance.")
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class SweepParameter:
    """One swept parameter.

    Attributes:
        keys: key paths in the case document (all set to the same value).
        values: the values (numbers, strings or booleans), one run each (per mode).
        name: column name.
        labels: names of the values (plot legend), or None.
    """

    keys: tuple[str, ...]
    values: tuple[Any, ...]
    name: str
    labels: tuple[str, ...] | None = None

    def label(self, i: int) -> str:
        """The name of value ``i`` (its label, else ``name = value``)."""
        if self.labels is not None:
            return self.labels[i]
        return (
            f"{self.name} = {self.values[i]:g}"
            if is_number(self.values[i])
            else f"{self.name} = {self.values[i]}"
        )


@dataclass(frozen=True)
class SweepSpec:
    """The [sweep] table of a case (see the module docstring)."""

    parameters: tuple[SweepParameter, ...]
    mode: str = "product"
    outputs: tuple[str, ...] = ()
    plot: bool = True
    log_x: bool = False
    run_files: bool = False
    resume: bool = True

    def indices(self) -> list[tuple[int, ...]]:
        """Per run, the index of each parameter's value."""
        sizes = [len(p.values) for p in self.parameters]
        if self.mode == "zip":
            return [(i,) * len(sizes) for i in range(sizes[0])]
        return list(itertools.product(*(range(n) for n in sizes)))

    @property
    def geometry(self) -> bool:
        """True if a geometry key is swept (then every run builds its own mesh)."""
        return any(k.split(".", 1)[0] == "geometry" for p in self.parameters for k in p.keys)


# --------------------------------------------------------------------------------------
# reading [sweep]
# --------------------------------------------------------------------------------------
def _tokens(key: str) -> list[str | int] | None:
    """``a.b[2].c`` -> ["a", "b", 2, "c"] (None if malformed)."""
    out: list[str | int] = []
    pos = 0
    for m in _TOKEN.finditer(key):
        if m.start() != pos and key[pos : m.start()] != ".":
            return None
        out.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    return out if out and pos == len(key) and isinstance(out[0], str) else None


def lookup_key(data: Any, key: str) -> tuple[bool, str]:
    """(found, message) of a key path in the case document."""
    tokens = _tokens(key)
    if tokens is None:
        return False, f"malformed key path {key!r} (write table.key or array[i])"
    node = data
    done: list[str] = []
    for t in tokens:
        where = ".".join(done) or "the top level"
        if isinstance(t, int):
            if not isinstance(node, list) or t >= len(node):
                return False, f"{where} is not an array with an element [{t}]"
            node = node[t]
            done[-1] += f"[{t}]"
            continue
        if not isinstance(node, dict) or t not in node:
            keys = list(node) if isinstance(node, dict) else []
            close = difflib.get_close_matches(t, keys, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            return False, f"no value {t!r} in {where} of the case{hint}"
        node = node[t]
        done.append(t)
    if isinstance(node, (dict, list)):
        return (
            False,
            f"{key!r} is a {type_name(node)[2:] if type_name(node).startswith('a ') else type_name(node)}, not a value",
        )
    return True, ""


def assign_key(data: dict, key: str, value: Any) -> None:
    """Set the value at a key path (checked by :func:`lookup_key`)."""
    tokens = _tokens(key)
    assert tokens is not None
    node: Any = data
    for t in tokens[:-1]:
        node = node[t]
    node[tokens[-1]] = value


def _read_values(c: Checker, v: Any, path: str) -> tuple[Any, ...] | None:
    if not isinstance(v, list) or not v:
        c.error(path, f"must be a non-empty array of values, got {type_name(v)} {v!r}")
        return None
    ok = all((is_number(x) and math.isfinite(float(x))) or isinstance(x, (str, bool)) for x in v)
    if not ok:
        c.error(path, f"values must be finite numbers, strings or booleans, got {v!r}")
        return None
    if len({repr(x) for x in v}) != len(v):
        c.error(path, f"values must differ, got {v!r}")
    # integers stay integers (analysis.degree, counts), other numbers are floats
    return tuple(int(x) if is_integer(x) else float(x) if is_number(x) else x for x in v)


def _read_parameter(
    c: Checker, d: Any, path: str, data: Mapping[str, Any]
) -> SweepParameter | None:
    if not isinstance(d, dict):
        c.error(path, f"must be a table (key, values, name, labels), got {type_name(d)}")
        return None
    n0 = len(c.errors)
    c.keys(d, path, _PARAMETER_KEYS, ("key", "values"))
    keys = d.get("key")
    keys = [keys] if isinstance(keys, str) else keys
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k for k in keys):
        c.error(
            f"{path}.key", f"must be a key path (string) or an array of them, got {d.get('key')!r}"
        )
        keys = []
    for k in keys:
        if k.split(".", 1)[0] in ("sweep", "name", "outputs"):
            c.error(f"{path}.key", f"{k!r}: the {k.split('.', 1)[0]!r} of a case cannot be swept")
            continue
        found, msg = lookup_key(data, k)
        if not found:
            c.error(f"{path}.key", msg)
    values = _read_values(c, d.get("values"), f"{path}.values") if "values" in d else None
    name = c.string(d, "name", path, default=keys[0] if keys else "parameter")
    labels = None
    if "labels" in d:
        lab = d["labels"]
        if not isinstance(lab, list) or not all(isinstance(x, str) and x for x in lab):
            c.error(f"{path}.labels", f"must be an array of non-empty strings, got {lab!r}")
        elif values is not None and len(lab) != len(values):
            c.error(f"{path}.labels", f"needs one label per value ({len(values)}), got {len(lab)}")
        else:
            labels = tuple(lab)
    if len(c.errors) > n0 or values is None:
        return None
    return SweepParameter(tuple(keys), values, name, labels)


def _read_outputs(c: Checker, s: Mapping[str, Any]) -> tuple[str, ...]:
    v = s.get("outputs", [])
    if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
        c.error("sweep.outputs", f"must be an array of output names, got {v!r}")
        return ()
    for i, x in enumerate(v):
        if x != "junction_K" and not (x.startswith(_OUTPUT_PREFIXES) and x.count(".") >= 1):
            c.error(
                f"sweep.outputs[{i}]",
                f"unknown output {x!r} (junction_K, regions.R.max_K, probes.P_K, "
                "boundaries.B.heat_flow_W, interfaces.I.mean_jump_K, balance.relative_residual, ...)",
            )
    return tuple(v)


def read_sweep(c: Checker, data: Mapping[str, Any]) -> SweepSpec | None:
    """The :class:`SweepSpec` of table [sweep] of the case document ``data``.

    Errors are recorded in ``c`` with their key paths; None without a [sweep].
    """
    if "sweep" not in data:
        return None
    s = c.table(data, "sweep", "")
    if not s:
        if isinstance(data.get("sweep"), dict):
            c.error("sweep", "an empty [sweep]: give [[sweep.parameters]]")
        return None
    n0 = len(c.errors)
    c.keys(s, "sweep", tuple(SWEEP_KEYS), ("parameters",))
    mode = c.string(s, "mode", "sweep", choices=("product", "zip"), default="product")
    plist = s.get("parameters", [])
    if not isinstance(plist, list) or not plist:
        c.error(
            "sweep.parameters",
            f"must be a non-empty array of tables ([[sweep.parameters]]), got {plist!r}",
        )
        plist = []
    params = [_read_parameter(c, d, f"sweep.parameters[{i}]", data) for i, d in enumerate(plist)]
    good = [p for p in params if p is not None]
    names = [p.name for p in good]
    for i, p in enumerate(params):
        if p is not None and names.count(p.name) > 1:
            c.error(f"sweep.parameters[{i}].name", f"{p.name!r} is used by two parameters")
    if mode == "zip" and len({len(p.values) for p in good}) > 1:
        c.error(
            "sweep.parameters",
            f"mode 'zip' needs as many values for every parameter, got {[len(p.values) for p in good]}",
        )
    allkeys = [k for p in good for k in p.keys]
    for k in sorted({k for k in allkeys if allkeys.count(k) > 1}):
        c.error("sweep.parameters", f"the key {k!r} is swept twice")
    outputs = _read_outputs(c, s)
    flags = {
        k: c.boolean(s, k, "sweep", default=k in ("plot", "resume"))
        for k in ("plot", "log_x", "run_files", "resume")
    }
    if len(c.errors) > n0 or not good:
        return None
    return SweepSpec(tuple(good), mode or "product", outputs, **flags)


# --------------------------------------------------------------------------------------
# the variants


# --------------------------------------------------------------------------------------
# key paths, for other studies of a case (fe_interface.case.studies)
# --------------------------------------------------------------------------------------
def key_value(data: Any, key: str) -> Any:
    """The value at a key path (checked with :func:`lookup_key`)."""
    tokens = _tokens(key)
    assert tokens is not None
    node = data
    for t in tokens:
        node = node[t]
    return node
