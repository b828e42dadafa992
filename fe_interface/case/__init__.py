"""Case files (TOML): a whole problem in one validated file; see ``docs/case-format.md``."""

from fe_interface.case.checker import CaseError
from fe_interface.case.laws import LAWS
from fe_interface.case.run import CaseResult, check_case, run_case
from fe_interface.case.schema import (
    BULK_MATERIALS,
    OUTPUT_FILES,
    Case,
    geometry_builders,
    load_case,
    parse_case,
)

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
