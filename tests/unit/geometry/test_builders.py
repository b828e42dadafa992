"""Geometry builders: physical names, exact measures, conforming interfaces, MPI."""

from __future__ import annotations

import math

from mpi4py import MPI

import dolfinx
import numpy as np
import pytest
import ufl
from dolfinx import fem

from fe_interface import geometry
from fe_interface.mesh import TaggedMesh

PI = math.pi


def measure(tm: TaggedMesh, name: str) -> float:
    """Global area/volume of a cell group, or length/area of a facet group.

    Interface groups are integrated with ``dS`` and boundaries with ``ds``; the sum
    of both is returned so a misplaced group is caught by the exact value.  DOLFINx
    integrates each facet on its owning process only, so the allreduced sums do not
    double-count facets on process boundaries.
    """
    m = tm.mesh
    one = fem.Constant(m, dolfinx.default_scalar_type(1.0))
    if name in tm.cell_names:
        dx = ufl.dx(domain=m, subdomain_data=tm.cell_tags, subdomain_id=tm.cell_names[name])
        forms = [one * dx]
    else:
        tag = tm.facet_names[name]
        ds = ufl.ds(domain=m, subdomain_data=tm.facet_tags, subdomain_id=tag)
        dS = ufl.dS(domain=m, subdomain_data=tm.facet_tags, subdomain_id=tag)
        forms = [one * ds, one("+") * dS]
    return sum(m.comm.allreduce(fem.assemble_scalar(fem.form(f)), op=MPI.SUM) for f in forms)


def interior_measure(tm: TaggedMesh, name: str) -> float:
    m = tm.mesh
    one = fem.Constant(m, dolfinx.default_scalar_type(1.0))
    dS = ufl.dS(domain=m, subdomain_data=tm.facet_tags, subdomain_id=tm.facet_names[name])
    return m.comm.allreduce(fem.assemble_scalar(fem.form(one("+") * dS)), op=MPI.SUM)


def check_topology(tm: TaggedMesh, interfaces: dict[str, tuple[str, str]]) -> None:
    """Interfaces: internal facets between exactly their two materials; boundaries: one cell.

    Every exterior facet is in a boundary group, every facet in at most one group.
    """
    m = tm.mesh
    tdim = m.topology.dim
    m.topology.create_connectivity(tdim - 1, tdim)
    f2c = m.topology.connectivity(tdim - 1, tdim)
    imap = m.topology.index_map(tdim)
    cell_mat = np.zeros(imap.size_local + imap.num_ghosts, dtype=np.int64)
    cell_mat[tm.cell_tags.indices] = tm.cell_tags.values
    assert np.all(cell_mat > 0), "every cell has a material"
    assert np.unique(tm.facet_tags.indices).size == tm.facet_tags.indices.size
    nown = m.topology.index_map(tdim - 1).size_local
    boundary_tags = {t for n, t in tm.facet_names.items() if n not in interfaces}
    for name, (a, b) in interfaces.items():
        expected = sorted((tm.cell_names[a], tm.cell_names[b]))
        # owned facets: both cells are local (shared-facet ghosting); a ghost facet on
        # the outer side of the ghost layer may see one cell only
        facets = tm.facet_tags.find(tm.facet_names[name])
        facets = facets[facets < nown]
        for f in facets:
            cells = f2c.links(f)
            assert cells.size == 2, f"{name}: facet with {cells.size} cells"
            assert sorted(cell_mat[cells].tolist()) == expected
        assert m.comm.allreduce(facets.size) > 0
    ext = dolfinx.mesh.exterior_facet_indices(m.topology)
    tagged_ext = tm.facet_tags.indices[np.isin(tm.facet_tags.values, list(boundary_tags))]
    assert np.array_equal(np.sort(ext[ext < nown]), np.sort(tagged_ext[tagged_ext < nown]))


def num_cells(tm: TaggedMesh) -> int:
    return tm.mesh.topology.index_map(tm.mesh.topology.dim).size_global


# --------------------------------------------------------------------------------------
# concentric cylinders
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [1, 2])
def test_cylinders_annulus(order):
    r = [0.3, 0.6, 1.0]
    tm = geometry.concentric_cylinders(r, names=["copper", "steel"], mesh_size=0.08, order=order)
    assert tm.cell_names == {"copper": 1, "steel": 2}
    assert set(tm.facet_names) == {"inner", "outer", "interface0"}
    assert tm.mesh.geometry.cmaps[0].degree == order
    tol = 2e-3 if order == 1 else 2e-5
    assert measure(tm, "copper") == pytest.approx(PI * (0.6**2 - 0.3**2), rel=tol)
    assert measure(tm, "steel") == pytest.approx(PI * (1.0 - 0.6**2), rel=tol)
    assert measure(tm, "inner") == pytest.approx(2 * PI * 0.3, rel=5 * tol)
    assert measure(tm, "outer") == pytest.approx(2 * PI * 1.0, rel=tol)
    assert interior_measure(tm, "interface0") == pytest.approx(2 * PI * 0.6, rel=tol)
    check_topology(tm, {"interface0": ("copper", "steel")})


