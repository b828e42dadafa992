"""Bad meshes: every one a :class:`MeshError` naming the file and what is wrong, raised on
every rank (rank 0 reads the file; no rank is left waiting, no ``MPI_Abort``).

The ``.msh`` files are written by gmsh in a module fixture: empty, garbage, truncated,
text, without physical groups, cells outside every group, two groups on the same cells
or facets, one name for two groups, a 3D mesh read as 2D, a 2D mesh read as 3D, a 2D
mesh off z = 0, a facet group with nodes in no cell or with elements that are no cell's
face, a group without elements.  Also
:func:`tag_mesh` with two markers on the same facets.
"""

from __future__ import annotations

from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest
from dolfinx import mesh as dmesh

from fe_interface.errors import MeshError
from fe_interface.mesh import read_msh, tag_mesh

COMM = MPI.COMM_WORLD


def _spoilt_groups(gmsh, folder):
    """Groups DOLFINx cannot build: a facet group on a curve meshed apart from the cells
    (its nodes are in no cell: MPI_Abort "Invalid rank"), a group without elements (an
    AssertionError), a line element across the cells (silently dropped)."""
    import numpy as np

    for name in ("loose", "empty_region", "empty_facets", "across"):
        gmsh.model.add(name)
        occ = gmsh.model.occ
        a, b = occ.addRectangle(0, 0, 0, 1, 1), occ.addRectangle(1, 0, 0, 1, 1)
        occ.fragment([(2, a)], [(2, b)])
        extra = occ.addRectangle(5, 0, 0, 1, 1) if name == "empty_region" else None
        line = occ.addLine(occ.addPoint(3, 0, 0), occ.addPoint(3, 1, 0))
        occ.synchronize()
        gmsh.model.addPhysicalGroup(2, [a], 1, "left")
        gmsh.model.addPhysicalGroup(2, [b], 2, "right")
        if extra is not None:
            gmsh.model.addPhysicalGroup(2, [extra], 3, "ghost")
        if name in ("loose", "empty_facets"):
            gmsh.model.addPhysicalGroup(1, [line], 11, "far")
        gmsh.option.setNumber("Mesh.MeshSizeMax", 0.5)
        gmsh.model.mesh.generate(2)
        if extra is not None:
            gmsh.model.mesh.clear([(2, extra)])
        if name == "empty_facets":
            gmsh.model.mesh.clear([(1, line)])
        if name == "across":  # a line from corner (0, 0) to corner (2, 1)
            tags, x, _ = gmsh.model.mesh.getNodes()
            x = x.reshape(-1, 3)
            ends = [
                int(tags[np.argmin(np.linalg.norm(x - p, axis=1))]) for p in ([0, 0, 0], [2, 1, 0])
            ]
            c = gmsh.model.addDiscreteEntity(1)
            gmsh.model.mesh.addElementsByType(c, 1, [], ends)
            gmsh.model.addPhysicalGroup(1, [c], 12, "diagonal")
        gmsh.write(str(folder / f"{name}.msh"))
        gmsh.model.remove()


def _two_squares(gmsh, path, *, phys=True, all_cells=True, dup_facets=False, dup_cells=False,
                 dim3=False, save_all=False, z=0.0):  # fmt: skip
    gmsh.model.add(Path(path).stem)
    occ = gmsh.model.occ
    d = 3 if dim3 else 2
    if dim3:
        a, b = occ.addBox(0, 0, 0, 1, 1, 1), occ.addBox(1, 0, 0, 1, 1, 1)
    else:
        a, b = occ.addRectangle(0, 0, z, 1, 1), occ.addRectangle(1, 0, z, 1, 1)
    occ.fragment([(d, a)], [(d, b)])
    occ.synchronize()
    if phys:
        gmsh.model.addPhysicalGroup(d, [a], 1, "left")
        if all_cells:
            gmsh.model.addPhysicalGroup(d, [b], 2, "right")
        if dup_cells:
            gmsh.model.addPhysicalGroup(d, [a], 3, "again")
        first = gmsh.model.getEntities(d - 1)[0][1]
        gmsh.model.addPhysicalGroup(d - 1, [first], 11, "f1")
        if dup_facets:
            gmsh.model.addPhysicalGroup(d - 1, [first], 12, "f2")
    gmsh.option.setNumber("Mesh.MeshSizeMax", 0.5)
    gmsh.model.mesh.generate(d)
    gmsh.option.setNumber("Mesh.SaveAll", 1 if save_all else 0)
    gmsh.write(str(path))
    gmsh.model.remove()


