"""Convergence of the interface solver against exact solutions with temperature jumps.

One base class, :class:`ConvergenceStudy`, runs a refinement study (mesh, exact
solution, problem, L2 error per region over its cells) and asserts the
observed L2 rate; each case is a short subclass (the scikit-fem pattern):

* concentric cylinders (2D) and spheres (3D) with a contact resistance between the
  shells: T = A_i + B_i ln r, resp. T = A_i + B_i / r, P1 and P2 (P2 on curved
  second-order cells).  Cylinders: gmsh meshes of ``concentric_cylinders``;
  spheres: gmsh meshes of the octant of the shells (``concentric_spheres(...,
  octant=True)``, insulated symmetry planes), independent (non-nested) meshes
  whose rate is a least-squares fit against the obtained cell size, plus a check
  that a doubled interface conductance stalls the error; extra: the same shells
  on a structured mapped wedge (``convergence.spherical_wedge``, not gmsh) with
  clean per-step rates.  The interface heat flow of ``interface_table`` is
  checked against the exact one;
* a manufactured solution on the unit square cut by the slanted line
  y = 0.3 + 0.4 x, with k⁺ ≠ k⁻, T⁺ ≠ T⁻ and a conductance h(x) that varies along
  the interface (construction in :class:`SlantedStudy`); a doubled h must break
  convergence, and swapping '+'/'−' must change nothing (the law is symmetric).

Then the two limits of the interface law: h → ∞ reproduces perfect contact and
h = 0 decouples the two materials into their one-material solutions.

The refinement studies are marked ``slow`` and run once, in the serial pass (the
conftest skips them under MPI).  The parallel check of this kind is
:func:`test_partition_independent`: under ``mpirun -n 2`` it solves the coarsest level of
two studies (the slanted interface with h(x) and sources; the curved P2 cylinders) on
``COMM_WORLD`` and on ``COMM_SELF`` and compares errors and interface extras (direct
solver, same gmsh mesh).  Tables: ``pytest -s``.
"""

from __future__ import annotations

import math

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from helpers.convergence import (
    ExactSolution,
    Level,
    fitted_rate,
    format_table,
    l2_error,
    mesh_size,
    num_dofs,
    owned_region_cells,
    parent_l2_difference,
    rates,
    spherical_wedge,
    timed_run,
)

from fe_interface.geometry import concentric_cylinders, concentric_spheres
from fe_interface.mesh import TaggedMesh, from_gmsh_model, tag_mesh
from fe_interface.model import (
    Conductance,
    FixedTemperature,
    HeatSource,
    Interface,
    Material,
    PerfectContact,
    Resistance,
)
from fe_interface.problems.steady import SteadyProblem

PARTITION_RTOL = 1e-10


def _print(text: str) -> None:
    if MPI.COMM_WORLD.rank == 0:
        print("\n" + text, flush=True)


# ======================================================================================
# base class
# ======================================================================================


