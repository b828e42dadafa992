"""Where CMY/Mikic and the resolved routes agree, and why they differ (measured).

One self-affine surface family (H = 0.8, σ = 0.5 µm fixed, roll-off at L/2 on a
0.2 mm sample, 64² points, mirror-padded) with the short-wavelength cut-off λ_s = 2, 4,
8 px: the RMS slope m falls as λ_s grows while σ stays.  Cu on Al 6061 (E* = 49 GPa,
k 398/167 W/(m K), H = 1.05 GPa), P = 20 MPa, vacuum.  Per cut-off:

* Barber's h from K of the elastic contact, and FE conduction through the resolved spots
  of the elastic and of the elastic-perfectly-plastic contact;
* Mikic (elastic) and CMY (plastic) with σ and m of the same surface.

    python benchmarks/bench_rough_routes.py [--n 64]
    python benchmarks/bench_rough_routes.py --resolution 32 64 128 [--pressure 20e6]
        [--edge 0.25 0.125] [--degree 2] [--growth 0.5] [--spot-edges contours]
    python benchmarks/bench_rough_routes.py --bem 32 64 128 256 512 1024
    python benchmarks/bench_rough_routes.py --domain 64

``--resolution``: FE through the resolved spots against Barber on *one* continuous random
surface (spectrum from the roll-off L/2 to the cut-off L/8: a few large spots) sampled on
n × n points (Fourier interpolation of the 32² map), elastic, vacuum: the ratio FE/Barber
with n, i.e. with the pixels per spot, for each spot-edge cell size ``--edge`` (in dx),
element degree and spot polygons (``contours``: sub-pixel, ``pixels``: staircase).
``--bem``: Barber's h of that surface against n alone (the boundary elements' K(P) at a
fixed physical surface; finite-difference steps ±2 % and ±0.5 %, and the rigid-punch
stiffness of the contact set at P, ``HalfSpaceContact.punch_stiffness``).
``--domain``: the FE block against Barber's assumptions at one n: block thickness L/2 and
2L (default L), and a periodic contact (pad=False) meshed with insulated sides.

The numbers go to docs/rough-contact.md.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from mpi4py import MPI

import numpy as np

from fe_interface.geometry.rough import RoughSurface
from fe_interface.geometry.topography import self_affine_surface, surface_statistics
from fe_interface.model.laws.contact import CMYPlasticConductance, MikicElasticConductance
from fe_interface.model.laws.rough_tables import barber_conductance, pair_from_statistics
from fe_interface.model.rough_contact import HalfSpaceContact
from fe_interface.problems.resolved_contact import resolved_conductance

E1, NU1, E2, NU2 = 120e9, 0.34, 69e9, 0.33
E_STAR = 1.0 / ((1 - NU1**2) / E1 + (1 - NU2**2) / E2)
K1, K2, H_C = 398.0, 167.0, 1.05e9
L, SIGMA, P = 0.2e-3, 0.5e-6, 20e6


def row(n: int, cutoff_px: int) -> dict:
    s0 = self_affine_surface(
        n,
        L,
        0.8,
        rms_height=SIGMA,
        rolloff_wavelength=L / 2,
        cutoff_wavelength=cutoff_px * L / n,
        seed=7,
    )
    s = RoughSurface(s0.z, s0.dx, periodic=False)
    st = surface_statistics(s)
    lad = HalfSpaceContact(s, E_STAR, pad=True).ladder([P], step=0.02)
    pl = HalfSpaceContact(s, E_STAR, hardness=H_C, pad=True).solve(P)
    fe_el = resolved_conductance(s, lad.states[0], K1, K2, edge_size=s.dx / 4)
    fe_pl = resolved_conductance(s, pl, K1, K2, edge_size=s.dx / 4)
    pair = pair_from_statistics(st, K1, K2, E1, NU1, E2, NU2)
    return {
        "cutoff_px": cutoff_px,
        "m": st.rms_slope,
        "A_el": float(lad.area_fraction[0]),
        "A_pl": pl.area_fraction,
        "plastic": pl.plastic_fraction,
        "barber": float(barber_conductance(lad.stiffness_Pa_per_m[0], E_STAR, K1, K2)),
        "fe_el": fe_el.h_W_m2K,
        "fe_pl": fe_pl.h_W_m2K,
        "mikic": MikicElasticConductance(pair, P).h,
        "cmy": CMYPlasticConductance(pair, P, H_C).h,
    }


def sampled(n: int, n0: int = 32, seed: int = 7) -> RoughSurface:
    """One continuous surface (σ = SIGMA, H = 0.8, λ_r = L/2, λ_s = L/8) on n × n points.

    The n0² map's Fourier series (nothing at or above its Nyquist wavenumber) evaluated
    on the finer grid; declared non-periodic (mirror-padded contact, insulated FE sides).
    """
    s0 = self_affine_surface(
        n0, L, 0.8, rms_height=SIGMA, rolloff_wavelength=L / 2, cutoff_wavelength=L / 8, seed=seed
    )
    Z = np.fft.fft2(s0.z)
    k = np.fft.fftfreq(n0, 1.0 / n0).astype(int) % n  # wavenumber index on the fine grid
    big = np.zeros((n, n), complex)
    big[np.ix_(k, k)] = Z
    return RoughSurface(np.fft.ifft2(big).real * (n / n0) ** 2, L / n, periodic=False)


def _barber(s: RoughSurface, pressure: float, step: float = 0.02, pad: bool = True) -> Any:
    lad = HalfSpaceContact(s, E_STAR, pad=pad).ladder([pressure], step=step)
    return lad, float(barber_conductance(lad.stiffness_Pa_per_m[0], E_STAR, K1, K2))


def resolution(sizes: list[int], pressure: float, opts: dict, edges: list[float], say: Any) -> None:
    """FE through the resolved spots / Barber on one surface at growing resolution."""
    say(f"one surface, sigma = {SIGMA * 1e6} um, P = {pressure / 1e6} MPa, vacuum, elastic, {opts}")
    say(
        f"{'n':>5}{'A_r/A':>9}{'A_FE':>9}{'spots':>7}{'r px':>6}{'edge':>7}{'cells':>9}"
        f"{'h Barber':>11}{'h FE':>11}{'FE/Barber':>11}{'est.':>7}{'s':>6}"
    )
    for n in sizes:
        s = sampled(n)
        lad, h_b = _barber(s, pressure)
        for e in edges:
            t0 = time.perf_counter()
            fe = resolved_conductance(s, lad.states[0], K1, K2, edge_size=s.dx * e, **opts)
            say(
                f"{n:>5}{lad.area_fraction[0]:>9.4f}{fe.area_fraction:>9.4f}{fe.spots:>7}"
                f"{fe.spot_radius_px:>6.2f}{e:>7.4g}{fe.cells:>9}{h_b:>11.4g}{fe.h_W_m2K:>11.4g}"
                f"{fe.h_W_m2K / h_b:>11.4f}{fe.resolution_error:>7.3f}{time.perf_counter() - t0:>6.0f}"
            )


def bem(sizes: list[int], pressure: float, say: Any) -> None:
    """Barber's h of the one surface against the sampling n (K by ±2 % and ±0.5 % steps)."""
    say(f"{'n':>5}{'A_r/A':>9}{'h (2 %)':>11}{'h (0.5 %)':>11}{'h (punch)':>11}{'s':>6}")
    for n in sizes:
        t0 = time.perf_counter()
        s = sampled(n)
        lad, h2 = _barber(s, pressure, 0.02)
        _, h05 = _barber(s, pressure, 0.005)
        K = HalfSpaceContact(s, E_STAR, pad=True).punch_stiffness(lad.states[0])
        hp = float(barber_conductance(K, E_STAR, K1, K2))
        say(
            f"{n:>5}{lad.area_fraction[0]:>9.5f}{h2:>11.5g}{h05:>11.5g}{hp:>11.5g}"
            f"{time.perf_counter() - t0:>6.0f}"
        )


