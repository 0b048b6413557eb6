"""Round 3 rules: a re-excision keeps the malignant code (CPT Assistant May 2012; AAPC),
G2211 not with a 25 visit for Medicare (CY 2025 PFS final rule; MLN MM13473), anatomic
modifiers on every line that documents a digit or eyelid (HCPCS; A52998), drugs without a
HCPCS of their own (J3590 × 1, NDC, SV101-7), the PDT drug's waste (J7345 + JW), the
Kenalog-10 5 mL multi-dose vial, and two separately documented 96372 injections."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
from claim_builders import claim, line, render, segments
from encounter_factory import enc_dict, make

from coding.encounter import encounter_to_dict, parse_encounter
from coding.engine import code_encounter
from edi.validate import validate_text


def coded(diagnoses: list[str], *procedures: dict[str, Any], payer: str = "medicare") -> Any:
    return code_encounter(make(payer=payer, diagnoses=diagnoses, procedures=list(procedures)))


def mods(claim: Any) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(ln.code, ln.units, ln.modifiers) for ln in claim.lines]


def found(claim: Any) -> list[str]:
    return [f.code for f in claim.findings]


# ------------------------------------------------------------------ re-excision


def excision(behavior: str = "benign", **fields: Any) -> dict[str, Any]:
    return {"type": "excision", "behavior": behavior, "site": "cheek", "lesion_cm": "1.2",
            "margin_cm": "0.4", **fields}  # excised diameter 2.0 cm: 114x2 / 116x2 face


def test_re_excision_of_a_bcc_with_a_clear_specimen_is_coded_malignant() -> None:
    c = coded(["C44.319"], excision(re_excision=True,
                                    repair={"complexity": "intermediate", "length_cm": "4"}))
    assert [ln.code for ln in c.lines] == ["11642", "12052"]
    assert "REEXCISION_MALIGNANT" in found(c)
    assert "CPT Assistant May 2012" in c.lines[0].rationale


def test_staged_benign_excision_pointing_to_c44_is_coded_malignant_with_a_warning() -> None:
    # the engine coded 11442 + repair (issue 20)
    c = coded(["C44.319"], excision(staged=True))
    assert [ln.code for ln in c.lines] == ["11642"]
    warn = next(f for f in c.findings if f.code == "REEXCISION_ASSUMED")
    assert warn.severity.value == "warning" and "C44.319" in warn.message


@pytest.mark.parametrize("dx", ["C43.31", "D03.39", "D04.39"])
def test_melanoma_and_in_situ_diagnoses_are_malignant_for_the_re_excision(dx: str) -> None:
    c = coded([dx], excision(re_excision=True))
    assert [ln.code for ln in c.lines] == ["11642"]


def test_re_excision_without_a_malignant_diagnosis_stays_benign_and_asks() -> None:
    c = coded(["D22.39"], excision(re_excision=True))
    assert [ln.code for ln in c.lines] == ["11442"]
    assert "REEXCISION_DIAGNOSIS" in found(c)


def test_a_benign_excision_pointing_to_a_malignancy_is_flagged_not_recoded() -> None:
    c = coded(["C44.319"], excision())
    assert [ln.code for ln in c.lines] == ["11442"]
    assert "BEHAVIOR_DIAGNOSIS_MISMATCH" in found(c)


def test_small_re_excision_keeps_its_intermediate_repair() -> None:
    # NCCI: a benign excision <= 0.5 cm includes its repair; a malignant one does not
    small = excision(lesion_cm="0.3", margin_cm="0.1", re_excision=True,
                     repair={"complexity": "intermediate", "length_cm": "2"})
    c = coded(["C44.319"], small)
    assert [ln.code for ln in c.lines] == ["11640", "12051"]  # 0.3 + 2 × 0.1 = 0.5 cm


def test_re_excision_round_trips_through_the_contract() -> None:
    enc = make(diagnoses=["C44.319"], procedures=[excision(re_excision=True)])
    assert parse_encounter(encounter_to_dict(enc), "test.json") == enc
    plain = make(diagnoses=["D22.39"], procedures=[excision()])
    assert "re_excision" not in encounter_to_dict(plain)["procedures"][0]


# ------------------------------------------------------------------ G2211

VISIT = {"type": "office_visit", "code": "99214", "separately_identifiable": True}
BIOPSY = {"type": "biopsy", "technique": "tangential", "site": "back"}
G2211 = {"type": "other", "code": "G2211"}


def test_g2211_is_not_billed_to_medicare_with_a_25_visit() -> None:
    c = coded(["D48.5"], VISIT, BIOPSY, G2211)
    assert mods(c) == [("99214", 1, ("25",)), ("11102", 1, ())]
    warn = next(f for f in c.findings if f.code == "G2211_WITH_25")
    assert warn.severity.value == "warning" and "MM13473" in warn.message


@pytest.mark.parametrize("beside", ["G0438", "G0439", "G0008", "G0009", "G0010"])
def test_g2211_with_25_beside_awv_or_vaccine_administration(beside: str) -> None:
    c = coded(["D48.5"], VISIT, BIOPSY, G2211, {"type": "other", "code": beside})
    assert ("G2211", 1, ()) in mods(c) and "G2211_WITH_25" not in found(c)


def test_g2211_without_25_is_billed() -> None:
    c = coded(["L40.0"], VISIT, G2211)
    assert mods(c) == [("99214", 1, ()), ("G2211", 1, ())]


def test_g2211_goes_with_its_visit_when_the_visit_is_not_billed() -> None:
    c = coded(["D48.5"], {**VISIT, "separately_identifiable": False}, BIOPSY, G2211)
    assert [ln.code for ln in c.lines] == ["11102"]
    assert "G2211_WITHOUT_EM" in found(c)


def test_g2211_with_25_stays_for_a_commercial_payer_with_a_note() -> None:
    c = coded(["D48.5"], VISIT, BIOPSY, G2211, payer="commercial")
    assert ("G2211", 1, ()) in mods(c)
    assert next(f for f in c.findings if f.code == "G2211_WITH_25").severity.value == "info"


# ------------------------------------------------------------------ anatomic modifiers


@pytest.mark.parametrize(("code", "site", "digit", "side", "modifier"), [
    ("11750", "toe", 1, "left", "TA"), ("11750", "toe", 5, "right", "T9"),
    ("11730", "finger", 1, "right", "F5"), ("11765", "toe", 2, "left", "T1"),
    ("11760", "finger", 3, "left", "F2"), ("11755", "toe", 4, "right", "T8")])
def test_nail_procedures_through_other_take_the_digit_modifier(
        code: str, site: str, digit: int, side: str, modifier: str) -> None:
    c = coded(["L60.0"], {"type": "other", "code": code, "site": site, "digit": digit,
                          "laterality": side})
    assert mods(c) == [(code, 1, (modifier,))]


def test_two_nails_are_two_lines_told_apart_by_their_digits() -> None:
    c = coded(["L60.0"], {"type": "other", "code": "11750", "site": "toe", "digit": 1,
                          "laterality": "right"},
              {"type": "other", "code": "11750", "site": "toe", "digit": 2,
               "laterality": "right"})
    assert mods(c) == [("11750", 1, ("T5",)), ("11750", 1, ("T6",))]
    assert "DUPLICATE_LINE" not in found(c)


def test_a_nail_code_without_its_digit_draws_a_warning() -> None:
    c = coded(["L60.0"], {"type": "other", "code": "11730", "site": "toe"})
    warn = next(f for f in c.findings if f.code == "ANATOMIC_MISSING")
    assert warn.path == "procedures[0].digit"


def test_eyelid_code_through_other_takes_e1_to_e4() -> None:
    c = coded(["D23.111"], {"type": "other", "code": "67840", "site": "eyelid",
                            "eyelid": "lower", "laterality": "right"})
    assert mods(c) == [("67840", 1, ("E4",))]


def test_a_written_anatomic_modifier_that_disagrees_is_flagged_not_doubled() -> None:
    c = coded(["L60.0"], {"type": "other", "code": "11750", "site": "toe", "digit": 1,
                          "laterality": "left", "modifiers": ["T5"]})
    assert mods(c) == [("11750", 1, ("T5",))] and "ANATOMIC_CONFLICT" in found(c)


def test_other_lines_take_lt_rt_where_the_payer_requires_it() -> None:
    c = coded(["L72.0"], {"type": "other", "code": "10060", "site": "arm",
                          "laterality": "left"}, payer="commercial")
    assert mods(c) == [("10060", 1, ("LT",))]


# ------------------------------------------------------------------ drugs

DUPIXENT = {"hcpcs": "J3590", "ndc": "0024-5911-01", "dose": 300, "dose_unit": "mg",
            "ndc_quantity": 2, "ndc_unit": "ML"}


def test_noc_biologic_is_j3590_times_one_with_ndc_and_description() -> None:
    # the engine stopped on "no billing unit" (issue 20)
    c = coded(["L20.9"], {"type": "injection", "route": "subcutaneous", "drug": DUPIXENT},
              payer="commercial")
    assert mods(c) == [("96372", 1, ()), ("J3590", 1, ())]
    noc = c.lines[1]
    assert noc.drug is not None and (noc.drug.ndc, noc.drug.quantity, noc.drug.unit) == (
        "00024591101", Decimal(2), "ML")
    assert noc.description == "dupilumab (Dupixent) 300 mg/2 mL 300 mg NDC 00024591101"
    assert not c.has_errors


def test_noc_description_from_the_note_wins_and_is_required_without_a_table_row() -> None:
    unknown = {**DUPIXENT, "ndc": "12345-6789-01"}
    c = coded(["L20.9"], {"type": "injection", "route": "subcutaneous", "drug": unknown},
              payer="commercial")
    assert c.has_errors and "NOC_DESCRIPTION_MISSING" in found(c)
    described = {**unknown, "description": "tralokinumab 150 mg/mL"}
    c = coded(["L20.9"], {"type": "injection", "route": "subcutaneous", "drug": described},
              payer="commercial")
    assert not c.has_errors
    assert c.lines[1].description == "tralokinumab 150 mg/mL 300 mg NDC 12345678901"


def test_noc_single_dose_for_medicare_jz_or_a_jw_line() -> None:
    none = coded(["L20.9"], {"type": "injection", "route": "subcutaneous",
                             "drug": {**DUPIXENT, "wasted": 0}})
    assert mods(none)[1] == ("J3590", 1, ("JZ",))
    some = coded(["L20.9"], {"type": "injection", "route": "subcutaneous",
                             "drug": {**DUPIXENT, "dose": 200, "wasted": 100}})
    assert mods(some)[1:] == [("J3590", 1, ()), ("J3590", 1, ("JW",))]
    assert "discarded" in (some.lines[2].description or "")


def test_pdt_gel_bills_used_units_and_a_jw_line_for_the_rest_of_the_tube() -> None:
    # Ameluz 2 g tube = 2000 mg = 200 units of J7345 (per 10 mg); 1 g used, 1 g discarded
    ameluz = {"hcpcs": "J7345", "ndc": "70621-0101-01", "dose": 1000, "dose_unit": "mg",
              "wasted": 1000, "ndc_quantity": 1, "ndc_unit": "GR"}
    c = coded(["L57.0"], {"type": "phototherapy", "code": "96573", "drug": ameluz})
    assert mods(c) == [("96573", 1, ()), ("J7345", 100, ()), ("J7345", 100, ("JW",))]


def test_pdt_gel_with_nothing_discarded_is_jz() -> None:
    ameluz = {"hcpcs": "J7345", "ndc": "70621-0101-01", "dose": 2000, "dose_unit": "mg",
              "wasted": 0, "ndc_quantity": 2, "ndc_unit": "GR"}
    c = coded(["L57.0"], {"type": "phototherapy", "code": "96573", "drug": ameluz})
    assert mods(c) == [("96573", 1, ()), ("J7345", 200, ("JZ",))]


def test_a_drug_code_passed_through_other_is_flagged() -> None:
    c = coded(["L57.0"], {"type": "phototherapy", "code": "96573"},
              {"type": "other", "code": "J7345", "units": 200})
    assert "DRUG_THROUGH_OTHER" in found(c)


def test_kenalog_10_five_ml_vial_is_known_multi_dose() -> None:
    kenalog = {"hcpcs": "J3301", "ndc": "0003-0494-20", "dose": 20, "dose_unit": "mg",
               "wasted": 5, "ndc_quantity": 2, "ndc_unit": "ML"}
    c = coded(["L91.0"], {"type": "intralesional", "lesions": 2, "site": "chest",
                          "drug": kenalog})
    assert mods(c) == [("11900", 1, ()), ("J3301", 2, ())]
    assert "CONTAINER_UNKNOWN" not in found(c) and "MULTI_DOSE_NO_JW" in found(c)


def test_two_documented_im_injections_are_one_96372_line_with_two_units() -> None:
    kenalog = {"hcpcs": "J3301", "ndc": "0003-0494-20", "dose": 40, "dose_unit": "mg"}
    dex = {"hcpcs": "J1100", "ndc": "63323-0165-01", "dose": 4, "dose_unit": "mg",
           "single_dose": False}
    c = coded(["L30.9"], {"type": "injection", "route": "intramuscular", "drug": kenalog},
              {"type": "injection", "route": "intramuscular", "drug": dex},
              payer="commercial")
    assert [x for x in mods(c) if x[0] == "96372"] == [("96372", 2, ())]
    assert "DUPLICATE_LINE" not in found(c)


# ------------------------------------------------------------------ 837P SV101-7


def test_837p_writes_the_noc_description_in_sv101_7_and_validates() -> None:
    noc = attrs.evolve(line(2, "J3590", "25", ptrs=(1,), mods=("JZ",)),
                       description="dupilumab (Dupixent) 300 mg/2 mL 300 mg NDC 00024591101")
    text = render([claim(lines=(line(1, "96372", "60"), noc))]).text
    segs = segments(text)
    assert ("SV1*HC:J3590:JZ::::DUPILUMAB (DUPIXENT) 300 MG/2 ML 300 MG NDC 00024591101"
            "*25*UN*1***1") in segs
    assert "SV1*HC:96372*60*UN*1***1" in segs
    report = validate_text(text, "test.837")
    assert report.ok, [f.describe() for f in report.findings]


def test_noc_drug_description_round_trips_through_the_contract() -> None:
    data = enc_dict(diagnoses=["L20.9"], procedures=[
        {"type": "injection", "route": "subcutaneous",
         "drug": {**DUPIXENT, "description": "dupilumab 300 mg/2 mL"}}])
    enc = parse_encounter(data, "t.json")
    assert parse_encounter(encounter_to_dict(enc), "t.json") == enc


def test_a_drug_documented_on_an_other_procedure_is_billed_from_its_dose() -> None:
    ameluz = {"hcpcs": "J7345", "ndc": "70621-0101-01", "dose": 1500, "dose_unit": "mg",
              "wasted": 500, "ndc_quantity": "1.5", "ndc_unit": "GR"}
    c = coded(["L57.0"], {"type": "phototherapy", "code": "96574"},
              {"type": "other", "code": "J7345", "drug": ameluz})
    assert mods(c) == [("96574", 1, ()), ("J7345", 150, ()), ("J7345", 50, ("JW",))]
    assert "DRUG_THROUGH_OTHER" not in found(c)


def test_two_96372_through_other_are_one_line_with_two_units() -> None:
    c = coded(["L30.9"], {"type": "other", "code": "96372"}, {"type": "other", "code": "96372"},
              payer="commercial")
    assert mods(c) == [("96372", 2, ())] and "DUPLICATE_LINE" not in found(c)


def test_an_other_injection_or_test_takes_no_side() -> None:
    c = coded(["L30.9"], {"type": "other", "code": "96372", "site": "arm",
                          "laterality": "left"}, payer="commercial")
    assert mods(c) == [("96372", 1, ())]
