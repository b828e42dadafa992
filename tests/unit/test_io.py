"""Output (:mod:`fe_interface.io`): atomic files, JSON summaries and tables, the progress
bar, vertex fields keyed by dof copy (the same in serial and parallel), the cached outer
boundary facets, VTX output and the partition-independent checkpoint order."""

import gc
import io
import json
import math
import os
import stat
import weakref

from mpi4py import MPI

import numpy as np
import pytest
from helpers.walls import wall_mesh, wall_problem

from fe_interface.io.checkpoint import Checkpoint
from fe_interface.io.fields import (
    boundary_facets,
    gather_frame,
    gather_mesh_blocks,
    gather_vertex_fields,
    write_vtx,
)
from fe_interface.io.files import atomic_file, write_bytes, write_text
from fe_interface.io.progress import ProgressBar
from fe_interface.io.summary import format_table, json_safe, write_summary
from fe_interface.postprocessing.balance import make_balance

COMM = MPI.COMM_WORLD


def _mode(p):
    return stat.S_IMODE(os.stat(p).st_mode)


def test_permissions_and_content(tmp_path):
    umask = os.umask(0o022)
    try:
        write_text(tmp_path / "a" / "x.csv", "t_s,T_K\n0,300\n")
        write_bytes(tmp_path / "y.npz", b"\x00\x01", fsync=True)
    finally:
        os.umask(umask)
    assert (tmp_path / "a" / "x.csv").read_text() == "t_s,T_K\n0,300\n"
    assert _mode(tmp_path / "a" / "x.csv") == 0o644  # not mkstemp's 0o600
    assert _mode(tmp_path / "y.npz") == 0o644


