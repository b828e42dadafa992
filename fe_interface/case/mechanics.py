"""The ``[mechanics]`` section of case files: thermo-mechanical contact runs.

Read with the case (stage 1, :func:`read_mechanics`), checked against the mesh
(stage 3, :meth:`MechanicsSpec.check`), turned into a
:class:`~fe_interface.problems.thermomechanical.ThermoMechanicalProblem`
(:meth:`MechanicsSpec.build`) and run by :func:`fe_interface.case.run.run_case`
(:meth:`MechanicsSpec.solve_and_write`).  The format is documented in
``docs/case-format.md`` (section ``[mechanics]``); every error carries its key path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fe_interface.case.checker import Checker, is_number, type_name
from fe_interface.case.laws import read_law
from fe_interface.errors import MeshError

__all__ = ["MECHANICS_KEYS", "MechanicsSpec", "format_contacts", "read_mechanics"]

MECHANICS_KEYS = (
    "coupling", "solver", "petsc_options", "augmentation_rtol", "staggered", "materials",
    "contacts", "boundaries", "body_forces", "rigid",
)  # fmt: skip
_BOUNDARY_KINDS = {
    "displacement": ("value",),
    "traction": ("value",),
    "pressure": ("value",),
    "symmetry": (),
}
_CONTACT_KEYS = ("plus", "initial_gap", "penalty", "method", "thermal", "pair", "search_distance")
_THERMAL_KEYS = (
    "solid", "surface_plus", "surface_minus", "H_c", "gas", "radiation", "relative_pressure_min",
    "coefficient", "exponent",
)  # fmt: skip
_GAS_KEYS = ("gas", "p_gas", "accommodation_plus", "accommodation_minus", "T_gas", "form", "k_g")


def _found(lookup: Callable[[Any], int], key: Any, path: str, c: Checker) -> int | None:
    """The tag ``lookup(key)`` (a mesh group's), or None with its error recorded at ``path``."""
    try:
        return lookup(key)
    except MeshError as e:
        c.error(path, str(e))
        return None


@dataclass
class MechanicsSpec:
    """A validated ``[mechanics]`` section (SI units)."""

    coupling: str
    solver: str
    petsc_options: dict[str, Any]
    augmentation_rtol: float
    staggered: Any
    materials: dict[str, Any]
    contacts: list[Any]
    boundaries: list[Any]
    body_forces: list[Any] = field(default_factory=list)
    rigid: list[Any] = field(default_factory=list)  # RigidRegion ([mechanics.rigid])

    # ---------------------------------------------------------------- stage 3
    def check(self, tagged: Any, c: Checker) -> None:
        """Record in ``c`` what does not match the mesh (regions, facet groups).

        Names and tags are looked up as the model looks them up
        (:meth:`TaggedMesh.cell_tag <fe_interface.mesh.TaggedMesh.cell_tag>` and
        :meth:`~fe_interface.mesh.TaggedMesh.facet_tag`: their message lists what the
        mesh has); every region needs an elastic material.  Collective.
        """
        regions = {
            r: _found(tagged.cell_tag, r, f"mechanics.materials.{r}", c) for r in self.materials
        }
        given = {t for t in regions.values() if t is not None}
        for r, t in sorted(tagged.cell_names.items()):
            if t not in given:
                c.error("mechanics.materials", f"region {r!r} has no elastic material")
        for ct in self.contacts:
            surfaces = getattr(ct, "surfaces", None)
            for i, g in enumerate(surfaces or [ct.facets]):
                where = f".pair[{i}]" if surfaces else ""
                _found(tagged.facet_tag, g, f"mechanics.contacts.{ct.label}{where}", c)
        for b in self.boundaries:
            _found(tagged.facet_tag, b.facets, f"mechanics.boundaries.{b.facets}", c)
        for f in self.body_forces:
            _found(tagged.cell_tag, f.region, f"mechanics.body_forces.{f.region}", c)
        for r in self.rigid:
            _found(tagged.cell_tag, r.region, f"mechanics.rigid.{r.label}.region", c)

    # ---------------------------------------------------------------- stage 4
    def build(self, case: Any, tagged: Any, thermal: dict[str, Any]) -> Any:
        """The :class:`ThermoMechanicalProblem` of a checked case.

        ``thermal``: the keyword arguments of the heat problem (materials, interfaces,
        boundary conditions, sources, degree, axisymmetric, solver, PETSc options).
        """
        from fe_interface.problems.thermomechanical import ThermoMechanicalProblem

        return ThermoMechanicalProblem(
            tagged, thermal["materials"], self.materials, self.contacts,
            interfaces=thermal["interfaces"], boundary_conditions=thermal["boundary_conditions"],
            mechanical_bcs=[*self.boundaries, *self.rigid], sources=thermal["sources"],
            body_forces=self.body_forces,
            coupling=self.coupling, degree=thermal["degree"], axisymmetric=thermal["axisymmetric"],
            thermal_solver=thermal["solver"], mechanical_solver=self.solver,
            thermal_options=thermal["petsc_options"], mechanical_options=self.petsc_options,
            initial_temperature=case.initial_temperature, staggered=self.staggered,
            augmentation_rtol=self.augmentation_rtol,
        )  # fmt: skip

    def solve_and_write(
        self, case: Any, problem: Any, tagged: Any, rs: Any, comm: Any, say: Any,
        derive: Any = None,
    ) -> Any:  # fmt: skip
        """Run the coupled problem and write its result set into ``rs``.

        ``derive(heat_problem, balance, warnings)``: the derived values (junction, regions,
        probes) of the solved heat problem, written into the summary (None: none).

        Returns:
            A :class:`~fe_interface.case.solve.CaseResult`.
        """
        from fe_interface.case.solve import CaseResult

        n = tagged.mesh.topology.index_map(tagged.mesh.topology.dim).size_global
        say(f"solving the thermo-mechanical contact ({n} cells, coupling {self.coupling})")
        res = problem.run()
        table = list(res.interfaces)
        balance = problem.thermal.energy_balance()
        s = res.thermal.solve
        extra = {
            "case": {"name": case.name, "file": case.source, "description": case.description, "analysis": "thermomechanical"},
            "solve": {
                "iterations": int(s.iterations), "newton_iterations": int(s.newton_iterations),
                "converged_reason": str(s.converged_reason), "cells": int(n), "ranks": int(comm.size),
            },
        }  # fmt: skip
        warnings = [] if res.converged else ["thermo-mechanical iteration did not converge"]
        derived = derive(problem.thermal, balance, warnings) if derive is not None else None
        files = problem.export(
            res, rs.folder, case.output_name, case.files, extra=extra, result_set=rs,
            derived=derived, balance=balance,
        )  # fmt: skip
        return CaseResult(case, problem, table, balance, s, dict(files), warnings, None, derived)


def format_contacts(problem: Any, result: Any) -> str:
    """A text table of the contacts of a coupled run and its iteration counts.

    Columns: force N, area fraction, mean and max pressure MPa, heat flow W, mean h
    W/(m² K).
    """
    head = f"{'contact':<14}{'force N':>12}{'area frac':>10}{'mean P MPa':>12}{'max P MPa':>11}{'Q W':>11}{'mean h':>11}"
    lines = [head, "-" * len(head)]
    for m, t in zip(result.contacts, result.thermal_contacts, strict=True):
        lines.append(
            f"{m.name:<14}{m.force_N:>12.5g}{m.area_fraction:>10.4g}{m.mean_pressure_Pa / 1e6:>12.5g}"
            f"{m.max_pressure_Pa / 1e6:>11.5g}{t.heat_flow_W:>11.5g}{t.mean_h_W_m2K:>11.5g}"
        )
    for r in result.mechanics.rigid:
        comps = ", ".join(f"{f:.6g}" for f in r.force_N)
        lines.append(
            f"rigid {r.name!r} (region {r.region}): force ({comps}) N, |F| = {r.magnitude_N:.6g} N"
        )
    s = result.mechanics.solve
    lines.append(
        f"coupling {problem.coupling}: {len(result.history)} iteration(s), converged {result.converged}; "
        f"last mechanics solve: {s.newton_iterations} Newton steps in {s.augmentations} augmentation(s)"
    )
    return "\n".join(lines)


# ------------------------------------------------------------------ stage 1
def read_mechanics(
    c: Checker, d: Any, thermal_interfaces: Any = (), analysis: str = "steady"
) -> MechanicsSpec | None:
    """Validate the ``[mechanics]`` table ``d``; errors go to ``c`` with key paths.

    Args:
        c: the case's checker.
        d: the table.
        thermal_interfaces: names of the case's ``[interfaces]`` (a contact must not be
            one of them: its thermal law is the contact's).
        analysis: the analysis type ("steady" only).
    """
    from fe_interface.problems.thermomechanical import COUPLINGS

    p = "mechanics"
    if not isinstance(d, dict):
        c.error(p, f"must be a table, got {type_name(d)}")
        return None
    n0 = len(c.errors)
    if analysis != "steady":
        c.error(p, 'thermo-mechanical runs need analysis.type = "steady"')
    c.keys(d, p, MECHANICS_KEYS, ("materials", "contacts"))
    coupling = c.string(d, "coupling", p, choices=COUPLINGS, default="one-way")
    solver = c.string(d, "solver", p, choices=("direct", "iterative"), default="direct")
    petsc = c.table(d, "petsc_options", p)
    rtol = c.number(d, "augmentation_rtol", p, gt=0, default=1e-9)
    staggered = _staggered(c, c.table(d, "staggered", p))
    materials = {
        r: m for r, v in c.table(d, "materials", p).items() if (m := _material(c, r, v)) is not None
    }
    names = set(thermal_interfaces)
    contacts = []
    for name, v in c.table(d, "contacts", p).items():
        if name in names:
            c.error(
                f"{p}.contacts.{name}",
                "is also an [interfaces] entry: a contact's thermal law is its 'thermal' table",
            )
        ct = _contact(c, name, v)
        if ct is not None:
            contacts.append(ct)
    boundaries = [
        b for n, v in c.table(d, "boundaries", p).items() if (b := _boundary(c, n, v)) is not None
    ]
    forces = [
        b
        for r, v in c.table(d, "body_forces", p).items()
        if (b := _body_force(c, r, v)) is not None
    ]
    rigid = [b for n, v in c.table(d, "rigid", p).items() if (b := _rigid(c, n, v)) is not None]
    if len(c.errors) > n0:
        return None
    return MechanicsSpec(
        coupling, solver, dict(petsc), rtol, staggered, materials, contacts, boundaries, forces,
        rigid,
    )  # fmt: skip


def _rigid(c: Checker, name: str, d: Any) -> Any:
    """``[mechanics.rigid.NAME]``: region, displacement [ux, uy(, uz)] (m)."""
    from fe_interface.model.mechanical_boundary import RigidRegion

    p = f"mechanics.rigid.{name}"
    if not isinstance(d, dict):
        c.error(p, f"must be a table (region, displacement), got {type_name(d)}")
        return None
    c.keys(d, p, ("region", "displacement"), ("region", "displacement"))
    region = c.string(d, "region", p)
    u = d.get("displacement")
    if "displacement" in d and (
        not isinstance(u, list) or len(u) not in (2, 3) or not all(is_number(x) for x in u)
    ):
        c.error(f"{p}.displacement", f"must be an array of 2 or 3 numbers (m), got {u!r}")
        return None
    if region is None or u is None:
        return None
    return _build(c, p, lambda: RigidRegion(region, [float(x) for x in u], name))


def _build(c: Checker, path: str, make: Any) -> Any:
    """``make()``, its InputError recorded at ``path``."""
    try:
        return make()
    except ValueError as e:
        c.error(path, str(e))
        return None


def _staggered(c: Checker, d: dict) -> Any:
    from fe_interface.problems.thermomechanical import StaggeredOptions

    p = "mechanics.staggered"
    from fe_interface.problems.thermomechanical import ACCELERATIONS

    c.keys(
        d, p, ("max_iterations", "temperature_atol", "pressure_rtol", "relaxation", "acceleration")
    )
    kw = {
        "max_iterations": c.integer(d, "max_iterations", p, default=30),
        "temperature_atol": c.number(d, "temperature_atol", p, gt=0, default=1e-6),
        "pressure_rtol": c.number(d, "pressure_rtol", p, gt=0, default=1e-6),
        "relaxation": c.number(d, "relaxation", p, gt=0, le=1, default=0.5),
        "acceleration": c.string(d, "acceleration", p, choices=ACCELERATIONS, default="iqn-ils"),
    }
    if any(v is None for v in kw.values()):
        return None
    return _build(c, p, lambda: StaggeredOptions(**kw))


def _material(c: Checker, region: str, d: Any) -> Any:
    from fe_interface.model.elastic_materials import ElasticMaterial

    p = f"mechanics.materials.{region}"
    if not isinstance(d, dict):
        c.error(p, f"must be a table (E, nu, ...), got {type_name(d)}")
        return None
    from fe_interface.case.values import read_temperature
    from fe_interface.model.elastic_library import ELASTIC_PROPERTIES

    c.keys(d, p, ("E", "nu", "alpha", "T_ref", "label", "library"))
    lib = c.string(d, "library", p, choices=sorted(ELASTIC_PROPERTIES))
    base = ELASTIC_PROPERTIES[lib] if lib is not None else None
    for k in ("E", "nu"):
        if k not in d and base is None:
            c.error(f"{p}.{k}", "missing required value (or give library = NAME)")
    E = c.number(d, "E", p, gt=0, default=base.E if base else None)
    nu = c.number(d, "nu", p, ge=0, default=base.nu if base else None)
    alpha = c.number(d, "alpha", p, default=base.alpha if base else 0.0)
    T_ref = read_temperature(c, d, "T_ref", p, default=293.15)
    label = c.string(d, "label", p, default=region)
    if E is None or nu is None or alpha is None or T_ref is None:
        return None
    return _build(c, p, lambda: ElasticMaterial(label, E, nu, alpha, T_ref))


def _contact(c: Checker, name: str, d: Any) -> Any:
    from fe_interface.model.contacts import METHODS, Contact

    p = f"mechanics.contacts.{name}"
    if not isinstance(d, dict):
        c.error(p, f"must be a table, got {type_name(d)}")
        return None
    n0 = len(c.errors)
    c.keys(d, p, _CONTACT_KEYS, ("thermal",))
    plus = c.string(d, "plus", p)
    gap = _initial_gap(c, d, p)
    penalty = c.number(d, "penalty", p, gt=0, default=20.0)
    method = c.string(d, "method", p, choices=METHODS, default="augmented")
    thermal = _thermal(c, c.table(d, "thermal", p, required=True), f"{p}.thermal", name)
    if "pair" in d:
        return _surface_contact(c, d, p, name, (penalty, method, thermal), n0)
    if len(c.errors) > n0:
        return None
    return _build(c, p, lambda: Contact(name, plus, gap, penalty, method, thermal))


def _surface_contact(c: Checker, d: dict, p: str, name: str, common: tuple, n0: int) -> Any:
    """``pair = [A, B]``: separately meshed bodies (mortar; A the finer slave surface)."""
    from fe_interface.model.contacts import SurfaceContact

    pair = d["pair"]
    if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair)):
        c.error(f"{p}.pair", f"must be two facet group names [A, B], got {pair!r}")
    for k in ("plus", "initial_gap"):
        if k in d:
            c.error(f"{p}.{k}", "not used with 'pair' (the gap is measured between the meshes)")
    dist = c.number(d, "search_distance", p, gt=0)
    if len(c.errors) > n0:
        return None
    penalty, method, thermal = common
    return _build(
        c, p,
        lambda: SurfaceContact(tuple(pair), name, penalty, method, dist, thermal),
    )  # fmt: skip


