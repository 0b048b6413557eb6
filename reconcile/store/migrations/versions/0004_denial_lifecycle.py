"""Denial lifecycle: status, recovered amount, appeal level/date, owner, patient keys on
`denial`; the history table `denial_event` (issue 9).

Existing rows get their status from what the store already knew: a reversal took it back
-> superseded; a replacement claim answered it (`corrected_in`) -> corrected; else open.

Revision ID: 0004_denial_lifecycle
Revises: 0003_acks
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_denial_lifecycle"
down_revision = "0003_acks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "denial_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("denial_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("level", sa.String(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("remit_file_id", sa.Integer(), nullable=True),
        sa.Column("interchange", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["denial_id"], ["denial.id"]),
        sa.ForeignKeyConstraint(["remit_file_id"], ["remit_file.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_denial_event_denial_id"), "denial_event", ["denial_id"],
                    unique=False)
    # money as 0002_money_cents stores it: integer cents on SQLite, NUMERIC(12,2) elsewhere
    sqlite = op.get_bind().dialect.name == "sqlite"
    money = sa.Integer() if sqlite else sa.Numeric(precision=12, scale=2)
    with op.batch_alter_table("denial") as batch:
        batch.add_column(sa.Column("status", sa.String(length=20), nullable=False,
                                   server_default="open"))
        batch.add_column(sa.Column("patient_id", sa.String(), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("patient_name", sa.String(), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("recovered_amount", money, nullable=True))
        batch.add_column(sa.Column("overturned_by_claim_row_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("appeal_level", sa.String(), nullable=True))
        batch.add_column(sa.Column("appealed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("owner", sa.String(), nullable=True))
        batch.create_index(op.f("ix_denial_status"), ["status"], unique=False)
    denial = sa.table("denial", sa.column("status"), sa.column("superseded"),
                      sa.column("corrected_in"))
    op.execute(denial.update().where(denial.c.corrected_in.is_not(None))
               .values(status="corrected"))
    op.execute(denial.update().where(denial.c.superseded == sa.true())
               .values(status="superseded"))
    # the models carry no server defaults: drop them so models == migrations
    with op.batch_alter_table("denial") as batch:
        for name in ("status", "patient_id", "patient_name"):
            batch.alter_column(name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("denial") as batch:
        batch.drop_index(op.f("ix_denial_status"))
        for name in ("owner", "appealed_on", "appeal_level", "overturned_by_claim_row_id",
                     "recovered_amount", "patient_name", "patient_id", "status"):
            batch.drop_column(name)
    op.drop_index(op.f("ix_denial_event_denial_id"), table_name="denial_event")
    op.drop_table("denial_event")
