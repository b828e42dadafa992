"""Bulk terms of the materials.

Conduction groups, heat storage, total-power sources, bulk fluxes at facet points, and the
valid-range checks of the properties.

Constant isotropic conductivities and heat capacities keep the fast path of
:meth:`~fe_interface.discretisation.formulation.Formulation.piecewise`: one
``fem.Constant`` per distinct value, a plain Poisson kernel.  Every other conductivity
(a function of T, or a tensor) gets one integral over the cells of the regions that
share it: Σ_g k_g(T) ∇T·∇v dx_g (UFL, so Newton has the exact Jacobian).

Heat storage with ρ c_p(T) uses the enthalpy H(T) = ∫_{T_ref}^T ρ c_p dT: the θ-scheme's
storage term is ∫ (H(T) − H(T_n))/Δt v dx and the stored heat ∫ H(T) dV, so the energy
balance of every step holds exactly (the stored heat is ∫∫ ρ c_p dT dV, not
∫ ρ c_p T dV).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from mpi4py import MPI
from petsc4py import PETSc

import numpy as np
import ufl
from dolfinx import fem

from fe_interface.errors import InputError, agree
from fe_interface.model.materials import Anisotropic, Material
from fe_interface.model.properties import PropertyRangeWarning, is_property

if TYPE_CHECKING:
    from fe_interface.discretisation.formulation import Formulation

__all__ = [
    "HeatStorage",
    "NormalFlux",
    "cell_conductivity",
    "check_conductivities",
    "conduction_groups",
    "constant_scalar",
    "range_warnings",
    "region_measure",
    "region_volume",
    "warn_ranges",
]

#: PETSc's scalar type, a NumPy scalar type (petsc4py's stubs declare it a dtype)
_SCALAR: Any = PETSc.ScalarType


def constant_scalar(p: Any) -> float | None:
    """The number of a constant isotropic value, None otherwise.

    Constant isotropic: a number, or a property that does not depend on T.
    """
    if p is None or isinstance(p, Anisotropic):
        return None
    if is_property(p):
        return None if p.temperature_dependent else float(p(p.reference_temperature))
    return float(p)


def _key(p: Any) -> Any:
    try:
        hash(p)
        return p
    except TypeError:  # an unhashable property: a group of its own
        return id(p)


def region_measure(f: Formulation, regions: list[int]) -> Any:
    """The ``dx`` measure over this process's owned cells of ``regions``."""
    mesh = f.mesh
    n = mesh.topology.index_map(mesh.topology.dim).size_local
    if sorted(regions) == sorted(f.model.regions):
        return ufl.dx(domain=mesh)
    cells = np.flatnonzero(np.isin(f.model.cell_region[:n], regions)).astype(np.int32)
    sid = len(f._subdomains)
    f._subdomains.append((sid, cells))
    return f.dx(sid)


def region_volume(f: Formulation, region: int) -> float:
    """Volume of a region in m³: ∫_region w dx, times 2π for axisymmetric models.

    2D planar: m² = m³ per metre of depth; collective.
    """
    form = fem.form(
        f.w * region_measure(f, [region]) + fem.Constant(f.mesh, 0.0) * ufl.dx(domain=f.mesh)
    )
    return f.two_pi * float(f.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM))


def _check_dim(f: Formulation, m: Material, region: int) -> None:
    k = m.conductivity
    d = f.mesh.geometry.dim
    if isinstance(k, Anisotropic) and k.dim != d:
        raise InputError(
            f"material {m.name!r} (region {f.model.region_names[region]!r}): a {k.dim}D "
            f"conductivity tensor on a {d}D mesh"
        )


def conduction_groups(f: Formulation) -> list[tuple[Any, Any]]:
    """(k, measure) of every conductivity group (see the module docstring)."""
    mats = f.model.region_material
    const = {r: v for r, m in mats.items() if (v := constant_scalar(m.conductivity)) is not None}
    groups: list[tuple[Any, Any]] = (
        f.piecewise(const, regions=list(const), what="conductivity") if const else []
    )
    others: dict[Any, tuple[Any, list[int]]] = {}
    for r, m in mats.items():
        if r in const:
            continue
        _check_dim(f, m, r)
        k = m.conductivity
        others.setdefault(_key(k), (k, []))[1].append(r)
    for k, regions in others.values():
        dx = region_measure(f, regions)
        if isinstance(k, Anisotropic) and not k.temperature_dependent:
            groups.append((fem.Constant(f.mesh, _SCALAR(k.matrix())), dx))
        elif isinstance(k, Anisotropic):
            groups.append((k.matrix, dx))
        else:
            groups.append((k, dx))
    return groups


