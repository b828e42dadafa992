"""Heat across the contacts of a thermo-mechanical run: flows, jumps and the local h.

* :class:`ThermalContactSummary` — per contact the heat flow and mean jump (from the heat
  problem's interface table) and the area means of the local conductance and of its
  three paths (solid spots, gas, radiation), W/(m² K);
* :func:`conductance_means` — those means, by facet quadrature with the final
  temperature;
* :func:`nodal_conductance` — h at the contact nodes as a field for the output files.

SI units; every function is collective.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np
from dolfinx import fem

from fe_interface.discretisation.contact_fields import (
    ContactConductanceMap,
    ContactFields,
    evaluate,
)
from fe_interface.discretisation.facets import FacetQuadrature
from fe_interface.discretisation.mortar_contact import MortarContact
from fe_interface.discretisation.nodal_contact import NodalContact

__all__ = ["ThermalContactSummary", "conductance_means", "nodal_conductance"]


class ThermalContactSummary(NamedTuple):
    """Heat across one contact interface (the same on every rank).

    Attributes:
        name: contact label.
        heat_flow_W: ∫ h (T⁺ − T⁻) dA, W (⁺ → ⁻).
        mean_jump_K: area mean of T⁺ − T⁻, K.
        conductance_W_m2K: heat flow / (area · mean jump), W/(m² K).
        mean_h_W_m2K: area mean of the local h, W/(m² K).
        max_h_W_m2K: largest local h at the quadrature points, W/(m² K).
        mean_h_solid_W_m2K, mean_h_gas_W_m2K, mean_h_radiation_W_m2K: area means of
            the three paths, W/(m² K).
    """

    name: str
    heat_flow_W: float
    mean_jump_K: float
    conductance_W_m2K: float
    mean_h_W_m2K: float
    max_h_W_m2K: float
    mean_h_solid_W_m2K: float
    mean_h_gas_W_m2K: float
    mean_h_radiation_W_m2K: float


def conductance_means(
    m: ContactConductanceMap, entities: np.ndarray, T: fem.Function, axisymmetric: bool
) -> tuple[float, ...]:
    """Area means (mean, max, solid, gas, radiation) of h over a contact, W/(m² K).

    Args:
        m: the contact's conductance map (its law, fields and probe).
        entities: the contact's owned facets (cell⁺, lf⁺, cell⁻, lf⁻).
        T: the final temperature (K).
        axisymmetric: weight the means with r.
    """
    space = m.fields.space
    mesh = space.mesh
    final = ContactConductanceMap(m.law, m.fields, m.probe, T, m.guess)
    q = FacetQuadrature(
        mesh, space.ufl_element(), space.dofmap.dof_layout, entities[:, 0], entities[:, 1],
        2 + int(axisymmetric), axisymmetric,
    )  # fmt: skip
    acc = np.zeros(5)
    hmax = 0.0
    for g in q.groups:
        x = np.zeros((g.x.shape[0] * g.x.shape[1], 3))
        x[:, : g.x.shape[2]] = g.x.reshape(-1, g.x.shape[2])
        v = final.values(x)
        w = g.weight.ravel()
        acc += [
            w.sum(),
            np.sum(w * v["total"]),
            np.sum(w * v["solid"]),
            np.sum(w * v["gas"]),
            np.sum(w * v["radiation"]),
        ]
        hmax = max(hmax, float(np.max(v["total"], initial=0.0)))
    comm = mesh.comm
    acc = comm.allreduce(acc, op=MPI.SUM)
    hmax = comm.allreduce(hmax, op=MPI.MAX)
    A = acc[0] if acc[0] > 0 else 1.0
    return tuple(float(v) for v in (acc[1] / A, hmax, acc[2] / A, acc[3] / A, acc[4] / A))


def _node_cells(space: fem.FunctionSpace, nodes: np.ndarray) -> np.ndarray:
    """A local cell of each node copy (the last cell that lists it)."""
    dl = space.dofmap.list
    imap = space.dofmap.index_map
    cell_of = np.full(imap.size_local + imap.num_ghosts, -1, np.int32)
    cell_of[dl.ravel()] = np.repeat(np.arange(dl.shape[0], dtype=np.int32), dl.shape[1])
    return cell_of[nodes]


def nodal_conductance(
    fields: ContactFields,
    maps: Sequence[Any],
    contacts: Sequence[NodalContact],
    T: fem.Function,
) -> fem.Function:
    """The conductance h (W/(m² K)) at the contact nodes, for output.

    With the final P, g and T⁺, T⁻ (K) on the broken scalar P1 space of the contact
    fields (0 away from contacts); ``maps`` one :class:`ContactConductanceMap` per contact.
    """
    h = fem.Function(fields.space, name="contact_conductance_W_m2K")
    values = []
    for m, c in zip(maps, contacts, strict=True):
        s = c.current_state()
        x = np.zeros((c.nodes.size, 3))
        x[:, : c.x.shape[1]] = c.x[:, : c.x.shape[1]]
        # a surface contact (mortar): T⁻ at A's node (see discretisation.surface_coupling)
        other = c.nodes if isinstance(c, MortarContact) else c.mnodes
        cp, cm = _node_cells(fields.space, c.nodes), _node_cells(fields.space, other)
        Tp, Tm = evaluate(T, x, cp), evaluate(T, x, cm)
        values.append(
            m.law.conductance(np.maximum(s.pressure_Pa, 0), np.maximum(s.gap_m, 0), Tp, Tm)
        )
    fields.nodal_values(values, h)
    return h
