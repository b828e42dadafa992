"""Partition-independent checkpoints of a transient run.

A checkpoint folder holds

* ``dofs.npz`` — the problem's identity (a hash of the model and the scheme) and the
  *keys* (colour, x, y, z) of the dof copies in canonical order (unique: two blocks of
  one colour share no vertex); the order is the sorted one of the run that wrote it;
* ``state.npz`` — time, step, Δt, the energy bookkeeping, the per-step table and the
  temperature in canonical order (written to a temporary file, fsynced and renamed);
* ``frames/frame_NNNNNN.npz`` — the output frames, to rebuild the time-series files
  on restart.

A restart may use another number of MPI processes; with the same number it reproduces
the uninterrupted run bit for bit.  A restart verifies the identity: a checkpoint
written by another problem (mesh, model, scheme) is refused.

The coordinates DOLFINx tabulates for a dof depend, to round-off, on the cell a process
computes them from, so another partition gives other last bits (and signs of zeros):
nothing is hashed or sorted from coordinates on restart.  The restarting run maps each
of its dofs to the stored key of its colour nearest to it (a k-d tree) and accepts the
mesh if every dof has one within ``TOLERANCE`` × the mesh's diameter and the map is one
to one; the model and scheme are compared by their hash.
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
from scipy.spatial import cKDTree

from fe_interface.discretisation.formulation import Formulation
from fe_interface.errors import InputError, on_rank0
from fe_interface.io.files import FolderLock, clean_dead_temporaries, output_error, write_bytes

__all__ = ["TOLERANCE", "Checkpoint", "npz_bytes"]

#: a dof matches a stored key within this fraction of the mesh's diameter (round-off of
#: tabulated coordinates is ~1e-16 of it; dofs of a mesh are never this close)
TOLERANCE = 1e-8


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
        self._local_keys = np.column_stack([f.broken.colour[:n].astype(float), X])
        self._owned = imap.size_local
        self.num_global = imap.size_global
        self._text = identity
        self.identity = hashlib.sha256(identity.encode()).hexdigest()
        # rank 0: a canonical order of this run's dofs (stored with a fresh checkpoint)
        parts = self.comm.gather(self._local_keys[: self._owned], root=0)
        self._fresh: np.ndarray | None = None
        if parts is not None:
            K = np.concatenate(parts)
            self._fresh = K[np.lexsort(K.T[::-1])]
        self.index = np.full(n, -1, dtype=np.int64)
        self._match(self._fresh)  # this run's order; a restart takes the checkpoint's
        self.lock = FolderLock(self.folder, "writing a checkpoint")
        self._locked = False

    def _match(self, K: np.ndarray | None) -> None:
        """Set :attr:`index` from the canonical keys ``K`` given on rank 0 (collective).

        Each local dof copy is the stored one of its colour nearest to it; a checkpoint
        of this mesh has one within ``TOLERANCE`` × the mesh's diameter for every dof,
        and every stored dof is some process's owned dof exactly once.

        Raises:
            InputError: on every rank, if the keys are another mesh's.
        """
        comm = self.comm
        K = comm.bcast(K, root=0)
        local = self._local_keys
        diam = float(np.max(np.ptp(K[:, 1:], axis=0))) if K.size else 0.0
        tol = TOLERANCE * (diam or 1.0)
        idx = np.full(local.shape[0], -1, dtype=np.int64)
        worst = 0.0
        for c in np.unique(local[:, 0]):
            sel_g = np.flatnonzero(K[:, 0] == c)
            sel_l = np.flatnonzero(local[:, 0] == c)
            if sel_g.size == 0:
                worst = np.inf
                continue
            dist, found = cKDTree(K[sel_g, 1:]).query(local[sel_l, 1:])
            worst = max(worst, float(dist.max(initial=0.0)))
            idx[sel_l] = sel_g[found]
        worst = comm.allreduce(worst, op=MPI.MAX)
        owned = comm.gather(idx[: self._owned], root=0)
        bijective = None
        if owned is not None:
            allidx = np.concatenate(owned)
            bijective = allidx.size == K.shape[0] and np.unique(allidx).size == K.shape[0]
        bijective = comm.bcast(bijective, root=0)
        far = not worst <= tol  # NaN keys too
        if far or not bijective:
            where = (
                f"a dof {worst:.3g} m from any of the checkpoint's"
                if far
                else f"{self.num_global} dofs against the checkpoint's {K.shape[0]}"
            )
            raise InputError(
                f"checkpoint {self.folder}: written by another problem (another mesh: {where}); "
                "use another folder or delete it"
            )
        self.index = idx

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
        """Lock the folder, check or write ``dofs.npz``; set the canonical order.

        True if a restart state exists and matches (collective; errors on every rank).
        A fresh run (no restart, or no checkpoint yet) stores its own order and removes
        a previous run's state.

        Raises:
            OutputBusyError: another run uses this checkpoint folder.
            InputError: the checkpoint is another problem's, or unreadable.
        """
        path = self.folder / "dofs.npz"

        def check() -> tuple[bool, np.ndarray | None]:
            self.lock.acquire()
            self._locked = True
            clean_dead_temporaries(self.folder, locked=True)
            if restart and path.is_file():
                keys = self._stored_keys(path)
                exists = (self.folder / "state.npz").is_file()
                if exists:  # readable, with what a restart needs
                    _load_npz(self.folder / "state.npz", ("meta", "T", "history"))
                return exists, keys
            try:
                (self.folder / "state.npz").unlink(missing_ok=True)  # another run's
                write_bytes(
                    path,
                    npz_bytes(identity=np.array(self.identity), keys=self._fresh),
                    fsync=True,
                )
            except OSError as e:
                raise _write_error(self.folder)(e) from None
            return False, self._fresh

        try:
            exists, keys = on_rank0(self.comm, check) or (False, None)
            if self.comm.bcast(keys is not self._fresh, root=0):  # the checkpoint's order
                self._match(keys)
        except BaseException:
            self.close()
            raise
        return bool(self.comm.bcast(exists, root=0))

    def _stored_keys(self, path: Path) -> np.ndarray | None:
        """The canonical keys of the checkpoint ``path`` if its problem is this one (rank 0).

        Raises:
            InputError: the model or scheme differ (the mesh is compared by :meth:`_match`).
        """
        data = _load_npz(path, ("identity",))
        keys = data.get("keys")
        if keys is None:  # written before the keys were stored: the digest of rounded keys
            assert self._fresh is not None
            digest = hashlib.sha256(np.round(self._fresh, 12).tobytes()).hexdigest()
            same = (
                str(data["identity"]) == hashlib.sha256((self._text + digest).encode()).hexdigest()
            )
            keys = self._fresh
        else:
            same = str(data["identity"]) == self.identity
            same = same and keys.ndim == 2 and keys.shape[1] == 4 and keys.dtype.kind == "f"
        if not same:
            raise InputError(
                f"checkpoint {self.folder}: written by another problem (different mesh, model "
                "or time scheme); use another folder or delete it"
            )
        return keys

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
