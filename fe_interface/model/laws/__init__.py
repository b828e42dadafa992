"""Interface conductance laws for fe_interface.

Every law implements the :class:`InterfaceLaw` protocol: ``conductance(T_plus, T_minus)``
in W/(m^2 K) (temperatures in K; floats, numpy arrays, and -- where ``supports_ufl`` is
true -- UFL expressions) and ``temperature_dependent``.
"""

from fe_interface.model.interfaces import Conductance, Resistance

from .basic import UserConductance
from .combine import ContactConductance, SeriesResistance
from .common import HBAR, K_B, STEFAN_BOLTZMANN, InterfaceLaw
from .contact import (
    CMY_RANGE,
    VICKERS_COEFFICIENTS,
    CincottiConductance,
    CMYPlasticConductance,
    ContactPair,
    MikicElasticConductance,
    Surface,
    VickersMicrohardness,
    antonetti_slope,
)
from .gas import GASES, GasGapConductance, GasProperties, get_gas, separation_from_pressure
from .kapitza import (
    KapitzaConductance,
    PhononMaterial,
    amm_elastic_transmission,
    amm_scalar_transmission,
    elastic_psv_coefficients,
    elastic_sh_coefficients,
    hemispherical_transmission,
    phonon_material,
    phonon_materials,
)
from .radiation import GapRadiation
from .tabulated import ConductanceTable, TabulatedConductance, gap_conductance_map
from .thin_layer import ThinLayer

__all__ = [
    "CMY_RANGE",
    "GASES",
    "HBAR",
    "K_B",
    "STEFAN_BOLTZMANN",
    "VICKERS_COEFFICIENTS",
    "CMYPlasticConductance",
    "CincottiConductance",
    "Conductance",
    "ConductanceTable",
    "ContactConductance",
    "ContactPair",
    "GapRadiation",
    "GasGapConductance",
    "GasProperties",
    "InterfaceLaw",
    "KapitzaConductance",
    "MikicElasticConductance",
    "PhononMaterial",
    "Resistance",
    "SeriesResistance",
    "Surface",
    "TabulatedConductance",
    "ThinLayer",
    "UserConductance",
    "VickersMicrohardness",
    "amm_elastic_transmission",
    "amm_scalar_transmission",
    "antonetti_slope",
    "elastic_psv_coefficients",
    "elastic_sh_coefficients",
    "gap_conductance_map",
    "get_gas",
    "hemispherical_transmission",
    "phonon_material",
    "phonon_materials",
    "separation_from_pressure",
]
