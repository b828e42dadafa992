"""Parametric sweeps in case files: every run equals the single run of the modified
case (the same numbers), the table/JSON/plot are one result set, invalid sweeps are
reported with key paths; the chip package's pressure sweep in air and vacuum from
cases/chip_package_sweep.toml."""

import copy
import csv
import json
import math
import tomllib
from pathlib import Path

from mpi4py import MPI

import pytest

from fe_interface.case import parse_case, run_case
from fe_interface.case.checker import CaseError
from fe_interface.case.sweep import format_sweep, run_sweep, variants
from fe_interface.io.files import verify_result_set

COMM = MPI.COMM_WORLD
CASES = Path(__file__).resolve().parents[2] / "cases"

# fmt: off
BASE = {
    "name": "blocks",
    "geometry": {
        "builder": "layered_stack",
        "parameters": {"thicknesses": [0.02, 0.03], "width": 0.02, "dim": 2,
                       "names": ["cu", "al"], "cell_type": "hex", "mesh_size": 0.005},
    },
    "materials": {"cu": {"conductivity": 398.0}, "al": {"conductivity": 237.0}},
    "interfaces": {
        "interface0": {
            "law": "cmy_plastic", "plus": "cu", "pressure": 1.0e5, "H_c": 1.0e9,
            "surface_plus": {"sigma": 2e-6, "k": 398.0}, "surface_minus": {"sigma": 2e-6, "k": 237.0},
        }
    },
    "boundaries": {
        "x0": {"type": "heat_flux", "value": 2.0e4},
        "x1": {"type": "convection", "h": 500.0, "T_inf": 298.15},
    },
    "sources": {"cu": {"value": 1.0e6}},
    "solver": {"type": "iterative"},
    "outputs": {"files": ["summary"], "junction": "cu", "probes": {"top": [0.001, 0.01]}},
}
# fmt: on
SWEEP = {
    "outputs": ["junction_K", "interfaces.interface0.mean_jump_K", "probes.top_K"],
    "parameters": [
        {"key": "interfaces.interface0.pressure", "name": "pressure_Pa", "values": [5e4, 2e5, 1e6]},
        {"key": "boundaries.x1.T_inf", "name": "T_air_K", "values": [290.0, 310.0]},
    ],
}


def case_with(sweep=None, **changes):
    data = copy.deepcopy(BASE)
    if sweep is not None:
        data["sweep"] = sweep
    for path, value in changes.items():
        node = data
        *head, last = path.split("__")
        for k in head:
            node = node[k]
        node[last] = value
    return data


def _out(tmp_path_factory, name):
    path = str(tmp_path_factory.mktemp(name)) if COMM.rank == 0 else None
    return Path(COMM.bcast(path, root=0))


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = _out(tmp_path_factory, "sweep")
    res = run_sweep(parse_case(case_with(SWEEP)), out=out)
    return res, out


def test_sweep_runs_equal_the_single_runs(swept, tmp_path_factory):
    """Each row of the table is the single run of the case with those values (CG + GAMG
    from the same start on the same mesh: the same numbers, to 1e-12)."""
    res, _ = swept
    assert len(res.points) == 6 and res.parameters == ["pressure_Pa", "T_air_K"]
    assert res.points[1] == {"pressure_Pa": 5e4, "T_air_K": 310.0}  # product: last fastest
    out = _out(tmp_path_factory, "single")
    for i in (0, 5):
        pt = res.points[i]
        single = run_case(
            parse_case(case_with(interfaces__interface0__pressure=pt["pressure_Pa"],
                                 boundaries__x1__T_inf=pt["T_air_K"])),
            out=out / f"run{i}",
        )  # fmt: skip
        flat = {"junction_K": single.derived.junction_K, "probes.top_K": single.derived.probes[0].temperature_K,
                "interfaces.interface0.mean_jump_K": single.interfaces[0].mean_jump_K}  # fmt: skip
        for k, v in flat.items():
            assert res.values[i][k] == pytest.approx(v, rel=1e-12, abs=0), k


