"""Values-only updates of non-matching pairs, and a coupled surface contact built once (issue 19).

* ``update(interfaces=...)`` with another law on a pair: the same problem (no new search,
  space, forms or solver) reproduces the exact linear solution of the new h (patch test:
  1e-10) and a problem built for it (1e-12); h(x) is evaluated again at the same points;
* what a pair keeps from its set-up (projection, ..., the conductivity next to it, a law
  of T for one without) is refused with one line naming it, and nothing changes;
* a two-way coupled run with a SurfaceContact (mortar pair, several staggered
  iterations) builds its heat problem once, and its final temperature is that of a heat
  problem built for the final contact fields (1e-12);
* :class:`~fe_interface.discretisation.contact_fields.PointLocator`: a point set is
  searched once, another one again, and a moved mesh is searched again (right cells).

Serial and under mpirun -n 2, the same tolerances.
"""

from mpi4py import MPI

import numpy as np
import pytest
from helpers.contact_cases import ALU, EXPANSION_LAW, K_ALU
from helpers.parts import Linear, nodal_error, two_blocks

import fe_interface as fi
from fe_interface.discretisation.surface_contact import SurfaceContact
from fe_interface.errors import InputError
from fe_interface.geometry.parts import stacked_parts
from fe_interface.model.laws import GapRadiation
from fe_interface.model.mechanical_boundary import Symmetry
from fe_interface.model.pairs import InterfacePair
from fe_interface.problems.steady import SteadyProblem
from fe_interface.problems.thermomechanical import ThermoMechanicalProblem

KA, KB = 2.0, 5.0
SURFACES = ("a_right", "b_left")


def blocks_problem(tagged, law, exact, k_b=KB):
    return fi.SteadyProblem(
        tagged,
        {"a": fi.Material("a", KA), "b": fi.Material("b", k_b)},
        interfaces=[InterfacePair(SURFACES, law)],
        boundary_conditions=[
            fi.FixedTemperature("a_outer", exact.A),
            fi.FixedTemperature("a_left", exact.A),
            fi.FixedTemperature("b_outer", exact.B),
        ],
        solver="direct",
    )


@pytest.fixture(scope="module")
def tagged():
    return two_blocks("triangle", [2, 3], [5, 7], 0.3)  # non-nested


#: the fields of the updated h are not linear: the bulk flux check of the coarse cells warns
BULK = pytest.mark.filterwarnings("ignore:interface 'a_right.b_left'. the heat flow from the bulk")


def same_as_built_for(p, tagged, law, exact):
    """The temperature of ``p`` equals that of a problem built for ``law`` (same BCs)."""
    with blocks_problem(tagged, law, exact) as fresh:
        fresh.run()
        scale = np.max(np.abs(fresh.T.x.array))
        assert np.max(np.abs(p.T.x.array - fresh.T.x.array)) <= 1e-12 * scale
        (a,), (b,) = p.interface_table(), fresh.interface_table()
        assert a.heat_flow_W == pytest.approx(b.heat_flow_W, rel=1e-11)
        assert a.mechanisms["conservation_relative"] <= 1e-10


@BULK
def test_pair_law_updated_in_place(tagged):
    """h = 3 -> 40 on the same problem: the exact solution of h = 3, then that of a problem
    built with h = 40 (the boundary values stay those of the h = 3 solution)."""
    exact = Linear(KA, KB, h=3.0)
    with blocks_problem(tagged, fi.Conductance(3.0), exact) as p:
        p.run()
        assert nodal_error(p, exact) < 1e-10
        solver, space = p.solver, p.formulation.space
        p.update(interfaces=[InterfacePair(SURFACES, fi.Conductance(40.0))])
        p.run()
        assert p.solver is solver and p.formulation.space is space  # nothing rebuilt
        assert nodal_error(p, exact) > 1e-3  # h changed the field
        same_as_built_for(p, tagged, fi.Conductance(40.0), exact)


@BULK
def test_pair_position_law_evaluated_again(tagged):
    """The same h(x) object whose values changed: evaluated again at the same points."""
    exact = Linear(KA, KB, h=3.0)
    value = {"h": 3.0}
    law = fi.Conductance(lambda x: np.full(x.shape[1], value["h"]))
    with blocks_problem(tagged, law, exact) as p:
        p.run()
        assert nodal_error(p, exact) < 1e-10
        value["h"] = 7.5
        p.update(interfaces=p.interfaces)
        p.run()
        same_as_built_for(p, tagged, fi.Conductance(7.5), exact)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"interfaces": [InterfacePair(SURFACES, fi.Conductance(3.0), projection="closest")]},
         "projection changed"),
        ({"interfaces": [InterfacePair(SURFACES, fi.Conductance(3.0), penalty=20.0)]},
         "penalty changed"),
        ({"materials": {"a": fi.Material("a", KA), "b": fi.Material("b", 2 * KB)}},
         "materials.b: the conductivity next to interface pair"),
        ({"interfaces": [InterfacePair(SURFACES, fi.Conductance(lambda x: -1.0 + 0 * x[0]))]},
         "h must be >= 0"),
    ],
)  # fmt: skip
def test_pair_structure_change_refused(tagged, change, message):
    exact = Linear(KA, KB, h=3.0)
    with blocks_problem(tagged, fi.Conductance(3.0), exact) as p:
        p.enable_updates()
        p.run()
        before = p.T.x.array.copy()
        with pytest.raises(InputError, match=message):
            p.update(**change)
        p.run()  # unchanged
        assert np.max(np.abs(p.T.x.array - before)) <= 1e-12 * np.max(np.abs(before))