class ConvergenceStudy:
    """A refinement study; subclasses define the case and the expected rate.

    Subclasses set ``degree``, ``levels`` (mesh parameters, coarse to fine),
    ``expected_rate`` and ``regions``, and implement :meth:`exact`,
    :meth:`build_mesh` and :meth:`problem` (and optionally :meth:`extras`).
    """

    degree = 1
    levels: tuple[float, ...] = ()
    expected_rate = 2.0
    rate_tolerance = 0.2
    regions: tuple[str, ...] = ("region0", "region1")
    quadrature_degree = 8

    # -- the case
    def exact(self) -> ExactSolution:
        raise NotImplementedError

    def build_mesh(self, level: float, comm: MPI.Comm) -> TaggedMesh:
        """The mesh of one level (``level``: an entry of ``levels``)."""
        raise NotImplementedError

    def problem(self, tm: TaggedMesh, exact: ExactSolution, **options) -> SteadyProblem:
        raise NotImplementedError

    def extras(self, p: SteadyProblem, exact: ExactSolution) -> dict[str, float]:
        """Further measured quantities per level (e.g. interface heat-flow errors)."""
        return {}

    # -- the study
    _meshes: dict = {}  # noqa: RUF012  (meshes of the current class, shared by its tests)

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def _forget_meshes(cls):
        yield
        ConvergenceStudy._meshes.clear()

    def mesh(self, level: float, comm: MPI.Comm) -> TaggedMesh:
        """The mesh of one level, built once per test class (gmsh is the slow part)."""
        key = (type(self).__name__, level, comm is MPI.COMM_SELF)
        if key not in ConvergenceStudy._meshes:
            ConvergenceStudy._meshes[key] = self.build_mesh(level, comm)
        return ConvergenceStudy._meshes[key]

    def solve(self, level: float, comm: MPI.Comm = MPI.COMM_WORLD, **options) -> Level:
        """Mesh, solve and measure one level."""
        tm = self.mesh(level, comm)
        ex = self.exact()
        p = self.problem(tm, ex, **options)
        seconds = timed_run(p)
        err, norm = l2_error(p, ex, self.regions, self.quadrature_degree)
        ncells = tm.mesh.topology.index_map(tm.mesh.topology.dim).size_global
        return Level(
            level, mesh_size(p), ncells, num_dofs(p), err, norm, self.extras(p, ex), seconds
        )

    def run_study(self, **options) -> list[Level]:
        return [self.solve(lv, **options) for lv in self.levels]

    @pytest.fixture(scope="class")
    @classmethod
    def study(cls) -> list[Level]:
        levels = cls().run_study()
        _print(format_table(f"{cls.__name__} (np={MPI.COMM_WORLD.size})", levels))
        return levels

    # -- the tests every case gets
    def test_l2_rate(self, study):
        assert len(study) >= 3
        h = [lv.h for lv in study]
        e = [lv.error for lv in study]
        assert all(np.diff(h) < 0), "levels must refine"
        r = rates(h, e)
        lo, hi = self.expected_rate - self.rate_tolerance, self.expected_rate + self.rate_tolerance
        assert np.all((r > lo) & (r < hi)), f"rates {r} not within {self.expected_rate} ± tol"
        assert lo < fitted_rate(h, e) < hi


# ======================================================================================
# concentric cylinders and spheres with a contact resistance at r1
# ======================================================================================


