"""Families a coder bills by the session's documented total, at their CPT boundaries: nail
debridement 11720 (1-5) / 11721 (6+), I&D 10060 (single) / 10061 (multiple or complicated),
excimer 96920 (< 250) / 96921 (250-500) / 96922 (> 500 sq cm), vascular lesions 17106 (< 10)
/ 17107 (10-50) / 17108 (> 50 sq cm), patch tests 95044 and photo-patch 95052 (one unit per
test), skin tags 11200 (up to 15) + 11201 per further 10 or part, acne 10040/17340/17360 once
per session, hidradenitis 11450-11471 by region and closure."""

from __future__ import annotations

from typing import Any

import pytest
from encounter_factory import make
from hypothesis import given, settings
from hypothesis import strategies as st

from coding.engine import code_encounter
from coding.errors import EncounterError
from coding.tables import count_families, hidradenitis_codes


def coded(diagnoses: list[str], *procedures: dict[str, Any], payer: str = "medicare") -> Any:
    return code_encounter(make(payer=payer, diagnoses=diagnoses, procedures=list(procedures)))


def lines(claim: Any) -> list[tuple[str, int]]:
    return [(line.code, line.units) for line in claim.lines]


def found(claim: Any) -> list[str]:
    return [f.code for f in claim.findings]


def other(code: str, **fields: Any) -> dict[str, Any]:
    return {"type": "other", "code": code, **fields}


# ---------------------------------------------------------------- nail debridement


@pytest.mark.parametrize(("nails", "code"), [(1, "11720"), (5, "11720"), (6, "11721"),
                                             (10, "11721")])
def test_nail_debridement_by_the_count_of_nails(nails: int, code: str) -> None:
    c = coded(["B35.1"], other("11720", count=nails, site="toe"))
    assert lines(c) == [(code, 1)]
    assert not c.has_errors


@pytest.mark.parametrize(("left", "right", "code"), [(2, 3, "11720"), (3, 3, "11721"),
                                                     (4, 4, "11721")])
def test_nails_of_both_feet_are_one_line_for_the_total(left: int, right: int,
                                                       code: str) -> None:
    # the engine billed two 11720 lines for eight nails (issue 20)
    c = coded(["B35.1"], other("11720", count=left, site="toe", laterality="left"),
              other("11720", count=right, site="toe", laterality="right"))
    assert lines(c) == [(code, 1)]
    line = c.lines[0]
    assert f"{left + right} nail(s)" in line.rationale and "A52998" in line.rationale


def test_a_documented_11721_for_five_nails_is_recoded_11720() -> None:
    c = coded(["B35.1"], other("11721", count=5, site="toe"))
    assert lines(c) == [("11720", 1)] and "FAMILY_RECODED" in found(c)


def test_nails_without_a_count_keep_the_documented_bracket_and_say_so() -> None:
    c = coded(["B35.1"], other("11721", site="toe"), other("11720", count=2, site="toe"))
    assert lines(c) == [("11721", 1)]
    missing = [f for f in c.findings if f.code == "MEASURE_MISSING"]
    assert len(missing) == 1 and missing[0].path == "procedures[0].count"


# ---------------------------------------------------------------- incision and drainage


def test_one_abscess_is_10060() -> None:
    assert lines(coded(["L02.212"], other("10060", site="back"))) == [("10060", 1)]


def test_two_abscesses_are_one_10061_not_two_10060() -> None:
    c = coded(["L02.212", "L02.416"], other("10060", site="back"),
              other("10060", site="thigh", diagnoses=["L02.416"]))
    assert lines(c) == [("10061", 1)]
    assert set(c.lines[0].diagnosis_pointers) == {1, 2}


@pytest.mark.parametrize(("count", "complicated", "code"),
                         [(1, False, "10060"), (2, False, "10061"), (1, True, "10061")])
def test_incision_and_drainage_single_multiple_complicated(count: int, complicated: bool,
                                                           code: str) -> None:
    c = coded(["L02.212"], other("10060", count=count, complicated=complicated, site="back"))
    assert lines(c) == [(code, 1)]


# ---------------------------------------------------------------- excimer laser


@pytest.mark.parametrize(("area", "code"), [("249", "96920"), ("249.9", "96920"),
                                            ("250", "96921"), ("500", "96921"),
                                            ("500.1", "96922"), ("501", "96922")])