def test_sweep_physics_is_monotone(swept):
    """Higher pressure: smaller jump, cooler junction; a warmer sink: a warmer junction."""
    res, _ = swept
    jump = res.column("interfaces.interface0.mean_jump_K")
    tj = res.column("junction_K")
    assert jump[0] > jump[2] > jump[4] and tj[0] > tj[2] > tj[4]
    assert all(tj[2 * i + 1] > tj[2 * i] for i in range(3))
    # the heat flow is fixed (flux + source): the jump times h is the same in every run
    q = [res.values[i]["interfaces.interface0.heat_flow_W"] for i in range(6)]
    assert max(q) == pytest.approx(min(q), rel=1e-8)


def test_sweep_table_json_and_plot_are_one_result_set(swept):
    res, out = swept
    assert set(res.files) == {"csv", "json", "plot"}
    if COMM.rank != 0:
        return
    assert verify_result_set(out, "blocks") == []
    with open(out / "blocks_sweep.csv") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:5] == ["pressure_Pa", "T_air_K", *SWEEP["outputs"]]
    assert len(rows) == 7 and float(rows[1][2]) == res.values[0]["junction_K"]
    doc = json.loads((out / "blocks_sweep.json").read_text())
    assert doc["mode"] == "product" and len(doc["runs"]) == 6
    assert doc["parameters"][0]["keys"] == ["interfaces.interface0.pressure"]
    assert (out / "blocks_sweep.png").stat().st_size > 10_000
    text = format_sweep(res)
    assert "pressure_Pa" in text.splitlines()[0] and len(text.splitlines()) == 7


def test_zip_mode_and_labels(tmp_path_factory):
    sweep = {
        "mode": "zip", "plot": False, "outputs": ["junction_K"],
        "parameters": [
            {"key": "sources.cu.value", "name": "q_W_m3", "values": [5e5, 1e6], "labels": ["low", "high"]},
            {"key": ["boundaries.x1.T_inf"], "values": [300.0, 320.0]},
        ],
    }  # fmt: skip
    res = run_sweep(parse_case(case_with(sweep)), out=_out(tmp_path_factory, "zip"))
    assert res.points == [{"q_W_m3": 5e5, "boundaries.x1.T_inf": 300.0},
                          {"q_W_m3": 1e6, "boundaries.x1.T_inf": 320.0}]  # fmt: skip
    assert "plot" not in res.files


@pytest.mark.parametrize(
    ("sweep", "path", "match"),
    [
        ({"parameters": [{"key": "interfaces.interface0.presure", "values": [1.0]}]},
         "sweep.parameters[0].key", "no value 'presure' in interfaces.interface0 of the case; did you mean 'pressure'"),
        ({"parameters": [{"key": "interfaces.interface0", "values": [1.0]}]},
         "sweep.parameters[0].key", "is a table, not a value"),
        ({"parameters": [{"key": "geometry.parameters.thicknesses[5]", "values": [1.0]}]},
         "sweep.parameters[0].key", r"not an array with an element \[5\]"),
        ({"parameters": [{"key": "name", "values": ["a"]}]}, "sweep.parameters[0].key", "cannot be swept"),
        ({"parameters": [{"key": "sources.cu.value", "values": 3.0}]},
         "sweep.parameters[0].values", "non-empty array"),
        ({"parameters": [{"key": "sources.cu.value", "values": [1.0, 1.0]}]},
         "sweep.parameters[0].values", "must differ"),
        ({"parameters": [{"key": "sources.cu.value", "values": [1.0, 2.0], "labels": ["a"]}]},
         "sweep.parameters[0].labels", "one label per value"),
        ({"parameters": [{"key": "sources.cu.value", "values": [1.0]}], "mode": "grid"},
         "sweep.mode", "unknown value 'grid'"),
        ({"parameters": [{"key": "sources.cu.value", "values": [1.0]}], "steps": 3},
         "sweep.steps", "unknown key"),
        ({"parameters": []}, "sweep.parameters", "non-empty array"),
        ({"parameters": [{"key": "sources.cu.value", "values": [1.0, 2.0]},
                         {"key": "boundaries.x1.h", "values": [1.0]}], "mode": "zip"},
         "sweep.parameters", "as many values"),
        ({"parameters": [{"key": "sources.cu.value", "values": [1.0], "name": "p"},
                         {"key": "boundaries.x1.h", "values": [1.0], "name": "p"}]},
         "sweep.parameters[0].name", "used by two parameters"),
        ({"parameters": [{"key": "sources.cu.value", "values": [1.0]}], "outputs": ["T_max"]},
         "sweep.outputs[0]", "unknown output 'T_max'"),
    ],
)  # fmt: skip
def test_invalid_sweeps_name_their_key_paths(sweep, path, match):
    with pytest.raises(CaseError) as e:
        parse_case(case_with(sweep))
    msgs = [m for p, m in e.value.errors if p == path]
    assert msgs, e.value.errors
    assert any(__import__("re").search(match, m) for m in msgs), msgs


