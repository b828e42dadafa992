"""A library of bulk materials with temperature-dependent properties and their sources.

Every entry carries its conductivity k (W/(m K)) and, where a source gives them, the
density ρ (kg/m³) and the specific heat c_p (J/(kg K)), each property with its citation
and its valid temperature range (K); evaluating or solving outside the range warns.

Entries (``fe-interface`` case files: ``library = "NAME"`` or
``conductivity = { library = "NAME" }``):

========================  ================================================  ============
name                      k(T) source                                       range (K)
========================  ================================================  ============
OFHC_RRR50 ... RRR500     NIST cryogenic fits (rational in √T), per RRR     4–300
Al6061_T6                 NIST cryogenic fit (log-polynomial)               1–300
SS304                     NIST cryogenic fit (log-polynomial)               1–300
Si                        Incropera et al. Table A.1 (PCHIP through it)     100–1500
Si_Glassbrenner_Slack     Glassbrenner & Slack (1964) smoothed values       50–1681
sapphire                  Incropera et al. Table A.2                        100–1000
Sn, Pb                    Incropera et al. Table A.1                        100–400/600
Sn63Pb37, SAC305          room-temperature values (see each entry)          250–350
========================  ================================================  ============

Left out for lack of a source found and checked here: indium, Sn-0.7Cu (two sources
disagree: 53 and 66 W/(m K)), gold–tin and other
die-attach solders, thermal greases, pads and other TIMs (their bulk k is
product-specific: use the data sheet's value), the specific heat of SS304 below 300 K.

The silicon conductivity at low temperature depends on the sample size (phonon
boundary scattering): :func:`casimir_conductivity` gives the boundary-scattering
(Casimir) limit from the phonon data of :mod:`fe_interface.model.laws.kapitza`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fe_interface.errors import InputError
from fe_interface.model.materials import Material, register_library
from fe_interface.model.properties import NISTCopperFit, PolyLog10, Polynomial, Property, Table

__all__ = [
    "LIBRARY",
    "LibraryEntry",
    "casimir_conductivity",
    "library_entry",
    "library_material",
]

_NIST = "NIST Cryogenic Technologies Group, Material Properties database (trc.nist.gov/cryogenics/materials)"
NIST_CU = (
    f"{_NIST}: OFHC Copper (UNS C10100/C10200), rev. 02/03/2010, "
    "https://trc.nist.gov/cryogenics/materials/OFHC%20Copper/OFHC_Copper_rev1.htm"
)
NIST_AL = (
    f"{_NIST}: 6061-T6 Aluminum (UNS A96061), "
    "https://trc.nist.gov/cryogenics/materials/6061%20Aluminum/6061_T6Aluminum_rev.htm"
)
NIST_SS = (
    f"{_NIST}: 304 Stainless (UNS S30400), "
    "https://trc.nist.gov/cryogenics/materials/304Stainless/304Stainless_rev.htm"
)
INCROPERA = (
    "Incropera, DeWitt, Bergman & Lavine, Fundamentals of Heat and Mass Transfer, 6th ed. "
    "(Wiley, 2007), Appendix A"
)
GS1964 = (
    "Glassbrenner & Slack, Thermal conductivity of silicon and germanium from 3 K to the "
    "melting point, Phys. Rev. 134, A1058 (1964), smoothed values for Si (W/(cm K)) as "
    "tabulated from the paper; 200 K value cross-checked against Olson (Cornell thesis, "
    "1993): 266-270 W/(m K)"
)
SOLDER_NIST = (
    "NIST/Colorado School of Mines, Database for Solder Properties with Emphasis on New "
    "Lead-free Solders, release 4.0 (2002), as tabulated in Wikipedia 'Solder alloys' "
    "(thermal conductivity column)"
)
SOLDER_ALASIR = (
    "alasir.com 'Solder alloys' reference table (compiled from manufacturers' data "
    "sheets): thermal conductivity and density"
)

#: NIST OFHC-copper conductivity coefficients (a..i) per RRR, fit error vs data (%)
NIST_CU_COEFFICIENTS: dict[int, tuple[tuple[float, ...], float]] = {
    50: (
        (1.8743, -0.41538, -0.6018, 0.13294, 0.26426, -0.0219, -0.051276, 0.0014871, 0.003723),
        2.0,
    ),
    100: (
        (2.2154, -0.47461, -0.88068, 0.13871, 0.29505, -0.02043, -0.04831, 0.001281, 0.003207),
        1.0,
    ),
    150: (
        (2.3797, -0.4918, -0.98615, 0.13942, 0.30475, -0.019713, -0.046897, 0.0011969, 0.0029988),
        2.0,
    ),
    300: ((1.357, 0.3981, 2.669, -0.1346, -0.6683, 0.01342, 0.05773, 0.0002147, 0.0), 1.0),
    500: (
        (2.8075, -0.54074, -1.2777, 0.15362, 0.36444, -0.02105, -0.051727, 0.0012226, 0.0030964),
        2.0,
    ),
}
#: NIST OFHC-copper specific heat, log10 c_p = Σ a_i (log10 T)^i, 4-300 K
NIST_CU_CP = (-1.91844, -0.15973, 8.61013, -18.996, 21.9661, -12.7328, 3.54322, -0.3797, 0.0)
#: NIST 6061-T6 conductivity and specific heat
NIST_AL_K = (0.07918, 1.0957, -0.07277, 0.08084, 0.02803, -0.09464, 0.04179, -0.00571, 0.0)
NIST_AL_CP = (46.6467, -314.292, 866.662, -1298.3, 1162.27, -637.795, 210.351, -38.3094, 2.96344)
#: NIST 304 stainless conductivity
NIST_SS_K = (-1.4087, 1.3982, 0.2543, -0.626, 0.2334, 0.4256, -0.4658, 0.165, -0.0199)


@dataclass(frozen=True)
class LibraryEntry:
    """A library material.

    Attributes:
        name: the library key.
        description: what the material is.
        conductivity: k, W/(m K) (a property of T with its source and range).
        density: ρ, kg/m³, or None.
        specific_heat: c_p, J/(kg K) (property or number), or None.
        source: the citations of ρ (and of anything not carried by the properties).
    """

    name: str
    description: str
    conductivity: Property
    density: float | None = None
    specific_heat: Any = None
    source: str = ""

    def material(self, label: str | None = None) -> Material:
        """A :class:`~fe_interface.model.materials.Material` of this entry."""
        return Material(label or self.name, self.conductivity, self.density, self.specific_heat)

    @property
    def valid_range(self) -> tuple[float, float] | None:
        """The conductivity's valid range, K."""
        return self.conductivity.valid_range

    def describe(self) -> dict[str, Any]:
        """Name, description, ranges and sources as plain data (CLI, JSON)."""
        cp = self.specific_heat
        return {
            "name": self.name,
            "description": self.description,
            "conductivity": {
                "unit": "W/(m K)",
                "valid_range_K": self.conductivity.valid_range,
                "source": self.conductivity.source,
            },
            "density_kg_m3": self.density,
            "specific_heat": None
            if cp is None
            else {
                "unit": "J/(kg K)",
                "valid_range_K": getattr(cp, "valid_range", None),
                "source": getattr(cp, "source", self.source),
            },
            "source": self.source,
        }


