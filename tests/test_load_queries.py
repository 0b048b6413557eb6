"""The load's queries at scale (issue 24): each is led by an index, never by a scan that grows
with the store; reversals are applied a batch at a time with the figures of one at a time;
a store written before the denial CLP07 index (0011) upgrades to it and overturns by it."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner

from dermclaim.cli import main
from edi.x835.answers import (
    BilledClaim,
    BilledLine,
    build_remittance,
    claim_payment,
    deny,
    pay,
)
from edi.x835.answers import (
    remittance_text as text_835,
)
from edi.x835.model import ClaimPayment, Name
from reconcile.remit.load import load_remittance_files
from reconcile.store import migrate
from reconcile.store.database import dispose_all, get_engine, new_engine

MEDICARE = dict(payer_name="MEDICARE PART B", payer_id="12502")
DOS = date(2026, 9, 1)
BIG_TABLES = ("remit_claim", "remit_line", "remit_adjustment", "denial")


def _run(*args: str, code: int = 0) -> str:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == code, r.output
    return r.output


def _claim(pcn: str, icn: str, patient: str, *, denied: bool = False, reversal: bool = False,
           n: int = 1) -> ClaimPayment:
    lines = tuple(BilledLine(f"{pcn}-{k}", "11102", (), 1, Decimal("150.00"), DOS)
                  for k in range(1, n + 1))
    billed = BilledClaim(pcn, "medicare", DOS, lines)
    answers = [deny(ln, "CO", "16", "M127") if denied else pay(ln) for ln in lines]
    c = claim_payment(billed, answers, payer_claim_number=icn, reversal=reversal)
    return attrs.evolve(c, names=(Name("QC", "PATIENT", "X", id_qualifier="MI", id=patient),))


def _write(path: Path, claims: list[ClaimPayment], paid_on: date, trace: str) -> Path:
    path.write_text(text_835([build_remittance(claims, **MEDICARE, payment_date=paid_on,
                                               trace_number=trace)]))
    return path


def test_reversals_of_one_batch_take_back_only_their_own_claims(store_url: str,
                                                                 tmp_path: Path) -> None:
    """Several reversals in one batch: each takes back the earlier rows of its CLP01 with its
    CLP07 and patient (when sent), not another patient's claim under the same CLP01, not a
    row that comes after it, and their denials go with them."""
    first = [_claim("A", "ICN-A1", "P1", denied=True), _claim("A", "ICN-A2", "P2", denied=True),
             _claim("B", "ICN-B", "P3", denied=True), _claim("C", "ICN-C", "P4"),
             _claim("D", "ICN-D", "P5", denied=True)]
    second = [_claim("A", "ICN-A1", "P1", denied=True, reversal=True),
              _claim("B", "", "", denied=True, reversal=True),  # no CLP07, no patient sent
              _claim("C", "ICN-C", "P4", reversal=True),
              _claim("C", "ICN-C", "P4"),  # the corrected claim after its reversal
              _claim("D", "ICN-OTHER", "P5", denied=True, reversal=True)]
    load_remittance_files([_write(tmp_path / "1.835", first, date(2026, 9, 20), "T1")],
                          store_url)
    summary = load_remittance_files(
        [_write(tmp_path / "2.835", second, date(2026, 9, 25), "T2")], store_url,
        batch_claims=3)  # two batches: the reversals of B and C fall in different ones
    assert [f.status for f in summary.files] == ["loaded"]
    engine = new_engine(store_url)
    with engine.connect() as conn:
        claims = conn.execute(sa.text(
            "SELECT patient_control_number, payer_claim_number, is_reversal, superseded "
            "FROM remit_claim ORDER BY id")).all()
        denials = conn.execute(sa.text(
            "SELECT c.payer_claim_number, d.superseded FROM denial d JOIN remit_claim c "
            "ON c.id = d.claim_row_id WHERE NOT c.is_reversal ORDER BY d.id")).all()
    engine.dispose()
    dispose_all()
    taken = [(pcn, icn) for pcn, icn, rev, gone in claims if gone and not rev]
    assert taken == [("A", "ICN-A1"), ("B", "ICN-B"), ("C", "ICN-C")]
    assert [(icn, bool(gone)) for icn, gone in denials] == [
        ("ICN-A1", True), ("ICN-A2", False), ("ICN-B", True), ("ICN-D", False)]


def test_a_store_written_before_0011_upgrades_and_overturns_by_clp07(store_url: str,
                                                                    tmp_path: Path) -> None:
    """A denial written by a store at 0010 (no index on denial.payer_claim_number) is found
    by CLP07 after `db upgrade`: a later 835 paying the line overturns it."""
    engine = new_engine(store_url)
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0010_claims_and_levels")
    at = datetime(2026, 9, 21, tzinfo=UTC)
    amount = 15000 if engine.dialect.name == "sqlite" else Decimal("150.00")
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO remit_file (id, sha256, file_name, size_bytes, loaded_at, "
            "transaction_count, claim_count, line_count) VALUES (1, :sha, 'r.835', 1, :at, "
            "1, 1, 0)"), {"sha": "a" * 64, "at": at})
        conn.execute(sa.text(
            "INSERT INTO remit_transaction (id, file_id, control_number, "
            "interchange_control_number, payer_name, payer_id, payee_name, payee_id, "
            "trace_number, handling_code, credit_debit, payment_method, payment_date) "
            "VALUES (1, 1, '1', '1', 'P', 'P', 'C', '1', 'T0', 'H', 'C', 'NON', :on)"),
            {"on": date(2026, 9, 20)})
        conn.execute(sa.text(
            "INSERT INTO remit_claim (id, transaction_id, patient_control_number, status, "
            "is_reversal, charge, paid, filing_indicator, payer_claim_number, payer, "
            "segment_number, superseded, patient_id) VALUES (1, 1, 'OLD', '4', :no, :amount, "
            "0, 'MB', 'ICN-OLD', 'medicare', 1, :no, 'P9')"), {"no": False, "amount": amount})
        conn.execute(sa.text(
            "INSERT INTO denial (id, claim_row_id, claim_id, payer_claim_number, payer, "
            "code, date_of_service, modifiers, cause, group_code, carc, rarc, amount, rule, "
            "action, evidence, recoverable, superseded, status, patient_id, patient_name, "
            "payment_date) VALUES (1, 1, 'OLD', 'ICN-OLD', 'medicare', '11102', :dos, '', "
            "'missing_information', 'CO', '16', 'M127', :amount, 'r', 'a', 'e', :no, :no, "
            "'open', 'P9', 'X', :on)"),
            {"dos": DOS, "no": False, "amount": amount, "on": date(2026, 9, 20)})
        if engine.dialect.name == "postgresql":  # rows given their ids: move the sequences on
            for table in ("remit_file", "remit_transaction", "remit_claim", "denial"):
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))"))
    inspector = sa.inspect(engine)
    assert "ix_denial_payer_claim_number" not in {i["name"] for i in
                                                  inspector.get_indexes("denial")}
    engine.dispose()
    assert "store upgraded" in _run("db", "upgrade", "--db", store_url)
    dispose_all()
    engine = new_engine(store_url)
    assert "ix_denial_payer_claim_number" in {
        i["name"] for i in sa.inspect(engine).get_indexes("denial")}
    engine.dispose()
    # paid under another CLP01 (a new account number), the same CLP07, patient and service
    paying = attrs.evolve(_claim("NEW", "ICN-OLD", "P9"), service_lines=tuple(
        attrs.evolve(s, control_number=None) for s in _claim("NEW", "ICN-OLD", "P9")
        .service_lines))
    _run("remit", "load", str(_write(tmp_path / "pay.835", [paying], date(2026, 10, 5), "T9")),
         "--db", store_url)
    engine = new_engine(store_url)
    with engine.connect() as conn:
        status, by = conn.execute(sa.text(
            "SELECT status, overturned_by_claim_row_id FROM denial WHERE id = 1")).one()
    engine.dispose()
    dispose_all()
    assert (status, by) == ("overturned", 2)


class _Plans:
    """SQLite's plan of every SELECT / UPDATE run on `engine` while listening, and how
    often each ran."""

    def __init__(self) -> None:
        self.plans: dict[str, list[str]] = {}
        self.runs: Counter[str] = Counter()

    def __call__(self, conn: Any, cursor: Any, statement: str, params: Any, context: Any,
                 executemany: bool) -> None:
        if executemany or not statement.lstrip().upper().startswith(("SELECT", "UPDATE")):
            return
        key = " ".join(statement.split())
        self.runs[key] += 1
        if key not in self.plans:
            raw = conn.connection.driver_connection
            self.plans[key] = [r[3] for r in raw.execute("EXPLAIN QUERY PLAN " + statement,
                                                         params).fetchall()]

    def scanning(self) -> dict[str, list[str]]:
        """The statements run more than once that scan a big table or walk denials by
        status."""
        return {k: v for k, v in self.plans.items() if self.runs[k] > 1 and (
            any(step.startswith("SCAN " + t) for step in v for t in BIG_TABLES)
            or any("ix_denial_status" in step or "ix_denial_cause_live" in step
                   for step in v))}


def _two_files(tmp_path: Path, url: str) -> Path:
    first = [_claim(f"K{i}", f"ICN{i}", f"P{i}", denied=i % 2 == 0, n=2) for i in range(40)]
    later = [_claim(f"K{i}", f"ICN{i}", f"P{i}", n=2) for i in range(0, 40, 2)]
    later.insert(3, _claim("K5", "ICN5", "P5", reversal=True, n=2))
    load_remittance_files([_write(tmp_path / "1.835", first, date(2026, 9, 20), "T1")], url)
    return _write(tmp_path / "2.835", later, date(2026, 10, 5), "T2")


def test_every_query_run_per_batch_is_led_by_an_index(tmp_path: Path) -> None:
    """SQLite's plan of every statement a load runs more than once (per batch of claims):
    none scans a claim, line, adjustment or denial table, and none walks the denials by
    status (every live denial of the store): such a step costs the store's size per batch,
    so a load slows as the store grows (the overturn search and the COB answers did)."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    second = _two_files(tmp_path, url)
    plans = _Plans()
    engine = get_engine(url)
    sa.event.listen(engine, "before_cursor_execute", plans)
    try:
        summary = load_remittance_files([second], url, batch_claims=5)
    finally:
        sa.event.remove(engine, "before_cursor_execute", plans)
        dispose_all()
    assert summary.files[0].status == "loaded"
    assert any("FROM denial" in k and plans.runs[k] > 1 for k in plans.plans)  # per batch
    assert plans.scanning() == {}
    with new_engine(url).connect() as conn:
        overturned = conn.execute(sa.text(
            "SELECT count(*) FROM denial WHERE status = 'overturned'")).scalar()
    dispose_all()
    assert overturned == 40  # 20 denied claims x 2 lines, each paid by the later file


