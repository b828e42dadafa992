"""The rows of a sweep: kept as they finish, found again by the next run.

A sweep commits its table -- ``NAME_sweep.csv`` and ``NAME_sweep.json``, the result set
``NAME`` -- after every run that finishes (each commit switches the whole set in one step,
:mod:`fe_interface.io.swap`), so a sweep that fails or is killed keeps the runs it
finished.  The JSON lists each finished run with its ``index`` (0-based), parameters,
outputs, warnings, the files of its own result set ``NAME_run<i>`` (with
``run_files``) and ``case_sha256``: a hash of that run's case -- the case document with
the sweep's values in place and without ``[sweep]``, the contents of the files it names
(a mesh, a table) and the version of fe_interface.  ``"complete"`` says whether every
run of the sweep is in, ``"total"`` how many there are.

A rerun of the sweep into the same folder (``sweep.resume = true``, the default) takes a
finished row as it is if its case hash is the same (and, with ``run_files``, its run's
set is complete); every other row is computed.  So the values of a row are always those
of its case as it is now.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from fe_interface.case.checker import is_number
from fe_interface.errors import on_rank0
from fe_interface.io.files import output_error, verify_result_set, write_text
from fe_interface.io.summary import json_safe

__all__ = ["FORMAT", "Row", "case_digest", "kept_rows", "table_columns", "write_table"]

#: ``"format"`` of ``NAME_sweep.json``
FORMAT = "fe_interface sweep"


@dataclass(frozen=True)
class Row:
    """One finished run of a sweep.

    Attributes:
        index: its place in the sweep (0-based).
        point: parameter name -> value.
        values: every output by selector (K, W, W/(m² K), ...).
        warnings: the run's warnings.
        digest: the hash of its case (:func:`case_digest`).
        files: kind -> file name (in the output folder) of its run files.
    """

    index: int
    point: dict[str, Any]
    values: dict[str, float]
    warnings: tuple[str, ...] = ()
    digest: str = ""
    files: dict[str, str] = field(default_factory=dict)


def _strings(v: Any) -> Iterator[str]:
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from _strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from _strings(x)


def case_digest(case: Any) -> str:
    """SHA-256 of a run's case: its document, the files it names, fe_interface's version."""
    h = hashlib.sha256(json.dumps(case.data, sort_keys=True, default=repr).encode())
    try:
        h.update(metadata.version("fe_interface").encode())
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        pass
    base = Path(case.base_dir) if case.base_dir else Path(".")
    for s in sorted(set(_strings(case.data))):
        try:
            p = base / s
            if len(s) < 4096 and p.is_file():
                h.update(s.encode() + hashlib.sha256(p.read_bytes()).digest())
        except (OSError, ValueError):
            continue
    return h.hexdigest()


def _number(v: Any) -> float:
    return math.nan if v is None else float(v)


def _stored(folder: Path, name: str, case_name: str) -> list[dict[str, Any]]:
    """The runs of the complete, verified table ``name`` in ``folder`` ([] if none)."""
    if verify_result_set(folder, name) != []:
        return []
    try:
        doc = json.loads((folder / f"{name}_sweep.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("case") != case_name:
        return []
    runs = doc.get("runs")
    return [r for r in runs if isinstance(r, dict)] if isinstance(runs, list) else []


def kept_rows(
    folder: Path,
    name: str,
    case_name: str,
    points: list[dict[str, Any]],
    digests: list[str],
    run_files: bool,
    comm: Any,
) -> dict[int, Row]:
    """The finished rows of a previous run of this sweep that still hold (collective).

    Row ``i`` is kept if the stored one has the same case hash ``digests[i]`` and, with
    ``run_files``, its run's result set verifies.
    """

    def read() -> dict[int, Row]:
        out: dict[int, Row] = {}
        for r in _stored(folder, name, case_name):
            i = r.get("index")
            if not isinstance(i, int) or not 0 <= i < len(digests):
                continue
            if r.get("case_sha256") != digests[i] or not isinstance(r.get("outputs"), dict):
                continue
            files = r.get("files") or {}
            if run_files and (not files or verify_result_set(folder, f"{name}_run{i:03d}")):
                continue
            values = {str(k): _number(v) for k, v in r["outputs"].items()}
            warns = tuple(str(w) for w in r.get("warnings") or [])
            out[i] = Row(i, points[i], values, warns, digests[i], dict(files))
        return out

    return comm.bcast(on_rank0(comm, read), root=0)


def table_columns(
    parameters: list[str], outputs: list[str], rows: list[Row]
) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of the table: parameters, the chosen outputs, then the others."""
    first = rows[0].values if rows else {}
    others = [k for k in first if k not in outputs]
    cols = parameters + outputs + others
    table = [
        [r.point[n] for n in parameters] + [r.values.get(k, math.nan) for k in outputs + others]
        for r in rows
    ]
    return cols, table


def write_table(
    case: Any,
    outputs: list[str],
    rows: list[Row],
    total: int,
    paths: tuple[Path, Path],
    comm: Any,
) -> None:
    """``NAME_sweep.csv`` and ``NAME_sweep.json`` of the finished ``rows`` (collective).

    Args:
        case: the base case (with its [sweep]).
        outputs: the chosen outputs (selectors).
        rows: the finished runs, in order.
        total: the number of runs of the sweep.
        paths: where to write the CSV and the JSON.
        comm: MPI communicator (rank 0 writes).
    """
    spec = case.sweep
    params = [p.name for p in spec.parameters]
    cols, table = table_columns(params, outputs, rows)
    csv_path, json_path = paths

    def write() -> None:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for r in table:
            w.writerow([repr(float(x)) if is_number(x) else x for x in r])
        write_text(csv_path, buf.getvalue())
        doc = {
            "format": FORMAT,
            "case": case.name,
            "mode": spec.mode,
            "complete": len(rows) == total,
            "total": total,
            "parameters": [
                {
                    "name": p.name,
                    "keys": list(p.keys),
                    "values": list(p.values),
                    "labels": list(p.labels) if p.labels else None,
                }
                for p in spec.parameters
            ],
            "outputs": outputs,
            "runs": [
                {
                    "index": r.index,
                    "parameters": r.point,
                    "outputs": r.values,
                    "warnings": list(r.warnings),
                    "files": r.files,
                    "case_sha256": r.digest,
                }
                for r in rows
            ],
        }
        write_text(json_path, json.dumps(json_safe(doc), indent=2, allow_nan=False))

    name = case.output_name
    on_rank0(comm, write, lambda e: output_error(e, f"writing {name}_sweep.csv/.json"))
