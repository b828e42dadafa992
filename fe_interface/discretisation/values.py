"""Values-only updates of a formulation: new numbers, the same forms, space and matrix pattern.

Every number of a model that enters the discretisation is held in place:

* region-wise constants (conductivity, heat capacity, source density) are ``fem.Constant``
  objects (:attr:`Formulation.region_constants`; one per region with ``separate``);
* boundary values (fixed temperature, flux, convection h and T∞, emissivity, T_amb) are
  ``fem.Constant`` objects of the terms, or the Dirichlet condition's constant;
* the conductance of a temperature-independent interface law is the facet matrix of the
  :class:`~fe_interface.discretisation.coupling.InterfaceCoupling` (h per facet);
* the numbers of a temperature-dependent law are the constants of its
  :class:`~fe_interface.discretisation.law_constants.SymbolicLaw` (``separate``).

:class:`FormulationValues` lists them as *slots*.  :meth:`FormulationValues.read` gives the
value of every slot for new model objects of the same structure (the same regions, facet
groups, kinds of condition and law; what is not a slot must not change: functions of x,
k(T) properties, tensors), :meth:`FormulationValues.write` puts values in place.  Nothing is
compiled, meshed or allocated: a problem reassembles and solves with the same forms, matrix
and solver objects.  The slots are also what tangent-linear sensitivities differentiate
(:mod:`fe_interface.problems.tangent`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import dolfinx
import numpy as np
from dolfinx import fem

from fe_interface.discretisation import bulk
from fe_interface.discretisation.law_constants import SymbolicLaw
from fe_interface.errors import InputError
from fe_interface.model.boundary import STEFAN_BOLTZMANN, Convection, HeatFlux, Radiation
from fe_interface.model.interfaces import law_kind

if TYPE_CHECKING:
    from fe_interface.discretisation.formulation import DirichletGroup, Formulation

__all__ = ["FormulationValues", "ModelInput", "Slot"]

#: the temperature (K) at which a temperature-independent law is evaluated
_T_REF = 293.15


def _value(spec: Any) -> Any:
    """The value of a fixed-temperature condition."""
    return spec.value


def _number_reader(label: str, get: Callable[[Any], Any]) -> Callable[[Any], float]:
    """``get(model input)`` as a float; an error naming ``label`` if it became a function."""

    def read(inp: Any) -> float:
        v = get(inp)
        if not _number(v):
            raise InputError(f"{label}: a number became a function: that needs a new problem")
        return float(v)

    return read


class ModelInput(NamedTuple):
    """The model objects of a problem, aligned with its :class:`~fe_interface.model.model.Model`.

    Attributes:
        materials: region tag -> Material.
        interfaces: one per model interface, in order.
        boundary_conditions: one per model boundary, in order.
        sources: one per model source, in order.
        constraints: one per fixed region or point temperature of the model, in order.
    """

    materials: Mapping[int, Any]
    interfaces: Sequence[Any]
    boundary_conditions: Sequence[Any]
    sources: Sequence[Any]
    constraints: Sequence[Any] = ()


@dataclass
class Slot:
    """One number (or one per facet) of the discretisation that can change in place.

    Attributes:
        name: what it is (``materials.<region>.conductivity``, ``interfaces.<i>.h``, ...).
        kind: "constant" (a ``fem.Constant``), "coupling" (facet conductances of an
            interface) or "dirichlet" (a fixed temperature).
        read: its value for a :class:`ModelInput` (a float, or one per facet row).
        constant: the constant ("constant").
        rows: the facet rows of the coupling ("coupling").
        group: the condition ("dirichlet").
    """

    name: str
    kind: str
    read: Callable[[ModelInput], Any]
    constant: fem.Constant | None = None
    rows: np.ndarray | None = None
    group: DirichletGroup | None = None


def _same(a: Any, b: Any) -> bool:
    try:
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return bool(np.array_equal(a, b))
        return bool(a == b)
    except Exception:  # cannot compare: only itself is the same
        return a is b


def _number(v: Any) -> bool:
    return not callable(v) and v is not None


class FormulationValues:
    """The slots of a formulation (module docstring).

    Args:
        f: the formulation.
        storage: the problem stores heat (transient): heat capacities are used.
    """

    def __init__(self, f: Formulation, storage: bool = False) -> None:
        self.f = f
        self.storage = storage
        self.slots: list[Slot] = []
        self._volumes: dict[int, float] = {}
        self._region_slots()
        self._boundary_slots()
        self._interface_slots()

    # ------------------------------------------------------------------ building
    def _region_slots(self) -> None:
        f = self.f
        names = f.model.region_names
        for what, per_region in f.region_constants.items():
            groups: dict[int, list[int]] = {}
            for r, c in per_region.items():
                groups.setdefault(id(c), []).append(r)
            for members in groups.values():
                c = per_region[members[0]]
                label = ",".join(names[r] for r in members)
                self.slots.append(
                    Slot(
                        f"materials.{label}.{what}" if what != "source" else f"sources.{label}",
                        "constant",
                        self._region_reader(what, members),
                        constant=c,
                    )
                )

    def _region_reader(self, what: str, members: list[int]) -> Callable[[ModelInput], float]:
        names = self.f.model.region_names

        def read(inp: ModelInput) -> float:
            vals = [self._region_value(inp, what, r) for r in members]
            if any(v != vals[0] for v in vals[1:]):
                raise InputError(
                    f"regions {[names[r] for r in members]} share one {what} constant in this "
                    f"problem, and the new values differ ({vals}): enable updates on the problem "
                    "before it is initialised (problem.enable_updates())"
                )
            return vals[0]

        return read

    def _region_value(self, inp: ModelInput, what: str, r: int) -> float:
        name = self.f.model.region_names[r]
        if what == "source":
            return self._source_density(inp, r)
        m = inp.materials[r]
        prop = m.conductivity if what == "conductivity" else m.heat_capacity
        v = bulk.constant_scalar(prop)
        if v is None:
            raise InputError(
                f"materials.{name}: the {what} became temperature dependent or a tensor: that "
                "needs a new problem (values-only updates keep constants constant)"
            )
        return v

    def _source_density(self, inp: ModelInput, r: int) -> float:
        total = 0.0
        for d, s in zip(self.f.model.sources, inp.sources, strict=True):
            if d.region != r:
                continue
            if s.power is None:
                if _number(s.value):
                    total += float(s.value)
                continue
            if not _number(s.power):
                continue
            if r not in self._volumes:
                self._volumes[r] = bulk.region_volume(self.f, r)
            total += float(s.power) / (self._volumes[r] * (s.depth or 1.0))
        return total

    def _boundary_slots(self) -> None:
        f = self.f
        terms = {t.label: t for t in f.terms if t.kind == "boundary"}
        for i, b in enumerate(f.model.boundaries):
            if b.label not in terms:
                continue
            t = terms[b.label]
            fields = {
                HeatFlux: (("q", lambda s: s.value),),
                Convection: (("h", lambda s: s.h), ("T_inf", lambda s: s.T_inf)),
                Radiation: (
                    ("eps_sigma", lambda s: s.emissivity * STEFAN_BOLTZMANN),
                    ("T_amb", lambda s: s.T_amb),
                    ("h", lambda s: s.h),
                    ("T_inf", lambda s: s.fluid_temperature),
                ),
            }[type(b.spec)]
            for attr, get in fields:
                c = getattr(t, attr, None)
                if isinstance(c, fem.Constant) and not hasattr(c, "_fe_time_function"):
                    self.slots.append(
                        Slot(f"boundaries.{b.label}.{attr}", "constant", self._bc_reader(i, get), c)
                    )
        for g in f.dirichlet:
            if g.function is not None:
                continue
            ib = next((j for j, b in enumerate(f.model.boundaries) if b is g.boundary), None)
            if ib is not None:
                name, read = f"boundaries.{g.boundary.label}.value", self._bc_reader(ib, _value)
            else:  # a fixed region or point temperature
                ic = next(j for j, c in enumerate(f.model.constraints) if c is g.boundary)
                name, read = f"constraints.{g.boundary.label}.value", self._constraint_reader(ic)
            self.slots.append(Slot(name, "dirichlet", read, group=g))

    def _bc_reader(self, i: int, get: Callable[[Any], Any]) -> Callable[[ModelInput], float]:
        """A boundary condition's number ``get(spec)`` (the i-th of the model)."""
        return _number_reader(
            self.f.model.boundaries[i].label, lambda inp: get(inp.boundary_conditions[i])
        )

    def _constraint_reader(self, i: int) -> Callable[[ModelInput], float]:
        """The value of the i-th fixed region/point temperature of the model."""
        return _number_reader(
            self.f.model.constraints[i].label, lambda inp: inp.constraints[i].value
        )

    def _interface_slots(self) -> None:
        f = self.f
        for i, d in enumerate(f.model.interfaces):
            if d.kind in ("constant", "facet") and d.label in f.coupled_rows:
                self.slots.append(
                    Slot(
                        f"interfaces.{d.label}.h",
                        "coupling",
                        self._coupling_reader(i),
                        rows=f.coupled_rows[d.label],
                    )
                )
            sym = f.symbolic_laws.get(d.label)
            if sym is not None:
                for j, (path, c) in enumerate(sym.slots):
                    name = ".".join(path).replace(".#h", "").replace("#h", "h")
                    self.slots.append(
                        Slot(
                            f"interfaces.{d.label}.{name}",
                            "constant",
                            self._symbolic_reader(i, sym, j),
                            constant=c,
                        )
                    )

    def _coupling_reader(self, i: int) -> Callable[[ModelInput], Any]:
        d = self.f.model.interfaces[i]

        def read(inp: ModelInput) -> Any:
            law = inp.interfaces[i].law
            if d.kind == "facet":
                mids = self._midpoints(d)
                try:
                    return law.at(mids.T)
                except InputError as e:
                    raise InputError(f"interface {d.label!r}: {e}") from None
            h = float(law.conductance(_T_REF, _T_REF))
            if not np.isfinite(h) or h < 0:
                raise InputError(
                    f"interface {d.label!r}: conductance law gives h = {h!r} W/(m^2 K)"
                )
            return h

        return read

    def _midpoints(self, d: Any) -> np.ndarray:
        mesh = self.f.mesh
        tdim = mesh.topology.dim
        c2f = mesh.topology.connectivity(tdim, tdim - 1)
        nfc = c2f.offsets[1] - c2f.offsets[0]
        facets = c2f.array.reshape(-1, nfc)[d.entities[:, 0], d.entities[:, 1]].astype(np.int32)
        return dolfinx.mesh.compute_midpoints(mesh, tdim - 1, facets)

    @staticmethod
    def _symbolic_reader(i: int, sym: SymbolicLaw, j: int) -> Callable[[ModelInput], float]:
        def read(inp: ModelInput) -> float:
            return sym.values(inp.interfaces[i].law)[j]

        return read

    # ------------------------------------------------------------------ checks
    def check_structure(self, inp: ModelInput) -> None:
        """What is not a slot must not change.

        Raises:
            InputError: naming the first item that changed in a way that needs a new problem.
        """
        model = self.f.model
        for r, m in model.region_material.items():
            self._check_material(r, m, inp.materials[r])
        for d, new in zip(model.interfaces, inp.interfaces, strict=True):
            self._check_interface(d, new)
        for b, new in zip(model.boundaries, inp.boundary_conditions, strict=True):
            self._check_boundary(b, new)
        for s, new in zip(model.sources, inp.sources, strict=True):
            self._check_source(s.spec, new)

    def _check_interface(self, d: Any, new: Any) -> None:
        if (new.facets, new.plus) != (d.spec.facets, d.spec.plus):
            raise InputError(f"interface {d.label!r}: facets or sides changed")
        kind = law_kind(new.law)
        if kind != d.kind:
            raise InputError(
                f"interface {d.label!r}: the law changed from a {d.kind!r} to a {kind!r} "
                "law: that needs a new problem"
            )
        # a position-dependent h(x) may change (evaluated again: Formulation.refresh_positions)
        fixed = d.kind == "perfect" or (
            d.kind == "temperature" and d.label not in self.f.symbolic_laws
        )
        if fixed and not _same(new.law, d.spec.law):
            raise InputError(
                f"interface {d.label!r}: this law ({d.kind}) cannot change without a new problem"
            )

    @staticmethod
    def _check_source(old: Any, new: Any) -> None:
        if (new.region, new.depth) != (old.region, old.depth):
            raise InputError(f"heat source in {old.region!r}: region or depth changed")
        for attr in ("value", "power"):
            a, b = getattr(old, attr), getattr(new, attr)
            if (_number(a) != _number(b)) or (not _number(a) and not _same(a, b)):
                raise InputError(
                    f"heat source in {old.region!r}: {attr} is a function or changed kind: "
                    "that needs a new problem"
                )

    def _check_material(self, r: int, old: Any, new: Any) -> None:
        name = self.f.model.region_names[r]
        const = self.f.region_constants
        checks = [("conductivity", old.conductivity, new.conductivity)]
        if self.storage:
            checks.append(("heat_capacity", old.heat_capacity, new.heat_capacity))
        for what, a, b in checks:
            if r in const.get(what, {}):
                continue
            if not _same(a, b):
                raise InputError(
                    f"materials.{name}: its {what} (temperature dependent or a tensor) cannot "
                    "change without a new problem"
                )

    @staticmethod
    def _check_boundary(b: Any, new: Any) -> None:
        old = b.spec
        if type(new) is not type(old) or new.facets != old.facets:
            raise InputError(
                f"{b.label}: the kind of condition or its facets changed: that needs a new problem"
            )
        names = [k for k in vars(old) if k != "facets"]
        for k in names:
            a, v = getattr(old, k), getattr(new, k)
            if _number(a) != _number(v) or (not _number(a) and not _same(a, v)):
                raise InputError(
                    f"{b.label}: {k} is a function of x or t, or became one: that needs a new "
                    "problem"
                )
        if isinstance(old, Radiation) and old.has_convection != new.has_convection:
            raise InputError(f"{b.label}: convection switched on or off: that needs a new problem")

    # ------------------------------------------------------------------ use
    def read(self, inp: ModelInput) -> list[Any]:
        """The value of every slot for ``inp`` (checked; nothing is changed)."""
        self.check_structure(inp)
        return [s.read(inp) for s in self.slots]

    def current(self) -> list[Any]:
        """The values in place now."""
        out: list[Any] = []
        for s in self.slots:
            if s.kind == "constant":
                assert s.constant is not None
                out.append(float(s.constant.value))
            elif s.kind == "dirichlet":
                assert s.group is not None
                out.append(float(s.group.bc.g.value))
            else:
                out.append(s.read(self._input_now()))
        return out

    def _input_now(self) -> ModelInput:
        m = self.f.model
        return ModelInput(
            dict(m.region_material),
            [d.spec for d in m.interfaces],
            [b.spec for b in m.boundaries],
            [s.spec for s in m.sources],
            [c.spec for c in m.constraints],
        )

    def write(self, values: Sequence[Any]) -> None:
        """Put the values of every slot in place."""
        for s, v in zip(self.slots, values, strict=True):
            if s.kind == "constant":
                assert s.constant is not None
                s.constant.value = v
            elif s.kind == "dirichlet":
                assert s.group is not None
                s.group.bc.g.value[...] = v
                s.group.value = v
            else:
                coupling = self.f.conforming_coupling
                assert coupling is not None and s.rows is not None
                coupling.set_conductance(s.rows, v)

    def apply(self, inp: ModelInput) -> None:
        """Read, write, and make ``inp`` the model's objects (tables and checks use them)."""
        values = self.read(inp)
        self.write(values)
        model = self.f.model
        for r in model.region_material:
            model.region_material[r] = inp.materials[r]
        for d, new in zip(model.interfaces, inp.interfaces, strict=True):
            d.spec = new
        for b, new in zip(model.boundaries, inp.boundary_conditions, strict=True):
            b.spec = new
        for s, new in zip(model.sources, inp.sources, strict=True):
            s.spec = new
        self.f.refresh_conductivity()
