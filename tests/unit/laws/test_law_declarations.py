"""Law parameters declared once beside each law: the case reader, the checks and the docs.

The case-file reader (``fe_interface.case.laws.LAWS``), the law table of
``docs/case-format.md`` and the numeric checks of several laws are generated from the
``case`` declarations of the law classes; the laws declare their kind (no probing of
``conductance(293.15, 293.15)``).
"""

import inspect
from pathlib import Path

import pytest

import fe_interface as fi
from fe_interface.case.checker import Checker
from fe_interface.case.laws import LAWS, law_table, read_law
from fe_interface.errors import InputError
from fe_interface.model.interfaces import constant_conductance, law_kind
from fe_interface.model.laws import (
    CincottiConductance,
    ContactConductance,
    GapRadiation,
    KapitzaConductance,
    ThinLayer,
)
from fe_interface.model.validation import LawParameter

DOCS = Path(__file__).resolve().parents[3] / "docs" / "case-format.md"


def test_docs_table_is_generated_from_the_declarations():
    assert law_table() in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(LAWS))
def test_declared_parameters_are_keywords_of_the_law(name):
    spec = LAWS[name]
    decl = spec.declaration
    assert decl.name == name
    target = {
        "conductance": fi.Conductance,
        "tabulated": None,
    }.get(name, None)
    if name == "tabulated":
        from fe_interface.model.laws import TabulatedConductance

        sig = inspect.signature(TabulatedConductance.from_case)
    elif target is not None:
        sig = inspect.signature(target)
    else:
        import fe_interface.model.laws as laws
        from fe_interface.model import interfaces
        from fe_interface.model.laws import gap

        cls = next(
            getattr(m, spec.target) for m in (laws, interfaces, gap) if hasattr(m, spec.target)
        )
        sig = inspect.signature(cls)
    keywords = set(sig.parameters)
    for p in decl.parameters:
        key = "pair" if decl.pair and p.name.startswith("surface_") else p.name
        assert key in keywords, (name, p.name)
    required = {p.name for p in decl.parameters if p.required}
    assert {k for k, (_, req) in spec.params.items() if req} == required


def test_the_reader_takes_choices_and_bounds_from_the_declaration():
    c = Checker()
    law = read_law(c, {"law": "radiation", "emissivity_plus": 0.5, "emissivity_minus": 1.5}, "i")
    assert law is None and c.errors == [("i.emissivity_minus", "must be <= 1, got 1.5")]
    c = Checker()
    read_law(c, {"law": "radiation", "emissivity_plus": 0.5, "emissivity_minus": 0.5,
                 "geometry": "cone"}, "i")  # fmt: skip
    assert c.errors[0][0] == "i.geometry" and "plate, cylinder, sphere" in c.errors[0][1]


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: CincottiConductance(10.0, 20.0, 1e9, 2e9, 1e6, coefficient=0.0),
         r"coefficient \(1/m\) must be > 0, got 0.0"),
        (lambda: CincottiConductance(10.0, 20.0, 1e9, 2e9, -1.0), r"pressure \(Pa\) must be >= 0"),
        (lambda: ThinLayer(1e-4, 4.0, 2000.0, True), r"specific_heat \(J/\(kg K\)\) must be"),
        (lambda: fi.Resistance("1e-4"), r"resistance R \(m\^2 K/W\) must be a finite number"),
    ],
)  # fmt: skip
def test_the_checks_come_from_the_declaration(factory, match):
    with pytest.raises(InputError, match=match):
        factory()


def test_a_declaration_knows_its_kinds():
    with pytest.raises(ValueError, match="unknown kind"):
        LawParameter("x", "positive")


def test_laws_declare_their_kind():
    assert law_kind(fi.PerfectContact()) == "perfect"
    assert law_kind(fi.Resistance(1e-3)) == "constant"
    assert law_kind(fi.Conductance(lambda x: 1.0 + x[0])) == "position"
    assert law_kind(fi.Conductance(5.0)) == "constant"
    assert law_kind(GapRadiation(0.5, 0.5)) == "temperature"
    assert law_kind(KapitzaConductance("Cu", "sapphire")) == "temperature"
    assert law_kind(CincottiConductance(10.0, 20.0, 1e9, 2e9, 1e6)) == "constant"
    # a constant law's h is the number it declares, 1/R here
    assert constant_conductance(fi.Resistance(2e-3)) == pytest.approx(500.0, rel=1e-15)
    # a combination of constant laws: its conductance (the same at any temperature)
    both = ContactConductance(solid=fi.Resistance(1e-3), gas=fi.Conductance(20.0))
    assert law_kind(both) == "constant"
    assert constant_conductance(both) == pytest.approx(1020.0, rel=1e-15)
