"""The encounter loader: the input contract of issue 2, every bad field reported at once."""

from __future__ import annotations

import gc
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from encounter_factory import BASE, enc_dict, make

import coding.encounter as encounter_module
from coding.encounter import load_encounters, parse_encounter
from coding.encounter_procedures import SITES
from coding.errors import EncounterError
from coding.sites import SITES as RULE_SITES


def problems_of(data: object, **kw: object) -> list[tuple[str, str]]:
    with pytest.raises(EncounterError) as info:
        parse_encounter(data, "bad.json", **kw)  # type: ignore[arg-type]
    return info.value.problems


def paths(data: object) -> list[str]:
    return [p for p, _ in problems_of(data)]


def test_a_valid_encounter_reads_with_defaults() -> None:
    enc = make()
    assert enc.place_of_service == "11" and enc.frequency == "1" and enc.abn_on_file is False
    assert enc.diagnoses == ("L570",)
    assert enc.source == "test.json"
    assert enc.procedures[0].technique == "punch"


def test_site_vocabulary_is_the_rules_vocabulary() -> None:
    assert set(SITES) == set(RULE_SITES)


@pytest.mark.parametrize(
    ("changes", "path", "words"),
    [
        ({"claim_id": "has space"}, "claim_id", "letters, digits"),
        ({"claim_id": "A" * 21}, "claim_id", "20"),
        ({"claim_id": 12}, "claim_id", "text"),
        ({"date_of_service": "2026-02-30"}, "date_of_service", "real calendar date"),
        ({"date_of_service": "03/02/2026"}, "date_of_service", "YYYY-MM-DD"),
        ({"place_of_service": "1"}, "place_of_service", "two digits"),
        ({"payer": "aetna"}, "payer", "known companion guides"),
        ({"frequency": "7"}, "payer_claim_number", "missing"),
        ({"frequency": "9"}, "frequency", "one of 1, 7, 8"),
        ({"payer_claim_number": "123"}, "payer_claim_number", "only for a replacement"),
        ({"abn_on_file": "yes"}, "abn_on_file", "true or false"),
        ({"diagnoses": []}, "diagnoses", "must not be empty"),
        ({"diagnoses": ["L57.0", "l570"]}, "diagnoses[1]", "listed twice"),
        ({"diagnoses": ["57"]}, "diagnoses[0]", "not shaped"),
        ({"diagnoses": [f"L{n:02d}" for n in range(13)]}, "diagnoses", "at most 12"),
        ({"procedures": []}, "procedures", "must not be empty"),
        ({"unexpected": 1}, "unexpected", "unknown field"),
    ],
)
def test_top_level_problems_name_their_field(changes: dict, path: str, words: str) -> None:
    found = problems_of(enc_dict(**changes))
    assert any(p == path and words in m for p, m in found), found


@pytest.mark.parametrize(
    ("patient_change", "path", "words"),
    [
        ({"sex": "X"}, "patient.sex", "F, M, U"),
        ({"birth_date": "2027-01-01"}, "patient.birth_date", "after the date of service"),
        ({"member_id": ""}, "patient.member_id", "must not be empty"),
        ({"address": {"line1": "x", "city": "y", "state": "Illinois", "zip": "62704"}},
         "patient.address.state", "two-letter"),
        ({"address": {"line1": "x", "city": "y", "state": "IL", "zip": "6270"}},
         "patient.address.zip", "5 or 9 digits"),
        ({"address": {"city": "y", "state": "IL", "zip": "62704"}},
         "patient.address.line1", "missing"),
    ],
)
def test_patient_problems(patient_change: dict, path: str, words: str) -> None:
    patient = {**BASE["patient"], **patient_change}
    found = problems_of(enc_dict(patient=patient))
    assert any(p == path and words in m for p, m in found), found


def test_nine_digit_zip_keeps_digits_only() -> None:
    patient = {**BASE["patient"], "address": {**BASE["patient"]["address"], "zip": "62704-1234"}}
    assert make(patient=patient).patient.address.zip == "627041234"


