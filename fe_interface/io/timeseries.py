"""Time series of a transient run: XDMF (+ .h5), VTX and the per-step CSV table.

The files are one result set (:class:`~fe_interface.io.files.ResultSet`): they are
written into a temporary folder beside the target while the run goes on (the CSV table
there is rewritten at every checkpoint, for a look at the progress) and swapped into
place, with the manifest ``NAME.manifest.json``, by :meth:`TimeSeries.close`.  An
interrupted or failed run leaves the previous set of that name as it was; the output
folder is locked while the run writes.  The cell arrays of names and tags are constant:
they are written with the first frame, and every later frame's XDMF grid points to the
same datasets; the cell arrays that change (``conductivity_W_mK`` with k(T), the pairs'
``pair_jump_K`` and ``pair_heat_flux_W_m2``: :func:`~fe_interface.io.fields.changing_cell_data`)
are written at every frame.  Every frame carries bitwise the arrays of the steady
output's gather, and gathers only these (:func:`fe_interface.io.fields.gather_frame`):
interface vertices are duplicated, so the jumps are visible in ParaView.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dolfinx import fem

from fe_interface.discretisation.formulation import Formulation
from fe_interface.errors import OutputError, agree, on_rank0
from fe_interface.io.diskspace import (
    GuardedFile,
    abandon,
    check_space,
    truncate_files,
    vtx_step_bytes,
)
from fe_interface.io.fields import changing_cell_data, gather_frame, gather_mesh_blocks
from fe_interface.io.files import (
    ResultSet,
    check_output_name,
    output_error,
    quiet_unraisable,
    write_bytes,
)

__all__ = ["TimeSeries", "write_csv"]


def write_csv(
    path: Path, columns: Sequence[str], rows: Sequence[Sequence[float]], comm: Any
) -> Path:
    """Write a CSV table atomically on rank 0; returns its path.

    Values with full precision; collective, an error is raised on every rank.
    """

    def write() -> None:
        buf = io.StringIO()
        wr = csv.writer(buf, lineterminator="\n")
        wr.writerow(columns)
        for row in rows:
            wr.writerow([repr(float(v)) for v in row])
        write_bytes(path, buf.getvalue().encode())

    on_rank0(comm, write, lambda e: output_error(e, f"writing {Path(path).name}"))
    return Path(path)


def _time_series_writer(path: Path) -> Any:
    """The XDMF time-series writer of meshio, mixed cell blocks with lines written right.

    meshio 5.3 assigns the prepended node count of lines and vertices in place and fails
    on them; its one-file XDMF writer does it right, and so does this.
    """
    from xml.etree import ElementTree as ET

    import meshio.xdmf
    import numpy as np
    from meshio.xdmf.common import meshio_type_to_xdmf_index, numpy_to_xdmf_dtype

    class Writer(meshio.xdmf.TimeSeriesWriter):
        def cells(self, cells: Any, grid: Any) -> None:
            blocks = [(b.type, b.data) if hasattr(b, "type") else b for b in cells]
            if len(blocks) == 1:
                return super().cells(cells, grid)
            rows = []
            for ctype, data in blocks:
                data = np.asarray(data)
                head = [meshio_type_to_xdmf_index[ctype]]
                head += [data.shape[1]] if ctype in ("vertex", "line") else []
                rows.append(
                    np.hstack([np.tile(np.array(head, data.dtype), (len(data), 1)), data]).ravel()
                )
            cd = np.concatenate(rows)
            topo = ET.SubElement(
                grid, "Topology", TopologyType="Mixed",
                NumberOfElements=str(sum(len(d) for _, d in blocks)),
            )  # fmt: skip
            dt, prec = numpy_to_xdmf_dtype[cd.dtype.name]
            item = ET.SubElement(
                topo, "DataItem", DataType=dt, Dimensions=str(cd.size),
                Format=self.data_format, Precision=prec,
            )  # fmt: skip
            item.text = self.numpy_to_xml_string(cd)
            return None

        def cell_data(self, cell_data: Any, grid: Any) -> None:
            # the cell arrays of names and tags do not change in time: written at the first
            # frame, the later frames point to the same datasets; the arrays that change
            # (self.changing: k(T), the pairs' jump and flux) are written every frame
            changing: frozenset[str] = getattr(self, "changing", frozenset())
            static = {k: v for k, v in cell_data.items() if k not in changing}
            cached = getattr(self, "_static_cell_data", None)
            if cached is None:
                before = len(grid)
                if static:
                    super().cell_data(static, grid)
                self._static_cell_data = [copy.deepcopy(e) for e in list(grid)[before:]]
            else:
                for e in cached:
                    grid.append(copy.deepcopy(e))
            dynamic = {k: v for k, v in cell_data.items() if k in changing}
            if dynamic:
                super().cell_data(dynamic, grid)

    return Writer(path)


class TimeSeries:
    """Time series of a field and its per-step table, written as one result set.

    ``name.xdmf``/``name.h5`` (and ``name_vtx.bp``) and the per-step table ``name.csv``: one
    result set (the region and boundary names are cell arrays, as in
    :func:`~fe_interface.io.fields.write_meshio`).

    Args:
        f: the formulation.
        T: the field written at every frame.
        folder: output folder.
        name: base name (a plain file name).
        vtx: also write DOLFINx's VTX (ADIOS2) series.
    """

    def __init__(self, f: Formulation, T: fem.Function, folder: Path, name: str, vtx: bool) -> None:
        self.f, self.T, self.folder, self.vtx = f, T, Path(folder), vtx
        self.name = check_output_name(name, "transient output name")
        self.comm = f.comm
        self.xdmf: Any = None
        self.cdata: dict[str, Any] = {}  # rank 0: open()'s cell arrays (names and tags)
        self.sizes: list[int] = []  # rank 0: the lengths of its cell blocks
        self.vtx_writer: Any = None
        self.rs: ResultSet | None = None
        self.tmp: Path | None = None
        self.guard: GuardedFile | None = None
        self._vtx_bytes = 0
        self.failed = False  # a write of this series failed (on every rank)
        self._vtx_broken = False  # ADIOS2 itself failed: never close the writer

    def _what(self, file: str) -> str:
        return f"writing {file} of the time series {self.name!r} in {self.folder}"

    def open(self) -> None:
        """Lock the folder, create the temporary folder and the writers (collective)."""
        import h5py

        self.rs = ResultSet(self.folder, self.name, self.comm, "transient").open()
        self.tmp = self.rs.tmp
        assert self.tmp is not None
        data = gather_mesh_blocks(self.f, self.T)  # cells + named boundary facets
        err = None
        if self.comm.rank == 0:
            try:
                assert data is not None
                w = _time_series_writer(self.tmp / f"{self.name}.xdmf")
                w.changing = changing_cell_data(self.f)
                # meshio opens the .h5 relative to the working directory: open it here
                w.h5_filename = f"{self.name}.h5"
                self.guard = GuardedFile(self.tmp / w.h5_filename)  # a full disk: no crash
                w.h5_file = h5py.File(self.guard, "w")
                self.xdmf = w
                with quiet_unraisable():
                    w.write_points_cells(data.points, data.blocks)
                    w.h5_file.flush()
                self.guard.check()
                self.cdata = data.cell_data
                self.sizes = [len(c) for _, c in data.blocks]
            except Exception as e:
                err = output_error(e, self._what(f"{self.name}.h5"))
        self._agree(err)
        if self.vtx:
            from dolfinx.io import VTXWriter

            self._vtx_bytes = vtx_step_bytes([self.T])
            self._vtx_room()
            err = None
            try:
                self.vtx_writer = VTXWriter(
                    self.comm, self.tmp / f"{self.name}_vtx.bp", [self.T], engine="BP4"
                )
            except Exception as e:
                err = output_error(e, self._what(f"{self.name}_vtx.bp"))
                self._vtx_broken = True
            self._agree(err)

    def _agree(self, err: BaseException | None) -> None:
        """:func:`~fe_interface.errors.agree`, remembering a failure (for :meth:`abort`)."""
        try:
            agree(self.comm, err)
        except BaseException:
            self.failed = True
            raise

    def _vtx_room(self) -> None:
        """Raise (collectively) unless a VTX step fits on the disk: ADIOS2 must not fail."""
        assert self.tmp is not None
        try:
            check_space(self.comm, self.tmp, self._vtx_bytes, self._what(f"{self.name}_vtx.bp"))
        except OutputError:
            self.failed = True
            raise

    def write_frame(self, t: float) -> None:
        """Write the current field at time ``t`` (s) (collective)."""
        data = gather_frame(self.f, self.T, self.sizes)  # open()'s points and blocks
        err = None
        if self.comm.rank == 0:
            try:
                assert data is not None
                cells = {**self.cdata, **data.cell_data}  # names and tags, then this frame's
                with quiet_unraisable():
                    self.xdmf.write_data(t, point_data=data.point_data, cell_data=cells)
                    self.xdmf.h5_file.flush()
                assert self.guard is not None
                self.guard.check()
            except Exception as e:
                err = output_error(e, self._what(f"{self.name}.h5"))
        self._agree(err)
        if self.vtx_writer is not None:
            self._vtx_room()
            try:
                self.vtx_writer.write(t)
            except Exception as e:
                err = output_error(e, self._what(f"{self.name}_vtx.bp"))
                self._vtx_broken = True
            self._agree(err)

    def write_table(self, columns: Sequence[str], rows: Sequence[Sequence[float]]) -> Path:
        """(Re)write ``name.csv`` in the temporary folder (collective)."""
        assert self.tmp is not None
        try:
            return write_csv(self.tmp / f"{self.name}.csv", columns, rows, self.comm)
        except OutputError as e:
            self.failed = True
            raise OutputError(
                f"{self._what(self.name + '.csv')}: {str(e).split(': ', 1)[-1]}"
            ) from None

    def close(
        self, columns: Sequence[str] | None = None, rows: Sequence[Sequence[float]] | None = None
    ) -> dict[str, Path]:
        """Finish the files (with the final table if given) and swap the set into place.

        Returns kind -> final path (collective).
        """
        assert self.rs is not None and self.tmp is not None
        if columns is not None and rows is not None:
            self.write_table(columns, rows)
        err = None
        if self.vtx_writer is not None:
            self._vtx_room()
            writer, self.vtx_writer = self.vtx_writer, None
            try:
                writer.close()
            except Exception as e:
                err = output_error(e, self._what(f"{self.name}_vtx.bp"))
                abandon(writer, self.tmp / f"{self.name}_vtx.bp")
        self._agree(err)
        if self.comm.rank == 0:
            try:
                with quiet_unraisable():
                    xdmf, self.xdmf = self.xdmf, None
                    try:
                        xdmf.__exit__()  # the .xdmf, then closes the .h5
                    finally:
                        xdmf.h5_file.close()
                assert self.guard is not None
                self.guard.close()
                self.guard.check()
            except Exception as e:
                err = output_error(e, self._what(f"{self.name}.xdmf"))
        self._agree(err)
        has_csv = self.comm.bcast((self.tmp / f"{self.name}.csv").exists(), root=0)
        self.rs.commit()
        out = {"xdmf": self.folder / f"{self.name}.xdmf"}
        if has_csv:
            out["csv"] = self.folder / f"{self.name}.csv"
        if self.vtx:
            out["vtx"] = self.folder / f"{self.name}_vtx.bp"
        return out

    def abort(self) -> None:
        """Close what is open and remove the temporary folder (after an error).

        The VTX writer is closed (collective, like the error that led here), its files
        truncated first after a failure of this series (:attr:`failed`: a full disk, so
        that the close has room); after a failure of ADIOS2 itself it is abandoned
        (:func:`~fe_interface.io.diskspace.abandon`): ADIOS2 would abort the process in
        its close.
        """
        if self.vtx_writer is not None:
            assert self.tmp is not None
            bp = self.tmp / f"{self.name}_vtx.bp"
            writer, self.vtx_writer = self.vtx_writer, None
            if self._vtx_broken:
                abandon(writer, bp)
            else:
                if self.failed and self.comm.rank == 0:
                    truncate_files(bp)
                with contextlib.suppress(Exception):  # the run already failed: quietly
                    writer.close()
        if self.xdmf is not None:
            with quiet_unraisable(collect=True):
                with contextlib.suppress(Exception):
                    self.xdmf.h5_file.close()
                self.xdmf = None
        if self.guard is not None:
            self.guard.close()
        if self.rs is not None:
            self.rs.abort()
