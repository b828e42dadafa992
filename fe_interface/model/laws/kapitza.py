r"""Kapitza (thermal boundary) conductance of a perfect solid-solid interface, Debye model.

Units: density [kg/m^3], sound speeds [m/s], number density [1/m^3], temperatures [K],
angular frequency [rad/s], conductance [W/(m^2 K)], T^3 coefficient [W/(m^2 K^4)].

Phonon heat flux (Landauer form, as in Swartz & Pohl, Rev. Mod. Phys. 61, 605 (1989))
------------------------------------------------------------------------------------
Emitted from side 1 into side 2, per branch ``j`` (L, T1, T2) with Debye density of states
``D_j(w) = w^2/(2 pi^2 v_j^3)`` (per unit volume and angular frequency)::

    q(T) = 1/2 sum_j int dw  hbar w D_j(w) f_BE(w, T) v_j  int_0^{pi/2} alpha_j(theta, w)
                                                            cos(theta) sin(theta) dtheta
    h(T) = dq/dT = 1/4 sum_j int_0^{w_c} hbar w D_j(w) v_j Gamma_j(w) df_BE/dT dw

with the *hemispherical* transmission ``Gamma_j = 2 int_0^{pi/2} alpha_j cos sin dtheta``
(``Gamma = alpha`` for an angle-independent ``alpha``).  The prefactors follow from
kinematics alone: a phonon gas of energy density ``u`` sends ``u v/4`` per unit area through
a plane, so for ``alpha = 1`` each branch carries ``q = pi^2 k_B^4 T^4/(120 hbar^3 v_j^2)``
(the phonon analogue of the Stefan-Boltzmann law; with c and two polarisations it gives
sigma_SB exactly).

Low-temperature limit (``T << Theta_D``), ``h = A T^3`` with::

    A = pi^2 k_B^4 / (30 hbar^3) * sum_j Gamma_j / v_j^2                  [W/(m^2 K^4)]
      = pi^2 k_B^4 / (15 hbar^3) * sum_j v_j^-2 int_0^{pi/2} alpha_j cos sin dtheta

i.e. ``R_K T^3 = 15 hbar^3 / (pi^2 k_B^4 sum_j v_j^-2 int alpha_j cos sin dtheta)``.
(A ``2 pi^2/15`` prefactor in front of the un-doubled angular integral, as in some quoted
forms of the Little / Swartz-Pohl result, would violate the black-body limit above by a
factor 2; the tests check the limit.)

Transmission models
-------------------
* AMM, ``amm_variant="elastic"`` (**default**): full isotropic elastic welded interface.
  Incident P (L branch) or SV (one T branch) waves couple to reflected and transmitted P and
  SV waves through continuity of u_x, u_z, sigma_zz, sigma_xz (a 4x4 linear system solved
  per angle); SH (second T branch) decouples.  Energy transmission = normal energy flux of
  the transmitted propagating waves / incident flux; evanescent waves carry none, so total
  internal reflection and mode-conversion critical angles are automatic.  R + T = 1 holds
  per angle (checked in the tests).
* AMM, ``amm_variant="scalar"``: no mode conversion, each branch treated as a scalar
  (fluid-like) wave with impedance ``Z = rho v`` (Little 1959; Swartz & Pohl 1989)::

      alpha(theta1) = 4 Z1 Z2 cos(theta1) cos(theta2) / (Z2 cos(theta1) + Z1 cos(theta2))^2,
      sin(theta2) = (v2/v1) sin(theta1);   alpha = 0 beyond the critical angle.

  (The form ``(Z1 cos1 + Z2 cos2)^2`` in the denominator is the exact SH-wave result; it is
  what the elastic variant gives for SH.  Both reduce to 4 Z1 Z2/(Z1 + Z2)^2 at normal
  incidence.)
* DMM (Swartz & Pohl 1989), Debye model, angle independent::

      alpha_{1->2}(w) = M_2(w) / (M_1(w) + M_2(w)),   M_i(w) = sum_j v_ij D_ij(w)
                      -> sum_j v_2j^-2 / (sum_j v_1j^-2 + sum_j v_2j^-2)   (all branches on)

  Detailed balance holds at every T by construction.
* Phonon radiation limit (PRL): ``alpha = 1`` for every phonon of the side with fewer
  available channels, i.e. spectral flux ``1/4 hbar w min(M_1, M_2)``; with the Debye model
  this is transmission 1 from the stiffer side up to the lower cutoff.

Debye cutoffs (convention of this module)
-----------------------------------------
Per branch ``w_D,j = v_j (6 pi^2 n)^{1/3}`` with ``n`` the atomic number density (each
branch holds exactly n modes per volume).  If ``n`` is not given it is derived from the
Debye temperature through the Debye-averaged speed ``3/v_D^3 = 1/v_L^3 + 2/v_T^3``:
``n = (k_B Theta_D / (hbar v_D))^3 / (6 pi^2)``.  AMM phonons of side 1 are transmitted only
below the highest cutoff of side 2 (elastic scattering); above it ``alpha = 0``.  Because of
these cutoffs AMM detailed balance is exact only in the T^3 regime.

Finite-temperature integrals are exact: every spectral function here is piecewise
``c w^2``, so ``h(T)`` reduces to ``G(x) = int_0^x t^4 e^t/(e^t - 1)^2 dt`` at the cutoffs
(evaluated by Gauss-Legendre quadrature).

``conductance(T_plus, T_minus)`` returns the *secant* conductance
``(Q(T_plus) - Q(T_minus)) / (T_plus - T_minus)``, ``Q(T) = int_0^T h dT'`` (exact for any
jump size in this elastic model), and ``h(T)`` for coincident temperatures.  For numbers and
arrays the integrals are done by quadrature; for UFL expressions an equivalent closed form
(Bernoulli-number Taylor series for x < 2, exponential series for x >= 2, both truncated
below 1e-12) is used, so the solver can differentiate it.  :meth:`tabulate` gives (T, h)
tables.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.validation import (
    LawDeclaration,
    LawParameter,
    check_declared,
    check_positive,
)

from .bose import bose_integral_closed_form, e_integral, g_integral
from .common import HBAR, K_B, is_numeric
from .phonon_materials import (
    DATA_FILE,
    PhononMaterial,
    number_density_from_formula,
    phonon_material,
    phonon_materials,
)
from .phonon_transmission import (
    amm_elastic_transmission,
    amm_scalar_transmission,
    elastic_psv_coefficients,
    elastic_sh_coefficients,
    hemispherical_transmission,
)

__all__ = [
    "DATA_FILE",
    "KapitzaConductance",
    "PhononMaterial",
    "amm_elastic_transmission",
    "amm_scalar_transmission",
    "bose_integral_closed_form",
    "elastic_psv_coefficients",
    "elastic_sh_coefficients",
    "hemispherical_transmission",
    "number_density_from_formula",
    "phonon_material",
    "phonon_materials",
]


# ---------------------------------------------------------------------------------------
# the law
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KapitzaConductance:
    """Phonon thermal boundary conductance ``h_K(T)`` [W/(m^2 K)] (module docstring).

    Parameters
    ----------
    material_1, material_2:  :class:`PhononMaterial` or database names (e.g. "Si", "Cu").
    model:        "amm" (acoustic mismatch, default), "dmm" (diffuse mismatch) or "prl"
                  (phonon radiation limit).
    amm_variant:  "elastic" (default; full P-SV-SH elastic interface) or "scalar".
    emitter:      1 or 2, side whose phonon flux is evaluated for the AMM (default 1).
                  Irrelevant for DMM/PRL (symmetric) and, by detailed balance, for the AMM
                  in the T^3 regime.
    """

    case: ClassVar[LawDeclaration] = LawDeclaration(
        "kapitza",
        (
            LawParameter("material_1", "phonon", True, doc="`density, v_L, v_T, debye_temperature, number_density`"),
            LawParameter("material_2", "phonon", True),
            LawParameter("model", "str", choices=("amm", "dmm", "prl")),
            LawParameter("amm_variant", "str", choices=("elastic", "scalar")),
            LawParameter("emitter", "int", choices=(1, 2)),
        ),
        "phonon boundary (Kapitza) conductance h_K(T), AMM/DMM/PRL",
    )  # fmt: skip

    material_1: Any
    material_2: Any
    model: str = "amm"
    amm_variant: str = "elastic"
    emitter: int = 1
    _spectrum: tuple = field(init=False, repr=False, compare=False)

    temperature_dependent = True
    kind: ClassVar[str] = "temperature"
    supports_ufl = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "material_1", phonon_material(self.material_1))
        object.__setattr__(self, "material_2", phonon_material(self.material_2))
        check_declared(self, ("model", "amm_variant", "emitter"))
        object.__setattr__(self, "_spectrum", self._build_spectrum())

    def _ordered(self, emitter: int) -> tuple[PhononMaterial, PhononMaterial]:
        if emitter == 1:
            return self.material_1, self.material_2
        return self.material_2, self.material_1

    # -- transmissions -------------------------------------------------------------------
    def gammas(self, emitter: int | None = None) -> tuple[float, float, float]:
        """Hemispherical AMM transmissions (Gamma_L, Gamma_T1, Gamma_T2) from ``emitter``.

        For the elastic variant T1 = SV and T2 = SH.  For DMM/PRL the low-frequency
        (all-branches) value of alpha is returned for every branch.
        """
        e = self.emitter if emitter is None else emitter
        m1, m2 = self._ordered(e)
        if self.model == "dmm":
            s1 = sum(v**-2 for v in m1.velocities)
            s2 = sum(v**-2 for v in m2.velocities)
            return (s2 / (s1 + s2),) * 3
        if self.model == "prl":
            s1 = sum(v**-2 for v in m1.velocities)
            s2 = sum(v**-2 for v in m2.velocities)
            return (min(1.0, s2 / s1),) * 3
        speeds = (m1.v_L, m1.v_T, m2.v_L, m2.v_T)
        if self.amm_variant == "scalar":
            gL = hemispherical_transmission(
                lambda th: amm_scalar_transmission(m1, m2, "L", th), m1.v_L, speeds
            )
            gT = hemispherical_transmission(
                lambda th: amm_scalar_transmission(m1, m2, "T", th), m1.v_T, speeds
            )
            return (gL, gT, gT)
        gL = hemispherical_transmission(
            lambda th: amm_elastic_transmission(m1, m2, "P", th), m1.v_L, speeds
        )
        gSV = hemispherical_transmission(
            lambda th: amm_elastic_transmission(m1, m2, "SV", th), m1.v_T, speeds
        )
        gSH = hemispherical_transmission(
            lambda th: amm_elastic_transmission(m1, m2, "SH", th), m1.v_T, speeds
        )
        return (gL, gSV, gSH)

    def t3_coefficient(self, emitter: int | None = None) -> float:
        """Low-temperature coefficient ``A`` in ``h = A T^3`` [W/(m^2 K^4)].

        ::

        A = pi^2 k_B^4/(30 hbar^3) sum_j Gamma_j / v_j^2   (emitting side's branches)
        """
        e = self.emitter if emitter is None else emitter
        m1 = self.material_1 if e == 1 else self.material_2
        if self.model in ("dmm", "prl"):
            m2 = self.material_2 if e == 1 else self.material_1
            s1 = sum(v**-2 for v in m1.velocities)
            s2 = sum(v**-2 for v in m2.velocities)
            s = s1 * s2 / (s1 + s2) if self.model == "dmm" else min(s1, s2)
        else:
            s = sum(g / v**2 for g, v in zip(self.gammas(e), m1.velocities, strict=True))
        return math.pi**2 * K_B**4 / (30.0 * HBAR**3) * s

    # -- spectral function W(w) = c_k w^2 on [w_k, w_{k+1}] ------------------------------
    def _build_spectrum(self, emitter: int | None = None) -> tuple:
        e = self.emitter if emitter is None else emitter
        m1, m2 = self._ordered(e)
        w1, w2 = m1.cutoffs, m2.cutoffs
        breaks = np.array(sorted({0.0, *w1, *w2}))
        coef = []

        def channels(mat, cut, w):  # sum_j v_j D_j / w^2 = sum_j 1/(2 pi^2 v_j^2), active j
            return sum(
                1.0 / (2.0 * math.pi**2 * v**2)
                for v, wc in zip(mat.velocities, cut, strict=True)
                if w < wc
            )

        g = self.gammas(e) if self.model == "amm" else None
        for a, b in itertools.pairwise(breaks):
            w = 0.5 * (a + b)
            if self.model == "dmm":
                a1, a2 = channels(m1, w1, w), channels(m2, w2, w)
                c = a1 * a2 / (a1 + a2) if a1 + a2 > 0 else 0.0
            elif self.model == "prl":
                c = min(channels(m1, w1, w), channels(m2, w2, w))
            else:
                assert g is not None  # the amm model
                c = 0.0
                if w < max(w2):
                    c = sum(
                        gj / (2.0 * math.pi**2 * v**2)
                        for gj, v, wc in zip(g, m1.velocities, w1, strict=True)
                        if w < wc
                    )
            coef.append(c)
        return breaks, np.array(coef)

    def _spectrum_for(self, emitter: int | None) -> tuple:
        if emitter is None or emitter == self.emitter:
            return self._spectrum
        return self._build_spectrum(emitter)

    # -- temperature dependence ----------------------------------------------------------
    def h(self, T: Any, emitter: int | None = None) -> Any:
        """Conductance ``h_K(T)`` [W/(m^2 K)] at interface temperature ``T`` [K]."""
        Tn = np.asarray(T, dtype=float)
        if np.any(Tn <= 0.0):
            raise InputError("temperature must be > 0 K")
        breaks, coef = self._spectrum_for(emitter)
        x = HBAR * breaks / (K_B * Tn[..., None])
        G = g_integral(x)
        val = 0.25 * K_B**4 * Tn**3 / HBAR**3 * np.sum(coef * np.diff(G, axis=-1), axis=-1)
        return float(val) if val.ndim == 0 else val

    def heat_flux_function(self, T: Any, emitter: int | None = None) -> Any:
        """``Q(T) = int_0^T h dT'`` [W/m^2].

        The one-sided phonon flux; the net interface flux is ``Q(T_plus) - Q(T_minus)``.
        """
        Tn = np.asarray(T, dtype=float)
        breaks, coef = self._spectrum_for(emitter)
        x = HBAR * breaks / (K_B * Tn[..., None])
        E = e_integral(x)
        val = 0.25 * K_B**4 * Tn**4 / HBAR**3 * np.sum(coef * np.diff(E, axis=-1), axis=-1)
        return float(val) if val.ndim == 0 else val

    def _telescoped(self, emitter: int | None = None) -> list[tuple[float, float]]:
        """The telescoped spectrum ``[(theta_m, d_m)]``, zero terms dropped.

        ``sum_k c_k (F(x_k+1) - F(x_k)) = sum_m d_m F(x_m)``, ``theta_m = hbar w_m / k_B``
        [K].
        """
        breaks, coef = self._spectrum_for(emitter)
        c = np.concatenate([[0.0], coef, [0.0]])
        d = c[:-1] - c[1:]  # d_m for breaks[m]
        return [
            (float(HBAR * w / K_B), float(dm))
            for w, dm in zip(breaks, d, strict=True)
            if w > 0.0 and dm != 0.0
        ]

    def h_expression(self, T: Any, emitter: int | None = None) -> Any:
        """``h_K(T)`` [W/(m^2 K)] in closed form (only +, -, *, /, **, exp and a UFL conditional).

        Accepts UFL expressions as well as numbers/arrays.
        """
        pref = 0.25 * K_B**4 / HBAR**3
        total = 0.0
        for theta, d in self._telescoped(emitter):
            total = total + d * bose_integral_closed_form(theta / T, "G")
        return pref * T**3 * total

    def flux_expression(self, T: Any, emitter: int | None = None) -> Any:
        """``Q(T) = int_0^T h dT'`` [W/m^2] in closed form (UFL-compatible)."""
        pref = 0.25 * K_B**4 / HBAR**3
        total = 0.0
        for theta, d in self._telescoped(emitter):
            total = total + d * bose_integral_closed_form(theta / T, "E")
        return pref * T**4 * total

    def conductance(self, T_plus: Any, T_minus: Any) -> Any:
        """Secant conductance ``(Q(T+) - Q(T-))/(T+ - T-)`` [W/(m^2 K)].

        ``h((T+ + T-)/2)`` where the jump is below 1e-5 relative.

        Numbers/arrays use the quadrature path; UFL expressions get the closed form
        (:meth:`h_expression`, :meth:`flux_expression`) inside a ``ufl.conditional``.
        """
        if not (is_numeric(T_plus) and is_numeric(T_minus)):
            import ufl

            dT = T_plus - T_minus
            Tm = 0.5 * (T_plus + T_minus)
            secant = (self.flux_expression(T_plus) - self.flux_expression(T_minus)) / dT
            return ufl.conditional(ufl.gt(abs(dT), 1e-5 * Tm), secant, self.h_expression(Tm))
        Tp, Tm = np.broadcast_arrays(np.asarray(T_plus, float), np.asarray(T_minus, float))
        if np.any(Tp <= 0.0) or np.any(Tm <= 0.0):
            raise InputError("temperatures must be > 0 K")
        dT = Tp - Tm
        Tmean = 0.5 * (Tp + Tm)
        small = np.abs(dT) <= 1e-5 * Tmean
        safe = np.where(small, 1.0, dT)
        sec = (self.heat_flux_function(Tp) - self.heat_flux_function(Tm)) / safe
        val = np.where(small, self.h(Tmean), sec)
        return float(val) if val.ndim == 0 else val

    def resistance(self, T: Any) -> Any:
        """Kapitza resistance ``R_K = 1/h_K(T)`` [m^2 K/W]."""
        return 1.0 / self.h(T)

    def tabulate(self, T_min: float, T_max: float, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``(T, h_K(T))`` on ``n`` log-spaced temperatures in [T_min, T_max] [K]."""
        T_min = check_positive(T_min, "T_min", "K")
        T_max = check_positive(T_max, "T_max", "K")
        if T_max <= T_min or int(n) < 2:
            raise InputError(f"need T_max > T_min and n >= 2, got {T_min}, {T_max}, {n}")
        T = np.geomspace(T_min, T_max, int(n))
        return T, np.asarray(self.h(T))
