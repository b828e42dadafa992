"""Gas-gap conductance of a rough contact (Yovanovich model).

Units: lengths [m], pressures [Pa], temperatures [K], ``k_g`` [W/(m K)],
conductance [W/(m^2 K)].

Gas rarefaction (temperature-jump) parameter (Yovanovich 1982; Song & Yovanovich 1987;
Bahrami, Culham & Yovanovich, J. Thermophys. Heat Transfer 18 (2004))::

    M      = alpha * beta * Lambda                                 [m]
    alpha  = (2 - a_1)/a_1 + (2 - a_2)/a_2   (a_i thermal accommodation coefficients, (0, 1])
    beta   = 2 gamma / ((gamma + 1) Pr)
    Lambda = Lambda_0 (T/T_0) (p_0/p_gas)    (molecular mean free path)

Mean-plane separation ``Y`` of the Gaussian surfaces (plastic contact, Cooper et al. 1969)::

    P/H_c = 1/2 erfc( Y / (sqrt(2) sigma) )   =>   Y = sqrt(2) sigma erfcinv(2 P/H_c)

Two forms of the gap conductance:

* ``form="integral"`` (default; Yovanovich 1982, the gas-gap integral over the Gaussian
  distribution of local gap thicknesses, as written by Bahrami et al. 2004)::

      h_g = k_g / (sqrt(2 pi) sigma) * int_0^inf exp(-(Y/sigma - u)^2 / 2) / (u + M/sigma) du

* ``form="simple"``: ``h_g = k_g / (Y + M)`` (uniform gap of thickness Y).  It is the large-Y
  limit of the integral form and is algebraic in T (UFL-compatible).

Gas properties as functions of the gas temperature T: the mean free path
``Lambda ~ T/p_gas`` (above) and the gas conductivity ``k_g(T)``; both are evaluated at
``T_gas`` if given (then ``h_g`` is temperature-independent), otherwise at the interface
mean temperature ``(T_plus + T_minus)/2``.  ``k_g(T) = k_g(T0) k_tab(T)/k_tab(T0)``: the
value at T0 of the gas data below, with the temperature dependence of a tabulated
k(T) at 1 atm (the gas conductivity does not depend on pressure in this range), for
the gases where such a table is given (air: see :data:`AIR_CONDUCTIVITY`); the other
gases, and a law given an explicit ``k_g``, keep ``k_g`` constant.  ``p_gas = 0`` (vacuum) gives ``h_g = 0``;
``h_g -> 0`` continuously as ``p_gas -> 0`` because ``M ~ 1/p_gas``.

Validity: continuum/slip/transition regimes through the temperature-jump model; gap widths
much smaller than the contact size; radiation and convection in the gap ignored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

import numpy as np
from scipy.special import erfcinv

from fe_interface.errors import InputError
from fe_interface.model.properties import Table
from fe_interface.model.validation import (
    LawDeclaration,
    LawParameter,
    check_declared,
    check_nonnegative,
    check_positive,
)

from .common import (
    constant_like,
    is_numeric,
    unknown_name_error,
)


@dataclass(frozen=True)
class PowerLaw:
    """``k(T) = A T^B`` [W/(m K)], T in K (NumPy or UFL), with its source."""

    A: float
    B: float
    source: str = ""

    def __call__(self, T: Any) -> Any:
        """k(T) [W/(m K)]."""
        if is_numeric(T):
            Tn = np.asarray(T, dtype=float)
            if np.any(Tn <= 0.0):
                raise InputError("gas temperature must be > 0 K")
            v = self.A * Tn**self.B
            return float(v) if v.ndim == 0 else v
        return self.A * T**self.B


@dataclass(frozen=True)
class GasProperties:
    """Properties of a gap gas: conductivity, heat capacity ratio, Pr, mean free path.

    ``k_g`` [W/(m K)], ``gamma`` = c_p/c_v [-], ``Pr`` [-], mean free path ``mfp0`` [m] at
    temperature ``T0`` [K] and pressure ``p0`` [Pa]; ``source`` string; ``k_table``: optional
    tabulated conductivity (a :class:`~fe_interface.model.properties.Table` of k in W/(m K)
    at 1 atm) giving the temperature dependence ``k_g(T) = k_g k_table(T)/k_table(T0)``.
    """

    name: str
    k_g: float
    gamma: float
    Pr: float
    mfp0: float
    T0: float
    p0: float
    source: str = ""
    k_table: Table | None = None
    k_law: PowerLaw | None = None

    def __post_init__(self) -> None:
        for attr, unit in (("k_g", "W/(m K)"), ("Pr", ""), ("mfp0", "m"), ("T0", "K")):
            object.__setattr__(self, attr, check_positive(getattr(self, attr), attr, unit))
        object.__setattr__(self, "p0", check_positive(self.p0, "p0", "Pa"))
        if not (self.gamma > 1.0):
            raise InputError(f"gamma must be > 1, got {self.gamma!r}")
        if self.k_table is not None and not isinstance(self.k_table, Table):
            raise InputError(
                f"gas {self.name!r}: k_table must be a Table of k (W/(m K)) against T (K), "
                f"got {self.k_table!r}"
            )

    @property
    def beta(self) -> float:
        """``beta = 2 gamma/((gamma + 1) Pr)`` [-]."""
        return 2.0 * self.gamma / ((self.gamma + 1.0) * self.Pr)

    def mean_free_path(self, T: Any, p_gas: float) -> Any:
        """``Lambda = mfp0 (T/T0)(p0/p_gas)`` [m] (hard-sphere scaling)."""
        return self.mfp0 * (T / self.T0) * (self.p0 / p_gas)

    @property
    def temperature_dependent(self) -> bool:
        """True if k_g depends on T (a ``k_table`` or a ``k_law`` is given)."""
        return self.k_table is not None or self.k_law is not None

    def conductivity(self, T: Any) -> Any:
        """``k_g(T)`` [W/(m K)] at gas temperature ``T`` [K] (NumPy or UFL).

        The fit ``k_law(T)``; else ``k_g`` scaled by ``k_table(T)/k_table(T0)``; else
        ``k_g``.
        """
        if self.k_law is not None:
            return self.k_law(T)
        if self.k_table is None:
            return constant_like(self.k_g, T, T) if is_numeric(T) else self.k_g
        scale = self.k_g / float(self.k_table(self.T0))
        return scale * self.k_table(T)


_KBA = (
    "Karniadakis, Beskok & Aluru, Microflows and Nanoflows (Springer, 2005), Table 1.1 "
    "(298 K, 1 atm): k_g and mean free path; Pr = mu c_p / k_g from the same table; "
    "gamma = ideal-gas value"
)

_CENGEL_AIR = (
    "Cengel, property tables (SI units), 'Properties of air at 1 atm pressure', thermal "
    "conductivity column, -150 to 1000 C"
)
_AIR_C = (-150, -100, -50, 0, 25, 50, 100, 140, 200, 300, 400, 500, 600, 800, 1000)
_AIR_K = (
    0.01171,
    0.01582,
    0.01979,
    0.02364,
    0.02551,
    0.02735,
    0.03095,
    0.03374,
    0.03779,
    0.04418,
    0.05015,
    0.05572,
    0.06093,
    0.07037,
    0.07868,
)
#: Air conductivity at 1 atm, W/(m K), 123-1273 K (the temperature dependence of k_g).
AIR_CONDUCTIVITY = Table(
    tuple(t + 273.15 for t in _AIR_C),
    _AIR_K,
    name="air conductivity (1 atm)",
    unit="W/(m K)",
    source=_CENGEL_AIR,
)

_MATPRO = (
    "MATPRO gas conductivity correlation k = A T^B (GASCON; NUREG/CR-6150 Vol. 4 / "
    "MATPRO-11, NUREG/CR-0497), as used by BISON and MOOSE (MOOSE test "
    "gap_heat_transfer_radiation_test.i: helium 2.639e-3 T^0.7085)"
)
#: k_g(T) = A T^B fits (MATPRO), W/(m K) with T in K
MATPRO_GAS_CONDUCTIVITY = {
    "helium": PowerLaw(2.639e-3, 0.7085, _MATPRO),
    "argon": PowerLaw(2.986e-4, 0.7224, _MATPRO),
    "nitrogen": PowerLaw(5.314e-4, 0.6898, _MATPRO),
}


def _fitted(name: str, gamma: float, Pr: float, mfp0: float) -> GasProperties:
    """A gas with k_g(T) from the MATPRO fit; ``k_g`` is the fit at 298 K."""
    law = MATPRO_GAS_CONDUCTIVITY[name]
    return GasProperties(
        name, float(law(298.0)), gamma, Pr, mfp0, 298.0, 101325.0,
        f"{_KBA} (mean free path, Pr, gamma); k_g(T): {_MATPRO}", None, law,
    )  # fmt: skip


#: Gas data at 298 K and 1 atm (101325 Pa).
GASES: dict[str, GasProperties] = {
    "air": GasProperties(
        "air",
        0.0261,
        1.40,
        0.712,
        61.11e-9,
        298.0,
        101325.0,
        f"{_KBA}; k_g(T)/k_g(298 K): {_CENGEL_AIR}",
        AIR_CONDUCTIVITY,
    ),
    "nitrogen": _fitted("nitrogen", 1.40, 0.719, 60.44e-9),
    "helium": _fitted("helium", 5.0 / 3.0, 0.694, 176.51e-9),
    "argon": _fitted("argon", 5.0 / 3.0, 0.666, 64.41e-9),
}


def get_gas(gas: str | GasProperties) -> GasProperties:
    """Look up a gas by name (case-insensitive) or pass a :class:`GasProperties` through."""
    if isinstance(gas, GasProperties):
        return gas
    key = str(gas).lower()
    if key not in GASES:
        raise unknown_name_error("gas", str(gas), GASES)
    return GASES[key]


def separation_from_pressure(relative_pressure: float, sigma: float) -> float:
    """Mean-plane separation ``Y = sqrt(2) sigma erfcinv(2 P/H_c)`` [m].

    ``relative_pressure = P/H_c`` must lie in [0, 0.5); 0 gives ``Y = inf``.
    """
    rp = check_nonnegative(relative_pressure, "relative pressure P/H_c")
    if rp >= 0.5:
        raise InputError(f"relative pressure P/H_c must be < 0.5 (Y >= 0), got {rp!r}")
    sigma = check_positive(sigma, "sigma", "m")
    if rp == 0.0:
        return math.inf
    return math.sqrt(2.0) * sigma * float(erfcinv(2.0 * rp))


# Gauss-Legendre rules for the gap integral
_GL_A = np.polynomial.legendre.leggauss(64)
_GL_B = np.polynomial.legendre.leggauss(160)


def _gl(a: np.ndarray, b: np.ndarray, rule: tuple[np.ndarray, np.ndarray]):
    x, w = rule
    half = 0.5 * (b - a)[..., None]
    nodes = 0.5 * (a + b)[..., None] + half * x
    return nodes, half * w


def gap_integral(y: float, a: Any) -> np.ndarray:
    """``I(y, a) = int_0^inf exp(-(y - u)^2/2)/(u + a) du`` for ``y >= 0``, ``a > 0``.

    ``a`` may be an array.  Near ``u = 0`` the substitution ``s = ln(u + a)`` removes the
    1/(u + a) peak; the Gaussian bulk is integrated directly.  Accuracy ~1e-10 relative.
    """
    a = np.asarray(a, dtype=float)
    u_hi = y + 12.0
    u_lo = max(y - 9.0, 0.0)
    total = np.zeros_like(a)
    if u_lo == 0.0:
        # part 1: u in [0, 0.5] via s = ln(u + a)
        s0 = np.log(a)
        s1 = np.log(a + 0.5)
        s, w = _gl(s0, s1, _GL_A)
        u = np.exp(s) - a[..., None]
        total = total + np.sum(w * np.exp(-0.5 * (y - u) ** 2), axis=-1)
        u_lo = 0.5
    lo = np.full_like(a, u_lo)
    hi = np.full_like(a, u_hi)
    u, w = _gl(lo, hi, _GL_B)
    total = total + np.sum(w * np.exp(-0.5 * (y - u) ** 2) / (u + a[..., None]), axis=-1)
    return total


@dataclass(frozen=True)
class GasGapConductance:
    """Yovanovich gas-gap conductance ``h_g`` [W/(m^2 K)] (see module docstring).

    Parameters
    ----------
    gas:                gas name (``air``, ``nitrogen``, ``helium``, ``argon``) or
                        :class:`GasProperties`.
    sigma:              joint RMS roughness [m], > 0; needed by ``relative_pressure``
                        and by ``form="integral"`` (not by ``Y`` with ``form="simple"``).
    p_gas:              gas pressure [Pa], >= 0 (0 = vacuum, ``h_g = 0``).
    accommodation_plus, accommodation_minus:
                        thermal accommodation coefficients of the two faces, in (0, 1].
    relative_pressure:  contact ``P/H_c`` in [0, 0.5), used to compute ``Y`` ...
    Y:                  ... or the mean-plane separation [m] given directly (exactly one).
    T_gas:              fixed gas temperature [K] for the mean free path; ``None`` (default)
                        uses ``(T_plus + T_minus)/2`` (temperature-dependent law).
    form:               ``"integral"`` (default) or ``"simple"``.
    k_g:                the gas conductivity [W/(m K)]: a number (constant), or a
                        :class:`~fe_interface.model.properties.Table` of k_g(T) (K);
                        default: the gas's ``k_g(T)`` at the gas temperature.
    jump_distance:      the temperature-jump distance ``M`` [m] (>= 0) given directly,
                        instead of ``p_gas`` and the accommodation coefficients (MOOSE's
                        jump distances; 0: continuum, ``h_g = k_g/Y``).
    """

    case: ClassVar[LawDeclaration] = LawDeclaration(
        "gas_gap",
        (
            LawParameter("gas", "gas", True, doc="`air`, `nitrogen`, `helium`, `argon`"),
            LawParameter("sigma", "pos", unit="m", doc="needed by `relative_pressure` and `form = \"integral\"`"),
            LawParameter("p_gas", "nonneg", unit="Pa"),
            LawParameter("accommodation_plus", "unit"),
            LawParameter("accommodation_minus", "unit"),
            LawParameter("relative_pressure", "nonneg", doc="P/H_c; one of it and `Y`"),
            LawParameter("Y", "nonneg", unit="m", doc="the mean-plane separation"),
            LawParameter("T_gas", "temperature", unit="K", doc="default: the interface mean temperature"),
            LawParameter("form", "str", choices=("integral", "simple")),
            LawParameter("k_g", "kg", unit="W/(m K)", doc="default: the gas's k_g(T), see below"),
            LawParameter("jump_distance", "nonneg", unit="m", doc="the temperature-jump distance M instead of `p_gas` and the accommodation coefficients; 0 = continuum"),
        ),
        "Yovanovich gas-gap conductance; the mean free path ∝ T/p at `T_gas` or at the "
        "interface mean temperature",
    )  # fmt: skip

    gas: Any
    sigma: float | None = None
    p_gas: float | None = None
    accommodation_plus: float | None = None
    accommodation_minus: float | None = None
    relative_pressure: float | None = None
    Y: float | None = None
    T_gas: float | None = None
    form: str = "integral"
    k_g: Any = None
    jump_distance: float | None = None
    k_g_fixed: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "gas", get_gas(self.gas))
        if self.form not in ("integral", "simple"):
            raise InputError(f"form must be 'integral' or 'simple', got {self.form!r}")
        self._check_gas_state()
        if (self.relative_pressure is None) == (self.Y is None):
            raise InputError("give exactly one of relative_pressure (P/H_c) and Y")
        needs_sigma = self.relative_pressure is not None or self.form == "integral"
        if self.sigma is None and needs_sigma:
            why = "relative_pressure" if self.relative_pressure is not None else 'form "integral"'
            raise InputError(f"sigma (joint RMS roughness, m) is needed with {why}")
        check_declared(self, ("sigma",))
        if self.relative_pressure is not None:  # then Y is None (exactly one is given)
            Y = separation_from_pressure(self.relative_pressure, cast(float, self.sigma))
        else:
            Y = check_nonnegative(self.Y, "Y (mean-plane separation)", "m")
        object.__setattr__(self, "Y", Y)
        if self.T_gas is not None:
            object.__setattr__(self, "T_gas", check_positive(self.T_gas, "T_gas", "K"))
        fixed = self.k_g is not None and not isinstance(self.k_g, Table)
        kg = self.k_g
        if self.k_g is None:
            kg = self.gas.k_g
        elif fixed:
            kg = check_positive(self.k_g, "k_g", "W/(m K)")
        object.__setattr__(self, "k_g", kg)
        object.__setattr__(self, "k_g_fixed", fixed)

    def _check_gas_state(self) -> None:
        """p_gas and the accommodation coefficients, or a jump distance (exactly one)."""
        state = (self.p_gas, self.accommodation_plus, self.accommodation_minus)
        if self.jump_distance is not None:
            if any(v is not None for v in state):
                raise InputError(
                    "give either jump_distance (m) or p_gas and the accommodation coefficients"
                )
            check_declared(self, ("jump_distance",))
            return
        missing = [
            n for n, v in zip(("p_gas", "accommodation_plus", "accommodation_minus"), state,
                              strict=True) if v is None
        ]  # fmt: skip
        if missing:
            raise InputError(
                f"give {', '.join(missing)} (or jump_distance, m, the temperature-jump distance)"
            )
        check_declared(self, ("p_gas", "accommodation_plus", "accommodation_minus"))

    # -- derived parameters -------------------------------------------------------------
    @property
    def alpha(self) -> float:
        """Accommodation parameter ``(2 - a1)/a1 + (2 - a2)/a2`` [-] (NaN with a jump distance)."""
        if self.jump_distance is not None:
            return math.nan
        a1 = cast(float, self.accommodation_plus)
        a2 = cast(float, self.accommodation_minus)
        return (2.0 - a1) / a1 + (2.0 - a2) / a2

    @property
    def vacuum(self) -> bool:
        """True without gas (``p_gas = 0``) or without contact (``Y = inf``): h_g = 0."""
        return self.p_gas == 0.0 or math.isinf(cast(float, self.Y))  # set by __post_init__

    @property
    def temperature_dependent(self) -> bool:
        """True unless ``T_gas`` is fixed (or vacuum, or nothing depends on T).

        Nothing depends on T with a ``jump_distance`` and a constant ``k_g``.
        """
        if self.T_gas is not None or self.vacuum:
            return False
        constant_k = self.k_g_fixed or (
            not isinstance(self.k_g, Table) and not self.gas.temperature_dependent
        )
        return not (self.jump_distance is not None and constant_k)

    @property
    def kind(self) -> str:
        """Kind "temperature" (h of the mean temperature: Newton), or "constant" (:attr:`h`)."""
        return "temperature" if self.temperature_dependent else "constant"

    @property
    def h(self) -> float:
        """The conductance (W/(m² K)) of a gap whose h does not depend on T.

        At ``T_gas`` (K; 300 K when nothing depends on T).

        Raises:
            InputError: h depends on temperature (kind "temperature").
        """
        if self.temperature_dependent:
            raise InputError("GasGapConductance: h depends on temperature (no single h)")
        return float(self.h_at(self.T_gas or 300.0))

    @property
    def supports_ufl(self) -> bool:
        """True if the law can be written in UFL (Newton's Jacobian)."""
        return self.form == "simple" or not self.temperature_dependent

    def gas_conductivity(self, T: Any) -> Any:
        """``k_g`` [W/(m K)] at gas temperature ``T`` [K].

        Constant if given as a number, the table if given as one, else the gas's ``k_g(T)``.
        """
        if isinstance(self.k_g, Table):
            return self.k_g(T)
        if self.k_g_fixed or not self.gas.temperature_dependent:
            k_g = cast(float, self.k_g)  # set by __post_init__
            return constant_like(k_g, T, T) if is_numeric(T) else k_g
        return self.gas.conductivity(T)

    def rarefaction_parameter(self, T: Any) -> Any:
        """``M = alpha beta Lambda(T)`` [m] at gas temperature ``T`` [K] (needs p_gas > 0).

        With a ``jump_distance``: that distance.
        """
        if self.jump_distance is not None:
            return constant_like(self.jump_distance, T, T) if is_numeric(T) else self.jump_distance
        return self.alpha * self.gas.beta * self.gas.mean_free_path(T, cast(float, self.p_gas))

    def h_at(self, T: Any) -> Any:
        """Gap conductance [W/(m^2 K)] at gas temperature ``T`` [K]."""
        if self.vacuum:
            return constant_like(0.0, T, T)
        M = self.rarefaction_parameter(T)
        k_g = self.gas_conductivity(T)
        if self.form == "simple":
            return k_g / (self.Y + M)
        if not is_numeric(T):
            raise TypeError(
                "the integral gas-gap form needs numeric temperatures; use form='simple', a "
                "fixed T_gas, or tabulate() for symbolic (UFL) use"
            )
        Tn = np.asarray(T, dtype=float)
        if np.any(Tn <= 0.0):
            raise InputError("gas temperature must be > 0 K")
        s = cast(float, self.sigma)
        val = k_g / (math.sqrt(2.0 * math.pi) * s) * gap_integral(cast(float, self.Y) / s, M / s)
        return float(val) if val.ndim == 0 else val

    def conductance(self, T_plus: Any, T_minus: Any) -> Any:
        """``h_g`` [W/(m^2 K)]; gas temperature ``T_gas`` or ``(T_plus + T_minus)/2``."""
        if self.T_gas is not None or self.vacuum:
            return constant_like(self.h, T_plus, T_minus)
        return self.h_at(0.5 * (T_plus + T_minus))

    def tabulate(self, T_min: float, T_max: float, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``(T, h_g(T))`` on ``n`` equally spaced gas temperatures [K]."""
        T = np.linspace(check_positive(T_min, "T_min", "K"), check_positive(T_max, "T_max"), n)
        return T, np.asarray(self.h_at(T), dtype=float) * np.ones_like(T)
