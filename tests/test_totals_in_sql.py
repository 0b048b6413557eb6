"""The load's totals summed in SQL (issue 24) equal the same figures summed row by row in
Python over the stored adjustments and denials (reversals included: superseded denials
are not counted)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import col

from benchmarks.generate import write_835
from reconcile.denials.classify import is_not_denial_code
from reconcile.ledger import totals
from reconcile.remit.load import load_remittance_files
from reconcile.store.database import session_scope
from reconcile.store.remit_models import Denial, RemitAdjustment

ZERO = Decimal(0)


def test_sql_sums_equal_row_by_row_sums(tmp_path: Path) -> None:
    remit = tmp_path / "remit.835"
    write_835(remit, 120)  # reversals every 40 claims: superseded denials too
    url = f"sqlite:///{tmp_path / 'totals.db'}"
    summary = load_remittance_files([remit], url=url)
    assert summary.files[0].status == "loaded"
    t = totals.compute(url)
    contractual = denied = recovered = ZERO
    lines = 0
    by_cause: dict[str, tuple[int, Decimal]] = {}
    with session_scope(url) as s:
        a = RemitAdjustment
        for group, carc, amount in s.execute(sa.select(col(a.group_code), col(a.carc),
                                                       col(a.amount))).all():
            if group in ("CO", "PI") and is_not_denial_code(group, carc):
                contractual += amount or ZERO
        d = Denial
        superseded_seen = False
        for cause, amount, rec, superseded in s.execute(sa.select(
                col(d.cause), col(d.amount), col(d.recovered_amount), col(d.superseded))).all():
            if superseded:
                superseded_seen = True
                continue
            denied += amount or ZERO
            recovered += rec or ZERO
            lines += 1
            n, x = by_cause.get(cause, (0, ZERO))
            by_cause[cause] = (n + 1, x + (amount or ZERO))
    assert superseded_seen and contractual > 0 and denied > 0
    assert (t.contractual, t.denied, t.recovered, t.denied_lines) == (
        contractual, denied, recovered, lines)
    assert t.denied_by_cause == dict(sorted(by_cause.items(),
                                            key=lambda kv: (-kv[1][1], kv[0])))
