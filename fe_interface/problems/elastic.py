"""Small-strain elasticity with frictionless contact on interface facet groups.

Usage::

    problem = ElasticProblem(
        tagged,
        materials={"punch": ElasticMaterial("steel", 210e9, 0.3), "base": ...},
        contacts=[Contact("interface", plus="punch")],
        boundary_conditions=[Displacement("top", (0.0, -1e-5)), Symmetry("axis"), ...],
        axisymmetric=True,
    )
    result = problem.solve()
    result.contacts[0].force_N, problem.pressure_field(0)

Regions separated by a contact interface get their own displacement copies on it (the
broken vector space); regions touching elsewhere are bonded.  Without contacts the
problem is one linear solve; with contacts a semismooth Newton with augmented-Lagrangian
updates (:mod:`~fe_interface.solvers.contact`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, cast

from petsc4py import PETSc

import dolfinx
import numpy as np
import ufl
from dolfinx import fem, la

from fe_interface.discretisation.elasticity import ElasticForms, rigid_dirichlet
from fe_interface.discretisation.nodal_contact import ContactSummary, NodalContact
from fe_interface.discretisation.regions import colour_regions
from fe_interface.discretisation.space import BrokenSpace, broken_lagrange_space
from fe_interface.discretisation.surface_coupling import contact_fields
from fe_interface.errors import InputError, SolverError, collective, user_function
from fe_interface.mesh import TaggedMesh
from fe_interface.mesh.topology import region_adjacency
from fe_interface.model.contacts import Contact
from fe_interface.model.elastic_materials import ElasticMaterial
from fe_interface.model.mechanical_boundary import BodyForce, Displacement, Symmetry
from fe_interface.model.mechanical_model import MechanicalModel
from fe_interface.postprocessing.rigid import RigidForce, rigid_forces
from fe_interface.problems.base import ProblemBase
from fe_interface.problems.supports import (
    check_contact_end,
    check_contact_start,
    check_supported,
    explain_failure,
)
from fe_interface.solvers.contact import (
    CONTACT_DIRECT_OPTIONS,
    ContactSolveInfo,
    ContactSolver,
    rigid_body_modes,
)
from fe_interface.solvers.linear import LinearSolver

_SCALAR: Any = PETSc.ScalarType  # a NumPy scalar type (petsc4py's stubs say dtype)

__all__ = ["ElasticProblem", "MechanicsResult"]

#: with contact, every change of the active set is a new Jacobian with the same sparsity:
#: GAMG keeps its prolongation (graph, aggregates, smoothed prolongator) and redoes only
#: the Galerkin products
_CONTACT_ITERATIVE = {"pc_gamg_reuse_interpolation": True}


class MechanicsResult(NamedTuple):
    """Result of :meth:`ElasticProblem.solve`.

    Attributes:
        displacement: u (m) on the broken vector space.
        contacts: per contact interface, its :class:`ContactSummary`.
        solve: Newton/augmentation counts (:class:`ContactSolveInfo`).
        timings: wall time per stage, s.
        rigid: the force (N) of every rigid region
            (:class:`~fe_interface.postprocessing.rigid.RigidForce`).
    """

    displacement: fem.Function
    contacts: list[ContactSummary]
    solve: ContactSolveInfo
    timings: dict[str, float]
    rigid: tuple[RigidForce, ...] = ()


class ElasticProblem(ProblemBase):
    """Linear elasticity with frictionless unilateral contact (collective).

    Args:
        tagged: mesh with cell tags (regions) and facet tags.
        materials: region -> :class:`ElasticMaterial` (every region).
        contacts: :class:`Contact` interfaces (degree 1 only).
        boundary_conditions: :class:`Displacement`, :class:`Traction`,
            :class:`Pressure`, :class:`Symmetry`, and
            :class:`~fe_interface.model.mechanical_boundary.RigidRegion` (a rigid punch: its force
            is in the result's ``rigid``); other outer facets are free.
        body_forces: :class:`BodyForce` per region.
        degree: Lagrange degree (1 or 2; 1 with contacts).
        axisymmetric: 2D r–z model (x[0] = r ≥ 0); else 2D is plane strain.
        temperature: for the thermal strain: a number (K, uniform), a scalar
            ``fem.Function`` on the mesh (K), or None (every body at its T_ref).
        solver: "direct" (MUMPS, default) or "iterative" (CG + GAMG with the rigid body
            modes).
        petsc_options: overrides of the PETSc options (KSP/PC, ``snes_*``).
        augmentation_rtol: stop the augmentations when max |Δλ| ≤ rtol · max P.
        max_augmentations: limit of Newton solves.
        petsc_options_prefix: defaults to a unique ``fe_interface_<n>_``.

    ``close()`` (or ``with ElasticProblem(...) as p:``) frees its PETSc objects at once
    (:meth:`~fe_interface.problems.base.ProblemBase.close`).
    """

    def __init__(
        self,
        tagged: TaggedMesh,
        materials: Mapping[Any, ElasticMaterial],
        contacts: Sequence[Contact] = (),
        boundary_conditions: Sequence[Any] = (),
        body_forces: Sequence[BodyForce] = (),
        degree: int = 1,
        axisymmetric: bool = False,
        temperature: Any = None,
        solver: str = "direct",
        petsc_options: Mapping[str, Any] | None = None,
        augmentation_rtol: float = 1.0e-9,
        max_augmentations: int = 100,
        petsc_options_prefix: str | None = None,
    ) -> None:
        if degree not in (1, 2):
            raise InputError(f"mechanics: degree must be 1 or 2, got {degree!r}")
        if contacts and degree != 1:
            raise InputError("mechanics: contact needs degree 1 (P1/Q1) elements")
        if axisymmetric and tagged.mesh.geometry.dim != 2:
            raise InputError("mechanics: axisymmetric models need a 2D (r, z) mesh")
        extra: dict[str, Any] = {}
        if contacts:
            extra = _CONTACT_ITERATIVE if solver == "iterative" else CONTACT_DIRECT_OPTIONS
        super().__init__(tagged, solver, extra | dict(petsc_options or {}), petsc_options_prefix)
        self.materials = dict(materials)
        self.contact_specs = list(contacts)
        self.boundary_conditions = list(boundary_conditions)
        self.body_forces = list(body_forces)
        self.degree = degree
        self.axisymmetric = axisymmetric
        self.temperature = temperature
        self.augmentation_rtol = augmentation_rtol
        self.max_augmentations = max_augmentations
        self.timings: dict[str, float] = {}
        self.model: MechanicalModel | None = None
        self.solver: Any = None
        self.result: MechanicsResult | None = None
        self._solved = False
        self._free_residual_form: fem.Form | None = None
        self._stiffness_assembled = False

    # ------------------------------------------------------------------ set-up
    @property
    def kind(self) -> str:
        """The model kind: "3d", "plane_strain" or "axisymmetric"."""
        if self.tagged.mesh.geometry.dim == 3:
            return "3d"
        return "axisymmetric" if self.axisymmetric else "plane_strain"

    def initialise(self) -> None:
        """Check the input, build the space, the forms and the solver (collective)."""
        t0 = time.perf_counter()
        from fe_interface.discretisation.mortar_contact import surface_contacts
        from fe_interface.discretisation.surface_contact import SurfaceContact

        pairs = [c for c in self.contact_specs if isinstance(c, SurfaceContact)]
        model = MechanicalModel(
            self.tagged,
            self.materials,
            [c for c in self.contact_specs if not isinstance(c, SurfaceContact)],
            self.boundary_conditions,
            self.body_forces,
        )
        self.model = model
        self.broken = self._space(model)
        # surface contacts (non-matching meshes): the search, then their ghost columns
        self.broken, mortar = surface_contacts(self.broken, model, pairs, self.axisymmetric)
        self.space = self.broken.space
        self.u = fem.Function(self.space, name="displacement_m")
        self.timings["setup_space"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        T = self.temperature
        if T is not None and not isinstance(T, fem.Function):
            T = fem.Constant(self.tagged.mesh, _SCALAR(float(T)))
        self.forms = ElasticForms(model, self.space, self.kind, T)
        self.bcs = self._dirichlet(model)
        self.contacts = [NodalContact(self.broken, c, self.axisymmetric) for c in model.contacts]
        self.contacts += mortar(self.broken)
        self.fields = contact_fields(self.broken, self.contacts)
        self.marker = self._marker()
        self.supports = check_supported(self)  # a body free to move: named, before solving
        a, L = self.forms.bilinear()
        near = rigid_body_modes(self.space, self.axisymmetric)
        if self.contacts:
            v = ufl.TestFunction(self.space)
            F = self.forms.residual(self.u, v)
            augment = any(c.contact.spec.method == "augmented" for c in self.contacts)
            self.solver = ContactSolver(
                fem.form(F), fem.form(a), self.u, self.bcs, self.contacts, self.marker,
                self.prefix, self.petsc_options, near, augment, self.augmentation_rtol,
                max_augmentations=self.max_augmentations,
            )  # fmt: skip
        else:
            self.solver = LinearSolver(
                fem.form(a), fem.form(L), self.bcs, None, self.marker, self.prefix,
                self.petsc_options,
            )  # fmt: skip
            self.solver.A.setNearNullSpace(near)
        self.timings["setup_forms"] = time.perf_counter() - t0

    def _space(self, model: MechanicalModel) -> BrokenSpace:
        """The broken vector space: one copy per side of every contact."""
        mesh = model.mesh
        adj = region_adjacency(mesh, model.cell_region, model.contact_facet_mask())
        pairs = {(min(c.plus, c.minus), max(c.plus, c.minus)): c.label for c in model.contacts}
        try:
            col = colour_regions(model.regions, adj.facet_pairs, pairs, adj.vertex_pairs)
        except InputError as e:
            raise InputError(f"mechanics: {e}".replace("interface", "contact", 1)) from None
        lut = np.zeros(max(model.regions) + 1, dtype=np.int32)
        for r, c in col.colour_of_region.items():
            lut[r] = c
        gdim = mesh.geometry.dim
        return broken_lagrange_space(
            mesh, lut[model.cell_region], col.num_colours, self.degree, shape=(gdim,)
        )

    def _dirichlet(self, model: MechanicalModel) -> list[fem.DirichletBC]:
        """Displacement, symmetry and (axisymmetric) axis conditions."""
        W = self.space
        fdim = model.mesh.topology.dim - 1
        bcs = []
        self._bc_functions: list[fem.Function] = []
        for b in model.boundaries:
            if isinstance(b.spec, Displacement) and callable(b.spec.value):
                g = fem.Function(W)
                with collective(self.tagged.mesh.comm):  # the function may fail on one rank
                    with user_function(f"displacement on {b.spec.facets!r}: value(x)"):
                        g.interpolate(b.spec.value)
                bcs.append(fem.dirichletbc(g, fem.locate_dofs_topological(W, fdim, b.entities)))
                self._bc_functions.append(g)
                continue
            if isinstance(b.spec, Displacement):
                values = cast(Sequence[float | None], b.spec.value)  # not callable: above
                comps = [(c, v) for c, v in enumerate(values) if v is not None]
            elif isinstance(b.spec, Symmetry):
                comps = [(self._normal_component(b), 0.0)]
            else:
                continue
            for c, v in comps:
                dofs = fem.locate_dofs_topological(W.sub(c), fdim, b.entities)
                bcs.append(fem.dirichletbc(_SCALAR(v), dofs, W.sub(c)))
        for rr in model.rigid:  # rigid regions: every node moves by the same displacement
            bcs += rigid_dirichlet(W, rr.cells, rr.spec.displacement)
        if self.axisymmetric:  # u_r = 0 on the axis
            W0, _ = W.sub(0).collapse()
            dofs = fem.locate_dofs_geometrical((W.sub(0), W0), lambda x: np.isclose(x[0], 0.0))
            bcs.append(fem.dirichletbc(_SCALAR(0.0), dofs[0], W.sub(0)))
        return bcs

    def _normal_component(self, b: Any) -> int:
        """The coordinate axis normal to a symmetry facet group (collective).

        Raises:
            InputError: the facets are not all in one plane normal to x, y or z.
        """
        mesh = self.tagged.mesh
        fdim = mesh.topology.dim - 1
        owned = b.entities[b.entities < mesh.topology.index_map(fdim).size_local]
        n = dolfinx.cpp.mesh.cell_normals(mesh._cpp_object, fdim, owned)[:, : mesh.geometry.dim]
        axis = np.argmax(np.abs(n), axis=1)
        ok = np.all(np.abs(n[np.arange(len(n)), axis]) > 1 - 1e-8)
        axes = set(np.unique(axis).tolist()) if len(n) else set()
        allaxes: set[int] = set()
        for a in mesh.comm.allgather(axes):
            allaxes |= a
        if not all(mesh.comm.allgather(bool(ok))) or len(allaxes) != 1:
            raise InputError(
                f"symmetry on {b.spec.facets!r}: the facets must lie in one plane normal to a "
                "coordinate axis (x, y or z = const)"
            )
        return allaxes.pop()

    def _marker(self) -> np.ndarray:
        """Local unrolled dof -> itself, −1 on Dirichlet dofs."""
        imap = self.space.dofmap.index_map
        bs = self.space.dofmap.bs
        idx = np.arange((imap.size_local + imap.num_ghosts) * bs, dtype=np.int64)
        for bc in self.bcs:
            idx[bc.dof_indices()[0]] = -1
        return idx

    def check(self) -> None:
        """Make every check of :meth:`solve` that precedes the solve, without solving.

        Collective: the model, the conditions, the supports and, with contacts, a body held
        only by a contact that is open at the start.  ``fe-interface check`` calls it.

        Raises:
            InputError: a bad input or a body that nothing holds.
            SolverError: the contact solve cannot start (its first system is singular).
        """
        if self.model is None:
            self.initialise()
        if self.contacts:
            check_contact_start(self.supports, self.u.x.array)

    # ------------------------------------------------------------------ solve
    def solve(self) -> MechanicsResult:
        """Assemble and solve (initialising first if needed).

        Warm-starts from the last displacement and multipliers when called again.
        """
        if self.model is None:
            self.initialise()
        t0 = time.perf_counter()
        if isinstance(self.solver, LinearSolver):
            if not self._stiffness_assembled:  # constant: a later solve (new temperature,
                self.solver.assemble_matrix()  # displacement values) keeps it and its
                self._stiffness_assembled = True  # factorisation or AMG hierarchy
            self.solver.assemble_rhs()
            info = self.solver.solve(self.u)
            solve = ContactSolveInfo(1, 0, (1,), info.iterations, 1, 1, 0.0, info.converged_reason)
        else:
            check_contact_start(self.supports, self.u.x.array)
            try:
                solve = self.solver.solve()
            except SolverError as e:  # name a body that an opened contact left free
                raise explain_failure(self.supports, self.u.x.array, e) from None
            check_contact_end(self.supports, solve.converged_reason)
        self.timings["solve"] = time.perf_counter() - t0
        self._solved = True
        assert self.model is not None
        summaries = [c.summary(self.model.region_names) for c in self.contacts]
        if self.fields is not None:
            self.fields.update()
        rigid = rigid_forces(self.model, self.space, self.free_residual(), self.axisymmetric)
        self.result = MechanicsResult(self.u, summaries, solve, dict(self.timings), tuple(rigid))
        return self.result

    def free_residual(self) -> np.ndarray:
        """The residual at u without the Dirichlet conditions (N; collective).

        The elastic and contact forces at every dof: their sum over a region held by
        prescribed displacements is the force that holds it.  Local array, summed over
        the ranks (owned entries exact).  Not built when no region is rigid.
        """
        if not (self.model is not None and self.model.rigid):
            return np.zeros(0)
        if self._free_residual_form is None:
            v = ufl.TestFunction(self.space)
            self._free_residual_form = fem.form(self.forms.residual(self.u, v))
        vec = fem.assemble_vector(self._free_residual_form)
        for c in self.contacts:
            c.apply(self.u.x.array, vec.array)
        vec.scatter_reverse(la.InsertMode.add)
        return vec.array

    def summary(self) -> dict[str, Any]:
        """The JSON-ready record of the last solve: contacts (SI units in keys), solver counts."""
        if not self._solved:
            raise InputError("ElasticProblem.summary(): no solution yet: call solve() first")
        r = self.result
        assert r is not None
        return {
            "kind": self.kind,
            "contacts": [c._asdict() for c in r.contacts],
            "rigid": [f.record() for f in r.rigid],
            "solve": r.solve._asdict(),
            "timings_s": dict(r.timings),
        }

    def export(
        self,
        folder: str | Path,
        name: str = "mechanics",
        files: Sequence[str] = ("xdmf", "vtu", "summary"),
        result_set: Any = None,
    ) -> dict[str, Path]:
        """Write the result set of the last solve (collective).

        ``NAME_mechanics.vtu/.xdmf`` (point data ``displacement_m``, ``contact_pressure_Pa``,
        ``gap_m``; cell data ``region``, ``von_mises_Pa``), with contacts ``NAME_contact.*``,
        and ``NAME_summary.json`` (:meth:`summary`), through the results writer of the heat
        problems (:func:`~fe_interface.io.results.write_elastic_results`: atomic, with a
        manifest).

        Args:
            folder: output folder.
            name: base name of the files.
            files: kinds among "xdmf", "vtu", "summary".
            result_set: an open :class:`~fe_interface.io.files.ResultSet` to write into
                (the caller commits it); default: one of its own, committed here.
        """
        from fe_interface.io.results import write_elastic_results

        if not self._solved:
            raise InputError("ElasticProblem.export(): no solution yet: call solve() first")
        return write_elastic_results(self, folder, name, files, self.summary, result_set)

    def set_temperature(self, T: Any) -> None:
        """Change the temperature of the thermal strain before the next :meth:`solve`.

        A number (K) if the problem was built with a number, else update the Function
        you passed in place.
        """
        if isinstance(self.forms.T, fem.Constant):
            self.forms.T.value = float(T)
        else:
            raise InputError(
                "set_temperature: the problem's temperature is a Function: update it in place"
            )