def conduction_nonlinear(f: Formulation) -> bool:
    """True if some region's conductivity depends on T."""
    return any(m.conductivity_dependent for m in f.model.region_material.values())


class HeatStorage:
    """ρ c_p of every region for a transient problem (see the module docstring).

    Args:
        f: the formulation; every material needs density and specific heat.
    """

    def __init__(self, f: Formulation) -> None:
        self.f = f
        mats = f.model.region_material
        hc = {r: m.heat_capacity for r, m in mats.items()}
        const = {r: v for r, c in hc.items() if (v := constant_scalar(c)) is not None}
        self.constant = (
            f.piecewise(const, regions=list(const), what="heat_capacity") if const else []
        )
        by: dict[Any, tuple[Any, list[int]]] = {}
        for r, c in hc.items():
            if r not in const:
                by.setdefault(_key(c), (c, []))[1].append(r)
        # H(T) of a fitted c_p(T) (exp/log of T): UFL's degree estimate of such an
        # integrand runs to dozens and the kernel to thousands of points per cell; a
        # fixed rule of degree 2p + 2 keeps storage and energy consistent and cheap
        q = {"quadrature_degree": 2 * f.degree + 2}
        self.dependent = [(c, region_measure(f, regions)(metadata=q)) for c, regions in by.values()]

    @property
    def nonlinear(self) -> bool:
        """True if some ρ c_p depends on T."""
        return bool(self.dependent)

    def rate(self, T: Any, T_n: Any, dt: Any, v: Any) -> Any:
        """∫ (H(T) − H(T_n))/Δt v w dx (W): the storage term of the θ-scheme."""
        w = self.f.w
        out = sum(c * (T - T_n) / dt * v * w * dx for c, dx in self.constant)
        for c, dx in self.dependent:
            out = out + (c.antiderivative(T) - c.antiderivative(T_n)) / dt * v * w * dx
        return out

    def energy(self, T: Any) -> Any:
        """∫ H(T) w dx (J; 2D: J per metre of depth; axisymmetric: without the 2π)."""
        w = self.f.w
        out = sum(c * T * w * dx for c, dx in self.constant)
        for c, dx in self.dependent:
            out = out + c.antiderivative(T) * w * dx
        return out


class NormalFlux:
    """Bulk normal heat flux −(K ∇T)·n (W/m²) at facet quadrature points of given cells.

    With the local conductivity of each cell's material at the points' temperature.

    Args:
        f: the formulation.
        cells: local cell of each facet.
    """

    def __init__(self, f: Formulation, cells: np.ndarray) -> None:
        regions = f.model.cell_region[cells]
        self.groups: list[tuple[np.ndarray, Material]] = []
        self.constant = np.zeros(len(cells))
        self.simple = True
        for r in np.unique(regions):
            m = f.model.region_material[int(r)]
            rows = np.flatnonzero(regions == r)
            k = constant_scalar(m.conductivity)
            if k is not None:
                self.constant[rows] = k
            else:
                self.simple = False
                self.groups.append((rows, m))

    def __call__(self, grad: np.ndarray, normal: np.ndarray, T: np.ndarray | None) -> np.ndarray:
        """grad, normal: (facets, points, gdim); T: (facets, points) K."""
        out = -self.constant[:, None] * np.einsum("fqg,fqg->fq", grad, normal)
        for rows, m in self.groups:
            assert T is not None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PropertyRangeWarning)
                out[rows] = m.normal_flux(grad[rows], normal[rows], T[rows])
        return out


def cell_mean_temperature(f: Formulation, cells: np.ndarray | None = None) -> np.ndarray:
    """The mean of the dof values of each local cell (K)."""
    dofs = f.space.dofmap.list if cells is None else f.space.dofmap.list[cells]
    return np.asarray(f.T.x.array[dofs].mean(axis=1))


