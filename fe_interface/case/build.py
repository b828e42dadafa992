"""The build stage of a case: its mesh, then (after the mesh checks) its problem."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fe_interface.case.bulk import PowerSource
from fe_interface.case.checker import CaseError
from fe_interface.case.conditions import fixed_conditions
from fe_interface.case.pairs import pair_interface
from fe_interface.case.timevalues import time_value
from fe_interface.errors import InputError

if TYPE_CHECKING:
    from fe_interface.case.spec import Case
    from fe_interface.mesh import TaggedMesh
    from fe_interface.problems import SteadyProblem, TransientProblem

__all__ = ["build_mesh", "build_problem", "geometry_builders", "radiation_condition"]


def geometry_builders() -> dict[str, Callable[..., Any]]:
    """The builders of :mod:`fe_interface.geometry` usable as ``geometry.builder``.

    Those of ``builders`` and of ``parts`` (separately meshed parts, for pairs).
    """
    from fe_interface.geometry import builders, parts

    out = {}
    for module in (builders, parts):
        for name in getattr(module, "__all__", []):
            f = getattr(module, name, None)
            if callable(f):
                out[name] = f
    from fe_interface.geometry.contact_blocks import contact_blocks

    out["contact_blocks"] = contact_blocks  # graded blocks on a flat contact (mechanics)
    return out


def build_mesh(case: Case, comm: Any = None) -> TaggedMesh:
    """The mesh of ``case``: CAD assembly, geometry builder or ``.msh`` file (collective)."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD if comm is None else comm
    if case.cad is not None:
        assembly = case.cad.build(comm, case.source)
        case.contacts = assembly.contacts
        return assembly.tagged
    if case.mesh_file is not None:
        from fe_interface.errors import MeshError
        from fe_interface.mesh import read_msh

        try:
            return read_msh(case.mesh_file, comm, case.gdim)
        except MeshError as e:
            raise CaseError([("geometry.mesh", str(e))], case.source) from None
    assert case.builder is not None  # parse_case: a CAD file, a mesh file or a builder
    builder = geometry_builders()[case.builder]
    try:
        return builder(comm=comm, **case.builder_parameters)
    except Exception as e:  # the builder's checks (on every rank), or gmsh failing
        msg = str(e) if isinstance(e, (ValueError, TypeError)) else f"{type(e).__name__}: {e}"
        first = msg.split(" ", 1)[0]
        base = first.split("[", 1)[0]
        path = "geometry.parameters"
        if base in case.builder_parameters:
            path = f"{path}.{first}"
            msg = msg.split(" ", 1)[1] if " " in msg else msg
        raise CaseError([(path, f"{case.builder}: {msg}")], case.source) from None


def build_problem(case: Case, tagged: TaggedMesh) -> SteadyProblem | TransientProblem:
    """The problem of ``case`` on its checked mesh (see :func:`~fe_interface.case.meshcheck.check_mesh`).

    A :class:`~fe_interface.problems.steady.SteadyProblem`, or a
    :class:`~fe_interface.problems.transient.TransientProblem` for ``analysis.type =
    "transient"``.
    """
    from fe_interface.model import (
        Convection,
        FixedTemperature,
        HeatFlux,
        HeatSource,
        Interface,
        Material,
    )
    from fe_interface.problems import SteadyProblem, TransientProblem

    try:
        mats: dict[str | int, Material] = {
            r: Material(
                m.get("label", r), m["conductivity"], m.get("density"), m.get("specific_heat")
            )
            for r, m in case.materials.items()
        }
    except InputError as e:
        raise CaseError([("materials", str(e))], case.source) from None
    interfaces = [
        Interface(s.name, s.law, plus=s.plus)
        if s.pair is None
        else pair_interface(s.name, s.law, s.pair)
        for s in case.interfaces
    ]
    bcs: list[Any] = []
    for b in case.boundaries:
        v = {k: time_value(x) for k, x in b.values.items()}
        if b.kind == "temperature":
            bcs.append(FixedTemperature(b.name, v["value"]))
        elif b.kind == "heat_flux":
            bcs.append(HeatFlux(b.name, v["value"]))
        elif b.kind == "convection" and "emissivity" not in v:
            bcs.append(Convection(b.name, v["h"], v["T_inf"]))
        elif b.kind in ("radiation", "convection"):
            bcs.append(radiation_condition(b.name, v))
    bcs += fixed_conditions(case.fixed)  # [fixed_temperatures]: regions and points
    sources = [
        HeatSource(r, power=time_value(v.power), depth=v.depth)
        if isinstance(v, PowerSource)
        else HeatSource(r, time_value(v))
        for r, v in case.sources.items()
    ]
    common: dict[str, Any] = {
        "interfaces": interfaces,
        "boundary_conditions": bcs,
        "sources": sources,
        "degree": case.degree,
        "axisymmetric": case.axisymmetric,
        "solver": case.solver,
        "petsc_options": case.petsc_options,
    }
    if case.mechanics is not None:  # a ThermoMechanicalProblem
        return case.mechanics.build(case, tagged, {"materials": mats, **common})
    if case.transient is not None:
        tr = case.transient
        return TransientProblem(
            tagged,
            mats,
            initial_temperature=tr.initial_temperature,
            scheme=tr.scheme,
            startup_steps=tr.startup_steps,
            probes=list(case.probes.values()),  # time series: probe_<name>_K
            monitor_regions=[case.junction] if case.junction else [],
            **common,
        )
    return SteadyProblem(tagged, mats, initial_temperature=case.initial_temperature, **common)


def radiation_condition(name: str, v: dict[str, Any]) -> Any:
    """The :class:`~fe_interface.model.boundary.Radiation` condition of a boundary ``v``.

    For a ``radiation`` boundary, or for a ``convection`` boundary with an ``emissivity``
    (T_amb defaults to T_inf).
    """
    from fe_interface.model import Radiation

    if "T_amb" in v:
        return Radiation(name, v["emissivity"], v["T_amb"], v.get("h", 0.0), v.get("T_inf"))
    return Radiation(name, v["emissivity"], v["T_inf"], v["h"], v["T_inf"])
