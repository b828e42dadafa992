"""Room-temperature elastic data (E, ν, α) of the library materials, with sources.

``[mechanics.materials.REGION] library = "copper"`` takes E, ν and α from here (keys given
next to it override); the names are those of the bulk 300 K table (``copper``,
``aluminium`` …) and of the temperature-dependent library (``OFHC_RRR100``, ``SS304``,
``Al6061_T6``, ``Si`` …).  Values near 293 K; E and α change with temperature (copper's α
falls to a few 1e-6/K below 100 K): give your own values for cryogenic or hot parts.
Silicon is anisotropic: the values are those of the ⟨100⟩ directions of a (100) wafer.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ELASTIC_PROPERTIES", "ElasticData"]

_CALLISTER = (
    "Callister & Rethwisch, Materials Science and Engineering: An Introduction, Appendix B "
    "(Table B.2 modulus of elasticity, B.3 Poisson's ratio, B.6 linear coefficient of "
    "thermal expansion), room temperature"
)
_SILICON = (
    "Hopcroft, Nix & Kenny, What is the Young's modulus of silicon?, J. Microelectromech. "
    "Syst. 19 (2010) 229: E<100> = 130 GPa, nu = 0.28 (<100>/<010>); alpha: Okada & "
    "Tokumaru, J. Appl. Phys. 56 (1984) 314: 2.6e-6 1/K at 300 K"
)


@dataclass(frozen=True)
class ElasticData:
    """E (Pa), ν (–), α (1/K) of a material near room temperature, with the source."""

    E: float
    nu: float
    alpha: float
    source: str


_COPPER = ElasticData(115e9, 0.34, 17.0e-6, f"{_CALLISTER}: copper C11000")
_AL1100 = ElasticData(69e9, 0.33, 23.6e-6, f"{_CALLISTER}: aluminium alloy 1100")
_AL6061 = ElasticData(69e9, 0.33, 23.6e-6, f"{_CALLISTER}: aluminium alloy 6061")
_SS304 = ElasticData(193e9, 0.30, 17.3e-6, f"{_CALLISTER}: stainless steel 304")
_SI = ElasticData(130e9, 0.28, 2.6e-6, _SILICON)

#: name -> elastic data (the bulk table's names and the library's)
ELASTIC_PROPERTIES: dict[str, ElasticData] = {
    "copper": _COPPER,
    "aluminium": _AL1100,
    "aluminium_2024_t6": ElasticData(72.4e9, 0.33, 22.9e-6, f"{_CALLISTER}: aluminium alloy 2024"),
    "stainless_304": _SS304,
    "silicon": _SI,
    "gold": ElasticData(77e9, 0.42, 14.2e-6, f"{_CALLISTER}: gold"),
    "nickel": ElasticData(207e9, 0.31, 13.3e-6, f"{_CALLISTER}: nickel 200"),
    "lead": ElasticData(13.5e9, 0.44, 29.3e-6, f"{_CALLISTER}: lead"),
    "fused_silica": ElasticData(73e9, 0.17, 0.4e-6, f"{_CALLISTER}: fused silica"),
    **{f"OFHC_RRR{r}": _COPPER for r in (50, 100, 150, 300, 500)},
    "Al6061_T6": _AL6061,
    "SS304": _SS304,
    "Si": _SI,
    "Si_Glassbrenner_Slack": _SI,
}
