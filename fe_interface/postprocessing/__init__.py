"""Post-processing: interface tables, energy balance, derived values, sampling, checks."""

from fe_interface.postprocessing.balance import EnergyBalance
from fe_interface.postprocessing.checks import Check, compare_runs, failures, format_checks
from fe_interface.postprocessing.derived import (
    RegionStatistics,
    RegionTemperature,
    SurfaceMean,
    boundary_mean_temperature,
    region_statistics,
)
from fe_interface.postprocessing.interfaces import InterfaceSummary, interface_table

__all__ = [
    "Check",
    "EnergyBalance",
    "InterfaceSummary",
    "RegionStatistics",
    "RegionTemperature",
    "SurfaceMean",
    "boundary_mean_temperature",
    "compare_runs",
    "failures",
    "format_checks",
    "interface_table",
    "region_statistics",
]
