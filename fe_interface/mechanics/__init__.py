"""Thermo-mechanical contact: the contact pressure of an elastic solve drives h(P(x)).

Small-strain elasticity with frictionless contact whose pressure P(x) and gap g(x) drive
the local thermal contact conductance h(P, g, T).

Data flow: :class:`ElasticMaterial`, loads and :class:`Contact` (model) →
:class:`MechanicalModel` (checked against the mesh) → the broken vector space and the
forms (:mod:`~fe_interface.mechanics.elasticity`), the node-to-node contact operator
(:mod:`~fe_interface.mechanics.nodal`) → :class:`ElasticProblem` (semismooth Newton +
augmented Lagrangian; :class:`SurfaceContact` between separately meshed bodies: the
mortar operator of :mod:`~fe_interface.mechanics.mortar`) → :class:`ThermoMechanicalProblem` (one-way or staggered two-way
coupling with :class:`~fe_interface.problems.steady.SteadyProblem`).
"""

from fe_interface.mechanics.boundary import BodyForce, Displacement, Pressure, Symmetry, Traction
from fe_interface.mechanics.contact import Contact
from fe_interface.mechanics.contact_law import GasFill, LocalContactLaw
from fe_interface.mechanics.materials import ElasticMaterial, effective_modulus
from fe_interface.mechanics.model import MechanicalModel
from fe_interface.mechanics.nodal import ContactSummary
from fe_interface.mechanics.problem import ElasticProblem, MechanicsResult
from fe_interface.mechanics.surface_contact import SurfaceContact

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
    "SurfaceContact",
    "Symmetry",
    "Traction",
    "effective_modulus",
]
