"""The package's structure targets (issue 19), measured by ``tools/structure.py``.

No import cycle among the package's modules (module-level or inside functions; imports
under ``TYPE_CHECKING`` never run and do not count), no private name imported across
modules, and no module above the issue's "~600 lines" (here: 650; ``tools/structure.py``
lists every module above 600).  Complexity is ruff's (C901 in pyproject.toml).
"""

import importlib.util
from pathlib import Path

from mpi4py import MPI

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: the most lines of a module ("~600": a few dozen lines over 600 pass)
MAX_LINES = 650
#: modules allowed above 600 lines, with the reason
LONG_ALLOWED: set[str] = set()  # (geometry/rough_mesh.py was split by issue 21's barber21)

pytestmark = pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="reads files only")


@pytest.fixture(scope="module")
def structure():
    spec = importlib.util.spec_from_file_location("structure", ROOT / "tools" / "structure.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def graph(structure):
    return structure.import_graph(ROOT / "fe_interface")


def test_no_import_cycles(structure, graph):
    assert structure.strongly_connected(graph.module_level) == []
    assert structure.strongly_connected(graph.all) == []


def test_no_private_names_imported_across_modules(graph):
    assert graph.private == []


def test_modules_at_most_about_600_lines(structure):
    long = structure.long_modules(ROOT / "fe_interface")
    assert {k for k, n in long.items() if n > MAX_LINES and k not in LONG_ALLOWED} == set(), long


def test_the_measure_sees_a_cycle(structure, tmp_path):
    """The cycle and private-name detection work (a measure that cannot fail is none)."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.b import _hidden\n")
    (pkg / "b.py").write_text("def f():\n    from pkg import a\n_hidden = 1\n")
    (pkg / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n"
    )
    g = structure.import_graph(pkg)
    assert structure.strongly_connected(g.module_level) == []
    assert structure.strongly_connected(g.all) == [["pkg.a", "pkg.b"]]
    assert g.private == ["pkg.a: from pkg.b import _hidden"]
