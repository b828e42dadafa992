"""The exactness figures of the non-matching interface pairs (issue 23, item 2 targets).

Prints, for the problems of the tests (tests/system/test_pairs.py,
test_pairs_convergence.py): the patch tests' largest nodal error (K) and their
conservation |Q_A − Q_B|/|Q|, the cylindrical/spherical gap heat flows against the
conducting-shell solution, and the L2/H1 rates across the curved interface (P1, P2).

Usage (from the repository root)::

    python benchmarks/pairs_targets.py            # patch + gaps (~1 min)
    python benchmarks/pairs_targets.py --rates    # also the refinement study (~2 min)
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "system")]

import numpy as np  # noqa: E402
import test_pairs as tp  # noqa: E402
import test_pairs_convergence as tc  # noqa: E402
from helpers.convergence import l2_error, rates  # noqa: E402
from helpers.parts import Linear, nodal_error, two_blocks  # noqa: E402

import fe_interface as fi  # noqa: E402


def row_of(p):
    """The pair's row of the interface table."""
    return next(r for r in p.interface_table() if "conservation_relative" in r.mechanisms)


def patch() -> None:
    """Patch tests: 2D (nested 1:3 and non-nested) and 3D, P1 and P2."""
    print("patch test (linear T, h = 3 W/(m^2 K)): max nodal error K, conservation")
    exact = Linear(tp.KA, tp.KB, h=3.0)
    cases = [(c, d, n, w, "2d") for c, d, n, w in tp.PATCH_2D]
    cases += [(c, d, [2, 3, 3], 0.3, "3d") for c in ("tetrahedron", "hexahedron") for d in (1, 2)]
    for cell, degree, n_b, warp, dim in cases:
        if dim == "2d":
            t = two_blocks(cell, [2, 3], n_b, warp)
            p = tp.solve_blocks(t, fi.Conductance(3.0), exact, degree)
        else:
            t = two_blocks(cell, [1, 1, 1], n_b, warp)
            p = tp.solve_blocks(t, fi.Conductance(3.0), exact, degree, integration="symmetric")
        r = row_of(p)
        kind = "nested 1:3" if warp == 0 else "non-nested"
        print(
            f"  {cell:13s} P{degree} {kind:11s} err {nodal_error(p, exact):.2e}  "
            f"Q/q-1 {r.heat_flow_W / exact.q - 1:+.1e}  cons {r.mechanisms['conservation_relative']:.1e}"
        )


def gaps() -> None:
    """The unmeshed gaps r = 1 -> 2 with the conducting-shell law (and the planar law)."""
    print("unmeshed gap (gas shell r1 = 1 -> r2 = 2): Q / Q_exact - 1, conservation")
    for geometry in ("cylinder", "sphere"):
        for integration in ("one-sided", "symmetric"):
            p = tp.gap_problem(geometry, geometry, integration)
            R = (
                tp.shell_resistance(geometry, tp.R0, tp.R1, 3.0)
                + tp.shell_resistance(geometry, tp.R1, tp.R2, tp.K_GAS)
                + tp.shell_resistance(geometry, tp.R2, tp.R3, 2.0)
            )
            r = row_of(p)
            print(
                f"  {geometry:8s} {integration:9s} {r.heat_flow_W / ((tp.T_IN - tp.T_OUT) / R) - 1:+.2e}"
                f"  cons {r.mechanisms['conservation_relative']:.1e}"
            )
    g = 2 * math.pi * tp.K_GAS / math.log(tp.R2 / tp.R1)
    R = tp.shell_resistance("cylinder", tp.R0, tp.R1, 3.0) + tp.shell_resistance(
        "cylinder", tp.R2, tp.R3, 2.0
    )
    for surfaces, ratio in (
        (("a_outer", "b_inner"), math.log(2)),
        (("b_inner", "a_outer"), 2 * math.log(2)),
    ):
        p = tp.gap_problem("cylinder", "planar", "one-sided", surfaces)
        Q_true = (tp.T_IN - tp.T_OUT) / (R + 1 / g)
        print(
            f"  planar law on {surfaces[0]}: gap conductance x{ratio:.3f}, heat flow "
            f"{abs(row_of(p).heat_flow_W) / Q_true - 1:+.1%} vs the exact shell"
        )


def convergence() -> None:
    """L2 and H1 rates across the curved interface."""
    sizes = [0.4, 0.2, 0.1, 0.05]
    for degree in (1, 2):
        l2, h1 = [], []
        for h in sizes:
            p = tc.solve(h, degree)
            l2.append(l2_error(p, tc.EXACT, ["a", "b"])[0])
            h1.append(tc.h1_error(p))
            p.close()
        print(f"  P{degree} L2 {np.round(rates(sizes, l2), 2)}  H1 {np.round(rates(sizes, h1), 2)}")


if __name__ == "__main__":
    patch()
    gaps()
    if "--rates" in sys.argv:
        print("rates across the curved interface (h = 0.4, 0.2, 0.1, 0.05)")
        convergence()
