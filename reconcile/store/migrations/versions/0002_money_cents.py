"""Exact money on SQLite: money columns hold integer cents (PostgreSQL keeps NUMERIC(12,2)).

SQLite has no exact decimal type: 0.1.0 stored money as REAL, so `select sum(amount)` in
any SQLite tool gave 162546.60999999987. Each money value becomes round(value * 100) as an
INTEGER column (exact for every amount below 10^13 dollars); Python still reads Decimal
(`reconcile.store.models.Money`). Units and CAS quantities are not money and stay as they
were. On PostgreSQL this revision changes nothing.

Revision ID: 0002_money_cents
Revises: 0001_baseline
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_money_cents"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

MONEY_COLUMNS = {
    "interchange": ("total_charge",),
    "submitted_claim": ("total_charge",),
    "submitted_line": ("charge",),
    "remit_transaction": ("payment_amount",),
    "remit_claim": ("charge", "paid", "patient_responsibility"),
    "remit_line": ("charge", "paid", "allowed"),
    "remit_adjustment": ("amount",),
    "remit_provider_adjustment": ("amount",),
    "remit_finding": ("difference",),
    "denial": ("amount",),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, columns in MONEY_COLUMNS.items():
        sets = ", ".join(f"{c} = CAST(ROUND({c} * 100) AS INTEGER)" for c in columns)
        op.execute(f"UPDATE {table} SET {sets}")
        with op.batch_alter_table(table) as batch:
            for c in columns:
                batch.alter_column(c, type_=sa.Integer(), existing_type=sa.Numeric(12, 2),
                                   existing_nullable=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, columns in MONEY_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for c in columns:
                batch.alter_column(c, type_=sa.Numeric(12, 2), existing_type=sa.Integer(),
                                   existing_nullable=True)
        sets = ", ".join(f"{c} = {c} / 100.0" for c in columns)
        op.execute(f"UPDATE {table} SET {sets}")
