# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: light
# ---

# # A silicon die bonded to copper at 4, 20 and 77 K: k(T) and the Kapitza resistance
#
# The cryogenic half of the background article: silicon bonded to copper, atomically
# flat, cooled to 4 K (liquid helium), 20 K (a cryocooler stage) and 77 K (liquid
# nitrogen).  Phonons are partly reflected at the acoustic mismatch of the bond: the
# Kapitza resistance R_K (acoustic-mismatch model, R_K ∝ T⁻³ at low T).  At these
# temperatures the bulk conductivities are nothing like their room-temperature values,
# so they are functions of temperature here, not constants:
#
# * copper: OFHC, RRR = 100, the NIST cryogenic fit (`OFHC_RRR100` of the material
#   library, 4–300 K): 642 W/(m K) at 4 K, 2423 at 20 K (the peak region), 396 at 300 K;
# * silicon, a 0.5 mm die: at 4 and 20 K the phonon mean free path is set by the
#   crystal's size, and k is the boundary-scattering (Casimir) limit
#   k = (2π²/45)(k_B⁴/ħ³) Λ T³ Σ_j 1/v_j² with Λ = 0.5 mm and the sound speeds of the
#   phonon database (32 W/(m K) at 4 K, 3950 at 20 K -- an upper bound at 20 K, where
#   umklapp and isotope scattering begin); at 77 K the Glassbrenner & Slack (1964)
#   values (`Si_Glassbrenner_Slack`, 50–1681 K): 1480 W/(m K), against 148 at 300 K.
#
# The die's top face is held 2 % above the stage temperature T, the copper's bottom at
# T (a stack 0.5 mm Si / 2 mm Cu, insulated sides: a 1D field); each case is a Newton
# solve (k(T) and h_K(T)).  The FE results are compared with an independent 1D solution:
# Kirchhoff transforms of both conductivities (∫ k dT = q L on each side) and a root of
# q = h_K(T⁺, T⁻)(T⁺ − T⁻) found with SciPy.  The demo ends with the checks the test
# suite asserts, serially and under `mpirun -n 2`.
#
# Run: `python demos/demo_cryogenic_bond.py [--n 8] [--out results/cryogenic_bond]`.

# +
from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

from mpi4py import MPI

import numpy as np
from dolfinx import mesh as dmesh
from scipy.optimize import brentq

import fe_interface as fi
from fe_interface.io.files import write_text
from fe_interface.model.laws import KapitzaConductance, SeriesResistance
from fe_interface.model.library import LIBRARY, casimir_conductivity
from fe_interface.model.properties import PropertyRangeWarning
from fe_interface.postprocessing.checks import Check, checks_as_json, format_checks

# -

# ## Data (SI units)

L_SI, L_CU, WIDTH = 0.5e-3, 2.0e-3, 5e-3  # m (2D model: per metre of depth)
STAGES = (4.0, 20.0, 77.0)  # K
SPAN = 0.02  # the die's top is held at T (1 + SPAN)
CU = LIBRARY["OFHC_RRR100"]
# the Casimir limit of the 0.5 mm die; its range is stretched to 25 K to use it at the
# 20 K stage, where it is an upper bound (see the text above)
SI_CASIMIR = casimir_conductivity("Si", L_SI, valid_range=(1.0, 25.0))
SI_77 = LIBRARY["Si_Glassbrenner_Slack"]
PARALLEL_RTOL = {"direct": 1e-9, "iterative": 1e-7}


def silicon(T: float):
    """The silicon conductivity used at the stage temperature T (K)."""
    return SI_CASIMIR if T < 50.0 else SI_77.conductivity


def build(n: int, comm: MPI.Comm = MPI.COMM_WORLD):
    """2D two-block mesh, ``n`` quadrilaterals per block along the heat flow: regions
    "si" (0 < x < L_SI) and "cu"; faces "top" (x = 0) and "stage"; interface "bond"."""
    m = dmesh.create_rectangle(
        comm,
        [[0.0, 0.0], [2.0, WIDTH]],
        [2 * n, 2],
        dmesh.CellType.quadrilateral,
        ghost_mode=dmesh.GhostMode.shared_facet,
    )
    s = m.geometry.x[:, 0].copy()
    m.geometry.x[:, 0] = np.where(s <= 1.0, s * L_SI, L_SI + (s - 1.0) * L_CU)
    return fi.tag_mesh(
        m,
        cells={"si": (1, lambda x: x[0] < L_SI), "cu": (2, lambda x: x[0] > L_SI)},
        boundaries={
            "top": (1, lambda x: np.isclose(x[0], 0.0)),
            "stage": (2, lambda x: np.isclose(x[0], L_SI + L_CU)),
        },
        interfaces={"bond": (10, ("si", "cu"))},
    )


