"""837P checks pyx12 does not make: names and addresses X12 can carry (Latin letters
folded, other scripts held), Medicare MBIs (CMS format), no PO Box in 2010AA (pay-to
2010AB instead)."""

from __future__ import annotations

import attrs
import pytest
from claim_builders import NOW, claim, person, render, segments
from hypothesis import given
from hypothesis import strategies as st
from test_837_practice import GOOD

from coding.model import Address
from companion_guides import get_guide
from edi.practice import PracticeError, parse_practice
from edi.x12.charset import fold, unmapped
from edi.x837p.checks import claim_problems
from edi.x837p.party_checks import is_mbi, is_po_box
from edi.x837p.segments import clean_text
from edi.x837p.submit import prepare
from edi.x837p.text_checks import check_text

MEDICARE = get_guide("medicare")
COMMERCIAL = get_guide("commercial")


@pytest.mark.parametrize(("name", "x12"), [
    ("Müller", "MULLER"), ("Ødegård", "ODEGARD"), ("Straße", "STRASSE"), ("Łukasz", "LUKASZ"),
    ("José Núñez", "JOSE NUNEZ"), ("O\u2019Brien", "O'BRIEN"), ("Anne\u2013Marie", "ANNE-MARIE"),
    ("Æsa Œlund", "AESA OELUND"), ("Đorđević", "DORDEVIC"), ("Mu\u0308ller", "MULLER"),
])
def test_latin_letters_fold_to_x12_text(name: str, x12: str) -> None:
    assert not unmapped(name)
    assert clean_text(name, 60) == x12


@pytest.mark.parametrize("name", ["Иванов", "王", "Παπαδόπουλος", "محمد", "Kim 김"])
def test_other_scripts_are_not_romanized(name: str) -> None:
    assert unmapped(name)
    assert fold("ab") == "ab"


def _with_patient(c, **fields):  # type: ignore[no-untyped-def]
    enc = c.encounter
    return attrs.evolve(c, encounter=attrs.evolve(enc, patient=attrs.evolve(enc.patient,
                                                                             **fields)))


def test_a_non_latin_name_holds_that_claim_only_and_names_the_field() -> None:
    bad = _with_patient(claim("DC-1"), last_name="Иванов")
    good = claim("DC-2")
    problems = claim_problems(bad, MEDICARE)
    assert any(p.startswith("patient.last_name has letters outside the Latin alphabet")
               for p in problems)
    assert not any("Иванов" in p for p in problems)
    prepared = prepare([bad, good], NOW)
    assert [h.claim_id for h in prepared.held] == ["DC-1"]
    assert [part.claim.encounter.claim_id for _, part in prepared.parts] == ["DC-2"]


def test_muller_is_written_muller() -> None:
    text = render([_with_patient(claim(), last_name="Müller")]).text
    assert "NM1*IL*1*MULLER*RUTH" in text


def test_an_address_with_no_letters_x12_can_carry_is_held() -> None:
    c = _with_patient(claim(), address=Address("東京", "AUSTIN", "TX", "78704"))
    assert any(p.startswith("patient.address.line1 has letters outside")
               for p in claim_problems(c, MEDICARE))


@pytest.mark.parametrize(("member_id", "ok"), [
    ("1EG4TE5MK73", True), ("9AA0AA0AA00", True), ("1A00A00AA00", True),
    ("12345", False), ("0EG4TE5MK73", False),  # position 1 is 1-9
    ("1SG4TE5MK73", False), ("1EG4TL5MK73", False), ("1EG4TE5MO73", False),  # S, L, O
    ("1EG4TE5IK73", False), ("1EG4BE5MK73", False), ("1EG4TE5MZ73", False),  # I, B, Z
    ("1EG4-TE5-MK73", False), ("1eg4te5mk73", False), ("1EG4TE5MK7", False),
    ("1EGATE5MK73", False),  # position 4 is numeric
])
def test_mbi_format(member_id: str, ok: bool) -> None:
    assert is_mbi(member_id) is ok


