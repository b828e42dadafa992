"""Model validation: bad input gets an error that names the problem, before any PETSc
call (model objects, :class:`~fe_interface.model.model.Model`, the problem set-up)."""

import math

import pytest
from helpers.walls import wall_mesh, wall_problem

from fe_interface.errors import InputError, MeshError, SolverError
from fe_interface.model import (
    Conductance,
    Convection,
    FixedTemperature,
    HeatFlux,
    Interface,
    Material,
    PerfectContact,
    Resistance,
)
from fe_interface.problems.steady import SteadyProblem


@pytest.fixture(scope="module")
def tm():
    return wall_mesh((0.5, 0.5), "triangle")


MATS = {"m0": Material("a", 1.0), "m1": Material("b", 2.0)}
BCS = [FixedTemperature("left", 400.0), FixedTemperature("right", 300.0)]


def test_negative_conductivity():
    with pytest.raises(InputError, match="conductivity"):
        Material("bad", -1.0)
    with pytest.raises(InputError, match="conductivity"):
        Material("bad", math.nan)


@pytest.mark.parametrize("value", [-1.0, math.nan, math.inf])
def test_bad_conductance(value):
    with pytest.raises(InputError, match="conductance h"):
        Conductance(value)


def test_bad_resistance():
    with pytest.raises(InputError, match="resistance R"):
        Resistance(0.0)


def test_bare_number_as_law():
    with pytest.raises(InputError, match="Conductance"):
        Interface("i0", 5.0)


def test_bad_boundary_values():
    with pytest.raises(InputError, match="T_inf"):
        Convection("left", 10.0, math.nan)
    with pytest.raises(InputError, match="h"):
        Convection("left", -1.0, 300.0)
    with pytest.raises(InputError, match="value"):
        HeatFlux("left", math.inf)


def test_unknown_interface_name(tm):
    p = SteadyProblem(tm, MATS, [Interface("nope", Conductance(1.0))], BCS)
    with pytest.raises(InputError, match="unknown boundary/interface.*'nope'"):
        p.initialise()


def test_unknown_tag(tm):
    p = SteadyProblem(tm, MATS, [Interface(999, Conductance(1.0))], BCS)
    with pytest.raises(InputError, match="tag 999"):
        p.initialise()


def test_missing_material(tm):
    p = SteadyProblem(tm, {"m0": Material("a", 1.0)}, [], BCS)
    with pytest.raises(InputError, match="no material for region.*'m1'"):
        p.initialise()


def test_unknown_region(tm):
    p = SteadyProblem(tm, MATS | {"steel": Material("s", 1.0)}, [], BCS)
    with pytest.raises(InputError, match="'steel'"):
        p.initialise()


def test_interface_on_outer_boundary(tm):
    p = SteadyProblem(tm, MATS, [Interface("left", Conductance(1.0))], BCS[1:])
    with pytest.raises(InputError, match="outer boundary"):
        p.initialise()


def test_bc_on_interface_facets(tm):
    p = SteadyProblem(tm, MATS, [], BCS + [FixedTemperature("i0", 1.0)])
    with pytest.raises(InputError, match="interior facets"):
        p.initialise()


def test_floating_body(tm):
    """h = 0 cuts the wall in two; the right half then has no fixed temperature."""
    p = SteadyProblem(tm, MATS, [Interface("i0", Conductance(0.0))], BCS[:1])
    with pytest.raises(InputError, match=r"no fixed-temperature.*\['m1'\]"):
        p.initialise()


def test_no_boundary_condition_at_all(tm):
    p = SteadyProblem(tm, MATS, [Interface("i0", PerfectContact())], [HeatFlux("left", 1.0)])
    with pytest.raises(InputError, match="singular"):
        p.initialise()


def test_bad_plus_region(tm):
    p = SteadyProblem(tm, MATS, [Interface("i0", Conductance(1.0), plus="left")], BCS)
    with pytest.raises(InputError, match="plus"):
        p.initialise()


def test_solver_divergence_is_reported(tm):
    p = wall_problem(tm, (1.0, 2.0), (3.0,), petsc_options={"ksp_max_it": 1, "ksp_rtol": 1e-14})
    with pytest.raises(SolverError, match="did not converge.*DIVERGED_MAX_IT"):
        p.run()


def test_unknown_solver(tm):
    with pytest.raises(ValueError, match="unknown solver"):
        wall_problem(tm, (1.0, 2.0), (3.0,), solver="magic")


def test_degree_and_axisymmetric_checks(tm):
    with pytest.raises(InputError, match="degree"):
        SteadyProblem(tm, MATS, [], BCS, degree=7)


def test_interface_inside_one_region():
    """A facet group whose two sides are the same region cannot be an interface."""
    from mpi4py import MPI

    import numpy as np
    from dolfinx import mesh as dmesh

    from fe_interface.mesh import tag_mesh

    m = dmesh.create_rectangle(
        MPI.COMM_WORLD, [[0, 0], [1, 1]], [4, 4], ghost_mode=dmesh.GhostMode.shared_facet
    )
    tdim = 2
    m.topology.create_connectivity(tdim - 1, tdim)
    t = tag_mesh(
        m,
        {"a": (1, lambda x: np.full(x.shape[1], True))},
        {"left": (1, lambda x: np.isclose(x[0], 0))},
    )
    # tag the interior line x = 0.5 by hand
    import dolfinx

    f = dolfinx.mesh.locate_entities(m, 1, lambda x: np.isclose(x[0], 0.5))
    ft = dolfinx.mesh.meshtags(m, 1, f, np.full(f.size, 7, dtype=np.int32))
    t = t._replace(facet_tags=ft, facet_names={"cut": 7, "left": 1})
    p = SteadyProblem(t, {"a": Material("a", 1.0)}, [Interface("cut", Conductance(1.0))], [])
    with pytest.raises(InputError, match="two different regions"):
        p.initialise()