def test_excimer_by_total_area(area: str, code: str) -> None:
    c = coded(["L40.0"], {"type": "phototherapy", "code": "96920", "area_sq_cm": area})
    assert lines(c) == [(code, 1)]


def test_excimer_areas_of_one_session_are_summed() -> None:
    # the engine billed 96920 twice for 200 + 150 sq cm (issue 20)
    c = coded(["L40.0"], {"type": "phototherapy", "code": "96920", "area_sq_cm": "200"},
              {"type": "phototherapy", "code": "96920", "area_sq_cm": "150"})
    assert lines(c) == [("96921", 1)]
    assert "350 sq cm" in c.lines[0].rationale


def test_other_phototherapy_codes_are_unchanged() -> None:
    c = coded(["L40.0"], {"type": "phototherapy", "code": "96910", "units": 2})
    assert lines(c) == [("96910", 2)]


# ---------------------------------------------------------------- vascular lesions


@pytest.mark.parametrize(("area", "code"), [("9", "17106"), ("9.9", "17106"), ("10", "17107"),
                                            ("50", "17107"), ("50.5", "17108"),
                                            ("51", "17108")])
def test_vascular_lesion_destruction_by_area(area: str, code: str) -> None:
    c = coded(["I78.1"], other("17106", area_sq_cm=area, site="cheek"))
    assert lines(c) == [(code, 1)]


# ---------------------------------------------------------------- patch tests


@pytest.mark.parametrize("allergens", [1, 36, 80])
def test_patch_tests_one_unit_per_allergen(allergens: int) -> None:
    c = coded(["L23.9"], other("95044", count=allergens))
    assert lines(c) == [("95044", allergens)]
    assert "UNKNOWN_CODE" not in found(c)


def test_patch_test_series_of_a_session_are_added() -> None:
    c = coded(["L23.9"], other("95044", count=35), other("95044", count=10))
    assert lines(c) == [("95044", 45)]


def test_photo_patch_tests_and_patch_tests_are_separate_families() -> None:
    c = coded(["L56.8"], other("95044", count=20), other("95052", count=12))
    assert lines(c) == [("95044", 20), ("95052", 12)]


# ---------------------------------------------------------------- skin tags


@pytest.mark.parametrize(("tags", "expected"), [
    (15, [("11200", 1)]), (16, [("11200", 1), ("11201", 1)]),
    (25, [("11200", 1), ("11201", 1)]), (26, [("11200", 1), ("11201", 2)]),
    (35, [("11200", 1), ("11201", 2)]), (36, [("11200", 1), ("11201", 3)])])
def test_skin_tags_through_other_and_the_typed_procedure_agree(
        tags: int, expected: list[tuple[str, int]]) -> None:
    why = "bleeding, irritated by clothing"
    by_other = coded(["L91.8"], other("11200", count=tags, site="neck",
                                      medical_necessity=why))
    typed = coded(["L91.8"], {"type": "skin_tag_removal", "count": tags, "site": "neck",
                              "medical_necessity": why})
    assert lines(by_other) == lines(typed) == expected


# ---------------------------------------------------------------- acne, once per session


@pytest.mark.parametrize("code", ["10040", "17340", "17360"])
def test_acne_procedures_once_per_session(code: str) -> None:
    c = coded(["L70.0"], other(code, site="face"), other(code, site="back"))
    assert lines(c) == [(code, 1)]


# ---------------------------------------------------------------- hidradenitis


@pytest.mark.parametrize(("region", "closure", "code"), [
    ("axillary", "simple", "11450"), ("axillary", "intermediate", "11450"),
    ("axillary", "complex", "11451"), ("inguinal", "intermediate", "11462"),
    ("inguinal", "complex", "11463"), ("perianal", "simple", "11470"),
    ("perineal", "complex", "11471"), ("umbilical", "intermediate", "11470")])
def test_hidradenitis_excision_by_region_and_closure(region: str, closure: str,
                                                     code: str) -> None:
    c = coded(["L73.2"], other("11450", region=region, closure=closure))
    assert lines(c) == [(code, 1)]


def test_hidradenitis_both_axillae_are_two_lines_with_their_side() -> None:
    c = coded(["L73.2"], other("11451", site="axilla", laterality="left", closure="complex"),
              other("11451", site="axilla", laterality="right", closure="complex"),
              payer="commercial")
    assert [(ln.code, ln.modifiers) for ln in c.lines] == [("11451", ("LT",)),
                                                            ("11451", ("RT",))]


