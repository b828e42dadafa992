"""Rigid-body motions that nothing holds: found before the solve and named per body.

A *body* is a set of regions bonded to each other (touching across facets that are not
contact facets).  Its rigid motions are the translations and rotations (2D: x, y and a
rotation in the plane; 3D: three of each; axisymmetric: the translation along z -- a
uniform u_r strains the hoop direction).  The conditions hold them:

* a fixed displacement component (``Displacement``, ``Symmetry``, the axis of an
  axisymmetric model) at a node holds every motion that moves that component there;
* a contact node holds the motions that change the gap there -- the relative normal
  displacement of its two bodies -- but only while it is closed (frictionless contact
  carries no tangential load and no tension).

With R the rows of these constraints applied to the rigid motions of every body, the
motions nothing holds are the null space of G = RᵀR (a matrix of size 6 × bodies, summed
over the ranks).  Before the solve every contact node counts (an unsupported body is an
:class:`~fe_interface.errors.InputError`: the elastic problem is singular); at the start
of a contact solve and after a failed one only the closed nodes count (a body held only
by an open contact makes the Newton system singular: a
:class:`~fe_interface.errors.SolverError` that says so, instead of PETSc's
``DIVERGED_LINEAR_SOLVE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mpi4py import MPI

import numpy as np

from fe_interface.errors import InputError, SolverError
from fe_interface.mesh.topology import find_root, region_adjacency

__all__ = ["Supports", "check_contact_start", "check_supported", "explain_failure"]

#: an eigenvalue of the Jacobi-scaled G below this: a motion nothing holds
_FREE = 1e-10
_AXES = "xyz"


def _modes(x: np.ndarray, centre: np.ndarray, size: float, gdim: int, axisym: bool) -> np.ndarray:
    """Rigid motions at points x (n, 3): (n, modes, gdim); rotations about ``centre`` / size."""
    n = len(x)
    if axisym:  # (r, z): the translation along z alone
        out = np.zeros((n, 1, 2))
        out[:, 0, 1] = 1.0
        return out
    d = (x[:, :gdim] - centre[:gdim]) / size
    nm = 3 if gdim == 2 else 6
    out = np.zeros((n, nm, gdim))
    for c in range(gdim):
        out[:, c, c] = 1.0
    if gdim == 2:
        out[:, 2, 0], out[:, 2, 1] = -d[:, 1], d[:, 0]
    else:
        for k, (a, b) in enumerate(((1, 2), (2, 0), (0, 1))):  # about x, y, z
            out[:, 3 + k, a], out[:, 3 + k, b] = -d[:, b], d[:, a]
    return out


class Supports:
    """The rigid motions of the bodies of an initialised :class:`ElasticProblem` (collective).

    Args:
        problem: the problem (after its space, conditions and contacts are built).
    """

    def __init__(self, problem: Any) -> None:
        model = problem.model
        V = problem.space
        mesh = V.mesh
        self.comm: MPI.Comm = mesh.comm
        self.gdim = mesh.geometry.dim
        self.axisym = bool(problem.axisymmetric)
        self.contacts = list(problem.contacts)
        adj = region_adjacency(mesh, model.cell_region, model.contact_facet_mask())
        parent = {r: r for r in model.regions}
        for a, b in adj.facet_pairs:
            parent[find_root(parent, a)] = find_root(parent, b)
        roots = sorted({find_root(parent, r) for r in model.regions})
        self.body_of_region = {r: roots.index(find_root(parent, r)) for r in model.regions}
        self.names = [
            "+".join(
                repr(model.region_names[r]) for r in model.regions if find_root(parent, r) == q
            )
            for q in roots
        ]
        self.nb = len(roots)
        # every local node's body (a node copy belongs to the cells of one body)
        imap = V.dofmap.index_map
        nloc = imap.size_local + imap.num_ghosts
        cells = V.dofmap.list
        region = model.cell_region[: cells.shape[0]]
        lut = np.zeros(max(model.regions) + 1, dtype=np.int64)
        for r, b in self.body_of_region.items():
            lut[r] = b
        self.body = np.full(nloc, -1, dtype=np.int64)
        self.body[cells.ravel()] = np.repeat(lut[region], cells.shape[1])
        self.x = V.tabulate_dof_coordinates()
        self._frames(imap.size_local)
        self.nm = _modes(self.x[:1], self.centre[0], 1.0, self.gdim, self.axisym).shape[1]
        self.G_fixed = self._dirichlet(problem.marker, V.dofmap.bs, imap.size_local)

    # ------------------------------------------------------------------ set-up
    def _frames(self, owned: int) -> None:
        """Each body's centre and size (m), for rotations of unit order."""
        b, x = self.body[:owned], self.x[:owned]
        s = np.zeros((self.nb, 4))
        lo = np.full((self.nb, 3), np.inf)
        hi = np.full((self.nb, 3), -np.inf)
        for k in range(self.nb):
            xb = x[b == k]
            s[k] = [*xb.sum(axis=0), len(xb)]
            if len(xb):
                lo[k], hi[k] = xb.min(axis=0), xb.max(axis=0)
        s = self.comm.allreduce(s, op=MPI.SUM)
        self.comm.Allreduce(MPI.IN_PLACE, lo, op=MPI.MIN)  # elementwise (buffers)
        self.comm.Allreduce(MPI.IN_PLACE, hi, op=MPI.MAX)
        self.centre = s[:, :3] / np.maximum(s[:, 3:], 1.0)
        self.size = np.maximum(np.linalg.norm(np.nan_to_num(hi - lo, posinf=0.0), axis=1), 1e-300)

    def _at(self, nodes: np.ndarray, body: int) -> np.ndarray:
        return _modes(self.x[nodes], self.centre[body], self.size[body], self.gdim, self.axisym)

    def _dirichlet(self, marker: np.ndarray, bs: int, owned: int) -> np.ndarray:
        """Σ rowᵀ row of the fixed displacement components (owned dofs), all ranks."""
        n = self.nb * self.nm
        G = np.zeros((n, n))
        fixed = np.flatnonzero(marker < 0)
        node, comp = fixed // bs, fixed % bs
        keep = (node < owned) & (comp < self.gdim)
        node, comp = node[keep], comp[keep]
        for b in range(self.nb):
            sel = self.body[node] == b
            if not sel.any():
                continue
            R = self._at(node[sel], b)[np.arange(sel.sum()), :, comp[sel]]
            s = slice(b * self.nm, (b + 1) * self.nm)
            G[s, s] += R.T @ R
        return self.comm.allreduce(G, op=MPI.SUM)

    def _contact_rows(self, k: int, nodes: np.ndarray | None = None) -> np.ndarray:
        """Rows of contact ``k`` (its ``nodes``, default all): the gap change of each motion."""
        c = self.contacts[k]
        i = np.arange(c.nodes.size) if nodes is None else np.flatnonzero(nodes)
        R = np.zeros((len(i), self.nb * self.nm))
        # g = g0 + (u⁻ − u⁺)·n: the ⁺ copies count with −1, the ⁻ copies with +1
        for copies, region, sign in (
            (c.nodes, c.contact.plus, -1.0),
            (c.mnodes, c.contact.minus, 1.0),
        ):
            b = self.body_of_region[region]
            a = np.einsum("img,ig->im", self._at(copies[i], b), c.normal[i])
            R[:, b * self.nm : (b + 1) * self.nm] += sign * a
        return R

    # ------------------------------------------------------------------ analysis
    def free(self, active: Sequence[np.ndarray | None] | None = None) -> np.ndarray:
        """The motions nothing holds: columns (bodies × modes), the same on every rank.

        Args:
            active: per contact, the local nodes that count (None: every node).
        """
        G = np.zeros_like(self.G_fixed)
        for k in range(len(self.contacts)):
            R = self._contact_rows(k, None if active is None else active[k])
            G += R.T @ R
        G = self.G_fixed + self.comm.allreduce(G, op=MPI.SUM)
        d = np.diag(G)
        held = d > 1e-12 * max(float(d.max(initial=0.0)), 1e-300)  # else: round-off (normals)
        s = np.where(held, 1.0 / np.sqrt(np.where(held, d, 1.0)), 1.0)
        w, vec = np.linalg.eigh(s[:, None] * G * s[None, :])
        return s[:, None] * vec[:, w < _FREE]

    def holding(self, motions: np.ndarray) -> list[int]:
        """The contacts that would hold some of ``motions`` if every node were closed."""
        out = []
        for k in range(len(self.contacts)):
            R = self._contact_rows(k)
            local = float(np.abs(R @ motions).max(initial=0.0)) if len(R) else 0.0
            if self.comm.allreduce(local, op=MPI.MAX) > 1e-8:
                out.append(k)
        return out

    def describe(self, motions: np.ndarray) -> str:
        """The motions in words: "body 'upper' can move in y; ..."."""
        clauses = [self._clause(row) for row in _echelon(motions.T, self._priority())]
        return "; ".join(dict.fromkeys(clauses))

    def _priority(self) -> list[int]:
        """Column order of the echelon form: translations first, then rotations."""
        t = self.gdim if not self.axisym else 1
        cols = [b * self.nm + m for m in range(t) for b in range(self.nb)]
        return cols + [b * self.nm + m for m in range(t, self.nm) for b in range(self.nb)]

    def _clause(self, row: np.ndarray) -> str:
        blocks = row.reshape(self.nb, self.nm)
        scale = float(np.abs(blocks).max())
        bodies = [b for b in range(self.nb) if np.abs(blocks[b]).max() > 1e-6 * scale]
        first = blocks[bodies[0]] / scale
        who = (
            f"body {self.names[bodies[0]]}"
            if len(bodies) == 1
            else "bodies " + ", ".join(self.names[b] for b in bodies) + " (together)"
        )
        if self.axisym:
            return f"{who} can move along z"
        nt = self.gdim
        rot = first[nt:]
        if np.abs(rot).max() > 1e-6:
            if self.gdim == 2:
                return f"{who} can rotate in the x-y plane"
            axis = _direction(rot)
            return f"{who} can rotate about {axis if len(axis) == 1 else 'the axis ' + axis}"
        way = _direction(first[:nt])
        return f"{who} can move {'in ' + way if len(way) == 1 else 'along ' + way}"


