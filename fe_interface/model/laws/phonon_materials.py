"""Isotropic Debye solids for the Kapitza laws, and the phonon database.

Units: density [kg/m^3], sound speeds [m/s], number density [1/m^3], Debye temperature [K].
The database is ``fe_interface/data/phonon_materials.toml``.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fe_interface.errors import InputError
from fe_interface.model.validation import check_positive

from .common import HBAR, K_B, N_A, unknown_name_error

__all__ = [
    "DATA_FILE",
    "PhononMaterial",
    "number_density_from_formula",
    "phonon_material",
    "phonon_materials",
]

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "phonon_materials.toml"


# ---------------------------------------------------------------------------------------
# materials
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PhononMaterial:
    """Isotropic Debye solid.

    Parameters
    ----------
    name:               label.
    density:            mass density rho [kg/m^3], > 0.
    v_L, v_T:           longitudinal / transverse sound speeds [m/s], 0 < v_T < v_L.
    debye_temperature:  Theta_D [K] (optional if ``number_density`` is given).
    number_density:     atoms per volume n [1/m^3] (optional if ``debye_temperature`` given;
                        preferred for the cutoffs when both are given).
    source:             literature reference for the values.
    """

    name: str
    density: float
    v_L: float
    v_T: float
    debye_temperature: float | None = None
    number_density: float | None = None
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "density", check_positive(self.density, "density", "kg/m^3"))
        object.__setattr__(self, "v_L", check_positive(self.v_L, "v_L", "m/s"))
        object.__setattr__(self, "v_T", check_positive(self.v_T, "v_T", "m/s"))
        if not self.v_T < self.v_L:
            raise InputError(f"need v_T < v_L, got v_T={self.v_T!r}, v_L={self.v_L!r}")
        if self.debye_temperature is None and self.number_density is None:
            raise InputError(f"{self.name}: give debye_temperature or number_density")
        if self.debye_temperature is not None:
            object.__setattr__(
                self,
                "debye_temperature",
                check_positive(self.debye_temperature, "debye_temperature", "K"),
            )
        if self.number_density is not None:
            object.__setattr__(
                self,
                "number_density",
                check_positive(self.number_density, "number_density", "1/m^3"),
            )

    @property
    def velocities(self) -> tuple[float, float, float]:
        """Branch speeds (L, T1, T2) [m/s]."""
        return (self.v_L, self.v_T, self.v_T)

    @property
    def debye_velocity(self) -> float:
        """``v_D`` with ``3/v_D^3 = 1/v_L^3 + 2/v_T^3`` [m/s]."""
        return (3.0 / (self.v_L**-3 + 2.0 * self.v_T**-3)) ** (1.0 / 3.0)

    @property
    def n(self) -> float:
        """Atomic number density used for the cutoffs [1/m^3]."""
        if self.number_density is not None:
            return self.number_density
        assert self.debye_temperature is not None  # __post_init__: one of the two is given
        kD = K_B * self.debye_temperature / (HBAR * self.debye_velocity)
        return kD**3 / (6.0 * math.pi**2)

    @property
    def debye_wavevector(self) -> float:
        """``k_D = (6 pi^2 n)^(1/3)`` [1/m]."""
        return (6.0 * math.pi**2 * self.n) ** (1.0 / 3.0)

    @property
    def cutoffs(self) -> tuple[float, float, float]:
        """Per-branch cutoffs ``w_D,j = v_j k_D`` [rad/s] (L, T1, T2)."""
        kD = self.debye_wavevector
        vL, vT1, vT2 = self.velocities
        return (vL * kD, vT1 * kD, vT2 * kD)

    @property
    def debye_temperature_elastic(self) -> float:
        """``hbar v_D k_D / k_B`` [K] from the sound speeds and ``n``."""
        return HBAR * self.debye_velocity * self.debye_wavevector / K_B

    @property
    def lame(self) -> tuple[float, float]:
        """Lame constants (lambda, mu) [Pa]."""
        mu = self.density * self.v_T**2
        return self.density * self.v_L**2 - 2.0 * mu, mu


@cache
def _load_database(path: str) -> dict[str, PhononMaterial]:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    out = {}
    for key, entry in raw.items():
        out[key] = PhononMaterial(
            name=key,
            density=entry["density"],
            v_L=entry["v_L"],
            v_T=entry["v_T"],
            debye_temperature=entry.get("debye_temperature"),
            number_density=entry.get("number_density"),
            source=entry.get("source", ""),
        )
    return out


def phonon_materials() -> dict[str, PhononMaterial]:
    """All materials of ``fe_interface/data/phonon_materials.toml`` (name -> material)."""
    return dict(_load_database(str(DATA_FILE)))


def phonon_material(name: str | PhononMaterial) -> PhononMaterial:
    """Look a material up by name (pass a :class:`PhononMaterial` through)."""
    if isinstance(name, PhononMaterial):
        return name
    db = _load_database(str(DATA_FILE))
    if name not in db:
        raise unknown_name_error("material", name, db)
    return db[name]


def number_density_from_formula(density: float, molar_mass: float, atoms: int) -> float:
    """``n = rho N_A atoms / M`` [1/m^3] (``molar_mass`` in kg/mol)."""
    return density * N_A * atoms / molar_mass
