"""Convergence studies for the interface solver: exact solutions, L2 errors, rates.

An exact solution is written *once* per region as ``T(x, lib)``, where ``lib`` is
either :data:`UFL` (x = ``ufl.SpatialCoordinate``; used for sources, interface
conductances, fluxes and the error integrand) or :data:`NP` (x = NumPy array of
shape (3, n); used for Dirichlet values and exact point values) — the FESTIM way
of keeping the two in sync.

L2 errors are integrated region by region on the mesh (the temperature is one function
on the broken space; each region's cells use its own copies), with the exact solution
expressed in ``ufl.SpatialCoordinate(mesh)`` (so curved second-order cells are
integrated on their true geometry), over the *owned* region cells only, then summed
over regions and allreduced.

The tables of a study are printed by ``pytest -s tests/system/test_convergence.py``.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

from fe_interface.mesh import TaggedMesh, ghosted_partitioner, tag_mesh
from fe_interface.problems.steady import SteadyProblem

NP = SimpleNamespace(sqrt=np.sqrt, log=np.log, sin=np.sin, cos=np.cos, exp=np.exp, pi=np.pi)
UFL = SimpleNamespace(sqrt=ufl.sqrt, log=ufl.ln, sin=ufl.sin, cos=ufl.cos, exp=ufl.exp, pi=math.pi)

Field = Callable[[Any, SimpleNamespace], Any]


@dataclass(frozen=True)
class ExactSolution:
    """Exact temperature per region, ``fields[region](x, lib)`` (K), and k per region.

    Attributes:
        fields: region name -> T(x, lib), lib = :data:`UFL` or :data:`NP`.
        conductivity: region name -> k, W/(m K).
    """

    fields: Mapping[str, Field]
    conductivity: Mapping[str, float]

    def ufl(self, region: str, x: Any) -> Any:
        """T of ``region`` as a UFL expression of the spatial coordinate ``x``."""
        return self.fields[region](x, UFL)

    def numpy(self, region: str) -> Callable[[np.ndarray], np.ndarray]:
        """T of ``region`` as ``x (3, n) -> (n,)`` (for FixedTemperature)."""
        f = self.fields[region]
        return lambda x: np.broadcast_to(np.asarray(f(x, NP), dtype=float), x.shape[1:]).copy()

    def flux(self, region: str, x: Any) -> Any:
        """Heat-flux vector −k ∇T of ``region`` (UFL), W/m².

        The gradient is taken with respect to ``x`` itself (``ufl.variable``), so
        ``x`` may be a restricted coordinate such as ``x("+")`` on an interface.
        """
        xv = ufl.variable(x)
        return -self.conductivity[region] * ufl.diff(self.fields[region](xv, UFL), xv)

    def source(self, region: str) -> Callable[[Any], Any]:
        """Volumetric source f = −∇·(k ∇T) of ``region`` as ``x -> UFL`` (W/m³)."""
        k = self.conductivity[region]
        return lambda x: -k * ufl.div(ufl.grad(self.ufl(region, x)))


def owned_region_cells(problem: SteadyProblem, region: str) -> tuple[fem.Function, np.ndarray]:
    """The temperature and the *owned* mesh cells of ``region``."""
    T, cells = problem.region_temperature(region)
    mesh = T.function_space.mesh
    nowned = mesh.topology.index_map(mesh.topology.dim).size_local
    return T, cells[cells < nowned]


def region_measure(problem: SteadyProblem, region: str, quadrature_degree: int | None = None):
    """(T, dx(1)) with dx(1) the owned cells of ``region`` (optionally a fixed degree)."""
    T, cells = owned_region_cells(problem, region)
    md = {} if quadrature_degree is None else {"quadrature_degree": quadrature_degree}
    dx = ufl.Measure("dx", domain=T.function_space.mesh, subdomain_data=[(1, cells)], metadata=md)
    return T, dx(1)


def l2_error(
    problem: SteadyProblem,
    exact: ExactSolution,
    regions: Sequence[str],
    quadrature_degree: int = 8,
) -> tuple[float, float]:
    """Global ‖T_h − T‖_L2 and ‖T‖_L2 summed over ``regions`` (same value on every rank)."""
    local = np.zeros(2)
    for name in regions:
        T, dx = region_measure(problem, name, quadrature_degree)
        Te = exact.ufl(name, ufl.SpatialCoordinate(T.function_space.mesh))
        local[0] += fem.assemble_scalar(fem.form((T - Te) ** 2 * dx))
        local[1] += fem.assemble_scalar(fem.form(Te**2 * dx))
    glob = problem.comm.allreduce(local, op=MPI.SUM)
    return math.sqrt(glob[0]), math.sqrt(glob[1])


def parent_l2_difference(
    p: SteadyProblem, q: SteadyProblem, regions: Sequence[str], quadrature_degree: int = 6
) -> tuple[float, float]:
    """‖T_p − T_q‖_L2 and ‖T_q‖_L2 over ``regions`` for two problems on the *same* mesh
    (their broken spaces may differ: another colouring, perfect contact, ...)."""
    if q.tagged.mesh is not p.tagged.mesh:
        raise ValueError("the two problems must share one TaggedMesh")
    local = np.zeros(2)
    for name in regions:
        Tp, dx = region_measure(p, name, quadrature_degree)
        Tq = q.T
        local[0] += fem.assemble_scalar(fem.form((Tp - Tq) ** 2 * dx))
        local[1] += fem.assemble_scalar(fem.form(Tq**2 * dx))
    glob = p.comm.allreduce(local, op=MPI.SUM)
    return math.sqrt(glob[0]), math.sqrt(glob[1])


def mesh_size(problem: SteadyProblem) -> float:
    """Characteristic cell size (measure / number of cells)^(1/d), global."""
    mesh = problem.tagged.mesh
    tdim = mesh.topology.dim
    one = fem.Constant(mesh, 1.0)
    vol = mesh.comm.allreduce(fem.assemble_scalar(fem.form(one * ufl.dx(domain=mesh))))
    ncells = mesh.topology.index_map(tdim).size_global
    return (vol / ncells) ** (1.0 / tdim)


def rates(h: Sequence[float], e: Sequence[float]) -> np.ndarray:
    """Observed orders log(e_i/e_{i+1}) / log(h_i/h_{i+1}) between successive levels."""
    h, e = np.asarray(h), np.asarray(e)
    return np.log(e[:-1] / e[1:]) / np.log(h[:-1] / h[1:])


def fitted_rate(h: Sequence[float], e: Sequence[float]) -> float:
    """Least-squares slope of log e against log h."""
    return float(np.polyfit(np.log(h), np.log(e), 1)[0])


@dataclass
class Level:
    """One refinement level of a study."""

    parameter: float  # the mesh parameter of the level (gmsh size or refinements)
    h: float  # measured (measure / cells)^(1/d)
    ncells: int
    ndofs: int
    error: float  # absolute L2 error
    norm: float  # L2 norm of the exact solution
    extras: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def relative_error(self) -> float:
        """error / norm."""
        return self.error / self.norm


def num_dofs(problem: SteadyProblem) -> int:
    """Global number of unknowns (dof copies of the broken space)."""
    return problem.formulation.broken.num_global


def timed_run(problem: SteadyProblem) -> float:
    """Run the problem; returns the wall time, s."""
    t0 = time.perf_counter()
    problem.run()
    return time.perf_counter() - t0


def format_table(title: str, levels: Sequence[Level]) -> str:
    """Human-readable table (h, cells, dofs, relative L2 error, rate, extras)."""
    r = [math.nan, *rates([lv.h for lv in levels], [lv.error for lv in levels])]
    keys = sorted({k for lv in levels for k in lv.extras})
    head = f"{'h':>9} {'cells':>8} {'dofs':>8} {'rel L2 err':>12} {'rate':>5}"
    head += "".join(f" {k:>14}" for k in keys) + f" {'s':>6}"
    lines = [title, head]
    for lv, rr in zip(levels, r, strict=True):
        s = f"{lv.h:9.4f} {lv.ncells:8d} {lv.ndofs:8d} {lv.relative_error:12.5e} {rr:5.2f}"
        s += "".join(f" {lv.extras[k]:14.6e}" for k in keys) + f" {lv.seconds:6.2f}"
        lines.append(s)
    lines.append(
        f"fitted rate {fitted_rate([lv.h for lv in levels], [lv.error for lv in levels]):.3f}"
    )
    return "\n".join(lines)


def spherical_wedge(
    radii: Sequence[float],
    n: tuple[int, int, int],
    order: int = 1,
    comm: MPI.Comm = MPI.COMM_WORLD,
    polar: tuple[float, float] = (math.pi / 4, 3 * math.pi / 4),
    azimuth: float = math.pi / 2,
) -> TaggedMesh:
    """Wedge of concentric spherical shells, r0 < r < rN, θ in ``polar``, 0 < φ < ``azimuth``.

    A structured tetrahedral mesh of the box (r, θ, φ) with ``n`` = (cells per
    shell in r, cells in θ, cells in φ), mapped to x = r (sin θ cos φ, sin θ sin φ,
    cos θ); with ``order=2`` the edge nodes are mapped too (curved cells whose nodes
    lie on the spheres).  The side faces (cones θ = const, planes φ = const)
    contain the radial directions, so a radial solution satisfies their natural
    (insulated) condition exactly.  Refining ``n`` gives a smooth, nested-like
    family with clean per-step rates (independent gmsh meshes, as in the octant
    study of ``test_convergence.SphereStudy``, scatter by about ± 0.3 per step
    because the error constant changes from mesh to mesh).

    Returns groups "region{i}", facets "inner", "outer", "interface{i}" (as
    :func:`fe_interface.geometry.concentric_spheres`); the solid angle is
    ``azimuth * (cos θ_min − cos θ_max)``.
    """
    import basix.ufl

    nshell = len(radii) - 1
    rad = np.concatenate(
        [np.linspace(a, b, n[0] + 1)[:-1] for a, b in itertools.pairwise(radii)] + [[radii[-1]]]
    )
    if comm.rank == 0:
        ref = dmesh.create_box(
            MPI.COMM_SELF,
            [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]],
            [n[0] * nshell, n[1], n[2]],
            dmesh.CellType.tetrahedron,
        )
        V = fem.functionspace(ref, ("Lagrange", order))
        s = V.tabulate_dof_coordinates()
        cells = V.dofmap.list.astype(np.int64)
        r = np.interp(s[:, 0], np.linspace(0.0, 1.0, rad.size), rad)
        theta = polar[0] + (polar[1] - polar[0]) * s[:, 1]
        phi = azimuth * s[:, 2]
        x = np.stack(
            [r * np.sin(theta) * np.cos(phi), r * np.sin(theta) * np.sin(phi), r * np.cos(theta)],
            axis=1,
        )
    else:
        x = np.empty((0, 3))
        cells = np.empty((0, 4 if order == 1 else 10), dtype=np.int64)
    element = basix.ufl.element("Lagrange", "tetrahedron", order, shape=(3,))
    mesh = dmesh.create_mesh(comm, cells, element, x, partitioner=ghosted_partitioner())
    eps = 1e-8

    def shell(i):
        return lambda x: (
            (np.linalg.norm(x, axis=0) > radii[i]) & (np.linalg.norm(x, axis=0) < radii[i + 1])
        )

    def sphere(r):
        return lambda x: np.abs(np.linalg.norm(x, axis=0) - r) < eps

    return tag_mesh(
        mesh,
        {f"region{i}": (i + 1, shell(i)) for i in range(nshell)},
        {"inner": (1, sphere(radii[0])), "outer": (2, sphere(radii[-1]))},
        {f"interface{i}": (3 + i, (f"region{i}", f"region{i + 1}")) for i in range(nshell - 1)},
    )
