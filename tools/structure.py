"""Measure the package's structure targets (issue 19).

Usage: ``python tools/structure.py [PACKAGE_DIR]`` (default ``fe_interface``).

Reports
- module lengths (lines) above 600,
- import cycles among the package's modules, once for module-level imports only and once
  for every import (function-level too); imports under ``if TYPE_CHECKING:`` are not
  counted (they never run). ``from pkg import name`` counts as an import of ``pkg.name``
  when that is a module, else of ``pkg`` (its ``__init__``); a package's ``__init__``
  importing its own submodules (re-exports) is counted like any other import,
- private names (``_name``) imported across modules,
- functions above McCabe complexity 10 and 15 (``ruff check --select C901``, ``noqa``
  comments ignored, so exempted functions are counted too).

Exit status 0 always: this is a measurement, the tests and ruff enforce.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

LONG = 600


def module_name(path: Path, root: Path) -> str:
    """The dotted module name of ``path`` (a file under the package directory ``root``)."""
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(tree: ast.Module, name: str, is_pkg: bool):
    """Yield ``(target, imported_names, module_level)`` for each import in ``tree``."""

    def visit(node, module_level):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    yield from visit_one(sub, module_level)
                continue
            yield from visit_one(child, module_level)

    def visit_one(child, module_level):
        if isinstance(child, ast.Import):
            for alias in child.names:
                yield alias.name, [], module_level
        elif isinstance(child, ast.ImportFrom):
            if child.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - (child.level - 1)]
                target = ".".join(base + ([child.module] if child.module else []))
            else:
                target = child.module or ""
            yield target, [a.name for a in child.names], module_level
        else:
            inner = module_level and not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            yield from visit(child, inner)

    yield from visit(tree, True)


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one node (the cycles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10000)

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            strong(v)
    return out


class ImportGraph(NamedTuple):
    """The package's imports: module -> imported modules, and the private names imported."""

    module_level: dict[str, set[str]]
    all: dict[str, set[str]]
    private: list[str]


def _targets(target: str, names: list[str], modules: dict[str, Path]) -> list[tuple[str, str]]:
    """(imported module, name) of one import: ``pkg.name`` where that is a module."""
    if not names:
        return [(target, "")]
    return [(f"{target}.{n}", "") if f"{target}.{n}" in modules else (target, n) for n in names]


def import_graph(root: Path) -> ImportGraph:
    """The imports among the modules of the package directory ``root``."""
    modules = {module_name(f, root): f for f in sorted(root.rglob("*.py"))}
    top = root.name
    graph = ImportGraph({m: set() for m in modules}, {m: set() for m in modules}, [])
    for mod, path in modules.items():
        tree = ast.parse(path.read_text())
        for target, names, module_level in imports(tree, mod, path.name == "__init__.py"):
            if not target.startswith(top):
                continue
            for t, n in _targets(target, names, modules):
                if n.startswith("_") and not n.startswith("__"):
                    graph.private.append(f"{mod}: from {target} import {n}")
                if t != mod and t in modules:
                    graph.all[mod].add(t)
                    if module_level:
                        graph.module_level[mod].add(t)
    return graph


def long_modules(root: Path) -> dict[str, int]:
    """Modules (path relative to ``root``) above :data:`LONG` lines, longest first."""
    lengths = {str(f.relative_to(root)): f.read_text().count("\n") for f in root.rglob("*.py")}
    return dict(sorted(((k, n) for k, n in lengths.items() if n > LONG), key=lambda kv: -kv[1]))


def measure(root: Path) -> dict:
    """All structure numbers of the package directory ``root``."""
    graph = import_graph(root)
    return {
        "modules": len(list(root.rglob("*.py"))),
        "long": long_modules(root),
        "cycles_module_level": strongly_connected(graph.module_level),
        "cycles_all": strongly_connected(graph.all),
        "private_imports": graph.private,
        "complexity": complexity(root),
    }


def complexity(root: Path) -> dict:
    """Functions above McCabe complexity 10 (ruff C901, noqa comments ignored)."""
    cmd = [
        str(Path(sys.executable).parent / "ruff"),
        "check",
        "--select",
        "C901",
        "--config",
        "lint.mccabe.max-complexity=10",
        "--ignore-noqa",
        "--output-format",
        "json",
        str(root),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True)
    found = []
    for item in json.loads(out.stdout or "[]"):
        msg = item["message"]  # "`name` is too complex (14 > 10)"
        value = int(msg.rsplit("(", 1)[1].split(" ")[0])
        found.append((value, f"{item['filename']}:{item['location']['row']} {msg.split()[0]}"))
    found.sort(reverse=True)
    return {
        "above_10": [f"{v} {w}" for v, w in found],
        "above_15": [f"{v} {w}" for v, w in found if v > 15],
    }


def main() -> None:
    """Print the structure numbers of the package (default ``fe_interface``)."""
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "fe_interface").resolve()
    res = measure(root)
    cwd = Path.cwd()

    def rel(p: str) -> str:
        try:
            return str(Path(p).relative_to(cwd))
        except ValueError:
            return p

    print(f"modules: {res['modules']}")
    print(f"modules above {LONG} lines: {len(res['long'])}")
    for p, n in res["long"].items():
        print(f"  {n:5d} {p}")
    for key in ("cycles_module_level", "cycles_all"):
        print(f"{key}: {len(res[key])}")
        for comp in res[key]:
            print("  " + " <-> ".join(comp))
    print(f"private names imported across modules: {len(res['private_imports'])}")
    for line in res["private_imports"]:
        print("  " + line)
    c = res["complexity"]
    print(f"functions above complexity 10: {len(c['above_10'])}; above 15: {len(c['above_15'])}")
    for line in c["above_10"]:
        value, where = line.split(" ", 1)
        print(f"  {value} {rel(where.split(':')[0])}:{where.split(':', 1)[1]}")


if __name__ == "__main__":
    main()
