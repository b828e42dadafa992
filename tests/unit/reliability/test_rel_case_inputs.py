"""Bad case files: every one is a :class:`CaseError` whose message names the key path
(never another exception, never accepted).  Stage 1 (the TOML document alone) is checked
without a mesh; stage 3 (the case against its mesh) with one mesh built per module.

Also: the file level (binary, empty, a folder, NUL bytes), NumPy scalars in a case given
as a dict, and a property-based sweep (hypothesis) that puts random junk at random key
paths.
"""

from __future__ import annotations

import math

from mpi4py import MPI

import numpy as np
import pytest
from helpers.cases import DELETE
from relcases import BASE, TRANSIENT, spoil

from fe_interface.case import CaseError, load_case, parse_case

# (key path, bad value, text the message must contain besides the key path)
STAGE1 = [
    ("name", "../x", "plain file name"),
    ("name", "a/b", "plain file name"),
    ("name", "", "non-empty"),
    ("name", 3, "string"),
    ("geometry", DELETE, "missing"),
    ("geometry.builder", "nope", "unknown value"),
    ("geometry.parameters.bogus", 1, "unknown key"),
    ("geometry.mesh", "x.msh", "exactly one"),
    ("materials", DELETE, "missing"),
    ("materials", {}, "no materials"),
    ("materials.a", 5, "must be a table"),
    ("materials.a.conductivity", -1.0, "> 0"),
    ("materials.a.conductivity", 0.0, "> 0"),
    ("materials.a.conductivity", math.nan, "finite"),
    ("materials.a.conductivity", math.inf, "finite"),
    ("materials.a.conductivity", "10", "number"),
    ("materials.a.conductivity", True, "number"),
    ("materials.a.conductivity", [1.0], "number"),
    ("materials.a.density", -5.0, "> 0"),
    ("materials.a.library", "unobtainium", "unknown value"),
    ("materials.a.colour", "red", "unknown key"),
    ("interfaces.interface0.law", "magic", "unknown law"),
    ("interfaces.interface0.R", -1e-4, "> 0"),
    ("interfaces.interface0.R", 0.0, "> 0"),
    ("interfaces.interface0.R", "high", "number"),
    ("interfaces.interface0.between", ["a", "a"], "two different"),
    ("interfaces.interface0.between", "a", "two different"),
    ("interfaces.interface0", 1e-4, "must be a table"),
    ("boundaries.x0.type", "dirichlet", "unknown value"),
    ("boundaries.x0.value", -300.0, "> 0"),
    ("boundaries.x0.value", 0.0, "> 0"),
    ("boundaries.x0.value", {"table": [[0.0, 300.0]]}, "transient"),
    ("boundaries.x0.h", 10.0, "unknown key"),
    ("boundaries.x1", {"type": "convection", "h": -1.0, "T_inf": 300.0}, ">= 0"),
    ("boundaries.x1", {"type": "convection", "h": 10.0, "T_inf": -3.0}, "> 0"),
    ("boundaries.x1", {"type": "convection", "h": 10.0}, "missing"),
    ("sources.a", 1e6, "must be a table"),
    ("sources.a.value", "hot", "number"),
    ("analysis.type", "unsteady", "unknown value"),
    ("analysis.degree", 4, "one of"),
    ("analysis.degree", 1.5, "integer"),
    ("analysis.initial_temperature", -10.0, "> 0"),
    ("analysis.t_end", 1.0, "unknown key"),
    ("solver.type", "magic", "unknown value"),
    ("solver.petsc_options.ksp_rtol", -1.0, ">= 0"),
    ("solver.petsc_options.ksp_rtol", "tight", ">= 0"),
    ("solver.petsc_options.ksp_max_it", 2.5, "integer"),
    ("solver.petsc_options.-ksp_type", "cg", "leading '-'"),
    ("solver.petsc_options.ksp_type", ["cg"], "string, number or boolean"),
    ("outputs.name", "../../x", "plain file name"),
    ("outputs.name", "sub/x", "plain file name"),
    ("outputs.name", "..", "plain file name"),
    ("outputs.name", ".hidden", "start with '.'"),
    ("outputs.files", ["xdmf", "pdf"], "unknown file kind"),
    ("outputs.files", "xdmf", "array of strings"),
    ("outputs.line", {"start": [0.0, 0.0], "end": [0.0, 0.0]}, "differ"),
    ("outputs.line", {"start": [0.0], "end": [0.01, 0.0]}, "2 or 3 numbers"),
    ("outputs.line", {"start": [0.0, 0.0], "end": [0.01, math.nan]}, "finite"),
    ("outputs.line", {"start": [0.0, 0.0], "end": [0.01, 0.0], "points": 1}, "between 2"),
    ("outputs.line", {"start": [0.0, 0.0], "end": [0.01, 0.0], "points": 10**9}, "between 2"),
]

