"""Thermo-mechanical contact: the contact pressure of an elastic solve drives h(P(x)).

Small-strain elasticity with frictionless contact whose pressure P(x) and gap g(x) drive
the local thermal contact conductance h(P, g, T).

Data flow: :class:`ElasticMaterial`, loads and :class:`Contact` (model) →
:class:`MechanicalModel` (checked against the mesh) → the broken vector space and the
forms (:mod:`~fe_interface.discretisation.elasticity`), the node-to-node contact operator
(:mod:`~fe_interface.discretisation.nodal_contact`) → :class:`ElasticProblem` (semismooth Newton +
augmented Lagrangian; :class:`SurfaceContact` between separately meshed bodies: the
mortar operator of :mod:`~fe_interface.discretisation.mortar_contact`) →
:class:`ThermoMechanicalProblem` (one-way or staggered two-way
coupling with :class:`~fe_interface.problems.steady.SteadyProblem`).
"""

from fe_interface.discretisation.nodal_contact import ContactSummary
from fe_interface.model.contacts import Contact, SurfaceContact
from fe_interface.model.elastic_materials import ElasticMaterial, effective_modulus
from fe_interface.model.laws.local_contact import GasFill, LocalContactLaw
from fe_interface.model.mechanical_boundary import (
    BodyForce,
    Displacement,
    Pressure,
    RigidRegion,
    Symmetry,
    Traction,
)
from fe_interface.model.mechanical_model import MechanicalModel
from fe_interface.problems.elastic import ElasticProblem, MechanicsResult

__all__ = [
    "BodyForce",
    "Contact",
    "ContactSummary",
    "Displacement",
    "ElasticMaterial",
    "ElasticProblem",
    "GasFill",
    "LocalContactLaw",
    "MechanicalModel",
    "MechanicsResult",
    "Pressure",
    "RigidRegion",
    "SurfaceContact",
    "Symmetry",
    "Traction",
    "effective_modulus",
]
