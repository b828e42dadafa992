"""Interface conductance terms assembled facet by facet (no ``dS`` form).

For every interface whose conductance does not depend on temperature (constant,
:class:`~fe_interface.model.interfaces.Resistance`,
:class:`~fe_interface.model.interfaces.FacetConductance`, h(x)), the term
∫_Γ h [T][v] w dS, [T] = T⁺ − T⁻, is on each facet f

    K_f = [[ M_f, −M_f],      M_f,ij = ∫_f h w φ_i φ_j dA,
           [−M_f,  M_f]]

acting on the (⁺ copies, ⁻ copies) of the facet's dofs, φ_i the ⁺ cell's basis
functions of the facet (:mod:`fe_interface.discretisation.facets`).  The matrix equals
the ``dS`` form's to round-off (tested) and costs no entity permutations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from petsc4py import PETSc

import numpy as np

from fe_interface.discretisation.facets import FacetGroup, FacetQuadrature, closure_dofs
from fe_interface.discretisation.space import BrokenSpace

__all__ = ["InterfaceCoupling", "facet_sides"]


#: h at the quadrature points of a group: (group, rows into the facet list) -> (nf, nq)
ConductanceAt = Callable[[FacetGroup, np.ndarray], np.ndarray]


def facet_sides(
    broken: BrokenSpace, entities: np.ndarray, group: FacetGroup
) -> tuple[np.ndarray, np.ndarray]:
    """Local copies of the facet dofs on the ⁺ and ⁻ sides, aligned dof by dof.

    Args:
        broken: the space.
        entities: rows (cell⁺, local facet⁺, cell⁻, local facet⁻) of all facets.
        group: the facets (``group.rows``) whose ⁺ local facet is ``group.local_facet``.

    Returns:
        (dofs⁺, dofs⁻), each (facets, closure dofs); column j of both holds the copies
        of the same continuous dof.
    """
    V = broken.space
    tdim = V.mesh.topology.dim
    e = entities[group.rows]
    plus = V.dofmap.list[e[:, 0]][:, group.closure]
    layout = V.dofmap.dof_layout
    nfc = int(np.max(entities[:, 3], initial=0)) + 1
    table = np.stack([closure_dofs(layout, tdim, lf) for lf in range(max(nfc, 1))])
    minus = np.take_along_axis(V.dofmap.list[e[:, 2]], table[e[:, 3]], axis=1)
    # align the ⁻ copies with the ⁺ ones by their original dof
    op, om = broken.original[plus], broken.original[minus]
    ip, im = np.argsort(op, axis=1), np.argsort(om, axis=1)
    if not np.array_equal(np.take_along_axis(op, ip, 1), np.take_along_axis(om, im, 1)):
        raise RuntimeError("interface facets: the two sides do not share their dofs")
    aligned = np.empty_like(minus)
    np.put_along_axis(aligned, ip, np.take_along_axis(minus, im, axis=1), axis=1)
    return plus, aligned


class InterfaceCoupling:
    """The facet-wise interface terms of a set of oriented facets.

    An :class:`~fe_interface.discretisation.external.ExternalTerm` (like the nodal
    contact of the mechanics).

    Args:
        broken: the broken space.
        entities: rows (cell⁺, local facet⁺, cell⁻, local facet⁻), owned facets.
        h_at: conductance (W/(m² K)) at the quadrature points of a group of facets.
        axisymmetric: weight r = x[0] (m).
    """

    def __init__(
        self,
        broken: BrokenSpace,
        entities: np.ndarray,
        h_at: ConductanceAt,
        axisymmetric: bool = False,
    ) -> None:
        V = broken.space
        mesh = V.mesh
        degree = V.ufl_element().embedded_superdegree
        tensor = mesh.topology.cell_type.name in ("quadrilateral", "hexahedron")
        qdeg = 2 * degree + int(axisymmetric) + (2 if tensor else 0)
        self.quadrature = FacetQuadrature(
            mesh,
            V.ufl_element(),
            V.dofmap.dof_layout,
            entities[:, 0],
            entities[:, 1],
            qdeg,
            axisymmetric,
        )
        self.entities = entities
        self._units: dict[int, np.ndarray] = {}
        # per group: ⁺ dofs, ⁻ dofs, M (nf, n, n)
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for g in self.quadrature.groups:
            plus, minus = facet_sides(broken, entities, g)
            h = np.asarray(h_at(g, g.rows), dtype=float)
            p = g.phi[:, g.closure]
            M = np.einsum("fq,qi,qj->fij", h * g.weight, p, p)
            self.blocks.append((plus, minus, M))

    def _unit(self, k: int) -> np.ndarray:
        """M_f of group ``k`` for h = 1 (cached): M_f = h_f · unit_f when h is constant on f."""
        if k not in self._units:
            g = self.quadrature.groups[k]
            p = g.phi[:, g.closure]
            self._units[k] = np.einsum("fq,qi,qj->fij", g.weight, p, p)
        return self._units[k]

    def set_conductance(self, rows: np.ndarray, h: Any) -> None:
        """Set a conductance constant on each facet (W/(m² K)) on the facets ``rows``.

        Args:
            rows: facet rows (into ``entities``).
            h: one value, or one per row.
        """
        full = np.full(len(self.entities), np.nan)
        full[rows] = h
        for g, (_, _, M) in zip(self.quadrature.groups, self.blocks, strict=True):
            vals = full[g.rows]
            sel = ~np.isnan(vals)
            if sel.any():  # as at construction (the same rounding as a coupling built for h)
                p = g.phi[:, g.closure]
                M[sel] = np.einsum("fq,qi,qj->fij", vals[sel, None] * g.weight[sel], p, p)

    def recompute(self, rows: np.ndarray, h_at: ConductanceAt) -> None:
        """Evaluate h again on the facets ``rows`` (into ``entities``) and rebuild their M_f.

        ``h_at`` as at construction (W/(m² K) at the quadrature points of a group: the
        groups it gets hold only the facets of ``rows``): per-point values, for a
        conductance that varies inside a facet (h(P(x), g(x)) of a contact solve).
        """
        mask = np.zeros(len(self.entities), dtype=bool)
        mask[rows] = True
        for g, (_, _, M) in zip(self.quadrature.groups, self.blocks, strict=True):
            sel = mask[g.rows]
            if not sel.any():
                continue
            sub = g._replace(
                rows=g.rows[sel], x=g.x[sel], dA=g.dA[sel], weight=g.weight[sel],
                normal=g.normal[sel], K=g.K[sel],
            )  # fmt: skip
            h = np.asarray(h_at(sub, sub.rows), dtype=float)
            p = g.phi[:, g.closure]
            M[sel] = np.einsum("fq,qi,qj->fij", h * sub.weight, p, p)

    def apply_unit(self, u: np.ndarray, dh: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Out += Σ_f dh_f K_f(h = 1) u: the derivative of K u for facet conductances dh.

        ``dh`` one value per facet row (W/(m² K) per unit of the parameter); as :meth:`apply`.
        """
        for k, (g, (plus, minus, M)) in enumerate(
            zip(self.quadrature.groups, self.blocks, strict=True)
        ):
            d = dh[g.rows]
            if not len(M) or not np.any(d):
                continue
            r = np.einsum("f,fij,fj->fi", d, self._unit(k), u[plus] - u[minus])
            np.add.at(out, plus, r)
            np.add.at(out, minus, -r)
        return out

    @property
    def empty(self) -> bool:
        """True when this process has no facets."""
        return not any(len(M) for _, _, M in self.blocks)

    @staticmethod
    def _element(M: np.ndarray) -> np.ndarray:
        return np.block([[M, -M], [-M, M]])

    def linearise(self, u: np.ndarray) -> bool:
        """Nothing to prepare: the term is linear in u (its Jacobian never changes)."""
        return False

    def insert_sparsity(self, pattern: Any) -> None:
        """Add the couplings of every facet to a (not finalised) sparsity pattern."""
        for plus, minus, _ in self.blocks:
            for d in np.concatenate([plus, minus], axis=1).astype(np.int32):
                pattern.insert(d, d)

    def add_to_matrix(self, A: PETSc.Mat, index: np.ndarray, scale: float = 1.0) -> None:
        """A += scale · Σ_f K_f (ADD_VALUES, local indices).

        Args:
            A: matrix with the space's local-to-global map (not yet final-assembled).
            index: local copy -> local row index, −1 for rows and columns to skip
                (Dirichlet dofs, whose rows DOLFINx sets to the identity).
            scale: factor (e.g. θ of a time step).
        """
        for plus, minus, M in self.blocks:
            if not len(M):
                continue
            R = np.ascontiguousarray(index[np.concatenate([plus, minus], axis=1)], PETSc.IntType)
            K = np.ascontiguousarray((scale * self._element(M)).reshape(len(M), -1))
            A.setValuesLocalRCV(R, R, K, addv=PETSc.InsertMode.ADD)

    def apply(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Out += K u.

        ``u`` local copy values (owned and ghosts). The result holds this process's facet
        contributions, ghosts included: sum them to the owners with a reverse scatter, as after
        a DOLFINx vector assembly.
        """
        y = np.zeros_like(u, dtype=float) if out is None else out
        for plus, minus, M in self.blocks:
            if not len(M):
                continue
            jump = u[plus] - u[minus]
            r = np.einsum("fij,fj->fi", M, jump)
            np.add.at(y, plus, r)
            np.add.at(y, minus, -r)
        return y

    def heat_flows(self, u: np.ndarray, rows_of: Sequence[np.ndarray]) -> list[float]:
        """∫ h [T] w dA over subsets of the facets (this process's part; W without 2π).

        Args:
            u: local copy values.
            rows_of: per subset, the facet rows (into ``entities``) it contains.
        """
        per_facet = np.zeros(len(self.entities))
        for g, (plus, minus, M) in zip(self.quadrature.groups, self.blocks, strict=True):
            if len(M):
                per_facet[g.rows] = np.einsum("fij,fj->f", M, u[plus] - u[minus])
        return [float(per_facet[r].sum()) for r in rows_of]
