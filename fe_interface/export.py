"""Output for ParaView and for scripts.

* :func:`write_meshio` — XDMF (+ .h5) or VTU through meshio, one file for the whole
  model.  Every colour space keeps its own copy of the vertices it touches, so the
  vertices of a resistive interface are *duplicated* and the temperature jump is
  visible; point data ``temperature_K``, cell data ``region`` (cell tag) and
  ``conductivity_W_mK``.  Written by rank 0 after gathering; P2 fields are written at
  the vertices.
* :func:`write_vtx` — DOLFINx's ADIOS2 VTX writer, one ``.bp`` folder per colour
  (full P1/P2 field; ParaView needs its ADIOS2 reader for these).
* :func:`write_summary` — JSON: the per-interface table and the energy balance.

Files appear complete or not at all: each is written to a temporary name in the same
folder and renamed into place.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dolfinx
import numpy as np
from dolfinx.mesh import CellType

from fe_interface.files import write_text

if TYPE_CHECKING:
    from fe_interface.postprocess import EnergyBalance, InterfaceSummary
    from fe_interface.problem import SteadyProblem

__all__ = ["write_meshio", "write_vtx", "write_summary", "gather_vertex_fields"]

_MESHIO_TYPE = {
    CellType.interval: "line",
    CellType.triangle: "triangle",
    CellType.quadrilateral: "quad",
    CellType.tetrahedron: "tetra",
    CellType.hexahedron: "hexahedron",
}
# DOLFINx (tensor-product) vertex order -> VTK order
_VTK_ORDER = {
    CellType.quadrilateral: [0, 1, 3, 2],
    CellType.hexahedron: [0, 1, 3, 2, 4, 5, 7, 6],
}


def gather_vertex_fields(p: SteadyProblem) -> tuple[np.ndarray, np.ndarray, dict, dict] | None:
    """Points, cells and vertex/cell data of all colours, on rank 0 (None elsewhere).

    Points are keyed by (colour, original input node): identical in serial and parallel.
    """
    mesh = p.tagged.mesh
    tdim = mesh.topology.dim
    ct = mesh.topology.cell_type
    nv = dolfinx.cpp.mesh.cell_num_entities(ct, 0)
    parent_input = mesh.geometry.input_global_indices
    chunks = []
    for c, cs in enumerate(p.spaces):
        sub = cs.submesh
        nowned = sub.topology.index_map(tdim).size_local
        keep = np.flatnonzero(cs.active[:nowned])  # owned cells of the colour, no halo
        geo = sub.geometry.dofmaps[0][keep, :nv]
        dofs = cs.space.dofmap.list[keep, :nv]
        # sub geometry node -> parent geometry node -> input index
        pcells = cs.parent_cells[keep]
        pgeo = mesh.geometry.dofmaps[0][pcells, :nv]
        key = parent_input[pgeo]
        X = sub.geometry.x[geo]
        T = p.T[c].x.array[dofs]
        region = p.cell_region[pcells]
        k = p.k.x.array[pcells]
        chunks.append((c, key, X, T, region, k))
    gathered = mesh.comm.gather(chunks, root=0)
    if mesh.comm.rank != 0:
        return None
    keys, Xs, Ts, regs, ks = [], [], [], [], []
    for rank_chunks in gathered:
        for c, key, X, T, region, k in rank_chunks:
            keys.append((c, key.reshape(-1).astype(np.int64)))
            Xs.append(X.reshape(-1, 3))
            Ts.append(T.reshape(-1))
            regs.append(region)
            ks.append(k)
    # one 1-D key per (colour, input node): np.unique on rows (axis=0) is a slow sort
    span = max((int(k.max(initial=-1)) for _, k in keys), default=-1) + 1
    allkeys = np.concatenate([c * span + k for c, k in keys]) if keys else np.empty(0, np.int64)
    _, first, inverse = np.unique(allkeys, return_index=True, return_inverse=True)
    points = np.concatenate(Xs)[first]
    temps = np.concatenate(Ts)[first]
    cells = inverse.reshape(-1, nv)
    if ct in _VTK_ORDER:
        cells = cells[:, _VTK_ORDER[ct]]
    return (
        points,
        cells,
        {"temperature_K": temps},
        {"region": np.concatenate(regs).astype(np.int32), "conductivity_W_mK": np.concatenate(ks)},
    )


def _atomic_dir_write(target_files: list[Path], write: Any) -> None:
    """Call ``write(tmpdir)`` then move each produced file to its target."""
    parent = target_files[0].parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp_", dir=parent))
    try:
        write(tmp)
        for t in sorted(target_files, key=lambda f: f.suffix == ".xdmf"):  # h5 before xdmf
            os.replace(tmp / t.name, t)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_meshio(p: SteadyProblem, path: str | Path, *more: str | Path) -> Path:
    """Write the temperature with duplicated interface vertices (``.xdmf`` or ``.vtu``);
    ``more``: further files of the same data (gathered once). Returns ``path``."""
    import meshio

    paths = [Path(q) for q in (path, *more)]
    for q in paths:
        if q.suffix not in (".xdmf", ".vtu"):
            raise ValueError(f"meshio output must end in .xdmf or .vtu, got {q.name!r}")
    data = gather_vertex_fields(p)
    if data is not None:
        points, cells, pdata, cdata = data
        ctype = _MESHIO_TYPE[p.tagged.mesh.topology.cell_type]
        m = meshio.Mesh(
            points, [(ctype, cells)], point_data=pdata, cell_data={k: [v] for k, v in cdata.items()}
        )
        for q in paths:
            targets = [q] + ([q.with_suffix(".h5")] if q.suffix == ".xdmf" else [])
            _atomic_dir_write(targets, lambda tmp, q=q: meshio.write(tmp / q.name, m))
    p.tagged.mesh.comm.barrier()
    return paths[0]


def active_functions(p: SteadyProblem) -> list:
    """Each colour's temperature on a submesh of its own cells only (no halo cells)."""
    import dolfinx.fem as fem

    out = []
    for c, cs in enumerate(p.spaces):
        tdim = cs.submesh.topology.dim
        cells = np.flatnonzero(cs.active).astype(np.int32)
        sub, emap, _, _ = dolfinx.mesh.create_submesh(cs.submesh, tdim, cells)
        V = fem.functionspace(sub, cs.space.ufl_element())
        u = fem.Function(V, name="temperature_K")
        imap = sub.topology.index_map(tdim)
        n = imap.size_local + imap.num_ghosts
        cells1 = np.arange(n, dtype=np.int32)
        u.interpolate(p.T[c], cells0=emap.sub_topology_to_topology(cells1, False), cells1=cells1)
        out.append(u)
    return out


