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
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.validation import LawDeclaration, LawParameter, check_positive

from .common import HBAR, K_B, N_A, is_numeric, unknown_name_error

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "phonon_materials.toml"


# ---------------------------------------------------------------------------------------
# materials
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PhononMaterial:
    """Isotropic Debye solid.

    Parameters
    ----------
    name:               label.
    density:            mass density rho [kg/m^3], > 0.
    v_L, v_T:           longitudinal / transverse sound speeds [m/s], 0 < v_T < v_L.
    debye_temperature:  Theta_D [K] (optional if ``number_density`` is given).
    number_density:     atoms per volume n [1/m^3] (optional if ``debye_temperature`` given;
                        preferred for the cutoffs when both are given).
    source:             literature reference for the values.
    """

    name: str
    density: float
    v_L: float
    v_T: float
    debye_temperature: float | None = None
    number_density: float | None = None
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "density", check_positive(self.density, "density", "kg/m^3"))
        object.__setattr__(self, "v_L", check_positive(self.v_L, "v_L", "m/s"))
        object.__setattr__(self, "v_T", check_positive(self.v_T, "v_T", "m/s"))
        if not self.v_T < self.v_L:
            raise InputError(f"need v_T < v_L, got v_T={self.v_T!r}, v_L={self.v_L!r}")
        if self.debye_temperature is None and self.number_density is None:
            raise InputError(f"{self.name}: give debye_temperature or number_density")
        if self.debye_temperature is not None:
            object.__setattr__(
                self,
                "debye_temperature",
                check_positive(self.debye_temperature, "debye_temperature", "K"),
            )
        if self.number_density is not None:
            object.__setattr__(
                self, "number_density", check_positive(self.number_density, "number_density")
            )

    @property
    def velocities(self) -> tuple[float, float, float]:
        """Branch speeds (L, T1, T2) [m/s]."""
        return (self.v_L, self.v_T, self.v_T)

    @property
    def debye_velocity(self) -> float:
        """``v_D`` with ``3/v_D^3 = 1/v_L^3 + 2/v_T^3`` [m/s]."""
        return (3.0 / (self.v_L**-3 + 2.0 * self.v_T**-3)) ** (1.0 / 3.0)

    @property
    def n(self) -> float:
        """Atomic number density used for the cutoffs [1/m^3]."""
        if self.number_density is not None:
            return self.number_density
        assert self.debye_temperature is not None  # __post_init__: one of the two is given
        kD = K_B * self.debye_temperature / (HBAR * self.debye_velocity)
        return kD**3 / (6.0 * math.pi**2)

    @property
    def debye_wavevector(self) -> float:
        """``k_D = (6 pi^2 n)^(1/3)`` [1/m]."""
        return (6.0 * math.pi**2 * self.n) ** (1.0 / 3.0)

    @property
    def cutoffs(self) -> tuple[float, float, float]:
        """Per-branch cutoffs ``w_D,j = v_j k_D`` [rad/s] (L, T1, T2)."""
        kD = self.debye_wavevector
        vL, vT1, vT2 = self.velocities
        return (vL * kD, vT1 * kD, vT2 * kD)

    @property
    def debye_temperature_elastic(self) -> float:
        """``hbar v_D k_D / k_B`` [K] from the sound speeds and ``n``."""
        return HBAR * self.debye_velocity * self.debye_wavevector / K_B

    @property
    def lame(self) -> tuple[float, float]:
        """Lame constants (lambda, mu) [Pa]."""
        mu = self.density * self.v_T**2
        return self.density * self.v_L**2 - 2.0 * mu, mu


@cache
def _load_database(path: str) -> dict[str, PhononMaterial]:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    out = {}
    for key, entry in raw.items():
        out[key] = PhononMaterial(
            name=key,
            density=entry["density"],
            v_L=entry["v_L"],
            v_T=entry["v_T"],
            debye_temperature=entry.get("debye_temperature"),
            number_density=entry.get("number_density"),
            source=entry.get("source", ""),
        )
    return out


def phonon_materials() -> dict[str, PhononMaterial]:
    """All materials of ``fe_interface/data/phonon_materials.toml`` (name -> material)."""
    return dict(_load_database(str(DATA_FILE)))


def phonon_material(name: str | PhononMaterial) -> PhononMaterial:
    """Look a material up by name (pass a :class:`PhononMaterial` through)."""
    if isinstance(name, PhononMaterial):
        return name
    db = _load_database(str(DATA_FILE))
    if name not in db:
        raise unknown_name_error("material", name, db)
    return db[name]