def _initial_gap(c: Checker, d: dict, p: str) -> Any:
    """g0 (m): a number >= 0, an expression of x, y, z or a table of one of them."""
    if "initial_gap" not in d or is_number(d["initial_gap"]):
        return c.number(d, "initial_gap", p, ge=0, default=0.0)
    from fe_interface.case.values import read_expression_value

    v = read_expression_value(c, d, "initial_gap", p, ge=0, variables=("x", "y", "z"))
    if v is None or is_number(v):
        return v
    return lambda X, g=v: g.evaluate(X)


def _thermal(c: Checker, d: dict, p: str, name: str) -> Any:
    """The contact's :class:`LocalContactLaw`.

    The surfaces and the microhardness are read by the case reader of the CMY law (the
    same keys and checks), the gas by the gas-gap law's, the radiation by its own.
    """
    from fe_interface.model.laws.local_contact import LocalContactLaw

    if not d:
        return None
    n0 = len(c.errors)
    c.keys(d, p, _THERMAL_KEYS, ("surface_plus", "surface_minus"))
    solid = c.string(d, "solid", p, choices=("cmy", "mikic", "none"), default="cmy")
    rmin = c.number(d, "relative_pressure_min", p, gt=0, default=1e-5)
    corr = {k: c.number(d, k, p, gt=0) for k in ("coefficient", "exponent")}
    base = {k: d[k] for k in ("surface_plus", "surface_minus") if k in d}
    given = "H_c" in d
    law = read_law(c, {"law": "cmy_plastic", "pressure": 0.0, "H_c": d.get("H_c", 1.0), **base}, p)
    pair = None if law is None else law.pair
    H_c = law.H_c if law is not None and given else None
    gas = _gas(c, d["gas"], f"{p}.gas", pair) if "gas" in d else None
    rad = None
    if "radiation" in d:
        v = d["radiation"]
        if isinstance(v, dict):
            rad = read_law(c, {"law": "radiation", **v}, f"{p}.radiation")
        else:
            c.error(
                f"{p}.radiation",
                f"must be a table (emissivity_plus, emissivity_minus), got {type_name(v)}",
            )
    if len(c.errors) > n0 or pair is None:
        return None
    return _build(c, p, lambda: LocalContactLaw(pair, H_c, solid, gas, rad, rmin, name, **corr))


