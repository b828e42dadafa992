"""A result set: the field files and the summary of one solution, written together.

Used by :meth:`SteadyProblem.export <fe_interface.problems.steady.SteadyProblem.export>`
and by case runs (:mod:`fe_interface.case`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fe_interface.discretisation.formulation import Formulation
from fe_interface.io.fields import write_meshio, write_vtx
from fe_interface.io.summary import write_summary
from fe_interface.postprocessing.balance import EnergyBalance, steady_balance
from fe_interface.postprocessing.interfaces import InterfaceSummary, interface_table

__all__ = ["FIELD_FILES", "write_steady_results"]

#: the files of a result set: kind -> what it holds
FIELD_FILES = {
    "xdmf": "NAME.xdmf + NAME.h5 (meshio, duplicated interface vertices; ParaView)",
    "vtu": "NAME.vtu (meshio, duplicated interface vertices; ParaView)",
    "summary": "NAME_summary.json (interfaces, energy balance, solver)",
    "vtx": "NAME_vtx.bp (ADIOS2; not readable by Debian's ParaView)",
}


def write_steady_results(
    f: Formulation,
    folder: Path,
    name: str,
    files: Sequence[str] = ("xdmf", "vtu", "summary"),
    vtx: bool = False,
    table: list[InterfaceSummary] | None = None,
    balance: EnergyBalance | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write the result set of the solution in ``f.T`` (collective).

    Args:
        f: the solved formulation.
        folder: output folder (created).
        name: base name of the files.
        files: kinds of :data:`FIELD_FILES` to write (``vtx=True`` adds "vtx").
        table, balance: the interface table and energy balance (computed if None).
        extra: more entries for the JSON summary.

    Returns:
        kind -> path, plus "interfaces" (the table) and "balance".
    """
    kinds = list(dict.fromkeys([*files, *(["vtx"] if vtx else [])]))
    table = interface_table(f) if table is None else table
    balance = steady_balance(f) if balance is None else balance
    out: dict[str, Any] = {"interfaces": table, "balance": balance}
    meshio_files = {k: folder / f"{name}.{k}" for k in ("xdmf", "vtu") if k in kinds}
    if meshio_files:  # the fields are gathered once for both files
        write_meshio(f, *meshio_files.values())
        out |= meshio_files
    if "vtx" in kinds:
        out["vtx"] = write_vtx(f, folder / f"{name}_vtx.bp")
    if "summary" in kinds:
        out["summary"] = write_summary(folder / f"{name}_summary.json", table, balance, f.comm, extra)
    return out
