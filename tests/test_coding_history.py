"""Global surgical periods across dates: the patient's earlier services decide 24, 58, 78, 79
(CPT Appendix A; CMS Claims Processing Manual ch. 12 §40.1-40.2), the Mohs-day diagnostic
biopsy with no prior pathology takes 59 (LCD billing article A56515), and the CLI reads the
history from the store's recorded claims without ever creating a store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from encounter_factory import enc_dict, make

from coding.engine import code_encounter
from coding.history import PriorService, global_window
from dermclaim.cli import main

ROOT = Path(__file__).resolve().parent.parent
NPI = "1234567893"  # encounter_factory's rendering provider


def coded(claim: Any) -> list[tuple[str, tuple[str, ...]]]:
    return [(line.code, line.modifiers) for line in claim.lines]


def found(claim: Any) -> list[str]:
    return [f.code for f in claim.findings]


def excised(day: date, code: str = "11642", period: str = "010", dx: str = "C44319",
            npi: str | None = NPI) -> PriorService:
    return PriorService(code=code, day=day, global_period=period, provider_npi=npi,
                        diagnoses=(dx,), claim_id="DC-900", line=1)


VISIT = {"type": "office_visit", "code": "99213", "separately_identifiable": True}


def test_global_windows() -> None:
    # 10-day: day of + 10 after; 90-day: the day before, the day of, 90 after
    assert global_window(excised(date(2026, 3, 2))) == (date(2026, 3, 2), date(2026, 3, 12))
    major = excised(date(2026, 3, 2), "14040", "090")
    assert global_window(major) == (date(2026, 3, 1), date(2026, 5, 31))
    assert global_window(excised(date(2026, 3, 2), "11102", "000")) is None


def test_unrelated_visit_in_a_global_takes_24_and_cites_the_claim() -> None:
    c = code_encounter(make(diagnoses=["L40.0"], procedures=[dict(VISIT)]),
                       history=[excised(date(2026, 2, 24))])
    assert coded(c) == [("99213", ("24",))]
    assert "DC-900" in c.lines[0].rationale and "11642 on 2026-02-24" in c.lines[0].rationale


def test_related_visit_in_a_global_is_postoperative_care() -> None:
    c = code_encounter(make(diagnoses=["C44.319"], procedures=[dict(VISIT)]),
                       history=[excised(date(2026, 2, 24))])
    assert c.lines == () and "POSTOP_VISIT_INCLUDED" in found(c)


def test_after_the_global_nothing_applies() -> None:
    c = code_encounter(make(diagnoses=["L40.0"], procedures=[dict(VISIT)]),
                       history=[excised(date(2026, 2, 19))])  # day 11 after a 10-day global
    assert coded(c) == [("99213", ())]


def test_another_providers_global_does_not_apply() -> None:
    c = code_encounter(make(diagnoses=["L40.0"], procedures=[dict(VISIT)]),
                       history=[excised(date(2026, 2, 24), npi="1245319599")])
    assert coded(c) == [("99213", ())]


def destruction(**kw: Any) -> dict[str, Any]:
    return {"type": "destruction", "lesion_class": "premalignant", "count": 1,
            "method": "cryo", "site": "arm", **kw}


def test_unrelated_procedure_in_a_global_takes_79() -> None:
    # new AKs destroyed within 10 days of an excision (domain-facts §7 example)
    c = code_encounter(make(diagnoses=["L57.0"], procedures=[destruction()]),
                       history=[excised(date(2026, 2, 26))])
    assert coded(c) == [("17000", ("79",))]


def test_staged_reexcision_takes_58() -> None:
    c = code_encounter(make(diagnoses=["C44.319"], procedures=[
        {"type": "excision", "behavior": "malignant", "lesion_cm": "1.0", "margin_cm": "0.4",
         "site": "cheek", "staged": True}]), history=[excised(date(2026, 2, 24))])
    assert coded(c) == [("11642", ("58",))]


def test_return_for_a_complication_takes_78() -> None:
    c = code_encounter(make(diagnoses=["C44.319"], procedures=[
        {"type": "repair", "complexity": "intermediate", "length_cm": "3.0", "site": "cheek",
         "complication": True}]), history=[excised(date(2026, 2, 27), "14040", "090")])
    assert coded(c) == [("12052", ("78",))]


def test_related_procedure_without_a_reason_is_flagged() -> None:
    c = code_encounter(make(diagnoses=["C44.319"], procedures=[
        {"type": "excision", "behavior": "malignant", "lesion_cm": "1.0", "margin_cm": "0.4",
         "site": "cheek"}]), history=[excised(date(2026, 2, 24))])
    assert coded(c) == [("11642", ())] and "POSTOP_PROCEDURE_RELATED" in found(c)


def mohs_day(prior: bool | None) -> Any:
    biopsy: dict[str, Any] = {"type": "biopsy", "technique": "tangential", "site": "nose"}
    frozen: dict[str, Any] = {"type": "pathology", "code": "88331", "specimens": 1,
                              "in_house": True, "site": "nose"}
    if prior is not None:
        biopsy["prior_pathology"] = frozen["prior_pathology"] = prior
    return code_encounter(make(diagnoses=["C44.311"], procedures=[
        {"type": "mohs", "stages": [3], "site": "nose"}, biopsy, frozen]))


def test_mohs_day_diagnostic_biopsy_without_prior_pathology_takes_59() -> None:
    c = mohs_day(prior=False)
    assert ("11102", ("59",)) in coded(c) and ("88331", ("59",)) in coded(c)
    assert "MOHS_DIAGNOSTIC_59" in found(c)


def test_mohs_day_biopsy_with_prior_pathology_is_part_of_the_mohs() -> None:
    c = mohs_day(prior=True)
    assert [code for code, _ in coded(c)] == ["17311"]


# ------------------------------------------------------------------ from the store


def write(tmp: Path, name: str, data: dict[str, Any]) -> Path:
    path = tmp / name
    path.write_text(json.dumps(data))
    return path


def test_code_reads_the_history_from_the_store(tmp_path: Path) -> None:
    first = enc_dict(claim_id="H-1", date_of_service="2026-03-02", diagnoses=["C44.319"],
                     procedures=[{"type": "excision", "behavior": "malignant",
                                  "lesion_cm": "1.0", "margin_cm": "0.4", "site": "cheek"}])
    url = f"sqlite:///{tmp_path}/store.db"
    runner = CliRunner()
    r = runner.invoke(main, ["claims", str(write(tmp_path, "first.json", first)),
                             "--practice", str(ROOT / "samples" / "practice.toml"),
                             "-o", str(tmp_path / "c.837"), "--db", url,
                             "--now", "2026-03-03T09:00:00"])
    assert r.exit_code == 0, r.output
    follow = enc_dict(claim_id="H-2", date_of_service="2026-03-09", diagnoses=["L40.0"],
                      procedures=[dict(VISIT)])
    path = write(tmp_path, "follow.json", follow)
    r = runner.invoke(main, ["code", str(path), "--db", url, "--json"])
    assert r.exit_code == 0, r.output
    lines = json.loads(r.output)["lines"]
    assert lines[0]["code"] == "99213" and lines[0]["modifiers"] == ["24"]
    assert "H-1" in lines[0]["rationale"]


def test_code_never_creates_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    path = write(tmp_path, "v.json", enc_dict(diagnoses=["L40.0"], procedures=[dict(VISIT)]))
    r = CliRunner().invoke(main, ["code", str(path), "--db", f"sqlite:///{missing}"])
    assert r.exit_code == 0, r.output
    assert not missing.exists()


def test_new_contract_fields_survive_the_store_round_trip() -> None:
    # encounter_json is how corrections and the history re-read a sent encounter
    from coding.encounter import encounter_to_dict, parse_encounter

    enc = make(diagnoses=["C44.319", "D48.5"], abn_on_file=False, bill_excluded=True,
               procedures=[
                   {"type": "office_visit", "code": "99213", "separately_identifiable": True,
                    "decision_for_surgery": True},
                   {"type": "biopsy", "technique": "punch", "site": "finger", "digit": 2,
                    "laterality": "left", "lesion": "A", "prior_pathology": False,
                    "abn": True, "staged": True},
                   {"type": "biopsy", "technique": "punch", "site": "eyelid",
                    "laterality": "right", "eyelid": "upper", "special_site": "eyelid_margin"},
                   {"type": "adjacent_tissue_transfer", "defect_sq_cm": "8.5", "site": "cheek",
                    "complication": True},
                   {"type": "destruction", "lesion_class": "malignant", "lesion_cm": "0.7",
                    "site": "back", "method": "ED&C"},
               ])
    again = parse_encounter(json.loads(json.dumps(encounter_to_dict(enc))), enc.source or "")
    assert again == enc
