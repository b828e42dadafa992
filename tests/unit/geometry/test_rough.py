"""Rough surfaces: statistics, reproducibility, contact spots."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fe_interface.geometry import rough


def test_gaussian_profile_sigma_slope_and_seed():
    s = rough.gaussian_surface(8192, 2e-3, 1e-6, 5e-6, seed=7)
    assert s.z.shape == (8192,) and s.dim == 1
    assert s.rms() == pytest.approx(1e-6, rel=1e-12)
    assert abs(s.z.mean()) < 1e-18
    assert s.rms_slope() == pytest.approx(math.sqrt(2) * 1e-6 / 5e-6, rel=0.08)
    again = rough.gaussian_surface(8192, 2e-3, 1e-6, 5e-6, seed=7)
    other = rough.gaussian_surface(8192, 2e-3, 1e-6, 5e-6, seed=8)
    assert np.array_equal(s.z, again.z)
    assert not np.allclose(s.z, other.z)


def test_gaussian_map_area_fraction_matches_erfc():
    s = rough.gaussian_surface(256, 1e-3, 2e-6, 16e-6, seed=1, dim=2)
    assert s.z.shape == (256, 256)
    assert s.rms_slope() == pytest.approx(math.sqrt(2) * 2e-6 / 16e-6, rel=0.1)
    assert s.rms_gradient() == pytest.approx(math.sqrt(2) * s.rms_slope(), rel=0.05)
    for y in (0.0, 1e-6, 2e-6, 3e-6):
        c = rough.contact(s, y)
        assert c.area_fraction == pytest.approx(rough.gaussian_area_fraction(y, 2e-6), abs=0.03)
        assert c.spot_areas.sum() == pytest.approx(c.area_fraction * 1e-3**2, rel=1e-12)


def test_contact_from_load_and_spots():
    s = rough.gaussian_surface(128, 1e-3, 1e-6, 20e-6, seed=3, dim=2)
    c = rough.contact(s, pressure=2e7, hardness=1e9)
    assert c.area_fraction == pytest.approx(0.02, abs=1e-3)
    assert c.separation == pytest.approx(rough.gaussian_separation(0.02, 1e-6), rel=0.15)
    assert c.n_spots > 5
    assert np.all(c.labels[c.mask] > 0) and np.all(c.labels[~c.mask] == 0)
    assert set(np.unique(c.labels[c.mask])) == set(range(1, c.n_spots + 1))
    assert np.allclose(c.spot_radii, np.sqrt(c.spot_areas / np.pi))


def test_spot_labelling_is_periodic():
    z = np.zeros((8, 8))
    z[0, 3] = z[7, 3] = 1.0  # one spot across the periodic boundary
    z[4, 4] = 1.0
    c = rough.contact(rough.RoughSurface(z, 1.0), 0.5)
    assert c.n_spots == 2
    assert sorted(c.spot_areas.tolist()) == [1.0, 2.0]
    prof = rough.contact(rough.RoughSurface(np.array([1.0, 0, 0, 1, 1, 0, 0, 1]), 0.5), 0.5)
    assert prof.n_spots == 2 and prof.spot_radii.tolist() == [0.5, 0.5]


def test_combined_surface():
    a = rough.gaussian_surface(256, 1e-3, 1e-6, 10e-6, seed=1, dim=2)
    b = rough.gaussian_surface(256, 1e-3, 2e-6, 10e-6, seed=2, dim=2)
    c = rough.combined(a, b)
    assert c.rms() == pytest.approx(math.sqrt(5) * 1e-6, rel=0.05)
    with pytest.raises(ValueError, match="same grid"):
        rough.combined(a, rough.gaussian_surface(128, 1e-3, 1e-6, 10e-6, seed=1, dim=2))


def test_fractal_spectrum_slope():
    h = 0.7
    s = rough.fractal_surface(8192, 1e-3, 1e-6, h, seed=3)
    assert s.rms() == pytest.approx(1e-6)
    q = 2 * np.pi * np.fft.rfftfreq(s.z.size, s.dx)[1:]
    psd = np.abs(np.fft.rfft(s.z))[1:] ** 2
    sel = (q > q[3]) & (q < q[-1] / 4)
    slope = np.polyfit(np.log(q[sel]), np.log(psd[sel]), 1)[0]
    assert slope == pytest.approx(-(1 + 2 * h), abs=0.1)
    m = rough.fractal_surface(128, 1e-3, 1e-6, 0.8, seed=3, dim=2, rolloff_wavelength=2e-4)
    assert m.z.shape == (128, 128)
    assert np.array_equal(m.z, rough.fractal_surface(128, 1e-3, 1e-6, 0.8, 3, 2, 2e-4).z)


def test_gaussian_separation_inverts_fraction():
    for f in (0.001, 0.05, 0.5, 0.9):
        y = rough.gaussian_separation(f, 3e-6)
        assert rough.gaussian_area_fraction(y, 3e-6) == pytest.approx(f, rel=1e-9)


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (lambda: rough.gaussian_surface(64, 1.0, 0.0, 0.1), "sigma"),
        (lambda: rough.gaussian_surface(64, 1.0, -1.0, 0.1), "sigma"),
        (lambda: rough.gaussian_surface(64, 1.0, 1.0, 0.0), "corr_length"),
        (lambda: rough.gaussian_surface(64, 1.0, 1.0, 2.0), "corr_length"),
        (lambda: rough.gaussian_surface(4, 1.0, 1.0, 0.1), "n"),
        (lambda: rough.gaussian_surface(64, 0.0, 1.0, 0.1), "length"),
        (lambda: rough.gaussian_surface(64, 1.0, 1.0, 0.1, dim=3), "dim"),
        (lambda: rough.fractal_surface(64, 1.0, 1.0, 1.5), "hurst"),
        (lambda: rough.fractal_surface(64, 1.0, 1.0, 0.0), "hurst"),
        (lambda: rough.contact(rough.RoughSurface(np.zeros(8), 1), pressure=2, hardness=1), "more"),
        (lambda: rough.contact(rough.RoughSurface(np.zeros(8), 1)), "either"),
        (lambda: rough.gaussian_separation(1.0, 1.0), "area_fraction"),
    ],
)
def test_invalid_parameters(call, param):
    with pytest.raises(ValueError, match=param):
        call()
