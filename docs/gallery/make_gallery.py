"""Regenerate the README demo gallery: one PNG per demo in ``docs/gallery/``.

    python docs/gallery/make_gallery.py [--work results/gallery] [--only NAME ...]

Runs every demo (``demos/demo_*.py``, default sizes) into ``WORK/NAME`` and makes
its picture: a ParaView render (``xvfb-run -a pvbatch`` with the demo's script in
``fe_interface/io/paraview/``, on the demo's XDMF/VTU files) for the demos with a
field worth seeing, a matplotlib figure for the parameter studies.  Every image is shrunk to at most 900 px wide and
must stay below 200 kB (checked).  Needs ParaView (pvbatch, xvfb-run) and matplotlib.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
GALLERY = ROOT / "docs" / "gallery"
MAX_BYTES = 200_000
MAX_WIDTH = 900

# demo -> how its picture is made: "paraview" (the demo's pvbatch script) or a
# function name of this module (matplotlib, from the demo's output files)
PICTURES = {
    "two_blocks": "paraview",
    "contact_laws": "plot_contact_laws",
    "rough_homogenization": "copy_rough_homogenization",
    "transient_stack": "plot_transient_stack",
    "chip_heatsink": "paraview",
    "thermoelectric_multilayer": "paraview",
    "transient_contact": "paraview",
    "cryogenic_bond": "plot_cryogenic_bond",
    "bolted_joint": "render_bolted_joint",
    "thermal_expansion_gap": "plot_thermal_expansion_gap",
    "astm_rig": "copy_astm_rig",
    "laser_flash": "copy_laser_flash",
    "chip_uncertainty": "copy_chip_uncertainty",
    "rough_contact_routes": "render_rough_contact_routes",
    "cad_assembly": "render_cad_assembly",
    "nonmatching_pairs": "render_nonmatching_pairs",
}


def run_demo(name: str, out: Path) -> None:
    cmd = [sys.executable, str(ROOT / "demos" / f"demo_{name}.py"), "--out", str(out)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    print(f"  ran demo_{name}.py in {time.perf_counter() - t0:.1f} s")


def _figure(size=(6.4, 4.2)):
    """(figure, axes) with the Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size, layout="constrained")


def plot_contact_laws(out: Path, png: Path) -> None:
    import matplotlib.pyplot as plt

    d = json.loads((out / "contact_laws_study.json").read_text())
    _figure()  # Agg backend
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.8), layout="constrained")
    P = [p / 1e6 for p in d["pressure_Pa"]]
    ax1.loglog(P, d["h_air_W_m2K"], "o-", label="in air")
    ax1.loglog(P, d["h_vacuum_W_m2K"], "s--", label="in vacuum (CMY, slope 0.95)")
    ax1.set_xlabel("contact pressure (MPa)")
    ax1.set_ylabel("h (W/(m² K))")
    ax1.set_title("rough Al/Al joint, ~305 K", fontsize=10)
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend(fontsize=9)
    cryo = sorted((float(t), c["R_K"]) for t, c in d["cryo"].items())
    T, R = [t for t, _ in cryo], [r for _, r in cryo]
    ax2.loglog(T, R, "o-", label="FE: bonded Si/Cu (AMM)")
    ax2.loglog(T, [R[0] * (T[0] / t) ** 3 for t in T], ":", color="0.4", label="∝ T⁻³")
    ax2.set_xlabel("temperature (K)")
    ax2.set_ylabel("R_K (m² K/W)")
    ax2.set_title("Kapitza resistance, cryogenic", fontsize=10)
    ax2.grid(True, which="both", alpha=0.3)
    ax2.legend(fontsize=9)
    fig.savefig(png, dpi=100)
    plt.close(fig)


def copy_rough_homogenization(out: Path, png: Path) -> None:
    png.write_bytes((out / "rough_homogenization.png").read_bytes())


def plot_transient_stack(out: Path, png: Path) -> None:
    import matplotlib.pyplot as plt

    with open(out / "transient_stack.csv") as fh:
        rows = list(csv.DictReader(fh))
    t = [float(r["time_s"]) for r in rows]
    fig, ax = _figure()
    for key, label in (("die_tim", "die / TIM"), ("tim_sink", "TIM / sink")):
        ax.semilogx(t, [float(r[f"{key}_mean_jump_K"]) for r in rows], label=f"jump {label}")
    ax.set_xlabel("time after switch-on (s)")
    ax.set_ylabel("mean interface jump (K)")
    ax.set_title("chip switched on: the jumps grow to their steady values", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=9)
    fig.savefig(png, dpi=100)
    plt.close(fig)


