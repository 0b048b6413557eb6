"""`dermclaim code FILE` on a batch (one patient's visits) gives the lines `dermclaim claims`
sends: each visit coded with the batch's earlier visits as history (58 / 79 / 24 inside the
10-day global of an excision), by the one function both use (`coding.batch.code_batch`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from encounter_factory import enc_dict

from coding.batch import code_batch
from coding.encounter import parse_encounter
from dermclaim.cli import main

ROOT = Path(__file__).resolve().parent.parent
PRACTICE = str(ROOT / "samples" / "practice.toml")
NOW = "2026-03-31T12:00:00"


def visits() -> list[dict[str, Any]]:
    """Day 1: a BCC of the cheek excised (11642, 10-day global). Day 9, same physician:
    the staged re-excision for margins (58), a punch biopsy of a new back lesion with another
    diagnosis (79), and a separately identifiable visit for dermatitis (25, and 24: unrelated
    to the excision)."""
    first = enc_dict(claim_id="B-1", date_of_service="2026-03-02", diagnoses=["C44.319"],
                     procedures=[{"type": "excision", "behavior": "malignant", "site": "cheek",
                                  "lesion_cm": "1.0", "margin_cm": "0.4"}])
    later = enc_dict(claim_id="B-2", date_of_service="2026-03-10",
                     diagnoses=["C44.319", "D48.5", "L30.9"], procedures=[
                         {"type": "office_visit", "code": "99213",
                          "separately_identifiable": True, "diagnoses": ["L30.9"]},
                         {"type": "excision", "behavior": "malignant", "site": "cheek",
                          "lesion_cm": "1.4", "margin_cm": "0.4", "staged": True,
                          "diagnoses": ["C44.319"]},
                         {"type": "biopsy", "technique": "punch", "site": "back",
                          "diagnoses": ["D48.5"]}])
    return [first, later]


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def code_lines(path: Path) -> list[tuple[str, str, tuple[str, ...], int]]:
    result = run("code", str(path), "--practice", PRACTICE, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return [(c["claim_id"], ln["code"], tuple(ln["modifiers"]), ln["units"])
            for c in data for ln in c["lines"]]


def sent_lines(path: Path, tmp_path: Path) -> list[tuple[str, str, tuple[str, ...], int]]:
    out = tmp_path / "out.837"
    result = run("claims", str(path), "--practice", PRACTICE, "-o", str(out),
                 "--db", f"sqlite:///{tmp_path}/store.db", "--now", NOW)
    assert result.exit_code == 0, result.output
    sent: list[tuple[str, str, tuple[str, ...], int]] = []
    claim_id = ""
    for seg in out.read_text().replace("\n", "").split("~"):
        parts = seg.split("*")
        if parts[0] == "CLM":
            claim_id = parts[1]
        elif parts[0] == "SV1":
            composite = parts[1].split(":")
            sent.append((claim_id, composite[1], tuple(m for m in composite[2:6] if m),
                         int(parts[4])))
    return sent


def test_code_on_a_batch_file_shows_what_claims_sends(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(visits()))
    previewed = code_lines(path)
    assert ("B-2", "11643", ("58",), 1) in previewed  # 1.4 + 0.8 = 2.2 cm
    # XS: the NCCI pair with the excision, at another site; 79: a new problem in the global
    assert ("B-2", "11104", ("XS", "79"), 1) in previewed
    assert ("B-2", "99213", ("25", "24"), 1) in previewed
    assert sorted(previewed) == sorted(sent_lines(path, tmp_path))


def test_visits_out_of_date_order_in_the_file_are_coded_in_date_order(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(list(reversed(visits()))))
    previewed = code_lines(path)
    assert [c for c, *_ in previewed][:1] == ["B-2"]  # the file's order is kept for output
    assert ("B-2", "11643", ("58",), 1) in previewed
    assert sorted(previewed) == sorted(sent_lines(path, tmp_path))


def test_a_held_claim_opens_no_global_period() -> None:
    first, later = visits()
    first["procedures"].append({"type": "other", "code": "99999"})  # unknown code: held
    encs = [parse_encounter(first, "b.json", 0), parse_encounter(later, "b.json", 1)]
    claims = code_batch(encs)
    assert claims[0].has_errors
    assert all(not {"58", "79", "24"} & set(ln.modifiers) for ln in claims[1].lines)


def test_another_patients_visits_are_not_history() -> None:
    first, later = visits()
    first["patient"] = {**first["patient"], "member_id": "9ZZ9ZZ9ZZ99"}
    encs = [parse_encounter(first, "b.json", 0), parse_encounter(later, "b.json", 1)]
    claims = code_batch(encs)
    assert all(not {"58", "79", "24"} & set(ln.modifiers) for ln in claims[1].lines)


def test_code_shows_the_noc_description_sent_in_sv101_7(tmp_path: Path) -> None:
    enc = enc_dict(claim_id="D-1", diagnoses=["L20.9"], payer="commercial", procedures=[
        {"type": "injection", "route": "subcutaneous",
         "drug": {"hcpcs": "J3590", "ndc": "0024-5911-01", "dose": 300, "dose_unit": "mg",
                  "ndc_quantity": 2, "ndc_unit": "ML"}}])
    path = tmp_path / "noc.json"
    path.write_text(json.dumps(enc))
    result = run("code", str(path), "--practice", PRACTICE, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    noc = next(ln for ln in data["lines"] if ln["code"] == "J3590")
    assert noc["units"] == 1 and noc["drug"] == {"ndc": "00024591101", "quantity": "2",
                                                 "unit": "ML"}
    assert noc["description"] == "dupilumab (Dupixent) 300 mg/2 mL 300 mg NDC 00024591101"
    assert "description" not in data["lines"][0]
    out = tmp_path / "noc.837"
    result = run("claims", str(path), "--practice", PRACTICE, "-o", str(out),
                 "--db", f"sqlite:///{tmp_path}/store.db", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "SV1*HC:J3590:::::DUPILUMAB (DUPIXENT) 300 MG/2 ML 300 MG NDC 00024591101*25*UN*1" \
        in out.read_text()


def _by_the_definition(encs: list[Any]) -> list[Any]:
    """code_batch as its docstring defines it: in date order, each visit with every service
    of the patient's earlier claims of the batch that have no error finding."""
    from coding.engine import code_encounter
    from coding.history import services_of

    done: dict[int, Any] = {}
    history: dict[tuple[str, Any], tuple[Any, ...]] = {}
    for i in sorted(range(len(encs)), key=lambda i: encs[i].date_of_service):
        key = (encs[i].patient.member_id, encs[i].patient.birth_date)
        claim = code_encounter(encs[i], history=history.get(key, ()))
        if not claim.has_errors:
            history[key] = history.get(key, ()) + services_of(claim)
        done[i] = claim
    return [done[i] for i in range(len(encs))]


def test_a_long_series_of_one_patient_codes_as_with_every_earlier_service() -> None:
    """Forty visits of one patient, five days apart (one on the last day of a global):
    excisions (10-day globals) and E/M visits, some inside an open global, most after it
    ended; code_batch hands the engine only the services still in their period, and every
    claim is the same as with all of them."""
    from datetime import date, timedelta

    first, later = visits()
    raw = []
    for n in range(40):
        day = (date(2026, 1, 5) + timedelta(days=5 * n)).isoformat()
        base = first if n % 3 == 0 else later
        raw.append({**base, "claim_id": f"S-{n}", "date_of_service": day})
    encs = [parse_encounter(item, "s.json", n) for n, item in enumerate(raw)]
    claims = code_batch(encs)
    assert claims == _by_the_definition(encs)
    modifiers = {m for c in claims for ln in c.lines for m in ln.modifiers}
    assert {"58", "79", "24"} <= modifiers  # the series does reach into open globals
    assert any(not {"58", "79", "24"} & {m for ln in c.lines for m in ln.modifiers}
               for c in claims[1:])  # and visits after a global ended