def number_density_from_formula(density: float, molar_mass: float, atoms: int) -> float:
    """``n = rho N_A atoms / M`` [1/m^3] (``molar_mass`` in kg/mol)."""
    return density * N_A * atoms / molar_mass


# ---------------------------------------------------------------------------------------
# transmission coefficients
# ---------------------------------------------------------------------------------------
def _q(slowness2: float, p: np.ndarray) -> np.ndarray:
    """Vertical slowness ``sqrt(1/c^2 - p^2)``, with Im >= 0 for evanescent waves."""
    return np.sqrt((slowness2 - p**2).astype(complex))


def amm_scalar_transmission(
    mat1: PhononMaterial, mat2: PhononMaterial, branch: str, theta: Any
) -> np.ndarray:
    """Scalar AMM energy transmission side 1 -> 2 (see the module docstring).

    ``branch`` 'L' or 'T', incidence angle ``theta`` [rad].
    """
    if branch not in ("L", "T"):
        raise InputError(f"branch must be 'L' or 'T', got {branch!r}")
    v1 = mat1.v_L if branch == "L" else mat1.v_T
    v2 = mat2.v_L if branch == "L" else mat2.v_T
    Z1, Z2 = mat1.density * v1, mat2.density * v2
    theta = np.asarray(theta, dtype=float)
    c1 = np.cos(theta)
    s2 = (v2 / v1) * np.sin(theta)
    c2 = np.sqrt(np.clip(1.0 - s2**2, 0.0, None))
    den = (Z2 * c1 + Z1 * c2) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(den > 0.0, 4.0 * Z1 * Z2 * c1 * c2 / np.where(den > 0, den, 1.0), 0.0)
    return np.where(s2 < 1.0, a, 0.0)


def _psv_vectors(mat: PhononMaterial, p: np.ndarray, wave: str, direction: int):
    """State vector [u_x, u_z, sigma_zz, sigma_xz]/(i w) of a P or SV plane wave, and q.

    Unit amplitude, horizontal slowness p, vertical direction +1 (towards +z) or -1.
    """
    lam, mu = mat.lame
    c = mat.v_L if wave == "P" else mat.v_T
    q = _q(1.0 / c**2, p)
    qs = direction * q
    if wave == "P":
        dx, dz = c * p, c * qs
    else:
        dx, dz = c * qs, -c * p
    szz = lam * (p * dx + qs * dz) + 2.0 * mu * qs * dz
    sxz = mu * (qs * dx + p * dz)
    return np.stack([dx + 0j, dz + 0j, szz, sxz], axis=-1), q


def elastic_psv_coefficients(
    mat1: PhononMaterial, mat2: PhononMaterial, incident: str, theta: Any
) -> dict[str, np.ndarray]:
    """Energy reflection/transmission coefficients of a welded isotropic interface.

    Medium 1 occupies z < 0, medium 2 z > 0; a P or SV wave (``incident``) hits the interface
    from medium 1 at angle ``theta`` [rad] from the normal.  Returns arrays ``R_P, R_SV, T_P,
    T_SV`` (fractions of the incident normal energy flux; evanescent waves give 0).
    """
    if incident not in ("P", "SV"):
        raise InputError(f"incident must be 'P' or 'SV', got {incident!r}")
    theta = np.atleast_1d(np.asarray(theta, dtype=float))
    c_inc = mat1.v_L if incident == "P" else mat1.v_T
    p = np.sin(theta) / c_inc
    b_inc, q_inc = _psv_vectors(mat1, p, incident, +1)
    cols = []
    qs = {}
    for key, mat, wave, d, sign in (
        ("R_P", mat1, "P", -1, 1.0),
        ("R_SV", mat1, "SV", -1, 1.0),
        ("T_P", mat2, "P", +1, -1.0),
        ("T_SV", mat2, "SV", +1, -1.0),
    ):
        vec, q = _psv_vectors(mat, p, wave, d)
        cols.append(sign * vec)
        qs[key] = (mat, wave, q)
    A = np.stack(cols, axis=-1)  # (n, 4 equations, 4 unknowns)
    amp = np.linalg.solve(A, -b_inc[..., None])[..., 0]
    flux_inc = mat1.density * c_inc**2 * q_inc.real  # rho c^2 q |A|^2, |A_inc| = 1
    out = {}
    for i, key in enumerate(("R_P", "R_SV", "T_P", "T_SV")):
        mat, wave, q = qs[key]
        c = mat.v_L if wave == "P" else mat.v_T
        with np.errstate(invalid="ignore", divide="ignore"):
            e = mat.density * c**2 * q.real * np.abs(amp[:, i]) ** 2 / flux_inc
        out[key] = np.where(flux_inc > 0, e, 0.0)
    return out