def domain(n: int, pressure: float, opts: dict, say: Any) -> None:
    """The FE block vs Barber's assumptions: thickness, and insulated sides vs a periodic contact."""
    s = sampled(n)
    lad, h_b = _barber(s, pressure)
    for t in (0.5 * L, L, 2 * L):
        fe = resolved_conductance(s, lad.states[0], K1, K2, thickness=t, **opts)
        say(
            f"n = {n}: mirrored contact, blocks {t / L:g} L thick: FE/Barber {fe.h_W_m2K / h_b:.4f}"
        )
    sp = RoughSurface(s.z, s.dx, periodic=True)  # the Fourier-interpolated map is periodic
    lp, h_p = _barber(sp, pressure, pad=False)
    fe = resolved_conductance(sp, lp.states[0], K1, K2, **opts)
    say(
        f"n = {n}: periodic contact (h Barber {h_p:.4g}, mirrored {h_b:.4g}) on insulated sides: "
        f"FE/Barber {fe.h_W_m2K / h_p:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--resolution", type=int, nargs="+", default=None)
    parser.add_argument("--pressure", type=float, default=P, help="Pa (--resolution)")
    parser.add_argument("--edge", type=float, nargs="+", default=[0.25], help="edge cells / dx")
    parser.add_argument("--degree", type=int, default=2)
    parser.add_argument("--growth", type=float, default=0.5)
    parser.add_argument("--spot-edges", default="contours", choices=["contours", "pixels"])
    parser.add_argument("--bem", type=int, nargs="+", default=None)
    parser.add_argument("--domain", type=int, default=None)
    args = parser.parse_args()
    say = print if MPI.COMM_WORLD.rank == 0 else (lambda *a, **k: None)
    opts = {"degree": args.degree, "growth": args.growth, "spot_edges": args.spot_edges}
    if args.resolution:
        resolution(args.resolution, args.pressure, opts, args.edge, say)
        return
    if args.bem:
        bem(args.bem, args.pressure, say)
        return
    if args.domain:
        domain(
            args.domain, args.pressure, {**opts, "edge_size": L / args.domain * args.edge[0]}, say
        )
        return
    t0 = time.perf_counter()
    rows = [row(args.n, c) for c in (2, 4, 8)]
    say(f"n = {args.n}, sigma = {SIGMA * 1e6} um, P = {P / 1e6} MPa, E* = {E_STAR / 1e9:.1f} GPa")
    keys = ["cutoff_px", "m", "A_el", "A_pl", "plastic", "barber", "fe_el", "fe_pl", "mikic", "cmy"]
    say("".join(f"{k:>11}" for k in keys) + f"{'fe_pl/cmy':>11}{'barber/mikic':>13}")
    for r in rows:
        say(
            "".join(f"{r[k]:>11.4g}" for k in keys)
            + f"{r['fe_pl'] / r['cmy']:>11.3f}{r['barber'] / r['mikic']:>13.3f}"
        )
    say(f"{time.perf_counter() - t0:.0f} s")
    _ = np


if __name__ == "__main__":
    main()
