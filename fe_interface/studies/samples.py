"""Finished samples on disk: written as they finish, atomically; a restart skips them.

The state folder holds ``design.json`` (what the samples are of: the method, the number
of samples, the seed, the inputs and their distributions, the outputs: a restart with
another design is refused) and one ``sample_<i>.json`` per finished sample (its inputs,
its outputs or its error), each written to a temporary file and renamed (a killed run
leaves whole files only).  Each group of ranks writes its own samples from its first rank:
no two processes write one file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from fe_interface.errors import InputError, on_rank0
from fe_interface.io.files import output_error, write_text
from fe_interface.io.summary import json_safe

__all__ = ["SampleStore"]

_SAMPLE = re.compile(r"sample_(\d+)\.json$")


class SampleStore:
    """The state folder of an uncertainty study (module docstring).

    Args:
        folder: the state folder (created).
        design: what identifies the study (JSON-able).
        comm: the world communicator (rank 0 reads and checks).
        restart: keep finished samples of the same design (else start afresh).

    Raises:
        InputError: the folder holds samples of another design and ``restart`` is set.
    """

    def __init__(
        self, folder: str | Path, design: dict[str, Any], comm: Any, restart: bool
    ) -> None:
        self.folder = Path(folder)
        self.design = json.loads(json.dumps(json_safe(design)))
        self.comm = comm
        self.done: dict[int, dict[str, Any]] = {}
        self.done = comm.bcast(on_rank0(comm, lambda: self._open(restart), self._error), root=0)

    def _error(self, e: BaseException) -> BaseException:
        return output_error(e, f"uncertainty state folder {self.folder}")

    def _open(self, restart: bool) -> dict[int, dict[str, Any]]:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / "design.json"
        old = None
        if path.exists():
            try:
                old = json.loads(path.read_text())
            except (OSError, ValueError):
                old = None
        done: dict[int, dict[str, Any]] = {}
        if restart and old is not None:
            if old != self.design:
                raise InputError(
                    f"{self.folder}: holds samples of another study (design.json differs: "
                    "method, samples, seed, inputs or outputs); delete the folder or run "
                    "without restart"
                )
            for p in self.folder.iterdir():
                m = _SAMPLE.match(p.name)
                if m:
                    try:
                        done[int(m.group(1))] = json.loads(p.read_text())
                    except (OSError, ValueError):  # cannot happen with atomic writes; redo it
                        continue
        else:
            for p in self.folder.iterdir():
                if _SAMPLE.match(p.name):
                    p.unlink()
            write_text(path, json.dumps(self.design, indent=1))
        return done

    def save(self, i: int, record: dict[str, Any], group: Any) -> None:
        """Write sample ``i`` from the first rank of its ``group`` (collective on the group)."""
        path = self.folder / f"sample_{i:07d}.json"
        on_rank0(group, lambda: write_text(path, json.dumps(json_safe(record))), self._error)
