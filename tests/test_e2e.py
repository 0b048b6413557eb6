"""End to end: sample encounters -> `dermclaim claims` -> an 835 answering that 837 with
paid, reduced and denied lines of every cause -> `remit load` -> `denials` gives each line
its expected cause and action; loading twice changes nothing."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from dermclaim.cli import main
from edi.x835.answers import remittance_text
from reconcile.denials.classify import CAUSES
from samples.answers import answer_claims, billed_claims

ROOT = Path(__file__).resolve().parent.parent
ENCOUNTERS = sorted((ROOT / "samples" / "encounters").glob("*.json"))


def _run(*args: str) -> str:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == 0, r.output
    return r.output


def test_sample_claims_to_classified_denials(store_url: str, tmp_path: Path) -> None:
    assert ENCOUNTERS, "samples/encounters is empty"
    last = max(json.loads(p.read_text())["date_of_service"] for p in ENCOUNTERS)
    now = (date.fromisoformat(last) + timedelta(days=3)).isoformat() + "T09:00:00"
    _run("claims", *map(str, ENCOUNTERS), "--practice", str(ROOT / "samples" / "practice.toml"),
         "-o", str(tmp_path / "claims.837"), "--db", store_url, "--now", now)
    billed = billed_claims(store_url)
    assert len(billed) == len(ENCOUNTERS)
    remits, expected = answer_claims(billed, payment_date=date.fromisoformat(last)
                                     + timedelta(days=20))
    remit = tmp_path / "remit.835"
    remit.write_text(remittance_text(remits))
    # every cause is exercised, and some lines are paid as billed or reduced without denial
    assert {e.cause for e in expected} == set(CAUSES)
    total_lines = sum(len(c.lines) for c in billed) + 2
    assert len(expected) < total_lines

    out = _run("remit", "load", str(remit), "--db", store_url)
    assert "files: 1 loaded" in out and "unmatched: 2" in out  # the external claim's 2 lines
    rows = json.loads(_run("denials", "--json", "--db", store_url))
    got = {(r["claim_id"], r["line_control_number"]): r for r in rows}
    want = {(e.claim_id, e.line_control_number): e for e in expected}
    assert set(got) == set(want)
    for key, e in want.items():
        r = got[key]
        assert (r["code"], r["cause"]) == (e.code, e.cause), (key, r["evidence"])
        assert e.action_hint.lower() in r["action"].lower(), (key, r["action"])
        assert r["carc"] and r["evidence"] and r["denied_amount"] != "0.00"

    by_cause = json.loads(_run("denials", "--by", "cause", "--json", "--db", store_url))
    assert {g["key"] for g in by_cause} == set(CAUSES)
    amounts = [g["denied_amount"] for g in by_cause]
    assert [float(a) for a in amounts] == sorted((float(a) for a in amounts), reverse=True)

    again = _run("remit", "load", str(remit), "--db", store_url)
    assert "already loaded" in again and "files: 0 loaded, 1 already loaded" in again
    assert json.loads(_run("denials", "--json", "--db", store_url)) == rows

    work = tmp_path / "work.csv"
    _run("worklist", "-o", str(work), "--include-expired", "--db", store_url)
    written = list(csv.DictReader(work.open()))
    assert len(written) == len(rows)
    assert len({w["denial_id"] for w in written}) == len(rows)  # a stable id per row
    _run("report", "-o", str(tmp_path / "report.html"), "--db", store_url)
    assert (tmp_path / "report.html").read_text().count("<svg") == 4


def test_sample_remit_is_current_valid_and_loads(tmp_path: Path) -> None:
    """samples/remit.835 is what samples/make_remit.py writes today, pyx12-clean, and loads."""
    import importlib.util

    from edi.validate import validate_path

    spec = importlib.util.spec_from_file_location("make_remit", ROOT / "samples" / "make_remit.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    fresh = tmp_path / "remit.835"
    assert mod.main(["-o", str(fresh)]) == 0
    sample = ROOT / "samples" / "remit.835"
    assert fresh.read_text() == sample.read_text(), "run samples/make_remit.py to regenerate"
    report = validate_path(sample)
    assert report.ok, [f.message for f in report.errors]
    out = _run("remit", "load", str(sample), "--db", f"sqlite:///{tmp_path}/s.db")
    assert "1 loaded" in out and "out-of-balance findings: 0" in out


def test_sample_remit_answers_the_sample_837() -> None:
    """Every claim and REF*6R line of samples/claims.837 is answered in samples/remit.835,
    for the amount billed (the 837 side is read as text: no 837 reader is needed here)."""
    import re

    from edi.x835.reader import read_835_path

    sent = (ROOT / "samples" / "claims.837").read_text()
    billed = {m.group(1): m.group(2) for m in re.finditer(r"CLM\*([^*~]+)\*([^*~]+)", sent)}
    lcns = set(re.findall(r"REF\*6R\*([^~*]+)", sent))
    answered = [c for r in read_835_path(ROOT / "samples" / "remit.835") for c in r.claims]
    ours = {c.patient_control_number: c for c in answered
            if not c.patient_control_number.startswith("EXT-")}
    assert set(ours) == set(billed)
    for claim_id, amount in billed.items():
        assert ours[claim_id].charge == Decimal(amount), claim_id
    assert {s.control_number for c in ours.values() for s in c.service_lines} == lcns
