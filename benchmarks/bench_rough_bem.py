"""Cost of the FFT boundary-element rough contact (fe_interface.model.rough_contact).

One elastic contact of a self-affine surface (H = 0.8, roll-off at L/4, cut-off at 2 px,
RMS gradient 0.1) at one load (A_r/A ~ 5 %) per grid size, with Tamaas' PKR solver
(tolerance 1e-10), and the elastic-perfectly-plastic one (hardness = 5 x the load's
elastic pressure scale).  Reported per size: the solve's CPU time (``time.process_time``: single-threaded, so on a
shared machine it is the time the solve takes on a free core) and wall time, elastic solves (1; EPP: the flattening steps), the time of one
numpy rfft2/irfft2 pair of the same size (CPU time) measured in the same process (the
solve in "FFT pairs" is the number to compare between machines), and the peak resident
memory of a fresh process (``resource.getrusage``).  With ``--contactmechanics`` the same
elastic contact through ContactMechanics (if installed) for the library comparison.

    python benchmarks/bench_rough_bem.py [--sizes 512 2048] [--contactmechanics]

Not a test: timings on a shared 2-core machine vary by 2-3x with the load.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

CHILD = r"""
import json, resource, sys, time
import numpy as np
n, kind = int(sys.argv[1]), sys.argv[2]
L, E = 1e-4, 1e9
from fe_interface.geometry.topography import self_affine_surface
s = self_affine_surface(n, L, 0.8, rms_slope=0.1 / 2**0.5, rolloff_wavelength=L / 4, seed=1)
P = 0.025 * E * s.rms_gradient()
a = np.random.default_rng(0).random((n, n))
t = time.process_time()
for _ in range(5):
    np.fft.irfft2(np.fft.rfft2(a))
fft = (time.process_time() - t) / 5
if kind == "contactmechanics":
    import ContactMechanics
    from SurfaceTopography import Topography
    topo = Topography(s.z, physical_sizes=(L, L), periodic=True)
    system = topo.make_contact_system(young=E)
    t, w = time.process_time(), time.perf_counter()
    r = system.minimize_proxy(external_force=P * L * L, pentol=1e-10)
    dt, wall, it = time.process_time() - t, time.perf_counter() - w, int(r.nit)
    frac = float(np.mean(np.abs(system.force) > 0))
else:
    from fe_interface.model.rough_contact import HalfSpaceContact
    H = None if kind == "elastic" else 5 * P / 0.05
    c = HalfSpaceContact(s, E, hardness=H)
    t, w = time.process_time(), time.perf_counter()
    st = c.solve(P)
    dt, wall, it, frac = time.process_time() - t, time.perf_counter() - w, st.iterations, st.area_fraction
mem = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
print(json.dumps({"n": n, "kind": kind, "time_s": dt, "wall_s": wall, "fft_pair_s": fft, "area_fraction": frac,
                  "iterations": it, "peak_MiB": mem}))
"""


def run(n: int, kind: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), kind], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 2048])
    parser.add_argument("--plastic", action="store_true", help="also elastic-perfectly-plastic")
    parser.add_argument("--contactmechanics", action="store_true")
    args = parser.parse_args()
    kinds = ["elastic"] + (["plastic"] if args.plastic else [])
    kinds += ["contactmechanics"] if args.contactmechanics else []
    print(
        f"{'n':>6}{'solver':>18}{'CPU s':>9}{'wall s':>9}{'FFT pairs':>11}{'solves':>7}{'A_r/A':>8}{'peak MiB':>10}"
    )
    for n in args.sizes:
        for kind in kinds:
            t0 = time.perf_counter()
            try:
                r = run(n, kind)
            except subprocess.CalledProcessError as e:
                print(f"{n:>6}{kind:>18}  failed: {e.stderr.strip().splitlines()[-1][:80]}")
                continue
            print(
                f"{n:>6}{kind:>18}{r['time_s']:>9.2f}{r['wall_s']:>9.2f}{r['time_s'] / r['fft_pair_s']:>11.0f}"
                f"{r['iterations']:>7}{r['area_fraction']:>8.4f}{r['peak_MiB']:>10.0f}"
                f"   ({time.perf_counter() - t0:.0f} s with start-up)"
            )
    _ = np  # numpy is the child's


if __name__ == "__main__":
    main()
