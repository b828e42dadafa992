# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: light
# ---

# # A chip package with an uncertain joint: the junction temperature as a distribution
#
# The 100 W chip on a finned aluminium heat sink of `cases/chip_package_uq.toml` (the
# flagship package: die, TIM, copper spreader, dry spreader/sink joint with CMY solid
# spots, air in the gaps and radiation).  The joint's inputs scatter: roughness σ
# (lognormal, 20 %), asperity slope m (truncated normal, 17 %), microhardness H_c
# (normal, 10 %), clamping pressure P (uniform ±25 %).  The study runs the case at the
# points of a Sobol' sequence and, separately, builds a polynomial chaos from a few runs;
# every run changes numbers only (the mesh, forms and solver are built once).
#
# Checks:
#
# * the study's model at the nominal inputs is the case's own solution (to 1e-9);
# * the polynomial chaos and the Sobol'-sequence sample agree on the mean (within three
#   standard errors of the sample) and on the standard deviation (10 %);
# * the first-order Sobol' indices of T_j follow the variance shares of
#   ln h_s = ln m − ln σ + 0.95 ln(P/H_c) + const of the CMY law (to 0.05: T_j responds
#   almost linearly to ln h over this range; the gas path also sees P/H_c);
# * Σ S_i ≤ 1 ≤ Σ S_Ti (what first and total indices must satisfy).
#
# Run: `python demos/demo_chip_uncertainty.py [--samples 256] [--out results/chip_uncertainty]`,
# or the case file itself: `fe-interface uncertainty cases/chip_package_uq.toml`.

# +
from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from mpi4py import MPI

import numpy as np

from fe_interface.case import load_case
from fe_interface.case.studies import case_model
from fe_interface.case.sweep import key_value
from fe_interface.postprocessing.checks import Check, format_checks
from fe_interface.studies.parameters import Parameter
from fe_interface.studies.report import format_uncertainty, write_uncertainty
from fe_interface.studies.uncertainty import propagate

# -

CASE = Path(__file__).resolve().parents[1] / "cases" / "chip_package_uq.toml"
EXPONENT = 0.95  # CMY: h_s ∝ (m/σ) (P/H_c)^0.95


def log_variance(dist, rng: np.random.Generator) -> float:
    """Var(ln X) of an input, from 10⁶ draws (sampling error ~0.1 %)."""
    import openturns as ot

    ot.RandomGenerator.SetSeed(int(rng.integers(1 << 30)))
    return float(np.var(np.log(np.array(dist.marginal().getSample(1_000_000)))))


def main(
    samples: int = 256, chaos_runs: int = 40, out: str | None = "results/chip_uncertainty",
    solver: str = "direct",
) -> dict:  # fmt: skip
    """The Sobol'-sequence study, the chaos, the nominal run; returns the checks."""
    case = load_case(CASE)
    case = replace(case, solver=solver)
    spec = case.uncertainty
    # one model (mesh, forms, solver) for both studies and the nominal check
    entries = [(k, Parameter(d.name, float(key_value(case.data, k[0])))) for k, d in spec.inputs]
    model = case_model(case, entries)
    inputs = [d for _, d in spec.inputs]
    common = {"outputs": list(spec.outputs), "junction": case.junction, "progress": False}
    sampled = propagate(model, inputs, method="sobol", samples=samples, **common)
    chaos = propagate(model, inputs, method="chaos", samples=chaos_runs, **common)
    files: dict = {}
    if out is not None:
        files |= write_uncertainty(sampled, out, "chip_uncertainty", MPI.COMM_WORLD)[0]
        files |= write_uncertainty(chaos, out, "chip_chaos", MPI.COMM_WORLD)[0]
    # the nominal inputs (after another point): the study's model against a plain run
    model.set({k: 1.1 * v for k, v in model.nominal.items()})
    model.problem.run()
    model.set(model.nominal)
    model.problem.run()
    tj_model = model.problem.derived_values(junction="die").junction_K
    plain = case.prepare()
    plain.run()
    tj_plain = plain.derived_values(junction="die").junction_K

    s, c = sampled.statistics["junction_K"], chaos.statistics["junction_K"]
    rng = np.random.default_rng(0)
    var = {d.name: log_variance(d, rng) for _, d in spec.inputs}
    var["P"] *= EXPONENT**2
    var["H_c"] *= EXPONENT**2
    share = {k: v / sum(var.values()) for k, v in var.items()}
    sob = sampled.sobol["junction_K"]
    checks = {
        "nominal_junction_K": Check(tj_model, tj_plain, 1e-9, parallel_rtol=1e-8,
                                    note="values-only updates = the case's own run"),
        "chaos_mean_junction_K": Check.within(
            c["mean"], s["mean"] - 3 * s["mean_error"], s["mean"] + 3 * s["mean_error"],
            parallel_rtol=1e-6, note=f"chaos ({chaos_runs} runs) vs Sobol' sample ({samples})"),
        "chaos_std_junction_K": Check(c["std"], s["std"], 0.1, parallel_rtol=1e-6,
                                      note="chaos vs Sobol' sample"),
        "sum_first_order_indices": Check.at_most(sum(sob["first"].values()), 1.0 + 1e-9,
                                                 parallel_rtol=1e-6, note="sum S_i <= 1"),
        "sum_total_indices": Check.at_least(sum(sob["total"].values()), 1.0 - 1e-9,
                                            parallel_rtol=1e-6, note="sum S_Ti >= 1"),
    }  # fmt: skip
    for name in var:
        checks[f"first_order_index_{name}"] = Check(
            sob["first"][name],
            share[name],
            0.0,
            0.05,
            parallel_rtol=1e-6,
            note="variance share of ln h_s (CMY)",
        )
    if MPI.COMM_WORLD.rank == 0:
        print(format_uncertainty(sampled))
        print(format_uncertainty(chaos))
        print()
        print(format_checks(checks))
        if files:
            print(f"\nfiles in {out}/: " + ", ".join(Path(p).name for p in files.values()))
    return checks


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=256, help="points of the Sobol' sequence")
    parser.add_argument("--chaos-runs", type=int, default=40, help="runs of the polynomial chaos")
    parser.add_argument("--out", default="results/chip_uncertainty", help="output folder")
    parser.add_argument("--solver", default="direct", choices=["iterative", "direct"])
    args = parser.parse_args()
    main(args.samples, args.chaos_runs, args.out, args.solver)
