"""Studies on top of the problems: parameter fits with intervals, sensitivities, uncertainty.

* :mod:`~fe_interface.studies.parameters` — :class:`Parameter` (bounds, log scaling);
* :mod:`~fe_interface.studies.data` — measured temperatures (:class:`Observations`, CSV);
* :mod:`~fe_interface.studies.model` — :class:`ParametricModel`: a problem whose numbers are
  functions of parameters, predictions and their tangent-linear Jacobian;
* :mod:`~fe_interface.studies.fit` — :func:`fit` (Levenberg–Marquardt), covariance,
  intervals, correlation; :mod:`~fe_interface.studies.identifiability` — the SVD report.
"""

from fe_interface.studies.data import Observations, read_measurements
from fe_interface.studies.fit import FitResult, fit
from fe_interface.studies.model import ParametricModel
from fe_interface.studies.parameters import Parameter

__all__ = ["FitResult", "Observations", "Parameter", "ParametricModel", "fit", "read_measurements"]