def test_update_without_pairs_keeps_them(tagged):
    exact = Linear(KA, KB, h=3.0)
    with blocks_problem(tagged, fi.Conductance(3.0), exact) as p:
        p.run()
        pair = p.interfaces[0]
        p.update(interfaces=[])  # the conforming interfaces only (none): the pair kept
        assert p.interfaces == [pair]
        p.run()
        assert nodal_error(p, exact) < 1e-10


def test_pair_law_of_temperature_refused(tagged):
    exact = Linear(KA, KB, h=3.0)
    with blocks_problem(tagged, fi.Conductance(3.0), exact) as p:
        p.run()
        with pytest.raises(InputError, match="became temperature dependent"):
            p.update(interfaces=[InterfacePair(SURFACES, GapRadiation(0.5, 0.5))])


# --------------------------------------------------------------------------- coupled


def test_coupled_surface_contact_builds_heat_once(monkeypatch):
    """Two-way: blocks heated from below close an 8 µm clearance between rigid plates."""
    tagged = stacked_parts([0.01, 0.01], 0.002, ["lower", "upper"], [0.0021, 0.0013], dim=2)
    g = tagged.mesh.geometry
    upper = tagged.cell_tags.indices[tagged.cell_tags.values == tagged.cell_names["upper"]]
    g.x[np.unique(g.dofmaps[0][upper]), 1] += 8e-6
    mats = {"lower": fi.Material("a", K_ALU), "upper": fi.Material("a", K_ALU)}
    bcs = [fi.FixedTemperature("lower_bottom", 500.0), fi.FixedTemperature("upper_top", 293.15)]
    built = []
    init = SteadyProblem.initialise
    monkeypatch.setattr(SteadyProblem, "initialise", lambda s: (built.append(s), init(s))[1])
    prob = ThermoMechanicalProblem(
        tagged, mats, {"lower": ALU, "upper": ALU},
        [SurfaceContact(("upper_bottom", "lower_top"), "joint", thermal=EXPANSION_LAW)],
        boundary_conditions=bcs, coupling="two-way", thermal_solver="direct",
        mechanical_bcs=[Symmetry("lower_sides"), Symmetry("upper_sides"),
                        Symmetry("lower_bottom"), Symmetry("upper_top")],
    )  # fmt: skip
    with prob:
        res = prob.run()
        assert res.converged and len(res.history) >= 3
        assert len(built) == 1 and built[0] is prob.thermal
        assert res.contacts[0].force_N > 0  # the clearance closed: h(P) changed per iteration
        # a heat problem built for the final contact fields: the same temperature
        with SteadyProblem(
            tagged, mats, prob.thermal.interfaces, bcs, solver="direct",
            initial_temperature=prob.initial_temperature,
        ) as fresh:  # fmt: skip
            fresh.run()
            T, T0 = prob.thermal.T.x.array, fresh.T.x.array
            assert np.max(np.abs(T - T0)) <= 1e-12 * np.max(np.abs(T0))
            (a,), (b,) = prob.thermal.interface_table(), fresh.interface_table()
            assert a.heat_flow_W == pytest.approx(b.heat_flow_W, rel=1e-11)
            assert a.mechanisms["conservation_relative"] <= 1e-10


# --------------------------------------------------------------------------- locator
def test_point_locator_caches_and_follows_the_mesh():
    from dolfinx import mesh as dmesh

    from fe_interface.discretisation.surface_coupling import SurfaceProbe

    mesh = dmesh.create_unit_square(MPI.COMM_WORLD, 4, 4)
    tdim = mesh.topology.dim
    ncells = mesh.topology.index_map(tdim).size_local
    probe = SurfaceProbe(mesh, np.arange(ncells, dtype=np.int32), "unit")
    calls = []
    locate = probe.locate
    probe.locate = lambda x: (calls.append(len(x)), locate(x))[1]
    mid = np.mean(mesh.geometry.x[mesh.geometry.dofmaps[0][:ncells]], axis=1)
    a = probe.locate_cached(mid)
    b = probe.locate_cached(mid.copy())  # the same values: not searched again
    assert len(calls) == 1 and np.array_equal(a[0], b[0])
    assert np.array_equal(a[0], np.arange(ncells))  # each midpoint in its own cell
    probe.locate_cached(mid[::-1].copy())  # another set
    assert len(calls) == 2
    mesh.geometry.x[:, 0] += 1.0  # the mesh moved: searched again, the cells found
    moved = mid + np.array([1.0, 0.0, 0.0])
    c = probe.locate_cached(moved)
    assert len(calls) == 3 and np.array_equal(c[0], np.arange(ncells))
    with pytest.raises(InputError, match="not on surface A"):
        probe.locate_cached(mid)  # the old positions: outside the moved cells
