"""Random rough surfaces and their contact against a flat.

Surfaces are periodic, sampled on a uniform grid: 1D profiles (for 2D models) or 2D
height maps (for 3D models), heights in m with zero mean.  Both generators filter
white noise in Fourier space and are reproducible from ``seed``:

* :func:`gaussian_surface`: Gaussian autocorrelation
  ``C(tau) = sigma**2 * exp(-(tau / corr_length)**2)``;
* :func:`fractal_surface`: self-affine power spectrum ``~ q**-(1 + 2H)`` (profile)
  or ``~ q**-(2 + 2H)`` (area) with Hurst exponent ``H``, flat below a roll-off
  wavenumber.

The sampled heights are rescaled to the exact RMS ``sigma``.  For two rough surfaces
in contact, :func:`combined` gives the equivalent rough surface against a flat
(heights added, sigma = sqrt(sigma1**2 + sigma2**2), slopes likewise).  :func:`contact`
finds the contact spots where the combined surface rises above the mean-plane
separation ``Y``: ``Y`` given, or from the load with plastically deforming asperities
(real contact area fraction ``A_r / A_a = P / H_c``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Contact",
    "RoughSurface",
    "combined",
    "contact",
    "fractal_surface",
    "gaussian_area_fraction",
    "gaussian_separation",
    "gaussian_surface",
]


def positive(value, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not math.isfinite(v) or v <= 0.0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return v


def _check_grid(n, length, dim) -> tuple[int, float, int]:
    if dim not in (1, 2) or isinstance(dim, bool):
        raise ValueError(f"dim must be 1 (profile) or 2 (height map), got {dim!r}")
    if isinstance(n, bool) or int(n) != n or n < 8:
        raise ValueError(f"n (grid points per direction) must be an integer >= 8, got {n!r}")
    return int(n), positive(length, "length"), int(dim)


@dataclass(frozen=True)
class RoughSurface:
    """Heights ``z`` (m) on a periodic uniform grid of spacing ``dx`` (m).

    ``z.ndim == 1``: profile ``z(x_i)``, ``x_i = i * dx``; ``z.ndim == 2``: height
    map ``z[i, j] = z(x_i, y_j)``.  ``periodic``: the map repeats with its size (True
    for generated surfaces; a measured map is usually not periodic, see
    :func:`fe_interface.geometry.topography.mirror_periodic`).
    """

    z: np.ndarray
    dx: float
    periodic: bool = True

    @property
    def dim(self) -> int:
        """Dimension of the surface: 1 (profile) or 2 (height map)."""
        return self.z.ndim

    @property
    def length(self) -> float:
        """Period (m) along the first axis."""
        return self.z.shape[0] * self.dx

    def coordinates(self) -> tuple[np.ndarray, ...]:
        """Grid coordinates (one array per direction)."""
        return tuple(np.arange(k) * self.dx for k in self.z.shape)

    def rms(self) -> float:
        """RMS roughness sigma about the mean plane."""
        return float(np.sqrt(np.mean((self.z - self.z.mean()) ** 2)))

    def _gradient(self) -> list[np.ndarray]:
        # spectral derivative of the periodic surface (exact for band-limited data)
        out = []
        zh = np.fft.fftn(self.z)
        for ax, k in enumerate(self.z.shape):
            q = 2 * np.pi * np.fft.fftfreq(k, d=self.dx)
            if k % 2 == 0:
                q[k // 2] = 0.0
            shape = [1] * self.z.ndim
            shape[ax] = k
            out.append(np.real(np.fft.ifftn(1j * q.reshape(shape) * zh)))
        return out

    def rms_slope(self) -> float:
        """RMS profile slope m: ``sqrt(<(dz/dx)**2>)``, averaged over x and y in 2D.

        This is the slope of the contact correlations (e.g. Cooper-Mikic-Yovanovich)
        for isotropic surfaces; the RMS gradient magnitude is ``sqrt(dim) * m``.
        """
        g = self._gradient()
        return float(np.sqrt(np.mean([np.mean(gi**2) for gi in g])))

    def rms_gradient(self) -> float:
        """``sqrt(<|grad z|**2>)``."""
        return float(np.sqrt(sum(np.mean(gi**2) for gi in self._gradient())))

    def area_fraction(self, separation: float) -> float:
        """Fraction of the nominal area where ``z > separation``."""
        return float(np.mean(self.z > separation))


def _white(shape, seed):
    rng = np.random.default_rng(seed)
    return np.fft.fftn(rng.standard_normal(shape))


def _wavenumbers(n: int, dx: float, dim: int) -> np.ndarray:
    q1 = 2 * np.pi * np.fft.fftfreq(n, d=dx)
    if dim == 1:
        return np.abs(q1)
    qx, qy = np.meshgrid(q1, q1, indexing="ij")
    return np.hypot(qx, qy)


def _finish(spectrum: np.ndarray, sigma: float, dx: float) -> RoughSurface:
    z = np.real(np.fft.ifftn(spectrum))
    z -= z.mean()
    rms = np.sqrt(np.mean(z**2))
    if rms == 0.0:
        raise ValueError("the filtered surface is flat: increase n or the bandwidth")
    return RoughSurface(z * (sigma / rms), dx)


def gaussian_surface(
    n: int, length: float, sigma: float, corr_length: float, seed=None, dim: int = 1
) -> RoughSurface:
    """Gaussian random surface with Gaussian autocorrelation.

    Args:
        n: grid points per direction (the period is ``length``, ``dx = length / n``).
        length: period / sample length in m.
        sigma: RMS roughness in m.
        corr_length: correlation length ``l`` in m: ``C(tau) = sigma**2 exp(-tau**2/l**2)``.
            Resolve it (``dx`` a few times smaller) and keep ``length`` many ``l``
            long for representative statistics.  Expected RMS profile slope:
            ``sqrt(2) * sigma / l``.
        seed: anything :func:`numpy.random.default_rng` accepts; same seed, same surface.
        dim: 1 (profile) or 2 (height map ``n x n``).
    """
    n, length, dim = _check_grid(n, length, dim)
    sigma = positive(sigma, "sigma")
    ell = positive(corr_length, "corr_length")
    if ell >= length:
        raise ValueError(f"corr_length ({ell}) must be smaller than length ({length})")
    dx = length / n
    q = _wavenumbers(n, dx, dim)
    # PSD of exp(-tau^2/l^2) ~ exp(-q^2 l^2 / 4): filter amplitude = sqrt(PSD)
    filt = np.exp(-(q**2) * ell**2 / 8.0)
    return _finish(_white(q.shape, seed) * filt, sigma, dx)


def fractal_surface(
    n: int,
    length: float,
    sigma: float,
    hurst: float,
    seed=None,
    dim: int = 1,
    rolloff_wavelength: float | None = None,
    cutoff_wavelength: float | None = None,
) -> RoughSurface:
    """Self-affine (fractal) random surface with Hurst exponent ``hurst``.

    Power spectrum ``~ q**-(1 + 2H)`` for a profile, ``~ q**-(2 + 2H)`` for a height
    map, between ``q_r = 2 pi / rolloff_wavelength`` (flat below, default: the
    period ``length``) and ``q_s = 2 pi / cutoff_wavelength`` (zero above, default:
    ``2 * dx``, the Nyquist limit).  Fractal dimension ``D = dim + 1 - H``.
    """
    n, length, dim = _check_grid(n, length, dim)
    sigma = positive(sigma, "sigma")
    h = positive(hurst, "hurst")
    if h > 1.0:
        raise ValueError(f"hurst must be in (0, 1], got {hurst!r}")
    dx = length / n
    lr = length if rolloff_wavelength is None else positive(rolloff_wavelength, "rolloff")
    ls = 2 * dx if cutoff_wavelength is None else positive(cutoff_wavelength, "cutoff")
    if not ls < lr <= length * (1 + 1e-12):
        raise ValueError(
            f"need cutoff_wavelength ({ls}) < rolloff_wavelength ({lr}) <= length ({length})"
        )
    q = _wavenumbers(n, dx, dim)
    qr, qs = 2 * np.pi / lr, 2 * np.pi / ls
    exponent = (1 + 2 * h) if dim == 1 else (2 + 2 * h)
    psd = np.where(q <= qs * (1 + 1e-12), np.maximum(q, qr) ** (-exponent), 0.0)
    psd.flat[0] = 0.0  # zero mean
    return _finish(_white(q.shape, seed) * np.sqrt(psd), sigma, dx)


def combined(s1: RoughSurface, s2: RoughSurface) -> RoughSurface:
    """Equivalent surface of two rough surfaces in contact, against a flat.

    Heights of both, measured towards the other surface, add: the gap is
    ``Y - (z1 + z2)``.  Same grid required.
    """
    if s1.z.shape != s2.z.shape or not math.isclose(s1.dx, s2.dx, rel_tol=1e-12):
        raise ValueError("combined: the two surfaces must be sampled on the same grid")
    return RoughSurface(s1.z + s2.z, s1.dx)


@dataclass(frozen=True)
class Contact:
    """Contact of a rough surface against a flat at mean-plane separation ``separation``.

    Attributes:
        separation: Y, distance of the flat from the mean plane (m).
        mask: True where the surface rises above the flat (in contact).
        area_fraction: real contact area fraction ``A_r / A_a``.
        labels: contact spot number per grid point (0 outside contact; spots
            connected across the periodic boundary are one spot).
        spot_areas: area of each spot (m^2 in 2D maps; length in m for profiles).
        spot_radii: equivalent radius: ``sqrt(area / pi)`` (maps) or half length.
    """

    separation: float
    mask: np.ndarray
    area_fraction: float
    labels: np.ndarray
    spot_areas: np.ndarray
    spot_radii: np.ndarray

    @property
    def n_spots(self) -> int:
        """Number of contact spots."""
        return int(self.spot_areas.size)


def label_periodic(mask: np.ndarray) -> np.ndarray:
    """Connected components (4-/2-neighbour, periodic), labels 1..N, 0 outside."""
    n = mask.size
    lab = np.where(mask, np.arange(1, n + 1).reshape(mask.shape), 0)
    big = n + 1
    while True:
        cur = np.where(mask, lab, big)
        new = cur
        for ax in range(mask.ndim):
            for s in (1, -1):
                new = np.minimum(new, np.roll(cur, s, axis=ax))
        new = np.where(mask, new, 0)
        # pointer jumping speeds up long chains
        flat = np.concatenate([[0], new.ravel()])
        new = flat[new]
        if np.array_equal(new, lab):
            break
        lab = new
    out = np.zeros(mask.shape, dtype=np.int64)
    _, inv = np.unique(lab[mask], return_inverse=True)
    out[mask] = inv.ravel() + 1
    return out


def contact(
    surface: RoughSurface,
    separation: float | None = None,
    *,
    pressure: float | None = None,
    hardness: float | None = None,
) -> Contact:
    """Contact spots of ``surface`` (e.g. :func:`combined`) pressed on a flat.

    Give either ``separation`` (Y, m) or the nominal ``pressure`` P and the
    microhardness ``hardness`` H_c (Pa): then plastic asperities give a real area
    fraction ``P / H_c`` and Y is the height exceeded on exactly that fraction.
    """
    if (separation is None) == (pressure is None):
        raise ValueError("give either separation or pressure (with hardness)")
    if separation is None:
        p = positive(pressure, "pressure")
        hc = positive(hardness, "hardness")
        frac = p / hc
        if frac >= 1.0:
            raise ValueError(
                f"pressure / hardness = {frac:g} >= 1: more real contact than nominal area"
            )
        y = float(np.quantile(surface.z, 1.0 - frac))
    else:
        if hardness is not None:
            raise ValueError("hardness is only used with pressure")
        y = float(separation)
        if not math.isfinite(y):
            raise ValueError(f"separation must be finite, got {separation!r}")
    mask = surface.z > y
    if not mask.any():
        labels = np.zeros(mask.shape, dtype=np.int64)
    else:
        labels = label_periodic(mask)
    counts = np.bincount(labels.ravel())[1:]
    cell = surface.dx**surface.dim
    areas = counts * cell
    radii = np.sqrt(areas / np.pi) if surface.dim == 2 else areas / 2.0
    return Contact(y, mask, float(mask.mean()), labels, areas, radii)


def gaussian_area_fraction(separation: float, sigma: float) -> float:
    """Real area fraction of a Gaussian surface above Y: ``erfc(Y / (sqrt(2) sigma)) / 2``."""
    sigma = positive(sigma, "sigma")
    return 0.5 * math.erfc(separation / (math.sqrt(2.0) * sigma))


def gaussian_separation(area_fraction: float, sigma: float) -> float:
    """Y such that :func:`gaussian_area_fraction` equals ``area_fraction`` (0 < f < 1)."""
    sigma = positive(sigma, "sigma")
    f = float(area_fraction)
    if not 0.0 < f < 1.0:
        raise ValueError(f"area_fraction must be in (0, 1), got {area_fraction!r}")
    lo, hi = -40.0, 40.0  # in units of sigma
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if 0.5 * math.erfc(mid / math.sqrt(2.0)) > f:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi) * sigma
