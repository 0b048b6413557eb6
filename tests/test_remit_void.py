"""`dermclaim remit void` (issue 21): a payment posted beside another with the same payer
and trace but other content ("a trace number conflict ... remove the wrong one") could not
be removed without SQL, and every figure counted both. Voiding the wrong one brings every
total back to the single right payment, recorded in `payment_void`; overturns it made go
back; a duplicate copy or a missing id is refused with what to do."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner, Result
from test_appeal_letters import _answers, _submit

from dermclaim.cli import main
from edi.x835.answers import build_remittance, claim_payment, deny, remittance_text
from reconcile.ledger import totals

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ENCOUNTERS = sorted(str(p) for p in (SAMPLES / "encounters").glob("*.json"))
PRACTICE = str(SAMPLES / "practice.toml")


def _run(*args: str, code: int = 0) -> Result:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    return r


def _figures(url: str) -> dict[str, object]:
    t = totals.compute(url)
    return attrs.asdict(t)


def test_void_brings_the_figures_back_to_the_right_payment(store_url: str,
                                                           tmp_path: Path) -> None:
    _run("claims", *ENCOUNTERS, "--practice", PRACTICE, "-o", str(tmp_path / "c.837"),
         "--db", store_url)
    _run("remit", "load", str(SAMPLES / "remit.835"), "--db", store_url)
    right = _figures(store_url)
    wrong = tmp_path / "resent.835"  # the payer's first EFT again, another amount
    text = (SAMPLES / "remit.835").read_text()
    bpr = re.search(r"BPR\*I\*([\d.]+)\*", text)  # the first payment of the sample
    assert bpr is not None
    first = Decimal(bpr.group(1))
    first_claims = text.split("ST*835")[1].count("CLP*")
    wrong.write_text(text.replace(bpr.group(0), "BPR*I*14000.00*", 1))
    r = _run("remit", "load", str(wrong), "--db", store_url, code=1)
    assert "trace number conflict" in r.output and "dermclaim remit void" in r.output
    assert "dermclaim remit payments --trace EFT202600001" in r.output
    assert "dermclaim remit void" in r.stderr
    doubled = _figures(store_url)
    assert doubled["paid"] == right["paid"] + first  # both posted

    listed = json.loads(_run("remit", "payments", "--trace", "EFT202600001", "--json",
                             "--db", store_url).output)
    assert [p["amount"] for p in listed] == [f"{first:.2f}", "14000.00"]
    wrong_id = listed[1]["payment_id"]
    copies = json.loads(_run("remit", "payments", "--json", "--db", store_url).output)
    copy = next(p for p in copies if p["duplicate_of"] is not None)
    r = _run("remit", "void", str(copy["payment_id"]), "--note", "x", "--db", store_url,
             code=1)
    assert f"void payment {copy['duplicate_of']}" in r.stderr
    r = _run("remit", "void", "99999", "--note", "x", "--db", store_url, code=1)
    assert "no payment 99999" in r.stderr
    assert _run("remit", "void", str(wrong_id), "--db", store_url, code=2)  # --note needed

    out = json.loads(_run("remit", "void", str(wrong_id), "--note", "payer: sent in error",
                          "--by", "akim", "--json", "--db", store_url).output)
    assert out["payment_id"] == wrong_id and out["claims"] == first_claims
    assert out["duplicate_copies"] == 0
    after = _figures(store_url)
    # the file's other payment, a copy of the second EFT, stays recorded as a copy
    assert after.pop("duplicate_payments") == right.pop("duplicate_payments") + 1
    assert after == right
    again = json.loads(_run("remit", "payments", "--trace", "EFT202600001", "--json",
                            "--db", store_url).output)
    assert [p["amount"] for p in again] == [f"{first:.2f}"]
    if store_url.startswith("sqlite:///"):
        conn = sqlite3.connect(store_url.removeprefix("sqlite:///"))
        try:
            row = conn.execute("SELECT transaction_id, actor, note, claims, paid FROM "
                               "payment_void").fetchall()
        finally:
            conn.close()
        assert row == [(wrong_id, "akim", "payer: sent in error", first_claims,
                        int(first * 100))]


def test_void_gives_back_the_overturns_it_made(store_url: str, tmp_path: Path) -> None:
    a = _submit(store_url, "17-biopsy-and-ak-destruction-distinct-sites.json", "VD-1")

    def load(name: str, answers: list, trace: str, icn: str) -> None:  # type: ignore[type-arg]
        f = tmp_path / name
        f.write_text(remittance_text([build_remittance(
            [claim_payment(a, answers, payer_claim_number=icn)],
            payer_name="MEDICARE PART B", payer_id="12502", payment_date=date(2026, 4, 10),
            trace_number=trace)]))
        _run("remit", "load", str(f), "--db", store_url)

    load("first.835", _answers(a, {"11104": lambda ln: deny(ln, "CO", "97", "N20")}),
         "T1", "ICN-1")
    [denied] = json.loads(_run("denials", "--json", "--db", store_url).output)
    load("second.835", _answers(a, {}), "T2", "ICN-2")  # the line paid after all
    rows = json.loads(_run("denials", "--status", "all", "--json", "--db", store_url).output)
    status = {r["denial_id"]: r["status"] for r in rows}
    if status[denied["denial_id"]] != "overturned":
        pytest.skip("this payment did not overturn the denial (matching rules)")
    second = json.loads(_run("remit", "payments", "--trace", "T2", "--json", "--db",
                             store_url).output)[0]["payment_id"]
    out = json.loads(_run("remit", "void", str(second), "--note", "loaded by mistake",
                          "--json", "--db", store_url).output)
    assert out["overturns_undone"] == 1
    rows = json.loads(_run("denials", "--status", "all", "--json", "--db", store_url).output)
    back = next(r for r in rows if r["denial_id"] == denied["denial_id"])
    assert back["status"] == "open"
    shown = _run("denial", "show", str(denied["denial_id"]), "--db", store_url).output
    assert f"payment {second} voided: loaded by mistake" in shown
    # a file none of whose payments remain is forgotten: it loads again, and overturns again
    again = _run("remit", "load", str(tmp_path / "second.835"), "--db", store_url).output
    assert "1 loaded, 0 already loaded" in again
    rows = json.loads(_run("denials", "--status", "all", "--json", "--db", store_url).output)
    assert {r["status"] for r in rows if r["denial_id"] == denied["denial_id"]} == {
        "overturned"}