class ShellStudy(ConvergenceStudy):
    """Shells r0 < r < r1 (region0, k0) and r1 < r < r2 (region1, k1), resistance R at r1.

    T = T_in at r0, T_out at r2.  With the thermal resistances (per unit depth in
    2D) R_i of the shells and R_c = R / A(r1) of the contact, the heat flow Q
    outwards is (T_in − T_out) / (R_0 + R_c + R_1) and

        2D: T_i = A_i + B_i ln r,   R_i = ln(r_{i+1}/r_i) / (2π k_i),  A(r) = 2π r
        3D: T_i = A_i + B_i / r,    R_i = (1/r_i − 1/r_{i+1}) / (4π k_i),  A(r) = 4π r²

    region0 is the '+' side: T⁺ − T⁻ = R Q / A(r1) > 0 and Q flows from ⁺ to ⁻.
    """

    dim = 2
    geometry_order = 1
    radii = (0.4, 0.7, 1.0)
    k = (2.0, 5.0)
    R = 0.1  # m² K / W
    T_in, T_out = 1.0, 0.0
    # MUMPS, except where 3D P2 fill-in makes CG + GAMG (to 1e-12) several times faster
    solver = "direct"
    petsc_options: dict | None = None

    solid_angle = 4 * math.pi  # 3D: of the modelled part of the shells

    def area(self, r: float) -> float:
        """Area of the full circle/sphere of radius r."""
        return 2 * math.pi * r if self.dim == 2 else 4 * math.pi * r**2

    def modelled_fraction(self) -> float:
        return 1.0 if self.dim == 2 else self.solid_angle / (4 * math.pi)

    def potential(self, r, lib):
        """G with −k A(r) dT/dr = Q  <=>  T = const − Q G(r) / k (G = ln r / 2π or −1/4πr)."""
        return lib.log(r) / (2 * math.pi) if self.dim == 2 else -1.0 / (4 * math.pi * r)

    def heat_flow(self) -> float:
        r0, r1, r2 = self.radii
        k0, k1 = self.k
        G = lambda r: self.potential(r, math)  # noqa: E731
        total = (G(r1) - G(r0)) / k0 + self.R / self.area(r1) + (G(r2) - G(r1)) / k1
        return (self.T_in - self.T_out) / total

    def exact(self) -> ExactSolution:
        r0, _, r2 = self.radii
        k0, k1 = self.k
        Q = self.heat_flow()
        G = self.potential
        T_in, T_out = self.T_in, self.T_out

        def radius(x, lib):
            return lib.sqrt(sum(x[i] ** 2 for i in range(self.dim)))

        def T0(x, lib):
            return T_in - Q * (G(radius(x, lib), lib) - G(r0, math)) / k0

        def T1(x, lib):
            return T_out + Q * (G(r2, math) - G(radius(x, lib), lib)) / k1

        return ExactSolution({"region0": T0, "region1": T1}, {"region0": k0, "region1": k1})

    def build_mesh(self, level, comm):  # level: gmsh mesh size
        return concentric_cylinders(
            self.radii, mesh_size=level, order=self.geometry_order, comm=comm
        )

    def problem(self, tm, exact, conductance_factor=1.0, **options):
        """``conductance_factor`` ≠ 1: a deliberately wrong interface conductance."""
        return SteadyProblem(
            tm,
            {"region0": Material("inner", self.k[0]), "region1": Material("outer", self.k[1])},
            [Interface("interface0", Resistance(self.R / conductance_factor), plus="region0")],
            [
                FixedTemperature("inner", exact.numpy("region0")),
                FixedTemperature("outer", exact.numpy("region1")),
            ],
            degree=self.degree,
            solver=self.solver,
            petsc_options=self.petsc_options,
            **options,
        )

    def extras(self, p, exact):
        (s,) = p.interface_table()
        Q = self.heat_flow()
        jump = self.R * Q / self.area(self.radii[1])
        Q *= self.modelled_fraction()
        return {
            "Q_relerr": abs(s.heat_flow_W - Q) / Q,
            "jump_relerr": abs(s.mean_jump_K - jump) / jump,
        }

    def test_interface_heat_flow(self, study):
        """Q = ∫ h (T⁺ − T⁻) dA (W per metre of depth in 2D) converges to the exact
        heat flow, within a tolerance that shrinks like h^p with p = degree + 1."""
        h0 = study[0].h
        p = self.degree + 1
        for lv in study:
            tol = self.Q_tolerance * (lv.h / h0) ** p
            assert lv.extras["Q_relerr"] < tol, (lv.h, lv.extras["Q_relerr"], tol)
            assert lv.extras["jump_relerr"] < tol, (lv.h, lv.extras["jump_relerr"], tol)
        # and it does shrink
        assert study[-1].extras["Q_relerr"] < 0.5 * study[0].extras["Q_relerr"]


@pytest.mark.slow
class TestCylindersP1(ShellStudy):
    degree = 1
    levels = (0.1, 0.05, 0.025)
    expected_rate = 2.0
    Q_tolerance = 3e-3


@pytest.mark.slow
class TestCylindersP2(ShellStudy):
    degree = 2
    geometry_order = 2
    levels = (0.1, 0.05, 0.025)
    expected_rate = 3.0
    Q_tolerance = 2e-5