@pytest.fixture(scope="module")
def meshes(tmp_path_factory):
    folder = None
    if COMM.rank == 0:
        import gmsh

        folder = tmp_path_factory.mktemp("msh")
        gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        try:
            _two_squares(gmsh, folder / "good.msh")
            _two_squares(gmsh, folder / "nophys.msh", phys=False)
            _two_squares(gmsh, folder / "untagged.msh", all_cells=False, save_all=True)
            _two_squares(gmsh, folder / "dup_facets.msh", dup_facets=True)
            _two_squares(gmsh, folder / "dup_cells.msh", dup_cells=True)
            _two_squares(gmsh, folder / "box.msh", dim3=True)
            _two_squares(gmsh, folder / "lifted.msh", z=1.0)
            _spoilt_groups(gmsh, folder)
        finally:
            gmsh.finalize()
        good = (folder / "good.msh").read_text()
        (folder / "empty.msh").write_text("")
        (folder / "garbage.msh").write_bytes(b"\x00\x01garbage\xff\xfe" * 50)
        (folder / "truncated.msh").write_text(good[: len(good) // 2])
        (folder / "text.msh").write_text("hello world\n")
        (folder / "no_elements.msh").write_text(good.replace("$EndNodes", "$EndNodesX"))
        (folder / "a_folder.msh").mkdir()
        # two groups with one name (a hand-edited file; gmsh's API would not allow it)
        (folder / "same_name.msh").write_text(good.replace('2 2 "right"', '2 2 "left"'))
        # a region and a facet group with one name
        (folder / "clash.msh").write_text(good.replace('1 11 "f1"', '1 11 "right"'))
    return Path(COMM.bcast(str(folder) if folder else None, root=0))


BAD = [
    ("missing.msh", None, "file not found"),
    ("a_folder.msh", None, "not a file"),
    ("empty.msh", None, "empty"),
    ("garbage.msh", None, r"not a gmsh \.msh file"),
    ("text.msh", None, r"not a gmsh \.msh file"),
    ("truncated.msh", None, "not a readable gmsh mesh"),
    ("no_elements.msh", None, "no cells"),
    ("nophys.msh", None, "no physical group of dimension 2"),
    ("untagged.msh", None, r"cells .* are in no physical group"),
    ("dup_facets.msh", None, r"two physical groups, 'f1' and 'f2'"),
    ("dup_cells.msh", None, r"two physical groups, 'left' and 'again'"),
    ("same_name.msh", None, r"name\(s\) \['left'\] used for two groups"),
    ("clash.msh", None, r"\['right'\] used for a region and for a facet group"),
    ("box.msh", 2, r"3D \(tetrahedra\).*gdim = 2"),
    ("lifted.msh", None, "off the plane z = 0"),
    ("good.msh", 5, "gdim must be 2 or 3"),
    ("good.msh", 3, r"2D \(triangles\) but gdim = 3: surfaces .* not supported; use gdim = 2"),
    ("loose.msh", None, r"facet group 'far': (\d+) of its \1 elements have nodes in no cell"),
    ("empty_region.msh", None, r"physical group 'ghost' \(dimension 2\) holds no cells"),
    ("empty_facets.msh", None, r"physical group 'far' \(dimension 1\) holds no facets"),
    ("across.msh", None, r"facet group 'diagonal': 1 of its 1 elements are no face of any cell"),
]


@pytest.mark.parametrize(("name", "gdim", "expect"), BAD, ids=[b[0] for b in BAD])
def test_bad_mesh(meshes, name, gdim, expect):
    with pytest.raises(MeshError, match=expect) as ei:
        read_msh(meshes / name, COMM, gdim)
    assert name in str(ei.value)


def test_good_meshes(meshes):
    tm = read_msh(meshes / "good.msh", COMM)
    assert set(tm.cell_names) == {"left", "right"} and tm.facet_names == {"f1": 11}
    assert read_msh(meshes / "box.msh", COMM).mesh.topology.dim == 3


def test_repository_meshes_are_accepted():
    root = Path(__file__).resolve().parents[3] / "meshes"
    for p in sorted(root.glob("*.msh"))[:2]:
        read_msh(p, COMM)


def test_tag_mesh_overlapping_markers():
    m = dmesh.create_unit_square(COMM, 4, 4, ghost_mode=dmesh.GhostMode.shared_facet)
    cells = {"all": (1, lambda x: np.full(x.shape[1], True))}
    with pytest.raises(MeshError, match="'left' and 'edge' mark the same facets"):
        tag_mesh(
            m,
            cells,
            {
                "left": (1, lambda x: np.isclose(x[0], 0.0)),
                "edge": (2, lambda x: np.isclose(x[0], 0.0) & (x[1] < 0.6)),
            },
        )
    tm = tag_mesh(
        m,
        cells,
        {
            "left": (1, lambda x: np.isclose(x[0], 0.0)),
            "right": (2, lambda x: np.isclose(x[0], 1.0)),
        },
    )
    assert set(tm.facet_names) == {"left", "right"}
