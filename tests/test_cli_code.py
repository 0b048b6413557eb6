"""`dermclaim code`: JSON shape, exit codes 0/1/2, clear messages, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from encounter_factory import enc_dict

from dermclaim.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "encounters" / "01-em25-biopsies.json"
STELARA = ROOT / "samples" / "encounters" / "06-stelara-injection-commercial.json"
PRACTICE = ROOT / "samples" / "practice.toml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["code", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, data: object, name: str = "enc.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_json_shape() -> None:
    code, out, _ = run(str(SAMPLE), "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["claim_id", "payer", "date_of_service", "diagnoses", "lines",
                          "findings"]
    assert data["claim_id"] == "DC-1001" and data["payer"] == "medicare"
    assert data["diagnoses"] == ["D49.2", "L57.0", "L30.9"]
    first = data["lines"][0]
    assert list(first) == ["line", "code", "modifiers", "units", "charge",
                           "diagnosis_pointers", "line_control_number", "drug", "rationale"]
    assert first["code"] == "99214" and first["modifiers"] == ["25"]
    assert isinstance(first["units"], int) and first["charge"] is None
    assert first["line_control_number"] == "DC-1001-1" and first["drug"] is None
    assert [ln["code"] for ln in data["lines"]] == ["99214", "11104", "11103"]


def test_json_with_practice_fees_and_drug_detail() -> None:
    code, out, _ = run(str(STELARA), "--practice", str(PRACTICE), "--json")
    assert code == 0
    data = json.loads(out)
    charges = [ln["charge"] for ln in data["lines"]]
    assert all(isinstance(c, str) and "." in c for c in charges)
    drug = next(ln["drug"] for ln in data["lines"] if ln["code"] == "J3357")
    assert drug == {"ndc": "57894006003", "quantity": "0.5", "unit": "ML"}


def test_human_table() -> None:
    code, out, _ = run(str(SAMPLE))
    assert code == 0
    assert "claim DC-1001" in out and "99214" in out and "25" in out and "11103" in out


def test_payer_option_overrides_the_file(tmp_path: Path) -> None:
    data = enc_dict(procedures=[{"type": "biopsy", "technique": "punch", "site": "arm",
                                 "laterality": "left"}])
    path = write(tmp_path, data)
    _, out, _ = run(path, "--json")
    assert json.loads(out)["lines"][0]["modifiers"] == []
    _, out, _ = run(path, "--guide", "commercial", "--json")
    parsed = json.loads(out)
    assert parsed["payer"] == "commercial" and parsed["lines"][0]["modifiers"] == ["LT"]
    code, _, err = run(path, "--guide", "nosuch")
    assert code == 2 and "--guide 'nosuch' is not known" in err
    # the old spelling still works, with a warning on stderr
    code, out, err = run(path, "--payer", "Commercial", "--json")
    assert code == 0 and json.loads(out)["payer"] == "commercial" and "deprecated" in err


def test_error_finding_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, enc_dict(diagnoses=["L82"],
                                    procedures=[{"type": "shave", "lesion_cm": 0.4,
                                                 "site": "back", "medical_necessity": "bleeding"}]))
    code, out, _ = run(path, "--json")
    assert code == 1
    assert any(f["severity"] == "error" and f["code"] == "ICD10_INVALID"
               for f in json.loads(out)["findings"])


def test_malformed_json_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '{\n  "claim_id": "A-1",\n  oops\n}')
    code, out, err = run(path)
    assert code == 2 and out == ""
    assert path in err and "line 3 column 3" in err


def test_every_bad_field_reported_at_once(tmp_path: Path) -> None:
    data = enc_dict(claim_id="no good!", procedures=[
        {"type": "excision", "behavior": "benign", "lesion_cm": 1, "margin_cm": -1},
        {"type": "destruction", "lesion_class": "benign", "count": -2, "method": "cryo"}])
    data["patient"]["address"]["zip"] = "12"
    code, _, err = run(write(tmp_path, data))
    assert code == 2
    for where in ("claim_id", "procedures[0].margin_cm", "procedures[1].count",
                  "patient.address.zip"):
        assert f": {where}:" in err
    assert "Testcase" not in err  # no patient data in messages


@pytest.mark.parametrize("args", [["/no/such/file.json"], []])
def test_missing_file_or_argument(args: list[str]) -> None:
    result = CliRunner().invoke(main, ["code", *args])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_bad_practice_file_exits_2(tmp_path: Path) -> None:
    practice = write(tmp_path, "[fees\n", "practice.toml")
    code, _, err = run(str(SAMPLE), "--practice", practice)
    assert code == 2 and "practice.toml" in err


def test_array_file_prints_a_json_array(tmp_path: Path) -> None:
    path = write(tmp_path, [enc_dict(), enc_dict(claim_id="T-2")])
    code, out, _ = run(path, "--json")
    assert code == 0 and [c["claim_id"] for c in json.loads(out)] == ["T-1", "T-2"]


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["code", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output


FIXTURES = Path(__file__).parent / "fixtures" / "encounters"


@pytest.mark.parametrize(
    ("name", "exit_code", "words"),
    [
        ("bad-fields.json", 2, ["claim_id", "date_of_service", "payer_claim_number",
                                "diagnoses[1]", "diagnoses[2]", "procedures[0].margin_cm",
                                "procedures[1].count", "procedures[2].drug.ndc",
                                "procedures[2].drug.dose", "procedures[3].stages[1]",
                                "procedures[4].site", "procedures[4].diagnoses[0]"]),
        ("malformed.json", 2, ["malformed.json", "line 4"]),
        ("non-billable-icd10.json", 1, ["ICD10_INVALID", "C44.112"]),
        ("bad-npi-check-digit.json", 1, ["NPI_CHECK_DIGIT"]),
        ("unknown-cpt.json", 1, ["UNKNOWN_CODE", "99999"]),
    ],
)
def test_bad_fixtures(name: str, exit_code: int, words: list[str]) -> None:
    code, out, err = run(str(FIXTURES / name))
    assert code == exit_code
    for word in words:
        assert word in out + err