class SphereStudy(ShellStudy):
    """Spherical shells on gmsh meshes of the octant x, y, z > 0
    (``concentric_spheres(..., octant=True)``); the symmetry planes are insulated,
    which is exact for the radial solution.

    Successive gmsh meshes are independent (not nested) and their error constant
    fluctuates by several per cent from mesh to mesh, so the rate is measured
    against the obtained size h = (V / N_cells)^(1/3) over meshes whose
    target sizes shrink by √2 per level (four each): the least-squares
    slope over all levels must be within ``expected_rate ± rate_tolerance`` and
    the rates between levels two apart (target size halved) within
    ``expected_rate ± step_tolerance``.  Rates per √2 step are printed, not
    asserted (they scatter by about ± 0.3).
    """

    dim = 3
    solid_angle = math.pi / 2  # the octant
    step_tolerance = 0.3

    def build_mesh(self, level, comm):  # level: gmsh target mesh size
        return concentric_spheres(
            self.radii, mesh_size=level, order=self.geometry_order, comm=comm, octant=True
        )

    def test_l2_rate(self, study):
        assert len(study) >= 4
        h = np.array([lv.h for lv in study])
        e = np.array([lv.error for lv in study])
        assert all(np.diff(h) < 0), "levels must refine"
        fit = fitted_rate(h, e)
        steps = np.log(e[:-2] / e[2:]) / np.log(h[:-2] / h[2:])  # target size halved
        _print(
            f"{type(self).__name__}: fitted rate {fit:.3f}, rates per √2 step {rates(h, e)}, "
            f"per halving {steps}"
        )
        assert abs(fit - self.expected_rate) < self.rate_tolerance, fit
        assert np.all(np.abs(steps - self.expected_rate) < self.step_tolerance), steps

    def test_wrong_conductance_does_not_converge(self, study):
        """With 2h (half the resistance) the errors stall: the jump condition is tested
        (on the three coarsest meshes, where the stall is already plain)."""
        wrong = [self.solve(lv, conductance_factor=2.0) for lv in self.levels[:3]]
        _print(format_table(f"{type(self).__name__} with 2h", wrong))
        h = [lv.h for lv in wrong]
        e = [lv.error for lv in wrong]
        assert fitted_rate(h, e) < 0.5
        assert e[-1] > 10 * study[2].error


@pytest.mark.slow
class TestSpheresP1(SphereStudy):
    degree = 1
    # (0.025 dropped: 36 s of gmsh for rates within the same tolerances: fit 2.01 with it,
    # 2.06 without; per halving 2.17, 2.04 (, 1.85))
    levels = (0.1, 0.0707, 0.05, 0.0354)
    expected_rate = 2.0
    Q_tolerance = 5e-2


@pytest.mark.slow
class TestSpheresP2(SphereStudy):
    degree = 2
    geometry_order = 2
    solver, petsc_options = "iterative", {"ksp_rtol": 1e-12}
    levels = (0.085, 0.06, 0.0425, 0.03)  # 0.12 is pre-asymptotic (rate 4 to the next)
    expected_rate = 3.0
    Q_tolerance = 5e-4


class WedgeStudy(ShellStudy):
    """Extra: the same shells on a structured mapped wedge π/4 < θ < 3π/4,
    0 < φ < π/2 (not gmsh: :func:`convergence.spherical_wedge`) with insulated side
    faces; refining it gives a smooth, nested-like family whose per-step rates are
    clean (the base class asserts each step within ± ``rate_tolerance``)."""

    dim = 3
    solid_angle = (math.pi / 2) * (math.cos(math.pi / 4) - math.cos(3 * math.pi / 4))
    coarse_cells = (3, 5, 5)  # per shell in r, in θ, in φ
    levels = (1, 2, 4)

    def build_mesh(self, level, comm):  # level: refinement factor of `coarse_cells`
        n = tuple(int(level) * c for c in self.coarse_cells)
        return spherical_wedge(self.radii, n, order=self.geometry_order, comm=comm)


@pytest.mark.slow
class TestSphereWedgeP1(WedgeStudy):
    degree = 1
    expected_rate = 2.0
    Q_tolerance = 5e-2


@pytest.mark.slow
class TestSphereWedgeP2(WedgeStudy):
    degree = 2
    geometry_order = 2
    solver, petsc_options = "iterative", {"ksp_rtol": 1e-12}
    expected_rate = 3.0
    Q_tolerance = 5e-4


# ======================================================================================
# slanted interface, manufactured solution, position-dependent conductance
# ======================================================================================

