"""Errors that say what is wrong, Python API (issue 18): every one a single line naming
the item, an error class of :mod:`fe_interface.errors`, raised on every rank.

* a plain DOLFINx mesh (or a tuple, or an object holding a tagged mesh) where a
  :class:`TaggedMesh` is needed: a :class:`MeshError` saying how to tag it, not an
  ``AttributeError``;
* a 2D mesh in 3D space (a surface): refused with the dimensions, not a ``LinAlgError``;
* :func:`tag_mesh` with an interface naming an unknown region: the interface and the
  region named, not a ``KeyError``; cells outside every marker on one rank only: the
  error on every rank;
* ``run()`` (or any result) after ``close()``: an :class:`InputError` saying the problem
  was closed, not an ``AttributeError``;
* a user's function (flux, convection, fixed temperature, source, h(x), per-facet h)
  that raises: an :class:`InputError` naming the boundary, region or interface and the
  original exception -- also when it raises on one rank only.
"""

from __future__ import annotations

from mpi4py import MPI

import basix.ufl
import numpy as np
import pytest
import ufl
from dolfinx import mesh as dmesh
from helpers.walls import wall_mesh

from fe_interface.errors import InputError, MeshError
from fe_interface.mesh import ghosted_partitioner, tag_mesh
from fe_interface.model import (
    Conductance,
    Convection,
    FacetConductance,
    FixedTemperature,
    HeatFlux,
    HeatSource,
    Interface,
    Material,
    Radiation,
)
from fe_interface.model.model import Model
from fe_interface.problems import SteadyProblem, TransientProblem

COMM = MPI.COMM_WORLD
MATS = {"m0": Material("a", 1.0, 1.0, 1.0), "m1": Material("b", 2.0, 1.0, 1.0)}
LEFT = FixedTemperature("left", 300.0)


@pytest.fixture(scope="module")
def tm():
    return wall_mesh((0.5, 0.5), "triangle", 2)


def boom(x):
    raise ZeroDivisionError("boom")


# ------------------------------------------------------------------ not a tagged mesh
class Holder:
    """Like the builders' results that carry a tagged mesh (``rc.tagged``)."""

    def __init__(self, tagged):
        self.tagged = tagged


MAKERS = {
    "steady": lambda t: SteadyProblem(t, MATS, boundary_conditions=[LEFT]),
    "transient": lambda t: TransientProblem(t, MATS, boundary_conditions=[LEFT]),
    "model": lambda t: Model(t, MATS, boundary_conditions=[LEFT]),
}


@pytest.mark.parametrize("maker", list(MAKERS))
def test_plain_dolfinx_mesh_is_refused(tm, maker):
    with pytest.raises(
        MeshError, match=r"expected a TaggedMesh.*tag_mesh.*got dolfinx\.mesh\.Mesh"
    ) as e:
        MAKERS[maker](tm.mesh)
    assert "\n" not in str(e.value)


def test_tuple_and_holder_are_refused(tm):
    with pytest.raises(MeshError, match=r"expected a TaggedMesh.*got tuple"):
        MAKERS["steady"]((tm.mesh, tm.cell_tags, tm.facet_tags))
    with pytest.raises(MeshError, match=r"got Holder.*pass its \.tagged"):
        MAKERS["steady"](Holder(tm))


def test_surface_in_3d_is_refused():
    """A triangle mesh with 3D coordinates: the solver needs gdim = tdim."""
    x = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0.1]], dtype=np.float64)
    cells = np.array([[0, 1, 2], [1, 3, 2]], dtype=np.int64)
    if COMM.rank != 0:
        x, cells = np.empty((0, 3)), np.empty((0, 3), dtype=np.int64)
    el = basix.ufl.element("Lagrange", "triangle", 1, shape=(3,))
    m = dmesh.create_mesh(COMM, cells, el, x, partitioner=ghosted_partitioner())
    t = tag_mesh(m, {"m0": (1, lambda p: p[0] < 0.5), "m1": (2, lambda p: p[0] >= 0.5)})
    with pytest.raises(MeshError, match=r"2D \(triangle\) cells in 3D space.*gdim = tdim"):
        SteadyProblem(t, MATS)


