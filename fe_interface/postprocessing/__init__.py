"""Post-processing: interface tables, the energy balance, sampling and plots."""

from fe_interface.postprocessing.balance import EnergyBalance
from fe_interface.postprocessing.interfaces import InterfaceSummary, interface_table

__all__ = ["EnergyBalance", "InterfaceSummary", "interface_table"]
