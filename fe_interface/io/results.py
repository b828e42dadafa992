"""A result set: the field files and the summary of one solution, written together.

Used by :meth:`SteadyProblem.export <fe_interface.problems.steady.SteadyProblem.export>`
and by case runs (:mod:`fe_interface.case`).  The files are written into the temporary
folder of a :class:`~fe_interface.io.files.ResultSet` and swapped into the output folder
together with the manifest ``NAME.manifest.json``: the folder holds the complete old set
or the complete new one (see :mod:`fe_interface.io.files`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fe_interface.discretisation.formulation import Formulation
from fe_interface.errors import InputError, OutputError
from fe_interface.io.fields import write_meshio, write_vtx
from fe_interface.io.files import ResultSet, check_result_file, verify_result_set
from fe_interface.io.summary import write_summary
from fe_interface.postprocessing.balance import EnergyBalance, steady_balance
from fe_interface.postprocessing.derived import Derived, DerivedValues
from fe_interface.postprocessing.interfaces import InterfaceSummary, interface_table

__all__ = ["FIELD_FILES", "check_result_file", "verify_result_set", "write_steady_results"]

#: the files of a result set: kind -> what it holds
FIELD_FILES = {
    "xdmf": "NAME.xdmf + NAME.h5 (meshio, duplicated interface vertices; ParaView)",
    "vtu": "NAME.vtu (meshio, duplicated interface vertices; ParaView)",
    "summary": "NAME_summary.json (junction, regions, probes, boundary flows, interfaces, "
    "energy balance, solver)",
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
    result_set: ResultSet | None = None,
    derived: DerivedValues | None = None,
) -> dict[str, Any]:
    """Write the result set of the solution in ``f.T`` (collective).

    Args:
        f: the solved formulation.
        folder: output folder (created).
        name: base name of the files (a plain file name).
        files: kinds of :data:`FIELD_FILES` to write.
        vtx: add "vtx" to ``files``.
        table: the interface table (computed if None and the summary is written).
        balance: the energy balance (computed if None and the summary is written).
        extra: more entries for the JSON summary.
        result_set: an open :class:`~fe_interface.io.files.ResultSet` to write into (the
            caller commits it, e.g. with plots added); default: a set of its own,
            committed here.
        derived: the derived values (junction, regions, probes, boundary flows) for
            the summary; default: every region's temperatures and the boundary flows.

    Returns:
        kind -> final path, plus "interfaces" (the table), "balance" and "derived"
            (None when neither was given nor needed).

    Raises:
        OutputError: a file could not be written (the previous set is left intact).
        OutputBusyError: another run writes into ``folder``.
    """
    kinds = list(dict.fromkeys([*files, *(["vtx"] if vtx else [])]))
    unknown = [k for k in kinds if k not in FIELD_FILES]
    if unknown:
        raise InputError(
            f"unknown result file kind(s) {unknown} (choices: {', '.join(FIELD_FILES)})"
        )
    if "summary" in kinds:  # the tables only where they are written
        table = interface_table(f) if table is None else table
        balance = steady_balance(f) if balance is None else balance
        derived = Derived(f).compute(balance=balance) if derived is None else derived
    own = result_set is None
    rs = ResultSet(folder, name, f.comm, "steady") if own else result_set
    assert rs is not None
    out: dict[str, Any] = {"interfaces": table, "balance": balance, "derived": derived}
    if own:
        rs.open()
    try:
        _write(f, rs, name, kinds, table, balance, extra, out)
        if own:
            rs.commit()
    except OutputError as e:
        if str(e).startswith(rs.what()):
            raise
        raise OutputError(f"{rs.what()}: {e}") from None
    finally:
        if own and not rs.committed:
            rs.abort()
    return out


def _write(
    f: Formulation,
    rs: ResultSet,
    name: str,
    kinds: list[str],
    table: list[InterfaceSummary] | None,
    balance: EnergyBalance | None,
    extra: dict[str, Any] | None,
    out: dict[str, Any],
) -> None:
    """The field files and the summary into the temporary folder of ``rs``."""
    meshio_files = {k: rs.path(f"{name}.{k}") for k in ("xdmf", "vtu") if k in kinds}
    if meshio_files:  # the fields are gathered once for both files
        write_meshio(f, *meshio_files.values())
        out |= {k: rs.final(p) for k, p in meshio_files.items()}
    if "vtx" in kinds:
        out["vtx"] = rs.final(write_vtx(f, rs.path(f"{name}_vtx.bp")))
    if "summary" in kinds:
        p = write_summary(
            rs.path(f"{name}_summary.json"), table or [], balance, f.comm, extra, out.get("derived")
        )
        out["summary"] = rs.final(p)
