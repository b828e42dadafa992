"""Where the error of a Hertz contact on non-matching meshes comes from (issue 23 item 3).

A steel sphere (R = 10 mm) on a steel block, separately meshed (``cylinder_on_block``,
mortar contact, sphere = slave), load for a = 0.25 mm.  Axisymmetric by default (the
cheap proxy of the 3D quarter model: seconds per run), ``--dim 3`` for the 3D model.
Each row: the sphere's and the block's cell sizes near the contact (a/n), the block's
size W, and the errors of

* ``moments``: a² = (5/2) Σ A_i P_i r_i² / Σ A_i P_i, p₀ = 3F/(2π a²) — fit-free, immune to
  the nodal oscillation: the discretisation's own error;
* ``lumped``: the area-weighted least-squares fit of the lumped averages of the Hertz
  pressure to the nodal pressures (axisymmetric only; 3D: tests/helpers/hertz_fit.py),
  and its force 2π a² p₀/3 against the load;
* ``ellipse``: the least-squares line P² = p₀²(1 − r²/a²) through the loaded nodes (biased
  by the edge nodes, whose patch averages reach past a), and its force;
* ``osc``: max |P_i − lumped exact| / p₀ for r ≤ 0.8 a, of the slave's nodal pressures and
  of the pressures carried over to the block's nodes (``MortarContact.master_table``).

Usage::

    python benchmarks/hertz_mortar_study.py                 # the axisymmetric table
    python benchmarks/hertz_mortar_study.py --dim 3 --sizes 20,12
"""

from __future__ import annotations

import argparse
import math

from mpi4py import MPI

import numpy as np
from scipy.optimize import least_squares

import fe_interface  # noqa: F401  (MPI first)
from fe_interface.discretisation.surface_contact import SurfaceContact
from fe_interface.geometry.parts import cylinder_on_block
from fe_interface.model.elastic_materials import ElasticMaterial, effective_modulus
from fe_interface.model.mechanical_boundary import Pressure, Symmetry
from fe_interface.postprocessing.exact_contact import hertz_point, lumped_average
from fe_interface.problems.elastic import ElasticProblem

STEEL = ElasticMaterial("steel", 200e9, 0.3)
R, A = 10e-3, 0.25e-3
E = effective_modulus(STEEL, STEEL)
#: (sphere a/n, block a/n, block size W in m) of the axisymmetric table
TABLE = [(20, 8, 5e-3), (60, 8, 5e-3), (20, 12, 5e-3), (20, 20, 5e-3), (60, 20, 5e-3),
         (60, 20, 2.5e-3), (60, 20, 10e-3)]  # fmt: skip


def solve(ns: float, nb: float, W: float, dim: int):
    """The contact after the solve, the exact solution and the load (N)."""
    tagged = cylinder_on_block(R, W, W, (A / ns, A / nb), 1.5 * A, R / 8, dim=dim)
    q = 4 * E * A**3 / (3 * R) / (math.pi * R**2)
    if dim == 2:
        bcs = [Symmetry("cylinder_axis"), Symmetry("block_axis"), Pressure("cylinder_top", q)]
        pair = ("cylinder_surface", "block_top")
        mats = {"cylinder": STEEL, "block": STEEL}
    else:
        bcs = [Symmetry(f"{p}_{s}") for p in ("sphere", "block") for s in ("x0", "y0")]
        bcs.append(Pressure("sphere_top", q))
        pair = ("sphere_surface", "block_top")
        mats = {"sphere": STEEL, "block": STEEL}
    p = ElasticProblem(
        tagged, mats, axisymmetric=dim == 2, contacts=[SurfaceContact(pair)],
        boundary_conditions=[*bcs, Symmetry("block_bottom")],
    )  # fmt: skip
    p.solve()
    load = 4 * E * A**3 / (3 * R) if dim == 2 else None
    if dim == 3:  # the faceted top is a little smaller than π R²/4
        import ufl
        from dolfinx import fem

        ds = ufl.Measure("ds", domain=tagged.mesh, subdomain_data=tagged.facet_tags)
        top = fem.assemble_scalar(fem.form(1.0 * ds(tagged.facet_names["sphere_top"])))
        load = 4 * q * tagged.mesh.comm.allreduce(top, op=MPI.SUM)
    return p.contacts[0], hertz_point(load, R, E), load


