# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: light
# ---

# # From a resolved rough contact to one interface conductance
#
# Two steel blocks with a rough, nominally flat joint, in vacuum.  Heat crosses the
# joint only through the contact spots, where the asperity tips have been
# flattened.  A contact-conductance law such as Cooper–Mikic–Yovanovich (CMY)
# replaces this micro-geometry by a single conductance h_c = q / ΔT_c on a flat
# interface.  Here we *compute* h_c from a resolved 2D model and compare it with
# CMY over a pressure sweep.
#
# The model (`fe_interface.geometry.rough_contact_2d`): a Gaussian random profile
# (the combined roughness of both surfaces, put into the upper block) is pressed
# on a flat.  For plastically deforming asperities the real contact fraction is
# P/H_c, so the flat sits at the height the profile exceeds on exactly that
# fraction; where the profile rises above it the two blocks share a contact spot
# (perfect contact), elsewhere the gap is vacuum (insulated faces).  The ends of the
# stack are held at two temperatures.  Far from the joint the field is 1D; the
# joint adds an extra drop ΔT_c: the linear far-field profiles of both blocks,
# extrapolated to the contact plane y = 0, miss each other by ΔT_c.  With fixed
# end temperatures T_top − T_bottom = q (t_lower + t_upper,eff) / k + q / h_c, so
#
#     h_c = q / ΔT_c,   ΔT_c = (T_top − T_bottom) − q (t_lower + Y + t_upper) / k.
#
# **What to expect.**  CMY is a 3D correlation (circular spots, a spot density
# ~ (m/σ)² per unit area).  A 2D profile has strip-shaped spots with a density of
# only ~ m/σ per unit length (Rice: (m / 2πσ) exp(−Y²/2σ²) up-crossings per metre),
# each with the logarithmic 2D constriction resistance ln(1/sin(π ε / 2)) / (π k)
# per side.  Evenly spaced strips at that density give h_2D ≈ 0.25–0.3 h_CMY over
# this load range, with a log–log slope close to 1 (the spot density grows almost
# like P/H_c, the log factor adds a little); randomly clustered spots lower h_2D
# further.  The resolved model indeed gives h_2D ≈ 0.1–0.3 h_CMY and a slope
# 0.95–1.1 (n = 256…1024).  The demo therefore asserts only what the physics
# guarantees: h_c increases with the pressure, the log–log slope lies in 0.7–1.4,
# the 2D conductance lies *below* CMY (ratio 0.03–1), the meshed spots carry the
# plastic area fraction P/H_c (within 25 %), and energy is conserved.  The ratio and
# slope are reported, not asserted more tightly: each load is one random
# realisation with few spots at the lowest pressures.
#
# Run: `python demos/demo_rough_homogenization.py [--n 1024] [--out results/rough]`.

# +
from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from mpi4py import MPI

import numpy as np

import fe_interface as fi
from fe_interface.geometry import gaussian_surface, rough_contact_2d
from fe_interface.model.laws import CMYPlasticConductance, ContactPair, Surface
from fe_interface.postprocessing.checks import Check, format_checks

# -

# ## Data (SI units)

K = 50.0  # W/(m K), steel (both blocks, so k_s = k)
HARDNESS = 3.0e9  # Pa, microhardness H_c of the softer surface
SIGMA = 2.0e-6  # m, RMS roughness of the combined profile
CORR_LENGTH = 16.0e-6  # m, correlation length (RMS slope ~ sqrt(2) sigma / l)
SAMPLE = 4.0e-6  # m, profile sample spacing (the period is n * SAMPLE)
RELATIVE_PRESSURES = (0.01, 0.02, 0.04, 0.08, 0.16)  # P / H_c
SLOPE_RANGE = (0.7, 1.4)  # accepted log-log slope of the 2D h_c(P)
RATIO_RANGE = (0.03, 1.0)  # accepted h_2D / h_CMY: 2D spots conduct less
T_BOTTOM, T_TOP = 300.0, 301.0  # K
BALANCE_BOUND = {"direct": 1e-8, "iterative": 1e-5}  # relative residual, see main()