def _copper(rrr: int) -> LibraryEntry:
    coeffs, err = NIST_CU_COEFFICIENTS[rrr]
    k = NISTCopperFit(
        coeffs,
        name=f"OFHC_RRR{rrr} conductivity",
        source=f"{NIST_CU}, RRR = {rrr}, fit error vs data {err:g} %",
        valid_range=(4.0, 300.0),
    )
    cp = PolyLog10(
        NIST_CU_CP,
        name="OFHC copper specific heat",
        unit="J/(kg K)",
        source=f"{NIST_CU}, specific heat (fit error 10 % below 15 K, 5 % above)",
        valid_range=(4.0, 300.0),
    )
    return LibraryEntry(
        f"OFHC_RRR{rrr}",
        f"oxygen-free high-conductivity copper, residual-resistance ratio {rrr}",
        k,
        8933.0,
        cp,
        f"density: {INCROPERA}, Table A.1 (pure copper, 300 K)",
    )


def _table(T: tuple[float, ...], v: tuple[float, ...], name: str, unit: str, source: str) -> Table:
    return Table(T, v, name=name, unit=unit, source=source)


def _constant(
    value: float, name: str, source: str, lo: float = 250.0, hi: float = 350.0
) -> Polynomial:
    """A room-temperature value: constant, with the range where it was given."""
    return Polynomial((value,), name=name, unit="W/(m K)", source=source, valid_range=(lo, hi))


