"""Dermatology services beyond the first families, each from its CPT/HCPCS descriptor or the
guidance cited: site-specific biopsies, chemodenervation for hyperhidrosis, preventive visits
with a problem visit, PDT with debridement, and the codes the tables now know."""

from __future__ import annotations

from typing import Any

import pytest
from encounter_factory import make

from coding.edits.tables import global_period, known_codes
from coding.engine import code_encounter


def coded(claim: Any) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(line.code, line.units, line.modifiers) for line in claim.lines]


def found(claim: Any) -> list[str]:
    return [f.code for f in claim.findings]


@pytest.mark.parametrize(
    ("site", "special", "code"),
    # CPT parentheticals after 11102-11107; AAD "Biopsy coding in 2019, part 2" (vermilion is
    # mucosa, 40490), AAPC "Site-specific biopsy codes" (helix is external ear, 69100)
    [("lip", "lip_vermilion", "40490"), ("ear", None, "69100"),
     ("eyelid", "eyelid_margin", "67810"), ("finger", "nail_unit", "11755"),
     ("toe", "nail_unit", "11755")],
)
def test_site_specific_biopsies(site: str, special: str | None, code: str) -> None:
    proc: dict[str, Any] = {"type": "biopsy", "technique": "punch", "site": site}
    if special:
        proc["special_site"] = special
    c = code_encounter(make(diagnoses=["D48.5"], procedures=[proc]))
    assert coded(c) == [(code, 1, ())] and not c.has_errors
    assert global_period(code) == "000"


def test_skin_of_the_lip_is_a_skin_biopsy_and_special_sites_stay_out_of_the_hierarchy() -> None:
    # AAD DermWorld 2013-05: skin of the lip takes the integumentary biopsy codes
    c = code_encounter(make(diagnoses=["D48.5"], procedures=[
        {"type": "biopsy", "technique": "tangential", "site": "lip"},
        {"type": "biopsy", "technique": "punch", "site": "ear"},
        {"type": "biopsy", "technique": "tangential", "site": "back"},
    ]))
    # the ear biopsy is 69100, so the skin primary is the first tangential 11102 (+11103)
    assert [(code, units) for code, units, _ in coded(c)] == [
        ("69100", 1), ("11102", 1), ("11103", 1)]


def test_special_site_must_fit_the_site() -> None:
    c = code_encounter(make(diagnoses=["D48.5"], procedures=[
        {"type": "biopsy", "technique": "punch", "site": "back", "special_site": "nail_unit"}]))
    assert "SITE_MISMATCH" in found(c) and c.has_errors


def botox(route: str, dose: str, wasted: str, site: str = "axilla") -> dict[str, Any]:
    return {"type": "injection", "route": route, "site": site,
            "drug": {"hcpcs": "J0585", "ndc": "0023-1145-01", "dose": dose,
                     "dose_unit": "units", "wasted": wasted}}


def test_axillary_hyperhidrosis_chemodenervation_with_botox_wastage() -> None:
    # 64650 covers both axillae (one unit); J0585 per 1 unit; the 100-unit vial is single-dose
    # (Botox label), so 100 - 100 given → JZ; 50 given from it → 50 + JW 50
    c = code_encounter(make(diagnoses=["L74.510"], procedures=[
        botox("chemodenervation_axillae", "50", "0", "axilla"),
        botox("chemodenervation_axillae", "50", "0", "axilla")]))
    assert coded(c)[0] == ("64650", 1, ())
    assert ("J0585", 100, ("JZ",)) in coded(c)
    half = code_encounter(make(diagnoses=["L74.510"], procedures=[
        botox("chemodenervation_axillae", "50", "50")]))
    assert coded(half)[1:] == [("J0585", 50, ()), ("J0585", 50, ("JW",))]


def test_other_area_chemodenervation_is_per_day() -> None:
    c = code_encounter(make(diagnoses=["L74.519"], procedures=[
        botox("chemodenervation_other", "30", "0", "forehead"),
        botox("chemodenervation_other", "20", "0", "scalp")]))
    assert [(code, units) for code, units, _ in coded(c)][0] == ("64653", 1)


def visit(code: str, separate: bool | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "office_visit", "code": code,
                           "separately_identifiable": bool(separate)}
    return out


def test_preventive_visit_with_a_significant_problem_visit_takes_25() -> None:
    # CPT preventive medicine guidelines: a problem needing significant extra work is the
    # office E/M with modifier 25 beside the preventive code
    c = code_encounter(make(payer="commercial", diagnoses=["Z00.00", "L40.0"], procedures=[
        visit("99396"), visit("99213", separate=True)]))
    assert coded(c) == [("99396", 1, ()), ("99213", 1, ("25",))]


def test_problem_handled_within_the_preventive_visit_is_part_of_it() -> None:
    c = code_encounter(make(payer="commercial", diagnoses=["Z00.00"], procedures=[
        visit("99396"), visit("99213", separate=False)]))
    assert coded(c) == [("99396", 1, ())] and "EM_NOT_SEPARATE" in found(c)


