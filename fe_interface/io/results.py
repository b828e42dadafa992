"""A result set: the field files and the summary of one solution, written together.

Used by :meth:`SteadyProblem.export <fe_interface.problems.steady.SteadyProblem.export>`,
:meth:`ElasticProblem.export <fe_interface.problems.elastic.ElasticProblem.export>`,
:meth:`ThermoMechanicalProblem.export
<fe_interface.problems.thermomechanical.ThermoMechanicalProblem.export>` and by case runs
(:mod:`fe_interface.case`): one writer, one kind of result set, heat and mechanics alike.  The files are written into the temporary
folder of a :class:`~fe_interface.io.files.ResultSet` and swapped into the output folder
together with the manifest ``NAME.manifest.json``: the folder holds the complete old set
or the complete new one (see :mod:`fe_interface.io.files`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fe_interface.discretisation.formulation import Formulation
from fe_interface.errors import InputError, OutputError
from fe_interface.io.fields import write_meshio, write_vtx
from fe_interface.io.files import ResultSet, check_result_file, verify_result_set
from fe_interface.io.mechanics import write_contact_surface, write_mechanics
from fe_interface.io.summary import write_summary
from fe_interface.postprocessing.balance import EnergyBalance, steady_balance
from fe_interface.postprocessing.derived import Derived, DerivedValues
from fe_interface.postprocessing.interfaces import InterfaceSummary, interface_table

__all__ = [
    "FIELD_FILES",
    "check_result_file",
    "verify_result_set",
    "write_elastic_results",
    "write_steady_results",
    "write_thermomechanical_results",
]

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
    out: dict[str, Any] = {"interfaces": table, "balance": balance, "derived": derived}
    rs: ResultSet | None = None
    try:
        with _result_set(folder, name, f.comm, "steady", result_set) as rs:
            _write(f, rs, name, kinds, table, balance, extra, out)
    except OutputError as e:
        if rs is None or str(e).startswith(rs.what()):
            raise
        raise OutputError(f"{rs.what()}: {e}") from None
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


@contextmanager
def _result_set(
    folder: str | Path, name: str, comm: Any, kind: str, given: ResultSet | None
) -> Iterator[ResultSet]:
    """``given`` (the caller commits it), or a set of its own: committed, or aborted on error."""
    if given is not None:
        yield given
        return
    rs = ResultSet(folder, name, comm, kind)
    rs.open()
    try:
        yield rs
        rs.commit()
    finally:
        if not rs.committed:
            rs.abort()


def _mechanics_files(
    mechanics: Any,
    rs: ResultSet,
    name: str,
    kinds: Sequence[str],
    fields: Mapping[str, Any] | None,
) -> dict[str, Path]:
    """``NAME_mechanics.*`` (and ``NAME_contact.*`` with contacts) into ``rs``."""
    paths: dict[str, Path] = {}
    suffixes = [k for k in ("vtu", "xdmf") if k in kinds]
    if not suffixes:
        return paths
    mech = [rs.path(f"{name}_mechanics.{k}") for k in suffixes]
    write_mechanics(mechanics, *mech, extra=fields)
    for k, a in zip(suffixes, mech, strict=True):
        paths[f"mechanics_{k}"] = rs.final(a)
    if mechanics.contacts:
        surf = [rs.path(f"{name}_contact.{k}") for k in suffixes]
        write_contact_surface(mechanics, *surf, extra=fields)
        for k, b in zip(suffixes, surf, strict=True):
            paths[f"contact_{k}"] = rs.final(b)
    return paths


def write_elastic_results(
    mechanics: Any,
    folder: str | Path,
    name: str,
    files: Sequence[str] = ("xdmf", "vtu", "summary"),
    summary: Callable[[], dict[str, Any]] | None = None,
    result_set: ResultSet | None = None,
) -> dict[str, Path]:
    """The result set of a solved elastic problem (collective).

    ``NAME_mechanics.vtu/.xdmf`` (displacement, von Mises stress, P, g), with contacts
    ``NAME_contact.*`` (the contact facets) and ``NAME_summary.json`` (``summary()``: the
    contact table and the solver counts).

    Raises:
        InputError: an unknown file kind.
        OutputError: a file could not be written (the previous set is left intact).
    """
    kinds = [k for k in files if k != "vtx"]
    unknown = [k for k in kinds if k not in FIELD_FILES]
    if unknown:
        raise InputError(f"unknown result file kind(s) {unknown} (choices: xdmf, vtu, summary)")
    comm = mechanics.tagged.mesh.comm
    with _result_set(folder, name, comm, "mechanics", result_set) as rs:
        paths = _mechanics_files(mechanics, rs, name, kinds, None)
        if "summary" in kinds:
            doc = {"mechanics": summary() if summary is not None else {}}
            p = write_summary(rs.path(f"{name}_summary.json"), [], None, comm, doc, None)
            paths["summary"] = rs.final(p)
    return paths


def write_thermomechanical_results(
    f: Formulation,
    mechanics: Any,
    folder: str | Path,
    name: str,
    files: Sequence[str],
    doc: dict[str, Any],
    fields: Mapping[str, Any] | None = None,
    result_set: ResultSet | None = None,
    derived: DerivedValues | None = None,
    table: list[InterfaceSummary] | None = None,
    balance: EnergyBalance | None = None,
) -> dict[str, Path]:
    """One result set of a coupled run: the heat files and the mechanics files (collective).

    The temperature (``NAME.vtu/.xdmf``, :func:`write_steady_results`), the mechanics
    (``NAME_mechanics.*``: displacement, von Mises, P, g and ``fields``, e.g. h), the
    contact surfaces (``NAME_contact.*``) and ``NAME_summary.json`` (the interface
    ``table`` and the energy ``balance`` of the heat solution — computed here if None —
    and ``doc``).
    """
    kinds = [k for k in files if k in FIELD_FILES]
    with _result_set(folder, name, f.comm, "thermomechanical", result_set) as rs:
        out = write_steady_results(
            f, rs.folder, name, kinds, extra=doc, result_set=rs, derived=derived,
            table=table, balance=balance,
        )  # fmt: skip
        paths = {k: v for k, v in out.items() if k in kinds}
        paths |= _mechanics_files(mechanics, rs, name, kinds, fields)
    return paths