def _gas(c: Checker, v: Any, p: str, pair: Any) -> Any:
    from fe_interface.model.laws.local_contact import GasFill

    if not isinstance(v, dict):
        c.error(p, f"must be a table (gas, p_gas, ...), got {type_name(v)}")
        return None
    c.keys(v, p, _GAS_KEYS, ("gas", "p_gas", "accommodation_plus", "accommodation_minus"))
    sigma = pair.sigma if pair is not None else 1.0
    law = read_law(
        c, {"law": "gas_gap", "sigma": sigma, "Y": 0.0, **{k: v[k] for k in _GAS_KEYS if k in v}}, p
    )
    if law is None:
        return None
    return GasFill(
        v["gas"], law.p_gas, law.accommodation_plus, law.accommodation_minus, law.T_gas,
        law.form if "form" in v else "simple", v.get("k_g"),
    )  # fmt: skip


def _vector(c: Checker, d: dict, p: str, free: bool) -> Any:
    v = d.get("value")
    ok = (
        isinstance(v, list)
        and len(v) in (2, 3)
        and all(is_number(x) or (free and x == "free") for x in v)
    )
    if not ok:
        what = 'numbers or "free"' if free else "numbers"
        c.error(f"{p}.value", f"must be an array of 2 or 3 {what}, got {v!r}")
        return None
    assert isinstance(v, list)
    return tuple(None if x == "free" else float(x) for x in v)