def _entries() -> dict[str, LibraryEntry]:
    out = {f"OFHC_RRR{r}": _copper(r) for r in NIST_CU_COEFFICIENTS}
    out["Al6061_T6"] = LibraryEntry(
        "Al6061_T6",
        "aluminium alloy 6061-T6",
        PolyLog10(
            NIST_AL_K,
            name="Al6061_T6 conductivity",
            unit="W/(m K)",
            source=f"{NIST_AL}, conductivity (equation range 1-300 K, fit error 0.5 %)",
            valid_range=(1.0, 300.0),
        ),
        2700.0,
        PolyLog10(
            NIST_AL_CP,
            name="Al6061_T6 specific heat",
            unit="J/(kg K)",
            source=f"{NIST_AL}, specific heat (fit error 5 %)",
            valid_range=(4.0, 300.0),
        ),
        "density: MatWeb/ASM data sheet for 6061-T6 aluminium, 2.70 g/cm^3",
    )
    out["SS304"] = LibraryEntry(
        "SS304",
        "austenitic stainless steel AISI 304 (no specific heat: give specific_heat)",
        PolyLog10(
            NIST_SS_K,
            name="SS304 conductivity",
            unit="W/(m K)",
            source=f"{NIST_SS}, conductivity (equation range 1-300 K)",
            valid_range=(1.0, 300.0),
        ),
        7900.0,
        None,
        f"density: {INCROPERA}, Table A.1 (AISI 304, 300 K)",
    )
    T_si = (100.0, 200.0, 300.0, 400.0, 600.0, 800.0, 1000.0, 1200.0, 1500.0)
    out["Si"] = LibraryEntry(
        "Si",
        "single-crystal silicon (bulk, near room temperature and above)",
        _table(
            T_si,
            (884.0, 264.0, 148.0, 98.9, 61.9, 42.2, 31.2, 25.7, 22.7),
            "Si conductivity",
            "W/(m K)",
            f"{INCROPERA}, Table A.1 (silicon)",
        ),
        2330.0,
        _table(
            T_si,
            (259.0, 556.0, 712.0, 790.0, 867.0, 913.0, 946.0, 967.0, 992.0),
            "Si specific heat",
            "J/(kg K)",
            f"{INCROPERA}, Table A.1 (silicon)",
        ),
        f"density: {INCROPERA}, Table A.1 (silicon, 300 K)",
    )
    T_gs = (
        50.0,
        60.0,
        70.0,
        80.0,
        90.0,
        100.0,
        125.0,
        150.0,
        175.0,
        200.0,
        250.0,
        300.0,
        400.0,
        500.0,
        600.0,
        700.0,
        800.0,
        900.0,
        1000.0,
        1100.0,
        1200.0,
        1300.0,
        1400.0,
        1500.0,
        1600.0,
        1681.0,
    )
    k_gs = (
        26.0,
        21.0,
        17.0,
        13.9,
        11.4,
        9.5,
        6.0,
        4.2,
        3.25,
        2.66,
        1.95,
        1.56,
        1.05,
        0.80,
        0.64,
        0.52,
        0.43,
        0.356,
        0.31,
        0.280,
        0.261,
        0.248,
        0.237,
        0.227,
        0.219,
        0.216,
    )
    out["Si_Glassbrenner_Slack"] = LibraryEntry(
        "Si_Glassbrenner_Slack",
        "high-purity single-crystal silicon, 50 K to the melting point",
        _table(
            T_gs,
            tuple(100.0 * k for k in k_gs),
            "Si (Glassbrenner-Slack) conductivity",
            "W/(m K)",
            GS1964,
        ),
        2330.0,
        None,
        f"density: {INCROPERA}, Table A.1 (silicon, 300 K)",
    )
    T_sa = (100.0, 200.0, 300.0, 400.0, 600.0, 800.0, 1000.0)
    out["sapphire"] = LibraryEntry(
        "sapphire",
        "aluminium oxide, single crystal (sapphire)",
        _table(
            T_sa,
            (450.0, 82.0, 46.0, 32.4, 18.9, 13.0, 10.5),
            "sapphire conductivity",
            "W/(m K)",
            f"{INCROPERA}, Table A.2 (aluminum oxide, sapphire)",
        ),
        3970.0,
        _table(
            (300.0, 400.0, 600.0, 800.0, 1000.0),
            (765.0, 940.0, 1110.0, 1180.0, 1225.0),
            "sapphire specific heat",
            "J/(kg K)",
            f"{INCROPERA}, Table A.2 (aluminum oxide, sapphire)",
        ),
        f"density: {INCROPERA}, Table A.2 (300 K)",
    )
    out["Sn"] = LibraryEntry(
        "Sn",
        "tin (pure)",
        _table(
            (100.0, 200.0, 300.0, 400.0),
            (85.2, 73.3, 66.6, 62.2),
            "Sn conductivity",
            "W/(m K)",
            f"{INCROPERA}, Table A.1 (tin)",
        ),
        7310.0,
        _table(
            (100.0, 200.0, 300.0, 400.0),
            (188.0, 215.0, 227.0, 243.0),
            "Sn specific heat",
            "J/(kg K)",
            f"{INCROPERA}, Table A.1 (tin)",
        ),
        f"density: {INCROPERA}, Table A.1 (tin, 300 K)",
    )
    out["Pb"] = LibraryEntry(
        "Pb",
        "lead (pure)",
        _table(
            (100.0, 200.0, 300.0, 400.0, 600.0),
            (39.7, 36.7, 35.3, 34.0, 31.4),
            "Pb conductivity",
            "W/(m K)",
            f"{INCROPERA}, Table A.1 (lead)",
        ),
        11340.0,
        _table(
            (100.0, 200.0, 300.0, 400.0, 600.0),
            (118.0, 125.0, 129.0, 132.0, 142.0),
            "Pb specific heat",
            "J/(kg K)",
            f"{INCROPERA}, Table A.1 (lead)",
        ),
        f"density: {INCROPERA}, Table A.1 (lead, 300 K)",
    )
    out["Sn63Pb37"] = LibraryEntry(
        "Sn63Pb37",
        "eutectic tin-lead solder (room-temperature value)",
        _constant(50.9, "Sn63Pb37 conductivity", SOLDER_NIST),
        8400.0,
        None,
        f"density: {SOLDER_ALASIR}",
    )
    out["SAC305"] = LibraryEntry(
        "SAC305",
        "tin-silver-copper lead-free solder Sn96.5Ag3.0Cu0.5 (room-temperature value)",
        _constant(58.0, "SAC305 conductivity", SOLDER_ALASIR),
        7380.0,
        None,
        f"density: {SOLDER_ALASIR}",
    )
    return out