SLOPE, OFFSET = 0.4, 0.3  # interface y = OFFSET + SLOPE x


def slanted_square(size: float, comm: MPI.Comm) -> TaggedMesh:
    """Unit square cut by y = 0.3 + 0.4 x (gmsh OCC fragment).

    Regions "lower" (tag 1) and "upper" (tag 2); facet groups "boundary_lower",
    "boundary_upper" (the outer boundary of each region) and "interface".
    """
    gmsh = None
    if comm.rank == 0:
        import gmsh

        initialised = gmsh.isInitialized()
        if not initialised:
            gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("slanted_square")
        occ = gmsh.model.occ
        square = occ.addRectangle(0, 0, 0, 1, 1)
        a, b = occ.addPoint(0, OFFSET, 0), occ.addPoint(1, OFFSET + SLOPE, 0)
        line = occ.addLine(a, b)
        occ.fragment([(2, square)], [(1, line)])
        occ.synchronize()

        def side(dim, tag):  # signed distance-like φ = y − 0.3 − 0.4 x at the centroid
            cx, cy, _ = occ.getCenterOfMass(dim, tag)
            return cy - OFFSET - SLOPE * cx

        surfaces = {"lower": [], "upper": []}
        for _, s in gmsh.model.getEntities(2):
            surfaces["lower" if side(2, s) < 0 else "upper"].append(s)
        curves = {"boundary_lower": [], "boundary_upper": [], "interface": []}
        for _, c in gmsh.model.getEntities(1):
            phi = side(1, c)
            key = (
                "interface"
                if abs(phi) < 1e-9
                else ("boundary_lower" if phi < 0 else "boundary_upper")
            )
            curves[key].append(c)
        for tag, (name, ents) in enumerate(surfaces.items(), start=1):
            assert len(ents) == 1
            gmsh.model.addPhysicalGroup(2, ents, tag=tag, name=name)
        for tag, (name, ents) in enumerate(curves.items(), start=1):
            assert ents
            gmsh.model.addPhysicalGroup(1, ents, tag=tag, name=name)
        gmsh.option.setNumber("General.NumThreads", 1)
        gmsh.option.setNumber("Mesh.MeshSizeMax", size)
        gmsh.option.setNumber("Mesh.MeshSizeMin", size)
        gmsh.model.mesh.generate(2)
    try:
        return from_gmsh_model(gmsh.model if gmsh is not None else None, comm, 0, gdim=2)
    finally:
        if gmsh is not None:
            gmsh.model.remove()
            if not initialised:
                gmsh.finalize()


