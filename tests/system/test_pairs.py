"""Non-matching interface pairs against exact solutions (issue 23, item 2).

* patch test: a linear temperature across a planar non-matching interface with finite h,
  triangles, quadrilaterals, tetrahedra, hexahedra, P1 and P2, mesh ratio 1:3 (nested)
  and non-nested (warped), reproduced to 1e-10 — the mortar segments integrate both
  sides' shape functions exactly;
* tied surfaces (h = inf, and h = 1e14): Nitsche's method, the same field (stable in h);
* unmeshed cylindrical and spherical gaps (radii 1 -> 2) with the conducting-shell law:
  the exact heat flow within 1e-3; the planar law k/δ gives −31 % / +39 % on the two
  surfaces of the cylindrical gap (its documented error);
* temperature-dependent h: Newton to the exact 1D solution; transient: heat conserved;
* conservation |Q_A − Q_B| / |Q| ≤ 1e-10 (from the assembled term) in every test.
"""

import math

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem
from helpers.parts import Linear, nodal_error, two_blocks

import fe_interface as fi
from fe_interface.geometry.parts import concentric_parts
from fe_interface.model.laws.gap import GapConduction
from fe_interface.model.pairs import InterfacePair

KA, KB = 2.0, 5.0


def conserved(problem, rtol=1e-10):
    """The pair's row of the table; the heat leaving A equals the heat entering B."""
    row = next(r for r in problem.interface_table() if "conservation_relative" in r.mechanisms)
    m = row.mechanisms
    assert m["conservation_relative"] <= rtol, m
    assert abs(m["heat_flow_leaving_A_W"] - row.heat_flow_W) <= 1e-9 * abs(row.heat_flow_W)
    return row


def solve_blocks(tagged, law, exact, degree, **pair):
    p = fi.SteadyProblem(
        tagged,
        {"a": fi.Material("a", KA), "b": fi.Material("b", KB)},
        interfaces=[InterfacePair(("a_right", "b_left"), law, **pair)],
        boundary_conditions=[
            fi.FixedTemperature("a_outer", exact.A),
            fi.FixedTemperature("a_left", exact.A),
            fi.FixedTemperature("b_outer", exact.B),
        ],
        solver="direct",
        degree=degree,
    )
    p.run()
    return p


PATCH_2D = [
    (cell, degree, n_b, warp)
    for cell in ("triangle", "quadrilateral")
    for degree in (1, 2)
    for n_b, warp in (([6, 9], 0.0), ([5, 7], 0.3))  # 1:3 nested; non-nested
]


@pytest.mark.parametrize(("cell", "degree", "n_b", "warp"), PATCH_2D)
def test_patch_2d(cell, degree, n_b, warp):
    exact = Linear(KA, KB, h=3.0)
    t = two_blocks(cell, [2, 3], n_b, warp)
    p = solve_blocks(t, fi.Conductance(3.0), exact, degree)
    assert nodal_error(p, exact) < 1e-10
    row = conserved(p)
    assert row.heat_flow_W == pytest.approx(exact.q, rel=1e-10)
    assert row.mean_jump_K == pytest.approx(exact.q / 3.0, rel=1e-10)
    assert row.area_m2 == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("cell", ["tetrahedron", "hexahedron"])
@pytest.mark.parametrize("degree", [1, 2])
def test_patch_3d(cell, degree):
    exact = Linear(KA, KB, h=3.0)
    t = two_blocks(cell, [1, 1, 1], [2, 3, 3], warp=0.3)  # 1:3 across, non-nested
    p = solve_blocks(t, fi.Conductance(3.0), exact, degree, integration="symmetric")
    assert nodal_error(p, exact) < 1e-10
    row = conserved(p)
    assert row.heat_flow_W == pytest.approx(exact.q, rel=1e-10)
    assert row.mechanisms["matched_area_B_m2"] == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("law", [fi.PerfectContact(), fi.Conductance(1e14)])