def test_two_preventive_visits_are_an_error() -> None:
    c = code_encounter(make(payer="commercial", diagnoses=["Z00.00"], procedures=[
        visit("99396"), visit("99397")]))
    assert "EM_DUPLICATE" in found(c)


@pytest.mark.parametrize("code", ["96573", "96574"])
def test_pdt_through_the_phototherapy_type(code: str) -> None:
    # CPT 96573 (PDT, light by the physician) / 96574 (with debridement), per day
    c = code_encounter(make(diagnoses=["L57.0"], procedures=[
        {"type": "phototherapy", "code": code}]))
    assert coded(c) == [(code, 1, ())] and "UNKNOWN_PHOTOTHERAPY_CODE" not in found(c)


@pytest.mark.parametrize(
    ("code", "period"),
    [("13160", "090"), ("15100", "090"), ("15240", "090"), ("15260", "090"),
     ("11042", "000"), ("11450", "090"), ("11470", "090"), ("17106", "090"),
     ("17108", "090"), ("17340", "010"), ("17360", "010"), ("10060", "010"),
     ("10061", "010"), ("10120", "010"), ("11720", "000"), ("11730", "000"),
     ("11750", "010"), ("11755", "000"), ("11765", "010"), ("20552", "000"),
     ("96373", "XXX"), ("G2211", "XXX"), ("99242", "XXX"), ("99245", "XXX"),
     ("J9190", "XXX"), ("J1010", "XXX")],
)
def test_more_codes_are_known_with_their_global_period(code: str, period: str) -> None:
    assert code in known_codes() and global_period(code) == period


def test_a_known_90_day_code_through_other_makes_the_visit_57() -> None:
    c = code_encounter(make(diagnoses=["L73.2"], procedures=[
        {"type": "office_visit", "code": "99214", "separately_identifiable": False},
        {"type": "other", "code": "11450", "site": "axilla"}]))
    assert coded(c) == [("99214", 1, ("57",)), ("11450", 1, ())]
    assert "UNKNOWN_CODE" not in found(c)


def area_case(**proc: Any) -> list[tuple[str, int]]:
    c = code_encounter(make(diagnoses=["L97.212"], procedures=[proc]))
    assert not c.has_errors, [f.message for f in c.findings]
    return [(line.code, line.units) for line in c.lines]


@pytest.mark.parametrize(
    ("graft", "site", "area", "expected"),
    # CPT: split-thickness 15100/15120 first 100 sq cm, +15101/+15121 per further 100 or
    # part; full-thickness 15200/15220/15240/15260 first 20 sq cm, +15201/... per 20 or part
    [("split", "leg", "100", [("15100", 1)]), ("split", "back", "150", [("15100", 1),
                                                                         ("15101", 1)]),
     ("split", "scalp", "250", [("15120", 1), ("15121", 2)]),
     ("full", "back", "20", [("15200", 1)]), ("full", "arm", "21", [("15220", 1),
                                                                  ("15221", 1)]),
     ("full", "cheek", "5", [("15240", 1)]), ("full", "ear", "45", [("15260", 1),
                                                                  ("15261", 2)])],
)
def test_skin_grafts_by_type_site_and_area(graft: str, site: str, area: str,
                                           expected: list[tuple[str, int]]) -> None:
    assert area_case(type="graft", graft=graft, site=site, area_sq_cm=area) == expected


def test_debridement_areas_of_one_depth_are_summed() -> None:
    # CPT debridement guidelines: wounds of the same depth are added together
    c = code_encounter(make(diagnoses=["L97.212"], procedures=[
        {"type": "debridement", "depth": "subcutaneous", "area_sq_cm": "15", "site": "leg"},
        {"type": "debridement", "depth": "subcutaneous", "area_sq_cm": "10", "site": "foot"},
        {"type": "debridement", "depth": "muscle", "area_sq_cm": "5", "site": "leg"}]))
    assert [(line.code, line.units) for line in c.lines] == [
        ("11042", 1), ("11045", 1), ("11043", 1)]


def test_debridement_of_the_grafted_wound_is_included_another_wound_is_not() -> None:
    # debridement that prepares the recipient bed is part of the graft (CPT graft guidelines)
    def run(site2: str) -> list[tuple[str, tuple[str, ...]]]:
        c = code_encounter(make(diagnoses=["L97.212"], procedures=[
            {"type": "graft", "graft": "split", "area_sq_cm": "60", "site": "leg",
             "laterality": "right"},
            {"type": "debridement", "depth": "subcutaneous", "area_sq_cm": "15",
             "site": site2, "laterality": "right"}]))
        return [(line.code, line.modifiers) for line in c.lines]

    assert run("leg") == [("15100", ())]
    assert run("foot") == [("15100", ()), ("11042", ("XS",))]
