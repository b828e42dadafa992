"""Checks of user-supplied numbers, shared by every model object.

Each check returns the value as a Python ``float`` (NumPy scalars such as ``np.float32``
are accepted) or raises :class:`~fe_interface.errors.InputError` with one line that names
the item, the quantity and its unit.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from fe_interface.errors import InputError

__all__ = ["check_nonnegative", "check_positive", "check_real", "check_unit_interval", "is_real"]


def is_real(value: Any) -> bool:
    """True for a real number (Python or NumPy), False for bools and everything else."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _label(owner: str, name: str, unit: str) -> str:
    what = f"{name} ({unit})" if unit else name
    return f"{owner}: {what}" if owner else what


def check_real(value: Any, name: str, unit: str = "", owner: str = "") -> float:
    """``value`` as a finite float."""
    if not is_real(value) or not math.isfinite(float(value)):
        raise InputError(f"{_label(owner, name, unit)} must be a finite number, got {value!r}")
    return float(value)


def check_positive(value: Any, name: str, unit: str = "", owner: str = "") -> float:
    """``value`` as a finite float > 0."""
    v = check_real(value, name, unit, owner)
    if v <= 0.0:
        raise InputError(f"{_label(owner, name, unit)} must be > 0, got {value!r}")
    return v


def check_nonnegative(value: Any, name: str, unit: str = "", owner: str = "") -> float:
    """``value`` as a finite float >= 0."""
    v = check_real(value, name, unit, owner)
    if v < 0.0:
        raise InputError(f"{_label(owner, name, unit)} must be >= 0, got {value!r}")
    return v


def check_unit_interval(value: Any, name: str, owner: str = "") -> float:
    """``value`` in (0, 1] (emissivities, accommodation coefficients)."""
    v = check_real(value, name, "", owner)
    if not 0.0 < v <= 1.0:
        raise InputError(f"{_label(owner, name, '')} must lie in (0, 1], got {value!r}")
    return v