def resolved_conductance(
    surface, rel_pressure: float, solver: str = "direct", export: Path | None = None
) -> dict:
    """Solve the resolved contact at P/H_c = ``rel_pressure``; h_c and diagnostics
    (``export``: a folder for the temperature field, meshio XDMF/VTU for ParaView)."""
    period = surface.length
    t = period / 2.0  # far-field 1D to ~exp(-pi) of the spot-scale disturbance
    rc = rough_contact_2d(
        surface,
        pressure=rel_pressure * HARDNESS,
        hardness=HARDNESS,
        thickness=(t, t),
        mesh_size=t / 4.0,
    )
    steel = fi.Material("steel", K)
    problem = fi.SteadyProblem(
        rc.tagged,
        materials={"lower": steel, "upper": steel},
        interfaces=[fi.Interface("contact", fi.PerfectContact())],
        boundary_conditions=[
            fi.FixedTemperature("bottom", T_BOTTOM),
            fi.FixedTemperature("top", T_TOP),
        ],
        solver=solver,
    )
    problem.run()
    if export is not None:
        problem.export(str(export), name=f"rough_homogenization_P{rel_pressure:g}", vtx=False)
    balance = problem.energy_balance()
    Q = next(v for k, v in balance.boundary_inflow_W.items() if k.endswith(":top"))
    q = Q / period  # W/m² (per unit depth / per unit width)
    Y = rc.contact.separation
    dT_c = (T_TOP - T_BOTTOM) - q * (t + Y + t) / K
    return {
        "h": q / dT_c,
        "spots": len(rc.spots),
        "area_fraction": rc.area_fraction,
        "balance": balance.relative_residual,
        "cells": rc.tagged.mesh.topology.index_map(2).size_global,
    }