def _direction(v: np.ndarray) -> str:
    """A coordinate axis ("x") or a unit vector ("(0.6, 0.8)")."""
    v = v / np.linalg.norm(v)
    i = int(np.argmax(np.abs(v)))
    if abs(abs(v[i]) - 1.0) < 1e-6:
        return _AXES[i]
    return "(" + ", ".join(f"{c:.3g}" for c in v) + ")"


def _echelon(A: np.ndarray, order: list[int]) -> list[np.ndarray]:
    """A basis of the row space of A in reduced echelon form, pivots taken in ``order``."""
    A = A.copy()
    tol = 1e-8 * max(float(np.abs(A).max(initial=0.0)), 1e-300)
    r = 0
    for col in order:
        if r == len(A):
            break
        p = r + int(np.argmax(np.abs(A[r:, col])))
        if abs(A[p, col]) < tol:
            continue
        A[[r, p]] = A[[p, r]]
        A[r] /= A[r, col]
        for q in range(len(A)):
            if q != r:
                A[q] -= A[q, col] * A[r]
        r += 1
    out = A[:r]
    out[np.abs(out) < tol] = 0.0
    return list(out)


def check_supported(problem: Any) -> Supports:
    """Refuse a model whose bodies can move freely with every contact closed (collective).

    Returns:
        The :class:`Supports` of the problem (for the contact checks of the solves).

    Raises:
        InputError: naming the free bodies and directions.
    """
    s = Supports(problem)
    free = s.free()
    if free.shape[1]:
        raise InputError(
            f"mechanics: {s.describe(free)}: no displacement, symmetry or contact condition "
            "holds this motion (the elastic problem is singular); add a support in that "
            "direction (a symmetry plane or a displacement component)"
        )
    return s


