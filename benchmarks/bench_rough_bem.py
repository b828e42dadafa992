"""Cost of the FFT boundary-element rough contact (fe_interface.model.rough_contact).

One elastic contact of a self-affine surface (H = 0.8, roll-off at L/4, cut-off at 2 px,
RMS gradient 0.1) at one load (A_r/A ~ 6 %) per grid size and solver:

* ``fft``: the default engine (Polonsky-Keer on scipy FFTs, default tolerance 1e-8);
* ``tamaas``: Tamaas' PKR, the reference engine (default tolerance 1e-10);
* ``pk``: the published Polonsky-Keer algorithm on NumPy FFTs as the package had it
  before (directions restarted whenever points enter the contact set, two FFT pairs per
  iteration, BLAS dot products) — the baseline of the speed-up;
* ``plastic``: the elastic-perfectly-plastic contact (hardness 5 x the load's pressure
  scale), default engine;
* ``contactmechanics``: the same elastic contact through ContactMechanics (if installed);
* ``none``: no solve (with ``--one``: the start-up of a process, for whole-process timers).

Reported per run: the solve's CPU time (``time.process_time``: all threads of the
process, so threaded BLAS shows) and wall time, the iterations (``solves`` for tamaas and
plastic: elastic solves), the CPU time of one scipy rfft2/irfft2 pair of the same size
measured in the same process (the solve in "FFT pairs" is the number to compare between
machines), A_r/A and the mean gap against the first solver of the size (relative), and the
peak resident memory of a fresh process (``resource.getrusage``).

    python benchmarks/bench_rough_bem.py [--sizes 512 2048] [--solvers fft tamaas pk]
    python benchmarks/bench_rough_bem.py --one 512 fft     # one solve (for whole-process timers)

Not a test: timings on a shared 2-core machine vary by 2-3x with the load; compare the
ratios of one run, and quote the load average (printed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

L, E = 1e-4, 1e9  # sample side (m), contact modulus (Pa)


def restarting_pk(z: np.ndarray, kernel: np.ndarray, P: float, tol: float) -> tuple:
    """The published Polonsky-Keer iteration as the package had it (the baseline).

    Restart (delta = 0) whenever a point enters the contact set, both displacements by FFT
    every iteration, numpy dot products (threaded BLAS).
    """
    axes = tuple(range(z.ndim))

    def u(p: np.ndarray) -> np.ndarray:
        return np.fft.irfftn(np.fft.rfftn(p, axes=axes) * kernel, s=z.shape, axes=axes)

    scale = float(np.std(z)) or 1.0
    p, t = np.full(z.shape, P), np.zeros_like(z)
    G_old, delta = 1.0, 0.0
    for it in range(1, 100001):
        on = p > 0
        g = u(p) - z
        g -= g[on].mean()
        G = float(np.dot(g[on], g[on]))
        t = np.where(on, g + delta * (G / G_old) * t, 0.0)
        G_old = G
        r = u(t)
        r -= r[on].mean()
        tau = float(np.dot(g[on], t[on]) / np.dot(r[on], t[on]))
        p = np.where(on, p - tau * t, 0.0)
        p[p < 0] = 0.0
        overlap = (p == 0) & (g < 0)
        delta = 0.0 if overlap.any() else 1.0
        p[overlap] -= tau * g[overlap]
        p *= P / p.mean()
        on = p > 0
        err = float(np.sum(p[on] * np.abs(g[on]))) / (P * p.size * scale)
        if err < tol and not overlap.any():
            g = u(p) - z
            g -= g[on].mean()
            return p, np.where(on, 0.0, np.maximum(g, 0.0)), it
    raise RuntimeError("no convergence")


def one(n: int, kind: str, tol: float | None) -> dict:
    """One solve of size n by ``kind`` in this process: the figures as a dict."""
    import scipy.fft as sfft

    from fe_interface.geometry.topography import self_affine_surface

    s = self_affine_surface(n, L, 0.8, rms_slope=0.1 / 2**0.5, rolloff_wavelength=L / 4, seed=1)
    P = 0.025 * E * s.rms_gradient()
    a = np.random.default_rng(0).random((n, n))
    t = time.process_time()
    for _ in range(5):
        sfft.irfft2(sfft.rfft2(a), s=a.shape)
    fft = (time.process_time() - t) / 5
    t, w = time.process_time(), time.perf_counter()
    if kind == "none":  # the start-up of a process, without a solve (whole-process timers)
        it, frac, gap = 0, float("nan"), float("nan")
    elif kind == "contactmechanics":
        from SurfaceTopography import Topography

        system = Topography(s.z, physical_sizes=(L, L), periodic=True).make_contact_system(young=E)
        r = system.minimize_proxy(external_force=P * L * L, pentol=tol or 1e-10)
        it, frac, gap = int(r.nit), float(np.mean(np.abs(system.force) > 0)), float("nan")
    elif kind == "pk":
        from fe_interface.model.rough_contact import compliance_kernel

        z = s.z - s.z.mean()
        p, g, it = restarting_pk(z, compliance_kernel(z.shape, s.dx, E), P, tol or 1e-8)
        frac, gap = float(np.mean(p > 0)), float(g.mean())
    else:
        from fe_interface.model.rough_contact import (
            HalfSpaceContact,
            compliance_kernel,
            polonsky_keer,
        )

        if kind == "fft":  # the engine itself, to count its iterations
            z = s.z - s.z.mean()
            c = HalfSpaceContact(s, E, tolerance=tol)
            p, g, it = polonsky_keer(z, compliance_kernel(z.shape, s.dx, E), P, c.tolerance)
            frac, gap = float(np.mean(p > 0)), float(g.mean())
        else:
            H = 5 * P / 0.05 if kind == "plastic" else None
            engine = "tamaas" if kind == "tamaas" else "fft"
            st = HalfSpaceContact(s, E, hardness=H, tolerance=tol, engine=engine).solve(P)
            it, frac, gap = st.iterations, st.area_fraction, st.mean_gap_m
    dt, wall = time.process_time() - t, time.perf_counter() - w
    mem = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    return {
        "n": n,
        "kind": kind,
        "time_s": dt,
        "wall_s": wall,
        "fft_pair_s": fft,
        "area_fraction": frac,
        "mean_gap_m": gap,
        "iterations": it,
        "peak_MiB": mem,
    }


def run(n: int, kind: str, tol: float | None) -> dict:
    """One solve in a fresh process (its own peak memory)."""
    cmd = [sys.executable, __file__, "--one", str(n), kind]
    cmd += ["--tolerance", str(tol)] if tol else []
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(sizes: list[int], kinds: list[str], tol: float | None) -> None:
    """Each size with each solver, one fresh process each; the first solver is the reference."""
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores)")
    print(
        f"{'n':>6}{'solver':>18}{'CPU s':>9}{'wall s':>9}{'FFT pairs':>11}{'its':>6}"
        f"{'A_r/A':>9}{'dA rel':>9}{'dgap rel':>10}{'peak MiB':>10}"
    )
    for n in sizes:
        ref = None
        for kind in kinds:
            t0 = time.perf_counter()
            try:
                r = run(n, kind, tol)
            except subprocess.CalledProcessError as e:
                print(f"{n:>6}{kind:>18}  failed: {e.stderr.strip().splitlines()[-1][:80]}")
                continue
            ref = ref or r
            dA = r["area_fraction"] / ref["area_fraction"] - 1
            dg = r["mean_gap_m"] / ref["mean_gap_m"] - 1
            print(
                f"{n:>6}{kind:>18}{r['time_s']:>9.2f}{r['wall_s']:>9.2f}"
                f"{r['time_s'] / r['fft_pair_s']:>11.0f}{r['iterations']:>6}"
                f"{r['area_fraction']:>9.5f}{dA:>9.1e}{dg:>10.1e}{r['peak_MiB']:>10.0f}"
                f"   ({time.perf_counter() - t0:.0f} s with start-up; load {os.getloadavg()[0]:.1f})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 2048])
    parser.add_argument(
        "--solvers",
        nargs="+",
        default=["fft", "tamaas", "pk"],
        choices=["fft", "tamaas", "pk", "plastic", "contactmechanics", "none"],
    )
    parser.add_argument("--tolerance", type=float, default=None, help="default: the engine's")
    parser.add_argument("--one", nargs=2, metavar=("N", "SOLVER"), help="one solve, JSON out")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(int(args.one[0]), args.one[1], args.tolerance)))
    else:
        table(args.sizes, args.solvers, args.tolerance)


if __name__ == "__main__":
    main()
