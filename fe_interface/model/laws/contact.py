"""Solid-spot (constriction) conductance of nominally flat, rough, conforming contacts.

All quantities SI: roughness ``sigma`` [m], slope ``m`` [-], conductivity ``k`` [W/(m K)],
Young's modulus ``E`` [Pa], contact pressure ``P`` [Pa], microhardness ``H_c`` [Pa],
conductance ``h_c`` [W/(m^2 K)].

Joint (effective) surface parameters (Yovanovich, "Four decades of research on thermal
contact, gap, and joint resistance in microelectronics", IEEE Trans. Compon. Packag. Technol.
28 (2005) 182-206; Bahrami et al., J. Thermophys. Heat Transfer 18 (2004))::

    sigma = sqrt(sigma_1^2 + sigma_2^2)       RMS roughness
    m     = sqrt(m_1^2 + m_2^2)               RMS absolute asperity slope
    k_s   = 2 k_1 k_2 / (k_1 + k_2)           harmonic-mean conductivity
    1/E'  = (1 - nu_1^2)/E_1 + (1 - nu_2^2)/E_2

Laws
----
* :class:`CMYPlasticConductance` -- Cooper, Mikic & Yovanovich (Int. J. Heat Mass Transfer
  12 (1969) 279-300), in the Yovanovich (1982) correlated form::

      h_c = 1.25 k_s (m/sigma) (P/H_c)^0.95

  Plastic deformation of the asperities; Gaussian heights; correlated for roughly
  1e-5 <= P/H_c <= 2e-2 (light to moderate loads).
* :class:`MikicElasticConductance` -- Mikic (Int. J. Heat Mass Transfer 17 (1974) 205-214)::

      h_c = 1.54 k_s (m/sigma) (sqrt(2) P/(m E'))^0.94

  Elastic deformation of the asperities.
* :class:`CincottiConductance` -- the closed-gap law of MOOSE
  (``GapFluxModelPressureDependentConduction``; Cincotti et al., AIChE J. 53 (2007)
  703-719)::

      h = alpha k_harm P / H_harm,   k_harm = 2 k_1 k_2/(k_1 + k_2),
                                     H_harm = 2 H_1 H_2/(H_1 + H_2),

  with the scaling ``alpha`` in 1/m (MOOSE's ``scaling_coefficient``, default 1: the
  formula is k P/H per metre).

The constants and exponents of both correlations (``coefficient``, ``exponent``) and the
two constants of the Vickers relation below (``size_factor`` 1.62, ``exponent_factor``
0.071) are configurable; the published values are the defaults.

Slope correlation when ``m`` is unknown (Antonetti, Whittle & Simons, ASME J. Electron.
Packag. 1993, as quoted by Yovanovich 2005; fitted for about 0.216 um <= sigma <= 9.6 um)::

    m = 0.125 (sigma / 1 um)^0.402

Microhardness from Vickers correlation coefficients (Song & Yovanovich, J. Thermophys. Heat
Transfer 2 (1988) 43-47; explicit form as quoted by Yovanovich 2005 and Bahrami et al.
2004)::

    P/H_c = [ P / (c_1 (1.62 sigma'/m)^c_2) ]^(1/(1 + 0.071 c_2)),  sigma' = sigma/sigma_0,
    sigma_0 = 1 um,

with ``c_1`` [Pa] and ``c_2`` [-] the Vickers microhardness coefficients
(``H_V = c_1 (d_V/d_0)^c_2``, ``d_0`` = 1 um).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.validation import (
    LawDeclaration,
    LawParameter,
    check_declared,
    check_nonnegative,
    check_positive,
    check_real,
)

from .common import constant_like, unknown_name_error

SIGMA_0 = 1.0e-6  # m, reference length of the Antonetti and Song-Yovanovich correlations
#: P/H_c range of the CMY correlation (Yovanovich 1982; Yovanovich 2005)
CMY_RANGE = (1.0e-5, 2.0e-2)


def antonetti_slope(sigma: float) -> float:
    """Antonetti slope correlation ``m = 0.125 (sigma/1 um)^0.402`` (sigma in m, m in [-]).

    Fitted for 0.216 um <= sigma <= 9.6 um; outside that range it is an extrapolation.
    """
    sigma = check_positive(sigma, "sigma", "m")
    return 0.125 * (sigma / SIGMA_0) ** 0.402


@dataclass(frozen=True)
class Surface:
    """One rough surface of a contact.

    Parameters
    ----------
    sigma:  RMS surface roughness [m], > 0.
    k:      thermal conductivity of the solid [W/(m K)], > 0; for an anisotropic solid the
            component normal to the contact plane, n^T K n
            (``Material.normal_conductivity(n)``).
    m:      RMS absolute asperity slope [-], > 0, or ``None`` if unknown (then the Antonetti
            correlation is applied to the joint roughness, see :class:`ContactPair`).
    E:      Young's modulus [Pa] (needed only for the elastic law), > 0.
    nu:     Poisson ratio [-] in [0, 0.5) (needed only for the elastic law).
    name:   optional label.
    """

    sigma: float
    k: float
    m: float | None = None
    E: float | None = None
    nu: float | None = None
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "sigma", check_positive(self.sigma, "sigma", "m"))
        object.__setattr__(self, "k", check_positive(self.k, "k", "W/(m K)"))
        if self.m is not None:
            object.__setattr__(self, "m", check_positive(self.m, "m (slope)"))
        if self.E is not None:
            object.__setattr__(self, "E", check_positive(self.E, "E", "Pa"))
        if self.nu is not None:
            nu = check_real(self.nu, "nu")
            if not (0.0 <= nu < 0.5):
                raise InputError(f"nu (Poisson ratio) must lie in [0, 0.5), got {self.nu!r}")
            object.__setattr__(self, "nu", nu)


@dataclass(frozen=True)
class ContactPair:
    """Two surfaces in contact and their joint parameters (see module docstring).

    If neither surface gives a slope, the Antonetti correlation is applied to the joint
    roughness ``sigma`` (the way it is used by Yovanovich and co-workers).  Giving the slope
    for only one of the two surfaces is ambiguous and raises ``ValueError``.
    """

    plus: Surface
    minus: Surface

    def __post_init__(self) -> None:
        for name in ("plus", "minus"):
            if not isinstance(getattr(self, name), Surface):
                raise InputError(f"{name} must be a Surface, got {getattr(self, name)!r}")
        if (self.plus.m is None) != (self.minus.m is None):
            raise InputError(
                "slope m given for only one surface "
                f"(plus.m={self.plus.m!r}, minus.m={self.minus.m!r}); give both or neither"
            )

    @property
    def sigma(self) -> float:
        """Joint RMS roughness ``sqrt(sigma1^2 + sigma2^2)`` [m]."""
        return math.hypot(self.plus.sigma, self.minus.sigma)

    @property
    def slope_from_correlation(self) -> bool:
        """True when the joint slope comes from the Antonetti correlation."""
        return self.plus.m is None

    @property
    def m(self) -> float:
        """Joint RMS slope ``sqrt(m1^2 + m2^2)`` [-] (or Antonetti(sigma) if unknown)."""
        if self.plus.m is None or self.minus.m is None:  # both or neither (__post_init__)
            return antonetti_slope(self.sigma)
        return math.hypot(self.plus.m, self.minus.m)

    @property
    def k_s(self) -> float:
        """Harmonic-mean conductivity ``2 k1 k2/(k1 + k2)`` [W/(m K)]."""
        return 2.0 * self.plus.k * self.minus.k / (self.plus.k + self.minus.k)

    @property
    def E_prime(self) -> float:
        """Effective elastic modulus ``E'`` [Pa], ``1/E' = sum (1 - nu_i^2)/E_i``."""
        missing = [
            f"{side}.{attr}"
            for side in ("plus", "minus")
            for attr in ("E", "nu")
            if getattr(getattr(self, side), attr) is None
        ]
        if missing:
            raise InputError(f"elastic properties missing: {', '.join(missing)}")
        E1, nu1, E2, nu2 = self.plus.E, self.plus.nu, self.minus.E, self.minus.nu
        assert E1 is not None and nu1 is not None and E2 is not None and nu2 is not None
        inv = (1.0 - nu1**2) / E1 + (1.0 - nu2**2) / E2
        return 1.0 / inv


# Vickers microhardness correlation coefficients c1 [Pa], c2 [-].  Convenience values as
# tabulated in the Yovanovich/Bahrami papers (original measurements: Hegazy, PhD thesis,
# University of Waterloo, 1985).  Verify against the primary source for design work.
# Zircaloy-4 and Zr-2.5%wt Nb from the same tables (Hegazy's measurements, as listed by
# Song & Yovanovich 1988 and Bahrami et al. 2004).  No coefficients for aluminium alloys
# or copper were found in a source that could be checked here: give c1, c2 from your own
# Vickers measurements, or H_c directly.
VICKERS_COEFFICIENTS: dict[str, tuple[float, float]] = {
    "SS304": (6.271e9, -0.229),
    "Ni200": (6.304e9, -0.264),
    "Zircaloy4": (5.677e9, -0.278),
    "Zr2.5Nb": (5.884e9, -0.267),
}


@dataclass(frozen=True)
class VickersMicrohardness:
    """Song-Yovanovich microhardness model ``H_V = c1 (d_V/1 um)^c2``.

    ``c1`` [Pa] > 0, ``c2`` [-] (negative for work-hardened surface layers; |c2| < 1).
    :meth:`relative_pressure` returns the explicit plastic relation (module docstring)::

        P/H_c = [ P / (c1 (size_factor sigma'/m)^c2) ]^(1/(1 + exponent_factor c2))

    with the published ``size_factor = 1.62`` and ``exponent_factor = 0.071`` (Song &
    Yovanovich 1988; Yovanovich 2005) as defaults; both configurable (> 0).
    """

    c1: float
    c2: float
    size_factor: float = 1.62
    exponent_factor: float = 0.071

    def __post_init__(self) -> None:
        object.__setattr__(self, "c1", check_positive(self.c1, "c1", "Pa"))
        c2 = check_real(self.c2, "c2")
        if not (-1.0 < c2 < 1.0):
            raise InputError(f"c2 must lie in (-1, 1), got {self.c2!r}")
        object.__setattr__(self, "c2", c2)
        object.__setattr__(self, "size_factor", check_positive(self.size_factor, "size_factor"))
        e = check_positive(self.exponent_factor, "exponent_factor")
        if not 1.0 + e * c2 > 0:
            raise InputError(
                f"exponent_factor: 1 + exponent_factor c2 must be > 0, got {1.0 + e * c2!r}"
            )
        object.__setattr__(self, "exponent_factor", e)

    @classmethod
    def from_material(cls, name: str, **factors: float) -> VickersMicrohardness:
        """Coefficients from :data:`VICKERS_COEFFICIENTS`; ``factors``: the form's constants."""
        if name not in VICKERS_COEFFICIENTS:
            raise unknown_name_error("material", name, VICKERS_COEFFICIENTS)
        return cls(*VICKERS_COEFFICIENTS[name], **factors)

    @classmethod
    def from_brinell(cls, H_B: float, **factors: float) -> VickersMicrohardness:
        """Vickers coefficients c1, c2 from the Brinell hardness H_B [Pa] (Song & Yovanovich 1988).

        The correlation::

            c1/(3178 MPa) = 4.0 - 5.77 kappa + 4.0 kappa^2 - 0.61 kappa^3,
            c2 = -0.370 + 0.442 H_B/c1,   kappa = H_B/(3178 MPa),

        stated valid for 1300 MPa <= H_B <= 7600 MPa.
        """
        H_B = check_positive(H_B, "H_B", "Pa")
        kappa = H_B / 3178e6
        c1 = 3178e6 * (4.0 - 5.77 * kappa + 4.0 * kappa**2 - 0.61 * kappa**3)
        c2 = -0.370 + 0.442 * H_B / c1
        return cls(c1, c2, **factors)

    def relative_pressure(self, P: float, sigma: float, m: float) -> float:
        """``P/H_c`` [-] for pressure ``P`` [Pa], joint roughness [m] and slope [-]."""
        P = check_nonnegative(P, "pressure", "Pa")
        return float(self.relative_pressures(P, sigma, m))

    def relative_pressures(self, P: Any, sigma: float, m: float) -> np.ndarray:
        """``P/H_c`` [-] at the pressures ``P`` [Pa] (NumPy, any shape; P < 0 counts as 0).

        The one implementation of the explicit relation (module docstring), with this
        object's ``size_factor`` and ``exponent_factor``: the constant laws and the
        pressure-coupled law (:mod:`fe_interface.model.laws.local_contact`) both use it.
        """
        P = np.maximum(np.asarray(P, dtype=float), 0.0)
        H_ref = self.c1 * (self.size_factor * (sigma / SIGMA_0) / m) ** self.c2
        return (P / H_ref) ** (1.0 / (1.0 + self.exponent_factor * self.c2))

    def microhardness(self, P: float, sigma: float, m: float) -> float:
        """Effective microhardness ``H_c`` [Pa] at pressure ``P`` [Pa] (needs ``P > 0``)."""
        P = check_positive(P, "pressure", "Pa")
        return P / self.relative_pressure(P, sigma, m)


#: published (coefficient, exponent) of the solid-spot correlations
CMY_CORRELATION = (1.25, 0.95)
MIKIC_CORRELATION = (1.54, 0.94)


def cmy_conductance(
    pair: ContactPair,
    relative_pressure: Any,
    coefficient: float = CMY_CORRELATION[0],
    exponent: float = CMY_CORRELATION[1],
) -> Any:
    """CMY plastic h_c = coefficient k_s (m/sigma) (P/H_c)^exponent [W/(m^2 K)] (NumPy).

    The one implementation, used by :class:`CMYPlasticConductance` and the
    pressure-coupled law.
    """
    rel = np.asarray(relative_pressure, dtype=float)
    return coefficient * pair.k_s * (pair.m / pair.sigma) * rel**exponent


def mikic_conductance(
    pair: ContactPair,
    pressure: Any,
    coefficient: float = MIKIC_CORRELATION[0],
    exponent: float = MIKIC_CORRELATION[1],
) -> Any:
    """Mikic elastic h_c = coefficient k_s (m/sigma) (sqrt(2) P/(m E'))^exponent [W/(m^2 K)].

    NumPy; the one implementation, used by :class:`MikicElasticConductance` and the
    pressure-coupled law.
    """
    x = (
        math.sqrt(2.0)
        * np.maximum(np.asarray(pressure, dtype=float), 0.0)
        / (pair.m * pair.E_prime)
    )
    return coefficient * pair.k_s * (pair.m / pair.sigma) * x**exponent


def check_correlation(owner: str, coefficient: Any, exponent: Any) -> tuple[float, float]:
    """A correlation's ``coefficient`` (> 0) and ``exponent`` (> 0) as floats (``owner``: who)."""
    return (
        check_positive(coefficient, "coefficient", "", owner),
        check_positive(exponent, "exponent", "", owner),
    )


def _relative_pressure(pair: ContactPair, P: float, H_c: Any) -> float:
    if isinstance(H_c, VickersMicrohardness):
        rel = H_c.relative_pressure(P, pair.sigma, pair.m)
    else:
        H = check_positive(H_c, "H_c", "Pa")
        rel = P / H
    if rel >= 1.0:
        raise InputError(
            f"pressure P={P!r} Pa exceeds the microhardness (P/H_c = {rel:.3g} >= 1): "
            "the plastic contact model does not apply"
        )
    if 0.0 < rel < CMY_RANGE[0] or rel > CMY_RANGE[1]:
        warnings.warn(
            f"CMY plastic contact: P/H_c = {rel:.3g} lies outside the range the correlation "
            f"was fitted for ({CMY_RANGE[0]:g} to {CMY_RANGE[1]:g}, Yovanovich 1982): h is "
            "an extrapolation",
            UserWarning,
            stacklevel=4,
        )
    return rel


#: the parameters of the laws of two rough surfaces pressed together (case files)
PAIR_PARAMETERS = (
    LawParameter("surface_plus", "surface", True, doc="`sigma` > 0 m, `k` > 0, optional `m`, `E`, `nu`"),
    LawParameter("surface_minus", "surface", True),
    LawParameter("pressure", "nonneg", True, "Pa"),
)  # fmt: skip


@dataclass(frozen=True)
class CMYPlasticConductance:
    """Cooper-Mikic-Yovanovich plastic contact conductance [W/(m^2 K)].

    ``h_c = 1.25 k_s (m/sigma) (P/H_c)^0.95`` (module docstring for references).

    Parameters
    ----------
    pair:      the :class:`ContactPair`.
    pressure:  nominal contact pressure ``P`` [Pa], >= 0 (``P = 0`` gives ``h_c = 0``).
    H_c:       microhardness of the softer surface, either a number [Pa] (> P) or a
               :class:`VickersMicrohardness` (explicit Song-Yovanovich relation).
    coefficient, exponent: the correlation ``h_c = coefficient k_s (m/sigma)
               (P/H_c)^exponent`` [-]; published defaults 1.25 and 0.95 (Yovanovich 1982;
               the original CMY fit has 1.45 and 0.985).

    Temperature-independent.  Correlated for about 1e-5 <= P/H_c <= 2e-2.
    """

    case: ClassVar[LawDeclaration] = LawDeclaration(
        "cmy_plastic",
        (
            *PAIR_PARAMETERS,
            LawParameter(
                "H_c", "hardness", True, "Pa",
                "microhardness: a number, or a table: `material = \"SS304\"`, or `c1`, `c2`, or "
                "`brinell`; optional `size_factor` (1.62) and `exponent_factor` (0.071) of "
                "the Song–Yovanovich relation",
            ),
            LawParameter("coefficient", "pos", doc="1.25"),
            LawParameter("exponent", "pos", doc="0.95"),
        ),
        "Cooper–Mikic–Yovanovich plastic contact (solid spots): h = coefficient k_s (m/σ)"
        "(P/H_c)^exponent",
        pair=True,
    )  # fmt: skip

    pair: ContactPair
    pressure: float
    H_c: Any
    coefficient: float = 1.25
    exponent: float = 0.95
    relative_pressure: float = field(init=False)

    temperature_dependent: ClassVar[bool] = False
    kind: ClassVar[str] = "constant"
    supports_ufl: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not isinstance(self.pair, ContactPair):
            raise InputError(f"pair must be a ContactPair, got {self.pair!r}")
        check_declared(self, ("pressure", "coefficient", "exponent"))
        rel = _relative_pressure(self.pair, self.pressure, self.H_c)
        object.__setattr__(self, "relative_pressure", rel)

    @property
    def h(self) -> float:
        """Solid-spot conductance [W/(m^2 K)]."""
        return float(
            cmy_conductance(self.pair, self.relative_pressure, self.coefficient, self.exponent)
        )

    def conductance(self, T_plus: Any = None, T_minus: Any = None) -> Any:
        """Return ``h_c`` [W/(m^2 K)] (independent of temperature)."""
        return constant_like(self.h, T_plus, T_minus)


@dataclass(frozen=True)
class MikicElasticConductance:
    """Mikic elastic contact conductance [W/(m^2 K)].

    ``h_c = 1.54 k_s (m/sigma) (sqrt(2) P/(m E'))^0.94`` (module docstring for references).

    Parameters
    ----------
    pair:      the :class:`ContactPair`; both surfaces need ``E`` and ``nu``.
    pressure:  nominal contact pressure ``P`` [Pa], >= 0 (``P = 0`` gives ``h_c = 0``).
    coefficient, exponent: the correlation ``h_c = coefficient k_s (m/sigma)
               (sqrt(2) P/(m E'))^exponent`` [-]; published defaults 1.54 and 0.94 (Mikic
               1974).

    Temperature-independent.
    """

    case: ClassVar[LawDeclaration] = LawDeclaration(
        "mikic_elastic",
        (
            *PAIR_PARAMETERS,
            LawParameter("coefficient", "pos", doc="1.54"),
            LawParameter("exponent", "pos", doc="0.94"),
        ),
        "Mikic elastic contact (solid spots; both surfaces with `E` and `nu`)",
        pair=True,
    )

    pair: ContactPair
    pressure: float
    coefficient: float = 1.54
    exponent: float = 0.94

    temperature_dependent: ClassVar[bool] = False
    kind: ClassVar[str] = "constant"
    supports_ufl: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not isinstance(self.pair, ContactPair):
            raise InputError(f"pair must be a ContactPair, got {self.pair!r}")
        check_declared(self, ("pressure", "coefficient", "exponent"))
        self.pair.E_prime  # noqa: B018 -- raises if E/nu missing

    @property
    def h(self) -> float:
        """Solid-spot conductance [W/(m^2 K)]."""
        return float(mikic_conductance(self.pair, self.pressure, self.coefficient, self.exponent))

    def conductance(self, T_plus: Any = None, T_minus: Any = None) -> Any:
        """Return ``h_c`` [W/(m^2 K)] (independent of temperature)."""
        return constant_like(self.h, T_plus, T_minus)


@dataclass(frozen=True)
class CincottiConductance:
    """Closed-gap conductance ``h = alpha k_harm P/H_harm`` [W/(m^2 K)] (module docstring).

    MOOSE's ``GapFluxModelPressureDependentConduction`` (Cincotti et al. 2007): harmonic
    means of the two solids' conductivities and hardnesses.

    Parameters
    ----------
    conductivity_plus, conductivity_minus:
        Conductivities of the two solids [W/(m K)], > 0.
    hardness_plus, hardness_minus:
        Their hardnesses [Pa], > 0 (the unit of the pressure: only P/H enters).
    pressure:
        Contact pressure P [Pa], >= 0.
    coefficient:
        The scaling alpha [1/m], > 0 (MOOSE ``scaling_coefficient``, default 1).
    """

    case: ClassVar[LawDeclaration] = LawDeclaration(
        "cincotti",
        (
            LawParameter("conductivity_plus", "pos", True, "W/(m K)"),
            LawParameter("conductivity_minus", "pos", True, "W/(m K)"),
            LawParameter("hardness_plus", "pos", True, "Pa", "only P/H enters"),
            LawParameter("hardness_minus", "pos", True, "Pa"),
            LawParameter("pressure", "nonneg", True, "Pa"),
            LawParameter("coefficient", "pos", unit="1/m", doc="α, default 1"),
        ),
        "MOOSE's closed-gap law h = α k_harm P/H_harm with harmonic means "
        "(GapFluxModelPressureDependentConduction, Cincotti et al. 2007)",
    )

    conductivity_plus: float
    conductivity_minus: float
    hardness_plus: float
    hardness_minus: float
    pressure: float
    coefficient: float = 1.0

    temperature_dependent: ClassVar[bool] = False
    kind: ClassVar[str] = "constant"
    supports_ufl: ClassVar[bool] = True

    def __post_init__(self) -> None:
        check_declared(self, (
            "conductivity_plus", "conductivity_minus", "hardness_plus", "hardness_minus",
            "coefficient", "pressure",
        ))  # fmt: skip

    @property
    def harmonic_conductivity(self) -> float:
        """``2 k1 k2/(k1 + k2)`` [W/(m K)]."""
        k1, k2 = self.conductivity_plus, self.conductivity_minus
        return 2.0 * k1 * k2 / (k1 + k2)

    @property
    def harmonic_hardness(self) -> float:
        """``2 H1 H2/(H1 + H2)`` [Pa]."""
        h1, h2 = self.hardness_plus, self.hardness_minus
        return 2.0 * h1 * h2 / (h1 + h2)

    @property
    def h(self) -> float:
        """The conductance [W/(m^2 K)]."""
        return (
            self.coefficient * self.harmonic_conductivity * self.pressure / self.harmonic_hardness
        )

    def conductance(self, T_plus: Any = None, T_minus: Any = None) -> Any:
        """Return ``h`` [W/(m^2 K)] (independent of temperature)."""
        return constant_like(self.h, T_plus, T_minus)
