"""Rough surfaces for contact: self-affine generation, measured height maps, statistics.

Every route from a surface to an interface conductance (the FFT boundary-element
contact, the resolved finite-element model, the Cooper–Mikic–Yovanovich and Mikic
correlations) starts from one :class:`~fe_interface.geometry.rough.RoughSurface`: heights
``z`` in m on a uniform grid of spacing ``dx`` (m).

* :func:`self_affine_surface` — a random self-affine surface from its power spectrum:
  Hurst exponent H, roll-off wavelength λ_r (flat spectrum above it), short-wavelength
  cut-off λ_s (nothing below it), normalised to an RMS height σ *or* an RMS slope m, and a
  seed (same seed, same surface).
* :func:`read_topography` — a measured height map: a plain matrix of heights (text, ``.npy``
  or HDF5 with a ``surface`` dataset, the contact-mechanics-challenge layouts), an
  ``x y z`` point list, or any instrument format of the SurfaceTopography package
  (``reader="surfacetopography"``, installed separately: ``pip install SurfaceTopography``).
  Heights and lateral sizes come with their units; a measured map is *not* periodic unless
  you say so.
* :func:`mirror_periodic` — a non-periodic map made periodic by mirror images (2n × 2n):
  the contact of the mirrored map is the contact of the original with symmetry
  (frictionless, insulated) side faces, which is what a finite-element block with
  insulated sides sees.
* :func:`surface_statistics` / :func:`power_spectrum` — σ, the RMS profile slope m (the
  slope of the contact correlations), the RMS gradient ḡ, and the radially averaged power
  spectral density C(q) (m⁴ for maps, m³ for profiles) normalised so that ∫C d²q = σ².

:func:`check_height_map` is the one check every entry point runs: finite heights (a NaN is
named with its index), a grid of at least 8 points, not flat, and an RMS height below the
sample size (heights read in µm but declared in m make σ larger than the sample: a unit
error, reported as such).

All lengths in m, wavenumbers in rad/m.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from fe_interface.errors import InputError
from fe_interface.geometry.rough import RoughSurface, fractal_surface, positive

__all__ = [
    "LENGTH_UNITS",
    "SurfaceStatistics",
    "check_height_map",
    "mirror_periodic",
    "power_spectrum",
    "read_topography",
    "self_affine_surface",
    "surface_statistics",
]

#: length units accepted by :func:`read_topography` -> metres
LENGTH_UNITS = {"m": 1.0, "mm": 1e-3, "um": 1e-6, "µm": 1e-6, "nm": 1e-9}


# --------------------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------------------
def check_height_map(z: Any, dx: float, name: str = "surface") -> np.ndarray:
    """The heights ``z`` (m) on spacing ``dx`` (m) as a float array, or a clear :class:`InputError`.

    Finite values (the first NaN or infinity is named with its index and the count),
    1 or 2 dimensions of at least 8 points, not flat, RMS height σ smaller than the
    sample's smaller side (else the height and lateral units disagree).
    """
    try:
        arr = np.asarray(z, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name}: heights must be numbers (m), got {type(z).__name__}") from None
    if arr.ndim not in (1, 2) or min(arr.shape, default=0) < 8:
        raise InputError(
            f"{name}: heights must be a profile or a map of at least 8 points per side, "
            f"got shape {arr.shape}"
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(
            f"{name}: {int(bad.sum())} height(s) are NaN or infinite (first at index {list(idx)}, "
            f"value {arr[idx]!r}); fill or crop the missing data before the contact"
        )
    try:
        dx = positive(dx, f"{name}: grid spacing dx (m)")
    except ValueError as e:
        raise InputError(str(e)) from None
    sigma = float(np.sqrt(np.mean((arr - arr.mean()) ** 2)))
    if sigma == 0.0:
        raise InputError(f"{name}: the surface is flat (RMS height 0 m)")
    side = min(arr.shape) * dx
    if sigma >= side:
        raise InputError(
            f"{name}: RMS height σ = {sigma:.3g} m is not smaller than the sample side "
            f"{side:.3g} m: the height and lateral units disagree (heights in µm read as m?)"
        )
    return arr


def _surface(surface: Any, name: str = "surface") -> RoughSurface:
    if not isinstance(surface, RoughSurface):
        raise InputError(f"{name} must be a RoughSurface, got {type(surface).__name__}")
    check_height_map(surface.z, surface.dx, name)
    return surface


# --------------------------------------------------------------------------------------
# generation
# --------------------------------------------------------------------------------------
def self_affine_surface(
    n: int,
    length: float,
    hurst: float,
    *,
    rms_height: float | None = None,
    rms_slope: float | None = None,
    rolloff_wavelength: float | None = None,
    cutoff_wavelength: float | None = None,
    seed: Any = None,
    dim: int = 2,
) -> RoughSurface:
    """A periodic, isotropic, self-affine random surface (Gaussian heights, random phases).

    Power spectrum C(q) ∝ q^-(2 + 2H) (maps; profiles q^-(1 + 2H)) between the roll-off
    wavenumber q_r = 2π/λ_r (constant below) and the cut-off q_s = 2π/λ_s (zero above).

    Args:
        n: grid points per side; ``dx = length / n``.
        length: period of the sample (m).
        hurst: Hurst exponent H in (0, 1].
        rms_height: RMS height σ (m), or
        rms_slope: RMS profile slope m (dimensionless, the slope of the CMY and Mikic
            correlations; the RMS gradient is √2 m for a map) — exactly one of the two.
        rolloff_wavelength: λ_r (m), default ``length``.
        cutoff_wavelength: λ_s (m), default ``2 dx`` (the Nyquist wavelength).
        seed: anything :func:`numpy.random.default_rng` accepts.
        dim: 2 (map, default) or 1 (profile).
    """
    if (rms_height is None) == (rms_slope is None):
        raise InputError("self_affine_surface: give exactly one of rms_height (m) and rms_slope")
    try:
        s = fractal_surface(
            n,
            length,
            1.0 if rms_height is None else rms_height,
            hurst,
            seed=seed,
            dim=dim,
            rolloff_wavelength=rolloff_wavelength,
            cutoff_wavelength=cutoff_wavelength,
        )
        if rms_slope is not None:
            target = positive(rms_slope, "rms_slope")
            s = RoughSurface(s.z * (target / s.rms_slope()), s.dx)
    except ValueError as e:
        raise InputError(f"self_affine_surface: {e}") from None
    check_height_map(s.z, s.dx, "self_affine_surface")
    return s


def mirror_periodic(surface: RoughSurface) -> RoughSurface:
    """The map and its mirror images, ``2n`` per side: periodic and smooth across the period.

    ``[z, z reversed]`` along each axis.  The original occupies the first ``n`` points of
    each axis; a contact of the result restricted to them is the contact of the original
    with mirror-symmetric (frictionless, insulated) side faces.
    """
    surface = _surface(surface)
    z = surface.z
    for ax in range(z.ndim):
        z = np.concatenate([z, np.flip(z, axis=ax)], axis=ax)
    return RoughSurface(z, surface.dx, periodic=True)


# --------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------
def _unit(unit: str, what: str) -> float:
    if unit not in LENGTH_UNITS:
        raise InputError(
            f"read_topography: {what} must be one of {list(LENGTH_UNITS)}, got {unit!r}"
        )
    return LENGTH_UNITS[unit]


def _read_xyz(path: Path) -> tuple[np.ndarray, float]:
    """An ``x y h`` point list on a full uniform grid: heights and spacing (file units)."""
    data = np.loadtxt(path, comments="#", delimiter=None, ndmin=2)
    if data.shape[1] != 3:
        raise InputError(f"{path}: an x y h file needs 3 columns, got {data.shape[1]}")
    xs, ix = np.unique(data[:, 0], return_inverse=True)
    ys, iy = np.unique(data[:, 1], return_inverse=True)
    if xs.size * ys.size != len(data):
        raise InputError(f"{path}: the x y points do not fill a grid ({xs.size} x {ys.size})")
    z = np.full((xs.size, ys.size), np.nan)
    z[ix, iy] = data[:, 2]
    dx = float(np.mean(np.diff(xs))) if xs.size > 1 else float("nan")
    return z, dx


def _read_plain(path: Path, fmt: str) -> np.ndarray:
    if fmt == "npy":
        return np.load(path, allow_pickle=False)
    if fmt == "h5":
        import h5py

        with h5py.File(path, "r") as f:
            names = [k for k in f if isinstance(f[k], h5py.Dataset)]
            key = "surface" if "surface" in names else (names[0] if len(names) == 1 else None)
            if key is None:
                raise InputError(f"{path}: no dataset 'surface' (datasets: {names})")
            return np.asarray(f[key][...], dtype=float)
    return np.loadtxt(path, comments="#", ndmin=1)


def _read_surfacetopography(
    path: Path, length: float | None, length_unit: str
) -> tuple[np.ndarray, float]:
    """Heights (m) and spacing (m) through SurfaceTopography's readers (any instrument format).

    The file's own sizes and unit; for a file without them (a plain matrix), ``length``
    in ``length_unit``, which is then also the height unit.
    """
    try:
        import SurfaceTopography as st
    except ImportError:
        raise InputError(
            f"{path}: reader 'surfacetopography' needs the SurfaceTopography package "
            "(pip install SurfaceTopography)"
        ) from None
    kw: dict[str, Any] = {}
    if length is not None:
        kw = {"physical_sizes": (float(length), float(length)), "unit": length_unit}
    try:
        from mpi4py import MPI

        # each rank reads the whole map (SurfaceTopography would decompose it under MPI)
        topo = st.open_topography(str(path), communicator=MPI.COMM_SELF).topography(**kw)
    except Exception as e:  # the readers raise ValueError, KeyError, their own errors
        raise InputError(f"{path}: SurfaceTopography cannot read it: {e}") from None
    factor = _unit(str(topo.unit).replace("\u00b5", "u"), "the file's unit")
    z = np.asarray(topo.heights(), dtype=float) * factor
    nx = topo.nb_grid_pts[0]
    return z, float(topo.physical_sizes[0]) * factor / nx


def read_topography(
    path: str | Path,
    *,
    length: float | None = None,
    dx: float | None = None,
    height_unit: str = "m",
    length_unit: str = "m",
    periodic: bool = False,
    fmt: str | None = None,
    reader: str = "plain",
) -> RoughSurface:
    """A measured (or exported) height map as a :class:`RoughSurface` in m.

    Args:
        path: the file.  Plain formats (``reader="plain"``): a text matrix of heights
            (``.txt``, ``.dat``, ``.asc``, ``.csv``; row i holds z(x_i, y_j)), ``.npy``, HDF5
            (``.h5``/``.hdf5``: the dataset ``surface``, or the only one), or ``.xyz`` (three
            columns x y h on a full grid).
        length: physical size of the first axis, in ``length_unit`` (not for ``.xyz``,
            whose coordinates give it); or
        dx: the grid spacing in ``length_unit``.
        height_unit: unit of the heights: ``m``, ``mm``, ``um``, ``nm``.
        length_unit: unit of ``length``/``dx`` and of ``.xyz`` coordinates.
        periodic: the map repeats with its size (generated data); measured data is not:
            the contact then needs :func:`mirror_periodic` (``pad=True`` of the contact).
        fmt: override the format from the suffix: ``text``, ``npy``, ``h5``, ``xyz``.
        reader: ``"plain"`` or ``"surfacetopography"`` (SurfaceTopography's readers, sizes
            and units from the file; for a file without them ``length`` in
            ``length_unit``, the unit of the heights too).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"read_topography: no file {p}")
    if reader == "surfacetopography":
        z, spacing = _read_surfacetopography(p, length, length_unit)
        z = check_height_map(z, spacing, str(p))
        return RoughSurface(z - z.mean(), spacing, periodic=bool(periodic))
    if reader != "plain":
        raise InputError(
            f"read_topography: reader must be 'plain' or 'surfacetopography', got {reader!r}"
        )
    hu, lu = _unit(height_unit, "height_unit"), _unit(length_unit, "length_unit")
    suffix = {".npy": "npy", ".h5": "h5", ".hdf5": "h5", ".xyz": "xyz"}
    kind = fmt or suffix.get(p.suffix.lower(), "text")
    try:
        if kind == "xyz":
            z, spacing = _read_xyz(p)
        else:
            z, spacing = _read_plain(p, kind), float("nan")
    except (OSError, ValueError) as e:
        if isinstance(e, InputError):
            raise
        raise InputError(f"{p}: cannot read a height map ({kind}): {e}") from None
    if kind != "xyz":
        if (length is None) == (dx is None):
            raise InputError(f"{p}: give exactly one of length and dx ({length_unit})")
        n0 = np.shape(z)[0] if np.ndim(z) else 0
        spacing = float(dx) if dx is not None else float(length) / max(n0, 1)  # type: ignore[arg-type]
    spacing *= lu
    z = check_height_map(np.asarray(z, dtype=float) * hu, spacing, str(p))
    return RoughSurface(z - z.mean(), spacing, periodic=bool(periodic))


