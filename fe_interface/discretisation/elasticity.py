"""Small-strain elasticity on the broken vector space: kinematics, Hooke's law, forms.

The strain is written as a 3×3 tensor in every case (SI: strain dimensionless, stress
Pa, lengths m):

* 3D: ε = sym ∇u;
* plane strain (2D, x–y): ε = [[ε_xx, ε_xy, 0], [ε_xy, ε_yy, 0], [0, 0, 0]];
* axisymmetric (2D, x[0] = r, x[1] = z): ε = [[ε_rr, ε_rz, 0], [ε_rz, ε_zz, 0],
  [0, 0, u_r/r]], integrals weighted with r (totals × 2π).

Stress σ = λ tr(ε) I + 2 μ ε − 3Kα (T − T_ref) I (:mod:`~fe_interface.model.elastic_materials`).
The weak form (virtual work, N·m):

    ∫ σ(u):ε(v) w dx − ∫ b·v w dx − ∫ t·v w ds + ∫ p n·v w ds (+ contact) = 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from petsc4py import PETSc

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import IntegralType

from fe_interface.errors import user_function
from fe_interface.model.elastic_materials import ElasticMaterial
from fe_interface.model.mechanical_boundary import Pressure, Traction
from fe_interface.model.mechanical_model import MechanicalModel

_SCALAR: Any = PETSc.ScalarType  # a NumPy scalar type (petsc4py's stubs say dtype)

__all__ = ["KINDS", "ElasticForms", "rigid_dirichlet", "strain", "von_mises"]

KINDS = ("3d", "plane_strain", "axisymmetric")


def strain(u: Any, kind: str, x: Any) -> Any:
    """The small strain of ``u`` as a 3×3 UFL tensor (see the module docstring)."""
    e = ufl.sym(ufl.grad(u))
    if kind == "3d":
        return e
    hoop = u[0] / x[0] if kind == "axisymmetric" else 0.0
    return ufl.as_matrix([[e[0, 0], e[0, 1], 0.0], [e[1, 0], e[1, 1], 0.0], [0.0, 0.0, hoop]])


def von_mises(s: Any) -> Any:
    """Von Mises equivalent stress √(3/2 s′:s′) of a 3×3 stress (Pa)."""
    dev = s - ufl.tr(s) / 3.0 * ufl.Identity(3)
    return ufl.sqrt(1.5 * ufl.inner(dev, dev))


class _Group:
    """Regions with one material: its constants and measure."""

    def __init__(self, mesh: Any, mat: ElasticMaterial, dx: Any, cells: np.ndarray) -> None:
        c = lambda v: fem.Constant(mesh, _SCALAR(v))  # noqa: E731
        self.material = mat
        self.cells = cells
        self.lam, self.mu = c(mat.lam), c(mat.mu)
        self.thermal = c(mat.thermal_modulus)  # 3Kα, Pa/K
        self.T_ref = c(mat.T_ref)
        self.dx = dx


class ElasticForms:
    """The UFL forms of an elastic model (collective).

    Args:
        model: the checked mechanical model.
        space: the broken vector space.
        kind: "3d", "plane_strain" or "axisymmetric".
        temperature: a scalar ``fem.Function`` (K) for the thermal strain, or None
            (every body at its T_ref).

    Attributes:
        groups: one per distinct material (constants + measure).
        w: the weight (1 or r).
    """

    def __init__(
        self, model: MechanicalModel, space: fem.FunctionSpace, kind: str, temperature: Any = None
    ) -> None:
        self.model = model
        self.space = space
        self.kind = kind
        mesh = space.mesh
        self.mesh = mesh
        self.x = ufl.SpatialCoordinate(mesh)
        self.w: Any = self.x[0] if kind == "axisymmetric" else 1.0
        self.T = temperature
        tdim = mesh.topology.dim
        ncell = mesh.topology.index_map(tdim).size_local
        cells_data: list[tuple[int, np.ndarray]] = []
        facets_data: list[tuple[int, np.ndarray]] = []
        self.dx = ufl.Measure("dx", domain=mesh, subdomain_data=cells_data)
        self.ds = ufl.Measure("ds", domain=mesh, subdomain_data=facets_data)
        by_mat: dict[ElasticMaterial, list[int]] = {}
        for r, m in model.region_material.items():
            by_mat.setdefault(m, []).append(r)
        self.groups: list[_Group] = []
        region = model.cell_region[:ncell]
        for mat, regions in by_mat.items():
            cells = np.flatnonzero(np.isin(region, regions)).astype(np.int32)
            cells_data.append((len(cells_data), cells))
            self.groups.append(_Group(mesh, mat, self.dx(len(cells_data) - 1), cells))
        self.loads: list[tuple[Any, Any]] = []  # (force density, measure): −∫ f·v w
        for b in model.body_forces:
            cells = b.entities[b.entities < ncell]
            cells_data.append((len(cells_data), cells))
            self.loads.append((self._vector(b.spec.value), self.dx(len(cells_data) - 1)))
        nf = mesh.topology.index_map(tdim - 1).size_local
        n = ufl.FacetNormal(mesh)
        for b in model.boundaries:
            if not isinstance(b.spec, (Traction, Pressure)):
                continue
            owned = b.entities[b.entities < nf]
            e = fem.compute_integration_domains(IntegralType.exterior_facet, mesh.topology, owned)
            facets_data.append((len(facets_data), e))
            ds = self.ds(len(facets_data) - 1)
            kind = "traction" if isinstance(b.spec, Traction) else "pressure"
            what = f"{kind} on {b.spec.facets!r}: value(x)"
            if isinstance(b.spec, Traction):
                self.loads.append((self._vector(b.spec.value, what), ds))
            else:
                self.loads.append((-self._scalar(b.spec.value, what) * n, ds))

    def _scalar(self, value: Any, what: str) -> Any:
        if callable(value):
            with user_function(what):  # called with the UFL coordinate: on every rank alike
                return value(self.x)
        return fem.Constant(self.mesh, _SCALAR(value))

    def _vector(self, value: Any, what: str = "body force") -> Any:
        if callable(value):
            with user_function(what):
                return value(self.x)
        return fem.Constant(self.mesh, np.asarray(value, dtype=_SCALAR))

    # ------------------------------------------------------------------ forms
    def strain(self, u: Any) -> Any:
        """ε(u), 3×3."""
        return strain(u, self.kind, self.x)

    def stress(self, u: Any, g: _Group, thermal: bool = True) -> Any:
        """The stress σ(u) of a material group, 3×3, Pa.

        With the thermal part if a temperature is set and ``thermal``.
        """
        e = self.strain(u)
        s = g.lam * ufl.tr(e) * ufl.Identity(3) + 2.0 * g.mu * e
        if thermal and self.T is not None and g.material.alpha != 0.0:
            s = s - g.thermal * (self.T - g.T_ref) * ufl.Identity(3)
        return s

    def residual(self, u: Any, v: Any) -> Any:
        """F(u; v) without contact (N m): internal minus external virtual work."""
        F = sum(ufl.inner(self.stress(u, g), self.strain(v)) * self.w * g.dx for g in self.groups)
        for f, meas in self.loads:
            F = F - ufl.inner(f, v) * self.w * meas
        return F

    def bilinear(self) -> tuple[Any, Any]:
        """(a, L) of the linear problem (no contact)."""
        u, v = ufl.TrialFunction(self.space), ufl.TestFunction(self.space)
        return ufl.system(self.residual(u, v))

    def von_mises_expression(self, u: Any) -> Any:
        """Von Mises stress of ``u`` (Pa) by cell.

        One UFL expression per material group, as (expression, cells) pairs
        (cells: owned, of that group).
        """
        return [(von_mises(self.stress(u, g)), g.cells) for g in self.groups]


def rigid_dirichlet(space: fem.FunctionSpace, cells: np.ndarray, value: Sequence[float]) -> list:
    """One Dirichlet condition per component on every node of ``cells`` (``value``, m)."""
    bs = space.dofmap.bs
    blocks = np.unique(space.dofmap.list[cells]).astype(np.int32)
    out = []
    for c, v in enumerate(value):
        sub = space.sub(c)
        out.append(fem.dirichletbc(PETSc.ScalarType(v), blocks * bs + c, sub))  # type: ignore[operator]
    return out