def test_an_invalid_value_names_the_case_key_and_the_sweep_entry():
    sweep = {"parameters": [{"key": "interfaces.interface0.pressure", "values": [1e5, -1.0]},
                            {"key": "boundaries.x1.h", "values": [10.0, -5.0]}]}  # fmt: skip
    with pytest.raises(CaseError) as e:
        variants(parse_case(case_with(sweep)))
    errs = dict(e.value.errors)
    assert "must be >= 0" in errs["interfaces.interface0.pressure"]
    assert "set by sweep.parameters[0].values[1]" in errs["interfaces.interface0.pressure"]
    assert "boundaries.x1.h" in errs


def test_an_unknown_output_name_is_reported_with_the_available_ones(tmp_path_factory):
    sweep = {
        "outputs": ["regions.copper.max_K"],
        "parameters": [{"key": "sources.cu.value", "values": [1.0]}],
    }
    with pytest.raises(
        CaseError, match=r"sweep.outputs\[0\]: no output 'regions.copper.max_K'.*regions.cu.max_K"
    ):
        run_sweep(parse_case(case_with(sweep)), out=_out(tmp_path_factory, "bad"))


@pytest.mark.parametrize(
    ("parameters", "problems"),
    [  # values only: one problem; the solver type (structure): one per run
        ([{"key": "interfaces.interface0.pressure", "values": [5e4, 2e5, 1e6]},
          {"key": "sources.cu.value", "values": [1e6, 0.0]},
          {"key": "materials.al.conductivity", "values": [237.0, 150.0]}], 1),
        ([{"key": "solver.type", "values": ["iterative", "direct"]}], 2),
    ],
)  # fmt: skip
def test_sweep_reuses_its_problem_while_only_values_change(
    parameters, problems, tmp_path_factory, monkeypatch
):
    """The runs of a sweep share one problem (updated in place) unless a variant changes
    its structure; each row is still that of the single run (the table is the same as with
    a problem built per run: checked against the single runs of the first and last row)."""
    from fe_interface.problems.steady import SteadyProblem

    built = []
    init = SteadyProblem.initialise
    monkeypatch.setattr(SteadyProblem, "initialise", lambda s: (built.append(s), init(s))[1])
    sweep = {"outputs": ["junction_K"], "plot": False, "parameters": parameters}
    res = run_sweep(parse_case(case_with(sweep)), out=_out(tmp_path_factory, "reuse"))
    assert len(built) == problems
    with pytest.raises(Exception, match="was closed"):  # closed at the end of the sweep
        built[-1].formulation  # noqa: B018
    out = _out(tmp_path_factory, "reuse_single")
    for i in (0, len(res.points) - 1):
        data = case_with()
        for p in parameters:
            head, last = p["key"].rsplit(".", 1)
            node = data
            for k in head.split("."):
                node = node[k]
            node[last] = res.points[i][p["key"]]
        single = run_case(parse_case(data), out=out / f"run{i}")
        assert res.values[i]["junction_K"] == pytest.approx(
            single.derived.junction_K, rel=1e-12, abs=0
        )
        single.problem.close()