def elastic_sh_coefficients(
    mat1: PhononMaterial, mat2: PhononMaterial, theta: Any
) -> dict[str, np.ndarray]:
    """Energy reflection/transmission ``R, T`` for an SH wave (closed form, welded)."""
    theta = np.atleast_1d(np.asarray(theta, dtype=float))
    p = np.sin(theta) / mat1.v_T
    q1 = _q(mat1.v_T**-2, p)
    q2 = _q(mat2.v_T**-2, p)
    m1, m2 = mat1.lame[1] * q1, mat2.lame[1] * q2
    den = m1 + m2
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (m1 - m2) / den
        t = 2.0 * m1 / den
        T = np.where(q1.real > 0, (m2.real * np.abs(t) ** 2 / m1.real), 0.0)
        R = np.where(q1.real > 0, np.abs(r) ** 2, 1.0)
    return {"R": R, "T": np.real(T)}


def amm_elastic_transmission(
    mat1: PhononMaterial, mat2: PhononMaterial, mode: str, theta: Any
) -> np.ndarray:
    """Elastic AMM energy transmission side 1 -> 2 for incident ``mode``.

    ``mode`` is 'P', 'SV' or 'SH'; all transmitted modes are summed.
    """
    if mode == "SH":
        return elastic_sh_coefficients(mat1, mat2, theta)["T"]
    c = elastic_psv_coefficients(mat1, mat2, mode, theta)
    return c["T_P"] + c["T_SV"]


# Gauss-Legendre on [0, 1] mapped with a smoothstep so that square-root behaviour at the
# critical angles becomes smooth.
_GL_X, _GL_W = np.polynomial.legendre.leggauss(48)
_T01 = 0.5 * (_GL_X + 1.0)
_W01 = 0.5 * _GL_W
_SMOOTH = 3.0 * _T01**2 - 2.0 * _T01**3
_DSMOOTH = 6.0 * _T01 * (1.0 - _T01)


def hemispherical_transmission(
    alpha: Any, c_inc: float, other_speeds: tuple[float, ...] = ()
) -> float:
    """``Gamma = 2 int_0^{pi/2} alpha(theta) cos(theta) sin(theta) dtheta``.

    Written as ``int_0^1 alpha(theta(mu)) dmu`` with ``mu = sin^2(theta)``, split at the
    critical angles ``sin^2 theta_c = (c_inc/c)^2`` of every faster wave ``c`` in
    ``other_speeds``.  ``alpha`` maps an array of angles [rad] to transmissions.
    """
    breaks = sorted({0.0, 1.0} | {(c_inc / c) ** 2 for c in other_speeds if c > c_inc})
    total = 0.0
    for a, b in itertools.pairwise(breaks):
        mu = a + (b - a) * _SMOOTH
        theta = np.arcsin(np.sqrt(mu))
        total += float(np.sum(_W01 * (b - a) * _DSMOOTH * np.asarray(alpha(theta))))
    return total


# ---------------------------------------------------------------------------------------
# Bose-Einstein integrals
# ---------------------------------------------------------------------------------------
_G_INF = 4.0 * math.pi**4 / 15.0  # int_0^inf t^4 e^t/(e^t-1)^2 dt = 4! zeta(4)
_E_INF = math.pi**4 / 15.0  # int_0^inf t^3/(e^t-1) dt = 3! zeta(4)
_XMAX = 60.0
_BX, _BW = np.polynomial.legendre.leggauss(96)


def _g_integral(x: np.ndarray) -> np.ndarray:
    """G(x) = int_0^x t^4 e^t/(e^t-1)^2 dt (vectorised)."""
    x = np.minimum(np.asarray(x, dtype=float), _XMAX)
    t = 0.5 * x[..., None] * (_BX + 1.0)
    em = np.expm1(t)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(t > 0, t**4 * (em + 1.0) / np.where(t > 0, em, 1.0) ** 2, 0.0)
    g = 0.5 * x * np.sum(_BW * f, axis=-1)
    return np.where(x >= _XMAX, _G_INF, g)


def _e_integral(x: np.ndarray) -> np.ndarray:
    """E(x) = int_0^x t^3/(e^t-1) dt (vectorised)."""
    x = np.minimum(np.asarray(x, dtype=float), _XMAX)
    t = 0.5 * x[..., None] * (_BX + 1.0)
    em = np.expm1(t)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(t > 0, t**3 / np.where(t > 0, em, 1.0), 0.0)
    e = 0.5 * x * np.sum(_BW * f, axis=-1)
    return np.where(x >= _XMAX, _E_INF, e)