def test_cylinders_full_disc_three_regions():
    r = [0.0, 0.25, 0.5, 1.0]
    tm = geometry.concentric_cylinders(r, mesh_size=0.1, order=2)
    assert set(tm.cell_names) == {"region0", "region1", "region2"}
    assert set(tm.facet_names) == {"outer", "interface0", "interface1"}
    for i in range(3):
        exact = PI * (r[i + 1] ** 2 - r[i] ** 2)
        assert measure(tm, f"region{i}") == pytest.approx(exact, rel=1e-4)
    for i in range(2):
        assert interior_measure(tm, f"interface{i}") == pytest.approx(2 * PI * r[i + 1], rel=1e-4)
    check_topology(tm, {"interface0": ("region0", "region1"), "interface1": ("region1", "region2")})


def test_order2_circle_measures_converge_fast():
    """Curved cells: circle length error O(h^4) (order 1: O(h^2))."""
    errors = {1: [], 2: []}
    for order in (1, 2):
        for h in (0.2, 0.1):
            tm = geometry.concentric_cylinders([0.0, 0.6, 1.0], mesh_size=h, order=order)
            errors[order].append(abs(interior_measure(tm, "interface0") - 2 * PI * 0.6))
    rate1 = math.log2(errors[1][0] / errors[1][1])
    rate2 = math.log2(errors[2][0] / errors[2][1])
    assert 1.7 < rate1 < 2.5
    assert rate2 > 3.5
    assert errors[2][1] < 1e-3 * errors[1][1]


def test_cylinders_refine_interfaces():
    plain = geometry.concentric_cylinders([0.0, 0.5, 1.0], mesh_size=0.1)
    fine = geometry.concentric_cylinders([0.0, 0.5, 1.0], mesh_size=0.1, refine_interfaces=4)
    assert num_cells(fine) > 1.5 * num_cells(plain)
    assert measure(fine, "region0") == pytest.approx(PI * 0.25, rel=1e-3)
    assert interior_measure(fine, "interface0") == pytest.approx(PI, rel=2e-4)  # h ~ 0.025
    # cells next to the interface are ~4x smaller than the far-field cells
    m = fine.mesh
    facets = fine.facet_tags.find(fine.facet_names["interface0"])
    h_iface = m.h(1, facets).max() if facets.size else 0.0
    h_iface = m.comm.allreduce(h_iface, op=MPI.MAX)
    assert h_iface < 0.05


# --------------------------------------------------------------------------------------
# concentric spheres
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [1, 2])
def test_spheres(order):
    r = [0.0, 0.5, 1.0]
    tm = geometry.concentric_spheres(r, names=["core", "shell"], mesh_size=0.2, order=order)
    assert tm.mesh.topology.cell_type == dolfinx.mesh.CellType.tetrahedron
    assert tm.cell_names == {"core": 1, "shell": 2}
    assert set(tm.facet_names) == {"outer", "interface0"}
    tol = 0.1 if order == 1 else 2e-3  # order 1: inscribed polyhedra, h / r = 0.4
    assert measure(tm, "core") == pytest.approx(4 / 3 * PI * 0.5**3, rel=tol)
    assert measure(tm, "shell") == pytest.approx(4 / 3 * PI * (1 - 0.5**3), rel=tol)
    assert interior_measure(tm, "interface0") == pytest.approx(4 * PI * 0.25, rel=tol)
    assert measure(tm, "outer") == pytest.approx(4 * PI, rel=tol)
    check_topology(tm, {"interface0": ("core", "shell")})


def test_hollow_spheres_inner_boundary():
    tm = geometry.concentric_spheres([0.5, 0.75, 1.0], mesh_size=0.2, order=2)
    assert set(tm.facet_names) == {"inner", "outer", "interface0"}
    assert measure(tm, "inner") == pytest.approx(PI, rel=5e-3)
    assert measure(tm, "region0") == pytest.approx(4 / 3 * PI * (0.75**3 - 0.5**3), rel=5e-3)
    check_topology(tm, {"interface0": ("region0", "region1")})


# --------------------------------------------------------------------------------------
# layered stack
# --------------------------------------------------------------------------------------

T = [0.1, 0.05, 0.2]