def test_hidradenitis_without_closure_keeps_the_documented_code() -> None:
    c = coded(["L73.2"], other("11450", site="axilla"))
    assert lines(c) == [("11450", 1)]
    assert [f.path for f in c.findings if f.code == "MEASURE_MISSING"] == [
        "procedures[0].closure"]


# ---------------------------------------------------------------- contract and tables


def test_the_contract_rejects_a_region_outside_cpt_and_a_bad_count() -> None:
    with pytest.raises(EncounterError) as err:
        make(procedures=[other("11450", region="groin"), other("11720", count=0)])
    text = str(err.value)
    assert "procedures[0].region" in text and "procedures[1].count" in text


def test_every_family_row_is_a_known_code_with_a_source() -> None:
    from coding.edits.tables import known_codes

    for family, rows in count_families().items():
        assert rows, family
        for row in rows:
            assert row.code in known_codes() and row.source
    assert {code for code, _ in hidradenitis_codes().values()} <= known_codes()


# ---------------------------------------------------------------- codes written without counts


def test_a_documented_11721_without_a_count_is_not_downcoded_by_its_units() -> None:
    c = coded(["B35.1"], other("11721", units=1, site="toe"))
    assert lines(c) == [("11721", 1)] and "MEASURE_MISSING" in found(c)


def test_a_documented_10061_without_a_count_stays_10061() -> None:
    assert lines(coded(["L02.212"], other("10061", site="back"))) == [("10061", 1)]


def test_ten_060_with_two_units_is_two_abscesses() -> None:
    c = coded(["L02.212"], other("10060", units=2, site="back"))
    assert lines(c) == [("10061", 1)]


@pytest.mark.parametrize("addon_units", [1, 2, 3])
def test_skin_tag_codes_passed_through_keep_their_add_on_units(addon_units: int) -> None:
    why = "bleeding"
    c = coded(["L91.8"], other("11200", site="neck", medical_necessity=why),
              other("11201", units=addon_units, site="neck", medical_necessity=why))
    assert lines(c) == [("11200", 1), ("11201", addon_units)]


@pytest.mark.parametrize(("lesions", "code"), [(7, "11900"), (8, "11901")])
def test_intralesional_seven_and_eight_lesions(lesions: int, code: str) -> None:
    kenalog = {"hcpcs": "J3301", "ndc": "0003-0494-20", "dose": 10, "dose_unit": "mg"}
    c = coded(["L91.0"], {"type": "intralesional", "lesions": lesions, "site": "chest",
                          "drug": kenalog})
    assert lines(c)[0] == (code, 1)


# ---------------------------------------------------------------- properties (hypothesis)


def _excimer(total: int) -> str:  # CPT 96920-96922, computed independently of the table
    return "96920" if total < 250 else "96921" if total <= 500 else "96922"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 400), min_size=1, max_size=4))
def test_property_excimer_code_follows_the_summed_area(areas: list[int]) -> None:
    c = coded(["L40.0"], *({"type": "phototherapy", "code": "96920", "area_sq_cm": a}
                           for a in areas))
    assert lines(c) == [(_excimer(sum(areas)), 1)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=4))
def test_property_nails_one_line_by_the_summed_count(counts: list[int]) -> None:
    c = coded(["B35.1"], *(other("11720", count=n, site="toe") for n in counts))
    assert lines(c) == [("11721" if sum(counts) >= 6 else "11720", 1)]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 120))
def test_property_skin_tag_units(tags: int) -> None:
    c = coded(["L91.8"], other("11200", count=tags, site="neck", medical_necessity="bleeding"))
    extra = -(-(tags - 15) // 10) if tags > 15 else 0
    assert lines(c) == [("11200", 1)] + ([("11201", extra)] if extra else [])


def test_nail_units_above_one_are_the_count() -> None:
    # 11720 is billed once a session: "11720 × 4" on each foot documents four nails each
    c = coded(["B35.1"], other("11720", units=4, site="toe", laterality="left"),
              other("11720", units=4, site="toe", laterality="right"))
    assert lines(c) == [("11721", 1)] and "COUNT_FROM_UNITS" in found(c)


def test_a_count_less_nail_procedure_still_counts_as_one_nail() -> None:
    c = coded(["B35.1"], other("11720", site="toe"), other("11720", count=5, site="toe"))
    assert lines(c) == [("11721", 1)] and "MEASURE_MISSING" in found(c)
