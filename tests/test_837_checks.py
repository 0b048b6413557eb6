"""Our checks beyond pyx12: claims held before writing, and structural checks on X12 text
for the problems pyx12 4.0 lets through (reference/pyx12-notes.md)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs
import pytest
from claim_builders import NOW, claim, kenalog, line, render, rendering

from coding.model import Finding, LineDrug, Provider, Severity
from companion_guides import get_guide
from edi.validate import validate_text
from edi.x837p.checks import claim_problems
from edi.x837p.submit import prepare
from edi.x837p.text_checks import check_text

MEDICARE = get_guide("medicare")
COMMERCIAL = get_guide("commercial")


def _problems(c, guide=MEDICARE) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(claim_problems(c, guide, NOW))


def test_a_good_claim_has_no_problems() -> None:
    assert claim_problems(claim(), MEDICARE, NOW) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (dict(lines=(line(1, "11102", "240", units=0),)), "units must be at least 1"),
        (dict(lines=(line(1, "11102", "240", ptrs=(3,)),)), "pointer is past the 2"),
        (dict(lines=(line(1, "11102", "240", ptrs=(1, 2, 1)),)), "1 to 4 distinct"),
        (dict(lines=(line(1, "11102", "240", mods=("XX",)),)), "'XX' is not a CPT/HCPCS"),
        (dict(lines=(line(1, "11102", "0"),)), "charge must be greater than 0"),
        (dict(lines=(attrs.evolve(line(1, "11102", "240"), charge=None),)),
         "no fee for 11102 in the practice file"),
        (dict(lines=()), "no billable service lines"),
        (dict(diagnoses=("L57.0",)), "'L57.0' is not an ICD-10-CM code without a dot"),
        (dict(lines=(line(1, "J3301", "16", drug=LineDrug("0003029328", Decimal(1), "ML")),)),
         "NDC must be 11 digits"),
        (dict(lines=(line(1, "J3301", "16", drug=LineDrug("00003029328", Decimal(0), "ML")),)),
         "NDC quantity must be greater than 0"),
        (dict(lines=(line(1, "11102", "240"), line(2, "11103", "135"))), None),
    ],
)
def test_line_and_claim_problems(change: dict, expected: str | None) -> None:  # type: ignore[type-arg]
    c = claim()
    c = attrs.evolve(c, **change)
    problems = _problems(c)
    if expected is None:
        assert problems == ""
    else:
        assert expected in problems


def test_encounter_level_problems() -> None:
    assert "needs the payer's claim number (REF*F8)" in _problems(claim(frequency="7"))
    assert "frequency '3' must be 1, 7 or 8" in _problems(claim(frequency="3"))
    assert "after the file date" in _problems(claim(date_of_service=date(2026, 4, 1)))
    bad_npi = Provider("1245319598", "LINDQVIST", "MAREN")
    assert "rendering provider NPI fails the check digit" in _problems(
        claim(rendering_provider=bad_npi))
    assert _problems(claim(rendering_provider=rendering())) == ""
    assert "claim id must be 1-20" in _problems(claim(claim_id="X" * 21))


def test_medicare_patient_is_always_the_subscriber() -> None:
    from claim_builders import spouse_subscriber

    c = claim(subscriber=spouse_subscriber())
    assert "Medicare: the beneficiary is always the subscriber" in _problems(c, MEDICARE)
    assert _problems(claim(payer="commercial", subscriber=spouse_subscriber()), COMMERCIAL) == ""


def test_error_findings_hold_the_claim_and_warnings_do_not() -> None:
    err = Finding(Severity.ERROR, "MUE", "17004 billed twice")
    warn = Finding(Severity.WARNING, "LATERALITY", "consider RT")
    assert "MUE: 17004 billed twice" in _problems(attrs.evolve(claim(), findings=(err,)))
    assert _problems(attrs.evolve(claim(), findings=(warn,))) == ""


def test_ndc_required_by_commercial_on_j_codes_only() -> None:
    plain = claim(payer="commercial", lines=(line(1, "J3301", "16", units=4),))
    assert "commercial requires the NDC" in _problems(plain, COMMERCIAL)
    assert _problems(plain, MEDICARE) == ""
    with_ndc = claim(payer="commercial", lines=(line(1, "J3301", "16", drug=kenalog()),))
    assert _problems(with_ndc, COMMERCIAL) == ""


def test_prepare_holds_with_reasons_and_duplicate_claim_ids() -> None:
    good, bad = claim("DC-1"), claim("DC-2", lines=(line(1, "11102", "240", units=0),))
    dup = claim("DC-1")
    prepared = prepare([good, bad, dup], datetime(2026, 3, 5))
    assert [h.claim_id for h in prepared.held] == ["DC-2", "DC-1"]
    assert prepared.held[0].describe() == ("DC-2.json: claim DC-2 held: line 1 (11102): "
                                           "units must be at least 1")
    assert "also used by DC-1.json" in prepared.held[1].describe()
    assert len(prepared.parts) == 1


# ------------------------------------------------------------- the X12 text checks


@pytest.fixture(scope="module")
def clean_text() -> str:
    c = claim(rendering_provider=rendering(), lines=(
        line(1, "99213", "220", mods=("25",)), line(2, "11102", "240", ptrs=(2,)),
        line(3, "J3301", "16", units=4, drug=kenalog())))
    c2 = claim("DC-2", payer="commercial", lines=(
        line(1, "J3301", "16", units=4, drug=kenalog(), claim_id="DC-2"),),
        subscriber=__import__("claim_builders").spouse_subscriber())
    return render([c, c2]).text


def test_clean_text_has_no_problems(clean_text: str) -> None:
    assert check_text(clean_text) == []


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("HL*2*1*22*0", "HL*2*1*22*1", "HL04"),  # child flag without a child
        ("HL*2*1*22*1", "HL*2*1*22*0", "HL04"),  # child follows, flag says none
        ("SBR*P********CI", "SBR*P*18*******CI", "SBR02"),
        ("SBR*P*18*******MB", "SBR*P********MB", "SBR02"),
        ("CLM*DC-1*476*", "CLM*DC-1*477*", "CLM02_SUM"),
        ("SV1*HC:11102*240*UN*1***2", "SV1*HC:11102*240*UN*1***3", "POINTER"),
        ("HI*ABK:L570*ABF:D485", "HI*ABK:L57.0*ABF:D485", "ICD10"),
        ("HI*ABK:L570*ABF:D485", "HI*BK:L570*ABF:D485", "HI_QUAL"),
        ("XX*1245319599", "XX*1245319598", "NPI"),
        ("N4*SPRINGFIELD*IL*627031234", "N4*SPRINGFIELD*IL*62703", "ZIP9"),
        ("LIN**N4*00003029328", "LIN**N4*0003029328", "NDC11"),
        ("SV1*HC:11102*240*UN*1*", "SV1*HC:11102*240*UN*0*", "UNITS"),
        ("ST*837*0001*005010X222A1", "ST*837*0001", "ST03"),
        ("REF*6R*DC-1-2", "REF*6R*DC-1-1", "REF6R_DUP"),
        ("CLM*DC-2*", "CLM*DC-1*", "CLM01_DUP"),
        ("NM1*IL*1*OKAFOR*JAMES****MI*W123456789~\n",
         "NM1*IL*1*OKAFOR*JAMES****MI*W123456789~\nDMG*D8*19460201*M~\n",
         "SUBSCRIBER_DEMOGRAPHICS"),
    ],
)
def test_each_blind_spot_of_pyx12_is_caught(clean_text: str, old: str, new: str,
                                            code: str) -> None:
    assert old in clean_text
    bad = clean_text.replace(old, new, 1)
    problems = check_text(bad)
    assert code in {p.code for p in problems}, problems
    found = next(p for p in problems if p.code == code)
    assert found.segment_number > 0 and found.segment_id
    # and validate_text reports it with the rest (pyx12 alone would not)
    report = validate_text(bad, "bad.837")
    assert any(f.code == code and f.checker == "dermclaim" for f in report.findings)
    assert not report.ok


def test_isa_not_fixed_width_is_caught(clean_text: str) -> None:
    bad = clean_text.replace("SPRDERM01      *", "SPRDERM01*", 1)
    assert "ISA_WIDTH" in {p.code for p in check_text(bad)}


def test_a_replacement_that_would_split_is_held() -> None:
    lines = tuple(line(n, "11102", "240", procedure=n) for n in range(1, 52))
    c = claim(lines=lines, frequency="7", payer_claim_number="PCN1")
    prepared = prepare([c], datetime(2026, 3, 5))
    assert prepared.parts == ()
    assert "replace each part of the original separately" in prepared.held[0].describe()
