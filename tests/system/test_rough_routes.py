"""Rough contact to h(P): FE conduction through resolved spots vs Barber's h from K(P).

One round spot per period (the egg-box z = h0 (cos(pi x/L) + cos(pi y/L)) on a quarter
period, mirror-padded: the corner spot of the FE block with insulated sides), elastic,
vacuum in the gap.  Barber (2003): h = 2 K / (E* (1/k1 + 1/k2)) with K = -dP/dgap of the
same contact.  The boundary-element K is converged at 32 px (169 569 vs 169 868 W/(m^2 K)
at 64 px); the FE conductance converges from above as the pixel staircase of the spot
edge is refined: measured ratio 1.095 (32 px, edge cells dx/4), 1.061 (64 px).
"""

import numpy as np
import pytest

from fe_interface.geometry.rough import RoughSurface
from fe_interface.model.laws.rough_tables import barber_conductance, barber_table, table_toml
from fe_interface.model.laws.tabulated import TabulatedConductance
from fe_interface.model.rough_contact import HalfSpaceContact
from fe_interface.problems.resolved_contact import resolved_conductance

E_STAR, K1, K2 = 1e9, 50.0, 20.0


def egg_box(n, L=1e-4, h0=1e-6):
    x = (np.arange(n) + 0.5) * L / n
    X, Y = np.meshgrid(x, x, indexing="ij")
    return RoughSurface(h0 * (np.cos(np.pi * X / L) + np.cos(np.pi * Y / L)), L / n, periodic=False)


def ratio(n):
    s = egg_box(n)
    lad = HalfSpaceContact(s, E_STAR, pad=True, tolerance=1e-12).ladder([1.5e6], step=0.02)
    h_b = float(barber_conductance(lad.stiffness_Pa_per_m[0], E_STAR, K1, K2))
    r = resolved_conductance(s, lad.states[0], K1, K2, edge_size=s.dx / 4)
    assert r.balance < 1e-8 and r.heat_flow_gap_W == 0.0
    assert 0.05 < lad.area_fraction[0] < 0.2  # a small contact fraction
    return r.h_W_m2K / h_b, h_b


def test_resolved_spots_vs_barber_at_32px():
    r, h_b = ratio(32)
    assert 1.0 < r < 1.12  # FE above (the staircase edge), measured 1.095 with k1 = k2
    # the table is a law any case can use
    t = barber_table([1e6, 2e6], [h_b * 0.5, h_b], E_STAR, K1, K2)
    assert TabulatedConductance(t, 1.5e6).h > 0
    assert 'law = "tabulated"' in table_toml(t, "joint", 1.5e6)


@pytest.mark.slow
def test_resolved_spots_converge_to_barber():
    """Richardson (first order in dx) from 32 and 64 px: within 5 % of Barber."""
    r32, _ = ratio(32)
    r64, _ = ratio(64)
    assert 1.0 < r64 < r32
    assert abs(2 * r64 - r32 - 1) < 0.05