TRANSIENT_BAD = [
    ("analysis.t_end", DELETE, "missing"),
    ("analysis.t_end", 0.0, "> 0"),
    ("analysis.t_end", -1.0, "> 0"),
    ("analysis.dt", 0.0, "> 0"),
    ("analysis.dt", 1e-9, "max_steps"),
    ("analysis.initial_temperature", -5.0, "> 0"),
    ("analysis.initial_temperature", {"a": 300.0, "b": -1.0}, "> 0"),
    ("analysis.initial_temperature", "warm", "number"),
    ("analysis.output_every", 0, ">= 1"),
    ("analysis.checkpoint_every", 0, ">= 1"),
    ("analysis.checkpoint_every", -3, ">= 1"),
    ("analysis.max_steps", 0, ">= 1"),
    ("analysis.tol", -0.01, "> 0"),
    ("analysis.tol", 0.0, "> 0"),
    ("analysis.dt_min", -1.0, "> 0"),
    ("analysis.scheme", "leapfrog", "unknown value"),
    ("analysis.scheme", 0.3, ">= 0.5"),
    ("analysis.startup_steps", -1, ">= 0"),
    ("analysis.checkpoint", "../ck", "inside the output folder"),
    ("analysis.checkpoint", "/tmp/ck", "inside the output folder"),
    ("analysis.restart", True, "checkpoint"),
    ("boundaries.x1.value", {"table": [[1.0, 1e4], [0.5, 2e4]]}, "increase"),
    ("boundaries.x0.value", {"table": [[0.0, 300.0], [1.0, -5.0]]}, "> 0"),
    ("boundaries.x0.value", {"value": 350.0, "start": 0.1}, "before"),
    ("boundaries.x1.value", {"table": "ramp"}, "pairs"),
]


def _check(data, path, expect):
    with pytest.raises(CaseError) as ei:
        parse_case(data)
    msg = str(ei.value)
    key = path.split(".-")[0] if ".-" in path else path
    assert key.split(".")[0] in msg, msg
    assert expect in msg, msg
    return msg


@pytest.mark.parametrize(
    ("path", "value", "expect"), STAGE1, ids=[f"{p}={v!r}"[:60] for p, v, _ in STAGE1]
)
def test_stage1_bad_value(path, value, expect):
    msg = _check(spoil(BASE, path, value), path, expect)
    assert "Traceback" not in msg


@pytest.mark.parametrize(
    ("path", "value", "expect"), TRANSIENT_BAD, ids=[f"{p}={v!r}"[:60] for p, v, _ in TRANSIENT_BAD]
)
def test_transient_bad_value(path, value, expect):
    _check(spoil(TRANSIENT, path, value), path, expect)


def test_valid_cases_parse():
    assert parse_case(BASE).name == "rel"
    assert parse_case(TRANSIENT).transient.dt == 0.1


def test_numpy_scalars_are_numbers():
    """A case built in Python with NumPy values is accepted like plain numbers."""
    d = spoil(BASE, "materials.a.conductivity", np.float32(10.0))
    d = spoil(d, "interfaces.interface0.R", np.float64(1e-4))
    d = spoil(d, "boundaries.x0.value", np.int64(300))
    d = spoil(d, "analysis", {"degree": np.int32(2)})
    case = parse_case(d)
    assert case.materials["a"]["conductivity"] == 10.0 and case.degree == 2
    t = spoil(TRANSIENT, "analysis.output_every", np.int64(2))
    assert parse_case(t).transient.output_every == 2


def test_every_problem_is_listed_with_its_path():
    d = spoil(BASE, "materials.a.conductivity", -1.0)
    d = spoil(d, "outputs.name", "../x")
    with pytest.raises(CaseError) as ei:
        parse_case(d)
    paths = [p for p, _ in ei.value.errors]
    assert "materials.a.conductivity" in paths and "outputs.name" in paths


def test_not_a_table():
    with pytest.raises(CaseError, match="table"):
        parse_case([1, 2, 3])