def errors(contact, ex, load: float, dim: int) -> dict[str, float]:
    """The relative errors of the reductions (see the module docstring)."""
    t, m = contact.nodal_table(), contact.master_table()
    a0, p0 = ex.half_width_m, ex.peak_pressure_Pa
    r = np.linalg.norm(t.x[:, : dim - 1], axis=1)
    P, w = t.pressure_Pa, t.area_m2
    a_m = math.sqrt(2.5 * np.sum(w * P * r**2) / np.sum(w * P))
    F = (2 * math.pi if dim == 2 else 4) * np.sum(w * P)
    out = {"moments_a": a_m / a0 - 1, "moments_p0": 3 * F / (2 * math.pi * a_m**2) / p0 - 1}
    on = P > 0
    c1, c0 = np.polyfit(r[on] ** 2, P[on] ** 2, 1)
    a_e, p_e = math.sqrt(-c0 / c1), math.sqrt(c0)
    out |= {"ellipse_a": a_e / a0 - 1, "ellipse_p0": p_e / p0 - 1,
            "ellipse_F": 2 * math.pi * a_e**2 * p_e / 3 / load - 1}  # fmt: skip
    if dim == 2:
        o = np.argsort(r)
        x, Px, wx = r[o], P[o], np.sqrt(w[o] / w[o].mean())
        sel = x < 3 * a0

        def ell(v):
            return lambda s: v[1] * p0 * np.sqrt(np.clip(1 - s**2 / (v[0] * a0) ** 2, 0, None))

        v = least_squares(
            lambda v: wx[sel] * (lumped_average(x[sel], ell(v), True, 60) - Px[sel]) / p0, [1, 1]
        ).x
        out |= {"lumped_a": v[0] - 1, "lumped_p0": v[1] - 1,
                "lumped_F": 2 * math.pi * (v[0] * a0) ** 2 * v[1] * p0 / 3 / load - 1}  # fmt: skip
        for name, xs, Ps in (("slave", x, Px), ("master", m.x[:, 0], m.pressure_Pa)):
            L = lumped_average(xs, ex.pressure, True, 60)
            out[f"osc_{name}"] = float(np.max(np.abs(Ps - L)[xs <= 0.8 * a0]) / p0)
    else:
        rm = np.linalg.norm(m.x[:, :2], axis=1)
        for name, xs, Ps in (("slave", r, P), ("master", rm, m.pressure_Pa)):
            i = xs <= 0.8 * a0  # against the pointwise exact pressure
            out[f"osc_{name}"] = float(np.max(np.abs(Ps[i] - ex.pressure(xs[i]))) / p0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dim", type=int, default=2, choices=(2, 3))
    ap.add_argument("--sizes", help="ns,nb[,W]: one run (cells a/ns, a/nb; W in m)")
    args = ap.parse_args()
    rows = TABLE
    if args.sizes:
        v = [float(s) for s in args.sizes.split(",")]
        rows = [(v[0], v[1], v[2] if len(v) > 2 else 5e-3)]
    for ns, nb, W in rows:
        c, ex, load = solve(ns, nb, W, args.dim)
        e = errors(c, ex, load, args.dim)
        if MPI.COMM_WORLD.rank == 0:
            cells = f"sphere a/{ns:g} block a/{nb:g} W {W / A:g} a"
            print(cells + " | " + "  ".join(f"{k} {100 * v:+.2f}%" for k, v in e.items()))


if __name__ == "__main__":
    main()