@pytest.mark.parametrize(
    ("dim", "cell_type", "order"),
    [(2, "simplex", 1), (2, "hex", 1), (2, "hex", 2), (3, "simplex", 1), (3, "hex", 1)],
)
def test_layered_stack(dim, cell_type, order):
    width = 0.3 if dim == 2 else (0.3, 0.2)
    tm = geometry.layered_stack(T, width, dim=dim, mesh_size=0.05, cell_type=cell_type, order=order)
    expected_cell = {
        (2, "simplex"): dolfinx.mesh.CellType.triangle,
        (2, "hex"): dolfinx.mesh.CellType.quadrilateral,
        (3, "simplex"): dolfinx.mesh.CellType.tetrahedron,
        (3, "hex"): dolfinx.mesh.CellType.hexahedron,
    }[(dim, cell_type)]
    assert tm.mesh.topology.cell_type == expected_cell
    assert tm.cell_names == {"layer0": 1, "layer1": 2, "layer2": 3}
    assert set(tm.facet_names) == {"x0", "x1", "sides", "interface0", "interface1"}
    cross = 0.3 if dim == 2 else 0.3 * 0.2
    perimeter = 2.0 if dim == 2 else 2 * (0.3 + 0.2)
    for i, t in enumerate(T):
        assert measure(tm, f"layer{i}") == pytest.approx(t * cross, rel=1e-10)
    for name in ("x0", "x1", "interface0", "interface1"):
        assert measure(tm, name) == pytest.approx(cross, rel=1e-10)
    side = sum(T) * perimeter
    assert measure(tm, "sides") == pytest.approx(side, rel=1e-10)
    check_topology(tm, {"interface0": ("layer0", "layer1"), "interface1": ("layer1", "layer2")})


def test_hex_thin_layer_is_one_cell_thick():
    tm = geometry.layered_stack([1e-3, 1e-5, 1e-3], 1e-3, mesh_size=2.5e-4, cell_type="hex")
    # 4 cells across x in each outer layer, 1 in the thin one, 4 in y
    assert num_cells(tm) == (4 + 1 + 4) * 4
    assert measure(tm, "layer1") == pytest.approx(1e-8, rel=1e-8)


def test_layered_stack_single_layer_and_names():
    tm = geometry.layered_stack([0.2], 0.1, names=["slab"], mesh_size=0.05)
    assert tm.cell_names == {"slab": 1}
    assert set(tm.facet_names) == {"x0", "x1", "sides"}
    assert measure(tm, "sides") == pytest.approx(0.4)


def test_layered_stack_refine_interfaces():
    plain = geometry.layered_stack([0.5, 0.5], 0.5, mesh_size=0.1)
    fine = geometry.layered_stack([0.5, 0.5], 0.5, mesh_size=0.1, refine_interfaces=5)
    assert num_cells(fine) > 2 * num_cells(plain)
    assert interior_measure(fine, "interface0") == pytest.approx(0.5)


# --------------------------------------------------------------------------------------
# parallel: same mesh, same numbers as serial
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda comm: geometry.concentric_cylinders([0.2, 0.5, 1.0], mesh_size=0.1, comm=comm),
        lambda comm: geometry.concentric_spheres([0.0, 0.5, 1.0], mesh_size=0.3, comm=comm),
        lambda comm: geometry.layered_stack([0.1, 0.2], 0.2, dim=3, mesh_size=0.05, comm=comm),
    ],
    ids=["cylinders", "spheres", "stack3d"],
)
def test_distributed_matches_serial(build):
    """The mesh distributed over COMM_WORLD gives the numbers of a serial (COMM_SELF) one."""
    dist = build(MPI.COMM_WORLD)
    ser = build(MPI.COMM_SELF)
    assert dist.cell_names == ser.cell_names and dist.facet_names == ser.facet_names
    assert num_cells(dist) == num_cells(ser)
    for name in [*dist.cell_names, *dist.facet_names]:
        assert measure(dist, name) == pytest.approx(measure(ser, name), rel=1e-12)
    fd, fs = dist.mesh.topology.dim - 1, ser.mesh.topology.dim - 1
    for name, tag in dist.facet_names.items():
        nd = dist.facet_tags.find(tag)
        nd = MPI.COMM_WORLD.allreduce(int(np.sum(nd < dist.mesh.topology.index_map(fd).size_local)))
        ns = int(np.sum(ser.facet_tags.find(tag) < ser.mesh.topology.index_map(fs).size_local))
        assert nd == ns, name


# --------------------------------------------------------------------------------------
# parameter errors, raised before gmsh is touched
# --------------------------------------------------------------------------------------


