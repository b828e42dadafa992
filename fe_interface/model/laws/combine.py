"""Combining interface mechanisms.

Units: conductances [W/(m^2 K)], resistances [m^2 K/W], temperatures [K].

* :class:`ContactConductance` -- parallel heat paths through a rough contact
  (solid spots, interstitial gas, gap radiation)::

      h_contact = h_solid + h_gas + h_rad

* :class:`SeriesResistance` -- contact conductance in series with a phonon boundary
  (Kapitza) resistance::

      R_total = 1/h_contact + R_K,    h_total = h_contact h_K / (h_contact + h_K)

  Either part may be omitted ("Kapitza only" / "contact only").

Both expose ``breakdown(T_plus, T_minus)`` returning the conductance of every mechanism
and, for the series law, the share of the interface temperature jump across the Kapitza
resistance, ``R_K / R_total``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.interfaces import constant_conductance
from fe_interface.model.validation import LawDeclaration, LawParameter

from .common import InterfaceLaw, is_numeric


def _check_law(name: str, law: Any, required: bool) -> None:
    if law is None:
        if required:
            raise InputError(f"{name} law is required")
        return
    if not callable(getattr(law, "conductance", None)) or not hasattr(law, "temperature_dependent"):
        raise InputError(
            f"{name} must implement the InterfaceLaw protocol (conductance(T_plus, T_minus) "
            f"and temperature_dependent), got {law!r}"
        )


def _supports_ufl(law: Any) -> bool:
    return bool(getattr(law, "supports_ufl", False))


@dataclass(frozen=True)
class ContactConductance:
    """Parallel contact conductance ``h_solid + h_gas + h_rad`` [W/(m^2 K)].

    Parameters
    ----------
    solid:      solid-spot law (e.g. ``CMYPlasticConductance``), or None for an open gap.
    gas:        optional gap-gas law (e.g. ``GasGapConductance``).
    radiation:  optional gap-radiation law (e.g. ``GapRadiation``).

    At least one of the three; an open gap (no solid contact) is gas and/or radiation.
    """

    case: ClassVar[LawDeclaration] = LawDeclaration(
        "contact",
        (
            LawParameter("solid", "law"),
            LawParameter("gas", "law"),
            LawParameter("radiation", "law"),
        ),
        "parallel paths h_solid + h_gas + h_radiation (at least one; without `solid`: an open gap)",
    )

    solid: InterfaceLaw | None = None
    gas: InterfaceLaw | None = None
    radiation: InterfaceLaw | None = None

    def __post_init__(self) -> None:
        if self.solid is None and self.gas is None and self.radiation is None:
            raise InputError(
                "ContactConductance needs a solid, gas or radiation law (at least one)"
            )
        _check_law("solid", self.solid, False)
        _check_law("gas", self.gas, False)
        _check_law("radiation", self.radiation, False)

    @property
    def parts(self) -> dict[str, InterfaceLaw]:
        """The mechanisms present, by name."""
        return {
            k: v
            for k, v in (("solid", self.solid), ("gas", self.gas), ("radiation", self.radiation))
            if v is not None
        }

    @property
    def temperature_dependent(self) -> bool:
        """True if any mechanism depends on temperature."""
        return any(law.temperature_dependent for law in self.parts.values())

    @property
    def kind(self) -> str:
        """Kind "temperature" if a mechanism depends on T (Newton), else "constant" (:attr:`h`)."""
        return "temperature" if self.temperature_dependent else "constant"

    @property
    def h(self) -> float:
        """The sum of the mechanisms' constant conductances, W/(m² K) (kind "constant").

        Raises:
            InputError: a mechanism depends on temperature.
        """
        if self.temperature_dependent:
            raise InputError("ContactConductance: h depends on temperature (no single h)")
        return sum((constant_conductance(law) for law in self.parts.values()), 0.0)

    @property
    def supports_ufl(self) -> bool:
        """True if every mechanism accepts UFL temperatures."""
        return all(_supports_ufl(law) for law in self.parts.values())

    def conductance(self, T_plus: Any, T_minus: Any) -> Any:
        """``h_contact`` [W/(m^2 K)]."""
        total = 0.0
        for law in self.parts.values():
            total = total + law.conductance(T_plus, T_minus)
        return total

    def breakdown(self, T_plus: Any, T_minus: Any) -> dict[str, Any]:
        """Conductance of every mechanism and the total [W/(m^2 K)].

        ``{"solid": h_s, "gas": h_g, "radiation": h_r, "total": h}``; absent mechanisms
        give 0.
        """
        out: dict[str, Any] = {}
        for name in ("solid", "gas", "radiation"):
            law = getattr(self, name)
            out[name] = 0.0 if law is None else law.conductance(T_plus, T_minus)
        out["total"] = out["solid"] + out["gas"] + out["radiation"]
        return out


@dataclass(frozen=True)
class SeriesResistance:
    """Contact conductance in series with a Kapitza resistance.

    ``R_total = 1/h_contact + 1/h_K`` [m^2 K/W]; ``conductance`` returns
    ``h_contact h_K/(h_contact + h_K)`` [W/(m^2 K)] (UFL-friendly when both parts are).

    Parameters
    ----------
    contact:  contact law (any InterfaceLaw, e.g. :class:`ContactConductance`) or ``None``.
    kapitza:  Kapitza law (e.g. :class:`~fe_interface.laws.kapitza.KapitzaConductance` or
              :class:`~fe_interface.laws.basic.ConstantResistance`) or ``None``.
    At least one must be given.
    """

    case: ClassVar[LawDeclaration] = LawDeclaration(
        "series",
        (LawParameter("contact", "law"), LawParameter("kapitza", "law")),
        "a contact law in series with a Kapitza law (at least one)",
    )

    contact: InterfaceLaw | None = None
    kapitza: InterfaceLaw | None = None

    def __post_init__(self) -> None:
        if self.contact is None and self.kapitza is None:
            raise InputError("SeriesResistance needs a contact law, a kapitza law, or both")
        _check_law("contact", self.contact, False)
        _check_law("kapitza", self.kapitza, False)

    @classmethod
    def kapitza_only(cls, kapitza: InterfaceLaw) -> SeriesResistance:
        """Perfect (welded) contact: only the phonon boundary resistance."""
        return cls(contact=None, kapitza=kapitza)

    @classmethod
    def contact_only(cls, contact: InterfaceLaw) -> SeriesResistance:
        """Contact conductance without a Kapitza resistance."""
        return cls(contact=contact, kapitza=None)

    @property
    def temperature_dependent(self) -> bool:
        """True if the contact or the Kapitza part depends on temperature."""
        return any(
            law.temperature_dependent for law in (self.contact, self.kapitza) if law is not None
        )

    @property
    def kind(self) -> str:
        """Kind "temperature" if a part depends on T (Newton), else "constant" (:attr:`h`)."""
        return "temperature" if self.temperature_dependent else "constant"

    @property
    def h(self) -> float:
        """The series conductance of the parts' constant conductances, W/(m² K).

        Kind "constant" only; 0 when either part conducts nothing.

        Raises:
            InputError: a part depends on temperature.
        """
        if self.temperature_dependent:
            raise InputError("SeriesResistance: h depends on temperature (no single h)")
        parts = [constant_conductance(law) for law in (self.contact, self.kapitza) if law]
        if len(parts) == 1:
            return parts[0]
        hc, hk = parts
        return hc * hk / (hc + hk) if hc + hk > 0 else 0.0

    @property
    def supports_ufl(self) -> bool:
        """True if both parts accept UFL temperatures."""
        return all(_supports_ufl(law) for law in (self.contact, self.kapitza) if law is not None)

    def conductance(self, T_plus: Any, T_minus: Any) -> Any:
        """``h_total`` [W/(m^2 K)]."""
        if self.kapitza is None:
            assert self.contact is not None  # __post_init__: at least one of the two
            return self.contact.conductance(T_plus, T_minus)
        if self.contact is None:
            return self.kapitza.conductance(T_plus, T_minus)
        hc = self.contact.conductance(T_plus, T_minus)
        hk = self.kapitza.conductance(T_plus, T_minus)
        if is_numeric(hc) and is_numeric(hk):
            hc, hk = np.asarray(hc, float), np.asarray(hk, float)
            s = hc + hk
            val = np.where(s > 0, hc * hk / np.where(s > 0, s, 1.0), 0.0)
            return float(val) if val.ndim == 0 else val
        return hc * hk / (hc + hk)

    def breakdown(self, T_plus: Any, T_minus: Any) -> dict[str, Any]:
        """Numeric breakdown (floats or arrays).

        Keys: ``contact`` and ``kapitza`` conductances [W/(m^2 K)] (``inf`` when absent, i.e.
        no resistance), ``R_contact``, ``R_kapitza``, ``R_total`` [m^2 K/W], ``total``
        [W/(m^2 K)], ``kapitza_share`` = ``R_K/R_total`` (fraction of the temperature jump
        across the Kapitza resistance), and the per-mechanism entries of a contact law that
        has its own ``breakdown`` (prefixed ``contact_``).
        """
        out: dict[str, Any] = {}
        hc: float | np.ndarray
        with np.errstate(divide="ignore"):
            if self.contact is None:
                hc = np.inf
            else:
                hc = np.asarray(self.contact.conductance(T_plus, T_minus), float)
                sub = getattr(self.contact, "breakdown", None)
                if callable(sub):
                    for k, v in sub(T_plus, T_minus).items():
                        if k != "total":
                            out[f"contact_{k}"] = v
            hk = (
                np.inf
                if self.kapitza is None
                else np.asarray(self.kapitza.conductance(T_plus, T_minus), float)
            )
            Rc = 1.0 / np.asarray(hc, float)
            Rk = 1.0 / np.asarray(hk, float)
        Rt = Rc + Rk
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(np.isinf(Rt), np.where(np.isinf(Rk), 1.0, 0.0), Rk / Rt)
            total = 1.0 / Rt

        def f(x):
            x = np.asarray(x, float)
            return float(x) if x.ndim == 0 else x

        out.update(
            contact=f(hc),
            kapitza=f(hk),
            R_contact=f(Rc),
            R_kapitza=f(Rk),
            R_total=f(Rt),
            total=f(total),
            kapitza_share=f(share),
        )
        return out