# ------------------------------------------------------------------ the file itself
@pytest.mark.parametrize(
    ("content", "expect"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        (bytes(range(256)), "not a text file"),
        ("name = 'caf\xe9'".encode("latin-1"), "not UTF-8"),
        (b"name = 'x'\x00\x00", "NUL"),
        (b"", "missing required table"),
        (b"[geometry\nbuilder = 1", "not valid TOML"),
        (b"name = ", "not valid TOML"),
    ],
    ids=["png", "bytes", "latin1", "nul", "empty", "toml-syntax", "toml-value"],
)
def test_bad_file(tmp_path, content, expect):
    p = tmp_path / f"case{MPI.COMM_WORLD.rank}.toml"
    p.write_bytes(content)
    with pytest.raises(CaseError, match=expect) as ei:
        load_case(p)
    assert str(p) in str(ei.value) or "missing" in str(ei.value)


def test_folder_and_missing_file(tmp_path):
    with pytest.raises(CaseError, match="is a folder"):
        load_case(tmp_path)
    with pytest.raises(CaseError, match="not found"):
        load_case(tmp_path / "nope.toml")


def test_mesh_file_named_but_bad(tmp_path):
    p = tmp_path / f"m{MPI.COMM_WORLD.rank}.msh"
    p.write_text("hello")
    d = spoil(BASE, "geometry", {"mesh": p.name})
    case = parse_case(d, base_dir=tmp_path)
    with pytest.raises(CaseError, match=r"geometry\.mesh.*\$MeshFormat"):
        case.build_mesh()
    with pytest.raises(CaseError, match=r"geometry\.mesh.*gmsh \.msh"):
        parse_case(spoil(BASE, "geometry", {"mesh": "x.stl"}), base_dir=tmp_path)
    with pytest.raises(CaseError, match="file not found"):
        parse_case(spoil(BASE, "geometry", {"mesh": "none.msh"}), base_dir=tmp_path)


def test_builder_parameter_errors_name_the_parameter():
    case = parse_case(spoil(BASE, "geometry.parameters.thicknesses", [0.01, -0.01]))
    with pytest.raises(CaseError, match=r"geometry\.parameters"):
        case.build_mesh()
    case = parse_case(spoil(BASE, "geometry.parameters.dim", 4))
    with pytest.raises(CaseError, match=r"geometry\.parameters"):
        case.build_mesh()


# ------------------------------------------------------------------ the case against its mesh
@pytest.fixture(scope="module")
def tagged():
    return parse_case(BASE).build_mesh()


MESH_STAGE = [
    ("materials.c", {"conductivity": 1.0}, "no region 'c'"),
    ("materials.b", DELETE, "region 'b' has no material"),
    ("interfaces.nowhere", {"law": "resistance", "R": 1e-4}, "no facet group 'nowhere'"),
    ("interfaces.x0", {"law": "resistance", "R": 1e-4}, "outer boundary"),
    ("interfaces.interface0.plus", "c", "not on either side"),
    (
        "interfaces.extra",
        {"law": "resistance", "R": 1e-4, "between": ["a", "zz"]},
        "no region 'zz'",
    ),
    (
        "interfaces.extra",
        {"law": "resistance", "R": 1e-4, "between": ["a", "b"]},
        "already form the facet group",
    ),
    ("boundaries.interface0", {"type": "temperature", "value": 300.0}, "interface"),
    ("boundaries.nowhere", {"type": "temperature", "value": 300.0}, "no facet group"),
    ("sources.zz", {"value": 1e5}, "no region 'zz'"),
    ("outputs.line", {"start": [0.0, 0.005], "end": [0.5, 0.005]}, "outside the mesh"),
    ("outputs.line", {"start": [-1.0, -1.0], "end": [-0.5, -1.0]}, "start and end points"),
]


@pytest.mark.parametrize(("path", "value", "expect"), MESH_STAGE, ids=[p for p, _, _ in MESH_STAGE])
def test_case_against_mesh(tagged, path, value, expect):
    case = parse_case(spoil(BASE, path, value))
    with pytest.raises(CaseError) as ei:
        case.check_mesh(tagged)
    assert path.split(".")[0] in str(ei.value) and expect in str(ei.value), str(ei.value)


def test_line_on_the_boundary_is_inside(tagged):
    """End points exactly on the outer boundary are inside (round-off forgiven)."""
    case = parse_case(spoil(BASE, "outputs.line", {"start": [0.0, 0.005], "end": [0.02, 0.005]}))
    case.check_mesh(tagged)