def exact_1d(k1, k2, law, T_hot: float, T_cold: float) -> tuple[float, float, float]:
    """Independent 1D solution: (q W/m², T⁺, T⁻ K) from the Kirchhoff transforms
    F_i = ∫ k_i dT and a root of q = h(T⁺, T⁻)(T⁺ − T⁻)."""
    F1, F2 = k1.antiderivative, k2.antiderivative

    def inv(F, target):
        return brentq(lambda t: F(t) - target, 0.5 * T_cold, 1.5 * T_hot, xtol=1e-14, rtol=1e-15)

    def sides(q):
        return inv(F1, F1(T_hot) - q * L_SI), inv(F2, F2(T_cold) + q * L_CU)

    def residual(q):
        Tp, Tm = sides(q)
        return float(law.conductance(Tp, Tm)) * (Tp - Tm) - q

    q_max = min((F1(T_hot) - F1(T_cold)) / L_SI, (F2(T_hot) - F2(T_cold)) / L_CU)
    with warnings.catch_warnings():  # the brackets probe just outside the ranges
        warnings.simplefilter("ignore", PropertyRangeWarning)
        q = brentq(residual, 1e-12 * q_max, q_max, xtol=1e-15 * q_max, rtol=1e-15, maxiter=500)
        Tp, Tm = sides(q)
    return q, Tp, Tm


def solve(tagged, T: float, solver: str):
    """The FE solve at stage temperature T (K); returns (problem, result, summary)."""
    law = SeriesResistance.kapitza_only(KapitzaConductance("Si", "Cu"))
    p = fi.SteadyProblem(
        tagged,
        materials={"si": fi.Material("Si", silicon(T)), "cu": CU.material("Cu")},
        interfaces=[fi.Interface("bond", law, plus="si")],
        boundary_conditions=[
            fi.FixedTemperature("top", T * (1 + SPAN)),
            fi.FixedTemperature("stage", T),
        ],
        solver=solver,
        initial_temperature=T,
    )
    res = p.run()
    (s,) = p.interface_table()
    return p, res, s, law


