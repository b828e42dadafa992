"""Model validation: bad input gets an error that names the problem, before any PETSc
call (model objects, :class:`~fe_interface.model.model.Model`, the problem set-up)."""

import math

from mpi4py import MPI

import numpy as np
import pytest
from dolfinx import mesh as dmesh
from helpers.meshes import tagged_box
from helpers.walls import wall_mesh

from fe_interface.errors import InputError, MeshError
from fe_interface.mesh import tag_mesh
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
    with pytest.raises(InputError, match=r"unknown boundary/interface.*'nope'"):
        p.initialise()


def test_unknown_tag(tm):
    p = SteadyProblem(tm, MATS, [Interface(999, Conductance(1.0))], BCS)
    with pytest.raises(InputError, match="tag 999"):
        p.initialise()


def test_missing_material(tm):
    p = SteadyProblem(tm, {"m0": Material("a", 1.0)}, [], BCS)
    with pytest.raises(InputError, match=r"no material for region.*'m1'"):
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
    p = SteadyProblem(tm, MATS, [], [*BCS, FixedTemperature("i0", 1.0)])
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


def test_degree_and_axisymmetric_checks(tm):
    with pytest.raises(InputError, match="degree"):
        SteadyProblem(tm, MATS, [], BCS, degree=7)
    box = wall_mesh((0.5, 0.5), "tetrahedron", 2)
    p = SteadyProblem(box, MATS, [], BCS, axisymmetric=True)
    with pytest.raises(InputError, match="axisymmetric models need a 2D"):
        p.initialise()


def test_interface_inside_one_region():
    """A facet group whose two sides are the same region cannot be an interface."""
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
    f = dmesh.locate_entities(m, 1, lambda x: np.isclose(x[0], 0.5))
    ft = dmesh.meshtags(m, 1, f, np.full(f.size, 7, dtype=np.int32))
    t = t._replace(facet_tags=ft, facet_names={"cut": 7, "left": 1})
    p = SteadyProblem(t, {"a": Material("a", 1.0)}, [Interface("cut", Conductance(1.0))], [])
    with pytest.raises(InputError, match="two different regions"):
        p.initialise()


def test_fixed_temperature_must_be_positive_kelvin():
    with pytest.raises(InputError, match=r"fixed temperature on 'left'.*> 0"):
        FixedTemperature("left", 0.0)
    with pytest.raises(InputError, match="> 0"):
        FixedTemperature("left", -10.0)
    FixedTemperature("left", lambda x: 300.0 + 0 * x[0])  # functions are not checked here


def test_error_hierarchy():
    from fe_interface.errors import FeInterfaceError, SolverError, TimeStepError

    assert issubclass(MeshError, InputError) and issubclass(InputError, ValueError)
    assert issubclass(TimeStepError, SolverError) and issubclass(SolverError, RuntimeError)
    assert all(issubclass(e, FeInterfaceError) for e in (InputError, SolverError))


def test_resistance_is_a_dataclass_and_law_kinds():
    from fe_interface.model.interfaces import FacetConductance, law_kind
    from fe_interface.model.laws import GapRadiation

    r = Resistance(2e-4)
    assert (r.R, r.h) == (2e-4, pytest.approx(5e3))
    assert law_kind(PerfectContact()) == "perfect"
    assert law_kind(r) == law_kind(Conductance(3.0)) == "constant"
    assert law_kind(Conductance(lambda x: 1.0 + x[0])) == "position"
    assert law_kind(FacetConductance(lambda x: 1.0 + x[0])) == "facet"
    assert law_kind(GapRadiation(0.5, 0.5)) == "temperature"
    with pytest.raises(InputError, match="FacetConductance needs a function"):
        FacetConductance(3.0)


def test_material_heat_capacity():
    assert Material("cu", 398.0, 8960.0, 385.0).heat_capacity == pytest.approx(8960.0 * 385.0)
    assert Material("cu", 398.0, 8960.0).heat_capacity is None
    with pytest.raises(InputError, match=r"material 'x'.*density"):
        Material("x", 1.0, -1.0, 1.0)


def test_interface_given_twice(tm):
    p = SteadyProblem(
        tm, MATS, [Interface("i0", Conductance(1.0)), Interface("i0", Resistance(1.0))], BCS
    )
    with pytest.raises(InputError, match=r"'i0'.*given twice"):
        p.initialise()


def test_two_conditions_on_the_same_facets(tm):
    p = SteadyProblem(tm, MATS, [], [*BCS, HeatFlux("left", 5.0)])
    with pytest.raises(InputError, match="also under FixedTemperature:left"):
        p.initialise()


def test_resistive_interface_inside_one_block():
    """A–C and C–B in perfect contact (no interface named) join A and B into one block:
    a resistive interface between A and B cannot be represented."""
    tm = tagged_box(
        "triangle",
        4,
        {
            "A": (1, lambda x: x[0] < 0.5),
            "B": (2, lambda x: (x[0] > 0.5) & (x[1] > 0.5)),
            "C": (3, lambda x: (x[0] > 0.5) & (x[1] < 0.5)),
        },
        {"left": (1, lambda x: np.isclose(x[0], 0.0))},
        {"AB": (10, ("A", "B"))},
    )
    mats = {r: Material(r, 1.0) for r in "ABC"}
    p = SteadyProblem(
        tm, mats, [Interface("AB", Conductance(1.0))], [FixedTemperature("left", 300.0)]
    )
    with pytest.raises(InputError, match=r"'AB' separates regions 1 and 2.*perfect contact"):
        p.initialise()