def test_tied_surfaces_stable_as_h_grows(law):
    exact = Linear(KA, KB, h=math.inf)
    t = two_blocks("triangle", [2, 3], [5, 7], 0.3)
    p = solve_blocks(t, law, exact, 2)
    assert nodal_error(p, exact) < 1e-10
    assert p.run().solve.true_residual < 1e-12
    conserved(p)


@pytest.mark.parametrize("integration", ["symmetric", "one-sided"])
@pytest.mark.parametrize("projection", ["normal", "closest"])
def test_patch_options(projection, integration):
    exact = Linear(KA, KB, h=3.0)
    t = two_blocks("triangle", [2, 3], [5, 7], 0.3)
    p = solve_blocks(
        t, fi.Conductance(3.0), exact, 1, projection=projection, integration=integration
    )
    assert nodal_error(p, exact) < 1e-10
    conserved(p)


# ---------------------------------------------------------------------- unmeshed gaps
R0, R1, R2, R3 = 0.5, 1.0, 2.0, 2.5  # inner body R0..R1, gap R1..R2, outer body R2..R3
K_GAS = 0.5
T_IN, T_OUT = 301.0, 300.0


def gap_problem(geometry, law_geometry, integration="one-sided", surfaces=("a_outer", "b_inner")):
    half = geometry == "sphere"
    t = concentric_parts([(R0, R1), (R2, R3)], ["a", "b"], [0.3, 0.5], order=2, half=half)
    law = GapConduction(K_GAS, geometry=law_geometry, axis=(0, 1, 0) if half else (0, 0, 1))
    pair = InterfacePair(surfaces, law, search_distance=1.5, integration=integration)
    p = fi.SteadyProblem(
        t,
        {"a": fi.Material("a", 3.0), "b": fi.Material("b", 2.0)},
        interfaces=[pair],
        boundary_conditions=[
            fi.FixedTemperature("a_inner", T_IN),
            fi.FixedTemperature("b_outer", T_OUT),
        ],
        solver="direct",
        degree=2,
        axisymmetric=half,
    )
    p.run()
    return p


def shell_resistance(geometry, a, b, k):
    """Resistance (K/W) of a cylindrical (per unit length) or spherical shell a..b."""
    if geometry == "cylinder":
        return math.log(b / a) / (2 * math.pi * k)
    return (1 / a - 1 / b) / (4 * math.pi * k)


@pytest.mark.parametrize("geometry", ["cylinder", "sphere"])
@pytest.mark.parametrize("integration", ["symmetric", "one-sided"])
def test_curvature_corrected_gap_law(geometry, integration):
    p = gap_problem(geometry, geometry, integration)
    R = (
        shell_resistance(geometry, R0, R1, 3.0)
        + shell_resistance(geometry, R1, R2, K_GAS)
        + shell_resistance(geometry, R2, R3, 2.0)
    )
    row = conserved(p)
    assert row.heat_flow_W == pytest.approx((T_IN - T_OUT) / R, rel=1e-3)
    assert row.mechanisms["mean_gap_m"] == pytest.approx(R2 - R1, rel=1e-3)


@pytest.mark.parametrize(
    ("surfaces", "ratio"),
    [(("a_outer", "b_inner"), math.log(2.0)), (("b_inner", "a_outer"), 2 * math.log(2.0))],
)
def test_planar_gap_law_on_a_cylinder_is_planar(surfaces, ratio):
    """k/δ integrated on the inner surface (area 2π r1) or the outer (2π r2): the gap's
    conductance 2π r k/δ instead of 2π k/ln(r2/r1): ln 2 = 0.69 (−31 %), 2 ln 2 = 1.39 (+39 %)."""
    p = gap_problem("cylinder", "planar", "one-sided", surfaces)
    g_exact = 2 * math.pi * K_GAS / math.log(R2 / R1)  # W/(m K), per unit length
    g_planar = ratio * g_exact
    R = shell_resistance("cylinder", R0, R1, 3.0) + shell_resistance("cylinder", R2, R3, 2.0)
    row = conserved(p)
    Q = (T_IN - T_OUT) / (R + 1 / g_planar)
    assert abs(row.heat_flow_W) == pytest.approx(Q, rel=1e-3)


