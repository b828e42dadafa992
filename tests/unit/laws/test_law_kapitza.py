"""Kapitza / thermal-boundary conductance (AMM, DMM, PRL) in the Debye model."""

import math
import tomllib

import numpy as np
import pytest
from scipy.integrate import quad

from fe_interface.model.laws import (
    KapitzaConductance,
    PhononMaterial,
    amm_elastic_transmission,
    amm_scalar_transmission,
    elastic_psv_coefficients,
    elastic_sh_coefficients,
    hemispherical_transmission,
    phonon_material,
    phonon_materials,
)
from fe_interface.model.laws.kapitza import DATA_FILE

KB = 1.380649e-23
HBAR = 1.054571817e-34
NA = 6.02214076e23
PAIRS = [("Cu", "Si"), ("Pb", "diamond"), ("Au", "sapphire"), ("Al", "GaN"), ("Bi2Te3", "SiO2")]
REQUIRED = ["Si", "Cu", "Al", "Au", "Pb", "diamond", "sapphire", "SiO2", "GaN", "Bi2Te3"]


# -------------------------------------------------------------------------- database
def test_database_contents():
    db = phonon_materials()
    assert set(REQUIRED) <= set(db)
    si = db["Si"]
    assert (si.density, si.v_L, si.v_T, si.debye_temperature) == (2329.0, 8433.0, 5843.0, 645.0)
    cu = db["Cu"]
    assert (cu.density, cu.v_L, cu.v_T, cu.debye_temperature) == (8960.0, 4760.0, 2325.0, 343.0)
    with open(DATA_FILE, "rb") as fh:
        raw = tomllib.load(fh)
    for name in REQUIRED:
        e = raw[name]
        assert len(e["source"]) > 20
        # n = rho N_A atoms / M
        n = e["density"] * NA * e["atoms_per_formula"] / e["molar_mass"]
        assert e["number_density"] == pytest.approx(n, rel=2e-3), name
        # the elastic Debye temperature from (v_L, v_T, n) is within a factor 1.5 of the
        # tabulated one (they differ for real dispersions)
        m = db[name]
        assert 0.66 < m.debye_temperature_elastic / m.debye_temperature < 1.5, name


def test_unknown_material():
    with pytest.raises(ValueError, match=r"unknown material 'Ge'; known material names: .*Si"):
        phonon_material("Ge")


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        (dict(density=-1.0), r"density \(kg/m\^3\) must be > 0, got -1.0"),
        (dict(v_T=9000.0), r"need v_T < v_L, got v_T=9000.0, v_L=8000.0"),
        (dict(debye_temperature=None), "give debye_temperature or number_density"),
        (dict(debye_temperature=0.0), r"debye_temperature \(K\) must be > 0"),
    ],
)
def test_bad_material(kw, match):
    args = dict(name="x", density=3000.0, v_L=8000.0, v_T=4000.0, debye_temperature=500.0)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        PhononMaterial(**args)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        (dict(model="xmm"), r"model must be one of \('amm', 'dmm', 'prl'\), got 'xmm'"),
        (dict(amm_variant="fluid"), "amm_variant must be one of"),
        (dict(emitter=3), r"emitter must be one of \(1, 2\), got 3"),
        (dict(material_2="unobtainium"), "unknown material 'unobtainium'"),
    ],
)
def test_bad_law_parameters(kw, match):
    args = dict(material_1="Cu", material_2="Si")
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        KapitzaConductance(**args)


def test_debye_cutoff_convention():
    # number density from Theta_D via 3/v_D^3 = 1/v_L^3 + 2/v_T^3 reproduces Theta_D
    m = PhononMaterial("x", 3000.0, 8000.0, 4000.0, debye_temperature=500.0)
    assert m.debye_temperature_elastic == pytest.approx(500.0, rel=1e-12)
    si = phonon_material("Si")
    kD = (6.0 * math.pi**2 * 4.994e28) ** (1.0 / 3.0)
    np.testing.assert_allclose(si.cutoffs, [8433.0 * kD, 5843.0 * kD, 5843.0 * kD])


