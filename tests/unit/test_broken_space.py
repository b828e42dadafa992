"""The broken Lagrange space (:mod:`fe_interface.discretisation.space`): one copy of a dof
per colour present at it.

* copy counts: a triple junction (three copies at the junction vertex in 2D, along the
  junction edge in 3D), an interface ending on a Dirichlet boundary (two copies at the
  end vertex; a fixed temperature on one side's facets fixes that side's copy only),
  a 50-layer stack (two colours), perfect contact (no duplication);
* every local copy is used by a local cell, every copy is owned by a rank with a cell
  that uses it, and interpolation sets every owned copy (x ↦ x + 2y + 100·colour);
* the global numbering has the same content on 1, 2 (``mpirun -n 2``) and 3 ranks (a
  subprocess): the multiset of (colour, dof coordinates) of the owned copies and the
  number of global dofs.

This file is also the script the 3-rank test launches:
``mpirun -n 3 python test_broken_space.py OUT`` (checks, then writes the tables).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest
from dolfinx import fem

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the helpers

from helpers.meshes import copies_at, owned_copies, tagged_box
from helpers.walls import nodal_errors, wall_exact, wall_mesh, wall_problem

from fe_interface.discretisation.formulation import Formulation
from fe_interface.model import (
    Conductance,
    FixedTemperature,
    Interface,
    Material,
    PerfectContact,
)
from fe_interface.model.model import Model
from fe_interface.problems.steady import SteadyProblem

COMM = MPI.COMM_WORLD
EPS = 1e-9


# ------------------------------------------------------------------ cases
def junction(cell: str, degree: int, comm=COMM, bc_perfect: bool = False) -> Formulation:
    """Unit square/cube: A = x < ½, B = x > ½ ∧ y > ½, C = x > ½ ∧ y < ½; resistive
    interfaces AB, AC and BC (``bc_perfect``: B and C in perfect contact)."""
    n = 8 if cell in ("triangle", "quadrilateral") else (4, 4, 2)
    tm = tagged_box(
        cell,
        n,
        {
            "A": (1, lambda x: x[0] < 0.5),
            "B": (2, lambda x: (x[0] > 0.5) & (x[1] > 0.5)),
            "C": (3, lambda x: (x[0] > 0.5) & (x[1] < 0.5)),
        },
        interfaces={"AB": (10, ("A", "B")), "AC": (11, ("A", "C")), "BC": (12, ("B", "C"))},
        comm=comm,
    )
    ifc = [Interface("AB", Conductance(4.0)), Interface("AC", Conductance(4.0))]
    ifc.append(Interface("BC", PerfectContact() if bc_perfect else Conductance(4.0)))
    model = Model(tm, {r: Material(r, 2.0) for r in "ABC"}, ifc)
    return Formulation(model, degree)


def junction_regions(x: np.ndarray, bc_perfect: bool = False) -> int:
    """How many sides (blocks) touch the point x: the expected number of copies."""
    a = x[0] <= 0.5 + EPS
    b = (x[0] >= 0.5 - EPS) & (x[1] >= 0.5 - EPS)
    c = (x[0] >= 0.5 - EPS) & (x[1] <= 0.5 + EPS)
    return int(a) + (int(b or c) if bc_perfect else int(b) + int(c))


def dirichlet_end(fixed: tuple[str, ...], comm=COMM) -> SteadyProblem:
    """Two blocks a (x < ½), b (x > ½) of the unit square, interface x = ½ ending on the
    bottom y = 0, whose two halves are "bottom_a" and "bottom_b"; ``fixed`` of those get
    350 K resp. 320 K, and "right" (x = 1) 300 K if "bottom_b" is free."""
    tm = tagged_box(
        "triangle",
        4,
        {"a": (1, lambda x: x[0] < 0.5), "b": (2, lambda x: x[0] > 0.5)},
        {
            "bottom_a": (1, lambda x: np.isclose(x[1], 0.0) & (x[0] < 0.5 + EPS)),
            "bottom_b": (2, lambda x: np.isclose(x[1], 0.0) & (x[0] > 0.5 - EPS)),
            "right": (3, lambda x: np.isclose(x[0], 1.0)),
        },
        {"ab": (10, ("a", "b"))},
        comm=comm,
    )
    value = {"bottom_a": 350.0, "bottom_b": 320.0}
    bcs = [FixedTemperature(name, value[name]) for name in fixed]
    if "bottom_b" not in fixed:
        bcs.append(FixedTemperature("right", 300.0))
    mats = {"a": Material("a", 1.0), "b": Material("b", 3.0)}
    ifc = [Interface("ab", Conductance(2.0), plus="a")]
    return SteadyProblem(tm, mats, ifc, bcs, solver="direct")


def stack(layers: int = 50, comm=COMM) -> SteadyProblem:
    """``layers`` equal layers of a unit wall, k and h varying, one cell per layer."""
    L = tuple(np.full(layers, 1.0 / layers))
    k = tuple(1.0 + (i % 3) for i in range(layers))
    h = tuple(5.0 + i for i in range(layers - 1))
    return wall_problem(wall_mesh(L, "triangle", 1, comm=comm), k, h, solver="direct")


def stack_exact(layers: int = 50):
    L = tuple(np.full(layers, 1.0 / layers))
    k = tuple(1.0 + (i % 3) for i in range(layers))
    h = tuple(5.0 + i for i in range(layers - 1))
    return wall_exact(L, k, h, 400.0, 300.0)


def dirichlet_rows(f: Formulation) -> np.ndarray:
    """(colour, x, y, z) of the fixed copies of all ranks, sorted."""
    imap = f.space.dofmap.index_map
    fixed = np.zeros(imap.size_local + imap.num_ghosts)
    for g in f.dirichlet:
        fixed[g.bc.dof_indices()[0]] = 1.0
    rows = owned_copies(f.space, f.broken.colour, fixed)
    return rows[rows[:, 4] > 0, :4]


# ------------------------------------------------------------------ checks (also run by the script)
def check_usage_and_ownership(f: Formulation) -> None:
    """Every local copy is used by a local cell (no inactive copies), hence every owned
    copy by a cell of its owner."""
    V = f.space
    imap = V.dofmap.index_map
    used = np.unique(V.dofmap.list)
    assert np.array_equal(used, np.arange(imap.size_local + imap.num_ghosts))
    assert f.broken.original.size == f.broken.colour.size == used.size


def check_interpolation(f: Formulation) -> None:
    """Interpolating x + 2y + 100·c (c the region's colour) region by region sets every
    owned copy to its own side's value, and the ghosts agree with their owners."""
    model = f.model
    T = fem.Function(f.space)
    for r in model.regions:
        c = f.colouring.colour_of_region[r]
        T.interpolate(lambda x, c=c: x[0] + 2.0 * x[1] + 100.0 * c, cells0=model.region_cells(r))
    before = T.x.array.copy()
    T.x.scatter_forward()
    X = f.space.tabulate_dof_coordinates()
    expected = X[:, 0] + 2.0 * X[:, 1] + 100.0 * f.broken.colour
    n = f.space.dofmap.index_map.size_local
    assert np.abs(T.x.array[:n] - expected[:n]).max(initial=0.0) < 1e-12
    assert np.abs(T.x.array - before).max(initial=0.0) < 1e-12  # ghosts set consistently
    assert np.abs(T.x.array - expected).max(initial=0.0) < 1e-12


def check_global_count(f: Formulation, rows: np.ndarray) -> None:
    """Each copy is owned exactly once: the owned copies of all ranks are the global
    dofs, and their distinct points are the continuous dofs."""
    assert rows.shape[0] == f.broken.num_global
    assert np.unique(rows[:, 1:4], axis=0).shape[0] == f.broken.num_original_global


# ------------------------------------------------------------------ copy counts
@pytest.mark.parametrize(
    ("cell", "degree", "bc_perfect"),
    [
        ("triangle", 1, False),
        ("triangle", 2, False),
        ("quadrilateral", 3, False),
        ("tetrahedron", 1, False),
        ("hexahedron", 2, False),
        ("triangle", 2, True),
    ],
)
def test_triple_junction_copy_counts(cell, degree, bc_perfect):
    """Every dof has one copy per side touching it, each of another colour: three at the
    junction (vertex in 2D, edge in 3D), two elsewhere on the interfaces (also where they
    meet the outer boundary); with B–C in perfect contact two colours suffice."""
    f = junction(cell, degree, bc_perfect=bc_perfect)
    assert f.broken.num_colours == (2 if bc_perfect else 3)
    rows = owned_copies(f.space, f.broken.colour)
    check_global_count(f, rows)
    points, count = np.unique(rows[:, 1:4], axis=0, return_counts=True)
    expected = np.array([junction_regions(p, bc_perfect) for p in points])
    assert np.array_equal(count, expected)
    # the copies of one dof have distinct colours: no (colour, point) twice
    assert np.unique(rows, axis=0).shape[0] == rows.shape[0]
    junction_copies = 2 if bc_perfect else 3
    zs = (0.0,) if f.mesh.geometry.dim == 2 else (0.0, 0.5, 1.0)
    for z in zs:
        assert copies_at(rows, (0.5, 0.5, z)).size == junction_copies
        assert copies_at(rows, (0.5, 1.0, z)).size == 2  # AB meets the outer boundary
        assert copies_at(rows, (1.0, 0.5, z)).size == (1 if bc_perfect else 2)
        assert copies_at(rows, (0.25, 0.5, z)).size == 1
    check_usage_and_ownership(f)
    check_interpolation(f)


@pytest.mark.parametrize("fixed", [("bottom_a",), ("bottom_a", "bottom_b")])
def test_interface_ending_on_dirichlet_boundary(fixed):
    """The end vertex (½, 0) of the interface has two copies; a fixed temperature on one
    side's facets fixes that side's copy only, on both sides both (each its value)."""
    p = dirichlet_end(fixed)
    p.run()
    f = p.formulation
    rows = owned_copies(f.space, f.broken.colour, p.T.x.array)
    colour = {r: f.colouring.colour_of_region[f.model.region_tag(r, "region")] for r in "ab"}
    end = np.all(np.abs(rows[:, 1:4] - [0.5, 0.0, 0.0]) < EPS, axis=1)
    assert sorted(rows[end, 0].astype(int)) == sorted(colour.values())
    T_end = {int(c): T for c, T in rows[end][:, [0, 4]]}
    fixed_end = copies_at(dirichlet_rows(f), (0.5, 0.0))
    if fixed == ("bottom_a",):
        assert fixed_end.tolist() == [colour["a"]]
        assert T_end[colour["a"]] == pytest.approx(350.0, abs=1e-10)
        assert abs(T_end[colour["b"]] - 350.0) > 1.0  # free: the jump is there
    else:
        assert fixed_end.tolist() == sorted(colour.values())
        assert T_end[colour["a"]] == pytest.approx(350.0, abs=1e-10)
        assert T_end[colour["b"]] == pytest.approx(320.0, abs=1e-10)
    # elsewhere on the bottom: one copy each, fixed on the sides given
    fixed_rows = dirichlet_rows(f)
    assert copies_at(fixed_rows, (0.25, 0.0)).tolist() == [colour["a"]]
    assert copies_at(fixed_rows, (0.75, 0.0)).size == (1 if "bottom_b" in fixed else 0)
    (s,) = p.interface_table()
    assert s.max_jump_K > 1.0
    assert p.energy_balance().relative_residual < 1e-10


def test_fifty_layer_stack_needs_two_colours():
    """50 layers, 49 resistive interfaces: two colours; each of the 4 vertices of every
    interface line has two copies; the field is the exact 1D one."""
    p = stack(50)
    p.run()
    f = p.formulation
    assert f.broken.num_colours == 2
    assert f.broken.num_original_global == 51 * 4
    assert f.broken.num_global == 51 * 4 + 49 * 4
    rows = owned_copies(f.space, f.broken.colour)
    check_global_count(f, rows)
    for i in range(1, 50):
        assert copies_at(rows, (i / 50, 1.0 / 3.0)).tolist() == [0, 1]
    assert copies_at(rows, (0.0, 0.0)).size == copies_at(rows, (1.0, 1.0)).size == 1
    _, T = stack_exact(50)
    assert nodal_errors(p, T, 50) <= 1e-9


@pytest.mark.parametrize("law", ["perfect", "untagged"])
def test_perfect_contact_has_one_copy(law):
    """Regions in perfect contact (a PerfectContact interface, or facets no interface
    names) form one block: one colour, the continuous space (no duplication)."""
    tm = wall_mesh((0.5, 0.5), "quadrilateral", 4)
    ifc = [Interface("i0", PerfectContact())] if law == "perfect" else []
    model = Model(tm, {"m0": Material("a", 1.0), "m1": Material("b", 3.0)}, ifc)
    f = Formulation(model, 2)
    assert f.broken.num_colours == 1 and f.coupling is None
    assert f.broken.num_global == f.broken.num_original_global
    imap = f.space.dofmap.index_map
    assert np.array_equal(f.broken.original, np.arange(imap.size_local + imap.num_ghosts))
    rows = owned_copies(f.space, f.broken.colour)
    assert copies_at(rows, (0.5, 0.5)).tolist() == [0]


# ------------------------------------------------------------------ parallel numbering
def _tables(comm) -> dict[str, np.ndarray]:
    """The partition-independent tables of every case, built on ``comm`` (collective):
    owned copies (colour, x, y, z) and, for the Dirichlet case, the fixed copies; the
    usage, ownership and interpolation checks run on the way."""
    out = {}
    for name, f in (
        ("junction_tri_p2", junction("triangle", 2, comm)),
        ("junction_tet_p1", junction("tetrahedron", 1, comm)),
        ("junction_hex_p2", junction("hexahedron", 2, comm)),
    ):
        out[name] = owned_copies(f.space, f.broken.colour)
        check_global_count(f, out[name])
        check_usage_and_ownership(f)
        check_interpolation(f)
    p = stack(50, comm)
    p.initialise()
    out["stack50"] = owned_copies(p.formulation.space, p.formulation.broken.colour)
    check_usage_and_ownership(p.formulation)
    p = dirichlet_end(("bottom_a",), comm)
    p.initialise()
    out["dirichlet_end"] = owned_copies(p.formulation.space, p.formulation.broken.colour)
    out["dirichlet_end_fixed"] = dirichlet_rows(p.formulation)
    return out


@pytest.fixture(scope="module")
def serial_tables():
    return _tables(MPI.COMM_SELF)


@pytest.mark.skipif(COMM.size == 1, reason="compares COMM_WORLD with COMM_SELF: run under MPI")
def test_numbering_same_content_as_serial(serial_tables):
    """Under MPI: the same (colour, coordinates) multiset of owned copies, the same number
    of global dofs and the same fixed copies as on one process."""
    par = _tables(COMM)
    assert sorted(par) == sorted(serial_tables)
    for name, table in par.items():
        assert table.shape == serial_tables[name].shape, name
        np.testing.assert_allclose(table, serial_tables[name], rtol=0, atol=1e-12, err_msg=name)


@pytest.mark.skipif(COMM.size > 1, reason="launches mpirun -n 3 itself")
def test_numbering_same_content_on_three_ranks(serial_tables, tmp_path):
    """Three ranks (a subprocess under mpirun): the checks pass on every rank and the
    tables equal the serial ones."""
    mpirun = shutil.which("mpirun", path=str(Path(sys.executable).parent)) or "mpirun"
    cmd = [mpirun, "-n", "3", sys.executable, __file__, str(tmp_path)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    with np.load(tmp_path / "tables.npz") as z:
        par = {k: z[k] for k in z.files}
    assert sorted(par) == sorted(serial_tables)
    for name, table in par.items():
        assert table.shape == serial_tables[name].shape, name
        np.testing.assert_allclose(table, serial_tables[name], rtol=0, atol=1e-12, err_msg=name)
    assert int(par["dirichlet_end"].shape[0]) > 0


if __name__ == "__main__":
    tables = _tables(COMM)
    if COMM.rank == 0:
        np.savez(Path(sys.argv[1]) / "tables.npz", **tables)