#: the library, name -> entry
LIBRARY: dict[str, LibraryEntry] = _entries()


def library_entry(name: str) -> LibraryEntry:
    """The entry ``name``; InputError listing the names (and the closest) otherwise."""
    if name in LIBRARY:
        return LIBRARY[name]
    import difflib

    close = difflib.get_close_matches(str(name), list(LIBRARY), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise InputError(f"unknown library material {name!r}{hint} (library: {', '.join(LIBRARY)})")


def library_material(name: str, label: str | None = None) -> Material:
    """The :class:`~fe_interface.model.materials.Material` of the entry ``name``.

    Named ``label`` (default: the entry's name); what
    :meth:`Material.from_library <fe_interface.model.materials.Material.from_library>` returns.

    Raises:
        InputError: ``name`` is not in the library.
    """
    return library_entry(name).material(label)


register_library(library_material)


def casimir_conductivity(
    material: Any, length: float, valid_range: tuple[float, float] = (0.1, 10.0)
) -> Polynomial:
    """The boundary-scattering (Casimir) limit of the phonon conductivity, W/(m K).

    The formula::

        k(T) = (2π²/45) (k_B⁴/ħ³) Λ T³ Σ_j 1/v_j²,

    the kinetic formula k = ⅓ Σ_j C_j v_j Λ with the Debye (T³) heat capacity C_j of each
    acoustic branch j (one longitudinal, two transverse) and the mean free path Λ set by
    the crystal's size (Casimir, Physica 5, 495 (1938); Ziman, Electrons and Phonons
    (1960), ch. 8).  It is an upper bound of the real conductivity, reached by pure
    crystals at low temperature (T ≲ Θ_D/50, where umklapp and point-defect scattering
    are negligible); the default valid range says so.

    Args:
        material: a phonon material (name in the database of
            :mod:`fe_interface.model.laws.kapitza`, e.g. "Si", or a ``PhononMaterial``).
        length: Λ, m: for a rod of square or circular cross-section about 1.12 × its
            side, or its diameter (Casimir).
        valid_range: K.
    """
    from fe_interface.model.laws.common import HBAR, K_B
    from fe_interface.model.laws.kapitza import phonon_material
    from fe_interface.model.validation import check_positive

    m = phonon_material(material)
    L = check_positive(length, "length", "m", "casimir_conductivity")
    s = 1.0 / m.v_L**2 + 2.0 / m.v_T**2
    A = 2 * math.pi**2 / 45 * K_B**4 / HBAR**3 * L * s
    return Polynomial(
        (0.0, 0.0, 0.0, A),
        name=f"{m.name} boundary-scattering limit (Lambda = {L:g} m)",
        unit="W/(m K)",
        source=f"Casimir limit (Physica 5, 495 (1938)) with the Debye data of {m.name}: {m.source}",
        valid_range=valid_range,
    )
