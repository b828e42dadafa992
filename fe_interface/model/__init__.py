"""The model: materials, boundary conditions, sources, interfaces and their laws.

Model objects are validated frozen dataclasses with SI units; :class:`Model` checks them
against a mesh.  Heat and mechanics side by side: :class:`Material` and
:class:`ElasticMaterial`, the thermal conditions (``boundary.py``) and the mechanical ones
(``mechanical_boundary.py``), :class:`Interface` and :class:`Contact`, :class:`Model` and
:class:`MechanicalModel` (their shared region checks: ``regions.py``).
"""

from fe_interface.model.boundary import (
    BoundaryCondition,
    Convection,
    FixedTemperature,
    HeatFlux,
    Radiation,
)
from fe_interface.model.contacts import Contact, SurfaceContact
from fe_interface.model.elastic_materials import ElasticMaterial, effective_modulus
from fe_interface.model.interfaces import (
    Conductance,
    FacetConductance,
    Interface,
    InterfaceLaw,
    PerfectContact,
    Resistance,
)
from fe_interface.model.library import LIBRARY, library_entry, library_material
from fe_interface.model.materials import Anisotropic, Material
from fe_interface.model.mechanical_boundary import (
    BodyForce,
    Displacement,
    Pressure,
    Symmetry,
    Traction,
)
from fe_interface.model.mechanical_model import MechanicalModel
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
    "LIBRARY",
    "Anisotropic",
    "BodyForce",
    "BoundaryCondition",
    "Conductance",
    "Contact",
    "Convection",
    "Displacement",
    "ElasticMaterial",
    "FacetConductance",
    "FixedTemperature",
    "HeatFlux",
    "HeatSource",
    "Interface",
    "InterfaceLaw",
    "Material",
    "MechanicalModel",
    "Model",
    "NISTCopperFit",
    "PerfectContact",
    "PolyLog10",
    "Polynomial",
    "Pressure",
    "PropertyFunction",
    "PropertyRangeWarning",
    "Radiation",
    "Resistance",
    "SurfaceContact",
    "Symmetry",
    "Table",
    "TimeFunction",
    "Traction",
    "effective_modulus",
    "library_entry",
    "library_material",
]
