"""The model: materials, boundary conditions, sources, interfaces and their laws.

Model objects are validated frozen dataclasses with SI units; :class:`Model` checks them
against a mesh.
"""

from fe_interface.model.boundary import (
    BoundaryCondition,
    Convection,
    FixedTemperature,
    HeatFlux,
    Radiation,
)
from fe_interface.model.interfaces import (
    Conductance,
    FacetConductance,
    Interface,
    InterfaceLaw,
    PerfectContact,
    Resistance,
)
from fe_interface.model.materials import Anisotropic, Material
from fe_interface.model.model import Model
from fe_interface.model.properties import (
    NISTCopperFit,
    PolyLog10,
    Polynomial,
    PropertyFunction,
    PropertyRangeWarning,
    Table,
)
from fe_interface.model.sources import HeatSource
from fe_interface.model.time import TimeFunction

__all__ = [
    "Anisotropic",
    "BoundaryCondition",
    "Conductance",
    "Convection",
    "FacetConductance",
    "FixedTemperature",
    "HeatFlux",
    "HeatSource",
    "Interface",
    "InterfaceLaw",
    "Material",
    "Model",
    "NISTCopperFit",
    "PerfectContact",
    "PolyLog10",
    "Polynomial",
    "PropertyFunction",
    "PropertyRangeWarning",
    "Radiation",
    "Resistance",
    "Table",
    "TimeFunction",
]