def cell_conductivity(f: Formulation) -> np.ndarray:
    """K of every local cell (ghosts included), W/(m K).

    Constant values as they are; for k(T) the value at the cell's mean temperature of the
    current field (at the reference temperature while the field is not positive); for tensors
    the largest principal value.
    """
    out = np.zeros(len(f.model.cell_region))
    Tc = None
    for r, m in f.model.region_material.items():
        cells = f.model.region_cells(r)
        k = constant_scalar(m.conductivity)
        if k is not None:
            out[cells] = k
            continue
        if not m.conductivity_dependent:
            out[cells] = m.k_ref
            continue
        if Tc is None:
            Tc = cell_mean_temperature(f)
        T = Tc[cells]
        ok = np.isfinite(T) & (T > 0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PropertyRangeWarning)
            vals = np.full(len(cells), m.k_ref)
            if ok.any():
                vals[ok] = m.largest_conductivity_at(T[ok])
        out[cells] = vals
    return out


def _region_nodal_temperatures(f: Formulation, region: int, T: Any) -> np.ndarray:
    """The finite dof values (K) of the local cells of ``region``."""
    cells = f.model.region_cells(region)
    vals = T.x.array[np.unique(f.space.dofmap.list[cells])] if cells.size else np.empty(0)
    return vals[np.isfinite(vals)]


def check_conductivities(f: Formulation, T: Any = None) -> None:
    """Every k(T) is finite and > 0 at the dof values of its region (collective).

    Checked like the interface laws: at the initial guess, after every Newton solve and at
    the last iterate of a failed one (:func:`~fe_interface.problems.steady.newton_checked`).
    A conductivity function that turns negative (``Material("A", lambda T: 420 - T)`` at
    450 K) would otherwise converge to a field with k < 0, and NaN would fail Newton
    without naming the material.  For a tensor, its principal values.

    Raises:
        InputError: naming the material, the region, k and T.
    """
    T = f.T if T is None else T
    msg = None
    for r, m in f.model.region_material.items():
        if not m.conductivity_dependent or msg is not None:
            continue
        t = _region_nodal_temperatures(f, r, T)
        t = t[t > 0]
        if not t.size:
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", PropertyRangeWarning)
            try:
                k = np.asarray(m.conductivity_at(t), dtype=float)
                if m.anisotropic:
                    k = np.linalg.eigvalsh(np.where(np.isfinite(k), k, np.nan))[..., 0]
            except Exception as e:  # a user function failing at these temperatures
                msg = (
                    f"material {m.name!r} (region {f.model.region_names[r]!r}): the "
                    f"conductivity k(T) failed at T in [{t.min():.6g}, {t.max():.6g}] K: "
                    f"{type(e).__name__}: {e}"
                )
                continue
        k = np.broadcast_to(k, t.shape)
        bad = ~np.isfinite(k) | (k <= 0)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            msg = (
                f"material {m.name!r} (region {f.model.region_names[r]!r}): the conductivity "
                f"k(T) = {float(k[j])!r} W/(m K) at T = {float(t[j]):.6g} K (must be finite "
                f"and > 0; {int(bad.sum())} of {bad.size} nodal temperatures of the region on "
                "this process)"
            )
    agree(f.comm, InputError(msg) if msg else None)


def range_warnings(f: Formulation, T: Any = None) -> list[str]:
    """Messages for the properties whose valid temperature range the field ``T`` leaves.

    One message per (region, property); ``T`` defaults to ``f.T`` (collective).
    """
    T = f.T if T is None else T
    msgs: list[str] = []
    for r, m in f.model.region_material.items():
        props = m.properties
        if not props:
            continue
        cells = f.model.region_cells(r)
        vals = T.x.array[np.unique(f.space.dofmap.list[cells])] if cells.size else np.empty(0)
        vals = vals[np.isfinite(vals)]
        lo = f.comm.allreduce(float(vals.min()) if vals.size else np.inf, op=MPI.MIN)
        hi = f.comm.allreduce(float(vals.max()) if vals.size else -np.inf, op=MPI.MAX)
        if not np.isfinite(lo):
            continue
        where = f"of material {m.name!r} in region {f.model.region_names[r]!r}"
        msgs += [p.range_message(lo, hi, where) for p in props if p.outside(lo, hi)]
    return msgs


def warn_ranges(f: Formulation, T: Any = None) -> None:
    """Warn for every property evaluated outside its valid range by the solved field.

    One :class:`~fe_interface.model.properties.PropertyRangeWarning` each (collective).
    """
    for msg in range_warnings(f, T):
        warnings.warn(msg, PropertyRangeWarning, stacklevel=3)
