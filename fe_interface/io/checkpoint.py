"""Partition-independent checkpoints of a transient run.

A checkpoint folder holds

* ``dofs.npz`` — the canonical order of the dof copies: sorted by (colour, x, y, z)
  (unique: two blocks of one colour share no vertex), and the problem's identity;
* ``state.npz`` — time, step, Δt, the energy bookkeeping, the per-step table and the
  temperature in canonical order (written to a temporary file, fsynced and renamed);
* ``frames/frame_NNNNNN.npz`` — the output frames, to rebuild the time-series files
  on restart.

A restart may use another number of MPI processes; with the same number it reproduces
the uninterrupted run bit for bit.  A restart verifies the identity: a checkpoint
written by another problem (mesh, model, scheme) is refused.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np
from dolfinx import fem

from fe_interface.discretisation.formulation import Formulation
from fe_interface.errors import InputError, on_rank0
from fe_interface.io.files import FolderLock, clean_dead_temporaries, output_error, write_bytes

__all__ = ["Checkpoint", "npz_bytes"]


def npz_bytes(**arrays: Any) -> bytes:
    """An ``.npz`` archive of ``arrays`` as bytes."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _load_npz(path: Path, keys: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` checkpoint file, ``keys`` required.

    Raises:
        InputError: naming the file: unreadable, not an archive, or keys missing.
    """
    try:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(
            f"checkpoint file {path} is unreadable ({reason}); delete the checkpoint folder "
            "or restart without it"
        ) from None
    missing = [k for k in keys if k not in data]
    if missing:
        raise InputError(
            f"checkpoint file {path} is incomplete (no {', '.join(missing)}); delete the "
            "checkpoint folder or restart without it"
        )
    return data


def _write_error(folder: Path) -> Any:
    return lambda e: output_error(e, f"writing the checkpoint in {folder}")


class Checkpoint:
    """Restart files of one problem in ``folder`` (collective).

    Args:
        folder: the checkpoint folder.
        f: the formulation.
        identity: a string that identifies the problem (model, scheme); a restart from
            a folder written with another identity is refused.
    """

    def __init__(self, folder: Path, f: Formulation, identity: str) -> None:
        self.folder = Path(folder)
        self.f = f
        self.comm: MPI.Comm = f.comm
        V = f.space
        imap = V.dofmap.index_map
        n = imap.size_local + imap.num_ghosts
        X = V.tabulate_dof_coordinates()[:n]
        keys = np.column_stack([f.broken.colour[:n].astype(float), X])
        self._local_keys = keys
        coords_digest = self._canonical(keys[: imap.size_local])
        self.identity = hashlib.sha256((identity + coords_digest).encode()).hexdigest()
        self.lock = FolderLock(self.folder, "writing a checkpoint")
        self._locked = False

    def _canonical(self, owned_keys: np.ndarray) -> str:
        """Set up the canonical order; returns a digest of the sorted keys."""
        comm = self.comm
        parts = comm.gather(owned_keys, root=0)
        if comm.rank == 0:
            assert parts is not None  # the root receives every rank's keys
            K = np.concatenate(parts)
            order = np.lexsort(K.T[::-1])
            K = K[order]
            digest = hashlib.sha256(np.round(K, 12).tobytes()).hexdigest()
        else:
            K, digest = None, None
        K = comm.bcast(K, root=0)
        self.num_global = K.shape[0]
        from scipy.spatial import cKDTree

        diam = float(np.max(np.ptp(K[:, 1:], axis=0))) if K.size else 1.0
        local = self._local_keys
        idx = np.full(local.shape[0], -1, dtype=np.int64)
        for c in np.unique(local[:, 0]):
            sel_g = np.flatnonzero(K[:, 0] == c)
            sel_l = np.flatnonzero(local[:, 0] == c)
            dist, found = cKDTree(K[sel_g, 1:]).query(local[sel_l, 1:])
            if dist.size and float(dist.max()) > 1e-8 * (diam or 1.0):
                raise RuntimeError("checkpoint: dof coordinates are not unique per colour")
            idx[sel_l] = sel_g[found]
        self.index = idx
        return comm.bcast(digest, root=0)

    # ------------------------------------------------------------------ arrays
    def gather(self, T: fem.Function) -> np.ndarray | None:
        """Owned values of ``T`` in canonical order on rank 0 (None elsewhere)."""
        n = T.function_space.dofmap.index_map.size_local
        parts = self.comm.gather((self.index[:n], T.x.array[:n].copy()), root=0)
        if self.comm.rank != 0:
            return None
        assert parts is not None  # the root receives every rank's values
        arr = np.full(self.num_global, np.nan)
        for idx, val in parts:
            arr[idx] = val
        return arr

    def scatter(self, array: np.ndarray | None, T: fem.Function) -> None:
        """Set ``T`` (owned and ghosts) from a canonical array given on rank 0."""
        a = self.comm.bcast(array, root=0)
        T.x.array[:] = a[self.index]

    # ------------------------------------------------------------------ files
    def prepare(self, restart: bool) -> bool:
        """Lock the folder, check or write ``dofs.npz``.

        True if a restart state exists and matches (collective; errors on every rank).

        Raises:
            OutputBusyError: another run uses this checkpoint folder.
            InputError: the checkpoint is another problem's, or unreadable.
        """
        path = self.folder / "dofs.npz"

        def check() -> bool:
            self.lock.acquire()
            self._locked = True
            clean_dead_temporaries(self.folder, locked=True)
            exists = False
            if path.is_file():
                if restart:
                    data = _load_npz(path, ("identity",))
                    if str(data["identity"]) != self.identity:
                        raise InputError(
                            f"checkpoint {self.folder}: written by another problem (different "
                            "mesh, model or time scheme); use another folder or delete it"
                        )
                    exists = (self.folder / "state.npz").is_file()
                    if exists:  # readable, with what a restart needs
                        _load_npz(self.folder / "state.npz", ("meta", "T", "history"))
            if not (restart and path.is_file()):
                try:
                    write_bytes(path, npz_bytes(identity=np.array(self.identity)), fsync=True)
                except OSError as e:
                    raise _write_error(self.folder)(e) from None
            return exists

        try:
            exists = on_rank0(self.comm, check)
        except BaseException:
            self.close()
            raise
        return bool(self.comm.bcast(exists, root=0))

    def close(self) -> None:
        """Release the folder's lock (no collective call)."""
        if self._locked:
            self._locked = False
            self.lock.release()

    def save_state(
        self, meta: dict[str, Any], arrays: dict[str, np.ndarray], T: fem.Function
    ) -> None:
        """Write ``state.npz`` atomically (collective)."""
        vals = self.gather(T)
        on_rank0(
            self.comm,
            lambda: write_bytes(
                self.folder / "state.npz",
                npz_bytes(meta=np.array(json.dumps(meta)), T=vals, **arrays),
                fsync=True,
            ),
            _write_error(self.folder),
        )

    def load_state(self, T: fem.Function) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Read ``state.npz`` into ``T``; returns (meta, other arrays) on every rank."""
        path = self.folder / "state.npz"

        def load() -> tuple[dict[str, Any], dict[str, np.ndarray]]:
            data = _load_npz(path, ("meta", "T", "history"))
            try:
                meta = json.loads(str(data.pop("meta")))
                if not isinstance(meta, dict):
                    raise ValueError("not a table")
            except ValueError as e:
                raise InputError(f"checkpoint file {path} is corrupt (meta: {e})") from None
            if data["T"].shape != (self.num_global,):
                raise InputError(
                    f"checkpoint file {path}: {data['T'].shape} values for "
                    f"{self.num_global} dofs (written by another problem?)"
                )
            return meta, data

        loaded = on_rank0(self.comm, load)
        meta, data = loaded if loaded is not None else (None, None)
        vals = data.pop("T") if data is not None else None
        meta, data = self.comm.bcast((meta, data), root=0)
        self.scatter(vals, T)
        return meta, data

    def save_frame(self, i: int, t: float, T: fem.Function) -> None:
        """Store output frame ``i`` at time ``t`` (s) for a restart."""
        vals = self.gather(T)
        on_rank0(
            self.comm,
            lambda: write_bytes(
                self.folder / "frames" / f"frame_{i:06d}.npz",
                npz_bytes(t=np.array(t), T=vals),
                fsync=True,
            ),
            _write_error(self.folder),
        )

    def load_frame(self, i: int) -> np.ndarray | None:
        """The canonical values of frame ``i`` on rank 0 (None elsewhere; collective)."""
        path = self.folder / "frames" / f"frame_{i:06d}.npz"
        return on_rank0(self.comm, lambda: _load_npz(path, ("T",))["T"])
