"""Phonon transmission across a welded interface of two isotropic Debye solids.

Acoustic mismatch (AMM): the scalar (fluid-like) and the full elastic (P-SV, SH) forms per
angle of incidence, and their hemispherical averages.  The models and conventions:
:mod:`fe_interface.model.laws.kapitza`.  Angles in rad, speeds in m/s, densities in kg/m^3;
transmissions are energy fractions (dimensionless).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from fe_interface.model.validation import check_choice

from .phonon_materials import PhononMaterial

__all__ = [
    "amm_elastic_transmission",
    "amm_scalar_transmission",
    "elastic_psv_coefficients",
    "elastic_sh_coefficients",
    "hemispherical_transmission",
]


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
    check_choice(branch, "branch", ("L", "T"))
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
    check_choice(incident, "incident", ("P", "SV"))
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
