"""Temperature-dependent interface laws with their numbers as ``fem.Constant`` objects.

A temperature-dependent law h(T⁺, T⁻) enters the residual as UFL, so its numbers (an
emissivity, the conductance of a temperature-independent part such as the CMY solid
spots of a :class:`~fe_interface.model.laws.combine.ContactConductance`) would be compiled
into the kernel as literals, and a new value would need a new form.  :class:`SymbolicLaw`
writes the law with constants instead:

* every temperature-independent sub-law (an attribute with ``temperature_dependent``
  false and a ``conductance``) becomes one constant, its h (W/(m² K));
* every float attribute of the law's dataclasses (recursively) becomes a constant.

The symbolic law is checked against the law itself at three temperature pairs (to 1e-10
relative): a law that takes another branch with constants than with numbers (``if
p == 0``, ``math.sqrt``) falls back to fewer constants (sub-laws only) and then to none.
A value that is not a constant of the expression cannot change: :meth:`SymbolicLaw.values`
raises :class:`~fe_interface.errors.InputError` naming it.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from petsc4py import PETSc

import numpy as np
from dolfinx import fem

from fe_interface.errors import InputError
from fe_interface.model.interfaces import constant_conductance

__all__ = ["SymbolicLaw", "law_value"]

#: PETSc's scalar type
_SCALAR: Any = PETSc.ScalarType
#: temperature pairs (K) at which the symbolic law must equal the law
_CHECK_T = ((300.0, 300.0), (350.0, 290.0), (80.0, 120.0))


def _is_constant_law(v: Any) -> bool:
    return (
        callable(getattr(v, "conductance", None))
        and getattr(v, "temperature_dependent", True) is False
    )


def law_value(obj: Any, path: tuple[str, ...]) -> float:
    """The number at ``path`` of a law: an attribute, or (last step ``"h"``) a sub-law's h."""
    for name in path[:-1]:
        obj = getattr(obj, name)
    if path[-1] == "#h":
        return constant_conductance(obj)
    return float(getattr(obj, path[-1]))


def _same(a: Any, b: Any) -> bool:
    try:
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return bool(np.array_equal(a, b))
        return bool(a == b)
    except Exception:  # an object that cannot compare: only itself is the same
        return a is b


class SymbolicLaw:
    """A temperature-dependent law with constants for its numbers (module docstring).

    Args:
        law: the law (any :class:`~fe_interface.model.interfaces.InterfaceLaw`).
        mesh: the mesh of the constants.
        label: the interface's name (messages).

    Attributes:
        slots: (path, constant) of every number of the law that is a constant of
            :meth:`conductance`; a path ends with ``"#h"`` for a sub-law's conductance.
    """

    def __init__(self, law: Any, mesh: Any, label: str) -> None:
        self.law = law
        self.label = label
        self.mesh = mesh
        self.slots: list[tuple[tuple[str, ...], fem.Constant]] = []
        self._symbolic: Any = law
        for floats in (True, False):
            slots: list[tuple[tuple[str, ...], fem.Constant]] = []
            try:
                sym = self._substitute(law, (), slots, floats)
            except Exception:  # a law that cannot be copied field by field
                continue
            if slots and self._agrees(sym, law):
                self._symbolic, self.slots = sym, slots
                break

    # ------------------------------------------------------------------ building
    def _substitute(
        self, obj: Any, path: tuple[str, ...], slots: list, floats: bool
    ) -> Any:  # fmt: skip
        if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
            return obj
        new = copy.copy(obj)
        for fld in dataclasses.fields(obj):
            v = getattr(obj, fld.name)
            p = (*path, fld.name)
            if _is_constant_law(v):
                c = fem.Constant(self.mesh, _SCALAR(law_value(v, ("#h",))))
                slots.append(((*p, "#h"), c))
                object.__setattr__(new, fld.name, _ConstantLaw(c))
            elif floats and isinstance(v, float):
                c = fem.Constant(self.mesh, _SCALAR(v))
                slots.append((p, c))
                object.__setattr__(new, fld.name, c)
            elif dataclasses.is_dataclass(v) and not isinstance(v, type):
                object.__setattr__(new, fld.name, self._substitute(v, p, slots, floats))
        return new

    @staticmethod
    def _agrees(sym: Any, law: Any) -> bool:
        """The symbolic law equals the law at :data:`_CHECK_T` (UFL evaluated with values)."""
        import ufl
        from ufl.algorithms import extract_type

        try:
            for tp, tm in _CHECK_T:
                expr = sym.conductance(ufl.as_ufl(tp) * 1.0, ufl.as_ufl(tm) * 1.0)
                expr = ufl.as_ufl(expr)
                mapping = {c: float(c.value) for c in extract_type(expr, ufl.Constant)}
                got = float(expr((), mapping))
                want = float(law.conductance(tp, tm))
                if not np.isclose(got, want, rtol=1e-10, atol=0.0):
                    return False
        except Exception:  # a branch the law cannot take symbolically
            return False
        return True

    # ------------------------------------------------------------------ use
    def conductance(self, T_plus: Any, T_minus: Any) -> Any:
        """h(T⁺, T⁻) in UFL with the constants (W/(m² K))."""
        return self._symbolic.conductance(T_plus, T_minus)

    def values(self, law: Any) -> list[float]:
        """The values of :attr:`slots` for another law of the same structure.

        Raises:
            InputError: the law differs in something that is not a constant here (its type,
                a text, a function, a number used when the law was built).
        """
        self._check_same(self.law, law, ())
        return [law_value(law, path) for path, _ in self.slots]

    def set(self, values: list[float]) -> None:
        """Write the values of :attr:`slots`."""
        for (_, c), v in zip(self.slots, values, strict=True):
            c.value = v

    def _check_same(self, old: Any, new: Any, path: tuple[str, ...]) -> None:
        where = f"interface {self.label!r}: law " + (".".join(path) or type(old).__name__)
        if type(old) is not type(new):
            raise InputError(
                f"{where}: {type(old).__name__} -> {type(new).__name__}: another kind of law "
                "needs a new problem (values-only updates keep the law's kind)"
            )
        if not dataclasses.is_dataclass(old):
            if not _same(old, new):
                raise InputError(f"{where} changed: this law's values cannot be updated")
            return
        free = {p for p, _ in self.slots}
        for fld in dataclasses.fields(old):
            a, b = getattr(old, fld.name), getattr(new, fld.name)
            p = (*path, fld.name)
            if (*p, "#h") in free and not _is_constant_law(b):
                raise InputError(
                    f"interface {self.label!r}: law part {'.'.join(p)} became temperature "
                    "dependent: that needs a new problem"
                )
            if (*p, "#h") in free or p in free:
                continue
            if dataclasses.is_dataclass(a) and not isinstance(a, type):
                self._check_same(a, b, p)
            elif not _same(a, b):
                raise InputError(
                    f"interface {self.label!r}: law value {'.'.join(p)} changed from {a!r} to "
                    f"{b!r}, but it is built into the compiled form (only {self.free_names()} "
                    "can change without a new problem)"
                )

    def free_names(self) -> list[str]:
        """The names of the values that can change (dotted paths)."""
        return [".".join(p).replace(".#h", " (h)") for p, _ in self.slots]


@dataclasses.dataclass(frozen=True)
class _ConstantLaw:
    """A temperature-independent sub-law as one constant h (W/(m² K))."""

    h: Any
    temperature_dependent: bool = False

    def conductance(self, T_plus: Any = None, T_minus: Any = None) -> Any:
        return self.h