def test_subscriber_needs_relationship_and_shape() -> None:
    sub = {**BASE["patient"], "relationship": "cousin"}
    found = problems_of(enc_dict(subscriber=sub))
    assert ("subscriber.relationship", "must be one of spouse, child, other; got 'cousin'") in found
    enc = make(subscriber={**BASE["patient"], "relationship": "child"})
    assert enc.subscriber is not None and enc.subscriber.relationship == "child"


def test_provider_npi_shape_is_a_loader_error_but_check_digit_is_not() -> None:
    assert paths(enc_dict(rendering_provider={"npi": "12345", "last_name": "a",
                                              "first_name": "b"})) == ["rendering_provider.npi"]
    enc = make(rendering_provider={"npi": "1234567890", "last_name": "a", "first_name": "b"})
    assert enc.rendering_provider is not None  # bad check digit → an engine error finding


P = "procedures[0]"


@pytest.mark.parametrize(
    ("procedure", "path", "words"),
    [
        ({"type": "zap"}, f"{P}.type", "one of office_visit"),
        ({"type": "biopsy"}, f"{P}.technique", "missing"),
        ({"type": "biopsy", "technique": "laser"}, f"{P}.technique", "tangential, punch"),
        ({"type": "biopsy", "technique": "punch", "site": "elbow"}, f"{P}.site", "scalp"),
        ({"type": "biopsy", "technique": "punch", "laterality": "both"}, f"{P}.laterality", "left"),
        ({"type": "biopsy", "technique": "punch", "count": 2}, f"{P}.count", "unknown field"),
        ({"type": "biopsy", "technique": "punch", "diagnoses": ["L82.1"]}, f"{P}.diagnoses[0]",
         "not on the claim's diagnoses"),
        ({"type": "destruction", "lesion_class": "premalignant", "count": 0, "method": "cryo"},
         f"{P}.count", ">= 1"),
        ({"type": "destruction", "lesion_class": "premalignant", "count": -3, "method": "cryo"},
         f"{P}.count", ">= 1"),
        ({"type": "destruction", "lesion_class": "premalignant", "count": 2.5, "method": "cryo"},
         f"{P}.count", "whole number"),
        ({"type": "destruction", "lesion_class": "malignant", "count": 1, "method": "cryo"},
         f"{P}.lesion_cm", "missing"),
        ({"type": "destruction", "lesion_class": "cancer", "count": 1, "method": "cryo"},
         f"{P}.lesion_class", "premalignant, benign, malignant"),
        ({"type": "skin_tag_removal", "count": True}, f"{P}.count", "whole number"),
        ({"type": "shave", "lesion_cm": 0}, f"{P}.lesion_cm", "> 0"),
        ({"type": "shave", "lesion_cm": "big"}, f"{P}.lesion_cm", "number"),
        ({"type": "excision", "behavior": "benign", "lesion_cm": 1, "margin_cm": -0.1},
         f"{P}.margin_cm", ">= 0"),
        ({"type": "excision", "behavior": "odd", "lesion_cm": 1, "margin_cm": 0},
         f"{P}.behavior", "benign, malignant"),
        ({"type": "excision", "behavior": "benign", "lesion_cm": 1, "margin_cm": 0.1,
          "repair": {"complexity": "layered", "length_cm": 2}}, f"{P}.repair.complexity",
         "simple, intermediate"),
        ({"type": "repair", "complexity": "simple", "length_cm": 0}, f"{P}.length_cm", "> 0"),
        ({"type": "mohs", "stages": []}, f"{P}.stages", "must not be empty"),
        ({"type": "mohs", "stages": [2, 0]}, f"{P}.stages[1]", ">= 1"),
        ({"type": "intralesional", "lesions": 2}, f"{P}.drug", "missing"),
        ({"type": "injection", "route": "iv", "drug": {"hcpcs": "J3357", "ndc": "57894-060-03",
          "dose": 45, "dose_unit": "mg"}}, f"{P}.route", "subcutaneous"),
        ({"type": "pathology", "code": "88305", "specimens": 1}, f"{P}.in_house", "missing"),
        ({"type": "phototherapy", "code": "96999"}, f"{P}.code", "96900"),
        ({"type": "office_visit", "code": "99201", "separately_identifiable": True},
         f"{P}.code", "99202"),
        ({"type": "office_visit", "code": "99213"}, f"{P}.separately_identifiable", "missing"),
        ({"type": "other", "code": "ABC"}, f"{P}.code", "CPT or HCPCS"),
        ({"type": "other", "code": "10060", "modifiers": ["25", "XYZ"]}, f"{P}.modifiers[1]",
         "two-character"),
    ],
)
def test_procedure_problems(procedure: dict, path: str, words: str) -> None:
    found = problems_of(enc_dict(procedures=[procedure]))
    assert any(p == path and words in m for p, m in found), found