def main(
    n: int = 1024, out: str | None = "results/rough_homogenization", solver: str = "direct"
) -> dict:
    """Pressure sweep; prints the table, writes the plot; returns the checks."""
    comm = MPI.COMM_WORLD
    t0 = time.perf_counter()
    surface = gaussian_surface(n, n * SAMPLE, SIGMA, CORR_LENGTH, seed=7)
    sigma, m = surface.rms(), surface.rms_slope()
    # CMY takes the joint sigma, m of two surfaces: split the combined profile evenly
    half = 1.0 / math.sqrt(2.0)
    pair = ContactPair(Surface(sigma * half, K, m=m * half), Surface(sigma * half, K, m=m * half))
    rows = []
    for pr in RELATIVE_PRESSURES:
        show = out is not None and pr == RELATIVE_PRESSURES[2]  # one field for ParaView
        r = resolved_conductance(surface, pr, solver, Path(out) if show else None)
        h_cmy = CMYPlasticConductance(pair, pr * HARDNESS, HARDNESS).h
        rows.append((pr, r, h_cmy))
    P = np.array([pr for pr, _, _ in rows])
    h = np.array([r["h"] for _, r, _ in rows])
    h_cmy = np.array([hc for _, _, hc in rows])
    slope, _ = np.polyfit(np.log(P), np.log(h), 1)
    ratio = h / h_cmy
    elapsed = time.perf_counter() - t0

    if comm.rank == 0:
        print(f"profile: n = {n}, period {n * SAMPLE * 1e3:.2f} mm, sigma = {sigma * 1e6:.3f} um, ")
        print(f"         m = {m:.4f}, k_s = {K} W/(m K), H_c = {HARDNESS / 1e9:g} GPa")
        print(f"{'P/H_c':>8}{'spots':>7}{'A_r/A_a':>9}{'h_2D':>12}{'h_CMY':>12}{'ratio':>8}")
        for (pr, r, hc), rt in zip(rows, ratio, strict=True):
            print(
                f"{pr:>8.3f}{r['spots']:>7d}{r['area_fraction']:>9.4f}"
                f"{r['h']:>12.4g}{hc:>12.4g}{rt:>8.2f}"
            )
        print(f"log-log slope of h_2D(P): {slope:.3f} (CMY: 0.95); {elapsed:.1f} s")
        if out is not None:
            _plot(P, h, h_cmy, slope, Path(out))

    # the meshed spots carry the plastic area fraction (spot ends interpolated): the
    # pressure whose meshed fraction is furthest from P/H_c
    worst = max(range(len(rows)), key=lambda i: abs(rows[i][1]["area_fraction"] / rows[i][0] - 1))
    pr_worst, r_worst, _ = rows[worst]
    # What the physics guarantees (see the introduction), not a tighter number: each
    # load is one random realisation with few spots at the lowest pressures.
    # Serial vs parallel: h = q / dT_c takes q from a fixed-temperature reaction (it
    # cancels large nodal terms: balance residual ~1e-11) and dT_c as the difference
    # of the 1 K drop and the bulk drops, so round-off is amplified to ~3e-11 (seen)
    # -> parallel 1e-9 for h and what is derived from it.  With CG + GAMG (ksp_rtol
    # 1e-10, a partition-dependent preconditioner) the reactions carry ~1e-6 of solver
    # error (the balance residual), the runs differ by 6e-6 (seen) -> 1e-4.
    par = 1e-9 if solver == "direct" else 1e-4
    checks = {
        "h_increase_min_ratio": Check.at_least(
            float(np.min(h[1:] / h[:-1])), 1.0, par, note="h_c increases with the pressure"
        ),
        "loglog_slope": Check.within(
            slope, *SLOPE_RANGE, par, note="2D spots: slope ~1 (CMY 0.95)"
        ),
        "ratio_2D_to_CMY_min": Check.within(
            float(ratio.min()), *RATIO_RANGE, par, note="2D strips conduct less than 3D spots"
        ),
        "ratio_2D_to_CMY_max": Check.within(
            float(ratio.max()), *RATIO_RANGE, par, note="2D strips conduct less than 3D spots"
        ),
        "area_fraction_worst": Check(
            r_worst["area_fraction"],
            pr_worst,
            0.25,
            note=f"meshed spots vs P/H_c (at P/H_c = {pr_worst:g}; spot ends interpolated)",
        ),
        # the solver's error in the fixed-temperature reactions (they cancel large
        # nodal terms): 1e-11 with MUMPS, 1e-6 with CG + GAMG (ksp_rtol 1e-10)
        "energy_balance_relative_residual": Check.at_most(
            max(r["balance"] for _, r, _ in rows),
            BALANCE_BOUND[solver],
            parallel_rtol=None,
            note=f"{solver} solver error",
        ),
    }
    if comm.rank == 0:
        print("\n" + format_checks(checks))
    comm.barrier()  # the plot exists on every rank's return
    return checks


def _plot(P, h, h_cmy, slope, folder: Path) -> None:
    """h_c(P/H_c), resolved 2D vs CMY, as a PNG (skipped without matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return
    folder.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.loglog(P, h, "o-", label=f"resolved 2D profile (slope {slope:.2f})")
    ax.loglog(P, h_cmy, "s--", label="CMY plastic (3D correlation, slope 0.95)")
    ax.set_xlabel("relative pressure $P/H_c$")
    ax.set_ylabel("contact conductance $h_c$ [W/(m$^2$ K)]")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "rough_homogenization.png", dpi=120)
    plt.close(fig)
    print(f"plot: {folder / 'rough_homogenization.png'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1024, help="profile samples")
    parser.add_argument("--out", default="results/rough_homogenization", help="output folder")
    parser.add_argument("--solver", default="direct", choices=["iterative", "direct"])
    args = parser.parse_args()
    main(args.n, args.out, args.solver)
