"""Half-width and peak pressure of a Hertz contact from nodal contact pressures (test helper).

Three reductions of the nodal pressures P_i of a contact (m, Pa):

* :func:`ellipse_fit` — the least-squares line P² = p₀² (1 − r²/a²) through the loaded
  nodes.  Biased at the edge: a node's value is an average over its patch, which reaches
  past r = a (a and p₀ come out high on coarse meshes);
* :func:`lumped_fit_3d` — the area-weighted least-squares fit of the *lumped averages*
  ∫ φ_i p dA / ∫ φ_i dA of the Hertz pressure p(r) = p₀ √(1 − r²/a²) over the nodes'
  facets of the slave surface: what a dual mortar's nodal pressure is (its nodal force
  A_i P_i is ∫ φ_i λ dA), so the edge is modelled, not fitted through;
* :func:`moment_fit_3d` — a from the second moment of the nodal forces about the axis,
  a² = (5/2) Σ A_i P_i r_i² / Σ A_i P_i (Hertz point contact), p₀ = 3F/(2π a²): fit-free,
  blind to the nodal oscillation, but its force is the computed one by construction.
"""

from __future__ import annotations

import math

import numpy as np
from dolfinx.mesh import entities_to_geometry
from scipy.optimize import least_squares
from scipy.spatial import cKDTree


def ellipse_fit(r: np.ndarray, P: np.ndarray) -> tuple[float, float]:
    """(a, p₀) of the ellipse P² = p₀² (1 − r²/a²) fitted to the loaded nodes (m, Pa)."""
    on = P > 0
    c1, c0 = np.polyfit(r[on] ** 2, P[on] ** 2, 1)
    return math.sqrt(-c0 / c1), math.sqrt(c0)


def surface_facets(tagged, name: str, radius: float) -> np.ndarray:
    """Vertex coordinates (n, 3, 3), m, of the triangles of facet group ``name`` with a
    vertex within ``radius`` of the z axis: every rank's, each once (collective)."""
    m = tagged.mesh
    fdim = m.topology.dim - 1
    idx = tagged.facet_tags.indices[tagged.facet_tags.values == tagged.facet_names[name]]
    X = m.geometry.x[entities_to_geometry(m, fdim, idx.astype(np.int32), False)]
    X = X[np.linalg.norm(X[:, :, :2], axis=2).min(axis=1) < radius]
    X = np.concatenate(m.comm.allgather(X))
    _, first = np.unique(np.round(X.mean(axis=1), 12), axis=0, return_index=True)
    return X[np.sort(first)]


def _triangle_rule(X: np.ndarray, s: int = 6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points (f, q, 3), weights (f, q) (m²) and barycentric coordinates (q, 3) of a
    degree-2 rule on s² sub-triangles of every triangle X (f, 3, 3)."""
    e1, e2 = np.array([1.0, 0.0, -1.0]), np.array([0.0, 1.0, -1.0])
    sub = []
    for i in range(s):
        for j in range(s - i):
            a = np.array([i, j, s - i - j], float)
            sub.append([a, a + e1, a + e2])
            if i + j < s - 1:
                sub.append([a + e1, a + e2, a + e1 + e2])
    g = np.array([[2 / 3, 1 / 6, 1 / 6], [1 / 6, 2 / 3, 1 / 6], [1 / 6, 1 / 6, 2 / 3]])
    bary = np.einsum("qk,skl->sql", g, np.array(sub) / s).reshape(-1, 3)
    area = 0.5 * np.linalg.norm(np.cross(X[:, 1] - X[:, 0], X[:, 2] - X[:, 0]), axis=1)
    w = area[:, None] * np.full(bary.shape[0], 1.0 / bary.shape[0])
    return np.einsum("ql,fld->fqd", bary, X), w, bary


def lumped_fit_3d(
    x: np.ndarray, P: np.ndarray, facets: np.ndarray, a: float, p0: float, within: float
) -> tuple[float, float]:
    """(a, p₀), m and Pa, of the Hertz pressure whose lumped nodal averages fit P best.

    Args:
        x: node coordinates (n, 3), m; P: their pressures, Pa.
        facets: the slave surface's triangles (:func:`surface_facets`), covering the nodes
            within ``within`` of the axis (m) with their whole patches.
        a, p0: the starting guess, m and Pa.
    """
    _, vid = cKDTree(x).query(facets.reshape(-1, 3))
    vid = vid.reshape(-1, 3)
    xq, wq, bary = _triangle_rule(facets)
    rq = np.linalg.norm(xq[:, :, :2], axis=2)
    den = np.zeros(len(x))
    np.add.at(den, vid, wq @ bary)
    sel = (np.linalg.norm(x[:, :2], axis=1) < within) & (den > 0)
    weight = np.sqrt(den[sel] / den[sel].mean())  # Σ A_i (P_i − P̄_i)²: the force's norm

    def residual(v: np.ndarray) -> np.ndarray:
        pq = v[1] * np.sqrt(np.clip(1.0 - rq**2 / (v[0] * a) ** 2, 0.0, None))
        num = np.zeros(len(x))
        np.add.at(num, vid, (wq * pq) @ bary)
        return weight * (num[sel] / den[sel] - P[sel] / p0)

    v = least_squares(residual, [1.0, 1.0], x_scale=[0.1, 0.1]).x
    return float(v[0] * a), float(v[1] * p0)


def moment_fit_3d(
    x: np.ndarray, P: np.ndarray, area: np.ndarray, copies: int = 1
) -> tuple[float, float]:
    """(a, p₀) from the force and the second moment of the nodal forces A_i P_i (m, Pa).

    ``copies``: the model is this fraction of the contact (a quarter model: 4).
    """
    F = np.sum(area * P)
    a = math.sqrt(2.5 * np.sum(area * P * (x[:, 0] ** 2 + x[:, 1] ** 2)) / F)
    return a, 3 * copies * F / (2 * math.pi * a * a)