def main(n: int = 8, out: str | None = "results/cryogenic_bond", solver: str = "direct") -> dict:
    """Solve the three stages, print the table; returns the checks."""
    rank0 = MPI.COMM_WORLD.rank == 0
    say = print if rank0 else (lambda *a, **k: None)
    tagged = build(n)
    rows = {}
    for T in STAGES:
        p, res, s, law = solve(tagged, T, solver)
        q_fe = s.heat_flow_W / s.area_m2
        q, Tp, Tm = exact_1d(silicon(T), CU.conductivity, law, T * (1 + SPAN), T)
        k_si, k_cu = float(silicon(T)(T)), float(CU.conductivity(T))
        rows[T] = {
            "q_W_m2": q_fe,
            "q_exact_W_m2": q,
            "jump_K": s.mean_jump_K,
            "jump_exact_K": Tp - Tm,
            "R_K_m2K_W": s.mechanisms["R_kapitza_m2K_W"],
            "kapitza_share": s.mechanisms["kapitza_share"],
            "k_si_W_mK": k_si,
            "k_cu_W_mK": k_cu,
            "newton_steps": res.solve.newton_iterations,
            "T_interface_K": 0.5 * (Tp + Tm),
            "balance": p.energy_balance().relative_residual,
            "problem": p,
        }
    say("\nSi (0.5 mm) bonded to Cu (2 mm, RRR 100); top at T(1 + 2 %), stage at T")
    say(
        f"{'T K':>6}{'k_Si':>10}{'k_Cu':>10}{'q W/m2':>12}{'jump K':>11}{'R_K m2K/W':>12}"
        f"{'R_K T^3':>10}{'jump/dT':>9}{'Newton':>7}"
    )
    for T, r in rows.items():
        Ti = r["T_interface_K"]
        say(
            f"{T:>6.3g}{r['k_si_W_mK']:>10.4g}{r['k_cu_W_mK']:>10.4g}{r['q_W_m2']:>12.5g}"
            f"{r['jump_K']:>11.4g}{r['R_K_m2K_W']:>12.4g}{r['R_K_m2K_W'] * Ti**3:>10.4g}"
            f"{r['jump_K'] / (SPAN * T):>9.3f}{r['newton_steps']:>7d}"
        )
    say(
        f"300 K values: k_Si = {float(LIBRARY['Si'].conductivity(300.0)):.4g}, "
        f"k_Cu = {float(CU.conductivity(300.0)):.4g} W/(m K)"
    )
    A = KapitzaConductance("Si", "Cu").t3_coefficient()

    par = PARALLEL_RTOL[solver]
    exact = "1D field, P1 nodally exact (exact element integrals of k(T)): Newton's tolerance"
    checks: dict[str, Check] = {}
    for T, r in rows.items():
        t = f"{T:g}K"
        checks[f"heat_flux_{t}_W_m2"] = Check(
            r["q_W_m2"], r["q_exact_W_m2"], 1e-8, parallel_rtol=par, note=exact
        )
        checks[f"jump_{t}_K"] = Check(
            r["jump_K"], r["jump_exact_K"], 1e-8, parallel_rtol=par, note=exact
        )
        checks[f"kapitza_share_{t}"] = Check(
            r["kapitza_share"],
            1.0,
            1e-12,
            parallel_rtol=par,
            note="bonded: the whole jump is Kapitza",
        )
        checks[f"balance_{t}"] = Check.at_most(
            r["balance"],
            1e-9,
            parallel_rtol=None,
            note="relative residual: round-off and Newton tolerance",
        )
    # Debye regime at 4 K: R_K T^3 = 1/A (the law's T^3 coefficient), up to the Debye
    # corrections and the 2 % temperature span across the stack (~1e-3)
    r4 = rows[4.0]
    checks["R_K_T3_4K_K3m2_W"] = Check(
        r4["R_K_m2K_W"] * r4["T_interface_K"] ** 3,
        1.0 / A,
        2e-3,
        parallel_rtol=par,
        note="Debye regime R_K ~ T^-3 (corrections ~1e-3 over the 2 % span)",
    )
    # the conductivities the solves used: the library's sources (NIST table of the RRR-100
    # fit: 642.3 W/(m K) at 4 K; Glassbrenner & Slack at 80 K: 1390)
    checks["k_cu_4K_W_mK"] = Check(rows[4.0]["k_cu_W_mK"], 642.3, 5e-4, note="NIST table, 4 digits")
    checks["k_si_80K_W_mK"] = Check(
        float(SI_77.conductivity(80.0)), 1390.0, 1e-12, note="Glassbrenner-Slack table point"
    )
    # 'orders of magnitude': k(4 K)/k(300 K) of silicon below 1/4, of the copper above 1.5
    checks["k_si_4K_over_300K"] = Check.at_most(
        rows[4.0]["k_si_W_mK"] / float(LIBRARY["Si"].conductivity(300.0)),
        0.25,
        note="phonons freeze out",
    )
    checks["k_cu_20K_over_300K"] = Check.at_least(
        rows[20.0]["k_cu_W_mK"] / float(CU.conductivity(300.0)),
        5.0,
        note="electrons: residual-resistivity peak",
    )
    say("\n" + format_checks(checks))

    if out is not None:
        rows[4.0]["problem"].export(out, name="cryogenic_bond_4K", vtx=False)
        if rank0:
            doc = {
                "stages_K": list(STAGES),
                "rows": {
                    str(T): {k: v for k, v in r.items() if k != "problem"} for T, r in rows.items()
                },
                "sources": {
                    "Cu": CU.conductivity.source,
                    "Si (4, 20 K)": SI_CASIMIR.source,
                    "Si (77 K)": SI_77.conductivity.source,
                },
                "checks": checks_as_json(checks),
            }
            write_text(Path(out) / "cryogenic_bond_study.json", json.dumps(doc, indent=2))
        MPI.COMM_WORLD.barrier()
    return checks


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=8, help="cells per block along the heat flow")
    parser.add_argument("--out", default="results/cryogenic_bond", help="output folder")
    parser.add_argument("--solver", default="direct", choices=["iterative", "direct"])
    args = parser.parse_args()
    main(args.n, args.out, args.solver)