def _boundary(c: Checker, name: str, d: Any) -> Any:
    from fe_interface.model.mechanical_boundary import Displacement, Pressure, Symmetry, Traction

    p = f"mechanics.boundaries.{name}"
    if not isinstance(d, dict):
        c.error(p, f"must be a table with a 'type' key, got {type_name(d)}")
        return None
    kind = c.string(d, "type", p, choices=tuple(_BOUNDARY_KINDS), required=True)
    if kind is None:
        return None
    c.keys(d, p, ("type", *_BOUNDARY_KINDS[kind]), _BOUNDARY_KINDS[kind])
    if kind == "symmetry":
        return Symmetry(name)
    if kind == "pressure":
        v = c.number(d, "value", p, required=True)
        return None if v is None else _build(c, p, lambda: Pressure(name, v))
    vec = _vector(c, d, p, free=kind == "displacement")
    if vec is None:
        return None
    cls = Displacement if kind == "displacement" else Traction
    return _build(c, p, lambda: cls(name, vec))


def _body_force(c: Checker, region: str, d: Any) -> Any:
    from fe_interface.model.mechanical_boundary import BodyForce

    p = f"mechanics.body_forces.{region}"
    if not isinstance(d, dict):
        c.error(p, f"must be a table with 'value' (N/m^3), got {type_name(d)}")
        return None
    c.keys(d, p, ("value",), ("value",))
    vec = _vector(c, d, p, free=False)
    return None if vec is None else _build(c, p, lambda: BodyForce(region, vec))
