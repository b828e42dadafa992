"""3D rough contact on a flat interface plane (:func:`fe_interface.geometry.rough_contact_3d`).

Tolerances: the spot polygons are unions of map pixels, so the tagged spot area is
the pixel count times dx**2 to round-off; it differs from the sampled contact's
``area_fraction * Lx * Ly`` only by the gap pixels filled to separate spots that
touch at a corner (``rc.filled * dx**2``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from mpi4py import MPI

import dolfinx
import numpy as np
import pytest
import ufl
from dolfinx import fem

from fe_interface.geometry import rough
from fe_interface.geometry.rough_mesh import GROUPS_3D, check_groups, rough_contact_3d
from fe_interface.geometry.spot_contours import polygon_area
from fe_interface.geometry.spot_polygons import separate_corners, trace_pixels
from fe_interface.mesh import MeshError, read_msh
from fe_interface.model import Conductance, FacetConductance, FixedTemperature, Interface, Material
from fe_interface.problems.steady import SteadyProblem

N, DX, SIGMA, ELL = 16, 1e-5, 1e-6, 3e-5
Y = SIGMA
K_LO, K_UP = 50.0, 20.0
T_BOT, T_TOP = 300.0, 310.0
MESHES = Path(__file__).resolve().parents[3] / "meshes"


@pytest.fixture(scope="module")
def surface():
    return rough.gaussian_surface(N, N * DX, SIGMA, ELL, seed=1, dim=2)


@pytest.fixture(scope="module")
def rc(surface):
    return rough_contact_3d(surface, Y)


def _interior_area(tm, name):
    m = tm.mesh
    meas = ufl.dS(domain=m, subdomain_data=tm.facet_tags, subdomain_id=tm.facet_names[name])
    form = fem.form(fem.Constant(m, 1.0)("+") * meas)
    return m.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)


def _midpoints(tm, name):
    m = tm.mesh
    facets = tm.facet_tags.find(tm.facet_names[name])
    return dolfinx.mesh.compute_midpoints(m, 2, facets).T


def test_groups_and_spot_area(surface, rc):
    tm = rc.tagged
    check_groups(tm)
    assert tuple(tm.cell_names) == GROUPS_3D[0] and tuple(tm.facet_names) == GROUPS_3D[1]
    Lx, Ly = rc.size
    assert (Lx, Ly) == pytest.approx((N * DX, N * DX), rel=1e-15)
    # this surface has one corner-touching pair: one pixel filled
    assert rc.filled == 1
    spots = _interior_area(tm, "spots")
    gap = _interior_area(tm, "gap")
    assert spots == pytest.approx(rc.area_fraction * Lx * Ly, rel=1e-12)
    assert spots == pytest.approx(np.count_nonzero(rc.mask) * DX**2, rel=1e-12)
    assert sum(s.area for s in rc.spots) == pytest.approx(spots, rel=1e-12)
    assert abs(spots - rc.contact.area_fraction * Lx * Ly) <= rc.filled * DX**2 * (1 + 1e-9)
    assert spots + gap == pytest.approx(Lx * Ly, rel=1e-12)
    assert np.array_equal(rc.mask & rc.contact.mask, rc.contact.mask)
    assert np.count_nonzero(rc.mask & ~rc.contact.mask) == rc.filled


def test_pressure_gives_plastic_area_fraction(surface):
    rc = rough_contact_3d(surface, pressure=0.2e9, hardness=1e9, comm=MPI.COMM_SELF)
    assert rc.contact.area_fraction == pytest.approx(0.2, abs=1.0 / N**2)
    assert rc.area_fraction == pytest.approx(rc.contact.area_fraction + rc.filled / N**2, rel=1e-12)


def test_gap_function(surface, rc):
    z = surface.z
    i, j = np.indices(z.shape)
    centres = np.vstack([(i.ravel() + 0.5) * DX, (j.ravel() + 0.5) * DX, np.zeros(z.size)])
    g = rc.gap(centres).reshape(z.shape)
    assert np.all(g[rc.mask] == 0.0)
    assert np.allclose(g[~rc.mask], (Y - z)[~rc.mask], rtol=1e-12, atol=0.0)
    # bilinear between two gap pixel centres (a quarter of the way)
    free = ~rc.mask & ~np.roll(rc.mask, -1, axis=0)
    a, b = np.argwhere(free[:-1])[0]
    x = np.array([[(a + 0.75) * DX], [(b + 0.5) * DX], [0.0]])
    expect = 0.75 * (Y - z[a, b]) + 0.25 * (Y - z[a + 1, b])
    assert rc.gap(x)[0] == pytest.approx(max(expect, 0.0), rel=1e-12)
    # on the mesh: zero on every spot facet, positive on (almost) every gap facet
    assert np.all(rc.gap(_midpoints(rc.tagged, "spots")) == 0.0)
    gm = rc.gap(_midpoints(rc.tagged, "gap"))
    assert np.all(gm >= 0.0)
    npos = rc.tagged.mesh.comm.allreduce(int(np.count_nonzero(gm > 0)), op=MPI.SUM)
    ngap = rc.tagged.mesh.comm.allreduce(gm.size, op=MPI.SUM)
    assert npos > 0.9 * ngap


def test_gas_gap_law(rc):
    from fe_interface.model.laws.gas import GasGapConductance

    law = rc.gas_gap_conductance("air", p_gas=101325.0, T_gas=300.0, accommodation=(0.9, 0.8))
    assert isinstance(law, FacetConductance)
    ref = GasGapConductance("air", 1e-6, 101325.0, 0.9, 0.8, Y=0.0, T_gas=300.0)
    M = ref.rarefaction_parameter(300.0)
    x = np.array([[0.3 * DX, 5.2 * DX], [7.7 * DX, 2.1 * DX], [0.0, 0.0]])
    assert np.allclose(law.at(x), ref.k_g / (rc.gap(x) + M), rtol=1e-14)
    vac = rc.gas_gap_conductance("air", p_gas=0.0, accommodation=(0.9, 0.8))
    assert np.all(vac.at(x) == 0.0)
    assert rc.spot_conductance(10.0).h == pytest.approx(1e3 * 10.0 / DX)


def _solve(rc, spots_law, gap_law):
    p = SteadyProblem(
        rc.tagged,
        {"lower": Material("lower", K_LO), "upper": Material("upper", K_UP)},
        interfaces=[
            Interface("spots", spots_law, plus="upper"),
            Interface("gap", gap_law, plus="upper"),
        ],
        boundary_conditions=[FixedTemperature("bottom", T_BOT), FixedTemperature("top", T_TOP)],
        solver="direct",
    )
    p.run()
    return p


def _heat_flow(p):
    return {r.name: r.heat_flow_W for r in p.interface_table()}


def test_uniform_gap_is_the_composite_wall(rc):
    """The same h on every interface facet: 1D conduction, exact for P1."""
    h0 = 2e5
    p = _solve(rc, Conductance(h0), FacetConductance(lambda x: np.full(x.shape[1], h0)))
    Lx, Ly = rc.size
    t = Lx / 2.0  # default thickness of both blocks
    Q = (T_TOP - T_BOT) * Lx * Ly / (t / K_LO + 1.0 / h0 + t / K_UP)
    flow = _heat_flow(p)
    assert sum(flow.values()) == pytest.approx(Q, rel=1e-9)
    assert p.energy_balance().relative_residual < 1e-8


def test_gas_gap_solve_and_partition_independence(rc, surface):
    k_s = 2 * K_LO * K_UP / (K_LO + K_UP)
    args = (rc.spot_conductance(k_s), rc.gas_gap_conductance(accommodation=(0.9, 0.9)))
    p = _solve(rc, *args)
    assert p.energy_balance().relative_residual < 1e-8
    flow = _heat_flow(p)
    assert flow["spots"] > flow["gap"] > 0.0
    # the same problem on one process (mesh built on COMM_SELF) gives the same flows
    ser = rough_contact_3d(surface, Y, comm=MPI.COMM_SELF)
    assert ser.tagged.mesh.topology.index_map(3).size_global == (
        rc.tagged.mesh.topology.index_map(3).size_global
    )
    flow_ser = _heat_flow(_solve(ser, ser.spot_conductance(k_s), args[1]))
    for name in ("spots", "gap"):
        assert flow_ser[name] == pytest.approx(flow[name], rel=1e-10, abs=0.0), name


# --------------------------------------------------------------------------------------
# polygons
# --------------------------------------------------------------------------------------


def test_trace_outer_loops_holes_and_corners():
    mask = np.zeros((8, 8), bool)
    mask[1:5, 1:5] = True
    mask[2, 2] = False  # a hole
    mask[7, 6:8] = True  # a spot on the plane's corner
    labels, loops = trace_pixels(mask)
    assert labels.max() == 2
    by_label = {}
    for k, lp in loops:
        by_label.setdefault(k, []).append(polygon_area(lp))
    assert sorted(by_label[labels[1, 1]]) == [-1.0, 16.0]  # outer 16 pixels, hole 1
    assert by_label[labels[7, 6]] == [2.0]
    assert all(len(lp) == 4 for _, lp in loops)  # collinear vertices merged
    # spots touching at a corner cannot be traced ...
    mask[5, 5] = True
    with pytest.raises(ValueError, match="touch at the pixel corner"):
        trace_pixels(mask)
    # ... and are joined by filling the gap pixel with the smaller gap
    gap = np.ones(mask.shape)
    gap[5, 4] = 0.5
    joined, filled = separate_corners(mask, gap)
    assert filled == 1 and joined[5, 4] and not joined[4, 5]
    trace_pixels(joined)


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------


@pytest.fixture
def no_gmsh(monkeypatch):
    import gmsh

    import fe_interface.geometry.builders as builders

    def forbidden(*args, **kwargs):
        raise AssertionError("gmsh was called although the parameters are invalid")

    monkeypatch.setattr(gmsh, "initialize", forbidden)
    monkeypatch.setattr(gmsh, "isInitialized", forbidden)
    monkeypatch.setattr(builders, "build_model", forbidden)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"separation": 10 * SIGMA}, "no contact"),
        ({"separation": -10 * SIGMA}, "more contact than"),
        ({"pressure": 2e9, "hardness": 1e9}, ">= 1"),
        ({"separation": Y, "thickness": (0.0, 1e-4)}, "thickness"),
        ({"separation": Y, "thickness": 1e-4}, "pair"),
        ({"separation": Y, "mesh_size": -1.0}, "mesh_size"),
        ({"separation": Y, "interface_size": 0.0}, "interface_size"),
        ({"separation": Y, "edge_size": 2 * DX}, "edge_size"),
    ],
)
def test_invalid_before_gmsh(surface, no_gmsh, kwargs, match):
    with pytest.raises(ValueError, match=match):
        rough_contact_3d(surface, **kwargs)


def test_invalid_surface_before_gmsh(no_gmsh):
    with pytest.raises(ValueError, match="2D height map"):
        rough_contact_3d(rough.gaussian_surface(64, 1e-4, 1e-6, 1e-5, seed=1), 0.0)
    with pytest.raises(ValueError, match="sigma"):
        rough_contact_3d(rough.RoughSurface(np.zeros((8, 8)), 1e-6), 0.0)
    z = np.ones((8, 8))
    z[0, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        rough_contact_3d(rough.RoughSurface(z, 1e-6), 0.0)


def test_missing_groups_are_named(rc):
    with pytest.raises(MeshError, match=r"facet group\(s\) \['gap'\]"):
        check_groups(rc.tagged._replace(facet_names={"spots": 1}), facets=("spots", "gap"))
    tm = read_msh(MESHES / "flux_tube_2d.msh", comm=MPI.COMM_WORLD, gdim=2)
    with pytest.raises(MeshError, match=r"\['spots', 'gap', 'sides'\]"):
        check_groups(tm)


# --------------------------------------------------------------------------------------
# reference mesh
# --------------------------------------------------------------------------------------


def test_reference_mesh(tmp_path):
    spec = importlib.util.spec_from_file_location("generate_meshes", MESHES / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    name = "rough_contact_3d.msh"
    builder, kwargs = gen.MESHES[name]
    rc = builder(**kwargs, comm=MPI.COMM_WORLD, msh_file=None)
    if MPI.COMM_WORLD.rank == 0:
        builder(**kwargs, comm=MPI.COMM_SELF, msh_file=tmp_path / name)
        assert (tmp_path / name).read_bytes() == (MESHES / name).read_bytes()
    tm = check_groups(read_msh(MESHES / name, comm=MPI.COMM_WORLD))
    Lx, Ly = rc.size
    assert _interior_area(tm, "spots") == pytest.approx(rc.area_fraction * Lx * Ly, rel=1e-12)
    assert rc.filled == 0 and rc.area_fraction == rc.contact.area_fraction


def test_spot_with_a_hole_and_a_contact_map():
    """A spot with a hole keeps the hole (its area is the pixel count); a contact map
    and its gap map feed the mesher and the local gap law."""
    n, dx = 16, 1e-6
    z = np.random.default_rng(0).random((n, n)) * 1e-7
    mask = np.zeros((n, n), bool)
    mask[4:9, 4:9] = True
    mask[6, 6] = False
    gap = np.where(mask, 0.0, 2e-7)
    rc = rough_contact_3d(rough.RoughSurface(z, dx), contact_map=mask, gap_map=gap)
    assert rc.area_fraction * n * n == pytest.approx(24.0, rel=1e-12)
    assert len(rc.spots) == 1 and len(rc.spots[0].loops) == 2
    centre = np.array([[4.5 * dx, 6.5 * dx], [4.5 * dx, 6.5 * dx], [0.0, 0.0]])  # spot, hole
    assert np.allclose(rc.gap(centre), [0.0, 2e-7])
    with pytest.raises(ValueError, match="not both"):
        rough_contact_3d(rough.RoughSurface(z, dx), 0.0, contact_map=mask)