@pytest.fixture
def no_gmsh(monkeypatch):
    import gmsh

    def forbidden(*args, **kwargs):
        raise AssertionError("gmsh was called although the parameters are invalid")

    monkeypatch.setattr(gmsh, "initialize", forbidden)
    monkeypatch.setattr(gmsh, "isInitialized", forbidden)


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (lambda: geometry.concentric_cylinders([1.0]), "radii"),
        (lambda: geometry.concentric_cylinders([0.0, 0.5, 0.5]), "radii"),
        (lambda: geometry.concentric_cylinders([-0.1, 0.5]), "radii"),
        (lambda: geometry.concentric_cylinders([0.0, 1.0], mesh_size=0), "mesh_size"),
        (lambda: geometry.concentric_cylinders([0.0, 1.0], mesh_size=-1), "mesh_size"),
        (lambda: geometry.concentric_cylinders([0.0, 1.0], order=3), "order"),
        (lambda: geometry.concentric_cylinders([0.0, 0.5, 1.0], names=["a"]), "names"),
        (lambda: geometry.concentric_cylinders([0.0, 0.5, 1.0], names=["a", "a"]), "names"),
        (lambda: geometry.concentric_cylinders([0.0, 1.0], names=["outer"]), "names"),
        (lambda: geometry.concentric_cylinders([0, 1], refine_interfaces=0.5), "refine"),
        (lambda: geometry.concentric_spheres([0.0, 1.0, 0.5]), "radii"),
        (lambda: geometry.layered_stack([0.1, 0.0], 1.0), "thicknesses[1]"),
        (lambda: geometry.layered_stack([], 1.0), "thicknesses"),
        (lambda: geometry.layered_stack([0.1], 0.0), "width"),
        (lambda: geometry.layered_stack([0.1], (1.0, -1.0), dim=3), "width[1]"),
        (lambda: geometry.layered_stack([0.1], (1.0, 1.0), dim=2), "width"),
        (lambda: geometry.layered_stack([0.1], 1.0, dim=1), "dim"),
        (lambda: geometry.layered_stack([0.1], 1.0, cell_type="prism"), "cell_type"),
        (lambda: geometry.layered_stack([0.1], 1, cell_type="hex", refine_interfaces=2), "refine"),
        (lambda: geometry.layered_stack([0.1, 0.1], 1.0, names=["x0", "b"]), "names"),
    ],
)
def test_invalid_parameters(no_gmsh, call, param):
    with pytest.raises(ValueError, match=param.replace("[", r"\[").replace("]", r"\]")):
        call()


def test_gmsh_state_is_restored():
    import gmsh

    if MPI.COMM_WORLD.rank == 0:
        assert not gmsh.isInitialized()
    geometry.layered_stack([0.1], 0.1, mesh_size=0.05)
    if MPI.COMM_WORLD.rank == 0:
        assert not gmsh.isInitialized()
        gmsh.initialize(interruptible=False)
        gmsh.model.add("mine")
    try:
        geometry.layered_stack([0.1], 0.1, mesh_size=0.05)
        if MPI.COMM_WORLD.rank == 0:
            assert gmsh.isInitialized()  # the caller's session is left open
            assert "mine" in gmsh.model.list()
    finally:
        if MPI.COMM_WORLD.rank == 0:
            gmsh.finalize()


# --------------------------------------------------------------------------------------
# flux tube: contact through one spot only
# --------------------------------------------------------------------------------------


def shared_vertex_coords(tm: TaggedMesh, a: str, b: str) -> np.ndarray:
    """Coordinates of local vertices used by cells of both material groups."""
    m = tm.mesh
    tdim = m.topology.dim
    m.topology.create_connectivity(tdim, 0)
    m.topology.create_connectivity(0, tdim)
    c2v = m.topology.connectivity(tdim, 0)
    verts = []
    for name in (a, b):
        cells = tm.cell_tags.find(tm.cell_names[name])
        verts.append(np.unique(np.concatenate([c2v.links(c) for c in cells])))
    both = np.intersect1d(*verts)
    x = m.geometry.x
    v2g = dolfinx.mesh.entities_to_geometry(m, 0, both).ravel()
    return x[v2g]


