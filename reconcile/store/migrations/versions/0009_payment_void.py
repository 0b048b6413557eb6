"""Payments taken out of the store, and the payments earlier releases posted twice.

`payment_void`: the record of a payment removed with everything it posted (`dermclaim
remit void`, or this revision). Releases before payment identity (0.1.0 and the landings
before it) posted a payment again when its file came back with other bytes (a CRLF copy,
a re-download): its claims, lines and denials are in the store twice and every total
counts them twice. This revision finds them (same payer, TRN02 trace, signed BPR02 amount
and date, none yet marked a duplicate), keeps the first, removes what each later copy
posted, marks the copy `duplicate_of` the first (as a load does today) and records it in
`payment_void`. What it did, with the paid and denied totals before and after, is
reported by `dermclaim db upgrade` (the `report` list in the Alembic config attributes).
The SQL is written out here so this revision never changes with the code.

Revision ID: 0009_payment_void
Revises: 0006_submission_once
Create Date: 2026-12-06
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009_payment_void"
down_revision = "0008_underpayment_events"
branch_labels = None
depends_on = None

NOTE = "posted twice by an earlier dermclaim release (another copy of the same payment)"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    money = sa.Integer() if sqlite else sa.Numeric(precision=12, scale=2)
    op.create_table(
        "payment_void",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("payer", sa.String(), nullable=False),
        sa.Column("trace_number", sa.String(), nullable=False),
        sa.Column("payment_amount", money, nullable=True),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("paid", money, nullable=True),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("denials", sa.Integer(), nullable=False),
        sa.Column("overturns_undone", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_payment_void_transaction_id", "payment_void", ["transaction_id"])
    _remove_double_postings(sqlite)


def downgrade() -> None:
    op.drop_index("ix_payment_void_transaction_id", table_name="payment_void")
    op.drop_table("payment_void")


def _money(value: Any, sqlite: bool) -> Decimal:
    if value is None:
        return Decimal("0.00")
    return (Decimal(int(value)) / 100 if sqlite else Decimal(str(value))).quantize(
        Decimal("0.01"))


def _totals(conn: sa.Connection, sqlite: bool) -> tuple[Decimal, Decimal]:
    """(paid, denied) as the ledger counts them: claims of payments not marked duplicate,
    live denials."""
    paid = conn.execute(sa.text(
        "SELECT sum(c.paid) FROM remit_claim c JOIN remit_transaction t "
        "ON t.id = c.transaction_id WHERE t.duplicate_of IS NULL")).scalar()
    denied = conn.execute(sa.text(
        "SELECT sum(d.amount) FROM denial d WHERE NOT d.superseded")).scalar()
    return _money(paid, sqlite), _money(denied, sqlite)


def _in(ids: list[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


def _remove_double_postings(sqlite: bool) -> None:
    conn = op.get_bind()
    config = op.get_context().config
    report: list[str] = (config.attributes.setdefault("report", []) if config is not None
                         else [])
    rows = conn.execute(sa.text(
        "SELECT t.id, coalesce(nullif(trim(t.payer_id), ''), trim(t.payer_name)), "
        "trim(t.trace_number), t.payment_amount, t.credit_debit, "
        "coalesce(t.payment_date, t.production_date), f.file_name "
        "FROM remit_transaction t JOIN remit_file f ON f.id = t.file_id "
        "WHERE t.duplicate_of IS NULL AND trim(t.trace_number) <> '' ORDER BY t.id")).all()
    first: dict[tuple[Any, ...], int] = {}
    copies: list[tuple[int, int, tuple[Any, ...], str]] = []
    for tid, payer, trace, amount, cd, on, file_name in rows:
        signed = -_money(amount, sqlite) if cd == "D" else _money(amount, sqlite)
        key = (payer, trace, signed, str(on))
        if key in first:
            copies.append((tid, first[key], key, file_name))
        else:
            first[key] = tid
    if not copies:
        return
    before = _totals(conn, sqlite)
    now = datetime.now(UTC)
    for tid, original, (payer, trace, signed, on), file_name in copies:
        claims = [r[0] for r in conn.execute(sa.text(
            f"SELECT id FROM remit_claim WHERE transaction_id = {tid}"))]
        c = _in(claims)
        paid = _money(conn.execute(sa.text(
            f"SELECT sum(paid) FROM remit_claim WHERE id IN ({c})")).scalar(), sqlite)
        lines = conn.execute(sa.text(
            f"SELECT count(*) FROM remit_line WHERE claim_row_id IN ({c})")).scalar() or 0
        denials = [r[0] for r in conn.execute(sa.text(
            f"SELECT id FROM denial WHERE claim_row_id IN ({c})"))]
        d = _in(denials)
        has_events = "denial_event" in sa.inspect(conn).get_table_names()
        # overturns this copy made (paid a denial of another payment): undone, as void does
        undone = 0
        if "overturned_by_claim_row_id" in {col["name"] for col in
                                             sa.inspect(conn).get_columns("denial")}:
            undone = conn.execute(sa.text(
                f"UPDATE denial SET status = 'open', recovered_amount = NULL, "
                f"overturned_by_claim_row_id = NULL WHERE overturned_by_claim_row_id IN ({c}) "
                f"AND id NOT IN ({d})")).rowcount or 0
        for sql in ((f"DELETE FROM denial_event WHERE denial_id IN ({d})" if has_events
                     else ""),
                    f"DELETE FROM denial WHERE id IN ({d})",
                    f"DELETE FROM remit_adjustment WHERE claim_row_id IN ({c})",
                    f"DELETE FROM remit_line WHERE claim_row_id IN ({c})",
                    f"UPDATE remit_provider_adjustment SET claim_row_id = NULL "
                    f"WHERE claim_row_id IN ({c})",
                    f"DELETE FROM remit_provider_adjustment WHERE transaction_id = {tid}",
                    f"DELETE FROM remit_claim WHERE id IN ({c})",
                    f"UPDATE remit_transaction SET duplicate_of = {original} WHERE id = {tid}"):
            if sql:
                conn.execute(sa.text(sql))
        conn.execute(sa.text(
            "INSERT INTO payment_void (transaction_id, file_name, payer, trace_number, "
            "payment_amount, payment_date, paid, claims, lines, denials, overturns_undone, "
            "at, actor, note) VALUES (:tid, :file, :payer, :trace, :amount, :on, :paid, "
            ":claims, :lines, :denials, :undone, :at, 'db upgrade', :note)"),
            {"tid": tid, "file": file_name, "payer": payer, "trace": trace,
             "amount": int(signed * 100) if sqlite else signed,
             "on": None if on == "None" else on,
             "paid": int(paid * 100) if sqlite else paid, "claims": len(claims),
             "lines": lines, "denials": len(denials), "undone": undone,
             "at": now, "note": f"{NOTE}: copy of payment {original}"})
        report.append(f"payment {tid} (trace {trace}, {signed:.2f} on {on}, {file_name}) was "
                      f"posted twice: the copy of payment {original} is removed ({len(claims)} "
                      f"claims, {lines} lines, {len(denials)} denials, paid {paid:.2f})")
    after = _totals(conn, sqlite)
    report.append(f"payments posted twice: {len(copies)} removed; paid {before[0]:.2f} -> "
                  f"{after[0]:.2f}, denied {before[1]:.2f} -> {after[1]:.2f}")
