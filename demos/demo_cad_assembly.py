# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: light
# ---

# # A CAD assembly: die, lid and heat sink from a STEP file
#
# A silicon die (8 × 8 × 0.5 mm) dissipating 10 W sits under a copper lid (20 × 20 ×
# 1.5 mm, the integrated heat spreader), which sits on an aluminium heat-sink base
# (40 × 40 × 4 mm) cooled by forced air on all its free faces (h = 500 W/(m² K),
# 25 °C).  The three parts are built with gmsh's OpenCASCADE kernel in millimetres, as
# a CAD tool would, and written to a STEP file; the case file then names that file
# (`[geometry] cad = "die_lid_sink.step"`): the reader converts millimetres to metres,
# glues the parts where they touch and names the two contacts `die/lid` and
# `lid/heat_sink` with their areas, the free faces `<part>_outer`.  The die/lid joint
# is a thermal interface material (R = 2×10⁻⁵ m² K/W), the lid/sink joint a greased
# contact (R = 5×10⁻⁵ m² K/W).
#
# Checks (exact values): the contact areas (64 mm² and 400 mm²); every watt generated
# in the die crosses die/lid and lid/heat_sink (the die and the lid have no other path:
# their free faces are insulated), so both interface heat flows equal the power; the
# mean jump across each interface is R Q / A (a constant R: ∫ h ΔT dA = Q); the energy
# balance closes; and the case run from the STEP file gives the same field as the same
# model set up through the Python API (same mesh, same numbers to round-off).
#
# Run: `python demos/demo_cad_assembly.py [--n 2] [--out results/cad_assembly]`.

# +
from __future__ import annotations

import argparse
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from mpi4py import MPI

import fe_interface as fi
from fe_interface.case import load_case, run_case
from fe_interface.geometry.assembly import cad_assembly
from fe_interface.io.summary import format_table
from fe_interface.postprocessing.checks import Check, format_checks

# -

# ## Data (SI units; the CAD model is drawn in mm)

MM = 1.0e-3  # m
DIE = (8.0, 8.0, 0.5)  # mm, silicon die
LID = (20.0, 20.0, 1.5)  # mm, copper lid
SINK = (40.0, 40.0, 4.0)  # mm, aluminium heat-sink base
POWER = 10.0  # W in the die
K = {"die": 148.0, "lid": 401.0, "heat_sink": 237.0}  # W/(m K), Incropera Table A.1
R_TIM, R_GREASE = 2.0e-5, 5.0e-5  # m² K/W
H_AIR, T_AIR = 500.0, 298.15  # W/(m² K), K

CASE = """\
name = "cad_assembly"
description = "die, lid and heat sink from a STEP file"

[geometry]
cad = "die_lid_sink.step"
parts = ["die", "lid", "heat_sink"]
mesh_size = {mesh_size}

[materials.die]
conductivity = {k_die}
[materials.lid]
conductivity = {k_lid}
[materials.heat_sink]
conductivity = {k_sink}

[interfaces."die/lid"]
law = "resistance"
R = {r_tim}
[interfaces."lid/heat_sink"]
law = "resistance"
R = {r_grease}

[boundaries.heat_sink_outer]
type = "convection"
h = {h}
T_inf = {t_inf}

[sources.die]
power = {power}

[solver]
type = "{solver}"
"""


@contextmanager
def quiet_stdout():
    """Silence OpenCASCADE's STEP writer, which prints to the C-level stdout."""
    fd = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(fd, 1)
            os.close(fd)


def write_step(path: Path) -> None:
    """Draw the three parts (mm) with gmsh's OpenCASCADE kernel and write a STEP file."""
    import gmsh

    gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    try:
        occ = gmsh.model.occ
        x0 = (SINK[0] - DIE[0]) / 2
        occ.addBox(x0, x0, 0.0, *DIE)
        x1 = (SINK[0] - LID[0]) / 2
        occ.addBox(x1, x1, DIE[2], *LID)
        occ.addBox(0.0, 0.0, DIE[2] + LID[2], *SINK)
        occ.synchronize()
        with quiet_stdout():
            gmsh.write(str(path))  # a STEP file declares its unit: millimetres
    finally:
        gmsh.finalize()


def write_files(folder: Path, mesh_size: float, solver: str) -> Path:
    """The STEP file and the case file in ``folder`` (rank 0); the case file's path."""
    if MPI.COMM_WORLD.rank == 0:
        folder.mkdir(parents=True, exist_ok=True)
        write_step(folder / "die_lid_sink.step")
        text = CASE.format(
            mesh_size=mesh_size, k_die=K["die"], k_lid=K["lid"], k_sink=K["heat_sink"],
            r_tim=R_TIM, r_grease=R_GREASE, h=H_AIR, t_inf=T_AIR, power=POWER, solver=solver,
        )  # fmt: skip
        (folder / "cad_assembly.toml").write_text(text)
    MPI.COMM_WORLD.barrier()
    return folder / "cad_assembly.toml"


