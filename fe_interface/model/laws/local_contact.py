"""The local thermal contact law h(P, g, T⁺, T⁻) driven by the contact mechanics.

At every point x of a contact interface the elastic contact solve gives the contact
pressure P(x) ≥ 0 (Pa) and the gap g(x) ≥ 0 (m, zero where the surfaces touch).  The
joint conductance is the sum of three parallel paths (W/(m² K)), each the law of
:mod:`fe_interface.model.laws` evaluated with the local values:

* solid spots, where P > 0:

  - ``solid="cmy"``: Cooper–Mikic–Yovanovich, h_s = 1.25 k_s (m/σ) (P/H_c)^0.95
    (:class:`~fe_interface.model.laws.CMYPlasticConductance`);
  - ``solid="mikic"``: Mikic elastic, h_s = 1.54 k_s (m/σ) (√2 P/(m E'))^0.94
    (:class:`~fe_interface.model.laws.MikicElasticConductance`);

  the same formulas as those constant laws (one implementation:
  :func:`~fe_interface.model.laws.contact.cmy_conductance`,
  :func:`~fe_interface.model.laws.contact.mikic_conductance`), with their configurable
  ``coefficient`` and ``exponent``, and with a :class:`VickersMicrohardness` its own
  ``size_factor`` and ``exponent_factor`` (they were hard-coded here: h was 2.8 % / 3.1 %
  off the constant law with the same settings);

* interstitial gas (Yovanovich gas gap,
  :class:`~fe_interface.model.laws.GasGapConductance`) across the local mean-plane
  separation

      Y(x) = √2 σ erfc⁻¹(2 max(P/H_c, r_min)) + g(x),

  the roughness-based separation of the plastic contact model plus the opened gap;
  below r_min (``relative_pressure_min``, default 1e-5, the lower end of the CMY
  correlation) the asperity separation is frozen at its first-touch value
  √2 σ erfc⁻¹(2 r_min) (≈ 4.3 σ) so that Y stays finite and continuous where P → 0;
* radiation between the faces (:class:`~fe_interface.model.laws.GapRadiation`,
  independent of the gap width).

Temperatures enter only the gas (mean free path at (T⁺ + T⁻)/2 unless ``T_gas`` is
fixed) and radiation.  Everything is NumPy, vectorised over the points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import erfcinv

from fe_interface.errors import InputError
from fe_interface.model.laws import (
    ContactPair,
    GapRadiation,
    GasGapConductance,
    VickersMicrohardness,
)
from fe_interface.model.laws.contact import (
    CMY_CORRELATION,
    MIKIC_CORRELATION,
    check_correlation,
    cmy_conductance,
    mikic_conductance,
)
from fe_interface.model.laws.gas import gap_integral
from fe_interface.model.validation import check_positive, check_unit_interval

__all__ = ["GasFill", "LocalContactLaw"]

_SOLID = ("cmy", "mikic", "none")


@dataclass(frozen=True)
class GasFill:
    """The gas in the gap (parameters of :class:`GasGapConductance` except Y).

    Attributes:
        gas: name (``air``, ``nitrogen``, ``helium``, ``argon``) or GasProperties.
        p_gas: gas pressure, Pa (0 = vacuum).
        accommodation_plus, accommodation_minus: thermal accommodation coefficients of
            the two faces, in (0, 1].
        T_gas: fixed gas temperature, K, or None for the local mean (T⁺ + T⁻)/2.
        form: "simple" (k_g/(Y + M)) or "integral" (Yovanovich's integral).
        k_g: gas conductivity override, W/(m K).
    """

    gas: Any = "air"
    p_gas: float = 101325.0
    accommodation_plus: float = 1.0
    accommodation_minus: float = 1.0
    T_gas: float | None = None
    form: str = "simple"
    k_g: float | None = None

    def law(self, sigma: float, Y: float) -> GasGapConductance:
        """The gas-gap law of this gas.

        For the joint roughness ``sigma`` (m) and the mean-plane separation ``Y`` (m).
        """
        return GasGapConductance(
            self.gas, sigma, self.p_gas, self.accommodation_plus, self.accommodation_minus,
            Y=Y, T_gas=self.T_gas, form=self.form, k_g=self.k_g,
        )  # fmt: skip


@dataclass(frozen=True)
class LocalContactLaw:
    """h(P, g, T⁺, T⁻) of a contact interface (see the module docstring).

    Attributes:
        pair: the two rough surfaces (σ, m, k; E and ν for the Mikic law).
        H_c: microhardness, Pa, or a :class:`VickersMicrohardness` (needed by the CMY
            law and by the gas gap's separation).
        solid: "cmy" (plastic, default), "mikic" (elastic) or "none".
        gas: the gas in the gap, or None (vacuum).
        radiation: gap radiation, or None.
        relative_pressure_min: r_min of the separation (dimensionless, in (0, 0.5)).
        name: label in messages.
        coefficient, exponent: the solid-spot correlation's constants (dimensionless);
            default: the published ones of ``solid`` (CMY 1.25, 0.95; Mikic 1.54, 0.94).
    """

    pair: ContactPair
    H_c: Any = None
    solid: str = "cmy"
    gas: GasFill | None = None
    radiation: GapRadiation | None = None
    relative_pressure_min: float = 1.0e-5
    name: str = "contact"
    coefficient: float | None = None
    exponent: float | None = None
    _gas_law: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        owner = f"contact law {self.name!r}"
        if not isinstance(self.pair, ContactPair):
            raise InputError(f"{owner}: pair must be a ContactPair, got {self.pair!r}")
        if self.solid not in _SOLID:
            raise InputError(f"{owner}: solid must be one of {list(_SOLID)}, got {self.solid!r}")
        needs_hc = self.solid == "cmy" or self.gas is not None
        if self.H_c is None and needs_hc:
            raise InputError(
                f"{owner}: H_c (microhardness, Pa) is needed by the CMY law and the gas gap"
            )
        if self.H_c is not None and not isinstance(self.H_c, VickersMicrohardness):
            object.__setattr__(self, "H_c", check_positive(self.H_c, "H_c", "Pa", owner))
        if self.solid == "mikic":
            try:
                self.pair.E_prime  # noqa: B018 -- raises if E/nu are missing
            except InputError as e:
                raise InputError(f"{owner}: Mikic law: {e}") from None
        c0, e0 = MIKIC_CORRELATION if self.solid == "mikic" else CMY_CORRELATION
        coefficient, exponent = check_correlation(
            f"{owner}: solid",
            c0 if self.coefficient is None else self.coefficient,
            e0 if self.exponent is None else self.exponent,
        )
        object.__setattr__(self, "coefficient", coefficient)
        object.__setattr__(self, "exponent", exponent)
        r = check_unit_interval(self.relative_pressure_min, "relative_pressure_min", owner)
        if r >= 0.5:
            raise InputError(f"{owner}: relative_pressure_min must be < 0.5, got {r!r}")
        self._check_gaps(owner)

    def _check_gaps(self, owner: str) -> None:
        """Check the gas and the radiation; build the gas law once (Y is per point)."""
        if self.gas is not None:
            if not isinstance(self.gas, GasFill):
                raise InputError(f"{owner}: gas must be a GasFill, got {self.gas!r}")
            try:
                object.__setattr__(self, "_gas_law", self.gas.law(self.pair.sigma, 0.0))
            except InputError as e:
                raise InputError(f"{owner}: gas: {e}") from None
        if self.radiation is not None and not isinstance(self.radiation, GapRadiation):
            raise InputError(f"{owner}: radiation must be a GapRadiation, got {self.radiation!r}")

    # ------------------------------------------------------------------ pieces
    @property
    def temperature_dependent(self) -> bool:
        """True when h depends on T (radiation, or a gas without fixed T_gas)."""
        gas = self.gas
        gas_t = (
            self._gas_law is not None and gas is not None and gas.T_gas is None and gas.p_gas > 0
        )
        return self.radiation is not None or gas_t

    @property
    def correlation(self) -> tuple[float, float]:
        """(coefficient, exponent) of the solid-spot correlation (dimensionless)."""
        return float(self.coefficient or 0.0), float(self.exponent or 0.0)  # set when made

    def relative_pressure(self, P: Any) -> np.ndarray:
        """P/H_c (dimensionless) at pressures P (Pa).

        The plastic relation of the CMY law (Song–Yovanovich explicit form for a Vickers
        microhardness).
        """
        P = np.maximum(np.asarray(P, dtype=float), 0.0)
        H = self.H_c
        if isinstance(H, VickersMicrohardness):
            return H.relative_pressures(P, self.pair.sigma, self.pair.m)
        return P / float(H)

    def separation(self, P: Any, g: Any) -> np.ndarray:
        """Mean-plane separation of the gas gap Y(P) + g (m), Y frozen below r_min."""
        r = np.maximum(self.relative_pressure(P), self.relative_pressure_min)
        if np.any(r >= 0.5):
            raise InputError(
                f"contact law {self.name!r}: P/H_c = {float(np.max(r)):.3g} >= 0.5: the "
                "contact pressure exceeds what the gas-gap separation model allows"
            )
        Y = math.sqrt(2.0) * self.pair.sigma * erfcinv(2.0 * r)
        return Y + np.maximum(np.asarray(g, dtype=float), 0.0)

    def solid_conductance(self, P: Any) -> np.ndarray:
        """Solid-spot conductance h_s(P), W/(m² K) (0 where P = 0)."""
        P = np.maximum(np.asarray(P, dtype=float), 0.0)
        c, e = self.correlation
        if self.solid == "none":
            return np.zeros_like(P)
        if self.solid == "mikic":
            return np.asarray(mikic_conductance(self.pair, P, c, e))
        rel = self.relative_pressure(P)
        if np.any(rel >= 1.0):
            raise InputError(
                f"contact law {self.name!r}: contact pressure {float(P.max()):.6g} Pa exceeds "
                f"the microhardness (P/H_c = {float(rel.max()):.3g} >= 1): the plastic "
                "contact model does not apply"
            )
        return np.asarray(cmy_conductance(self.pair, rel, c, e))

    def gas_conductance(self, P: Any, g: Any, T_plus: Any, T_minus: Any) -> np.ndarray:
        """Gas-gap conductance across Y(P) + g, W/(m² K) (0 without gas)."""
        P = np.asarray(P, dtype=float)
        if self._gas_law is None or self._gas_law.vacuum:
            return np.zeros_like(P)
        law, gas = self._gas_law, self.gas
        assert gas is not None  # the gas law is built from it
        Y = self.separation(P, g)
        T = (
            gas.T_gas
            if gas.T_gas is not None
            else 0.5 * (np.asarray(T_plus, float) + np.asarray(T_minus, float))
        )
        T = np.asarray(T, float)
        M = np.broadcast_to(law.rarefaction_parameter(T), Y.shape)
        k = np.broadcast_to(law.gas_conductivity(T), Y.shape)  # k_g(T), W/(m K)
        if law.form == "simple":
            return k / (Y + M)
        s = law.sigma
        out = np.empty(Y.shape)
        for i in np.ndindex(Y.shape):  # the integral form: one quadrature per point
            out[i] = k[i] / (math.sqrt(2.0 * math.pi) * s) * gap_integral(Y[i] / s, M[i] / s)
        return out

    def breakdown(self, P: Any, g: Any, T_plus: Any, T_minus: Any) -> dict[str, np.ndarray]:
        """The ``{"solid", "gas", "radiation", "total"}`` conductances, W/(m² K).

        At points with pressure P (Pa), gap g (m) and face temperatures T⁺, T⁻ (K).
        """
        P = np.asarray(P, dtype=float)
        shape = np.broadcast(P, np.asarray(g), np.asarray(T_plus), np.asarray(T_minus)).shape
        hs = np.broadcast_to(self.solid_conductance(P), shape)
        hg = np.broadcast_to(self.gas_conductance(P, g, T_plus, T_minus), shape)
        if self.radiation is not None:
            Tp = np.broadcast_to(np.asarray(T_plus, float), shape)
            Tm = np.broadcast_to(np.asarray(T_minus, float), shape)
            hr = np.asarray(self.radiation.conductance(Tp, Tm), float)
        else:
            hr = np.zeros(shape)
        return {"solid": hs, "gas": hg, "radiation": hr, "total": hs + hg + hr}

    def conductance(self, P: Any, g: Any, T_plus: Any, T_minus: Any) -> np.ndarray:
        """Total h(P, g, T⁺, T⁻), W/(m² K)."""
        return self.breakdown(P, g, T_plus, T_minus)["total"]
