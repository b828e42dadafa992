"""fe_interface.block_matrix builds the blocked matrix DOLFINx would build (same sizes,
numbering, local-to-global map and sparsity), block by block with less memory."""

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx.fem.petsc
import numpy as np
import pytest
from test_interface_operator import _mesh, _problem, _tag

from fe_interface.block_matrix import _sort_rows, create_block_matrix
from fe_interface.interfaces import Conductance


@pytest.mark.parametrize(
    ("cell", "degree", "three"), [("tetrahedron", 2, False), ("triangle", 1, True)]
)
def test_same_matrix_as_dolfinx(cell, degree, three):
    p = _problem(_tag(_mesh(cell, 6), three), Conductance(30.0), degree, False, three)
    p.facetwise_interfaces = False  # all interface terms in the forms
    p.initialise()
    ref = dolfinx.fem.petsc.create_matrix(p.a, kind="mpi")
    mine = create_block_matrix(p.a)
    assert mine.getSizes() == ref.getSizes()
    l_ref, l_mine = ref.getLGMap()[0].getIndices(), mine.getLGMap()[0].getIndices()
    assert np.array_equal(l_ref, l_mine)
    for A in (ref, mine):
        dolfinx.fem.petsc.assemble_matrix(A, p.a, bcs=p.bcs)
        A.assemble()
    assert mine.getInfo()["nz_allocated"] == ref.getInfo()["nz_allocated"]
    norm = ref.norm()
    ref.axpy(-1.0, mine, structure=PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
    assert ref.norm() <= 1e-14 * norm
    assert MPI.COMM_WORLD.allreduce(p.num_colours) == MPI.COMM_WORLD.size * (3 if three else 2)


def test_sort_rows():
    indptr = np.array([0, 3, 3, 7, 9])
    cols = np.array([5, 1, 9, 7, 2, 8, 3, 4, 6])
    _sort_rows(indptr, cols)
    assert cols.tolist() == [1, 5, 9, 2, 3, 7, 8, 4, 6]
