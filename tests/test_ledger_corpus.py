"""Issue 8's "done when" on the public corpus (../shared/x12-corpus/835), when present.

A fresh SQLite store, every corpus 835 loaded: no denial row for a contractual, withhold or
patient-share code; none from a predetermination (CLP02 = 25); PR-32 is eligibility and
CO-251 missing information; the emedny file loaded again with other line breaks posts
nothing; `sum()` in SQL over the money is exact cents; the period totals follow the period.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import corpus_files

from reconcile.denials.classify import is_not_denial_code
from reconcile.ledger import totals
from reconcile.remit.load import load_remittance_files
from reconcile.store.database import get_engine

FILES = corpus_files("835")
pytestmark = pytest.mark.skipif(not FILES, reason="no ../shared/x12-corpus/835")


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'store.db'}"
    summary = load_remittance_files(FILES, url)
    assert summary.ok
    return url


def _rows(url: str, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql).fetchall()]


def test_no_denial_for_contractual_withhold_or_patient_share_codes(corpus_store: str) -> None:
    rows = _rows(corpus_store, "SELECT group_code, carc FROM denial")
    assert rows
    assert [r for r in rows if is_not_denial_code(*r)] == []
    assert not [r for r in rows if r[1] in ("42", "A2", "104", "45", "253")]


def test_no_denial_from_a_predetermination(corpus_store: str) -> None:
    assert _rows(corpus_store, "SELECT count(*) FROM remit_claim WHERE status = '25'")[0][0]
    assert _rows(corpus_store, "SELECT count(*) FROM denial d JOIN remit_claim c "
                               "ON c.id = d.claim_row_id WHERE c.status = '25'") == [(0,)]


def test_pr_32_is_eligibility_and_co_251_missing_information(corpus_store: str) -> None:
    causes = dict(((g, c), cause) for g, c, cause in _rows(
        corpus_store, "SELECT group_code, carc, cause FROM denial"))
    assert causes[("PR", "32")] == "eligibility"
    assert causes[("CO", "251")] == "missing_information"


def test_sql_sum_of_money_is_exact_cents(corpus_store: str) -> None:
    (total,), = _rows(corpus_store, "SELECT sum(amount) FROM denial")
    assert isinstance(total, int)  # integer cents on SQLite
    (superseded,), = _rows(corpus_store,
                           "SELECT coalesce(sum(amount), 0) FROM denial WHERE superseded")
    t = totals.compute(corpus_store)
    assert (Decimal(total) - Decimal(superseded)) / 100 == t.denied


def test_emedny_with_other_line_breaks_posts_nothing(corpus_store: str, tmp_path: Path) -> None:
    emedny = next(p for p in FILES if "emedny" in p.name)
    before = totals.compute(corpus_store)
    text = emedny.read_bytes()
    other = tmp_path / "emedny-lines.txt"
    other.write_bytes(text.replace(b"~\n", b"~").replace(b"~\r\n", b"~").replace(b"~", b"~\n"))
    assert other.read_bytes() != text
    summary = load_remittance_files([other], corpus_store)
    assert summary.files[0].duplicates and emedny.name in summary.files[0].duplicates[0]
    after = totals.compute(corpus_store)
    assert (after.paid, after.denied, after.claims, after.payments) == (
        before.paid, before.denied, before.claims, before.payments)
    assert after.duplicate_payments == before.duplicate_payments + 1


def test_period_totals_follow_the_period(corpus_store: str) -> None:
    whole = totals.compute(corpus_store)
    dates = sorted(d for (d,) in _rows(corpus_store, "SELECT DISTINCT coalesce(payment_date, "
                                                     "production_date) FROM remit_transaction")
                   if d)
    cut = date.fromisoformat(str(dates[len(dates) // 2]))
    late = totals.compute(corpus_store, since=cut)
    early = totals.compute(corpus_store, until=date.fromordinal(cut.toordinal() - 1))
    for name in ("paid", "denied", "received", "plb", "patient_responsibility"):
        assert getattr(late, name) + getattr(early, name) == getattr(whole, name), name
    assert late.denied_lines + early.denied_lines == whole.denied_lines
    assert late.claims < whole.claims and early.claims < whole.claims
