"""Self-affine surfaces, measured height maps, statistics and their input checks."""

import math

import numpy as np
import pytest

from fe_interface.errors import InputError
from fe_interface.geometry.rough import RoughSurface
from fe_interface.geometry.topography import (
    mirror_periodic,
    power_spectrum,
    read_topography,
    self_affine_surface,
    surface_statistics,
)


def test_self_affine_rms_height_and_slope_are_exact():
    s = self_affine_surface(128, 1e-4, 0.8, rms_height=1e-6, rolloff_wavelength=2e-5, seed=1)
    assert math.isclose(s.rms(), 1e-6, rel_tol=1e-12)
    t = self_affine_surface(128, 1e-4, 0.8, rms_slope=0.2, rolloff_wavelength=2e-5, seed=1)
    assert math.isclose(t.rms_slope(), 0.2, rel_tol=1e-12)
    # same seed, same surface (up to the normalisation)
    assert np.allclose(s.z / s.rms(), t.z / t.rms(), atol=1e-12)


def test_self_affine_spectrum_slope_is_the_hurst_exponent():
    """C(q) ~ q^-(2 + 2H) between roll-off and cut-off (log-log fit, many modes)."""
    H = 0.7
    s = self_affine_surface(
        256, 1.0, H, rms_height=0.01, rolloff_wavelength=1 / 4, cutoff_wavelength=4 / 256, seed=2
    )
    q, C = power_spectrum(s)
    sel = (q > 2 * np.pi * 8) & (q < 2 * np.pi * 48)
    slope = np.polyfit(np.log(q[sel]), np.log(C[sel]), 1)[0]
    assert abs(slope + 2 + 2 * H) < 0.1
    assert C[q > 2 * np.pi * 64 * 1.05].max(initial=0.0) < 1e-12 * C.max()


def test_power_spectrum_integrates_to_the_variance():
    s = self_affine_surface(64, 2e-4, 0.8, rms_height=3e-6, seed=5)
    zh = np.fft.fftn(s.z) / s.z.size
    cell = 2 * np.pi / s.length
    assert math.isclose(np.sum(np.abs(zh) ** 2 / cell**2) * cell**2, s.rms() ** 2, rel_tol=1e-12)
    q, C = power_spectrum(s)
    assert np.all(C >= 0) and np.all(np.diff(q) > 0)


def test_statistics_of_a_sinusoid():
    """z = a cos(2 pi x / L): sigma = a/sqrt(2), x-slope rms = 2 pi a / (L sqrt(2)), m averages x and y."""
    n, L, a = 64, 1e-4, 1e-6
    x = np.arange(n) * L / n
    z = a * np.cos(2 * np.pi * x / L)[:, None] * np.ones(n)
    st = surface_statistics(RoughSurface(z, L / n))
    assert math.isclose(st.rms_height_m, a / math.sqrt(2), rel_tol=1e-12)
    gx = 2 * np.pi * a / (L * math.sqrt(2))
    assert math.isclose(st.rms_gradient, gx, rel_tol=1e-10)
    assert math.isclose(st.rms_slope, gx / math.sqrt(2), rel_tol=1e-10)
    assert "sigma = 0.7071 um" in st.describe()


@pytest.mark.parametrize("fmt", ["txt", "npy", "h5", "xyz"])
def test_read_topography_formats(tmp_path, fmt):
    s = self_affine_surface(16, 1e-4, 0.8, rms_height=1e-6, seed=3)
    z_um = s.z * 1e6
    path = tmp_path / f"map.{fmt}"
    if fmt == "txt":
        np.savetxt(path, z_um, header="heights in um")
    elif fmt == "npy":
        np.save(path, z_um)
    elif fmt == "h5":
        import h5py

        with h5py.File(path, "w") as f:
            f["surface"] = z_um
    else:
        x = np.arange(16) * 100.0 / 16  # um
        X, Y = np.meshgrid(x, x, indexing="ij")
        np.savetxt(path, np.column_stack([X.ravel(), Y.ravel(), z_um.ravel()]))
    kw = {} if fmt == "xyz" else {"length": 100.0}
    r = read_topography(path, height_unit="um", length_unit="um", periodic=True, **kw)
    assert np.allclose(r.z, s.z - s.z.mean(), atol=1e-15)
    assert math.isclose(r.dx, s.dx, rel_tol=1e-12)
    assert (
        r.periodic and not read_topography(path, height_unit="um", length_unit="um", **kw).periodic
    )


def test_mirror_periodic_keeps_the_original_and_its_statistics():
    s = self_affine_surface(16, 1e-4, 0.8, rms_height=1e-6, seed=3)
    m = mirror_periodic(RoughSurface(s.z, s.dx, periodic=False))
    assert m.z.shape == (32, 32) and m.periodic
    assert np.array_equal(m.z[:16, :16], s.z) and np.array_equal(m.z[16:, :16], s.z[::-1])
    assert math.isclose(m.rms(), s.rms(), rel_tol=1e-12)


def test_bad_maps_get_one_clear_line(tmp_path):
    z = np.ones((16, 16)) + np.random.default_rng(0).random((16, 16))
    z[3, 4] = np.nan
    np.savetxt(tmp_path / "nan.txt", z)
    with pytest.raises(InputError, match=r"1 height\(s\) are NaN.*\[3, 4\]"):
        read_topography(tmp_path / "nan.txt", length=1e-4)
    # heights in um declared as m on a 100 um sample: sigma > sample
    np.savetxt(tmp_path / "um.txt", np.random.default_rng(0).normal(0, 5.0, (16, 16)))
    with pytest.raises(InputError, match=r"not smaller than the sample side.*units"):
        read_topography(tmp_path / "um.txt", length=100.0, length_unit="um")
    with pytest.raises(InputError, match="no file"):
        read_topography(tmp_path / "missing.txt", length=1.0)
    with pytest.raises(InputError, match="exactly one of length and dx"):
        read_topography(tmp_path / "um.txt")
    with pytest.raises(InputError, match="height_unit"):
        read_topography(tmp_path / "um.txt", length=1.0, height_unit="inch")
    with pytest.raises(InputError, match="exactly one of rms_height"):
        self_affine_surface(16, 1.0, 0.8)
    with pytest.raises(InputError, match="flat"):
        surface_statistics(RoughSurface(np.zeros((8, 8)), 1.0))


def test_surfacetopography_reader(tmp_path):
    """Instrument formats through SurfaceTopography (optional package): the same map."""
    pytest.importorskip("SurfaceTopography")
    s = self_affine_surface(16, 1e-4, 0.8, rms_height=1e-6, seed=3)
    np.save(tmp_path / "map.npy", s.z * 1e6)
    r = read_topography(
        tmp_path / "map.npy", length=100.0, length_unit="um", reader="surfacetopography"
    )
    assert np.allclose(r.z, s.z - s.z.mean(), atol=1e-15) and r.dx == pytest.approx(s.dx)
    with pytest.raises(InputError, match="SurfaceTopography cannot read"):
        read_topography(tmp_path / "map.npy", reader="surfacetopography")