def test_chip_package_pressure_sweep_in_air_and_vacuum(tmp_path_factory):
    """cases/chip_package_sweep.toml (coarser mesh): the junction temperature against
    the joint pressure, air vs vacuum.  Vacuum is hotter at every pressure, the
    difference shrinks as the solid spots take over; at 0.2 MPa in air the joint's jump
    is the article's 30 K range (28.5-40 K on this coarse mesh)."""
    data = tomllib.loads((CASES / "chip_package_sweep.toml").read_text())
    data["geometry"]["parameters"]["mesh_size"] = 0.002
    data["sweep"]["parameters"][0]["values"] = [1e5, 2e5, 1e6]
    res = run_sweep(parse_case(data, base_dir=CASES), out=_out(tmp_path_factory, "chip"))
    tj = {
        (p["pressure_Pa"], p["gas_pressure_Pa"]): v["junction_K"]
        for p, v in zip(res.points, res.values, strict=True)
    }
    gap = [tj[(P, 0.0)] - tj[(P, 101325.0)] for P in (1e5, 2e5, 1e6)]
    assert all(g > 0 for g in gap) and gap[0] > gap[1] > gap[2]
    assert tj[(1e5, 101325.0)] > tj[(2e5, 101325.0)] > tj[(1e6, 101325.0)]
    jump = res.values[res.points.index({"pressure_Pa": 2e5, "gas_pressure_Pa": 101325.0})]
    assert 28.5 < jump["interfaces.spreader_sink.mean_jump_K"] < 40.0
    assert all(math.isfinite(v["probes.die_centre_K"]) for v in res.values)
    assert all(v["balance.relative_residual"] < 1e-8 for v in res.values)


CLI_CASE = """
name = "blocks"
[geometry]
builder = "layered_stack"
parameters = { thicknesses = [0.02, 0.03], width = 0.02, dim = 2, names = ["cu", "al"], cell_type = "hex", mesh_size = 0.005 }
[materials.cu]
conductivity = 398.0
[materials.al]
conductivity = 237.0
[interfaces.interface0]
law = "conductance"
plus = "cu"
h = 2.0e4
[boundaries.x0]
type = "heat_flux"
value = 2.0e4
[boundaries.x1]
type = "temperature"
value = 300.0
[solver]
type = "direct"
[outputs]
files = ["summary"]
junction = "cu"
probes = { top = [0.001, 0.01] }
"""
CLI_SWEEP = """
[sweep]
outputs = ["junction_K", "interfaces.interface0.mean_jump_K"]
[[sweep.parameters]]
key = "interfaces.interface0.h"
name = "h_W_m2K"
values = [1.0e4, 2.0e4]
"""


def test_cli_run_prints_the_junction_and_the_sweep_table(capsys, tmp_path_factory):
    """`fe-interface run`: the junction temperature first (q'' (L_cu/k_cu + 1/h +
    L_al/k_al) above 300 K); with a [sweep], `check` validates every variant and `run`
    prints one row per run (the jump q''/h) and the files."""
    from fe_interface.cli import main

    out = _out(tmp_path_factory, "cli")
    if COMM.rank == 0:
        (out / "single.toml").write_text(CLI_CASE)
        (out / "swept.toml").write_text(CLI_CASE + CLI_SWEEP)
    COMM.barrier()
    assert main(["run", str(out / "single.toml"), "--out", str(out / "single"), "--quiet"]) == 0
    text = capsys.readouterr().out
    tj = 300.0 + 2.0e4 * (0.02 / 398.0 + 1 / 2.0e4 + 0.03 / 237.0)
    if COMM.rank == 0:
        first = text.splitlines()[0]
        assert first.startswith("junction temperature (max T in 'cu'):"), text
        assert float(first.split(":")[1].split()[0]) == pytest.approx(tj, rel=2e-6)  # 6 digits
        assert "probe" in text and "Q_bulk+" in text
    assert main(["check", str(out / "swept.toml")]) == 0
    assert main(["run", str(out / "swept.toml"), "--out", str(out / "swept"), "--quiet"]) == 0
    text = capsys.readouterr().out
    if COMM.rank == 0:
        lines = text.splitlines()
        head = next(i for i, s in enumerate(lines) if s.lstrip().startswith("h_W_m2K"))
        assert "junction_K" in lines[head] and "interfaces.interface0.mean_jump_K" in lines[head]
        rows = [s.split() for s in lines[head + 1 : head + 3]]
        assert [float(r[0]) for r in rows] == [1.0e4, 2.0e4]
        assert [float(r[2]) for r in rows] == pytest.approx([2.0, 1.0], rel=1e-4)  # q''/h, printed
        assert str(out / "swept" / "blocks_sweep.csv") in text
    else:
        assert text == ""