def plot_cryogenic_bond(out: Path, png: Path) -> None:
    import matplotlib.pyplot as plt

    d = json.loads((out / "cryogenic_bond_study.json").read_text())
    T = [float(t) for t in d["stages_K"]]
    rows = [d["rows"][str(t)] for t in T]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.8), layout="constrained")
    ax1.loglog(T, [r["jump_K"] for r in rows], "o-", label="FE")
    ax1.loglog(T, [r["jump_exact_K"] for r in rows], "x", ms=9, label="1D (Kirchhoff + root)")
    ax1.set_xlabel("stage temperature (K)")
    ax1.set_ylabel("Kapitza jump at the bond (K)")
    ax1.set_title("Si die on OFHC copper, 2 % above the stage", fontsize=10)
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend(fontsize=9)
    ax2.loglog(T, [r["k_si_W_mK"] for r in rows], "o-", label="silicon (Casimir / G&S)")
    ax2.loglog(T, [r["k_cu_W_mK"] for r in rows], "s--", label="copper RRR 100 (NIST)")
    ax2.set_xlabel("temperature (K)")
    ax2.set_ylabel("k (W/(m K))")
    ax2.set_title("conductivities at the stage temperature", fontsize=10)
    ax2.grid(True, which="both", alpha=0.3)
    ax2.legend(fontsize=9)
    fig.savefig(png, dpi=100)
    plt.close(fig)


def render_bolted_joint(out: Path, png: Path) -> None:
    from fe_interface.io import paraview

    paraview.render(out / "bolted_joint.vtu", png, title="bolted joint: T (jump at the plates)",
                    warp=True)  # fmt: skip


def plot_thermal_expansion_gap(out: Path, png: Path) -> None:
    """The demo's table (printed): gap, pressure and jump against the heat flux."""
    import matplotlib.pyplot as plt

    cmd = [sys.executable, str(ROOT / "demos" / "demo_thermal_expansion_gap.py"), "--out", str(out)]
    text = subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True, text=True).stdout
    lines = text.splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.strip().startswith("q W/m2"))
    rows = []
    for ln in lines[head + 1 :]:
        parts = ln.split()
        try:
            rows.append([float(v) for v in parts[:5]])
        except ValueError:
            break
    q, g, P, jump, h = (np.array(c) for c in zip(*rows, strict=True))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.8), layout="constrained")
    ax1.semilogx(q, g, "o-", label="gap (µm)")
    ax1.semilogx(q, P, "s--", label="contact pressure (kPa)")
    ax1.set_xlabel("heat flux q (W/m²)")
    ax1.set_title("expansion closes the 8 µm gap", fontsize=10)
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend(fontsize=9)
    ax2.loglog(q, jump, "o-", label="jump across the joint (K)")
    ax2.loglog(q, h, "s--", label="joint conductance h (W/(m² K))")
    ax2.set_xlabel("heat flux q (W/m²)")
    ax2.set_title("two-way coupled: checked against the 1D solution", fontsize=10)
    ax2.grid(True, which="both", alpha=0.3)
    ax2.legend(fontsize=9)
    fig.savefig(png, dpi=100)
    plt.close(fig)


def _copy(src: Path, png: Path) -> None:
    """A figure the demo wrote itself (its result sets link the current files)."""
    png.write_bytes(src.resolve().read_bytes())


def copy_astm_rig(out: Path, png: Path) -> None:
    _copy(out / "astm_rig_specimen_fit_residuals.png", png)


def copy_laser_flash(out: Path, png: Path) -> None:
    _copy(out / "laser_flash_fit_residuals.png", png)


def copy_chip_uncertainty(out: Path, png: Path) -> None:
    _copy(out / "chip_uncertainty_uq_histograms.png", png)


def render_rough_contact_routes(out: Path, png: Path) -> None:
    from fe_interface.io import paraview

    paraview.render(out / "contact_map_generated.vtu", png, field="pressure_Pa",
                    title="generated rough surface: contact pressure (Pa)")  # fmt: skip


def render_cad_assembly(out: Path, png: Path) -> None:
    from fe_interface.io import paraview

    paraview.render(out / "cad_assembly.vtu", png, view="iso", clip="y",
                    title="CAD assembly (STEP): die, lid, heat sink; T (K)")  # fmt: skip


def render_nonmatching_pairs(out: Path, png: Path) -> None:
    from fe_interface.io import paraview

    paraview.render(out / "stack.vtu", png, view="iso", clip="y",
                    title="parts meshed separately, coupled by pairs: T (K)")  # fmt: skip


def shrink(png: Path) -> int:
    """At most MAX_WIDTH px wide, palette-quantised if still too large; returns bytes."""
    from PIL import Image

    img = Image.open(png).convert("RGB")
    if img.width > MAX_WIDTH:
        img = img.resize((MAX_WIDTH, round(img.height * MAX_WIDTH / img.width)), Image.LANCZOS)
    img.save(png, optimize=True)
    if png.stat().st_size > MAX_BYTES:
        img.quantize(colors=256).save(png, optimize=True)
    return png.stat().st_size


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--work", default=str(ROOT / "results" / "gallery"))
    ap.add_argument("--only", nargs="*", default=None, help="demo names")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from fe_interface.io import paraview

    failed = []
    for name, how in PICTURES.items():
        if args.only and name not in args.only:
            continue
        print(f"{name}:")
        out = Path(args.work) / name
        png = GALLERY / f"{name}.png"
        run_demo(name, out)
        if how == "paraview":
            paraview.render_demo(name, out, png)
        else:
            globals()[how](out, png)
        size = shrink(png)
        print(f"  {png.relative_to(ROOT)}: {size / 1e3:.0f} kB")
        if size > MAX_BYTES:
            failed.append(name)
    if failed:
        print(f"larger than {MAX_BYTES / 1e3:.0f} kB: {failed}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
