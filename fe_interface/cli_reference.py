"""The reference commands of ``fe-interface``: ``materials`` and ``info``.

::

    fe-interface materials [--json]            bulk, library, phonon, gas, elastic data
    fe-interface info [--json]                 versions, PETSc packages, MPI

Rank 0 alone prints (under ``mpirun``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from mpi4py import MPI

__all__ = ["cmd_info", "cmd_materials", "info_data"]


def _say(*args: Any, **kw: Any) -> None:
    """Print on rank 0."""
    if MPI.COMM_WORLD.rank == 0:
        print(*args, **kw, flush=True)


def _materials_data() -> dict[str, Any]:
    from fe_interface.case import BULK_MATERIALS
    from fe_interface.model.elastic_library import ELASTIC_PROPERTIES
    from fe_interface.model.laws import GASES, VICKERS_COEFFICIENTS, phonon_materials

    return {
        "bulk": BULK_MATERIALS,
        "library": _library_data(),
        "phonon": {
            n: {
                "density": m.density,
                "v_L": m.v_L,
                "v_T": m.v_T,
                "debye_temperature": m.debye_temperature,
                "number_density": m.number_density,
                "source": m.source,
            }
            for n, m in phonon_materials().items()
        },
        "elastic": {
            n: {"E_Pa": e.E, "nu": e.nu, "alpha_1_K": e.alpha, "source": e.source}
            for n, e in ELASTIC_PROPERTIES.items()
        },
        "vickers": {n: {"c1_Pa": c1, "c2": c2} for n, (c1, c2) in VICKERS_COEFFICIENTS.items()},
        "gases": {
            n: {
                "k_g_W_mK_at": {f"{T:g}K": float(g.conductivity(T)) for T in (150.0, 300.0, 600.0)},
                "k_g": g.k_g,
                "gamma": g.gamma,
                "Pr": g.Pr,
                "mean_free_path": g.mfp0,
                "T0": g.T0,
                "p0": g.p0,
                "source": g.source,
            }
            for n, g in GASES.items()
        },
    }


def _library_data() -> dict[str, Any]:
    """The temperature-dependent library: description, ranges, sources, k at 4/77/300 K."""
    import warnings

    from fe_interface.model.library import LIBRARY

    out = {}
    for name, entry in LIBRARY.items():
        d = entry.describe()
        lo, hi = entry.valid_range or (float("-inf"), float("inf"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            d["conductivity"]["k_W_mK"] = {
                f"{T:g}K": float(entry.conductivity(T)) if lo <= T <= hi else None
                for T in (4.0, 77.0, 300.0)
            }
        out[name] = d
    return out


def _print_library(library: dict[str, Any]) -> None:
    _say("\nTemperature-dependent library (case files: conductivity = { library = NAME }, or")
    _say("[materials.REGION] library = NAME; Python: fe_interface.model.library.library_entry)")
    _say(f"  {'name':<22}{'k(4 K)':>9}{'k(77 K)':>9}{'k(300 K)':>10}  {'range K':<13}description")
    for n, d in library.items():
        k = d["conductivity"]["k_W_mK"]
        cells = "".join(
            f"{(f'{v:.4g}' if v is not None else '-'):>{w}}"
            for v, w in zip(k.values(), (9, 9, 10), strict=True)
        )
        lo, hi = d["conductivity"]["valid_range_K"] or ("-", "-")
        _say(f"  {n:<22}{cells}  {f'{lo:g}-{hi:g}':<13}{d['description'][:60]}")
    _say("  k in W/(m K), '-' outside the fit's range; sources: fe-interface materials --json")


def cmd_materials(args: argparse.Namespace) -> int:
    """``fe-interface materials``: the material data of case files (``--json``: all of it)."""
    data = _materials_data()
    if args.json:
        _say(json.dumps(data, indent=2))
        return 0
    _say("Bulk materials near 300 K (case files: [materials.REGION] library = NAME)")
    _say(f"  {'name':<20}{'k W/(m K)':>12}{'rho kg/m3':>12}{'c_p J/(kg K)':>14}")
    for n, m in data["bulk"].items():
        _say(f"  {n:<20}{m['conductivity']:>12.4g}{m['density']:>12.6g}{m['specific_heat']:>14.4g}")
    _say("  source: Incropera et al., Fundamentals of Heat and Mass Transfer, Table A.1/A.3")
    _print_library(data["library"])
    _say("\nPhonon materials (Kapitza law: material_1 / material_2 = NAME)")
    _say(f"  {'name':<10}{'rho kg/m3':>11}{'v_L m/s':>10}{'v_T m/s':>10}{'Theta_D K':>11}")
    for n, m in data["phonon"].items():
        td = m["debye_temperature"]
        _say(
            f"  {n:<10}{m['density']:>11.5g}{m['v_L']:>10.5g}{m['v_T']:>10.5g}"
            f"{(f'{td:.4g}' if td else '-'):>11}"
        )
    _say("  sources: fe_interface/data/phonon_materials.toml ('source' of each entry)")
    _say("\nGases (gas-gap law: gas = NAME), k_g(T) and the mean free path at T0, p0")
    _say(
        f"  {'name':<10}{'k 150 K':>9}{'k 300 K':>9}{'k 600 K':>9}{'gamma':>8}{'Pr':>8}"
        f"{'mfp m':>11}{'T0 K':>7}"
    )
    for n, g in data["gases"].items():
        k = g["k_g_W_mK_at"]
        _say(
            f"  {n:<10}{k['150K']:>9.4g}{k['300K']:>9.4g}{k['600K']:>9.4g}{g['gamma']:>8.4g}"
            f"{g['Pr']:>8.4g}{g['mean_free_path']:>11.4g}{g['T0']:>7.4g}"
        )
    _say("  k_g in W/(m K); sources: fe-interface materials --json ('source' of each gas)")
    _say("\nElastic data ([mechanics.materials.REGION] library = NAME), room temperature")
    _say(f"  {'name':<22}{'E GPa':>8}{'nu':>7}{'alpha 1e-6/K':>14}")
    for n, e in data["elastic"].items():
        _say(f"  {n:<22}{e['E_Pa'] / 1e9:>8.4g}{e['nu']:>7.3g}{e['alpha_1_K'] * 1e6:>14.4g}")
    _say("\nVickers microhardness coefficients (H_c = { material = NAME })")
    for n, v in data["vickers"].items():
        _say(f"  {n:<12} c1 = {v['c1_Pa'] / 1e9:.4g} GPa, c2 = {v['c2']:.4g}")
    return 0


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def info_data() -> dict[str, Any]:
    """Versions and build information (collective: counts the ranks)."""
    import petsc4py
    from petsc4py import PETSc

    import basix
    import dolfinx
    import numpy as np
    import ufl

    comm = MPI.COMM_WORLD
    packages = [
        "mumps",
        "superlu_dist",
        "hypre",
        "scalapack",
        "metis",
        "parmetis",
        "ptscotch",
        "hdf5",
        "blaslapack",
        "spai",
    ]
    external: dict[str, bool | None] = {}
    for p in packages:
        try:
            external[p] = bool(PETSc.Sys.hasExternalPackage(p))
        except Exception:  # old petsc4py
            external[p] = None
    pv = PETSc.Sys.getVersion()
    try:
        import adios2  # noqa: F401 -- availability check (loads the library)

        have_adios2 = True
    except ImportError:
        have_adios2 = False
    from fe_interface.io import paraview

    return {
        "fe_interface": _version("fe_interface"),
        "python": sys.version.split()[0],
        "dolfinx": dolfinx.__version__,
        "dolfinx_git": getattr(dolfinx, "git_commit_hash", "") or "unknown",
        "basix": basix.__version__,
        "ufl": ufl.__version__,
        "petsc4py": getattr(petsc4py, "__version__", "?"),
        "petsc": ".".join(map(str, pv)),
        "petsc_scalar": "complex" if np.dtype(PETSc.ScalarType).kind == "c" else "real",
        "petsc_external_packages": [p for p, v in external.items() if v],
        "mpi4py": _version("mpi4py"),
        "mpi_library": MPI.Get_library_version().strip().splitlines()[0],
        "mpi_standard": "{}.{}".format(*MPI.Get_version()),
        "ranks": comm.size,
        "gmsh": _version("gmsh"),
        "meshio": _version("meshio"),
        "matplotlib": _version("matplotlib"),
        "adios2_python": have_adios2,
        "pvpython": paraview.find_pvpython(),
        "pvbatch": paraview.find_pvbatch(),
    }


def cmd_info(args: argparse.Namespace) -> int:
    """``fe-interface info``: versions and build information (``--json``)."""
    data = info_data()
    if args.json:
        _say(json.dumps(data, indent=2))
        return 0
    for k, v in data.items():
        if isinstance(v, list):
            v = ", ".join(v) or "none"
        _say(f"{k:<24}{v}")
    return 0
