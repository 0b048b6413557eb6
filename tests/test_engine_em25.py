"""E/M modifier 25 / 57 and the E/M left off: table-driven over what shares the claim."""

from __future__ import annotations

import pytest
from encounter_factory import make

from coding.engine import code_encounter
from coding.model import CodedClaim


def claim(em: str, separate: bool, codes: list[str]) -> CodedClaim:
    procs = [{"type": "office_visit", "code": em, "separately_identifiable": separate}]
    procs += [{"type": "other", "code": c, "site": "back"} for c in codes]
    return code_encounter(make(procedures=procs))


def em_line(c: CodedClaim, em: str):  # type: ignore[no-untyped-def]
    return next((line for line in c.lines if line.code == em), None)


@pytest.mark.parametrize(
    ("em", "separate", "codes", "modifiers", "finding"),
    [
        ("99214", True, ["11104"], ("25",), None),          # 0-day global
        ("99213", True, ["17000"], ("25",), None),          # 10-day global
        ("99213", True, ["11402"], ("25",), None),
        ("99203", True, ["11900"], ("25",), None),          # new patient, 000
        ("99213", True, ["96372"], ("25",), None),          # XXX but an NCCI pair bundles
        ("99213", True, ["88305"], (), None),               # pathology bundles nothing
        ("99213", True, ["J3301"], (), None),               # a drug bundles nothing
        ("99213", True, ["96910"], (), None),               # phototherapy (XXX)
        ("99213", False, ["88305"], (), "EM_NO_25"),
        ("99213", True, [], (), None),                      # visit alone
        ("99213", False, [], (), None),
        ("99213", True, ["14040"], ("57",), None),          # 90-day: decision for surgery
        ("99213", True, ["88305", "17110"], ("25",), None),
    ],
)
def test_em_modifier(em: str, separate: bool, codes: list[str], modifiers: tuple[str, ...],
                     finding: str | None) -> None:
    c = claim(em, separate, codes)
    line = em_line(c, em)
    assert line is not None and line.modifiers == modifiers
    found = [f.code for f in c.findings if f.code.startswith("EM_")]
    assert found == ([finding] if finding else [])


@pytest.mark.parametrize("codes", [["11104"], ["17000"], ["96372"], ["11900", "J3301"]])
def test_not_separately_identifiable_em_is_not_billed(codes: list[str]) -> None:
    c = claim("99213", False, codes)
    assert em_line(c, "99213") is None
    warning = next(f for f in c.findings if f.code == "EM_NOT_SEPARATE")
    assert warning.severity.value == "warning" and warning.procedure == 0
    assert codes[0] in warning.message and "separately identifiable" in warning.message
    assert not c.has_errors


def test_add_on_alone_does_not_decide_25() -> None:
    c = claim("99213", True, ["11103"])
    assert em_line(c, "99213").modifiers == ()  # type: ignore[union-attr]
    assert any(f.code == "ADDON_WITHOUT_PRIMARY" for f in c.findings)


def test_99211_with_96372_is_dropped_by_indicator_0() -> None:
    c = claim("99211", True, ["96372"])
    assert em_line(c, "99211") is None
    assert any(f.code == "NCCI_BUNDLED" and "99211" in f.message for f in c.findings)


def test_second_office_visit_is_an_error() -> None:
    procs = [{"type": "office_visit", "code": "99213", "separately_identifiable": True},
             {"type": "office_visit", "code": "99212", "separately_identifiable": True}]
    c = code_encounter(make(procedures=procs))
    assert c.has_errors and [f.code for f in c.findings] == ["EM_DUPLICATE"]
    assert [line.code for line in c.lines] == ["99213"]


def test_em_points_to_its_own_diagnosis() -> None:
    procs = [{"type": "office_visit", "code": "99214", "separately_identifiable": True,
              "diagnoses": ["L30.9"]},
             {"type": "biopsy", "technique": "punch", "site": "back"}]
    c = code_encounter(make(diagnoses=["D49.2", "L30.9"], procedures=procs))
    assert [(line.code, line.diagnosis_pointers) for line in c.lines] == [
        ("99214", (2,)), ("11104", (1,))]
