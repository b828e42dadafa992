# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: light
# ---

# # A synthetic ASTM D5470 rig: contact resistances from thermocouple readings
#
# Two copper meter bars (25 mm each) clamp an aluminium specimen (3 mm); the top of the
# upper bar is held at 80 °C, the bottom of the lower bar at 20 °C, the sides are
# insulated.  Two contacts (bar/specimen, specimen/bar) have resistances R_top and
# R_bottom.  Thermocouples read the temperature with a standard uncertainty of 0.05 K.
#
# The synthetic readings are the model's own predictions at known resistances plus
# seeded Gaussian noise, so the truth is known.  Two fits:
#
# 1. thermocouples in the bars only (the ASTM layout): the bars' gradients give the heat
#    flux and the extrapolated face temperatures, i.e. the *total* resistance between the
#    bars.  The split between the two contacts is not in the data: the fit says so (the
#    identifiability report: one determined combination, R_top + R_bottom; unbounded
#    intervals for each), instead of returning a confident wrong split;
# 2. two more thermocouples inside the specimen: both resistances are determined, each
#    with its interval.
#
# The demo ends with checks: the estimates lie within three standard deviations of the
# truth (deterministic: the noise is seeded), the split of fit 1 is reported as
# undetermined, the determined combination of fit 1 is the sum, χ² per degree of freedom
# is that of noise (below 3).
#
# Run: `python demos/demo_astm_rig.py [--n 4] [--out results/astm_rig]`.

# +
from __future__ import annotations

import argparse

from mpi4py import MPI

import numpy as np

import fe_interface as fi
from fe_interface.geometry import layered_stack
from fe_interface.postprocessing.checks import Check, format_checks
from fe_interface.studies import Observations, Parameter, ParametricModel, fit
from fe_interface.studies.report import format_fit, write_fit

# -

# ## Data (SI units)

L_BAR, L_SPEC, WIDTH = 0.025, 0.003, 0.01  # m
K_CU, K_AL = 390.0, 180.0  # W/(m K)
T_HOT, T_COLD = 353.15, 293.15  # K
TRUTH = {"R_top": 5.0e-5, "R_bottom": 1.2e-4}  # m² K/W
SIGMA = 0.05  # K, thermocouple standard uncertainty
BAR_TC = [0.005, 0.0125, 0.02]  # m from the hot face, in the upper bar (mirrored below)
SPEC_TC = [L_BAR + 0.001, L_BAR + 0.002]  # m, inside the specimen (fit 2)


def build_mesh(n: int, comm: MPI.Comm = MPI.COMM_WORLD) -> fi.TaggedMesh:
    """Bars and specimen along x, structured quadrilaterals (``n`` cells per specimen)."""
    return layered_stack(
        [L_BAR, L_SPEC, L_BAR], WIDTH, dim=2, names=["upper", "specimen", "lower"],
        mesh_size=L_SPEC / n, cell_type="hex", comm=comm,
    )  # fmt: skip


def model_objects(v: dict[str, float]) -> dict:
    """The two contacts for parameter values (name -> m² K/W)."""
    return {
        "interfaces": [
            fi.Interface("interface0", fi.Resistance(v["R_top"]), plus="upper"),
            fi.Interface("interface1", fi.Resistance(v["R_bottom"]), plus="specimen"),
        ]
    }


def readings(xs: list[float]) -> Observations:
    pts = np.c_[np.asarray(xs), np.full(len(xs), WIDTH / 2)]
    return Observations(
        pts, np.zeros(len(xs)), SIGMA, names=tuple(f"TC{i + 1}" for i in range(len(xs)))
    )


def main(n: int = 4, out: str | None = "results/astm_rig", solver: str = "direct") -> dict:
    """Synthetic readings, two fits, the identifiability reports; returns the checks."""
    tagged = build_mesh(n)
    problem = fi.SteadyProblem(
        tagged,
        {"upper": fi.Material("Cu", K_CU), "specimen": fi.Material("Al", K_AL),
         "lower": fi.Material("Cu", K_CU)},
        boundary_conditions=[fi.FixedTemperature("x0", T_HOT), fi.FixedTemperature("x1", T_COLD)],
        solver=solver, **model_objects(TRUTH),
    )  # fmt: skip
    params = [Parameter("R_top", 1e-4, log=True, unit="m^2 K/W"),
              Parameter("R_bottom", 1e-4, log=True, unit="m^2 K/W")]  # fmt: skip
    model = ParametricModel(problem, model_objects, params)
    lower = [2 * L_BAR + L_SPEC - x for x in BAR_TC]
    rng = np.random.default_rng(2026)
    results = {}
    for label, xs in (("bars", BAR_TC + lower), ("specimen", BAR_TC + SPEC_TC + lower)):
        obs = readings(xs)
        truth = model.predict(TRUTH, model.probes(obs)).values
        data = obs.with_values(truth + rng.normal(0.0, SIGMA, len(truth)))
        results[label] = fit(model, data)
        if out is not None:
            write_fit(results[label], out, f"astm_rig_{label}", MPI.COMM_WORLD)
    bars, spec = results["bars"], results["specimen"]
    det = [c for c in bars.identifiability.combinations if c.determined]
    total, total_true = sum(bars.estimates), sum(TRUTH.values())
    # the determined combination's std is in ln space: relative for the sum
    sd_total = det[0].std * total if det else np.inf
    checks = {
        "bars_rank": Check(bars.identifiability.rank, 1, 0.0, parallel_rtol=0.0,
                           note="bars only: one determined combination"),
        "bars_split_undetermined": Check(
            float(not any(bars.identifiability.identifiable.values())), 1.0, 0.0,
            parallel_rtol=0.0, note="neither contact alone is identifiable"),
        "bars_sum_is_determined": Check(
            float(np.allclose(det[0].linear, [1.0, 1.0], atol=1e-3)) if det else 0.0, 1.0, 0.0,
            parallel_rtol=0.0, note="the determined combination: R_top + R_bottom"),
        "bars_total_resistance_m2K_W": Check.within(
            total, total_true - 3 * sd_total, total_true + 3 * sd_total, parallel_rtol=1e-6,
            note="within 3 standard deviations of the truth (seeded noise)"),
        "specimen_R_top_m2K_W": Check.within(
            spec.estimate("R_top"), TRUTH["R_top"] - 3 * spec.std[0],
            TRUTH["R_top"] + 3 * spec.std[0], parallel_rtol=1e-6, note="within 3 std"),
        "specimen_R_bottom_m2K_W": Check.within(
            spec.estimate("R_bottom"), TRUTH["R_bottom"] - 3 * spec.std[1],
            TRUTH["R_bottom"] + 3 * spec.std[1], parallel_rtol=1e-6, note="within 3 std"),
        "specimen_reduced_chi2": Check.at_most(spec.reduced_chi2, 3.0, parallel_rtol=1e-6,
                                               note="residuals of noise size"),
    }  # fmt: skip
    if MPI.COMM_WORLD.rank == 0:
        for label, r in results.items():
            print(f"\n== thermocouples in the {label} ==\n{format_fit(r)}")
        print()
        print(format_checks(checks))
    return checks


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=4, help="cells across the specimen")
    parser.add_argument("--out", default="results/astm_rig", help="output folder")
    parser.add_argument("--solver", default="direct", choices=["iterative", "direct"])
    args = parser.parse_args()
    main(args.n, args.out, args.solver)
