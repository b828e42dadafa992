"""Time series of a transient run: XDMF (+ .h5), VTX and the per-step CSV table.

The field files are written into a temporary folder beside the target while the run
goes on and moved into place by :meth:`TimeSeries.close`, so an interrupted run never
leaves a truncated file; the CSV table is rewritten atomically at every checkpoint and
at the end.  Every frame goes through the same vertex-field gather as the steady
output (:func:`fe_interface.io.fields.gather_vertex_fields`): interface vertices are
duplicated, so the jumps are visible in ParaView.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dolfinx import fem

from fe_interface.discretisation.formulation import Formulation
from fe_interface.io.fields import MESHIO_CELL_TYPE, gather_vertex_fields
from fe_interface.io.files import write_bytes

__all__ = ["TimeSeries", "write_csv"]


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Sequence[float]], comm: Any) -> Path:
    """Write a CSV table atomically on rank 0 (values with full precision)."""
    if comm.rank == 0:
        buf = io.StringIO()
        wr = csv.writer(buf, lineterminator="\n")
        wr.writerow(columns)
        for row in rows:
            wr.writerow([repr(float(v)) for v in row])
        write_bytes(path, buf.getvalue().encode())
    comm.barrier()
    return path


class TimeSeries:
    """``name.xdmf``/``name.h5`` (and ``name_vtx.bp``) time series of a field.

    Args:
        f: the formulation.
        T: the field written at every frame.
        folder: output folder.
        name: base name.
        vtx: also write DOLFINx's VTX (ADIOS2) series.
    """

    def __init__(self, f: Formulation, T: fem.Function, folder: Path, name: str, vtx: bool) -> None:
        self.f, self.T, self.folder, self.name, self.vtx = f, T, Path(folder), name, vtx
        self.comm = f.comm
        self.xdmf: Any = None
        self.vtx_writer: Any = None
        self.tmp: Path | None = None

    def open(self) -> None:
        """Create the temporary folder and the writers (collective)."""
        import h5py
        import meshio.xdmf

        comm = self.comm
        tmp = None
        if comm.rank == 0:
            self.folder.mkdir(parents=True, exist_ok=True)
            for stale in self.folder.glob(f".tmp_{self.name}_*"):  # left by a killed run
                shutil.rmtree(stale, ignore_errors=True)
            tmp = tempfile.mkdtemp(prefix=f".tmp_{self.name}_{os.getpid()}_", dir=self.folder)
        self.tmp = Path(comm.bcast(tmp, root=0))
        data = gather_vertex_fields(self.f, self.T)
        if comm.rank == 0:
            points, cells, _, cdata = data
            w = meshio.xdmf.TimeSeriesWriter(self.tmp / f"{self.name}.xdmf")
            # meshio opens the .h5 relative to the working directory: open it here
            w.h5_filename = f"{self.name}.h5"
            w.h5_file = h5py.File(self.tmp / w.h5_filename, "w")
            w.write_points_cells(points, [(MESHIO_CELL_TYPE[self.f.mesh.topology.cell_type], cells)])
            self.xdmf = w
            self.cdata = {k: [v] for k, v in cdata.items()}
        if self.vtx:
            from dolfinx.io import VTXWriter

            self.vtx_writer = VTXWriter(comm, self.tmp / f"{self.name}_vtx.bp", [self.T], engine="BP4")

    def write_frame(self, t: float) -> None:
        """Write the current field at time ``t`` (s) (collective)."""
        data = gather_vertex_fields(self.f, self.T)
        if self.comm.rank == 0:
            self.xdmf.write_data(t, point_data=data[2], cell_data=self.cdata)
        if self.vtx_writer is not None:
            self.vtx_writer.write(t)

    def close(self) -> dict[str, Path]:
        """Finish the files and move them into place; returns kind -> path."""
        if self.vtx_writer is not None:
            self.vtx_writer.close()
        self.comm.barrier()
        out = {"xdmf": self.folder / f"{self.name}.xdmf"}
        vtx_path = self.folder / f"{self.name}_vtx.bp"
        if self.comm.rank == 0:
            assert self.tmp is not None
            self.xdmf.__exit__()
            os.replace(self.tmp / f"{self.name}.h5", self.folder / f"{self.name}.h5")
            os.replace(self.tmp / f"{self.name}.xdmf", out["xdmf"])
            if self.vtx:
                if vtx_path.exists():
                    shutil.rmtree(vtx_path)
                os.replace(self.tmp / f"{self.name}_vtx.bp", vtx_path)
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.comm.barrier()
        if self.vtx:
            out["vtx"] = vtx_path
        return out

    def abort(self) -> None:
        """Close what is open and remove the temporary folder (after an error)."""
        if self.vtx_writer is not None:
            try:
                self.vtx_writer.close()
            except Exception:  # the run already failed: clean up quietly
                pass
        if self.comm.rank == 0:
            if self.xdmf is not None:
                try:
                    self.xdmf.h5_file.close()
                except Exception:  # same
                    pass
            if self.tmp is not None:
                shutil.rmtree(self.tmp, ignore_errors=True)
