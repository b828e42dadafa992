"""CAD assemblies (fe_interface.geometry.assembly, [geometry] cad = ... in case files).

Small STEP/BREP files are drawn with gmsh's OpenCASCADE kernel on rank 0 (in mm, as CAD
tools write them); each test reads them back, collectively.
"""

import os
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

from fe_interface.case import load_case
from fe_interface.case.checker import CaseError
from fe_interface.cli import main
from fe_interface.errors import MeshError
from fe_interface.geometry.assembly import cad_assembly, part_names


def _draw(path: Path, boxes: list[tuple[float, ...]]) -> None:
    """Boxes (x, y, z, dx, dy, dz in file units) written to ``path`` on rank 0."""
    if MPI.COMM_WORLD.rank == 0:
        import gmsh

        gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        try:
            for b in boxes:
                gmsh.model.occ.addBox(*b)
            gmsh.model.occ.synchronize()
            fd = os.dup(1)  # OpenCASCADE's STEP writer prints to stdout
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                try:
                    gmsh.write(str(path))
                finally:
                    os.dup2(fd, 1)
                    os.close(fd)
        finally:
            gmsh.finalize()
    MPI.COMM_WORLD.barrier()


STACK = [(0, 0, 0, 2, 2, 1), (0, 0, 1, 2, 2, 2)]  # mm: two blocks touching on z = 1


@pytest.fixture
def stack(shared_tmp):
    p = shared_tmp / "stack.step"
    _draw(p, STACK)
    return p


def test_step_in_mm_read_in_metres_with_contact_and_area(stack):
    asm = cad_assembly(stack, ["lower", "upper"], mesh_size=1e-3)
    assert asm.parts == ("lower", "upper")
    ((name, parts, area),) = asm.contacts
    assert name == "lower/upper" and parts == ("lower", "upper")
    assert area == pytest.approx(4e-6, rel=1e-12)  # 2 mm x 2 mm in m^2
    t = asm.tagged
    assert set(t.facet_names) == {"lower/upper", "lower_outer", "upper_outer"}
    x = t.mesh.geometry.x
    top = MPI.COMM_WORLD.allreduce(float(x[:, 2].max()), op=MPI.MAX)
    assert top == pytest.approx(3e-3, rel=1e-12)  # mm -> m


def test_brep_unit_and_default_names(shared_tmp):
    p = shared_tmp / "stack.brep"
    _draw(p, STACK)
    asm = cad_assembly(p, mesh_size=2.0, unit=1e-3)  # a BREP has no unit: 1 unit = 1 mm
    assert asm.parts == ("part1", "part2")  # one file, no labels
    assert asm.contacts[0].area_m2 == pytest.approx(4e-6, rel=1e-12)


def test_part_names_rules():
    generic = ["Shapes/Open CASCADE STEP translator 7.8 1/1/Open CASCADE STEP translator 7.8 1.1"]
    assert part_names(generic * 2, ["a", "a"], None) == ["part1", "part2"]
    assert part_names(["Shapes/asm/die", "Shapes/asm/heat sink"], ["x", "x"], None) == [
        "die",
        "heat_sink",
    ]
    assert part_names(["", ""], ["die", "lid"], None) == ["die", "lid"]  # one part per file
    with pytest.raises(MeshError, match="2 given for 3 parts"):
        part_names(["", "", ""], ["a", "b", "c"], ["x", "y"])
    with pytest.raises(MeshError, match="unique"):
        part_names(["", ""], ["a", "b"], ["x", "x"])
    with pytest.raises(MeshError, match="not names"):
        part_names(["", ""], ["a", "b"], ["x", "a b"])


@pytest.mark.parametrize(
    ("boxes", "match"),
    [
        ([(0, 0, 0, 1, 1, 1), (3, 0, 0, 1, 1, 1)], "no touching faces"),
        ([(0, 0, 0, 2, 2, 2), (1, 1, 1, 2, 2, 2)], "overlap"),
    ],
)
def test_bad_assemblies_are_named(shared_tmp, boxes, match):
    p = shared_tmp / "bad.step"
    _draw(p, boxes)
    with pytest.raises(MeshError, match=match) as e:
        cad_assembly(p, mesh_size=1e-3)
    assert "bad.step" in str(e.value)


def test_missing_and_unknown_files(shared_tmp):
    with pytest.raises(MeshError, match="file not found"):
        cad_assembly(shared_tmp / "none.step")
    with pytest.raises(MeshError, match="not a CAD file"):
        cad_assembly(shared_tmp / "part.msh")


CASE = """
[geometry]
cad = "stack.step"
parts = ["lower", "upper"]
mesh_size = 1e-3
[materials.lower]
conductivity = 10.0
[materials.upper]
conductivity = 20.0
[interfaces."lower/upper"]
law = "resistance"
R = 1e-4
[boundaries.lower_outer]
type = "temperature"
value = 300.0
[boundaries.upper_outer]
type = "temperature"
value = 310.0
"""


def test_case_file_and_check_lists_contacts(stack, capsys):
    case_file = stack.parent / "stack.toml"
    if MPI.COMM_WORLD.rank == 0:
        case_file.write_text(CASE)
    MPI.COMM_WORLD.barrier()
    case = load_case(case_file)
    tagged = case.check_mesh(case.build_mesh())
    assert [c.name for c in case.contacts] == ["lower/upper"]
    problem = case.build_problem(tagged)
    problem.run()
    (row,) = problem.interface_table()
    assert row.area_m2 == pytest.approx(4e-6, rel=1e-9)
    T = problem.T.x.array
    lo = MPI.COMM_WORLD.allreduce(float(T.min()), op=MPI.MIN)
    hi = MPI.COMM_WORLD.allreduce(float(T.max()), op=MPI.MAX)
    assert 300.0 - 1e-9 <= lo and hi <= 310.0 + 1e-9 and np.isfinite(row.heat_flow_W)
    problem.close()
    assert main(["check", str(case_file)]) == 0
    out = capsys.readouterr().out
    if MPI.COMM_WORLD.rank == 0:
        assert "contact lower/upper: parts lower and upper, area 4e-06 m2" in out


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        ({"cad": "none.step"}, "geometry.cad"),
        ({"cad": "stack.msh"}, "geometry.cad"),
        ({"unit": 1e-3}, "geometry.unit"),
        ({"order": 3}, "geometry.order"),
        ({"mesh_size": -1.0}, "geometry.mesh_size"),
        ({"mesh": "x.msh"}, "geometry"),
    ],
)
def test_case_errors_name_the_key(stack, edit, path):
    from fe_interface.case import parse_case

    data = {
        "geometry": {"cad": "stack.step", "parts": ["lower", "upper"]} | edit,
        "materials": {"lower": {"conductivity": 1.0}, "upper": {"conductivity": 1.0}},
    }
    with pytest.raises(CaseError) as e:
        parse_case(data, base_dir=stack.parent)
    assert any(p == path for p, _ in e.value.errors), e.value.errors


def test_case_parts_count_error_at_build(stack):
    from fe_interface.case import parse_case

    data = {
        "geometry": {"cad": "stack.step", "parts": ["only_one"]},
        "materials": {"only_one": {"conductivity": 1.0}},
    }
    case = parse_case(data, base_dir=stack.parent)
    with pytest.raises(CaseError, match=r"geometry.cad: .*stack.step: names: 1 given for 2 parts"):
        case.build_mesh()