def _open_contacts(s: Supports, free: np.ndarray) -> str:
    """Which contacts would hold ``free``, with their largest gap (m)."""
    parts = []
    for k in s.holding(free):
        c = s.contacts[k]
        g = c.current_state().gap_m
        gmax = s.comm.allreduce(float(np.nanmax(g, initial=-np.inf)), op=MPI.MAX)
        parts.append(f"{c.contact.label!r} (gap up to {gmax:.3g} m)")
    return "contact " + ", ".join(parts) if parts else "a contact"


def check_contact_start(s: Supports, u: np.ndarray) -> None:
    """Refuse a contact solve whose first system is singular (collective).

    A body held (in some direction) only by contacts that are all open at ``u``.

    Raises:
        SolverError: naming the body, the direction and the open contacts.
    """
    free = s.free([c.state(u).active for c in s.contacts])
    if free.shape[1]:
        raise SolverError(
            f"contact solve cannot start: {s.describe(free)}, held only by "
            f"{_open_contacts(s, free)}, open at the start: the first Newton system is "
            "singular; close the gap with a displacement condition, or start from touching "
            "surfaces (initial_gap = 0)"
        )


def check_contact_end(s: Supports, reason: str) -> None:
    """Refuse a contact solve that ended where a body is free (collective).

    Newton's round-off test can pass at a huge iterate of a singular system (a load that
    pulls a body off its contact, solved with a new factorisation of the singular
    Jacobian: |u| ~ 2e7 m came back as converged): the active set at the end must hold
    every body, as at the start (:func:`check_contact_start`).  The contacts' last states
    are read, not evaluated again (they hold the reported pressures).

    Raises:
        SolverError: naming the body, the direction and the open contacts.
    """
    free = s.free([c.current_state().active for c in s.contacts])
    if free.shape[1]:
        raise SolverError(
            f"contact solve failed: at its end {s.describe(free)}: {_open_contacts(s, free)} "
            "is open there, so nothing holds this motion (a load that pulls the bodies apart, "
            f"or a gap that does not close under it); the solver's {reason} is not an "
            "equilibrium"
        )


def explain_failure(s: Supports, u: np.ndarray, error: SolverError) -> SolverError:
    """``error`` with the free bodies at the last iterate ``u`` named, if any (collective)."""
    free = s.free([c.state(u).active for c in s.contacts])
    if not free.shape[1]:
        return error
    return SolverError(
        f"contact solve failed: at its last iterate {s.describe(free)}: "
        f"{_open_contacts(s, free)} is open there, so nothing holds this motion (a load that "
        f"pulls the bodies apart, or a gap that does not close under it) [{error}]"
    )