DRUG = {"hcpcs": "J3301", "ndc": "0003-0293-05", "dose": 20, "dose_unit": "mg"}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"hcpcs": "3301"}, "hcpcs", "HCPCS"),
        ({"ndc": "0003029305"}, "ndc", "10-digit NDC written with its hyphens"),
        ({"ndc": "003-0293-05"}, "ndc", "4-4-2"),
        ({"ndc": "00003-0293-05-1"}, "ndc", "4-4-2"),
        ({"dose": 0}, "dose", "> 0"),
        ({"dose_unit": "tabs"}, "dose_unit", "mg, mcg"),
        ({"wasted": -1}, "wasted", ">= 0"),
        ({"ndc_quantity": 1}, "ndc_unit", "go together"),
        ({"ndc_unit": "ML"}, "ndc_quantity", "go together"),
        ({"ndc_quantity": 1, "ndc_unit": "OZ"}, "ndc_unit", "UN, ML"),
        ({"single_dose": "no"}, "single_dose", "true or false"),
        ({"strength": "10 mg/mL"}, "strength", "unknown field"),
    ],
)
def test_drug_problems(change: dict, field: str, words: str) -> None:
    proc = {"type": "intralesional", "lesions": 2, "drug": {**DRUG, **change}}
    found = problems_of(enc_dict(procedures=[proc]))
    assert any(p == f"{P}.drug.{field}" and words in m for p, m in found), found


@pytest.mark.parametrize("ndc", ["0003-0293-05", "00003-0293-05", "00003029305",
                                 "50090-293-05", "50090-2930-5"])
def test_good_ndc_shapes(ndc: str) -> None:
    proc = {"type": "intralesional", "lesions": 2, "drug": {**DRUG, "ndc": ndc}}
    assert make(procedures=[proc]).procedures[0].drug.ndc == ndc  # type: ignore[union-attr]


def test_every_bad_field_is_reported_at_once() -> None:
    data = enc_dict(
        claim_id="bad id!", date_of_service="2026-13-01",
        diagnoses=["L57.0", "ZZ"],
        procedures=[
            {"type": "shave", "lesion_cm": -1},
            {"type": "excision", "behavior": "benign", "lesion_cm": 1, "margin_cm": "x"},
            {"type": "destruction", "lesion_class": "benign", "count": -2, "method": "cryo"},
        ],
    )
    found = paths(data)
    for expected in ("claim_id", "date_of_service", "diagnoses[1]", "procedures[0].lesion_cm",
                     "procedures[1].margin_cm", "procedures[2].count"):
        assert expected in found


def test_sizes_and_doses_are_decimal_never_float(tmp_path: Path) -> None:
    data = enc_dict(procedures=[
        {"type": "shave", "lesion_cm": 0.6, "site": "back"},
        {"type": "excision", "behavior": "benign", "lesion_cm": 1, "margin_cm": "0.2",
         "site": "back"},
        {"type": "intralesional", "lesions": 2, "drug": {**DRUG, "dose": 12.5}},
    ])
    path = tmp_path / "e.json"
    path.write_text(json.dumps(data))
    enc = load_encounters(path)[0]
    shave, excision, inj = enc.procedures
    assert shave.lesion_cm == Decimal("0.6") and isinstance(shave.lesion_cm, Decimal)
    assert excision.lesion_cm == Decimal(1) and excision.margin_cm == Decimal("0.2")
    assert inj.drug is not None and inj.drug.dose == Decimal("12.5")


def test_icd10_codes_are_normalized(tmp_path: Path) -> None:
    enc = make(diagnoses=[" c44.311 ", "L57.0"],
               procedures=[{"type": "biopsy", "technique": "punch", "diagnoses": ["C44311"]}])
    assert enc.diagnoses == ("C44311", "L570")
    assert enc.procedures[0].diagnoses == ("C44311",)