@pytest.mark.parametrize(("dim", "order"), [(2, 1), (2, 2), (3, 1)])
def test_flux_tube(dim, order):
    a, b, L = 0.3, 1.0, 0.8
    h = 0.1 if dim == 2 else 0.3
    tm = geometry.flux_tube(a, b, L, dim=dim, mesh_size=h, refine_spot=2, order=order)
    assert tm.cell_names == {"lower": 1, "upper": 2}
    names = {"spot", "gap_lower", "gap_upper", "bottom", "top", "mantle"}
    assert set(tm.facet_names) == (names | {"axis"} if dim == 2 else names)
    if dim == 2:  # exact straight geometry in the r-z plane
        assert measure(tm, "lower") == pytest.approx(b * L)
        assert interior_measure(tm, "spot") == pytest.approx(a)
        assert measure(tm, "gap_lower") == pytest.approx(b - a)
        assert measure(tm, "gap_upper") == pytest.approx(b - a)
        assert measure(tm, "axis") == pytest.approx(2 * L)
        # axisymmetric measures: weight 2 pi r
        m = tm.mesh
        r = ufl.SpatialCoordinate(m)[0]
        dS = ufl.dS(domain=m, subdomain_data=tm.facet_tags, subdomain_id=tm.facet_names["spot"])
        spot = m.comm.allreduce(fem.assemble_scalar(fem.form(2 * PI * r("+") * dS)))
        assert spot == pytest.approx(PI * a**2)
    else:
        tol = 0.05
        assert interior_measure(tm, "spot") == pytest.approx(PI * a**2, rel=tol)
        assert measure(tm, "gap_upper") == pytest.approx(PI * (b**2 - a**2), rel=tol)
        assert measure(tm, "mantle") == pytest.approx(2 * PI * b * 2 * L, rel=tol)
        assert measure(tm, "lower") == pytest.approx(PI * b**2 * L, rel=tol)
    assert measure(tm, "gap_lower") == pytest.approx(measure(tm, "gap_upper"), rel=1e-12)
    check_topology(tm, {"spot": ("lower", "upper")})
    # the two cylinders share vertices only on the spot disc (edge included)
    x = shared_vertex_coords(tm, "lower", "upper")
    if x.size:
        radius = np.hypot(x[:, 0], x[:, 1]) if dim == 3 else x[:, 0]
        assert np.all(np.abs(x[:, dim - 1]) < 1e-12)
        assert np.all(radius < a * (1 + 1e-9))


def test_flux_tube_refines_spot_edge():
    coarse = geometry.flux_tube(0.2, 1.0, 1.0, dim=2, mesh_size=0.1, refine_spot=1)
    fine = geometry.flux_tube(0.2, 1.0, 1.0, dim=2, mesh_size=0.1, refine_spot=5)
    assert num_cells(fine) > num_cells(coarse)

    def hmin(tm):
        m = tm.mesh
        n = m.topology.index_map(2).size_local
        return m.comm.allreduce(m.h(2, np.arange(n, dtype=np.int32)).min(), op=MPI.MIN)

    # spot edge cells: min(h, a/2) / refine_spot = 0.02 vs 0.1
    assert hmin(fine) < 0.03 < 0.06 < hmin(coarse)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"a": 1.0, "b": 1.0, "length": 1.0}, "spot radius"),
        ({"a": 2.0, "b": 1.0, "length": 1.0}, "spot radius"),
        ({"a": 0.0, "b": 1.0, "length": 1.0}, "spot radius"),
        ({"a": 0.5, "b": 1.0, "length": 0.0}, "length"),
        ({"a": 0.5, "b": 1.0, "length": -1.0}, "length"),
        ({"a": 0.5, "b": 1.0, "length": 1.0, "refine_spot": 0.5}, "refine_spot"),
        ({"a": 0.5, "b": 1.0, "length": 1.0, "dim": 1}, "dim"),
    ],
)
def test_flux_tube_invalid(no_gmsh, kwargs, param):
    with pytest.raises(ValueError, match=param):
        geometry.flux_tube(**kwargs)


# --------------------------------------------------------------------------------------
# electronics package
# --------------------------------------------------------------------------------------

PKG = {
    "die": (10e-3, 0.5e-3),
    "tim": (10e-3, 0.1e-3),
    "spreader": (30e-3, 2e-3),
    "sink_base": (50e-3, 5e-3),
}


@pytest.mark.parametrize("fins", [None, (5, 2e-3, 20e-3)])
def test_electronics_package_2d(fins):
    tm = geometry.electronics_package(**PKG, fins=fins, dim=2, mesh_size=2.5e-3)
    assert set(tm.cell_names) == {"die", "tim", "spreader", "sink"}
    assert set(tm.facet_names) == {
        "die_tim",
        "tim_spreader",
        "spreader_sink",
        "die_top",
        "sink_bottom",
        "sides",
    }
    fin_area = 0 if fins is None else 5 * 2e-3 * 20e-3
    assert measure(tm, "die") == pytest.approx(10e-3 * 0.5e-3)
    assert measure(tm, "tim") == pytest.approx(10e-3 * 0.1e-3)
    assert measure(tm, "sink") == pytest.approx(50e-3 * 5e-3 + fin_area)
    assert interior_measure(tm, "die_tim") == pytest.approx(10e-3)
    assert interior_measure(tm, "tim_spreader") == pytest.approx(10e-3)
    assert interior_measure(tm, "spreader_sink") == pytest.approx(30e-3)
    assert measure(tm, "die_top") == pytest.approx(10e-3)
    bottom = 50e-3 if fins is None else 50e-3 + 5 * 2 * 20e-3
    assert measure(tm, "sink_bottom") == pytest.approx(bottom)
    sides = 2 * (0.5e-3 + 0.1e-3 + 2e-3 + 5e-3) + (30e-3 - 10e-3) + (50e-3 - 30e-3)
    assert measure(tm, "sides") == pytest.approx(sides)
    check_topology(
        tm,
        {
            "die_tim": ("die", "tim"),
            "tim_spreader": ("tim", "spreader"),
            "spreader_sink": ("spreader", "sink"),
        },
    )