def test_medicare_claims_need_an_mbi_others_do_not() -> None:
    bad = attrs.evolve(claim(), encounter=attrs.evolve(claim().encounter,
                                                       patient=person(member="12345")))
    assert any("not a Medicare Beneficiary Identifier" in p for p in claim_problems(bad,
                                                                                    MEDICARE))
    assert not any("Medicare Beneficiary" in p for p in claim_problems(bad, COMMERCIAL))
    dashed = _with_patient(claim(), member_id="1EG4-TE5-MK73")
    assert any("remove the dashes" in p for p in claim_problems(dashed, MEDICARE))
    assert not any("12345" in p for p in claim_problems(bad, MEDICARE))


@pytest.mark.parametrize(("line", "po"), [
    ("PO BOX 1200", True), ("P.O. Box 1200", True), ("P O BOX 5", True), ("POB 12", True),
    ("Post Office Box 9", True), ("LOCKBOX 77", True), ("Lock Box 3", True),
    ("100 MAIN ST PMB 12", True), ("P0 BOX 1200", True), ("Box 44", True),
    ("100 MAIN ST", False), ("12 BOXWOOD LN", False), ("1 POBOY CT", False),
    ("PORTER BOXING CLUB 1 ELM", False),
])
def test_po_box(line: str, po: bool) -> None:
    assert is_po_box(line) is po


def test_practice_refuses_a_po_box_billing_address_and_takes_a_pay_to() -> None:
    with pytest.raises(PracticeError) as info:
        parse_practice(GOOD.replace('address1 = "1 MAIN ST"', 'address1 = "PO BOX 1200"'), "p")
    assert "billing_provider.address1: a PO Box" in str(info.value) and "[pay_to]" in str(
        info.value)
    p = parse_practice(GOOD + '\n[pay_to]\naddress1 = "PO BOX 1200"\ncity = "SPRINGFIELD"\n'
                       'state = "IL"\nzip = "62705"\n', "p")
    assert p.pay_to is not None and p.pay_to.zip == "62705"


def test_pay_to_is_written_as_loop_2010ab_after_2010aa(monkeypatch: pytest.MonkeyPatch) -> None:
    p = parse_practice(GOOD + '\n[pay_to]\naddress1 = "PO BOX 1200"\ncity = "SPRINGFIELD"\n'
                       'state = "IL"\nzip = "62705"\n', "p")
    monkeypatch.setattr("claim_builders.practice", lambda: p)
    segs = segments(render([claim()]).text)
    at = segs.index("NM1*87*2")
    assert segs[at - 1].startswith("REF*EI*")
    assert segs[at + 1: at + 3] == ["N3*PO BOX 1200", "N4*SPRINGFIELD*IL*62705"]
    assert segs[at + 3].startswith("HL*2*1*22")
    assert not [x for x in check_text(render([claim()]).text) if x.code == "BILLING_PO_BOX"]


def test_validate_flags_a_po_box_in_2010aa_and_a_non_mbi() -> None:
    text = render([claim()]).text
    assert "N3*1200 S 6TH ST*SUITE 300~\n" in text and "*MI*1EG4TE5MK73" in text
    text = text.replace("N3*1200 S 6TH ST*SUITE 300~\n", "N3*PO BOX 1200~\n")
    text = text.replace("*MI*1EG4TE5MK73", "*MI*12345")
    codes = {p.code: p for p in check_text(text)}
    assert codes["BILLING_PO_BOX"].loop == "2010AA"
    assert codes["MBI"].segment_id == "NM1" and "12345" not in codes["MBI"].message


def test_sample_medicare_ids_are_mbis() -> None:
    import json
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "samples" / "encounters"
    for path in folder.glob("*.json"):
        data = json.loads(path.read_text())
        if data.get("payer") == "medicare":
            assert is_mbi(data["patient"]["member_id"]), path.name


@given(st.text(alphabet=st.sampled_from("aZ09 -'.,_*~éßØ€²٣\u00a0\u0301"), max_size=8))
def test_letter_or_digit_test_agrees_with_isalnum(text: str) -> None:
    from edi.x837p.party_checks import _has_letter_or_digit

    assert _has_letter_or_digit(text) == any(c.isalnum() for c in text)