class SlantedStudy(ConvergenceStudy):
    """Manufactured solution across the slanted interface φ = y − 0.3 − 0.4 x = 0.

    '+' = "lower" (φ < 0, k⁺), '−' = "upper" (φ > 0, k⁻); n⁺ = ∇φ/|∇φ| points from
    ⁺ to ⁻.  Construction:

    * T⁻ is any smooth field whose flux crosses Γ from ⁺ to ⁻ with tangential
      variation: T⁻ = 3 − y + 0.2 sin(πx) cos(πy) + 0.3 x²  (∇T⁻·n⁺ < 0 on Γ).
    * T⁺ = a T⁻ + c₀ + φ² (1 + x) with a = k⁻/k⁺.  Then k⁺∇T⁺ = k⁻∇T⁻ + k⁺ ∇(φ²(1+x))
      and the last term vanishes on Γ (φ = 0), so the normal flux is continuous:
      q = −k⁺∇T⁺·n⁺ = −k⁻∇T⁻·n⁺ on Γ.  T⁺ differs from T⁻ in value, gradient and
      curvature away from Γ.
    * The jump on Γ is J = T⁺ − T⁻ = (a − 1) T⁻ + c₀ > 0 and the conductance that
      makes h J = q hold is h(x) = q(x) / J(x), positive and varying along Γ.

    The sources −∇·(k∇T) and h(x) are derived from the same two fields in UFL, the
    Dirichlet data on each region's outer boundary in NumPy.
    """

    regions = ("lower", "upper")
    k_plus, k_minus = 1.0, 3.0
    c0 = 0.5

    def exact(self) -> ExactSolution:
        a, c0 = self.k_minus / self.k_plus, self.c0

        def T_minus(x, lib):
            return (
                3 - x[1] + 0.2 * lib.sin(lib.pi * x[0]) * lib.cos(lib.pi * x[1]) + 0.3 * x[0] ** 2
            )

        def T_plus(x, lib):
            phi = x[1] - OFFSET - SLOPE * x[0]
            return a * T_minus(x, lib) + c0 + phi**2 * (1 + x[0])

        return ExactSolution(
            {"lower": T_plus, "upper": T_minus}, {"lower": self.k_plus, "upper": self.k_minus}
        )

    @staticmethod
    def normal_plus():
        return ufl.as_vector((-SLOPE, 1.0)) / math.sqrt(1 + SLOPE**2)

    def conductance(self, exact: ExactSolution, factor: float = 1.0):
        """h(x) = q / (T⁺ − T⁻) with q = −k⁻ ∇T⁻·n⁺ (x: UFL coordinate on Γ), times
        ``factor`` (≠ 1: a deliberately wrong conductance)."""

        def h(x):
            q = ufl.dot(exact.flux("upper", x), self.normal_plus())
            return factor * q / (exact.ufl("lower", x) - exact.ufl("upper", x))

        return h

    def build_mesh(self, level, comm):
        return slanted_square(level, comm)

    def problem(self, tm, exact, plus="lower", h_factor=1.0, **options):
        return SteadyProblem(
            tm,
            {"lower": Material("plus", self.k_plus), "upper": Material("minus", self.k_minus)},
            [Interface("interface", Conductance(self.conductance(exact, h_factor)), plus=plus)],
            [
                FixedTemperature("boundary_lower", exact.numpy("lower")),
                FixedTemperature("boundary_upper", exact.numpy("upper")),
            ],
            sources=[HeatSource(r, exact.source(r)) for r in self.regions],
            degree=self.degree,
            solver="direct",
            **options,
        )

    def test_conductance_is_positive_and_varies(self):
        """The constructed h(x) is a physical conductance with tangential variation."""
        tm = self.mesh(self.levels[0], MPI.COMM_WORLD)
        ex = self.exact()
        x = ufl.SpatialCoordinate(tm.mesh)
        h = self.conductance(ex)(x)
        V = fem.functionspace(tm.mesh, ("Lagrange", 1))
        hv = fem.Function(V)
        hv.interpolate(fem.Expression(h, V.element.interpolation_points))
        ifc = tm.facet_tags.find(tm.facet_names["interface"])
        dofs = fem.locate_dofs_topological(V, 1, ifc)
        vals = hv.x.array[dofs]
        lo = MPI.COMM_WORLD.allreduce(vals.min() if vals.size else np.inf, op=MPI.MIN)
        hi = MPI.COMM_WORLD.allreduce(vals.max() if vals.size else -np.inf, op=MPI.MAX)
        assert lo > 0.1
        assert hi > 1.5 * lo

    def test_wrong_conductance_does_not_converge(self, study):
        """With 2h instead of h the errors stall at O(1): the jump condition is tested."""
        wrong = self.run_study(h_factor=2.0)
        _print(format_table(f"{type(self).__name__} with 2h", wrong))
        h = [lv.h for lv in wrong]
        e = [lv.error for lv in wrong]
        assert fitted_rate(h, e) < 0.5
        assert e[-1] > 100 * study[-1].error
        assert min(lv.relative_error for lv in wrong) > 1e-3

    def test_swapping_plus_changes_nothing(self, study):
        """h(x) does not depend on the orientation: plus="upper" gives the same field."""
        tm = self.mesh(self.levels[0], MPI.COMM_WORLD)
        ex = self.exact()
        p = self.problem(tm, ex)
        q = self.problem(tm, ex, plus="upper")
        p.run()
        q.run()
        diff, norm = parent_l2_difference(p, q, self.regions)
        assert diff < 1e-10 * norm
        err, _ = l2_error(q, ex, self.regions, self.quadrature_degree)
        assert err == pytest.approx(study[0].error, rel=1e-8)
        (s,) = q.interface_table()
        assert (s.plus, s.minus) == ("upper", "lower")
        assert s.mean_jump_K < 0 and s.heat_flow_W < 0  # heat flows lower -> upper


