"""`correct` on the samples follows each payer's route (issue 9 done-when): the sample
claims sent, the sample 835 loaded, then the amended documentation in samples/corrections/
(the pathology-confirmed diagnosis of DC-1001's punch biopsy, DC-1003's site corrected to
the nose, DC-1005's dose of 30 mg) corrects:

* DC-1003 (commercial, route `replacement`): a frequency-7 claim with REF*F8 = its CLP07,
  11642 without RT;
* DC-1005 (Medicare, J3301 returned unprocessable CO-16 M53 MA130): a new original with that
  line only (3 units), and a reopening request for the paid waste line (JW 2 -> 1 unit);
* DC-1001 (Medicare, 11104 denied CO-50): a reopening request (diagnosis D49.2 -> C44.519).

Expected values come from the CPT/CMS rules in reconcile/correct.py's docstring, not from a
previous run."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import select

from dermclaim.cli import main
from edi.validate import validate_text
from reconcile.store.database import session_scope
from reconcile.store.models import SubmittedClaim

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ENCOUNTERS = sorted(str(p) for p in (SAMPLES / "encounters").glob("*.json"))
AMENDED = sorted(str(p) for p in (SAMPLES / "corrections").glob("*.json"))
PRACTICE = str(SAMPLES / "practice.toml")


def _run(*args: str, code: int = 0) -> Result:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    return r


@pytest.fixture
def loaded(store_url: str, tmp_path: Path) -> str:
    _run("claims", *ENCOUNTERS, "--practice", PRACTICE, "-o", str(tmp_path / "claims.837"),
         "--db", store_url)
    _run("remit", "load", str(SAMPLES / "remit.835"), "--db", store_url)
    return store_url


def _segments(text: str, claim_id: str) -> list[str]:
    segs = [s.strip() for s in text.split("~") if s.strip()]
    start = next(i for i, s in enumerate(segs) if s.startswith(f"CLM*{claim_id}*"))
    end = next((i for i in range(start + 1, len(segs))
                if segs[i].startswith(("CLM*", "HL*", "SE*"))), len(segs))
    return segs[start:end]


def _denials(url: str, status: str) -> dict[str, dict]:  # type: ignore[type-arg]
    rows = json.loads(_run("denials", "--status", status, "--json", "--db", url).output)
    return {r["line_control_number"]: r for r in rows}


def test_each_payer_gets_its_route(loaded: str, tmp_path: Path) -> None:
    url, out = loaded, tmp_path / "out" / "corrected.837"
    before = _denials(url, "open")
    res = json.loads(_run("correct", *AMENDED, "-o", str(out), "--practice", PRACTICE,
                          "--db", url, "--json").output)
    routes = sorted((c["claim_id"], c["route"]) for c in res["corrected"])
    assert routes == [("DC-1001", "reopening"), ("DC-1003", "replacement"),
                      ("DC-1005", "new_original"), ("DC-1005", "reopening")]
    text = out.read_text()
    report = validate_text(text, str(out))
    assert report.ok, [f.message for f in report.errors]

    icn = {r["claim_id"]: r["payer_claim_number"] for r in before.values()}
    dc1003 = _segments(text, "DC-1003")
    assert dc1003[0].split("*")[5] == "11:B:7" and f"REF*F8*{icn['DC-1003']}" in dc1003
    assert "SV1*HC:11642*660*UN*1***1" in dc1003  # RT gone: the nose takes no laterality
    dc1005 = _segments(text, "DC-1005")
    assert dc1005[0].split("*")[5] == "11:B:1"  # a new original, not a replacement
    assert not any(s.startswith("REF*F8") for s in dc1005)
    lines = [s for s in dc1005 if s.startswith("SV1*")]
    assert lines == ["SV1*HC:J3301*12*UN*3***1"]  # only the returned line: 30 mg / 10 mg

    requests = {Path(c["document"]).name: c for c in res["corrected"] if c["document"]}
    assert set(requests) == {f"DC-1001-reopening-{icn['DC-1001']}.txt",
                             f"DC-1005-reopening-{icn['DC-1005']}.txt"}
    dc1001 = (out.parent / f"DC-1001-reopening-{icn['DC-1001']}.txt").read_text()
    assert "11104 diagnosis D49.2 -> C44.519" in dc1001
    assert f"Claim control number:     {icn['DC-1001']}" in dc1001
    assert "Medicare number (MBI):    1EG4TE5MK73" in dc1001
    assert "one year from the initial determination" in dc1001 and "CO-50" in dc1001
    jw = (out.parent / f"DC-1005-reopening-{icn['DC-1005']}.txt").read_text()
    assert "J3301-JW (paid line)" in jw and "J3301 units 2 -> 1" in jw
    for p in out.parent.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p

    corrected = _denials(url, "corrected")
    assert set(corrected) == {"DC-1001-2", "DC-1003-1", "DC-1005-2"}
    assert not set(corrected) & set(_denials(url, "open"))
    shown = _run("denial", "show", str(corrected["DC-1005-2"]["denial_id"]), "--db", url).output
    assert "open -> corrected" in shown and "new original claim sent in interchange" in shown
    shown = _run("denial", "show", str(corrected["DC-1001-2"]["denial_id"]), "--db", url).output
    assert "reopening request DC-1001-reopening" in shown

    with session_scope(url) as s:
        rows = s.exec(select(SubmittedClaim).where(SubmittedClaim.claim_id == "DC-1005")
                      .order_by(SubmittedClaim.id)).all()
    first, second = rows
    assert "MA130" in (first.release_reason or "") and second.follows_id == first.id

    # nothing is corrected twice, and `claims` still holds every claim as sent
    again = _run("correct", *AMENDED, "-o", str(tmp_path / "again.837"), "--practice",
                 PRACTICE, "--db", url).output
    assert "no claim could be corrected; nothing written" in again
    assert not (tmp_path / "again.837").exists()
    r = _run("claims", *ENCOUNTERS, "--practice", PRACTICE, "-o", str(tmp_path / "c2.837"),
             "--db", url, code=1)
    assert f"all {len(ENCOUNTERS)} encounters were held" in r.output
    assert not (tmp_path / "c2.837").exists()


def test_without_amended_documentation_nothing_on_the_samples_is_corrected(
        loaded: str, tmp_path: Path) -> None:
    """The sample claims were coded right from their notes: the payer's answers are appeal
    work, and each says why (the amended documentation is what changes a line)."""
    out = tmp_path / "c.837"
    r = _run("correct", "-o", str(out), "--practice", PRACTICE, "--db", loaded)
    assert "no claim could be corrected; nothing written" in r.output and not out.exists()
    # returned unprocessable: no appeal rights, so `correct` says what `denials` says
    said = next(ln for ln in r.output.splitlines() if "DC-1005-2" in ln)
    assert "returned unprocessable" in said and "new claim" in said and "appeal with" not in said
    assert "billed units (2) match the documented count" in r.output


def test_an_amended_encounter_for_another_payer_is_refused(loaded: str, tmp_path: Path) -> None:
    data = json.loads((SAMPLES / "corrections" / "01-em25-biopsies-pathology-dx.json")
                      .read_text())
    data["payer"] = "commercial"
    f = tmp_path / "moved.json"
    f.write_text(json.dumps(data))
    r = _run("correct", str(f), "-o", str(tmp_path / "c.837"), "--practice", PRACTICE,
             "--db", loaded)
    assert "a new payer takes a new claim" in r.output
    assert not (tmp_path / "c.837").exists()


def test_a_bad_amended_file_names_itself_and_writes_nothing(loaded: str, tmp_path: Path) -> None:
    f = tmp_path / "bad.json"
    f.write_text('{"claim_id": "DC-1001",')
    r = _run("correct", str(f), "-o", str(tmp_path / "c.837"), "--practice", PRACTICE,
             "--db", loaded, code=2)
    assert "bad.json" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "c.837").exists()
