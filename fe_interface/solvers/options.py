"""PETSc options: the tuned defaults, and setting options under a prefix.

Every problem sets its options under its own prefix (``petsc_options_prefix``, default
``fe_interface_<n>_``) and removes them from the global database afterwards; options
PETSc did not use are reported (a mistyped option is not silently ignored).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from petsc4py import PETSc

from fe_interface.errors import InputError

__all__ = [
    "ITERATIVE_OPTIONS",
    "DIRECT_OPTIONS",
    "NEWTON_OPTIONS",
    "default_petsc_options",
    "PetscOptions",
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
#: Newton defaults: full steps with a backtracking line search as safeguard.
NEWTON_OPTIONS: dict[str, Any] = {
    "snes_type": "newtonls",
    "snes_linesearch_type": "bt",
    "snes_rtol": 1.0e-10,
    "snes_atol": 1.0e-9,
    "snes_stol": 0.0,
    "snes_max_it": 50,
}


def default_petsc_options(solver: str) -> dict[str, Any]:
    """PETSc options for ``solver`` = "iterative" (CG + GAMG) or "direct" (MUMPS LU)."""
    if solver == "iterative":
        return dict(ITERATIVE_OPTIONS)
    if solver == "direct":
        return dict(DIRECT_OPTIONS)
    raise InputError(f"unknown solver {solver!r}: use 'iterative' or 'direct'")


class PetscOptions:
    """Options set under a prefix on a KSP/SNES, kept in PETSc's database until the first
    solve has read them (some, e.g. MUMPS or GAMG level options, are read only then),
    then checked and removed.

    Args:
        obj: the KSP or SNES.
        prefix: its options prefix.
        options: option name (without the prefix) -> value.

    Raises:
        InputError: PETSc rejected an option value (the options are named).
    """

    def __init__(self, obj: Any, prefix: str, options: Mapping[str, Any]) -> None:
        self.prefix = prefix
        self.options = dict(options)
        self._open = True
        db = PETSc.Options()
        obj.setOptionsPrefix(prefix)
        for k, v in self.options.items():
            db[prefix + k] = v
        try:
            obj.setFromOptions()
        except PETSc.Error as e:
            self.release(check=False)
            raise InputError(
                f"PETSc rejected the solver options under {prefix!r} (error code {e.ierr}): "
                f"check {sorted(self.options)}"
            ) from None

    def release(self, check: bool = True) -> None:
        """Warn about options PETSc never read (misspelt, or for another solver type),
        then remove them from the database (once; later calls do nothing)."""
        if not self._open:
            return
        self._open = False
        db = PETSc.Options()
        unused = [k for k in self.options if not db.used(self.prefix + k)]
        for k in self.options:
            db.delValue(self.prefix + k)
        if check and unused:
            warnings.warn(
                f"PETSc options not used by the solver: {unused} (misspelt, or not for this "
                "solver type)",
                stacklevel=3,
            )