def test_electronics_package_3d():
    tm = geometry.electronics_package(
        die=(10e-3, 1e-3), tim=(10e-3, 1e-3), spreader=((20e-3, 15e-3), 2e-3),
        sink_base=(30e-3, 3e-3), fins=(3, 2e-3, 6e-3), dim=3, mesh_size=4e-3,
    )  # fmt: skip
    assert measure(tm, "spreader") == pytest.approx(20e-3 * 15e-3 * 2e-3)
    assert measure(tm, "sink") == pytest.approx(30e-3**2 * 3e-3 + 3 * 2e-3 * 30e-3 * 6e-3)
    assert interior_measure(tm, "spreader_sink") == pytest.approx(20e-3 * 15e-3)
    assert measure(tm, "die_top") == pytest.approx(1e-4)
    check_topology(
        tm,
        {
            "die_tim": ("die", "tim"),
            "tim_spreader": ("tim", "spreader"),
            "spreader_sink": ("spreader", "sink"),
        },
    )


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"tim": (10e-3, 0.0)}, "tim thickness"),
        ({"die": (0.0, 1e-3)}, "die width"),
        ({"fins": (0, 1e-3, 1e-3)}, "fins count"),
        ({"fins": (100, 1e-3, 1e-3)}, "fins"),
        ({"fins": (2, 1e-3, -1e-3)}, "fins height"),
        ({"spreader": ((1e-3, 1e-3), 1e-3)}, "spreader width"),
    ],
)
def test_electronics_package_invalid(no_gmsh, kwargs, param):
    with pytest.raises(ValueError, match=param):
        geometry.electronics_package(**kwargs)


# --------------------------------------------------------------------------------------
# reference meshes in meshes/
# --------------------------------------------------------------------------------------