# ---------------------------------------------------------------- transmission
def test_normal_incidence_transmission():
    cu, si = phonon_material("Cu"), phonon_material("Si")
    # longitudinal: Z1 = 8960*4760 = 4.26496e7, Z2 = 2329*8433 = 1.964046e7 kg/(m^2 s)
    Z1, Z2 = 8960.0 * 4760.0, 2329.0 * 8433.0
    tL = 4 * Z1 * Z2 / (Z1 + Z2) ** 2  # = 0.863553
    assert tL == pytest.approx(0.863553, rel=1e-5)
    # transverse: Z1 = 8960*2325 = 2.0832e7, Z2 = 2329*5843 = 1.360835e7
    Z1t, Z2t = 8960.0 * 2325.0, 2329.0 * 5843.0
    tT = 4 * Z1t * Z2t / (Z1t + Z2t) ** 2
    for a, b in ((cu, si), (si, cu)):
        assert amm_scalar_transmission(a, b, "L", 0.0) == pytest.approx(tL, rel=1e-12)
        assert amm_scalar_transmission(a, b, "T", 0.0) == pytest.approx(tT, rel=1e-12)
        assert amm_elastic_transmission(a, b, "P", 0.0)[0] == pytest.approx(tL, rel=1e-10)
        assert amm_elastic_transmission(a, b, "SV", 0.0)[0] == pytest.approx(tT, rel=1e-10)
        assert amm_elastic_transmission(a, b, "SH", 0.0)[0] == pytest.approx(tT, rel=1e-10)
    # no mode conversion at normal incidence
    c = elastic_psv_coefficients(cu, si, "P", 0.0)
    assert c["T_SV"][0] == pytest.approx(0.0, abs=1e-14)
    assert c["R_SV"][0] == pytest.approx(0.0, abs=1e-14)


@pytest.mark.parametrize(("m1", "m2"), PAIRS + [(b, a) for a, b in PAIRS])
def test_elastic_energy_conservation(m1, m2):
    a, b = phonon_material(m1), phonon_material(m2)
    theta = np.linspace(0.0, 0.4999 * np.pi, 400)  # includes all critical angles
    for inc in ("P", "SV"):
        c = elastic_psv_coefficients(a, b, inc, theta)
        total = c["R_P"] + c["R_SV"] + c["T_P"] + c["T_SV"]
        np.testing.assert_allclose(total, 1.0, atol=1e-10)
        for v in c.values():
            assert np.all(v >= -1e-14)
    sh = elastic_sh_coefficients(a, b, theta)
    np.testing.assert_allclose(sh["R"] + sh["T"], 1.0, atol=1e-12)


def test_critical_angles_and_sh_closed_form():
    cu, si = phonon_material("Cu"), phonon_material("Si")
    # Cu -> Si: sin(theta_c) = 4760/8433 for L, 2325/5843 for T (and 2325/8433 for SV->P)
    th_cL = math.asin(4760.0 / 8433.0)  # 34.37 deg
    th = np.array([th_cL + 0.01, 1.2])
    c = elastic_psv_coefficients(cu, si, "P", th)
    np.testing.assert_allclose(c["T_P"], 0.0, atol=1e-14)  # evanescent transmitted P
    np.testing.assert_allclose(amm_scalar_transmission(cu, si, "L", th), 0.0)
    # beyond every critical angle of an incident SV wave (the largest is SV -> reflected P
    # in Cu, asin(2325/4760) = 29.2 deg) only the reflected SV wave carries energy
    th_all = math.asin(2325.0 / 4760.0) + 0.01
    c = elastic_psv_coefficients(cu, si, "SV", np.array([th_all]))
    assert c["R_SV"][0] == pytest.approx(1.0, abs=1e-12)
    # SH: exact energy transmission 4 Z1 Z2 cos1 cos2 / (Z1 cos1 + Z2 cos2)^2
    t1 = np.radians([10.0, 20.0, 23.0])
    s2 = 5843.0 / 2325.0 * np.sin(t1)
    c1, c2 = np.cos(t1), np.sqrt(1.0 - s2**2)
    Z1, Z2 = 8960.0 * 2325.0, 2329.0 * 5843.0
    ref = 4 * Z1 * Z2 * c1 * c2 / (Z1 * c1 + Z2 * c2) ** 2
    np.testing.assert_allclose(elastic_sh_coefficients(cu, si, t1)["T"], ref, rtol=1e-12)


