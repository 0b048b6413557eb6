"""Liability and anatomic modifiers the companion guides name, from CMS CR 6563 (GA, GY, GZ),
the ABN form instructions (one ABN item per service) and the HCPCS anatomic modifiers."""

from __future__ import annotations

from typing import Any

import pytest
from encounter_factory import make

from coding.engine import code_encounter


def coded(claim: Any) -> list[tuple[str, tuple[str, ...]]]:
    return [(line.code, line.modifiers) for line in claim.lines]


def found(claim: Any) -> list[str]:
    return [f.code for f in claim.findings]


def sk_shave(site: str, **kw: Any) -> dict[str, Any]:
    return {"type": "shave", "lesion_cm": "0.4", "site": site, "diagnoses": ["L82.1"], **kw}


def test_expected_denial_without_an_abn_takes_gz_on_medicare() -> None:
    c = code_encounter(make(diagnoses=["L82.1"], procedures=[sk_shave("back")]))
    assert coded(c) == [("11300", ("GZ",))]
    assert "COSMETIC_RISK" in found(c)


def test_commercial_payer_has_no_gz() -> None:
    c = code_encounter(make(payer="commercial", diagnoses=["L82.1"],
                            procedures=[sk_shave("back")]))
    assert coded(c) == [("11300", ())] and "COSMETIC_RISK" in found(c)


def test_abn_is_per_service() -> None:
    # the ABN names the shave on the back only: GA there, GZ on the chest shave
    c = code_encounter(make(diagnoses=["L82.1"], procedures=[
        sk_shave("back", abn=True), sk_shave("chest")]))
    assert coded(c) == [("11300", ("GA",)), ("11300", ("GZ",))]


def test_encounter_abn_still_covers_every_service() -> None:
    c = code_encounter(make(diagnoses=["L82.1"], abn_on_file=True, procedures=[
        sk_shave("back"), sk_shave("chest", abn=False)]))
    mods = [m for _, m in coded(c)]
    assert "GA" in mods[0] and "GZ" in mods[1]


def test_preventive_visit_to_medicare_is_statutorily_excluded_gy() -> None:
    # SSA 1862(a)(7): routine physicals are excluded; GY tells Medicare the patient is liable
    c = code_encounter(make(diagnoses=["Z00.00", "L40.0"], procedures=[
        {"type": "office_visit", "code": "99397", "separately_identifiable": False},
        {"type": "office_visit", "code": "99213", "separately_identifiable": True}]))
    assert coded(c) == [("99397", ("GY",)), ("99213", ("25",))]
    assert "STATUTORY_EXCLUSION" in found(c)


def test_consultation_codes_are_not_paid_by_medicare() -> None:
    c = code_encounter(make(diagnoses=["L40.0"], procedures=[
        {"type": "office_visit", "code": "99243", "separately_identifiable": False}]))
    assert "CODE_NOT_RECOGNIZED" in found(c) and c.has_errors
    ok = code_encounter(make(payer="commercial", diagnoses=["L40.0"], procedures=[
        {"type": "office_visit", "code": "99243", "separately_identifiable": False}]))
    assert coded(ok) == [("99243", ())] and not ok.has_errors


def test_cosmetic_service_sent_for_a_formal_denial_takes_gy() -> None:
    proc = sk_shave("back", cosmetic=True)
    kept_off = code_encounter(make(diagnoses=["L82.1", "L57.0"], procedures=[
        proc, {"type": "destruction", "lesion_class": "premalignant", "count": 1,
               "method": "cryo", "site": "face", "diagnoses": ["L57.0"]}]))
    assert [code for code, _ in coded(kept_off)] == ["17000"]
    sent = code_encounter(make(diagnoses=["L82.1"], bill_excluded=True, procedures=[proc]))
    assert coded(sent) == [("11300", ("GY",))]  # never GA/GZ beside GY


@pytest.mark.parametrize(
    ("site", "side", "where", "modifier"),
    # HCPCS: FA left thumb, F1-F4 left 2nd-5th, F5 right thumb, F6-F9 right 2nd-5th; toes
    # TA/T1-T4 left, T5/T6-T9 right; eyelids E1 upper left, E2 lower left, E3 upper right,
    # E4 lower right
    [("finger", "left", {"digit": 1}, "FA"), ("finger", "left", {"digit": 3}, "F2"),
     ("finger", "right", {"digit": 1}, "F5"), ("finger", "right", {"digit": 5}, "F9"),
     ("toe", "left", {"digit": 1}, "TA"), ("toe", "right", {"digit": 2}, "T6"),
     ("eyelid", "left", {"eyelid": "upper"}, "E1"), ("eyelid", "right", {"eyelid": "lower"},
                                                     "E4")],
)
def test_anatomic_modifiers(site: str, side: str, where: dict[str, Any], modifier: str) -> None:
    c = code_encounter(make(diagnoses=["D48.5"], procedures=[
        {"type": "shave", "lesion_cm": "0.4", "site": site, "laterality": side,
         "medical_necessity": "bleeding", **where}]))
    assert coded(c)[0][1] == (modifier,)


def test_two_digits_are_distinct_sites_for_ncci() -> None:
    c = code_encounter(make(diagnoses=["D48.5"], procedures=[
        {"type": "shave", "lesion_cm": "0.4", "site": "finger", "laterality": "left",
         "digit": 2, "medical_necessity": "bleeding"},
        {"type": "biopsy", "technique": "tangential", "site": "finger", "laterality": "left",
         "digit": 3}]))
    assert coded(c) == [("11102", ("XS", "F2")), ("11305", ("F1",))]


def test_digit_outside_a_finger_or_toe_is_refused() -> None:
    from coding.errors import EncounterError
    with pytest.raises(EncounterError, match="digit"):
        make(procedures=[{"type": "biopsy", "technique": "punch", "site": "back", "digit": 2}])