def test_reference_meshes_are_current(tmp_path):
    """meshes/generate.py reproduces the committed .msh files byte for byte."""
    import importlib.util
    from pathlib import Path

    from fe_interface.mesh import read_msh

    root = Path(__file__).resolve().parents[3] / "meshes"
    spec = importlib.util.spec_from_file_location("generate_meshes", root / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    if MPI.COMM_WORLD.rank == 0:
        for path in gen.main(tmp_path):
            assert path.read_bytes() == (root / path.name).read_bytes(), path.name
    tm = read_msh(root / "cylinders_2d.msh", gdim=2)
    assert tm.cell_names == {"core": 1, "shell": 2}
    assert interior_measure(tm, "interface0") == pytest.approx(PI, rel=1e-4)
    tm = read_msh(root / "two_blocks_2d.msh", gdim=2)
    assert measure(tm, "right") == pytest.approx(0.25)
    tm = read_msh(root / "flux_tube_2d.msh", gdim=2)
    assert interior_measure(tm, "spot") == pytest.approx(0.25)


# --------------------------------------------------------------------------------------
# any length scale: sub-micron models are built in scaled units (geometry.builders.length_scale)
# --------------------------------------------------------------------------------------


def test_length_scale_is_one_for_mm_to_m_models():
    """Models with features of 5 um .. 10 km are built in metres (unchanged meshes)."""
    from fe_interface.geometry import builders

    assert builders.length_scale(0.5, 1.0) == 1.0
    assert builders.length_scale(50e-6, 10e-3, 50e-3) == 1.0  # electronics package TIM
    assert builders.length_scale(1e-5, 8e-5) == 1.0  # reference rough contact pixel
    assert builders.length_scale(0.5e-6, 0.125e-6) == pytest.approx(1e-7)
    assert builders.length_scale(10e-9, 1e-6) == pytest.approx(1e-8)
    assert builders.length_scale(2e4, 0.0) == pytest.approx(1e4)  # zero: no feature


NANO_STACK = [10e-9, 200e-9, 1e-6]  # m


@pytest.mark.parametrize(
    ("dim", "cell_type", "width", "mesh_size"),
    [
        (2, "simplex", 0.5e-6, None),
        (2, "hex", 0.5e-6, 0.1e-6),
        (3, "simplex", (0.4e-6, 0.2e-6), 0.2e-6),
    ],
)
def test_layered_stack_nanoscale(dim, cell_type, width, mesh_size):
    """10 nm .. 1 um layers in metres: all groups, exact measures, conforming interfaces."""
    tm = geometry.layered_stack(NANO_STACK, width, dim=dim, cell_type=cell_type,
                                mesh_size=mesh_size)  # fmt: skip
    assert set(tm.cell_names) == {"layer0", "layer1", "layer2"}
    assert set(tm.facet_names) == {"x0", "x1", "sides", "interface0", "interface1"}
    area = width if dim == 2 else width[0] * width[1]
    L = sum(NANO_STACK)
    total = sum(measure(tm, f"layer{i}") for i in range(3))
    assert total == pytest.approx(L * area, rel=1e-10)
    for i, t in enumerate(NANO_STACK):
        assert measure(tm, f"layer{i}") == pytest.approx(t * area, rel=1e-10)
    for name in ("x0", "x1", "interface0", "interface1"):
        assert measure(tm, name) == pytest.approx(area, rel=1e-10)
    for name in ("interface0", "interface1"):
        assert interior_measure(tm, name) == pytest.approx(area, rel=1e-10)
    x = tm.mesh.geometry.x
    assert MPI.COMM_WORLD.allreduce(float(x[:, 0].max()), op=MPI.MAX) == pytest.approx(L)
    check_topology(tm, {"interface0": ("layer0", "layer1"), "interface1": ("layer1", "layer2")})


def test_layered_stack_reported_submicron_case():
    """The reported failure: two 0.5 um layers, 0.125 um wide."""
    tm = geometry.layered_stack([0.5e-6, 0.5e-6], 0.125e-6)
    assert interior_measure(tm, "interface0") == pytest.approx(0.125e-6, rel=1e-10)
    assert measure(tm, "layer1") == pytest.approx(0.5e-6 * 0.125e-6, rel=1e-10)


def same_model(small: TaggedMesh, big: TaggedMesh, factor: float, rel: float) -> None:
    """``small`` is ``big`` shrunk by ``factor``: same groups, scaled measures (to ``rel``:
    the two are meshed in different model units, so the meshes differ slightly)."""
    assert small.cell_names == big.cell_names and small.facet_names == big.facet_names
    assert num_cells(small) == pytest.approx(num_cells(big), rel=0.05)
    tdim = big.mesh.topology.dim
    for name in big.cell_names:
        assert measure(small, name) == pytest.approx(measure(big, name) * factor**tdim, rel=rel)
    for name in big.facet_names:
        got = measure(small, name)
        assert got == pytest.approx(measure(big, name) * factor ** (tdim - 1), rel=rel), name


def test_concentric_cylinders_micrometre():
    """um radii, curved P2 cells: the metre model shrunk by 1e-6 (and pi r^2 to 1e-4)."""
    radii = [0.0, 1.0, 1.5, 3.0]
    small = geometry.concentric_cylinders([r * 1e-6 for r in radii], mesh_size=0.5e-6, order=2)
    big = geometry.concentric_cylinders(radii, mesh_size=0.5, order=2)
    same_model(small, big, 1e-6, rel=1e-4)
    assert set(small.facet_names) == {"outer", "interface0", "interface1"}
    assert measure(small, "region2") == pytest.approx(PI * (9 - 2.25) * 1e-12, rel=1e-4)
    assert interior_measure(small, "interface1") == pytest.approx(2 * PI * 1.5e-6, rel=1e-4)


def test_concentric_spheres_micrometre():
    radii = [0.5, 1.0, 2.0]
    small = geometry.concentric_spheres([r * 1e-6 for r in radii], mesh_size=0.5e-6, octant=True)
    big = geometry.concentric_spheres(radii, mesh_size=0.5, octant=True)
    same_model(small, big, 1e-6, rel=0.02)
    assert set(small.facet_names) == {"inner", "outer", "interface0", "symmetry"}
    check_topology(small, {"interface0": ("region0", "region1")})


@pytest.mark.parametrize("dim", [2, 3])
def test_flux_tube_micrometre(dim):
    small = geometry.flux_tube(0.25e-6, 1e-6, 1e-6, dim=dim, mesh_size=0.4e-6, refine_spot=2)
    big = geometry.flux_tube(0.25, 1.0, 1.0, dim=dim, mesh_size=0.4, refine_spot=2)
    same_model(small, big, 1e-6, rel=1e-10 if dim == 2 else 5e-3)
    if dim == 2:  # straight lines: exact
        assert interior_measure(small, "spot") == pytest.approx(0.25e-6, rel=1e-10)
        assert measure(small, "gap_lower") == pytest.approx(0.75e-6, rel=1e-10)
    check_topology(small, {"spot": ("lower", "upper")})


def test_electronics_package_micrometre():
    """The mm package (50 um TIM) shrunk 1000 times: a 50 nm TIM."""
    um = {k: (w * 1e-3, t * 1e-3) for k, (w, t) in PKG.items()}
    tm = geometry.electronics_package(**um, dim=2, mesh_size=2.5e-6)
    assert set(tm.cell_names) == {"die", "tim", "spreader", "sink"}
    assert "sides" in tm.facet_names
    for name, (w, t) in zip(("die", "tim", "spreader", "sink"), um.values(), strict=True):
        assert measure(tm, name) == pytest.approx(w * t, rel=1e-10)
    assert interior_measure(tm, "die_tim") == pytest.approx(10e-6, rel=1e-10)
    assert interior_measure(tm, "spreader_sink") == pytest.approx(30e-6, rel=1e-10)
    check_topology(
        tm,
        {
            "die_tim": ("die", "tim"),
            "tim_spreader": ("tim", "spreader"),
            "spreader_sink": ("spreader", "sink"),
        },
    )


def test_submicron_msh_file_is_in_metres(tmp_path):
    """The written .msh holds metres (nodes and entities) and reads back the same mesh."""
    import gmsh

    from fe_interface.mesh import read_msh

    path = tmp_path / "stack.msh"
    tm = geometry.layered_stack(NANO_STACK, 0.5e-6, comm=MPI.COMM_SELF, msh_file=path)
    back = read_msh(path, comm=MPI.COMM_SELF, gdim=2)
    assert back.mesh.geometry.x[:, :2].max(axis=0) == pytest.approx([1.21e-6, 0.5e-6])
    for name in [*tm.cell_names, *tm.facet_names]:
        assert measure(back, name) == pytest.approx(measure(tm, name), rel=1e-12)
    initialised = gmsh.isInitialized()
    if not initialised:
        gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    try:
        gmsh.model.add("check")
        gmsh.merge(str(path))
        points = [gmsh.model.getValue(0, p, []) for _, p in gmsh.model.getEntities(0)]
        assert np.max(points, axis=0)[:2] == pytest.approx([1.21e-6, 0.5e-6])
        for d in (1, 2):
            for _, e in gmsh.model.getEntities(d):
                assert max(abs(v) for v in gmsh.model.getBoundingBox(d, e)) <= 1.3e-6
        gmsh.model.remove()
    finally:
        if not initialised:
            gmsh.finalize()


def test_kapitza_stack_in_metres_matches_series_value():
    """10 nm .. 1 um layers with R = 1e-9 m^2 K/W per interface, built directly in m:
    k_eff = L / (sum L_i / k_i + N R) (the exact 1D value) to 1e-8."""
    from fe_interface import Conductance, FixedTemperature, Interface, Material, SteadyProblem

    k, R, T_hot, T_cold = [1.5, 150.0, 10.0], 1e-9, 310.0, 300.0
    tm = geometry.layered_stack(NANO_STACK, 0.1e-6, cell_type="hex", mesh_size=0.05e-6)
    p = SteadyProblem(
        tm,
        materials={f"layer{i}": Material(f"m{i}", kk) for i, kk in enumerate(k)},
        interfaces=[
            Interface(f"interface{i}", Conductance(1.0 / R), plus=f"layer{i}") for i in range(2)
        ],
        boundary_conditions=[FixedTemperature("x0", T_hot), FixedTemperature("x1", T_cold)],
        solver="direct",
    )
    p.run()
    L = sum(NANO_STACK)
    series = L / (sum(t / kk for t, kk in zip(NANO_STACK, k, strict=True)) + 2 * R)
    table = p.interface_table()
    assert len(table) == 2
    for s in table:
        assert s.area_m2 == pytest.approx(0.1e-6, rel=1e-10)
        k_eff = s.heat_flow_W / s.area_m2 * L / (T_hot - T_cold)
        assert k_eff == pytest.approx(series, rel=1e-8)


def test_rough_contact_3d_submicron_pixels():
    """rough_contact_3d with 100 nm pixels (failed in OpenCASCADE when built in metres)."""
    from fe_interface.geometry import rough, rough_mesh

    surface = rough.gaussian_surface(8, 0.8e-6, 0.01e-6, 0.2e-6, seed=1, dim=2)
    rc = rough_mesh.rough_contact_3d(surface, 0.005e-6, thickness=(0.2e-6, 0.2e-6))
    tm = rc.tagged
    assert set(tm.facet_names) == {"spots", "gap", "bottom", "top", "sides"}
    assert 0 < rc.area_fraction < 1
    plane = 0.8e-6**2
    assert interior_measure(tm, "spots") == pytest.approx(rc.area_fraction * plane, rel=1e-10)
    assert interior_measure(tm, "gap") == pytest.approx((1 - rc.area_fraction) * plane, rel=1e-10)
    assert measure(tm, "lower") == pytest.approx(plane * 0.2e-6, rel=1e-10)
    check_topology(tm, {"spots": ("lower", "upper"), "gap": ("lower", "upper")})