def test_identical_materials_transmit_fully():
    si = phonon_material("Si")
    theta = np.linspace(0.0, 1.5, 50)
    for mode in ("P", "SV", "SH"):
        np.testing.assert_allclose(amm_elastic_transmission(si, si, mode, theta), 1.0)
    law = KapitzaConductance("Si", "Si")
    np.testing.assert_allclose(law.gammas(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(KapitzaConductance("Si", "Si", model="dmm").gammas(), 0.5)


def test_hemispherical_average():
    # Gamma = 2 int alpha cos sin dtheta: alpha = 1 -> 1; alpha = cos^2 -> 1/2
    assert hemispherical_transmission(lambda t: np.ones_like(t), 1.0) == pytest.approx(1.0)
    g = hemispherical_transmission(lambda t: np.cos(t) ** 2, 1.0, (2.0, 3.0))
    assert g == pytest.approx(0.5, rel=1e-12)
    # step at the critical angle sin^2 = 1/4 is integrated exactly
    g = hemispherical_transmission(lambda t: (np.sin(t) < 0.5) * 1.0, 1.0, (2.0,))
    assert g == pytest.approx(0.25, rel=1e-12)


# ----------------------------------------------------------------- conductance
def test_prl_low_temperature_is_phonon_stefan_boltzmann():
    # Pb/diamond: the diamond side limits; each branch carries pi^2 kB^4 T^4/(120 hbar^3 v^2)
    # so h = 4 * pi^2 kB^4/(120 hbar^3) * (1/17520^2 + 2/12820^2) T^3
    sigma_ph = math.pi**2 * KB**4 / (120.0 * HBAR**3) * (1 / 17520.0**2 + 2 / 12820.0**2)
    A = 4.0 * sigma_ph
    # pi^2 kB^4/(30 hbar^3) = 1.019256e10 W s^2/(m^4 K^4); sum = 1.542683e-8 s^2/m^2
    assert A == pytest.approx(1.019256e10 * 1.542683e-8, rel=1e-6)  # = 157.239 W/(m^2 K^4)
    law = KapitzaConductance("Pb", "diamond", model="prl")
    assert law.t3_coefficient() == pytest.approx(A, rel=1e-12)
    assert law.h(2.0) == pytest.approx(A * 8.0, rel=1e-9)


def test_dmm_low_temperature_hand_calculation():
    # alpha_{Cu->Si} = S_Si/(S_Cu + S_Si), S = 1/v_L^2 + 2/v_T^2
    S_cu = 1 / 4760.0**2 + 2 / 2325.0**2  # 4.1413e-7 s^2/m^2
    S_si = 1 / 8433.0**2 + 2 / 5843.0**2  # 7.2643e-8
    alpha = S_si / (S_cu + S_si)  # 0.149237
    assert alpha == pytest.approx(0.149237, rel=1e-5)
    A = math.pi**2 * KB**4 / (30.0 * HBAR**3) * S_cu * alpha
    law = KapitzaConductance("Cu", "Si", model="dmm")
    assert law.gammas()[0] == pytest.approx(alpha, rel=1e-12)
    assert law.t3_coefficient() == pytest.approx(A, rel=1e-12)
    assert law.t3_coefficient() == pytest.approx(629.92, rel=1e-4)  # W/(m^2 K^4)


@pytest.mark.parametrize("model", ["amm", "dmm", "prl"])
@pytest.mark.parametrize("variant", ["elastic", "scalar"])
def test_t_cubed_at_low_temperature(model, variant):
    law = KapitzaConductance("Cu", "Si", model=model, amm_variant=variant)
    theta_min = min(343.0, 645.0)
    T = np.geomspace(theta_min / 500.0, theta_min / 50.0, 12)
    slope = np.polyfit(np.log(T), np.log(law.h(T)), 1)[0]
    assert slope == pytest.approx(3.0, abs=0.01)
    np.testing.assert_allclose(law.h(T) / T**3, law.t3_coefficient(), rtol=1e-6)


@pytest.mark.parametrize(("m1", "m2"), PAIRS)
@pytest.mark.parametrize("variant", ["elastic", "scalar"])
def test_detailed_balance_amm(m1, m2, variant):
    law = KapitzaConductance(m1, m2, amm_variant=variant)
    A1, A2 = law.t3_coefficient(emitter=1), law.t3_coefficient(emitter=2)
    assert A1 == pytest.approx(A2, rel=1e-7)
    T = 1e-3 * min(law.material_1.debye_temperature, law.material_2.debye_temperature)
    assert law.h(T, emitter=1) == pytest.approx(law.h(T, emitter=2), rel=1e-7)


@pytest.mark.parametrize(("m1", "m2"), PAIRS)
def test_detailed_balance_dmm_all_temperatures(m1, m2):
    law = KapitzaConductance(m1, m2, model="dmm")
    T = np.array([1.0, 30.0, 300.0, 1000.0])
    np.testing.assert_allclose(law.h(T, emitter=1), law.h(T, emitter=2), rtol=1e-12)


def test_prl_classical_limit_closed_form():
    # Si/Si, alpha = 1 below every cutoff; T >> Theta_D: hbar w df/dT -> kB, so
    # h = kB/4 sum_j int_0^{w_Dj} w^2/(2 pi^2 v_j^2) dw = kB n (v_L + 2 v_T)/4
    law = KapitzaConductance("Si", "Si", model="prl")
    h_inf = KB * 4.994e28 * (8433.0 + 2 * 5843.0) / 4.0  # = 3.4679e9 W/(m^2 K)
    assert h_inf == pytest.approx(3.4679e9, rel=1e-4)
    assert law.h(1e5) == pytest.approx(h_inf, rel=1e-4)


def test_secant_conductance_matches_integral_of_h():
    law = KapitzaConductance("Au", "sapphire")
    Tp, Tm = 350.0, 250.0
    integral, _ = quad(law.h, Tm, Tp, epsrel=1e-11)
    assert law.conductance(Tp, Tm) == pytest.approx(integral / (Tp - Tm), rel=1e-8)
    assert law.conductance(Tm, Tp) == pytest.approx(integral / (Tp - Tm), rel=1e-8)
    assert law.conductance(300.0, 300.0) == pytest.approx(law.h(300.0), rel=1e-12)
    h = law.conductance(np.array([300.0, 350.0]), np.array([300.0, 250.0]))
    np.testing.assert_allclose(h, [law.h(300.0), integral / 100.0], rtol=1e-8)
    T, hh = law.tabulate(10.0, 1000.0, 5)
    np.testing.assert_allclose(T, [10.0, 10**1.5, 100.0, 10**2.5, 1000.0])
    np.testing.assert_allclose(hh, law.h(T))
    assert law.temperature_dependent
    with pytest.raises(ValueError, match="temperatures must be > 0 K"):
        law.conductance(-1.0, 300.0)


def test_amm_and_dmm_close_for_solid_solid_pairs():
    # Swartz & Pohl, Rev. Mod. Phys. 61, 605 (1989), abstract: "for typical solid-solid
    # interfaces ... the acoustic mismatch and diffuse mismatch [predictions] differ by very
    # little (~30%)".  Check the low-temperature coefficients for such pairs.
    for m1, m2 in (("Cu", "Si"), ("Au", "sapphire"), ("Al", "sapphire"), ("Al", "GaN")):
        amm = KapitzaConductance(m1, m2).t3_coefficient()
        dmm = KapitzaConductance(m1, m2, model="dmm").t3_coefficient()
        assert 0.6 < amm / dmm < 1.5, (m1, m2, amm / dmm)
        prl = KapitzaConductance(m1, m2, model="prl").t3_coefficient()
        assert amm < prl and dmm < prl


# ------------------------------------------------------------ closed form / UFL
def test_bose_integrals_closed_form_against_quad():
    from fe_interface.model.laws.kapitza import bose_integral_closed_form

    def g(t):
        return t**4 * math.exp(t) / math.expm1(t) ** 2 if t > 0 else 0.0

    def e(t):
        return t**3 / math.expm1(t) if t > 0 else 0.0

    for x in (1e-3, 0.5, 1.999, 2.0, 3.0, 10.0, 40.0):
        G_ref = quad(g, 0.0, x, epsabs=0.0, epsrel=1e-13)[0]
        E_ref = quad(e, 0.0, x, epsabs=0.0, epsrel=1e-13)[0]
        assert bose_integral_closed_form(x, "G") == pytest.approx(G_ref, rel=1e-11)
        assert bose_integral_closed_form(x, "E") == pytest.approx(E_ref, rel=1e-11)
    # limits: G(inf) = 4 pi^4/15 = 25.9758, E(inf) = pi^4/15 = 6.49394
    assert bose_integral_closed_form(1e3, "G") == pytest.approx(25.975758, rel=1e-7)
    assert bose_integral_closed_form(1e3, "E") == pytest.approx(6.493939, rel=1e-7)


@pytest.mark.parametrize("model", ["amm", "dmm", "prl"])
def test_closed_form_matches_quadrature_path(model):
    law = KapitzaConductance("Au", "sapphire", model=model)
    T = np.geomspace(0.5, 3000.0, 40)
    np.testing.assert_allclose(law.h_expression(T), law.h(T), rtol=1e-10)
    np.testing.assert_allclose(law.flux_expression(T), law.heat_flux_function(T), rtol=1e-10)


def test_kapitza_ufl(ufl_coefficients):
    ufl, _V, Tp, Tm = ufl_coefficients
    law = KapitzaConductance("Au", "sapphire")
    assert law.supports_ufl
    Tv = ufl.variable(Tp)
    h = law.conductance(Tv, Tm)
    for a, b in ((350.0, 250.0), (300.0, 300.0), (12.0, 10.0)):
        val = h((0.0, 0.0), {Tp: a, Tm: b})
        assert val == pytest.approx(law.conductance(a, b), rel=1e-10)
    dh = ufl.diff(h, Tv)((0.0, 0.0), {Tp: 350.0, Tm: 250.0})
    eps = 1e-3
    fd = (law.conductance(350.0 + eps, 250.0) - law.conductance(350.0 - eps, 250.0)) / (2 * eps)
    assert dh == pytest.approx(fd, rel=1e-6)


def test_kapitza_dolfinx_form_compiles():
    dolfinx = pytest.importorskip("dolfinx")
    from mpi4py import MPI

    import ufl

    mesh = dolfinx.mesh.create_unit_square(MPI.COMM_WORLD, 2, 2)
    V = dolfinx.fem.functionspace(mesh, ("Lagrange", 1))
    T = dolfinx.fem.Function(V)
    T.x.array[:] = 350.0
    Tm = dolfinx.fem.Constant(mesh, 250.0)
    law = KapitzaConductance("Au", "sapphire", model="dmm")
    val = dolfinx.fem.assemble_scalar(dolfinx.fem.form(law.conductance(T, Tm) * ufl.dx))
    val = mesh.comm.allreduce(val)  # assemble_scalar is rank-local
    assert val == pytest.approx(law.conductance(350.0, 250.0), rel=1e-10)  # unit area
    F = law.conductance(T, Tm) * (T - Tm) * ufl.TestFunction(V) * ufl.dx
    dolfinx.fem.form(ufl.derivative(F, T))  # Newton Jacobian compiles
