"""Mechanics without support: the body and the direction named, not PETSc's
``DIVERGED_LINEAR_SOLVE`` (issue 18).

Two blocks on a contact (:func:`~fe_interface.geometry.contact_blocks.stacked_blocks`, the
interface at the last coordinate = 0):

* no lateral support: each body can move sideways (2D), or sideways and rotate about
  the vertical (3D) -- an :class:`InputError` before anything is solved;
* no support below: both bodies move together along the contact normal;
* a body held only by a contact that is open at the start (a gap and a pressure load):
  a :class:`SolverError` before the first Newton step, naming the body, the direction,
  the contact and its gap;
* a load that pulls the upper block off the contact: the failed Newton solve names the
  body that the open contact leaves free;
* a supported model is untouched (it solves: the exact uniaxial pressure);
* mechanical functions of x that raise (traction, displacement, initial gap) are named.

Case files (``check`` finds what ``run`` refuses): ``tests/unit/reliability/test_rel_check_run.py``.
"""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
import pytest

import fe_interface as fi  # noqa: F401
from fe_interface.errors import InputError, SolverError
from fe_interface.geometry.contact_blocks import stacked_blocks
from fe_interface.mechanics import (
    Contact,
    Displacement,
    ElasticMaterial,
    ElasticProblem,
    Pressure,
    Symmetry,
    Traction,
)

COMM = MPI.COMM_WORLD
STEEL = ElasticMaterial("steel", 200e9, 0.3)
MATS = {"lower": STEEL, "upper": STEEL}


def blocks(gdim: int):
    x = np.linspace(0.0, 0.02, 5)
    z = np.linspace(0.0, 0.01, 3)
    cell = "quadrilateral" if gdim == 2 else "hexahedron"
    return stacked_blocks([x] * (gdim - 1), z, z, cell=cell)


@pytest.fixture(scope="module")
def tm2():
    return blocks(2)


@pytest.fixture(scope="module")
def tm3():
    return blocks(3)


def elastic(tagged, bcs, gap=0.0, **kw):
    return ElasticProblem(
        tagged, MATS, [Contact("contact", plus="upper", initial_gap=gap)], bcs, **kw
    )


def held(gdim):
    """Symmetry planes x0 (and y0) and the bottom: every rigid motion held."""
    return [Symmetry("x0"), Symmetry("bottom")] + ([Symmetry("y0")] if gdim == 3 else [])


def test_supported_blocks_solve(tm2):
    p = elastic(tm2, [*held(2), Pressure("top", 2e6)])
    r = p.solve()
    assert r.contacts[0].mean_pressure_Pa == pytest.approx(2e6, rel=1e-9)


def test_no_lateral_support_2d(tm2):
    p = elastic(tm2, [Symmetry("bottom"), Pressure("top", 2e6)])
    with pytest.raises(InputError) as e:
        p.initialise()
    msg = str(e.value)
    assert msg.startswith("mechanics: body 'lower' can move in x; body 'upper' can move in x")
    assert "no displacement, symmetry or contact condition holds" in msg and "\n" not in msg


def test_no_lateral_support_3d(tm3):
    p = elastic(tm3, [Symmetry("bottom"), Displacement("top", (None, None, -1e-7))])
    with pytest.raises(InputError) as e:
        p.initialise()
    msg = str(e.value)
    for body in ("lower", "upper"):
        for what in ("move in x", "move in y", "rotate about z"):
            assert f"body '{body}' can {what}" in msg, msg


def test_nothing_below(tm2):
    p = elastic(tm2, [Symmetry("x0"), Pressure("top", 2e6)])
    with pytest.raises(InputError, match=r"bodies 'lower', 'upper' \(together\) can move in y"):
        p.initialise()


def test_axisymmetric_without_axial_support(tm2):
    p = elastic(tm2, [Pressure("top", 2e6)], axisymmetric=True)
    with pytest.raises(InputError, match=r"bodies 'lower', 'upper' \(together\) can move along z"):
        p.initialise()


def test_held_only_by_an_open_contact(tm2):
    """A 1 µm clearance and a pressure on top: the upper block floats at the start."""
    p = elastic(tm2, [*held(2), Pressure("top", 2e6)], gap=1e-6)
    with pytest.raises(SolverError) as e:
        p.solve()
    msg = str(e.value)
    assert msg.startswith("contact solve cannot start: body 'upper' can move in y, held only by ")
    assert "contact 'contact' (gap up to 1e-06 m), open at the start" in msg
    assert "DIVERGED" not in msg


def pulled_off(tagged) -> str:
    """The error of a solve whose top pulls the upper block off the contact."""
    p = elastic(tagged, [*held(2), Pressure("top", -2e6)])
    with pytest.raises(SolverError) as e:
        p.solve()
    return str(e.value)


def test_load_pulls_the_block_off(tm2):
    """A tension on top: the contact opens and nothing holds the upper block."""
    msg = pulled_off(tm2)
    assert msg.startswith(
        "contact solve failed: at its last iterate body 'upper' can move in y: contact "
        "'contact' (gap up to "
    ), msg
    assert "[contact Newton did not converge" in msg  # PETSc's reason last


def test_load_pulls_the_block_off_refused_at_the_end():
    """The same on a finer contact with MUMPS: the open contact changes more nodes than a kept
    factorisation serves, the new one factorises the singular Jacobian and Newton's round-off
    test passed at |u| ~ 2e7 m ("converged"); the free body at the end is refused."""
    x = np.linspace(0.0, 0.02, 41)
    z = np.linspace(0.0, 0.01, 5)
    msg = pulled_off(stacked_blocks([x], z, z, cell="quadrilateral"))
    assert msg.startswith(
        "contact solve failed: at its end body 'upper' can move in y: contact 'contact' (gap up to "
    ), msg
    assert msg.endswith("is not an equilibrium")


# ------------------------------------------------------------------ functions of x
def boom(x):
    raise ZeroDivisionError("boom")


@pytest.mark.parametrize(
    ("bcs", "gap", "expect"),
    [
        ([Traction("top", boom)], 0.0, "traction on 'top': value(x)"),
        ([Pressure("top", boom)], 0.0, "pressure on 'top': value(x)"),
        ([Displacement("top", boom)], 0.0, "displacement on 'top': value(x)"),
        ([Pressure("top", 1e6)], boom, "contact 'contact': initial_gap(x)"),
    ],
)
def test_mechanical_functions_that_raise(tm2, bcs, gap, expect):
    p = elastic(tm2, [*held(2), *bcs], gap=gap)
    with pytest.raises(InputError) as e:
        p.solve()
    assert str(e.value).startswith(expect) and "raised ZeroDivisionError: boom" in str(e.value)


def test_displacement_raising_on_one_rank(tm2):
    def u(x):
        if COMM.rank == 0:
            raise ValueError("no data here")
        return np.zeros((2, x.shape[1]))

    p = elastic(tm2, [*held(2), Displacement("top", u)])
    with pytest.raises(InputError, match=r"displacement on 'top': value\(x\) raised ValueError"):
        p.initialise()
