"""PETSc options: the tuned defaults, and setting options under a prefix.

Every problem sets its options under its own prefix (``petsc_options_prefix``, default
``fe_interface_<n>_``) and removes them from the global database afterwards; options
PETSc did not use are reported (a mistyped option is not silently ignored).
"""

from __future__ import annotations

import atexit
import math
import numbers
import warnings
from collections.abc import Mapping
from typing import Any

from petsc4py import PETSc

import numpy as np

from fe_interface.errors import InputError

__all__ = [
    "DIRECT_OPTIONS",
    "ITERATIVE_OPTIONS",
    "NEWTON_INEXACT_OPTIONS",
    "NEWTON_OPTIONS",
    "PetscOptions",
    "check_option_values",
    "default_petsc_options",
]

#: Options tuned for the interface problem (see benchmarks/README.md): CG + smoothed
#: aggregation AMG. The aggregation threshold is the sensitive one (measured, P1 tets):
#:   * 0 (keep every coupling): a stiff interface (h L/k = 1e6) takes 303 iterations
#:     instead of 41, a weak one (1e-2) 33 instead of 11;
#:   * 0.02: GAMG's set-up explodes on stretched cells (PtAP 18 s instead of 3 s on 5:1
#:     cells, 35 s instead of 14 s on 10:1, where thin layers put them);
#:   * 0.01: 11–12 iterations on the isotropic cube up to 0.94 M dofs (plain Poisson:
#:     the same), 41 for h L/k = 1e6, and the fastest solve of the three everywhere
#:     tested. Very stretched meshes (≥ 10:1) may want ``pc_gamg_threshold: 0``.
ITERATIVE_OPTIONS: dict[str, Any] = {
    "ksp_type": "cg",
    "pc_type": "gamg",
    "pc_gamg_threshold": 0.01,
    "pc_gamg_square_graph": 1,
    "mg_levels_ksp_type": "chebyshev",
    "mg_levels_pc_type": "jacobi",
    "ksp_rtol": 1.0e-10,
    "ksp_atol": 1.0e-50,
    "ksp_max_it": 1000,
}
DIRECT_OPTIONS: dict[str, Any] = {
    "ksp_type": "preonly",
    "pc_type": "lu",
    "pc_factor_mat_solver_type": "mumps",
}
#: Newton defaults: full steps with a backtracking line search as safeguard.  No absolute
#: tolerance in W: Newton stops at ``snes_rtol`` times the initial residual or at the
#: round-off floor of the residual (:mod:`fe_interface.solvers.roundoff`), whichever is
#: larger; ``snes_atol`` applies only when given.
NEWTON_OPTIONS: dict[str, Any] = {
    "snes_type": "newtonls",
    "snes_linesearch_type": "bt",
    "snes_rtol": 1.0e-10,
    "snes_stol": 0.0,
    "snes_max_it": 50,
}
#: Added for the heat problems' Krylov Newton solves (see
#: :mod:`fe_interface.solvers.nonlinear`): inexact Newton (Eisenstat–Walker), the linear
#: tolerance of each step following the nonlinear convergence (k(T) benchmark: 28 instead
#: of 73 CG iterations).  The first step's tolerance 0.01 (PETSc: 0.3): from the last time
#: step's field a step solved to 0.3 wasted Newton steps (k(T) benchmark, 70 k dofs: a
#: later time step 1.8 s -> 1.05 s CPU; the steady solve the same).  Not for the contact
#: solver (a semismooth Newton with inexact steps cycled between active sets).
NEWTON_INEXACT_OPTIONS: dict[str, Any] = {
    "snes_ksp_ew": True,
    "snes_ksp_ew_rtol0": 0.01,
}


def default_petsc_options(solver: str) -> dict[str, Any]:
    """PETSc options for ``solver`` = "iterative" (CG + GAMG) or "direct" (MUMPS LU)."""
    if solver == "iterative":
        return dict(ITERATIVE_OPTIONS)
    if solver == "direct":
        return dict(DIRECT_OPTIONS)
    raise InputError(f"unknown solver {solver!r}: use 'iterative' or 'direct'")


#: option-name endings whose values are tolerances (numbers >= 0) / counts (integers >= 0)
_TOLERANCE_ENDINGS = ("_rtol", "_atol", "_dtol", "_divtol", "_stol", "_threshold")
_COUNT_ENDINGS = ("_max_it", "_max_funcs", "_levels", "_restart")


def _number(v: Any) -> float | None:
    """``v`` as a float if it is a real number or a numeric string, else None."""
    if isinstance(v, (bool, np.bool_)):
        return None
    if isinstance(v, numbers.Real):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


