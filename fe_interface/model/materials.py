"""Bulk materials: the thermal properties of a region.

A :class:`Material` holds bulk properties; a problem maps each *region* (a cell group of
the mesh, by physical name or tag) to a material.  Two regions may share one material
(two aluminium blocks pressed together are two regions, one material).

Conductivity k (W/(m K)) is

* a number (the fast path: one ``fem.Constant`` per distinct value, a plain Poisson
  kernel);
* a function of temperature: a :mod:`~fe_interface.model.properties` object (a
  :class:`~fe_interface.model.properties.Table` of (T, k) points with monotone
  interpolation, a published fit, or any UFL-compatible function of T); the problem is
  then solved by Newton's method with the exact Jacobian;
* an :class:`Anisotropic` tensor K = Σ_i k_i a_i a_iᵀ (orthotropic with principal axes
  a_i, or a full symmetric tensor; principal values may depend on T).  The heat flux
  is q = −K ∇T.

Specific heat c_p (J/(kg K)) is a number or a function of T; a transient problem then
stores the enthalpy H(T) = ∫ ρ c_p dT exactly (see
:mod:`~fe_interface.problems.transient`).

Contact laws that need the conductivity of the solids (``Surface.k`` of
:mod:`fe_interface.model.laws.contact`) take the component normal to the contact plane,
nᵀ K n: :meth:`Material.normal_conductivity`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.properties import Property, Scaled, as_property, is_property, is_ufl
from fe_interface.model.validation import check_positive, check_real

__all__ = ["Anisotropic", "Material", "register_library"]


def _value_at(p: Any, T: Any) -> Any:
    """A number or a property evaluated at T (NumPy)."""
    return p(T) if is_property(p) else p + 0.0 * np.asarray(T, dtype=float)


def _dependent(p: Any) -> bool:
    return is_property(p) and bool(p.temperature_dependent)


@dataclass(frozen=True)
class Anisotropic:
    """Anisotropic conductivity K = Σ_i k_i a_i a_iᵀ, W/(m K).

    Build it with :meth:`tensor` (a full symmetric matrix), :meth:`orthotropic`
    (principal values and axes, or an angle in 2D) or :meth:`in_plane` (a layer:
    in-plane and through-plane values and the layer normal).

    Attributes:
        principal: principal conductivities k_i (numbers > 0 or properties of T), one
            per dimension (2 or 3).
        axes: the principal directions a_i (unit vectors, mutually orthogonal), rows.
        name: label for messages.
    """

    principal: tuple[Any, ...]
    axes: tuple[tuple[float, ...], ...]
    name: str = ""

    def __post_init__(self) -> None:
        owner = (
            f"anisotropic conductivity {self.name!r}" if self.name else "anisotropic conductivity"
        )
        d = len(self.principal)
        if d not in (2, 3):
            raise InputError(f"{owner}: needs 2 or 3 principal values, got {d}")
        k = tuple(
            as_property(v, f"principal value {i + 1}", "W/(m K)", owner)
            for i, v in enumerate(self.principal)
        )
        try:
            A = np.array(self.axes, dtype=float)
        except (TypeError, ValueError):
            raise InputError(
                f"{owner}: axes must be {d} vectors of {d} numbers, got {self.axes!r}"
            ) from None
        if A.shape != (d, d) or not np.all(np.isfinite(A)):
            raise InputError(
                f"{owner}: axes must be {d} finite vectors of {d} numbers, got {self.axes!r}"
            )
        norms = np.linalg.norm(A, axis=1)
        if np.any(norms == 0):
            raise InputError(f"{owner}: an axis has zero length: {self.axes!r}")
        A = A / norms[:, None]
        if np.max(np.abs(A @ A.T - np.eye(d))) > 1e-6:
            raise InputError(f"{owner}: the axes must be mutually orthogonal, got {self.axes!r}")
        object.__setattr__(self, "principal", k)
        object.__setattr__(self, "axes", tuple(tuple(float(x) for x in row) for row in A))

    # ------------------------------------------------------------ constructors
    @classmethod
    def tensor(cls, matrix: Any, name: str = "") -> Anisotropic:
        """A full symmetric positive-definite tensor (2×2 or 3×3, W/(m K))."""
        owner = f"conductivity tensor {name!r}" if name else "conductivity tensor"
        try:
            K = np.array(matrix, dtype=float)
        except (TypeError, ValueError):
            raise InputError(
                f"{owner}: must be a 2x2 or 3x3 array of numbers, got {matrix!r}"
            ) from None
        if K.shape not in ((2, 2), (3, 3)) or not np.all(np.isfinite(K)):
            raise InputError(f"{owner}: must be a finite 2x2 or 3x3 array, got {matrix!r}")
        scale = float(np.max(np.abs(K)))
        if np.max(np.abs(K - K.T)) > 1e-12 * max(scale, 1e-300):
            raise InputError(f"{owner}: must be symmetric, got {matrix!r}")
        w, V = np.linalg.eigh(K)
        if w.min() <= 0:
            raise InputError(
                f"{owner}: must be positive definite (eigenvalues {w.tolist()} W/(m K) must be > 0)"
            )
        return cls(tuple(float(x) for x in w), tuple(tuple(V[:, i]) for i in range(len(w))), name)

    @classmethod
    def orthotropic(
        cls, principal: Any, axes: Any = None, angle: float | None = None, name: str = ""
    ) -> Anisotropic:
        """An orthotropic conductivity from its principal values k_i (W/(m K)) and directions.

        Principal values k_i along ``axes`` (rows), or in 2D along the directions at
        ``angle`` (degrees, counter-clockwise from x) and ``angle`` + 90°; default: the
        coordinate axes.
        """
        principal = tuple(principal)
        d = len(principal)
        if angle is not None:
            if d != 2 or axes is not None:
                raise InputError(
                    "orthotropic conductivity: 'angle' needs 2 principal values and no axes"
                )
            a = math.radians(check_real(angle, "angle", "degrees", "orthotropic conductivity"))
            axes = ((math.cos(a), math.sin(a)), (-math.sin(a), math.cos(a)))
        if axes is None:
            axes = tuple(tuple(float(i == j) for j in range(d)) for i in range(d))
        return cls(principal, tuple(tuple(r) for r in axes), name)

    @classmethod
    def in_plane(cls, k_in: Any, k_through: Any, normal: Any, name: str = "") -> Anisotropic:
        """A layered material.

        ``k_in`` in the plane normal to ``normal``, ``k_through`` along it (2D: the in-plane
        direction is the normal turned by 90°).
        """
        n = np.array(normal, dtype=float)
        if n.shape not in ((2,), (3,)) or not np.all(np.isfinite(n)) or not np.linalg.norm(n):
            raise InputError(
                f"in-plane conductivity {name!r}: normal must be a nonzero 2- or 3-vector, got {normal!r}"
            )
        n = n / np.linalg.norm(n)
        if n.size == 2:
            return cls((k_through, k_in), (tuple(n), (-n[1], n[0])), name)
        helper = np.eye(3)[int(np.argmin(np.abs(n)))]
        t1 = np.cross(n, helper)
        t1 /= np.linalg.norm(t1)
        t2 = np.cross(n, t1)
        return cls((k_through, k_in, k_in), (tuple(n), tuple(t1), tuple(t2)), name)

    # ------------------------------------------------------------ values
    @property
    def dim(self) -> int:
        """2 or 3."""
        return len(self.principal)

    @property
    def temperature_dependent(self) -> bool:
        """True if a principal value depends on T."""
        return any(_dependent(k) for k in self.principal)

    @property
    def properties(self) -> list[Property]:
        """The principal values that are properties of T."""
        return [k for k in self.principal if is_property(k)]

    def matrix(self, T: Any = None) -> Any:
        """The conductivity tensor K (W/(m K)).

        NumPy (..., d, d) for NumPy T (None: constant values or the properties at their
        reference temperature), a UFL matrix for UFL T.
        """
        A = np.array(self.axes)
        if T is not None and is_ufl(T):
            import ufl

            K = 0
            for k, a in zip(self.principal, A, strict=True):
                kv = k(T) if is_property(k) else k
                K = K + kv * ufl.as_matrix(np.outer(a, a).tolist())
            return K
        if T is None:
            vals = [
                float(k(k.reference_temperature)) if is_property(k) else k for k in self.principal
            ]
            return np.einsum("i,ij,ik->jk", np.array(vals), A, A)
        t = np.asarray(T, dtype=float)
        vals_t = np.stack(
            [np.broadcast_to(_value_at(k, t), t.shape) for k in self.principal], axis=-1
        )
        return np.einsum("...i,ij,ik->...jk", vals_t, A, A)

    def normal_component(self, n: Any, T: Any = None) -> Any:
        """nᵀ K n (W/(m K)) for the unit vector ``n`` (normalised here)."""
        n = np.array(n, dtype=float)
        n = n / np.linalg.norm(n)
        return np.einsum("j,...jk,k->...", n, self.matrix(T), n)


#: the material library's lookup (name, label) -> Material, set by
#: :func:`register_library` when :mod:`fe_interface.model.library` is imported
_LIBRARY: Callable[[str, str | None], Material] | None = None


def register_library(lookup: Callable[[str, str | None], Material]) -> None:
    """Make ``lookup(name, label)`` the library behind :meth:`Material.from_library`."""
    global _LIBRARY
    _LIBRARY = lookup


@dataclass(frozen=True)
class Material:
    """Bulk material.

    Attributes:
        name: label used in tables and error messages.
        conductivity: k in W/(m K): a number > 0, a property of T (see the module
            docstring; a ``(T, k)`` pair of sequences becomes a
            :class:`~fe_interface.model.properties.Table`, a plain function of T a
            :class:`~fe_interface.model.properties.PropertyFunction`), or an
            :class:`Anisotropic` tensor.
        density: ρ, kg/m³ (transient runs only).
        specific_heat: c_p, J/(kg K) (transient runs only): a number or a property of T.
    """

    name: str
    conductivity: Any
    density: float | None = None
    specific_heat: Any = None

    def __post_init__(self) -> None:
        owner = f"material {self.name!r}"
        k = self.conductivity
        if not isinstance(k, Anisotropic):
            k = as_property(k, "conductivity", "W/(m K)", owner)
        object.__setattr__(self, "conductivity", k)
        if self.density is not None:
            object.__setattr__(
                self, "density", check_positive(self.density, "density", "kg/m^3", owner)
            )
        if self.specific_heat is not None:
            cp = as_property(self.specific_heat, "specific_heat", "J/(kg K)", owner)
            object.__setattr__(self, "specific_heat", cp)

    @classmethod
    def from_library(cls, name: str, label: str | None = None) -> Material:
        """The material of a library entry (:mod:`fe_interface.model.library`).

        The library (above this module: its entries are materials) registers its lookup
        when it is imported (:func:`register_library`; ``fe_interface.model`` imports it).

        Raises:
            InputError: ``name`` is not in the library.
        """
        if _LIBRARY is None:  # only when fe_interface.model.library failed to import
            raise InputError(f"library material {name!r}: no material library is loaded")
        return _LIBRARY(name, label)

    # ------------------------------------------------------------ kinds
    @property
    def anisotropic(self) -> bool:
        """True for a tensor conductivity."""
        return isinstance(self.conductivity, Anisotropic)

    @property
    def conductivity_dependent(self) -> bool:
        """True if k depends on temperature."""
        k = self.conductivity
        return k.temperature_dependent if isinstance(k, Anisotropic) else _dependent(k)

    @property
    def capacity_dependent(self) -> bool:
        """True if c_p depends on temperature."""
        return _dependent(self.specific_heat)

    @property
    def temperature_dependent(self) -> bool:
        """True if k or c_p depends on temperature."""
        return self.conductivity_dependent or self.capacity_dependent

    @property
    def properties(self) -> list[Property]:
        """Every property of T of the material (for the range checks)."""
        k = self.conductivity
        out = list(k.properties) if isinstance(k, Anisotropic) else [k] if is_property(k) else []
        if is_property(self.specific_heat):
            out.append(self.specific_heat)
        return out

    # ------------------------------------------------------------ values
    @property
    def heat_capacity(self) -> Any:
        """Volumetric heat capacity ρ c_p, J/(m³ K).

        A number, a property of T (:class:`~fe_interface.model.properties.Scaled`), or None
        unless both are given.
        """
        if self.density is None or self.specific_heat is None:
            return None
        if is_property(self.specific_heat):
            return Scaled(self.specific_heat, self.density, unit="J/(m^3 K)")
        return self.density * self.specific_heat

    @property
    def k_ref(self) -> float:
        """A representative conductivity, W/(m K).

        The value (the largest principal value of a tensor) at 293.15 K clamped into the
        properties' valid ranges.
        """
        k = self.conductivity
        if isinstance(k, Anisotropic):
            return float(np.max(np.linalg.eigvalsh(k.matrix())))
        if is_property(k):
            return float(k(k.reference_temperature))
        return float(k)

    def conductivity_at(self, T: Any) -> np.ndarray:
        """K at the NumPy temperatures T: scalars (shape of T), or tensors (T.shape + (d, d))."""
        k = self.conductivity
        if isinstance(k, Anisotropic):
            return k.matrix(np.asarray(T, dtype=float))
        return np.asarray(_value_at(k, T), dtype=float)

    def largest_conductivity_at(self, T: Any) -> np.ndarray:
        """k, or the largest eigenvalue of K, at the NumPy temperatures T (W/(m K))."""
        v = self.conductivity_at(T)
        return np.linalg.eigvalsh(v)[..., -1] if self.anisotropic else v

    def normal_conductivity(self, n: Any, T: float | None = None) -> float:
        """The normal conductivity nᵀ K n, W/(m K).

        The conductivity across a plane of unit normal ``n`` (the ``k`` of a contact law's
        surface for an anisotropic solid); isotropic: k. ``T`` (K): where k depends on T
        (default: the reference temperature).
        """
        k = self.conductivity
        if isinstance(k, Anisotropic):
            return float(k.normal_component(n, T))
        if T is None:
            return self.k_ref
        return float(_value_at(k, T))

    def normal_flux(self, grad: np.ndarray, normal: np.ndarray, T: np.ndarray) -> np.ndarray:
        """−(K ∇T)·n (W/m²) at points: ``grad`` and ``normal`` (..., gdim), T (...)."""
        k = self.conductivity
        if isinstance(k, Anisotropic):
            K = k.matrix(T)
            return -np.einsum("...j,...jk,...k->...", normal, K, grad)
        kv = _value_at(k, T)
        return -kv * np.einsum("...j,...j->...", grad, normal)