# ------------------------------------------------------------------ tag_mesh
def _square():
    return dmesh.create_unit_square(COMM, 4, 4, ghost_mode=dmesh.GhostMode.shared_facet)


def test_tag_mesh_unknown_region():
    cells = {"a": (1, lambda x: x[0] < 0.5), "b": (2, lambda x: x[0] >= 0.5)}
    with pytest.raises(MeshError, match=r"interface 'j': no region 'c' \(regions: a, b\)"):
        tag_mesh(_square(), cells, interfaces={"j": (10, ("a", "c"))})


def test_tag_mesh_cells_outside_markers_on_one_rank():
    """Only the cells near x = 1 are outside the markers (one rank's under MPI)."""
    with pytest.raises(MeshError, match="cells are not inside any material marker"):
        tag_mesh(_square(), {"a": (1, lambda x: x[0] < 0.8)})


# ------------------------------------------------------------------ closed problems
@pytest.mark.parametrize("kind", ["steady", "transient"])
def test_use_after_close(tm, kind):
    p = MAKERS[kind](tm)
    p.close()
    for use in (
        lambda: p.run() if kind == "steady" else p.run(1.0, 0.5),
        p.interface_table,
        lambda: p.T,
    ):
        with pytest.raises(InputError, match=r"closed \(close\(\) or the end of its 'with'"):
            use()


# ------------------------------------------------------------------ user functions
def _interfaces(law):
    return [Interface("i0", law, plus="m0")]


CASES = {
    "flux": (dict(boundary_conditions=[LEFT, HeatFlux("right", boom)]), "heat flux on 'right'"),
    "convection_h": (
        dict(boundary_conditions=[LEFT, Convection("right", boom, 300.0)]),
        "convection on 'right': h",
    ),
    "convection_T": (
        dict(boundary_conditions=[LEFT, Convection("right", 10.0, boom)]),
        "convection on 'right': T_inf",
    ),
    "radiation": (
        dict(boundary_conditions=[LEFT, Radiation("right", 0.5, boom)]),
        "radiation on 'right': T_amb",
    ),
    "fixed": (
        dict(boundary_conditions=[FixedTemperature("left", boom)]),
        "fixed temperature on 'left'",
    ),
    "source": (
        dict(boundary_conditions=[LEFT], sources=[HeatSource("m1", boom)]),
        "heat source in 'm1'",
    ),
    "h_of_x": (
        dict(boundary_conditions=[LEFT], interfaces=_interfaces(Conductance(boom))),
        "interface 'i0': h",
    ),
    "facet_h": (
        dict(boundary_conditions=[LEFT], interfaces=_interfaces(FacetConductance(boom))),
        "interface 'i0': h",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_user_function_that_raises_is_named(tm, case):
    kw, what = CASES[case]
    p = SteadyProblem(tm, MATS, solver="direct", **kw)
    with pytest.raises(InputError) as e:
        p.run()
    msg = str(e.value)
    assert msg.startswith(what), msg
    assert "raised ZeroDivisionError: boom" in msg


def test_numpy_function_raising_on_one_rank(tm):
    """A fixed temperature whose function fails on rank 0's points only."""

    def T(x):
        if COMM.rank == 0:
            raise ValueError("no data here")
        return np.full(x.shape[1], 300.0)

    p = SteadyProblem(tm, MATS, boundary_conditions=[FixedTemperature("left", T)])
    with pytest.raises(InputError, match=r"fixed temperature on 'left'.*ValueError: no data here"):
        p.run()


def test_ufl_functions_still_work(tm):
    """Functions of x that work are untouched: a linear flux through a wall."""
    p = SteadyProblem(
        tm, MATS, solver="direct",
        boundary_conditions=[LEFT, HeatFlux("right", lambda x: 10.0 + 0.0 * x[1])],
        sources=[HeatSource("m0", lambda x: 0.0 * ufl.sin(x[0]))],
    )  # fmt: skip
    p.run()
    b = p.energy_balance()
    assert abs(b.residual_W) <= 1e-9 * 10.0
