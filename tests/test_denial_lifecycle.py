"""A denial's life: overturns found by `remit load` (each of the four ways a later 835 can
answer a denied line; same patient, code and date only a candidate), checked status
moves by hand with their history, and the filters that hide finished work (issue 9)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from remit_helpers import add_submitted
from sqlmodel import select

from dermclaim.cli import main
from edi.x835.answers import (
    BilledClaim,
    build_remittance,
    claim_payment,
    deny,
    pay,
    remittance_text,
)
from edi.x835.model import Name, Reference
from reconcile.reports.analytics import Filters, denial_rows
from reconcile.store.database import session_scope
from reconcile.store.models import SubmittedClaim
from samples.answers import billed_claims

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
MEDICARE = dict(payer_name="MEDICARE PART B", payer_id="12502")


def _run(*args: str, code: int = 0) -> str:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    return r.output


def _write(path: Path, claims: list, paid_on: date = date(2026, 5, 20)) -> Path:  # type: ignore[type-arg]
    path.write_text(remittance_text([build_remittance(
        claims, **MEDICARE, payment_date=paid_on, trace_number=f"T{path.stem}")]))
    return path


def _billed_from_report(out: str) -> str:
    return out.split("billed ", 1)[1].split(",", 1)[0]


def test_a_later_835_paying_the_denied_mohs_line_overturns_it(store_url: str,
                                                             tmp_path: Path) -> None:
    """The issue's Done-when: sample 837 + 835, then an 835 paying DC-1004-1 (17311, denied
    CO-197) under the same payer claim number."""
    db = ["--db", store_url]
    _run("claims", *map(str, sorted((SAMPLES / "encounters").glob("*.json"))), "--practice",
         str(SAMPLES / "practice.toml"), "-o", str(tmp_path / "claims.837"),
         "--now", "2026-03-31T12:00:00", *db)
    _run("remit", "load", str(SAMPLES / "remit.835"), *db)
    before = _billed_from_report(_run("report", "--status", "all", "-o",
                                      str(tmp_path / "r1.html"), *db))
    assert "DC-1004-1" in _run("denials", *db)

    c = next(b for b in billed_claims(store_url) if b.claim_id == "DC-1004")
    mohs = BilledClaim(c.claim_id, c.payer, c.date_of_service, (c.lines[0],))
    assert mohs.lines[0].code == "17311"
    # paid at the contract rate: 1550.00 allowed 80 % = 1240.00, Medicare pays 80 % = 992.00
    second = _write(tmp_path / "second.835", [claim_payment(
        mohs, [pay(mohs.lines[0])], payer_claim_number="20261000000004")])
    _run("remit", "load", str(second), *db)

    assert "DC-1004-1" not in _run("denials", *db)
    rows = json.loads(_run("denials", "--status", "all", "--json", *db))
    row = next(r for r in rows if r["line_control_number"] == "DC-1004-1")
    assert row["status"] == "overturned" and row["recovered_amount"] == "992.00"
    assert row["denied_amount"] == "1550.00" and row["payer_claim_number"] == "20261000000004"
    for key in ("denial_id", "status", "recovered_amount", "appeal_deadline",
                "payer_claim_number", "claim_id", "line_control_number", "code", "cause",
                "denied_amount"):
        assert key in row
    after = _billed_from_report(_run("report", "--status", "all", "-o",
                                     str(tmp_path / "r2.html"), *db))
    assert before == after  # the charge counts once
    shown = json.loads(_run("denial", "show", str(row["denial_id"]), "--json", *db))
    assert [(h["from"], h["to"], h["by"]) for h in shown["history"]] == [
        ("open", "overturned", "remit load")]
    assert "second.835" in shown["history"][0]["note"]
    by_cause = json.loads(_run("denials", "--by", "cause", "--status", "all", "--json", *db))
    auth = next(g for g in by_cause if g["key"] == "authorization")
    assert (auth["overturned"], auth["recovered_amount"], auth["overturn_rate"]) == (
        1, "992.00", "100.00")
    html = (tmp_path / "r2.html").read_text()
    assert "Recovered" in html and "992.00" in html


def _denied(url: str, claim_id: str, icn: str, tmp: Path, **kw: object) -> BilledClaim:
    b = add_submitted(url, claim_id, [("11104", (), 1, "200.00"), ("17000", (), 1, "100.00")],
                      **kw)  # type: ignore[arg-type]
    _write(tmp / f"{claim_id}-1.835", [claim_payment(
        b, [deny(b.lines[0], "CO", "50", "N115"), pay(b.lines[1])], payer_claim_number=icn)],
        date(2026, 10, 20))
    _run("remit", "load", str(tmp / f"{claim_id}-1.835"), "--db", url)
    return b


def _status(url: str, claim_id: str) -> tuple[str, Decimal | None]:
    rows = [r for r in denial_rows(url, filters=Filters.of("all")) if r.claim_id == claim_id]
    assert len(rows) == 1
    return rows[0].status, rows[0].recovered_amount


def test_each_way_a_later_835_answers_a_denial(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    # 1. same CLP01 + line control number, a new payer claim number
    a = _denied(url, "OA-1", "ICN-A", tmp_path)
    cp = claim_payment(BilledClaim("OA-1", "medicare", a.date_of_service, (a.lines[0],)),
                       [pay(a.lines[0])], payer_claim_number="ICN-A2")
    # 2. a replacement answering the denied claim: the 835 carries REF*F8 = the old CLP07
    b = _denied(url, "OB-1", "ICN-B", tmp_path)
    rb = BilledClaim("OB-1R", "medicare", b.date_of_service,
                     (attrs.evolve(b.lines[0], control_number="OB-1R-1"),))
    cp_b = attrs.evolve(claim_payment(rb, [pay(rb.lines[0])], payer_claim_number="ICN-B2"),
                        references=(Reference("F8", "ICN-B"),), frequency="7",
                        names=(Name("QC", "PATIENT", "TEST", id_qualifier="MI", id="MOB-1"),))
    # 3. a new claim for the same patient, code and date of service: only a candidate
    c = _denied(url, "OC-1", "ICN-C", tmp_path)
    nc = BilledClaim("OC-9", "medicare", c.date_of_service,
                     (attrs.evolve(c.lines[0], control_number="OC-9-1"),))
    cp_c = attrs.evolve(claim_payment(nc, [pay(nc.lines[0])], payer_claim_number="ICN-C9"),
                        names=(Name("QC", "PATIENT", "TEST", id_qualifier="MI", id="MOC-1"),))
    # 4. a claim paying another patient's 11104 on the same day: no overturn
    d = _denied(url, "OD-1", "ICN-D", tmp_path)
    other = BilledClaim("OZ-1", "medicare", d.date_of_service,
                        (attrs.evolve(d.lines[0], control_number="OZ-1-1"),))
    cp_d = claim_payment(other, [pay(other.lines[0])], payer_claim_number="ICN-Z")
    # 5. a new original the store sent after the denied one was returned (follows_id)
    f = _denied(url, "OF-1", "ICN-F", tmp_path)
    again = add_submitted(url, "OF-1", [("11104", (), 1, "200.00")], lcn_prefix="OF-1b")
    with session_scope(url) as s:
        first, second = s.exec(select(SubmittedClaim).where(SubmittedClaim.claim_id == "OF-1")
                               .order_by(SubmittedClaim.id)).all()
        second.follows_id = first.id
    cp_f = claim_payment(again, [pay(again.lines[0])], payer_claim_number="ICN-F2")
    assert f.lines[0].control_number != again.lines[0].control_number
    _run("remit", "load", str(_write(tmp_path / "later.835", [cp, cp_b, cp_c, cp_d, cp_f],
                                     date(2026, 11, 3))), "--db", url)
    paid = Decimal("128.00")  # 200.00 x 80 % allowed x 80 % paid
    assert _status(url, "OA-1") == ("overturned", paid)
    assert _status(url, "OB-1") == ("overturned", paid)
    assert _status(url, "OC-1") == ("open", None)
    assert _status(url, "OD-1") == ("open", None)
    assert _status(url, "OF-1") == ("overturned", paid)
    rules = {r.claim_id: _rule(url, r.denial_id) for r in denial_rows(
        url, filters=Filters.of("overturned"))}
    assert rules == {"OA-1": "line_control_number", "OB-1": "replacement",
                     "OF-1": "resubmission"}
    oc = next(r for r in denial_rows(url) if r.claim_id == "OC-1")
    shown = json.loads(_run("denial", "show", str(oc.denial_id), "--json", "--db", url))
    assert [(c["patient_control_number"], c["payer_claim_number"], c["paid"])
            for c in shown["candidates"]] == [("OC-9", "ICN-C9", "128.00")]
    assert "candidate (same patient, code and date" in _run(
        "denial", "show", str(oc.denial_id), "--db", url)
    # the same file again changes nothing; a re-denial leaves the denial open
    _run("remit", "load", str(tmp_path / "later.835"), "--db", url)
    e = _denied(url, "OE-1", "ICN-E", tmp_path)
    _write(tmp_path / "again.835", [claim_payment(
        BilledClaim("OE-1", "medicare", e.date_of_service, (e.lines[0],)),
        [deny(e.lines[0], "CO", "50")], payer_claim_number="ICN-E")])
    _run("remit", "load", str(tmp_path / "again.835"), "--db", url)
    assert [r.status for r in denial_rows(url, filters=Filters.of("all"))
            if r.claim_id == "OE-1"] == ["open", "open"]


def _rule(url: str, denial_id: int) -> str:
    note = json.loads(_run("denial", "show", str(denial_id), "--json", "--db", url))[
        "history"][-1]["note"]
    return note.rsplit("matched by ", 1)[1].rstrip(")")


def test_claims_of_one_remittance_sharing_patient_and_date_never_overturn(
        tmp_path: Path) -> None:
    """Issue 18: a payer file where several claims share a patient and a date of service.
    A claim paying a 17003 is its own original: it answers no other claim's denial of a
    17003 in the same 835, and money is counted once (paid on its claim, nothing
    recovered)."""
    url = f"sqlite:///{tmp_path}/s.db"
    pat = (Name("QC", "PATIENT", "SAME", id_qualifier="MI", id="MSAME-1"),)
    a = add_submitted(url, "SP-1", [("17003", (), 2, "120.00")])
    b = add_submitted(url, "SP-2", [("17003", (), 1, "60.00")])
    c = add_submitted(url, "SP-3", [("17003", (), 1, "60.00")])
    denied = attrs.evolve(claim_payment(a, [deny(a.lines[0], "CO", "151")],
                                        payer_claim_number="ICN-S1"), names=pat)
    paid_b = attrs.evolve(claim_payment(b, [pay(b.lines[0])], payer_claim_number="ICN-S2"),
                          names=pat)
    _run("remit", "load", str(_write(tmp_path / "one.835", [denied, paid_b])), "--db", url)
    assert _status(url, "SP-1") == ("open", None)
    # a later 835 paying yet another original claim of the same patient, code and day
    paid_c = attrs.evolve(claim_payment(c, [pay(c.lines[0])], payer_claim_number="ICN-S3"),
                          names=pat)
    _run("remit", "load", str(_write(tmp_path / "two.835", [paid_c], date(2026, 6, 1))),
         "--db", url)
    assert _status(url, "SP-1") == ("open", None)
    t = json.loads(_run("report", "--json", "--status", "all", "--db", url))
    assert (t["recovered"], t["overturn_rate"], t["denied_lines"]) == ("0.00", "0.0000", 1)
    assert t["paid"] == f"{2 * Decimal('38.40'):.2f}"  # 60.00 x 80 % x 80 %, twice
    shown = json.loads(_run("denial", "show", str(denial_rows(url)[0].denial_id), "--json",
                            "--db", url))
    assert {c["patient_control_number"] for c in shown["candidates"]} == {"SP-2", "SP-3"}


def test_an_earlier_payment_never_overturns_a_later_denial(tmp_path: Path) -> None:
    """A payment dated before the denial (an old 835 loaded late) answers nothing."""
    url = f"sqlite:///{tmp_path}/s.db"
    a = _denied(url, "EP-1", "ICN-EP", tmp_path)  # denied on 2026-10-20
    old = claim_payment(BilledClaim("EP-1", "medicare", a.date_of_service, (a.lines[0],)),
                        [pay(a.lines[0])], payer_claim_number="ICN-EP")
    _run("remit", "load", str(_write(tmp_path / "old.835", [old], date(2026, 10, 5))),
         "--db", url)
    assert _status(url, "EP-1") == ("open", None)


def test_a_payer_claim_number_of_another_patient_answers_nothing(tmp_path: Path) -> None:
    """The same CLP07 and code on a later 835, but another patient (a de-identified or
    mistyped number): not the same service."""
    url = f"sqlite:///{tmp_path}/s.db"
    a = _denied(url, "PN-1", "ICN-PN", tmp_path)
    # even the line control number echoed: only the patient differs
    other = attrs.evolve(claim_payment(
        BilledClaim("PN-9", "medicare", a.date_of_service, (a.lines[0],)),
        [pay(a.lines[0])], payer_claim_number="ICN-PN"),
        names=(Name("QC", "OTHER", "PATIENT", id_qualifier="MI", id="MOTHER"),))
    _run("remit", "load", str(_write(tmp_path / "o.835", [other], date(2026, 11, 5))),
         "--db", url)
    assert _status(url, "PN-1") == ("open", None)


def test_status_moves_are_checked_and_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    db = ["--db", url]
    _denied(url, "SM-1", "ICN-S", tmp_path)
    did = str(denial_rows(url)[0].denial_id)
    out = _run("denial", "set", did, "--status", "appealed", "--by", "akim", "--on",
               "2026-11-02", "--note", "letter mailed", *db)
    assert "appealed (redetermination)" in out  # Medicare's first level
    assert "SM-1" in _run("denials", "--status", "appealed", *db)
    out = _run("denial", "set", did, "--status", "upheld", "--by", "akim", *db)
    out = _run("denial", "set", did, "--status", "appealed", "--by", "akim", *db)
    assert "reconsideration" in out  # the guide's next level
    _run("denial", "set", did, "--status", "upheld", *db)
    out = _run("denial", "set", did, "--status", "written_off", *db, code=1)
    assert "needs --note" in out
    _run("denial", "set", did, "--status", "written_off", "--note", "QIC upheld; no ALJ",
         "--by", "lead", *db)
    out = _run("denial", "set", did, "--status", "overturned", *db, code=1)
    assert "needs --note" in out
    out = _run("denial", "set", did, "--status", "appealed", *db, code=1)
    assert "can move to open, overturned" in out
    out = _run("denial", "set", "999", "--status", "open", "--note", "x", *db, code=1)
    assert "no denial 999" in out
    assert "SM-1" not in _run("denials", *db)  # written off: not open work
    shown = json.loads(_run("denial", "show", did, "--json", *db))
    assert [(h["from"], h["to"], h["by"], h["level"]) for h in shown["history"]] == [
        ("open", "appealed", "akim", "redetermination"),
        ("appealed", "upheld", "akim", None),
        ("upheld", "appealed", "akim", "reconsideration"),
        ("appealed", "upheld", shown["history"][3]["by"], None),
        ("upheld", "written_off", "lead", None)]
    assert shown["history"][0]["on"] == "2026-11-02"
    assert shown["history"][3]["by"]  # the user name when --by is not given
    text = _run("denial", "show", did, *db)
    assert "written_off" in text and "QIC upheld; no ALJ" in text


def test_superseded_only_by_a_reversal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    b = _denied(url, "RV-1", "ICN-R", tmp_path)
    did = str(denial_rows(url)[0].denial_id)
    out = _run("denial", "set", did, "--status", "superseded", "--db", url, code=2)
    assert "superseded" in out  # not a choice by hand
    rev = claim_payment(b, [deny(b.lines[0], "CO", "50"), pay(b.lines[1])],
                        payer_claim_number="ICN-R", reversal=True)
    _run("remit", "load", str(_write(tmp_path / "rev.835", [rev])), "--db", url)
    assert _status(url, "RV-1")[0] == "superseded"
    shown = json.loads(_run("denial", "show", did, "--json", "--db", url))
    assert shown["history"][-1]["to"] == "superseded"


@pytest.mark.parametrize("cmd", [["denials"], ["worklist", "-o", "w.csv"],
                                 ["report", "-o", "r.html"], ["denial", "show", "1"]])
def test_reading_commands_never_create_a_store(tmp_path: Path, cmd: list[str]) -> None:
    url = f"sqlite:///{tmp_path}/none.db"
    r = CliRunner().invoke(main, [*cmd[:1], *cmd[1:], "--db", url])
    assert r.exit_code == 2 and "no store at" in r.output
    assert not (tmp_path / "none.db").exists()
