"""The errors fe_interface raises: one place, one hierarchy.

Every error names the item it is about (a key path, a file, a region, an interface) in
its first line.  The command line turns :class:`InputError` into exit status 2 and
:class:`SolverError` into exit status 1, without a traceback.
"""

from __future__ import annotations

__all__ = ["FeInterfaceError", "InputError", "MeshError", "SolverError", "TimeStepError"]


class FeInterfaceError(Exception):
    """Base class of the errors of this package."""


class InputError(FeInterfaceError, ValueError):
    """A problem definition is invalid; the message names the offending item."""


class MeshError(InputError):
    """A mesh, its tags or its physical names are not what the problem needs."""


class SolverError(FeInterfaceError, RuntimeError):
    """A linear or nonlinear solve failed, or its result failed a check; the message
    says how."""


class TimeStepError(SolverError):
    """The adaptive time step fell below ``dt_min`` (or a step could not be taken)."""
