"""Checks of user-supplied numbers: the one validator family of every model object and law.

Each check returns the value as a Python ``float`` (NumPy scalars such as ``np.float32``
are accepted) or raises :class:`~fe_interface.errors.InputError` with one line that names
the item, the quantity and its unit.

Values of the quantities in :data:`MAGNITUDES` are also checked against the range any
physical value of that quantity takes, with orders of magnitude to spare: a conductivity
of 1e300 or 1e-300 W/(m K), a resistance of 1e-300 m² K/W (h = 1e300) or a flux of
1e300 W/m² overflow the assembly or the solve to NaN, which then surfaced as "true
relative residual ... ill-conditioned" without naming the input.  Zero passes (where
the check allows it: an insulating h = 0).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fe_interface.errors import InputError

__all__ = [
    "MAGNITUDES",
    "PARAMETER_KINDS",
    "LawDeclaration",
    "LawParameter",
    "check_array",
    "check_choice",
    "check_declared",
    "check_nonnegative",
    "check_positive",
    "check_real",
    "check_unit_interval",
    "is_real",
    "magnitude_problem",
]

#: unit -> (smallest, largest) magnitude of a nonzero value of that quantity, SI.  Wide
#: on purpose: the extremes of real materials and conditions are orders inside (k from
#: aerogel ~1e-2 to cryogenic copper ~2e4 W/(m K); Kapitza h up to ~1e10 W/(m² K); fluxes
#: of ~1e10 W/m² from lasers; temperatures from the mK of dilution refrigerators).
MAGNITUDES: dict[str, tuple[float, float]] = {
    "W/(m K)": (1e-12, 1e12),  # conductivity
    "W/(m^2 K)": (1e-12, 1e15),  # conductance
    "m^2 K/W": (1e-15, 1e12),  # resistance
    "W/m^2": (0.0, 1e15),  # heat flux
    "W/m^3": (0.0, 1e22),  # power density
    "W": (0.0, 1e15),  # power
    "K": (1e-6, 1e6),  # temperature
    "kg/m^3": (1e-6, 1e6),  # density
    "J/(kg K)": (1e-12, 1e8),  # specific heat
    "Pa": (1e-12, 1e18),  # pressure, hardness, modulus (a near-rigid body: 1e15)
}


def is_real(value: Any) -> bool:
    """True for a real number (Python or NumPy).

    False for booleans (Python or NumPy), numeric strings and everything else: ``True`` is
    no emissivity and ``"0.5"`` no conductivity.
    """
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _label(owner: str, name: str, unit: str) -> str:
    what = f"{name} ({unit})" if unit else name
    return f"{owner}: {what}" if owner else what


def magnitude_problem(value: float, unit: str) -> str | None:
    """Why ``value`` (in ``unit``) is no physical value of its quantity, or None.

    See :data:`MAGNITUDES`; units not listed and zero pass.
    """
    if unit not in MAGNITUDES or value == 0.0 or not math.isfinite(value):
        return None
    lo, hi = MAGNITUDES[unit]
    if lo <= abs(value) <= hi:
        return None
    return (
        f"is outside the range of any physical value ({lo:g} to {hi:g} {unit} in magnitude); "
        "a unit error? (the solve would over- or underflow)"
    )


def check_real(value: Any, name: str, unit: str = "", owner: str = "") -> float:
    """``value`` as a finite float (of a physical magnitude for the units of ``MAGNITUDES``)."""
    if not is_real(value) or not math.isfinite(float(value)):
        raise InputError(f"{_label(owner, name, unit)} must be a finite number, got {value!r}")
    msg = magnitude_problem(float(value), unit)
    if msg:
        raise InputError(f"{_label(owner, name, unit)} = {float(value):g} {msg}")
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


def check_choice(value: Any, name: str, choices: Sequence[Any], owner: str = "") -> Any:
    """``value`` if it is one of ``choices`` (names, or integers: no booleans)."""
    if isinstance(value, (bool, np.bool_)) or value not in tuple(choices):
        raise InputError(
            f"{_label(owner, name, '')} must be one of {tuple(choices)}, got {value!r}"
        )
    return value


_BOUNDS: dict[str, Callable[[float], bool]] = {
    "> 0": lambda v: v > 0.0,
    ">= 0": lambda v: v >= 0.0,
    "": lambda v: True,
}


def check_array(
    values: Any, name: str, unit: str = "", owner: str = "", bound: str = ""
) -> np.ndarray:
    """``values`` (a sequence, or nested sequences, of real numbers) as a float array.

    Every entry is a finite real number (no booleans or numeric strings) satisfying
    ``bound`` ("> 0", ">= 0" or "" for none); a message names the entry:
    ``NAME[i, j] (unit) must be ...``.
    """
    arr = np.array(values, dtype=object)
    if arr.ndim == 0 or arr.size == 0:
        raise InputError(
            f"{_label(owner, name, unit)} must be a non-empty sequence of numbers, got {values!r}"
        )
    ok = _BOUNDS[bound]
    for idx, v in np.ndenumerate(arr):
        entry = f"{name}[{', '.join(map(str, idx))}]"
        x = check_real(v, entry, unit, owner)
        if not ok(x):
            raise InputError(f"{_label(owner, entry, unit)} must be {bound}, got {v!r}")
    return arr.astype(float)


# --------------------------------------------------------------------------------------
# declared parameters of the interface laws
# --------------------------------------------------------------------------------------
#: the kinds of a law parameter: how case files give it and how it is checked
PARAMETER_KINDS: dict[str, str] = {
    "pos": "> 0",
    "nonneg": "≥ 0",
    "unit": "in (0, 1]",
    "num": "a number",
    "str": "a name",
    "int": "an integer",
    "bool": "true or false",
    "point": "[x, y, z] (m)",
    "value": "≥ 0: a number, an expression or a table (see Values)",
    "temperature": "a temperature (K, or { value, unit })",
    "kg": "a number > 0 or { table = [[T, k], ...] }",
    "gas": "a gas name",
    "phonon": "a phonon database name or a table",
    "surface": "a table (surface roughness)",
    "hardness": "a number (Pa) or a table (microhardness)",
    "law": "a sub-table with its own law",
    "htable": "a conductance table",
}
_CHECKS = {"pos": check_positive, "nonneg": check_nonnegative, "num": check_real}


@dataclass(frozen=True)
class LawParameter:
    """A parameter of an interface law, declared once beside the law.

    The case reader (:func:`fe_interface.case.laws.read_law`), the law's own checks
    (:func:`check_declared`) and the law table of ``docs/case-format.md``
    (:func:`fe_interface.case.laws.law_table`) are generated from it.

    Attributes:
        name: the keyword of the law (and its key in case files).
        kind: one of :data:`PARAMETER_KINDS`.
        required: the law needs it.
        unit: SI unit (magnitudes checked for the units of :data:`MAGNITUDES`).
        doc: what it is (docs table).
        choices: the values a "str" (or "int") parameter accepts.
        label: the name in error messages (default ``name``).
    """

    name: str
    kind: str
    required: bool = False
    unit: str = ""
    doc: str = ""
    choices: tuple[Any, ...] = ()
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in PARAMETER_KINDS:
            raise ValueError(f"law parameter {self.name!r}: unknown kind {self.kind!r}")

    def check(self, value: Any, owner: str = "") -> Any:
        """``value`` checked by the validator family for the numeric kinds (as a float)."""
        name = self.label or self.name
        if self.kind == "unit":
            return check_unit_interval(value, name, owner)
        if self.choices:
            return check_choice(value, name, self.choices, owner)
        check = _CHECKS.get(self.kind)
        return value if check is None else check(value, name, self.unit, owner)


@dataclass(frozen=True)
class LawDeclaration:
    """How case files name and give an interface law (a class attribute ``case`` of it).

    Attributes:
        name: the law's name in case files (``law = "resistance"``).
        parameters: its parameters.
        doc: what it is (docs table; the parameters are listed after it).
        pair: the parameters ``surface_plus`` and ``surface_minus`` are its ``pair``.
    """

    name: str
    parameters: tuple[LawParameter, ...] = ()
    doc: str = ""
    pair: bool = False

    def parameter(self, name: str) -> LawParameter:
        """The parameter ``name``."""
        return next(p for p in self.parameters if p.name == name)


def check_declared(law: Any, names: tuple[str, ...] = (), owner: str = "") -> None:
    """Check the parameters ``names`` of a frozen law by its declaration ``case``.

    Numbers and choices (:meth:`LawParameter.check`); every given value (None: absent) is
    replaced by its checked value (numbers as floats).
    """
    decl: LawDeclaration = type(law).case
    for name in names:
        value = getattr(law, name)
        if value is not None:
            object.__setattr__(law, name, decl.parameter(name).check(value, owner))
