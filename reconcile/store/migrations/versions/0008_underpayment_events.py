"""Underpayments worked like denials: the history table `underpayment_event` (issue 23).

Underpaid lines are computed from the stored 835 lines when asked; only their status
changes are stored (one row per change, keyed by remit_line.id). Existing stores gain the
empty table: every underpaid line starts open.

Revision ID: 0008_underpayment_events
Revises: 0006_submission_once
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_underpayment_events"
down_revision = "0007_secondary_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # money as 0002_money_cents stores it: integer cents on SQLite, NUMERIC(12,2) elsewhere
    sqlite = op.get_bind().dialect.name == "sqlite"
    money = sa.Integer() if sqlite else sa.Numeric(precision=12, scale=2)
    op.create_table(
        "underpayment_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remit_line_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("amount", money, nullable=True),
        sa.Column("expected_allowed", money, nullable=True),
        sa.Column("short", money, nullable=True),
        sa.ForeignKeyConstraint(["remit_line_id"], ["remit_line.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_underpayment_event_remit_line_id"), "underpayment_event",
                    ["remit_line_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_underpayment_event_remit_line_id"), table_name="underpayment_event")
    op.drop_table("underpayment_event")