# ------------------------------------------------------------------------------- files


def write(tmp_path: Path, text: str, name: str = "enc.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_json_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, '{\n  "claim_id": "A-1",\n  "payer": medicare\n}')
    with pytest.raises(EncounterError) as info:
        load_encounters(path)
    text = str(info.value)
    assert str(path) in text and "line 3 column 12" in text


@pytest.mark.parametrize("text", ["NaN", '{"claim_id": Infinity}'])
def test_nan_and_infinity_are_rejected(tmp_path: Path, text: str) -> None:
    with pytest.raises(EncounterError, match="not valid JSON"):
        load_encounters(write(tmp_path, text))


def test_array_paths_carry_the_index_and_duplicates_are_caught(tmp_path: Path) -> None:
    good = enc_dict()
    bad = enc_dict(claim_id="T-2", procedures=[{"type": "shave"}])
    dup = enc_dict()
    path = write(tmp_path, json.dumps([good, bad, dup, 7]))
    with pytest.raises(EncounterError) as info:
        load_encounters(path)
    found = [p for p, _ in info.value.problems]
    assert found == ["[1].procedures[0].lesion_cm", "[2].claim_id", "[3]"]


def test_array_of_good_encounters_and_bom(tmp_path: Path) -> None:
    data = [enc_dict(), enc_dict(claim_id="T-2")]
    path = tmp_path / "two.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(data).encode())
    assert [e.claim_id for e in load_encounters(path)] == ["T-1", "T-2"]


@pytest.mark.parametrize("text", ["[]", '"just text"', "3"])
def test_top_level_must_hold_encounters(tmp_path: Path, text: str) -> None:
    with pytest.raises(EncounterError):
        load_encounters(write(tmp_path, text))


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(EncounterError, match="cannot read"):
        load_encounters(tmp_path / "missing.json")
    path = tmp_path / "latin.json"
    path.write_bytes(b'{"claim_id": "\xff"}')
    with pytest.raises(EncounterError, match="UTF-8"):
        load_encounters(path)


def test_payer_override_replaces_and_may_stand_in_for_the_file_payer() -> None:
    data = enc_dict()
    del data["payer"]
    assert parse_encounter(data, "x.json", payer="commercial").payer == "commercial"
    assert problems_of(data) == [("payer", "missing (required)")]


def test_messages_carry_no_patient_data() -> None:
    patient = {**BASE["patient"], "birth_date": "2030-01-01", "sex": "X"}
    text = str(EncounterError("bad.json", problems_of(enc_dict(patient=patient))))
    for secret in ("Testcase", "1EG4TE5MK73", "2030-01-01", "1 Test Street"):
        assert secret not in text


def test_codes_and_modifiers_are_upper_cased() -> None:
    enc = make(procedures=[
        {"type": "other", "code": "j7308", "modifiers": ["jz"]},
        {"type": "intralesional", "lesions": 1, "drug": {**DRUG, "hcpcs": "j3301"}}])
    assert enc.procedures[0].code == "J7308" and enc.procedures[0].modifiers == ("JZ",)
    assert enc.procedures[1].drug is not None and enc.procedures[1].drug.hcpcs == "J3301"


def test_unknown_payer_override_is_reported() -> None:
    found = problems_of(enc_dict(), payer="nosuch")
    assert found[0][0] == "payer" and "payer override" in found[0][1]


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path,
                                                             enabled: bool) -> None:
    """The collector is paused during a load (coding.encounter.load_encounters) and set back
    afterwards, also when the file is refused; a caller that disabled it keeps it off."""
    sample = Path(__file__).resolve().parent.parent / "samples/encounters/01-em25-biopsies.json"
    broken = tmp_path / "broken.json"
    broken.write_text('{"claim_id": ')
    seen: list[bool] = []
    real_read = encounter_module._read

    def read(path: Any, payer: Any) -> Any:
        seen.append(gc.isenabled())
        return real_read(path, payer)

    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(encounter_module, "_read", read)
            assert load_encounters(sample)[0].claim_id == "DC-1001"
            assert gc.isenabled() is enabled
            with pytest.raises(EncounterError):
                load_encounters(broken)
            assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    assert seen == [False, False]