# ---------------------------------------------------------------------- nonlinear, transient
class MeanTemperatureLaw:
    """h = a + b (T⁺ + T⁻)/2, W/(m² K) (positive for T > 0)."""

    temperature_dependent = True

    def __init__(self, a, b):
        self.a, self.b = a, b

    def conductance(self, Tp, Tm):
        return self.a + self.b * 0.5 * (Tp + Tm)


def test_temperature_dependent_law_newton_exact():
    """1D: q = −k_A s fixed by the Dirichlet data, the jump d solves q = h(T_m) d."""
    law = MeanTemperatureLaw(0.1, 0.01)
    kA, kB, s = KA, KB, -1.3
    q = -kA * s
    TA1 = 300.0 + s  # T_A at x = 1; T_m = TA1 - d/2: (b/2) d² − (a + b TA1) d + q = 0
    c = law.a + law.b * TA1
    d = (c - math.sqrt(c * c - 2 * law.b * q)) / law.b
    exact = Linear(kA, kB, h=q / d, t=(0.0, 0.0))
    t = two_blocks("quadrilateral", [2, 2], [3, 5], 0.3)
    p = solve_blocks(t, law, exact, 1)
    assert p.formulation.nonlinear
    assert nodal_error(p, exact) < 1e-8  # Newton stops at |F| <= 1e-9 W (snes_atol)
    assert p.run().solve.newton_iterations >= 2
    conserved(p)


def transient_pair(kA=KA, n_a=(2, 2), n_b=(3, 4)):
    """Two blocks at 350 K and 300 K, insulated, coupled by h = 50 W/(m² K)."""
    t = two_blocks("triangle", list(n_a), list(n_b), 0.3)
    mats = {
        m: fi.Material(m, k, density=1000.0, specific_heat=500.0) for m, k in (("a", kA), ("b", KB))
    }
    return fi.TransientProblem(
        t,
        mats,
        interfaces=[InterfacePair(("a_right", "b_left"), fi.Conductance(50.0), name="joint")],
        initial_temperature={"a": 350.0, "b": 300.0},
        solver="direct",
    )


def test_transient_pair_conserves_heat():
    """Two blocks at 350 K and 300 K, insulated, coupled by h: the mean temperature and the
    stored heat are conserved every step; the pair's heat flow is in the time series."""
    p = transient_pair()
    res = p.run(t_end=200.0, dt=50.0)
    hist = res.history
    assert "joint_heat_flow_W" in hist and np.all(np.asarray(hist["joint_heat_flow_W"]) > 0)
    stored = 1000.0 * 500.0 * (350.0 + 300.0)  # J per metre of depth: ρ c_p Σ V T
    assert np.abs(hist["balance_residual_J"]).max() < 1e-13 * stored
    moved = np.sum(np.asarray(hist["joint_heat_flow_W"]) * np.asarray(hist["dt_s"]))
    assert 0 < moved < 1000.0 * 500.0 * 25.0  # less than what equalising would move
    # equal heat capacities and volumes: the mean stays 325 K
    T = p.T.x.array
    f = p.formulation
    total = fem.assemble_scalar(fem.form(p.T * ufl.dx(domain=f.mesh)))
    mean = f.comm.allreduce(total, op=MPI.SUM) / 2.0
    assert mean == pytest.approx(325.0, rel=1e-10)
    assert np.all(np.isfinite(T))
    conserved(p)


# ---------------------------------------------------------------------- bad input
def blocks_problem(pairs, b_from=1.0, bcs=None):
    t = two_blocks("triangle", [2, 2], [3, 3], 0.2, b_from=b_from)
    return fi.SteadyProblem(
        t,
        {"a": fi.Material("a", KA), "b": fi.Material("b", KB)},
        interfaces=pairs,
        boundary_conditions=bcs or [fi.FixedTemperature("a_outer", 300.0)],
        solver="direct",
    )