# --------------------------------------------------------------------------------------
# statistics
# --------------------------------------------------------------------------------------
class SurfaceStatistics(NamedTuple):
    """What the contact correlations need of a surface (SI units).

    Attributes:
        rms_height_m: σ, RMS height about the mean plane (m).
        rms_slope: m, RMS profile slope, averaged over the directions (the slope of the
            CMY/Mikic correlations).
        rms_gradient: ḡ = √⟨|∇z|²⟩ (the pressure unit E* ḡ of elastic contact mechanics).
        length_m: sample side along the first axis (m).
        dx_m: grid spacing (m).
        points: grid points per side.
        periodic: the map repeats with its size.
    """

    rms_height_m: float
    rms_slope: float
    rms_gradient: float
    length_m: float
    dx_m: float
    points: tuple[int, ...]
    periodic: bool

    def describe(self) -> str:
        """One line: σ (µm), m, ḡ, sample (mm) and grid."""
        grid = " x ".join(str(k) for k in self.points)
        return (
            f"sigma = {self.rms_height_m * 1e6:.4g} um, m = {self.rms_slope:.4g}, "
            f"g = {self.rms_gradient:.4g}, sample {self.length_m * 1e3:.4g} mm on {grid} points"
            + ("" if self.periodic else " (not periodic)")
        )


