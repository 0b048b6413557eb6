"""Money in the store is exact in SQL itself: `sum()` in any SQL tool gives cents.

SQLite has no exact decimal: money columns hold integer cents there (sum = cents);
PostgreSQL keeps NUMERIC(12,2). Python reads Decimal on both.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from remit_helpers import add_submitted

from edi.x835.answers import build_remittance, claim_payment, deny, remittance_text
from reconcile.remit.load import load_remittance_files
from reconcile.store.database import get_engine, session_scope
from reconcile.store.remit_models import Denial


def test_sql_sum_of_denied_money_is_exact(store_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # 0.1 + 0.2 ... in binary floating point never sums to an exact cent figure
    claims = []
    for i in range(30):
        billed = add_submitted(store_url, f"M{i}", [("11102", (), 1, "0.10"),
                                                    ("11103", (), 1, "0.20")])
        claims.append(claim_payment(billed, [deny(ln, "CO", "50") for ln in billed.lines],
                                    payer_claim_number=f"ICN{i}"))
    r = build_remittance(claims, payer_name="MEDICARE PART B", payer_id="12502",
                         payment_date=date(2026, 10, 20), trace_number="T1")
    path = tmp_path / "m.835"
    path.write_text(remittance_text([r]))
    assert load_remittance_files([path], store_url).ok
    with get_engine(store_url).connect() as conn:
        raw = conn.exec_driver_sql("SELECT sum(amount) FROM denial").one()
        dialect = conn.dialect.name
    if dialect == "sqlite":
        assert raw[0] == 900 and isinstance(raw[0], int)  # cents
    else:
        assert raw[0] == Decimal("9.00")
    with session_scope(store_url) as s:
        assert s.execute(sa.select(sa.func.sum(Denial.amount))).scalar() == Decimal("9.00")
        amounts = set(s.execute(sa.select(Denial.amount)).scalars())
    assert amounts == {Decimal("0.10"), Decimal("0.20")}