def api_problem(step: Path, mesh_size: float, solver: str) -> fi.SteadyProblem:
    """The same model through the Python API."""
    asm = cad_assembly(step, ["die", "lid", "heat_sink"], mesh_size)
    return fi.SteadyProblem(
        asm.tagged,
        {p: fi.Material(p, K[p]) for p in asm.parts},
        interfaces=[
            fi.Interface("die/lid", fi.Resistance(R_TIM)),
            fi.Interface("lid/heat_sink", fi.Resistance(R_GREASE)),
        ],
        boundary_conditions=[fi.Convection("heat_sink_outer", H_AIR, T_AIR)],
        sources=[fi.HeatSource("die", power=POWER)],
        solver=solver,
    )


def main(n: int = 4, out: str | None = "results/cad_assembly", solver: str = "iterative") -> dict:
    """Write the STEP and case files, run the case, compare with the API; the checks."""
    comm = MPI.COMM_WORLD
    mesh_size = 8.0 * MM / n
    tmp = None
    if out is None:  # a scratch folder for the STEP and case files
        tmp = comm.bcast(tempfile.mkdtemp() if comm.rank == 0 else None, root=0)
    folder = Path(out if out is not None else tmp)
    case_file = write_files(folder, mesh_size, solver)
    case = load_case(case_file)
    res = run_case(case, out=None if out is None else str(folder), log=None)
    table = {s.name: s for s in res.interfaces}
    contacts = {c.name: c for c in case.contacts}
    problem = api_problem(folder / "die_lid_sink.step", mesh_size, solver)
    problem.run()
    api = {s.name: s for s in problem.interface_table()}
    T_case = res.problem.T.x.array
    diff = comm.allreduce(float(abs(T_case - problem.T.x.array).max(initial=0.0)), op=MPI.MAX)
    Tmax = comm.allreduce(float(abs(T_case).max(initial=0.0)), op=MPI.MAX)

    rtol = {"direct": 1e-9, "iterative": 1e-7}[solver]
    par = {"direct": 1e-10, "iterative": 1e-7}[solver]
    exact_area = {"die/lid": DIE[0] * DIE[1] * MM**2, "lid/heat_sink": LID[0] * LID[1] * MM**2}
    checks = {
        "contacts_found": Check(len(contacts), 2, 0.0, note="two contacts: die/lid, lid/heat_sink"),
    }
    for name, R in (("die/lid", R_TIM), ("lid/heat_sink", R_GREASE)):
        key = name.replace("/", "_")
        s = table[name]
        checks |= {
            f"{key}_area_m2": Check(
                contacts[name].area_m2, exact_area[name], 1e-9, parallel_rtol=1e-12,
                note="planar faces of the CAD model: the OCC area is exact",
            ),
            f"{key}_mesh_area_m2": Check(
                s.area_m2, exact_area[name], 1e-9, parallel_rtol=1e-10,
                note="the meshed contact is the CAD face (planar): quadrature round-off",
            ),
            f"{key}_heat_flow_W": Check(
                s.heat_flow_W, POWER, rtol, parallel_rtol=par,
                note="all die power crosses both joints (insulated die and lid): solver error",
            ),
            f"{key}_mean_jump_K": Check(
                s.mean_jump_K, R * s.heat_flow_W / s.area_m2, 1e-9, parallel_rtol=par,
                note="constant R: mean jump = R Q / A of one discrete operator (round-off)",
            ),
        }  # fmt: skip
    checks |= {
        "energy_balance_relative_residual": Check.at_most(
            res.balance.relative_residual, rtol, parallel_rtol=None, note=f"{solver} round-off"
        ),
        "case_equals_api_relative": Check.at_most(
            diff / Tmax, rtol, parallel_rtol=None,
            note="the STEP case and the API build the same mesh and model: solver error",
        ),
        "api_heat_flow_W": Check(
            api["die/lid"].heat_flow_W, POWER, rtol, parallel_rtol=par,
            note="the API run: the same check as the case run",
        ),
    }  # fmt: skip
    if comm.rank == 0:
        for c in case.contacts:
            print(f"contact {c.name}: parts {c.parts}, area {c.area_m2:.6g} m2")
        print(format_table(res.interfaces, res.balance))
        print(format_checks(checks))
        if out is not None:
            print(f"\nSTEP, case and ParaView files in {folder}/")
    res.problem.close()
    problem.close()
    return checks


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=4, help="cells across the die's 8 mm")
    parser.add_argument("--out", default="results/cad_assembly", help="output folder")
    parser.add_argument("--solver", default="iterative", choices=["iterative", "direct"])
    args = parser.parse_args()
    main(args.n, args.out, args.solver)