def write_vtx(p: SteadyProblem, folder: str | Path) -> list[Path]:
    """One ADIOS2 VTX ``.bp`` per colour: ``folder/temperature_colour{c}.bp`` (the
    colour's own cells, full P1/P2 field)."""
    from dolfinx.io import VTXWriter

    folder = Path(folder)
    if p.tagged.mesh.comm.rank == 0:
        folder.mkdir(parents=True, exist_ok=True)
    p.tagged.mesh.comm.barrier()
    out = []
    for c, T in enumerate(active_functions(p)):
        f = folder / f"temperature_colour{c}.bp"
        with VTXWriter(p.tagged.mesh.comm, f, [T], engine="BP4") as w:
            w.write(0.0)
        out.append(f)
    return out


def _clean(v: Any) -> Any:
    """JSON-safe copy: non-finite floats become null (JSON has no Infinity/NaN), numpy
    scalars become Python numbers, tuples become lists."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def write_summary(
    path: str | Path,
    interfaces: list[InterfaceSummary],
    balance: EnergyBalance,
    comm: Any,
    extra: dict | None = None,
) -> Path:
    """JSON with ``interfaces`` (one object per interface, unit in every key) and
    ``energy_balance``; NaN/Inf become null, so the file is strict JSON.  (An infinite
    mechanism conductance -- no resistance, e.g. the contact part of a bonded interface --
    is null there and its name is listed in ``mechanisms.no_resistance``.)"""
    path = Path(path)
    if comm.rank == 0:
        doc = _clean(
            {
                "interfaces": [s._asdict() for s in interfaces],
                "energy_balance": balance._asdict(),
            }
            | (extra or {})
        )
        write_text(path, json.dumps(doc, indent=2, allow_nan=False))
    comm.barrier()
    return path


def _format_mechanisms(s: InterfaceSummary) -> str:
    """One line with the mechanism breakdown of an interface ('' without one)."""
    m = s.mechanisms
    if not m:
        return ""
    absent = set(m.get("no_resistance", ()))
    items = []
    for k, v in m.items():
        if k.startswith("h_"):
            name = k.removeprefix("h_").removesuffix("_W_m2K")
            items.append(f"h_{name} {'inf (no resistance)' if name in absent else f'{v:.4g}'}")
    flows = [
        f"{k.removeprefix('heat_flow_').removesuffix('_W')} {v:.4g}"
        for k, v in m.items()
        if k.startswith("heat_flow_")
    ]
    text = f"  {s.name}: " + ", ".join(items) + " W/m2K"
    if "kapitza_share" in m:
        text += f"; Kapitza share of the jump {m['kapitza_share']:.4g}"
    if flows:
        text += "; heat flow W: " + ", ".join(flows)
    return text


def format_table(interfaces: list[InterfaceSummary], balance: EnergyBalance) -> str:
    """Human-readable per-interface table, mechanism breakdowns and energy balance."""
    head = (
        f"{'interface':<16}{'area m2':>11}{'mean dT K':>11}{'min dT K':>11}{'max dT K':>11}"
        f"{'Q_h W':>12}{'Q_bulk W':>12}{'h W/m2K':>12}"
    )
    lines = [head, "-" * len(head)]
    for s in interfaces:
        qb = 0.5 * (s.heat_flow_bulk_plus_W + s.heat_flow_bulk_minus_W)
        lines.append(
            f"{s.name:<16}{s.area_m2:>11.4g}{s.mean_jump_K:>11.4g}{s.min_jump_K:>11.4g}"
            f"{s.max_jump_K:>11.4g}{s.heat_flow_W:>12.5g}{qb:>12.5g}{s.conductance_W_m2K:>12.5g}"
        )
    breakdown = [t for t in map(_format_mechanisms, interfaces) if t]
    if breakdown:
        lines.append("mechanisms (area means):")
        lines.extend(breakdown)
    lines.append(f"sources: {balance.sources_W:.6g} W")
    for k, q in balance.boundary_inflow_W.items():
        lines.append(f"inflow {k}: {q:.6g} W")
    lines.append(f"energy balance relative residual: {balance.relative_residual:.2e}")
    return "\n".join(lines)