@pytest.mark.slow
class TestSlantedP1(SlantedStudy):
    degree = 1
    levels = (0.1, 0.05, 0.025)
    expected_rate = 2.0


@pytest.mark.slow
class TestSlantedP2(SlantedStudy):
    degree = 2
    levels = (0.2, 0.1, 0.05)
    expected_rate = 3.0


# ======================================================================================
# one parallel check of the studies: the partition changes nothing
# ======================================================================================


@pytest.mark.skipif(
    MPI.COMM_WORLD.size == 1, reason="compares a COMM_WORLD solve with a COMM_SELF one"
)
@pytest.mark.parametrize("study", [TestSlantedP1, TestCylindersP2], ids=lambda c: c.__name__)
def test_partition_independent(study):
    """The coarsest level of a study on all processes and on one process: the same mesh,
    dofs, L2 error (to round-off) and interface extras."""
    case = study()
    par = case.solve(case.levels[0])
    serial = case.solve(case.levels[0], MPI.COMM_SELF)
    assert serial.ncells == par.ncells
    assert serial.ndofs == par.ndofs
    assert serial.error == pytest.approx(par.error, rel=PARTITION_RTOL)
    for key, value in par.extras.items():
        assert serial.extras[key] == pytest.approx(value, rel=1e-8, abs=1e-13), key


# ======================================================================================
# limits of the interface law: h -> ∞ (perfect contact), h = 0 (decoupled)
# ======================================================================================

K_A, K_B = 1.0, 4.0


def _sources():
    return [
        HeatSource("a", lambda x: 1.0 + x[0] * x[1]),
        HeatSource("b", lambda x: 2.0 + ufl.sin(math.pi * x[1])),
    ]


def _t_left(x):
    return 0.1 * x[1]


def _t_right(x):
    return 0.5 + 0.2 * x[1] ** 2


def two_blocks(n: int, comm=MPI.COMM_WORLD) -> TaggedMesh:
    """[0, 2] × [0, 1] triangulated 2n × n; "a" = x < 1, "b" = x > 1, interface x = 1."""
    m = dmesh.create_rectangle(
        comm, [[0.0, 0.0], [2.0, 1.0]], [2 * n, n], ghost_mode=dmesh.GhostMode.shared_facet
    )
    return tag_mesh(
        m,
        {"a": (1, lambda x: x[0] < 1.0), "b": (2, lambda x: x[0] > 1.0)},
        {
            "left": (1, lambda x: np.isclose(x[0], 0.0)),
            "right": (2, lambda x: np.isclose(x[0], 2.0)),
        },
        {"interface": (3, ("a", "b"))},
    )


def one_block(n: int, region: str, comm=MPI.COMM_WORLD) -> TaggedMesh:
    """The half of :func:`two_blocks` that holds ``region``, alone (same triangles)."""
    x0 = 0.0 if region == "a" else 1.0
    m = dmesh.create_rectangle(
        comm, [[x0, 0.0], [x0 + 1.0, 1.0]], [n, n], ghost_mode=dmesh.GhostMode.shared_facet
    )
    end = (0.0, "left", 1) if region == "a" else (2.0, "right", 2)
    return tag_mesh(
        m,
        {region: (1 if region == "a" else 2, lambda x: np.full(x.shape[1], True))},
        {end[1]: (end[2], lambda x: np.isclose(x[0], end[0]))},
    )


