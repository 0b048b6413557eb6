"""A claim is a claim (issue 18): claims are told apart by CLP01, payer claim number (CLP07)
and patient, never by CLP01 + date of service alone; a reversal still nets against its
original; a store written before the patient column upgrades and keeps its claims apart."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner
from conftest import CORPUS

from dermclaim.cli import main
from edi.x835.answers import (
    BilledClaim,
    BilledLine,
    build_remittance,
    claim_payment,
    deny,
    pay,
    remittance_text,
)
from edi.x835.model import ClaimPayment, Name
from reconcile.ledger import totals
from reconcile.store import migrate
from reconcile.store.database import dispose_all, new_engine

MEDICARE = dict(payer_name="MEDICARE PART B", payer_id="12502")
CHARGES = ("100.00", "150.00", "200.00", "250.00", "300.00", "350.00", "400.00", "450.00",
           "619.00")


def _run(*args: str, code: int = 0) -> str:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    return r.output


def _nine() -> list[ClaimPayment]:
    """Nine claims of nine patients, one CLP01, three dates of service (three per day)."""
    out = []
    for i, charge in enumerate(CHARGES):
        dos = date(2026, 9, 1) + timedelta(days=i // 3)
        line = BilledLine(f"L{i}", "99213", (), 1, Decimal(charge), dos)
        c = BilledClaim("ACCT-1", "medicare", dos, (line,))
        answer = deny(line, "CO", "16", "MA130") if i == 4 else pay(line)
        out.append(attrs.evolve(
            claim_payment(c, [answer], payer_claim_number=f"ICN-{i}"),
            names=(Name("QC", f"PATIENT{i}", "X", id_qualifier="MI", id=f"MEM{i}"),)))
    return out


def _write(path: Path, claims: list[ClaimPayment], paid_on: date = date(2026, 9, 20),
           trace: str = "T1") -> Path:
    path.write_text(remittance_text([build_remittance(
        claims, **MEDICARE, payment_date=paid_on, trace_number=trace)]))
    return path


def test_nine_patients_sharing_one_clp01_are_nine_claims(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    claims = _nine()
    _run("remit", "load", str(_write(tmp_path / "nine.835", claims)), "--db", url)
    t = totals.compute(url)
    billed = sum((Decimal(c) for c in CHARGES), Decimal("0"))
    assert billed == Decimal("2819.00")
    assert (t.claims, t.billed, t.lines) == (9, billed, 9)
    assert t.paid == sum((c.paid for c in claims), Decimal("0"))
    out = json.loads(_run("report", "--json", "--status", "all", "--db", url))
    assert (out["claims"], out["billed"]) == (9, "2819.00")


def test_a_reversal_nets_against_its_own_original_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    claims = _nine()
    _run("remit", "load", str(_write(tmp_path / "nine.835", claims)), "--db", url)
    # the payer takes back patient 2's claim (same CLP01, its own CLP07 and patient)
    line = BilledLine("L2", "99213", (), 1, Decimal("200.00"), date(2026, 9, 1))
    rev = attrs.evolve(claim_payment(BilledClaim("ACCT-1", "medicare", date(2026, 9, 1),
                                                 (line,)), [pay(line)],
                                     payer_claim_number="ICN-2", reversal=True),
                       names=claims[2].names)
    _run("remit", "load", str(_write(tmp_path / "rev.835", [rev], date(2026, 9, 25), "T2")),
         "--db", url)
    t = totals.compute(url)
    assert t.paid == sum((c.paid for c in claims), Decimal("0")) - claims[2].paid
    assert t.claims == 9  # the reversal is no claim of its own; the original still billed
    with new_engine(url).connect() as conn:
        superseded = conn.execute(sa.text(
            "SELECT payer_claim_number FROM remit_claim WHERE superseded")).scalars().all()
    assert superseded == ["ICN-2"]
    dispose_all()


@pytest.mark.skipif(not (CORPUS / "835").is_dir(), reason="no ../shared/x12-corpus/835")
def test_corpus_claims_sharing_a_clp01_stay_apart(tmp_path: Path) -> None:
    """eMedNY's sample: three claims whose CLP01 is the placeholder 'PATIENT ACCOUNT
    NUMBER', three patients."""
    url = f"sqlite:///{tmp_path}/s.db"
    f = CORPUS / "835" / "keironstoddart-edi-835-parser__emedny_sample.txt"
    _run("remit", "load", str(f), "--db", url)
    t = totals.compute(url)
    text = f.read_text()
    charges = [Decimal(seg.split("*")[3]) for seg in text.split("~") if seg.startswith("CLP*")]
    assert (t.claims, t.billed) == (3, sum(charges, Decimal("0")))


