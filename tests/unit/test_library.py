"""The material library against tabulated values from its sources.

Each fit or table is checked at a few temperatures against values tabulated by the same
source (or, where none was found, against independent measured data), with the
tolerance the source states for its fit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import fe_interface as fi
from fe_interface.errors import InputError
from fe_interface.model.library import LIBRARY, casimir_conductivity, library_entry
from fe_interface.model.properties import PropertyRangeWarning

# Bradley & Radebaugh, "Properties of Selected Materials at Cryogenic Temperatures"
# (NIST, 2013; the CRC Handbook's tables of the NIST cryogenic fits), OFHC copper:
# T (K) -> k (W/(m K)) for RRR 50, 100, 300, and c_p (J/(kg K)).
BR_T = (4.0, 10.0, 20.0, 40.0, 80.0, 100.0, 200.0, 300.0)
BR_K = {
    50: (320.4, 778.1, 1368.0, 1163.0, 500.3, 443.9, 400.1, 392.4),
    100: (642.3, 1540.0, 2423.0, 1485.0, 529.3, 461.5, 407.0, 396.3),
    300: (None, 4320.0, 5052.0, 1833.0, 551.0, 471.1, 414.6, 397.9),  # 4 K: see below
}
BR_CP = (0.09942, 0.8558, 7.491, 57.63, 203.8, 253.5, 355.0, 384.0)


@pytest.mark.parametrize("rrr", [50, 100, 300])
def test_nist_copper_conductivity_against_nist_tables(rrr):
    """The NIST RRR fits reproduce Bradley & Radebaugh's tables of the same fits to their
    4 printed digits (rel 5e-4).  (The RRR-300 table's 4 K entry, 1926.6, is 2 % above
    the fit, 1888, while all its other entries agree to 1e-4: left out as a misprint.)"""
    k = LIBRARY[f"OFHC_RRR{rrr}"].conductivity
    for T, ref in zip(BR_T, BR_K[rrr], strict=True):
        if ref is not None:
            assert k(T) == pytest.approx(ref, rel=5e-4), f"RRR {rrr}, {T} K"


def test_nist_copper_specific_heat_against_nist_table():
    """The NIST OFHC c_p fit (rev. 2010) against Bradley & Radebaugh's c_p table: within
    1.5 % (the fit's stated error: 5 % above 15 K, 10 % below)."""
    cp = LIBRARY["OFHC_RRR100"].specific_heat
    assert cp(np.array(BR_T)) == pytest.approx(np.array(BR_CP), rel=1.5e-2)


@pytest.mark.parametrize("rrr", [50, 100, 150, 300, 500])
def test_copper_fits_obey_wiedemann_franz_at_4K(rrr):
    """At 4 K the residual resistivity ρ₀ = ρ(273 K)/RRR dominates, and k = L₀ T/ρ₀
    (Wiedemann–Franz, L₀ = 2.443e-8 W Ω/K², ρ(273 K) = 1.553e-8 Ω m): within 2.5 %."""
    k = LIBRARY[f"OFHC_RRR{rrr}"].conductivity(4.0)
    assert k == pytest.approx(2.443e-8 * 4.0 * rrr / 1.553e-8, rel=2.5e-2)


def test_rrr100_fit_against_powell_1959_data():
    """Powell, Roder & Hall, Phys. Rev. 115, 314 (1959), annealed OFHC copper with
    RRR = 100.4 (measured, W/(m K)): 4 K 637, 10 K 1557, 20 K 2441; the fit within 1.5 %."""
    k = LIBRARY["OFHC_RRR100"].conductivity
    for T, ref in ((4.0, 637.0), (10.0, 1557.0), (20.0, 2441.0)):
        assert k(T) == pytest.approx(ref, rel=1.5e-2)


def test_room_temperature_copper_and_ss304_against_incropera():
    """All RRR fits meet at 300 K: Incropera Table A.1 pure copper 401 W/(m K) within
    2.5 %; SS304 fit vs Incropera's AISI 304, 14.9 W/(m K), within 3 %."""
    for r in (50, 100, 150, 300, 500):
        assert LIBRARY[f"OFHC_RRR{r}"].conductivity(300.0) == pytest.approx(401.0, rel=2.5e-2)
    assert LIBRARY["SS304"].conductivity(300.0) == pytest.approx(14.9, rel=3e-2)


def test_ss304_fit_against_tye_1975_data():
    """Tye, Hayden & Spinney, Adv. Cryog. Eng. 22, 136 (1975), AISI 304 (W/(m K)):
    100 K 9.0, 150 K 11.2, 200 K 12.7, 250 K 13.9, 300 K 14.9; the NIST fit within 3 %."""
    k = LIBRARY["SS304"].conductivity
    data = {100.0: 9.0, 150.0: 11.2, 200.0: 12.7, 250.0: 13.9, 300.0: 14.9}
    for T, ref in data.items():
        assert k(T) == pytest.approx(ref, rel=3e-2)


def test_al6061_fit_is_the_nist_formula():
    """6061-T6: the fit log10 k = Σ a_i (log10 T)^i with NIST's coefficients (quoted from
    the NIST page: a = 0.07918, b = 1.0957, c = -0.07277, d = 0.08084, e = 0.02803,
    f = -0.09464, g = 0.04179, h = -0.00571, i = 0); no independent table of this fit was
    found, so the library is checked against the formula, and the 300 K value against
    the handbook value 167 W/(m K) (MatWeb/ASM) within the known 8 % spread."""
    a = (0.07918, 1.0957, -0.07277, 0.08084, 0.02803, -0.09464, 0.04179, -0.00571, 0.0)
    k = LIBRARY["Al6061_T6"].conductivity
    for T in (4.0, 20.0, 77.0, 300.0):
        x = np.log10(T)
        assert k(T) == pytest.approx(10 ** sum(c * x**i for i, c in enumerate(a)), rel=1e-13)
    assert k(300.0) == pytest.approx(167.0, rel=8e-2)


@pytest.mark.parametrize(
    "name, points",
    [
        ("Si", {100.0: 884.0, 200.0: 264.0, 300.0: 148.0, 1500.0: 22.7}),
        ("sapphire", {100.0: 450.0, 300.0: 46.0, 1000.0: 10.5}),
        ("Sn", {100.0: 85.2, 300.0: 66.6, 400.0: 62.2}),
        ("Pb", {100.0: 39.7, 300.0: 35.3, 600.0: 31.4}),
        ("Si_Glassbrenner_Slack", {50.0: 2600.0, 300.0: 156.0, 1681.0: 21.6}),
        ("Sn63Pb37", {300.0: 50.9}),
        ("SAC305", {300.0: 58.0}),
    ],
)
def test_tables_reproduce_their_source(name, points):
    """Incropera et al. (6th ed.) Tables A.1/A.2, Glassbrenner & Slack (1964), the NIST
    solder database (via Wikipedia) and the alasir.com solder table: the tabulated values."""
    k = LIBRARY[name].conductivity
    for T, ref in points.items():
        assert k(T) == pytest.approx(ref, rel=1e-12)


def test_silicon_tables_against_olson_1993_data():
    """Olson (Cornell thesis, 1993), Si measured: 201 K 266, 202 K 270, 296 K 152 W/(m K):
    both silicon tables within 5 % (sample-to-sample spread of pure silicon)."""
    for name in ("Si", "Si_Glassbrenner_Slack"):
        k = LIBRARY[name].conductivity
        assert k(201.0) == pytest.approx(266.0, rel=5e-2)
        assert k(296.0) == pytest.approx(152.0, rel=5e-2)


def test_every_entry_has_source_range_and_units_and_warns_outside():
    for name, e in LIBRARY.items():
        k = e.conductivity
        assert k.source and k.unit == "W/(m K)" and k.valid_range is not None, name
        assert e.density is None or e.density > 0
        if e.specific_heat is not None:
            assert e.specific_heat.source and e.specific_heat.unit == "J/(kg K)", name
        d = e.describe()
        assert d["conductivity"]["valid_range_K"] == k.valid_range
        lo, hi = k.valid_range
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            k(np.array([lo, hi]))
        with pytest.warns(PropertyRangeWarning, match=name.split("_")[0]):
            k(hi * 2.0)
        m = e.material()
        assert isinstance(m, fi.Material) and m.name == name


def test_unknown_library_name_is_named():
    with pytest.raises(InputError, match=r"unknown library material 'OFHC_RRR10'.*did you mean"):
        library_entry("OFHC_RRR10")
    assert fi.Material.from_library("OFHC_RRR100", "cu").name == "cu"


def test_casimir_limit_formula():
    """k = (2π²/45)(k_B⁴/ħ³) Λ T³ Σ 1/v²: Si (v_L = 8433, v_T = 5843 m/s), Λ = 1 mm at 4 K."""
    kB, hbar = 1.380649e-23, 1.054571817e-34
    s = 1 / 8433.0**2 + 2 / 5843.0**2
    k = casimir_conductivity("Si", 1e-3)
    assert k(4.0) == pytest.approx(2 * np.pi**2 / 45 * kB**4 / hbar**3 * 1e-3 * 64 * s, rel=1e-12)
    assert k.temperature_dependent