def test_failure_leaves_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "summary.json"
    write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_file(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


def test_json_safe():
    doc = json_safe({"a": math.inf, "b": (np.float64(2.5), [math.nan, 1]), "c": np.int32(3)})
    assert doc == {"a": None, "b": [2.5, [None, 1]], "c": 3}
    json.dumps(doc, allow_nan=False)


def test_summary_and_table(shared_tmp):
    """Strict JSON (non-finite numbers as null) and a table that names every inflow."""
    p = wall_problem(wall_mesh((0.5, 0.5), "triangle", 2), (1.0, 2.0), (3.0,), solver="direct")
    p.run()
    table, bal = p.interface_table(), p.energy_balance()
    path = write_summary(shared_tmp / "s.json", table, bal, COMM, {"solver": {"its": 1}})
    if COMM.rank == 0:
        doc = json.loads(path.read_text())
        assert doc["interfaces"][0]["heat_flow_W"] == pytest.approx(table[0].heat_flow_W)
        assert doc["energy_balance"]["boundary_inflow_W"] == bal.boundary_inflow_W
        assert doc["energy_balance"]["time_s"] is None and doc["solver"] == {"its": 1}
    text = format_table(table, bal)
    assert "i0" in text and "inflow FixedTemperature:left" in text
    transient = make_balance(1.0, {"x": 2.0}, 3.0, (0.5, 0.1, 1.0))
    assert "storage 3 W" in format_table(table, transient)
    assert transient.residual_W == 0.0 and transient.time_s == 0.5


def test_progress_bar(monkeypatch):
    s = io.StringIO()
    bar = ProgressBar(0.0, 2.0, enabled=True, stream=s)
    bar.update(0.5, 10, 0.05, force=True)
    bar.close(2.0, 40, 0.05)
    out = s.getvalue()
    if COMM.rank == 0:
        assert "25.0%" in out and "ETA" in out and "100.0%" in out and out.endswith("\n")
    else:
        assert out == ""  # rank 0 only
    # not a terminal, or CI set: quiet
    assert not ProgressBar(0.0, 1.0, stream=io.StringIO()).enabled

    class TTY(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setenv("CI", "1")
    assert not ProgressBar(0.0, 1.0, stream=TTY()).enabled
    monkeypatch.delenv("CI")
    assert ProgressBar(0.0, 1.0, stream=TTY()).enabled == (COMM.rank == 0)


def _solved(comm):
    tm = wall_mesh((0.3, 0.4, 0.3), "quadrilateral", 3, comm=comm)
    p = wall_problem(tm, (1.0, 2.0, 4.0), (3.0, 5.0), solver="direct")
    p.run()
    return p


def test_vertex_fields_partition_independent():
    """One point per vertex copy (interface vertices twice), in an order that does not
    depend on the partition: the gathered fields of a COMM_WORLD run equal those of a
    COMM_SELF run."""
    here = gather_vertex_fields(_solved(COMM).formulation)
    alone = gather_vertex_fields(_solved(MPI.COMM_SELF).formulation)
    if COMM.rank != 0:
        assert here is None
        return
    (pts, cells, pdata, cdata), (pts1, cells1, pdata1, cdata1) = here, alone
    assert pts.shape == (10 * 4 + 2 * 4, 3)  # 10 x 4 vertices, two interfaces of 4
    np.testing.assert_allclose(pts, pts1, atol=1e-14)
    np.testing.assert_allclose(pdata["temperature_K"], pdata1["temperature_K"], rtol=1e-12)

    def by_cell(cells, cdata):  # cells come rank by rank: compare them as a set
        key = np.sort(cells, axis=1)
        order = np.lexsort(key.T[::-1])
        return key[order], cdata["region"][order], cdata["conductivity_W_mK"][order]

    for a, b in zip(by_cell(cells, cdata), by_cell(cells1, cdata1), strict=True):
        np.testing.assert_array_equal(a, b)
    for x in (0.3, 0.7):  # the jumps are there: two temperatures at each interface point
        T = pdata["temperature_K"][np.isclose(pts[:, 0], x)]
        assert T.size == 8 and np.ptp(T) > 1.0


def _facets_by_loops(f):
    """The owned outer tagged facets (cell, local facet, tag), one facet at a time."""
    top = f.mesh.topology
    tdim = top.dim
    f2c, c2f = top.connectivity(tdim - 1, tdim), top.connectivity(tdim, tdim - 1)
    ft = f.model.tagged.facet_tags
    rows = []
    for x, tag in zip(ft.indices, ft.values, strict=True):
        if x < top.index_map(tdim - 1).size_local and len(f2c.links(x)) == 1:
            c = f2c.links(x)[0]
            rows.append((c, list(c2f.links(c)).index(x), tag))
    return np.array(rows, dtype=np.int32).reshape(-1, 3)


@pytest.mark.parametrize(
    ("cell", "per_side"),
    [("triangle", 3), ("quadrilateral", 3), ("tetrahedron", 8), ("hexahedron", 4)],
)
def test_boundary_facets_vectorised_and_cached(cell, per_side):
    """The vectorised outer facets equal a facet-by-facet reference (the interface facets
    inside the wall are not among them; each outer facet once over the ranks); computed
    once per formulation, read-only, and the cache does not keep a formulation alive."""
    p = wall_problem(wall_mesh((0.3, 0.4), cell, 2), (1.0, 2.0), (3.0,), solver="direct")
    p.initialise()
    f = p.formulation
    bf = boundary_facets(f)
    np.testing.assert_array_equal(np.stack(bf, axis=1), _facets_by_loops(f))
    assert all(a.dtype == np.int32 and not a.flags.writeable for a in bf)
    assert COMM.allreduce(len(bf.cells)) == 2 * per_side  # "left" and "right" only
    assert sorted(set(COMM.allreduce(list(bf.tags)))) == [1, 2]
    assert boundary_facets(f) is bf
    alive = weakref.ref(f)
    del f, p, bf
    gc.collect()
    assert alive() is None


def test_frame_is_the_full_gather_of_its_field():
    """A frame (cached point numbering) carries bitwise the temperatures of the full
    gather, for the solved field and for another one; constant k: nothing else."""
    f = _solved(COMM).formulation
    full = gather_mesh_blocks(f)
    sizes = [len(c) for _, c in full.blocks] if full is not None else []
    frames = [gather_frame(f, f.T, sizes)]
    f.T.x.array[:] = np.sin(np.arange(f.T.x.array.size) + 100.0 * COMM.rank)
    frames.append(gather_frame(f, f.T, sizes))
    fulls = [full, gather_mesh_blocks(f)]
    if COMM.rank != 0:
        assert frames == fulls == [None, None]
        return
    for got, ref in zip(frames, fulls, strict=True):
        a, b = got.point_data["temperature_K"], ref.point_data["temperature_K"]
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
        assert got.cell_data == {} and got.blocks == []
    assert not np.array_equal(*(g.point_data["temperature_K"] for g in frames))


def test_vtx_output(shared_tmp):
    f = _solved(COMM).formulation
    path = write_vtx(f, shared_tmp / "T_vtx.bp")
    assert path.is_dir()


def test_checkpoint_order_round_trip(shared_tmp):
    """The canonical (colour, coordinates) order: gathering and scattering back gives the
    field; the same problem has the same identity, another one another."""
    p = _solved(COMM)
    f = p.formulation
    ck = Checkpoint(shared_tmp / "ck", f, "model A")
    arr = ck.gather(f.T)
    assert (arr is None) == (COMM.rank != 0)
    if arr is not None:
        assert arr.shape == (f.broken.num_global,) and np.all(np.isfinite(arr))
    before = f.T.x.array.copy()
    f.T.x.array[:] = 0.0
    ck.scatter(arr, f.T)
    np.testing.assert_array_equal(f.T.x.array, before)
    assert Checkpoint(shared_tmp / "ck", f, "model A").identity == ck.identity
    assert Checkpoint(shared_tmp / "ck", f, "model B").identity != ck.identity
    # a partition-independent order: the serial run's canonical array is the same
    q = _solved(MPI.COMM_SELF)
    arr1 = Checkpoint(shared_tmp / "ck1", q.formulation, "model A").gather(q.formulation.T)
    if COMM.rank == 0:
        np.testing.assert_allclose(arr, arr1, rtol=1e-12)