def test_transient_sweep_reports_the_end_state(tmp_path_factory):
    """A sweep of a transient case: each row holds the values at the end time, those of
    the single transient run of the modified case (the same numbers)."""

    def transient(data):
        data["materials"] = {"cu": {"conductivity": 398.0, "density": 8960.0, "specific_heat": 385.0},
                             "al": {"conductivity": 237.0, "density": 2700.0, "specific_heat": 900.0}}  # fmt: skip
        data["analysis"] = {
            "type": "transient",
            "t_end": 1.0,
            "dt": 0.25,
            "initial_temperature": 298.15,
        }
        return data

    sweep = {"outputs": ["junction_K", "probes.top_K"], "plot": False,
             "parameters": [{"key": "boundaries.x0.value", "name": "q_W_m2", "values": [1.0e4, 4.0e4]}]}  # fmt: skip
    res = run_sweep(parse_case(transient(case_with(sweep))), out=_out(tmp_path_factory, "tsweep"))
    single = run_case(
        parse_case(transient(case_with(boundaries__x0__value=4.0e4))),
        out=_out(tmp_path_factory, "t1"),
    )
    assert single.transient is not None and single.transient.time == pytest.approx(1.0)
    assert res.values[1]["junction_K"] == pytest.approx(single.derived.junction_K, rel=1e-12, abs=0)
    assert res.values[1]["probes.top_K"] == pytest.approx(
        single.derived.probes[0].temperature_K, rel=1e-12, abs=0
    )
    assert res.values[1]["junction_K"] > res.values[0]["junction_K"] > 298.15  # more flux: warmer


def test_run_files_summaries_say_their_units(tmp_path_factory):
    """Each run's summary of a sweep says what its totals are (2D: per metre of depth)."""
    sweep = {
        "outputs": ["junction_K"],
        "run_files": True,
        "parameters": [{"key": "boundaries.x1.T_inf", "name": "T_air_K", "values": [290.0]}],
    }
    out = _out(tmp_path_factory, "runfiles")
    res = run_sweep(parse_case(case_with(sweep)), out=out)
    summary = res.files["run000_summary"]
    units = json.loads(Path(summary).read_text())["units"]
    assert units["totals"].startswith("2D planar: per metre of depth")


def test_transient_sweep_runs_keep_checkpoints_of_their_own(tmp_path_factory):
    """analysis.checkpoint in a sweep: one folder per run (ck/run000, ck/run001), so a
    restarted run continues from its own state, not from the last run's."""
    data = case_with(
        {"outputs": ["junction_K"], "plot": False,
         "parameters": [{"key": "boundaries.x0.value", "name": "q", "values": [1.0e4, 4.0e4]}]},
    )  # fmt: skip
    data["materials"] = {
        "cu": {"conductivity": 398.0, "density": 8960.0, "specific_heat": 385.0},
        "al": {"conductivity": 237.0, "density": 2700.0, "specific_heat": 900.0},
    }
    data["analysis"] = {"type": "transient", "t_end": 0.5, "dt": 0.25,
                        "initial_temperature": 298.15, "checkpoint": "ck", "checkpoint_every": 1}  # fmt: skip
    out = _out(tmp_path_factory, "tsweep_ck")
    run_sweep(parse_case(data), out=out)
    COMM.barrier()
    runs = sorted(p.name for p in (out / "ck").iterdir())
    assert runs == ["run000", "run001"]