@pytest.mark.parametrize(
    ("pairs", "b_from", "match"),
    [
        ([InterfacePair(("a_left", "b_left"), fi.Conductance(1.0), search_distance=1.5)], 1.0,
         "do not face each other"),
        ([InterfacePair(("a_right", "b_left"), fi.Conductance(1.0), search_distance=0.1)], 1.5,
         "search distance 0.1 m finds no facet"),
        ([InterfacePair(("a_right", "b_left"), fi.Conductance(1.0), search_distance=0.5)], 0.7,
         "penetrating parts"),
        ([InterfacePair(("a_right", "b_left"), fi.Conductance(1.0)),
          InterfacePair(("b_left", "a_right"), fi.Conductance(2.0), name="again")], 1.0,
         "listed twice"),
        ([InterfacePair(("a_right", "nowhere"), fi.Conductance(1.0))], 1.0, "nowhere"),
        ([InterfacePair(("a_right", "a_outer"), fi.Conductance(1.0))], 1.0,
         "also carries the boundary condition"),
    ],
)  # fmt: skip
def test_bad_pairs_named(pairs, b_from, match):
    p = blocks_problem(pairs, b_from)
    with pytest.raises(fi.InputError, match=match) as e:
        p.initialise()
    assert "interface pair" in str(e.value)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"surfaces": ("a", "a")}, "the same facet group"),
        ({"surfaces": "a"}, "two facet groups"),
        ({"projection": "along"}, "projection must be one of"),
        ({"integration": "both"}, "integration must be one of"),
        ({"search_distance": -1.0}, r"search_distance \(m\) must be > 0"),
        ({"penalty": 0.0}, "penalty must be > 0"),
        ({"law": 3.0}, "give the law as Conductance"),
        ({"law": object()}, "is not an interface law"),
    ],
)
def test_bad_pair_specs_named(kw, match):
    args = {"surfaces": ("a_right", "b_left"), "law": fi.Conductance(1.0)} | kw
    with pytest.raises(fi.InputError, match=match):
        InterfacePair(**args)


# ---------------------------------------------------------------------- h(g), h(P)
def test_gap_table_reads_the_computed_gap():
    """B starts at x = 1.2: a planar gap of 0.2 m; the table h(g) = 10 − 20 g (W/(m² K),
    linear between its points) is read at the gap the search computes: h = 6."""
    from fe_interface.model.laws.tabulated import ConductanceTable

    table = ConductanceTable("gap", [0.0, 0.5], [10.0, 0.0])
    exact = _shifted_linear(h=6.0, shift=0.2)
    t = two_blocks("quadrilateral", [2, 3], [3, 4], 0.3, b_from=1.2)
    p = _solve_shifted(t, table, exact, search_distance=0.3)
    assert nodal_error(p, exact) < 1e-10
    row = conserved(p)
    assert row.mechanisms["mean_gap_m"] == pytest.approx(0.2, rel=1e-12)
    assert row.mechanisms["h_mean_W_m2K"] == pytest.approx(6.0, rel=1e-12)


def test_pressure_table_reads_the_pair_pressure():
    """h(P) from a table against pressure, at the pair's pressure P(x) (a function of x)."""
    from fe_interface.model.laws.tabulated import ConductanceTable

    table = ConductanceTable("pressure", [1.0e5, 1.0e6], [100.0, 1000.0])
    exact = Linear(KA, KB, h=550.0)
    t = two_blocks("triangle", [2, 3], [5, 7], 0.3)
    p = solve_blocks(t, table, exact, 1, pressure=lambda x: 5.5e5 + 0 * x[0])
    assert nodal_error(p, exact) < 1e-10
    conserved(p)


