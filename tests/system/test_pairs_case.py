"""Interface pairs in case files: ``[interfaces.NAME] pair = [A, B]`` (cases/cylinder_gap_pair.toml)."""

import math
from pathlib import Path

from mpi4py import MPI

import pytest
from helpers.cases import errors_of, with_key

from fe_interface.case import parse_case, run_case
from fe_interface.cli import main

CASE = Path(__file__).resolve().parents[2] / "cases" / "cylinder_gap_pair.toml"


def exact_heat_flow() -> float:
    """W per metre of length: the three cylindrical shells in series."""
    r = math.log(1 / 0.5) / 3.0 + math.log(2.0) / 0.5 + math.log(2.5 / 2.0) / 2.0
    return 2 * math.pi * 1.0 / r


def test_case_runs_and_reports_conservation(shared_tmp):
    res = run_case(CASE, out=shared_tmp / "out")
    (row,) = res.interfaces
    assert row.name == "gap" and (row.plus, row.minus) == ("inner", "outer")
    assert row.heat_flow_W == pytest.approx(exact_heat_flow(), rel=1e-3)
    assert row.mechanisms["conservation_relative"] <= 1e-10
    assert res.balance.relative_residual < 1e-9
    if MPI.COMM_WORLD.rank == 0:
        text = (shared_tmp / "out" / "cylinder_gap_pair_summary.json").read_text()
        assert "conservation_relative" in text and "heat_flow_entering_B_W" in text
    res.problem.close()


def test_check_lists_the_pair(capsys):
    assert main(["check", str(CASE)]) == 0
    out = capsys.readouterr().out
    if MPI.COMM_WORLD.rank == 0:
        assert "pair gap: inner_outer -> outer_inner, matched area of 'inner_outer' 6.283" in out
        assert "mean gap 1 m" in out


def test_check_builds_one_problem_and_closes_it(monkeypatch):
    """The pair report reads the problem the check built (one search), which is closed."""
    from fe_interface.case import check_case
    from fe_interface.case.pairs import pair_report
    from fe_interface.errors import InputError
    from fe_interface.problems.steady import SteadyProblem

    built, lines = [], []
    init = SteadyProblem.initialise
    monkeypatch.setattr(SteadyProblem, "initialise", lambda s: (built.append(s), init(s))[1])
    check_case(CASE, report=lambda p: lines.extend(pair_report(p)))
    assert len(built) == 1 and len(lines) == 1 and "matched area" in lines[0]
    with pytest.raises(InputError, match="was closed"):
        built[0].formulation  # noqa: B018


@pytest.mark.parametrize(
    ("key", "value", "expect"),
    [
        ("interfaces.gap.pair", ["inner_outer"], "interfaces.gap.pair: must be two facet group"),
        ("interfaces.gap.pair", ["a", "a"], "interfaces.gap.pair: the two surfaces must differ"),
        ("interfaces.gap.projection", "sideways", "interfaces.gap.projection"),
        ("interfaces.gap.search_distance", -1.0, "interfaces.gap.search_distance: must be > 0"),
        ("interfaces.gap.plus", "inner", "interfaces.gap.plus: not used with 'pair'"),
        ("interfaces.gap.geometry", "cone", "interfaces.gap.geometry"),
        ("interfaces.gap.center", [0, 0, 0, 0], "interfaces.gap.center"),
    ],
)
def test_case_errors_name_the_key(key, value, expect):
    import tomllib

    data = tomllib.loads(CASE.read_text())
    assert expect in errors_of(with_key(data, key, value))


def test_unknown_or_interior_surface_named(shared_tmp):
    import tomllib

    data = tomllib.loads(CASE.read_text())
    case = parse_case(with_key(data, "interfaces.gap.pair", ["inner_outer", "nowhere"]))
    from fe_interface.case.checker import CaseError

    with pytest.raises(CaseError, match=r"interfaces.gap.pair: no facet group 'nowhere'"):
        case.check_mesh(case.build_mesh())
    data2 = with_key(data, "interfaces.gap.search_distance", 0.1)
    case2 = parse_case(data2)
    p = case2.build_problem(case2.check_mesh(case2.build_mesh()))
    with pytest.raises(Exception, match=r"interface pair 'gap'.*search distance 0.1 m"):
        p.initialise()
