"""Acknowledgments: 999 / 277CA files, each claim's answer, and resubmission links.

ack_file: one loaded 999 or 277CA (sha256 unique: a file loads once); ack_answer: what an
acknowledgment said about one claim sent (or one transaction set no claim of ours
matches); claim_resubmission: a corrected claim sent again as a new original, linked to the
rejected submission. See reconcile/store/ack_models.py.

Revision ID: 0003_acks
Revises: 0002_money_cents
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_acks"
down_revision = "0002_money_cents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ack_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transaction_count", sa.Integer(), nullable=False),
        sa.Column("answer_count", sa.Integer(), nullable=False),
        sa.Column("unmatched_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "claim_resubmission",
        sa.Column("claim_row_id", sa.Integer(), nullable=False),
        sa.Column("rejected_claim_row_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["claim_row_id"], ["submitted_claim.id"]),
        sa.ForeignKeyConstraint(["rejected_claim_row_id"], ["submitted_claim.id"]),
        sa.PrimaryKeyConstraint("claim_row_id"),
    )
    op.create_index(op.f("ix_claim_resubmission_rejected_claim_row_id"), "claim_resubmission",
                    ["rejected_claim_row_id"], unique=False)
    op.create_table(
        "ack_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("submitted_claim_id", sa.Integer(), nullable=True),
        sa.Column("claim_id", sa.String(length=38), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("group_control_number", sa.String(), nullable=False),
        sa.Column("transaction_control_number", sa.String(), nullable=False),
        sa.Column("codes", sa.Text(), nullable=False),
        sa.Column("meaning", sa.Text(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("payer_claim_number", sa.String(), nullable=True),
        sa.Column("clearinghouse_trace", sa.String(), nullable=True),
        sa.Column("line_control_number", sa.String(), nullable=True),
        sa.Column("submitted_line_id", sa.Integer(), nullable=True),
        sa.Column("segment_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["ack_file.id"]),
        sa.ForeignKeyConstraint(["submitted_claim_id"], ["submitted_claim.id"]),
        sa.ForeignKeyConstraint(["submitted_line_id"], ["submitted_line.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_ack_answer_claim_id"), "ack_answer", ["claim_id"], unique=False)
    op.create_index("ix_ack_answer_claim_received", "ack_answer",
                    ["submitted_claim_id", "received_on"], unique=False)
    op.create_index(op.f("ix_ack_answer_file_id"), "ack_answer", ["file_id"], unique=False)
    op.create_index(op.f("ix_ack_answer_outcome"), "ack_answer", ["outcome"], unique=False)


def downgrade() -> None:
    op.drop_table("ack_answer")
    op.drop_table("claim_resubmission")
    op.drop_table("ack_file")