class _Shifted(Linear):
    """:class:`Linear` with B moved by ``shift`` along x (a gap between the blocks)."""

    def __init__(self, h, shift):
        super().__init__(KA, KB, h)
        self.shift = shift

    def B(self, x):
        y = np.array(x, dtype=float)
        y[0] = y[0] - self.shift
        return super().B(y)


def _shifted_linear(h, shift):
    return _Shifted(h, shift)


def _solve_shifted(t, law, exact, **pair):
    p = fi.SteadyProblem(
        t,
        {"a": fi.Material("a", KA), "b": fi.Material("b", KB)},
        interfaces=[InterfacePair(("a_right", "b_left"), law, **pair)],
        boundary_conditions=[
            fi.FixedTemperature("a_outer", exact.A),
            fi.FixedTemperature("a_left", exact.A),
            fi.FixedTemperature("b_outer", exact.B),
        ],
        solver="direct",
    )
    p.run()
    return p


def test_conforming_interface_and_pair_in_one_model():
    """A part with two regions and a conforming interface (x = 0.5, h₁) next to a part
    meshed separately, coupled by a pair (x = 1, h₂): the 1D solution, both jumps."""
    from dolfinx import mesh as dmesh

    from fe_interface.mesh.parts import join_parts

    comm = MPI.COMM_WORLD
    h1, h2, q = 4.0, 2.5, 3.0
    k = {"a": 2.0, "m": 3.0, "b": 5.0}
    parts = None
    if comm.rank == 0:
        m = dmesh.create_rectangle(
            MPI.COMM_SELF, [[0, 0], [1, 1]], [4, 3], dmesh.CellType.quadrilateral
        )
        left = fi.tag_mesh(
            m,
            cells={"a": (1, lambda x: x[0] < 0.5), "m": (2, lambda x: x[0] > 0.5)},
            boundaries={
                "x0": (1, lambda x: np.isclose(x[0], 0.0)),
                "a_right": (2, lambda x: np.isclose(x[0], 1.0)),
            },
            interfaces={"mid": (3, ("a", "m"))},
        )
        from helpers.parts import block

        parts = [left, block(1.0, [3, 5], "quadrilateral", "b", "b_left", 0.3)]
    t = join_parts(parts, comm)

    def T_B(x):  # q flows in +x: T drops by q L/k in each layer and q/h at each interface
        drop = q * (0.5 / k["a"] + 0.5 / k["m"] + (x[0] - 1.0) / k["b"]) + q / h1 + q / h2
        return 350.0 - drop  # on B's boundary, its corners at x = 1 included

    p = fi.SteadyProblem(
        t,
        {r: fi.Material(r, v) for r, v in k.items()},
        interfaces=[
            fi.Interface("mid", fi.Conductance(h1), plus="a"),
            InterfacePair(("a_right", "b_left"), fi.Conductance(h2), name="pair"),
        ],
        boundary_conditions=[fi.FixedTemperature("x0", 350.0), fi.FixedTemperature("b_outer", T_B)],
        solver="direct",
    )
    p.run()
    rows = {r.name: r for r in p.interface_table()}
    assert rows["mid"].mean_jump_K == pytest.approx(q / h1, rel=1e-10)
    assert rows["pair"].mean_jump_K == pytest.approx(q / h2, rel=1e-10)
    assert rows["pair"].heat_flow_W == pytest.approx(q, rel=1e-10)
    conserved(p)