def test_every_query_the_totals_run_per_chunk_is_led_by_an_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The totals of a file read its claims' adjustments, denials, lines and COB answers a
    chunk of claims at a time; each chunk's query is led by the claims' index (a denial
    query led by the live-denial index read every denial of the store per chunk)."""
    from reconcile.ledger import by_line, shares, totals

    url = f"sqlite:///{tmp_path / 's.db'}"
    load_remittance_files([_two_files(tmp_path, url)], url)
    load_remittance_files([tmp_path / "2.835"], url)
    monkeypatch.setattr(totals, "chunks", lambda ids, n=7: by_line.chunks(ids, n))
    monkeypatch.setattr(shares, "CHUNK", 7)
    plans = _Plans()
    engine = get_engine(url)
    sa.event.listen(engine, "before_cursor_execute", plans)
    try:
        t = totals.compute(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", plans)
        dispose_all()
    # 40 claims (the later answers join the claims they overturned), the 40 denied lines
    # all overturned
    assert (t.claims, t.denied_lines, t.overturned_lines) == (40, 40, 40)
    assert any("FROM denial" in k and plans.runs[k] > 1 for k in plans.plans)
    assert plans.scanning() == {}


@pytest.fixture(autouse=True)
def _logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DERMCLAIM_LOG_DIR", str(tmp_path / "logs"))
    dispose_all()


def test_a_load_restores_the_garbage_collector_settings(tmp_path: Path) -> None:
    """Loading collects less often (see `_fewer_collections`); afterwards, and after a file
    that fails, the process's thresholds and frozen objects are as they were."""
    import gc

    before = (gc.get_threshold(), gc.get_freeze_count())
    url = f"sqlite:///{tmp_path / 's.db'}"
    bad = tmp_path / "bad.835"
    bad.write_text("ISA*00*nonsense~")
    summary = load_remittance_files(
        [_write(tmp_path / "1.835", [_claim("A", "ICN-A", "P1", denied=True)],
                date(2026, 9, 20), "T1"), bad], url)
    dispose_all()
    assert [f.status for f in summary.files] == ["loaded", "failed"]
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