def test_a_store_written_before_upgrades_with_patients_from_its_denials(store_url: str
                                                                         ) -> None:
    url = store_url
    engine = new_engine(url)
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0006_submission_once")
    at = datetime(2026, 11, 23, tzinfo=UTC)
    # money as each backend stored it before: integer cents on SQLite, NUMERIC on PostgreSQL
    amount = 10000 if engine.dialect.name == "sqlite" else Decimal("100.00")
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO remit_file (id, sha256, file_name, size_bytes, loaded_at, "
            "transaction_count, claim_count, line_count) VALUES (1, :sha, 'r.835', 1, :at, "
            "1, 2, 2)"), {"sha": "a" * 64, "at": at})
        conn.execute(sa.text(
            "INSERT INTO remit_transaction (id, file_id, control_number, "
            "interchange_control_number, payer_name, payer_id, payee_name, payee_id, "
            "trace_number, handling_code, credit_debit, payment_method) "
            "VALUES (1, 1, '1', '1', 'P', 'P', 'C', '1', 'T', 'I', 'C', 'ACH')"))
        for cid, pcn in ((1, "ACCT"), (2, "ACCT")):
            conn.execute(sa.text(
                "INSERT INTO remit_claim (id, transaction_id, patient_control_number, status, "
                "is_reversal, charge, paid, filing_indicator, payer_claim_number, payer, "
                "segment_number, superseded) VALUES (:id, 1, :pcn, '4', :no, :amount, 0, 'MB', "
                "'', 'medicare', 1, :no)"), {"id": cid, "pcn": pcn, "no": False,
                                             "amount": amount})
            conn.execute(sa.text(
                "INSERT INTO denial (id, claim_row_id, claim_id, payer_claim_number, payer, "
                "modifiers, cause, group_code, carc, rarc, amount, rule, action, evidence, "
                "recoverable, superseded, status, patient_id, patient_name) VALUES (:id, :id, "
                ":pcn, '', 'medicare', '', 'other', 'CO', '16', '', :amount, 'r', 'a', 'e', "
                ":no, :no, 'open', :pat, 'X')"),
                {"id": cid, "pcn": pcn, "pat": f"MEM{cid}", "no": False, "amount": amount})
    engine.dispose()
    _run("db", "upgrade", "--db", url)
    engine = new_engine(url)
    with engine.connect() as conn:
        pats = conn.execute(sa.text("SELECT patient_id FROM remit_claim ORDER BY id")).all()
        levels = conn.execute(sa.text("SELECT next_level FROM denial")).scalars().all()
    engine.dispose()
    assert [p[0] for p in pats] == ["MEM1", "MEM2"] and levels == [None, None]
    t = totals.compute(url)
    assert (t.claims, t.billed) == (2, Decimal("200.00"))
    dispose_all()


def test_a_corrected_readjudication_after_its_reversal_is_the_claim_counted(
        tmp_path: Path) -> None:
    """Original (denied line), its reversal, the re-adjudication (the same line denied
    again): the claim's billed once, from the live answer, so the denied lines' figures
    hold (denied never above billed) under the default status filter too."""
    url = f"sqlite:///{tmp_path}/s.db"
    dos = date(2026, 9, 1)
    lines = (BilledLine("RA-1", "99213", (), 1, Decimal("120.00"), dos),
             BilledLine("RA-2", "11102", (), 1, Decimal("150.00"), dos))
    c = BilledClaim("RA", "medicare", dos, lines)
    first = claim_payment(c, [deny(lines[0], "CO", "97"), pay(lines[1])],
                          payer_claim_number="ICN-RA")
    _run("remit", "load", str(_write(tmp_path / "a.835", [first])), "--db", url)
    rev = claim_payment(c, [deny(lines[0], "CO", "97"), pay(lines[1])],
                        payer_claim_number="ICN-RA", reversal=True)
    again = claim_payment(c, [deny(lines[0], "CO", "97"), pay(lines[1])],
                          payer_claim_number="ICN-RA")
    _run("remit", "load", str(_write(tmp_path / "b.835", [rev, again], date(2026, 9, 25),
                                     "T2")), "--db", url)
    whole = json.loads(_run("report", "--json", "--status", "all", "--db", url))
    assert (whole["claims"], whole["billed"], whole["denied"], whole["lines"]) == (
        1, "270.00", "120.00", 2)
    assert Decimal(whole["paid"]) == again.paid  # the original and its reversal net
    work = json.loads(_run("report", "--json", "--db", url))
    assert (work["claims"], work["billed"], work["denied"], work["denial_rate"]) == (
        1, "120.00", "120.00", "1.0000")


@pytest.mark.skipif(not (CORPUS / "835").is_dir(), reason="no ../shared/x12-corpus/835")
def test_corpus_claims_of_one_file_and_day_never_overturn_each_other(tmp_path: Path) -> None:
    """OopFactory's three interchanges of one day, de-identified (one CLP07, one member id
    for every claim): 40 denials, none answered by another claim of the same file."""
    url = f"sqlite:///{tmp_path}/s.db"
    f = CORPUS / "835" / "Inteligenz-X12Parser__835_WithMultipleInterchanges.txt"
    _run("remit", "load", str(f), "--db", url, code=1)  # its trace conflicts hold it
    t = totals.compute(url)
    assert (t.denied_lines, t.overturned_lines, t.recovered) == (40, 0, Decimal("0.00"))
    assert t.claims == 48  # one CLP01 + CLP07 + member id: the dates still tell them apart