def surface_statistics(surface: RoughSurface) -> SurfaceStatistics:
    """σ (m), m, ḡ and the grid of ``surface`` (spectral derivatives: exact for periodic maps)."""
    surface = _surface(surface)
    return SurfaceStatistics(
        surface.rms(),
        surface.rms_slope(),
        surface.rms_gradient(),
        surface.length,
        surface.dx,
        tuple(int(k) for k in surface.z.shape),
        bool(surface.periodic),
    )


def power_spectrum(surface: RoughSurface, bins: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Radially averaged power spectral density ``(q, C(q))``.

    q in rad/m (bin centres), C in m⁴ for a map (m³ for a profile), normalised so that
    the sum of C over all discrete wavevectors times the cell (2π/L)² is σ² (the mean
    square height about the mean plane); empty bins are left out.

    Args:
        surface: the height map or profile.
        bins: number of radial bins (default n/2).
    """
    surface = _surface(surface)
    z = surface.z - surface.z.mean()
    n = z.shape[0]
    cell = 2 * np.pi / surface.length  # wavevector spacing (rad/m), square grid assumed
    zh = np.fft.fftn(z) / z.size
    C = np.abs(zh) ** 2 / cell**z.ndim  # sum(C) * cell**dim = mean(z**2)
    qs = [2 * np.pi * np.fft.fftfreq(k, d=surface.dx) for k in z.shape]
    q = np.sqrt(sum(g**2 for g in np.meshgrid(*qs, indexing="ij")))
    nb = max(1, int(bins) if bins is not None else n // 2)
    edges = np.linspace(0.5 * cell, q.max() * (1 + 1e-12), nb + 1)
    which = np.digitize(q.ravel(), edges) - 1
    ok = (which >= 0) & (which < nb)
    count = np.bincount(which[ok], minlength=nb)
    total = np.bincount(which[ok], weights=C.ravel()[ok], minlength=nb)
    keep = count > 0
    centres = 0.5 * (edges[1:] + edges[:-1])
    return centres[keep], total[keep] / count[keep]