def check_option_values(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems of PETSc option names and values that can be seen without PETSc.

    (option, message) pairs. Values must be strings, numbers or booleans; names are given
    without the leading ``-``; tolerances (``*_rtol``, ``*_atol``, ...) are finite numbers >= 0;
    counts (``*_max_it``, ...) integers >= 0.
    """
    out: list[tuple[str, str]] = []
    for k, v in options.items():
        if not isinstance(k, str) or not k or k.strip() != k or " " in k:
            out.append((str(k), "not a PETSc option name"))
            continue
        if k.startswith("-"):
            out.append((k, f"give the name without the leading '-' ({k.lstrip('-')!r})"))
            continue
        if v is not None and not isinstance(v, (str, numbers.Real, bool, np.bool_)):
            out.append((k, f"must be a string, number or boolean, got {type(v).__name__} {v!r}"))
            continue
        if k.endswith(_TOLERANCE_ENDINGS):
            x = _number(v)
            if x is None or not math.isfinite(x) or x < 0:
                out.append((k, f"must be a number >= 0, got {v!r}"))
        elif k.endswith(_COUNT_ENDINGS):
            x = _number(v)
            if x is None or not math.isfinite(x) or x < 0 or x != int(x):
                out.append((k, f"must be an integer >= 0, got {v!r}"))
    return out


def _petsc_value(v: Any) -> Any:
    """A value PETSc's option database takes.

    NumPy scalars as Python numbers, booleans as "true"/"false", None as an empty value (a
    flag).
    """
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, np.generic):
        return v.item()
    return "" if v is None else v


class PetscOptions:
    """Options set under a prefix on a KSP/SNES.

    They stay in PETSc's database until the first solve has read them (some, e.g.
    MUMPS or GAMG level options, are read only then), then are checked and removed.

    Args:
        obj: the KSP or SNES.
        prefix: its options prefix.
        options: option name (without the prefix) -> value.

    Raises:
        InputError: PETSc rejected an option value (the options are named).
    """

    def __init__(self, obj: Any, prefix: str, options: Mapping[str, Any]) -> None:
        bad = check_option_values(options)
        if bad:
            raise InputError("; ".join(f"PETSc option {k!r}: {m}" for k, m in bad))
        self.prefix = prefix
        self.options = {k: _petsc_value(v) for k, v in options.items()}
        self._open = True
        _OPEN.add(self)
        db = PETSc.Options()
        obj.setOptionsPrefix(prefix)
        for k, v in self.options.items():
            db.setValue(prefix + k, v)
        try:
            with _quiet_petsc():
                obj.setFromOptions()
        except PETSc.Error as e:
            ierr = getattr(e, "ierr", 0)
            self.release(check=False)
            culprits = _culprits(type(obj), prefix, self.options)
            which = (
                ", ".join(f"{k} = {self.options[k]!r}" for k in culprits)
                if culprits
                else f"one of {sorted(self.options)}"
            )
            raise InputError(
                f"PETSc rejected the solver options: {which} (error code {ierr}: "
                f"{_ERRORS.get(ierr, 'invalid value')})"
            ) from None

    def release(self, check: bool = True) -> None:
        """Warn about options PETSc never read, then remove them from the database.

        Unread options are misspelt or for another solver type.  Only the first call
        does anything.
        """
        if not self._open:
            return
        self._open = False
        _OPEN.discard(self)
        db = PETSc.Options()
        unused = [k for k in self.options if not db.used(self.prefix + k)]
        for k in self.options:
            db.delValue(self.prefix + k)
        # the tuned defaults are not the user's: only options given (or changed) count
        defaults = ITERATIVE_OPTIONS | DIRECT_OPTIONS | NEWTON_OPTIONS
        unused = [k for k in unused if not (k in defaults and _same(defaults[k], self.options[k]))]
        if check and unused:
            warnings.warn(
                f"PETSc options not used by the solver: {unused} (misspelt, or not for this "
                "solver type)",
                stacklevel=3,
            )


def _same(a: Any, b: Any) -> bool:
    return str(_petsc_value(a)) == str(b)


#: options still in PETSc's database (a problem set up but never solved); removed at
#: exit, before PETSc finalises (else it prints "WARNING! There are options you set
#: that were not used!")
_OPEN: set = set()


@atexit.register
def _release_all() -> None:
    for o in list(_OPEN):
        try:
            o.release(check=False)
        except Exception:  # PETSc already finalised
            pass


_ERRORS = {
    56: "not supported",
    62: "invalid argument",
    63: "value out of range",
    75: "wrong value",
    86: "unknown type",
}


def _culprits(kind: type, prefix: str, options: Mapping[str, Any]) -> list[str]:
    """The options that make ``setFromOptions`` fail on their own.

    Tried one at a time on a scratch object, with the others set too, so that option
    combinations count.
    """
    out: list[str] = []
    db = PETSc.Options()
    scratch = prefix + "check_"
    for k in options:
        rest = {q: v for q, v in options.items() if q != k}
        for q, v in rest.items():
            db.setValue(scratch + q, v)
        obj = kind().create(PETSc.COMM_SELF)
        obj.setOptionsPrefix(scratch)
        try:
            with _quiet_petsc():
                obj.setFromOptions()
            ok_without = True
        except PETSc.Error:
            ok_without = False
        finally:
            obj.destroy()
            for q in rest:
                db.delValue(scratch + q)
        if ok_without:
            out.append(k)
    return out


class _quiet_petsc:
    """PETSc errors without their printed stack trace (petsc4py raises them)."""

    def __enter__(self) -> None:
        try:
            PETSc.Sys.pushErrorHandler("ignore")
            self._pushed = True
        except Exception:  # an old petsc4py
            self._pushed = False

    def __exit__(self, *exc: Any) -> None:
        if self._pushed:
            PETSc.Sys.popErrorHandler()