def two_block_problem(tm: TaggedMesh, law, degree: int) -> SteadyProblem:
    interfaces = [Interface("interface", law, plus="a")]
    return SteadyProblem(
        tm,
        {"a": Material("a", K_A), "b": Material("b", K_B)},
        interfaces,
        [FixedTemperature("left", _t_left), FixedTemperature("right", _t_right)],
        sources=_sources(),
        degree=degree,
        solver="direct",
    )


def region_functionals(p: SteadyProblem, region: str) -> np.ndarray:
    """∫T², ∫T w, ∫|∇T|² over the region (global): equal iff the fields agree (here)."""
    T, cells = owned_region_cells(p, region)
    sub = T.function_space.mesh
    x = ufl.SpatialCoordinate(sub)
    dx = ufl.Measure("dx", domain=sub, subdomain_data=[(1, cells)])
    w = 1 + x[0] ** 2 * x[1] + ufl.sin(3 * x[1])
    forms = [T**2 * dx(1), T * w * dx(1), ufl.inner(ufl.grad(T), ufl.grad(T)) * dx(1)]
    local = np.array([fem.assemble_scalar(fem.form(f)) for f in forms])
    return p.comm.allreduce(local, op=MPI.SUM)


@pytest.mark.parametrize("degree", [1, 2])
def test_large_conductance_is_perfect_contact(degree):
    """h = 1e9 k/L reproduces the PerfectContact (one-field) solution to 1e-6."""
    tm = two_blocks(8)
    perfect = two_block_problem(tm, PerfectContact(), degree)
    perfect.run()
    assert perfect.formulation.broken.num_colours == 1
    rel = {}
    for h in (1e9 * K_B, 1.0):
        p = two_block_problem(tm, Conductance(h), degree)
        if h > 1:  # h l/k ~ 4e8: the problem warns about the round-off it brings
            with pytest.warns(UserWarning, match="conductance contrast"):
                p.run()
        else:
            p.run()
        assert p.formulation.broken.num_colours == 2
        diff, norm = parent_l2_difference(p, perfect, ("a", "b"))
        rel[h] = diff / norm
        (s,) = p.interface_table()
        if h > 1:
            assert abs(s.max_jump_K) < 1e-6 and abs(s.min_jump_K) < 1e-6
            # heat crossing the interface = heat generated in "a" (∫ 1 + xy = 1.25 W per m)
            # + heat entering "a" at the left, taken from the perfect-contact run
            inflow = perfect.energy_balance().boundary_inflow_W["FixedTemperature:left"]
            # (h [T] with [T] ~ 1e-10 K: round-off of order h·eps·T limits this to ~1e-5)
            assert s.heat_flow_W == pytest.approx(1.25 + inflow, rel=1e-4)
    _print(f"h -> inf, P{degree}: relative L2 difference to perfect contact {rel}")
    assert rel[1e9 * K_B] < 1e-6
    assert rel[1.0] > 1e-2  # the comparison is sensitive to a finite conductance


@pytest.mark.parametrize("degree", [1, 2])
def test_zero_conductance_decouples(degree):
    """h = 0: each side equals its one-material solution (insulated at the interface)."""
    n = 6
    decoupled = two_block_problem(two_blocks(n), Conductance(0.0), degree)
    decoupled.run()
    coupled = two_block_problem(two_blocks(n), Conductance(1.0), degree)
    coupled.run()
    (s,) = decoupled.interface_table()
    assert s.heat_flow_W == 0.0
    for region, k, bc in (("a", K_A, ("left", _t_left)), ("b", K_B, ("right", _t_right))):
        alone = SteadyProblem(
            one_block(n, region),
            {region: Material(region, k)},
            [],
            [FixedTemperature(*bc)],
            sources=[src for src in _sources() if src.region == region],
            degree=degree,
            solver="direct",
        )
        alone.run()
        ref = region_functionals(alone, region)
        got = region_functionals(decoupled, region)
        other = region_functionals(coupled, region)
        _print(f"h = 0, P{degree}, {region}: {got} vs one-material {ref}")
        np.testing.assert_allclose(got, ref, rtol=1e-10)
        assert np.max(np.abs(other - ref) / np.abs(ref)) > 1e-3  # sensitive to coupling