# Closed forms of G and E built from +, -, *, /, ** and exp only (usable in UFL):
#   x < 2:  Taylor series in Bernoulli numbers (radius of convergence 2 pi)
#           t^4 e^t/(e^t-1)^2 = sum_n (1-n) B_n t^(n+2)/n!,  t^3/(e^t-1) = sum_n B_n t^(n+2)/n!
#   x >= 2: G = G_inf - sum_m e^(-m x) (x^4 + 4x^3/m + 12x^2/m^2 + 24x/m^3 + 24/m^4)
#           E = E_inf - sum_m e^(-m x) (x^3/m + 3x^2/m^2 + 6x/m^3 + 6/m^4)
# Truncation errors < 1e-12 relative.
_X_SWITCH = 2.0
_N_TAIL = 16


def _taylor_coefficients(kind: str, nmax: int = 26) -> list[tuple[int, float]]:
    from scipy.special import bernoulli

    B = bernoulli(nmax)
    out = []
    for n in range(nmax + 1):
        c = (1 - n) * B[n] if kind == "G" else B[n]
        if c != 0.0:
            out.append((n + 3, float(c / (math.factorial(n) * (n + 3)))))
    return out


_TAYLOR = {"G": _taylor_coefficients("G"), "E": _taylor_coefficients("E")}


def _series_small(x: Any, kind: str) -> Any:
    return sum(c * x**p for p, c in _TAYLOR[kind])


def _series_large(x: Any, kind: str, exp: Any) -> Any:
    total = _G_INF if kind == "G" else _E_INF
    for m in range(1, _N_TAIL + 1):
        if kind == "G":
            poly = x**4 + 4 * x**3 / m + 12 * x**2 / m**2 + 24 * x / m**3 + 24 / m**4
        else:
            poly = x**3 / m + 3 * x**2 / m**2 + 6 * x / m**3 + 6 / m**4
        total = total - exp(-m * x) * poly
    return total


def bose_integral_closed_form(x: Any, kind: str = "G") -> Any:
    """The Bose integrals in closed form.

    ``G(x) = int_0^x t^4 e^t/(e^t-1)^2 dt`` (``kind="G"``) or
    ``E(x) = int_0^x t^3/(e^t-1) dt`` (``kind="E"``); ``x`` a number, array or UFL
    expression.
    """
    if kind not in ("G", "E"):
        raise InputError(f"kind must be 'G' or 'E', got {kind!r}")
    if is_numeric(x):
        xa = np.asarray(x, dtype=float)
        small = xa < _X_SWITCH
        xs = np.where(small, xa, 0.0)
        xl = np.where(small, _X_SWITCH, np.minimum(xa, 700.0))
        val = np.where(small, _series_small(xs, kind), _series_large(xl, kind, np.exp))
        return float(val) if val.ndim == 0 else val
    import ufl

    return ufl.conditional(
        ufl.lt(x, _X_SWITCH), _series_small(x, kind), _series_large(x, kind, ufl.exp)
    )


# ---------------------------------------------------------------------------------------
# the law
# ---------------------------------------------------------------------------------------
_MODELS = ("amm", "dmm", "prl")
_AMM_VARIANTS = ("elastic", "scalar")


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
            LawParameter("model", "str", doc="`amm`/`dmm`/`prl`"),
            LawParameter("amm_variant", "str", doc="`elastic`/`scalar`"),
            LawParameter("emitter", "int", doc="1/2"),
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
        if self.model not in _MODELS:
            raise InputError(f"model must be one of {_MODELS}, got {self.model!r}")
        if self.amm_variant not in _AMM_VARIANTS:
            raise InputError(
                f"amm_variant must be one of {_AMM_VARIANTS}, got {self.amm_variant!r}"
            )
        if self.emitter not in (1, 2):
            raise InputError(f"emitter must be 1 or 2, got {self.emitter!r}")
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
        G = _g_integral(x)
        val = 0.25 * K_B**4 * Tn**3 / HBAR**3 * np.sum(coef * np.diff(G, axis=-1), axis=-1)
        return float(val) if val.ndim == 0 else val

    def heat_flux_function(self, T: Any, emitter: int | None = None) -> Any:
        """``Q(T) = int_0^T h dT'`` [W/m^2].

        The one-sided phonon flux; the net interface flux is ``Q(T_plus) - Q(T_minus)``.
        """
        Tn = np.asarray(T, dtype=float)
        breaks, coef = self._spectrum_for(emitter)
        x = HBAR * breaks / (K_B * Tn[..., None])
        E = _e_integral(x)
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
