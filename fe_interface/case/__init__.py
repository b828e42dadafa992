"""Case files (TOML): a whole problem in one validated file; see ``docs/case-format.md``.

The case layer by stage (each a module; every error with its key path):

=========  ==============================================================================
read       :mod:`~fe_interface.case.read` (the TOML file)
validate   :mod:`~fe_interface.case.validate` (:func:`parse_case`, the document alone) with
           the readers of its tables: ``analysis``, ``bulk``, ``conditions``, ``laws``,
           ``mechanics``, ``outputs``, ``pairs``, ``cad``, ``values``, ``timevalues``,
           ``sweepspec``, ``studyspec``; the result: :class:`~fe_interface.case.spec.Case`
build      :mod:`~fe_interface.case.build` (mesh, problem) and
           :mod:`~fe_interface.case.meshcheck` (the case against its mesh)
run        :mod:`~fe_interface.case.run` (:func:`run_case`, :func:`check_case`),
           :mod:`~fe_interface.case.solve` (one case), :mod:`~fe_interface.case.sweep`,
           :mod:`~fe_interface.case.studies` (fits, uncertainty)
write      :mod:`~fe_interface.case.write` (summary sections, plots, pictures),
           :mod:`~fe_interface.case.sweeprows` (sweep tables)
=========  ==============================================================================
"""

from fe_interface.case.build import geometry_builders
from fe_interface.case.bulk import BULK_MATERIALS
from fe_interface.case.checker import CaseError
from fe_interface.case.laws import LAWS
from fe_interface.case.outputs import OUTPUT_FILES
from fe_interface.case.read import load_case
from fe_interface.case.run import CaseResult, check_case, run_case
from fe_interface.case.spec import Case
from fe_interface.case.validate import parse_case

__all__ = [
    "BULK_MATERIALS",
    "LAWS",
    "OUTPUT_FILES",
    "Case",
    "CaseError",
    "CaseResult",
    "check_case",
    "geometry_builders",
    "load_case",
    "parse_case",
    "run_case",
]