def test_transient_pair_fields_change_every_frame(shared_tmp):
    """The time series writes each frame's pair jump and flux (not the first frame's):
    on the hotter block's pair facets, the flux integrated over the facets is the pair's
    heat flow of that step, and it falls as the blocks equalise."""
    import meshio

    p = transient_pair()
    res = p.run(t_end=200.0, dt=50.0, output=shared_tmp / "series", name="tr")
    flows = np.asarray(res.history["joint_heat_flow_W"])
    MPI.COMM_WORLD.barrier()
    with meshio.xdmf.TimeSeriesReader(str(shared_tmp / "series" / "tr.xdmf")) as r:
        points, cells = r.read_points_cells()
        frames = [r.read_data(k) for k in range(r.num_steps)]
    lines = next(c.data for c in cells if c.type == "line")
    length = np.linalg.norm(points[lines[:, 0]] - points[lines[:, 1]], axis=1)
    got = []
    for _, _, cdata in frames[1:]:  # frame 0: the initial field
        q = np.asarray(cdata["pair_heat_flux_W_m2"][1])
        hot = np.isfinite(q) & (q > 0)  # block a's facets: heat leaves them
        got.append(np.sum(q[hot] * length[hot]))
    assert len(got) == len(flows) == 4
    np.testing.assert_allclose(got, flows, rtol=1e-10)
    assert np.all(np.diff(got) < 0)


def _same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _frame_differences(f, got, ref, sizes):
    """What differs between a frame and the full gather of the same field (rank 0)."""
    from fe_interface.io.fields import changing_cell_data

    bad = []
    if sizes != [len(c) for _, c in ref.blocks] or len(sizes) != 2:
        bad.append(f"block sizes {sizes}")
    if got.points.shape != (0, 3) or got.blocks:
        bad.append("points or blocks (written once)")
    if set(got.point_data) != set(ref.point_data) or not all(
        _same_bits(v, ref.point_data[k]) for k, v in got.point_data.items()
    ):
        bad.append("point data")
    if set(got.cell_data) != changing_cell_data(f):
        bad.append(f"cell arrays {sorted(got.cell_data)}")
    for name, arrays in got.cell_data.items():
        want = ref.cell_data[name]
        if len(arrays) != len(want) or not all(map(_same_bits, arrays, want)):
            bad.append(name)
    if not np.isfinite(got.cell_data["pair_jump_K"][1]).any():
        bad.append("no pair facet")
    return bad


@pytest.mark.parametrize("k_of_T", [False, True])
def test_transient_pair_frames_equal_the_full_gather(shared_tmp, monkeypatch, k_of_T):
    """Each frame of a time series with a pair gathers only what changes (the vertex
    temperatures in the cached point numbering, the pairs' jump and flux on the cached
    boundary facets, k(T)): bitwise
    the arrays of the full gather of that frame's field, in its facet order (under
    mpirun every rank owns boundary facets: block A's pair facets on one, B's on the
    other)."""
    from fe_interface.io import fields, timeseries
    from fe_interface.postprocessing.pairs import facet_values

    kA = (lambda T: KA * (1.0 + 0.01 * (T - 300.0))) if k_of_T else KA
    p = transient_pair(kA, n_a=(4, 4), n_b=(5, 6))
    bad, frames = [], []

    def frame(f, T, sizes):
        got = fields.gather_frame(f, T, sizes)
        ref = fields.gather_mesh_blocks(f, T)
        frames.append(T.x.array.copy())
        if (got is None) != (ref is None) or (got is None) != (f.comm.rank != 0):
            bad.append("rank 0 only")
        elif got is not None:
            bad.extend(f"frame {len(frames)}: {b}" for b in _frame_differences(f, got, ref, sizes))
        return got

    monkeypatch.setattr(timeseries, "gather_frame", frame)
    p.run(t_end=100.0, dt=50.0, output=shared_tmp / f"frames_{k_of_T}", name="tr")
    assert MPI.COMM_WORLD.bcast(bad) == []
    assert len(frames) == 3 and not np.array_equal(frames[0], frames[-1])
    f = p.formulation
    assert f.conductivity_varies == k_of_T
    bf = fields.boundary_facets(f)
    mine = np.isfinite(facet_values(f, p.T.x.array, bf.cells, bf.local)[:, 0]).sum()
    assert min(MPI.COMM_WORLD.allgather(len(bf.cells))) > 0
    assert MPI.COMM_WORLD.allreduce(int(mine)) == 4  # A's 4 facets (one-sided integration)
