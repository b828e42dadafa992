"""Fits and uncertainty studies of case files (run stage); the tables: :mod:`~fe_interface.case.studyspec`."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from fe_interface.case.checker import CaseError
from fe_interface.case.studyspec import (
    FIT_KEYS,
    UNCERTAINTY_KEYS,
    FitSpec,
    UncertaintySpec,
    read_fit,
    read_uncertainty,
)
from fe_interface.case.sweepspec import assign_key, key_value
from fe_interface.case.validate import parse_case
from fe_interface.errors import InputError

__all__ = [
    "FIT_KEYS",
    "UNCERTAINTY_KEYS",
    "FitSpec",
    "UncertaintySpec",
    "case_model",
    "read_fit",
    "read_uncertainty",
    "run_fit",
    "run_uncertainty",
]


# --------------------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------------------
def case_model(
    case: Any, entries: Any, comm: Any = None, dt: float | None = None, t_end: float | None = None
) -> Any:
    """A :class:`~fe_interface.studies.model.ParametricModel` of a case (collective).

    ``entries``: (keys, Parameter) pairs; a parameter's value is written at its keys.
    """
    from fe_interface.studies.model import ParametricModel

    tagged = case.check_mesh(case.build_mesh(comm))
    problem = case.build_problem(tagged)
    base = copy.deepcopy(case.data)
    for k in ("fit", "uncertainty", "sweep"):
        base.pop(k, None)

    def build(values: dict[str, float]) -> dict[str, Any]:
        doc = copy.deepcopy(base)
        for keys, par in entries:
            for k in keys:
                assign_key(doc, k, values[par.name])
        try:
            variant = parse_case(doc, case.base_dir, case.source, case.name)
        except CaseError as e:
            raise InputError("; ".join(f"{p}: {m}" for p, m in e.errors)) from None
        p = variant.build_problem(tagged)
        return {
            "materials": p.materials, "interfaces": p.interfaces,
            "boundary_conditions": p.boundary_conditions, "sources": p.sources,
        }  # fmt: skip

    if case.transient is not None:
        dt = dt or case.transient.dt
        t_end = t_end or None
    return ParametricModel(problem, build, [p for _, p in entries], dt=dt, t_end=t_end)


def _folder(case: Any, out: Any) -> Path:
    return Path(out) if out is not None else (case.output_folder or Path("results") / case.name)


def run_fit(
    case: Any, data: Any = None, out: Any = None, comm: Any = None
) -> tuple[Any, dict, list]:
    """Fit a case with a [fit] to its readings; returns (FitResult, files, warnings)."""
    from fe_interface.studies.data import read_measurements
    from fe_interface.studies.fit import fit
    from fe_interface.studies.report import write_fit

    spec: FitSpec | None = case.fit
    if spec is None:
        raise CaseError([("fit", "the case has no [fit] table")], case.source)
    path = Path(data) if data is not None else spec.data
    if path is None:
        raise CaseError(
            [("fit.data", "no measurements: give fit.data or --data FILE")], case.source
        )
    obs = read_measurements(path, spec.sigma)
    model = case_model(case, spec.parameters, comm, spec.dt, spec.t_end)
    res = fit(model, obs, levels=spec.levels, sigma_from_residuals=spec.sigma_from_residuals)
    files, warns = write_fit(res, _folder(case, out), case.output_name, model.problem.comm)
    return res, files, warns


def run_uncertainty(
    case: Any, out: Any = None, comm: Any = None, restart: bool = True, progress: bool | None = None
) -> tuple[Any, dict, list]:
    """Propagate a case's [uncertainty]; returns (UncertaintyResult, files, warnings).

    The finished samples are kept in ``<output folder>/<name>_uq_state`` (a second run
    resumes them unless ``restart`` is false).
    """
    from mpi4py import MPI

    from fe_interface.studies.parameters import Parameter
    from fe_interface.studies.report import write_uncertainty
    from fe_interface.studies.uncertainty import propagate

    spec: UncertaintySpec | None = case.uncertainty
    if spec is None:
        raise CaseError([("uncertainty", "the case has no [uncertainty] table")], case.source)
    world = MPI.COMM_WORLD if comm is None else comm
    entries = [
        (keys, Parameter(d.name, float(key_value(case.data, keys[0])))) for keys, d in spec.inputs
    ]
    folder = _folder(case, out)
    res = propagate(
        lambda c: case_model(case, entries, c), [d for _, d in spec.inputs],
        method=spec.method, samples=spec.samples, seed=spec.seed,
        outputs=list(spec.outputs) or None, probes=list(case.probes.values()) or None,
        junction=case.junction, groups=spec.groups, state=folder / f"{case.output_name}_uq_state",
        restart=restart, progress=progress, comm=world,
    )  # fmt: skip
    files, warns = write_uncertainty(res, folder, case.output_name, world)
    return res, files, warns
