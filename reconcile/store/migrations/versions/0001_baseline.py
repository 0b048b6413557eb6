"""Baseline: the store as dermclaim 0.1.0 wrote it (before revisions existed).

A store written by that release has these tables and no `alembic_version`; it is
recognised as this revision (`reconcile.store.migrate`). Frozen: later changes are new
revisions, never edits here.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=12, scale=2)
TABLES = (
    "control_counter",
    "interchange",
    "remit_file",
    "remit_transaction",
    "submitted_claim",
    "remit_claim",
    "remit_finding",
    "remit_provider_adjustment",
    "submitted_line",
    "remit_line",
    "denial",
    "remit_adjustment",
)


def upgrade() -> None:
    op.create_table(
        "control_counter",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "interchange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("control_number", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claim_count", sa.Integer(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("total_charge", MONEY, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_interchange_control_number"), "interchange", ["control_number"], unique=True
    )
    op.create_index(op.f("ix_interchange_file_hash"), "interchange", ["file_hash"], unique=False)
    op.create_table(
        "remit_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transaction_count", sa.Integer(), nullable=False),
        sa.Column("claim_count", sa.Integer(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "remit_transaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("control_number", sa.String(), nullable=False),
        sa.Column("interchange_control_number", sa.String(), nullable=False),
        sa.Column("payer_name", sa.String(), nullable=False),
        sa.Column("payer_id", sa.String(), nullable=False),
        sa.Column("payee_name", sa.String(), nullable=False),
        sa.Column("payee_id", sa.String(), nullable=False),
        sa.Column("trace_number", sa.String(), nullable=False),
        sa.Column("handling_code", sa.String(), nullable=False),
        sa.Column("payment_amount", MONEY, nullable=True),
        sa.Column("credit_debit", sa.String(), nullable=False),
        sa.Column("payment_method", sa.String(), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("production_date", sa.Date(), nullable=True),
        sa.Column("guide", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["remit_file.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_remit_transaction_file_id"), "remit_transaction", ["file_id"], unique=False
    )
    op.create_index(
        op.f("ix_remit_transaction_payer_id"), "remit_transaction", ["payer_id"], unique=False
    )
    op.create_index(
        op.f("ix_remit_transaction_payment_date"),
        "remit_transaction",
        ["payment_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_remit_transaction_trace_number"),
        "remit_transaction",
        ["trace_number"],
        unique=False,
    )
    op.create_table(
        "submitted_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interchange_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(length=38), nullable=False),
        sa.Column("encounter_claim_id", sa.String(length=20), nullable=False),
        sa.Column("payer", sa.String(), nullable=False),
        sa.Column("payer_id", sa.String(), nullable=False),
        sa.Column("frequency", sa.String(), nullable=False),
        sa.Column("payer_claim_number", sa.String(), nullable=True),
        sa.Column("date_of_service", sa.Date(), nullable=False),
        sa.Column("total_charge", MONEY, nullable=True),
        sa.Column("group_control_number", sa.Integer(), nullable=False),
        sa.Column("transaction_control_number", sa.String(), nullable=False),
        sa.Column("encounter_json", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interchange_id"],
            ["interchange.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("interchange_id", "claim_id"),
    )
    op.create_index(
        op.f("ix_submitted_claim_claim_id"), "submitted_claim", ["claim_id"], unique=False
    )
    op.create_index(
        op.f("ix_submitted_claim_date_of_service"),
        "submitted_claim",
        ["date_of_service"],
        unique=False,
    )
    op.create_index(
        op.f("ix_submitted_claim_encounter_claim_id"),
        "submitted_claim",
        ["encounter_claim_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_submitted_claim_interchange_id"),
        "submitted_claim",
        ["interchange_id"],
        unique=False,
    )
    op.create_index(op.f("ix_submitted_claim_payer"), "submitted_claim", ["payer"], unique=False)
    op.create_table(
        "remit_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("patient_control_number", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("is_reversal", sa.Boolean(), nullable=False),
        sa.Column("charge", MONEY, nullable=True),
        sa.Column("paid", MONEY, nullable=True),
        sa.Column("patient_responsibility", MONEY, nullable=True),
        sa.Column("filing_indicator", sa.String(), nullable=False),
        sa.Column("payer_claim_number", sa.String(), nullable=False),
        sa.Column("frequency", sa.String(), nullable=True),
        sa.Column("date_of_service", sa.Date(), nullable=True),
        sa.Column("submitted_claim_id", sa.Integer(), nullable=True),
        sa.Column("payer", sa.String(), nullable=False),
        sa.Column("segment_number", sa.Integer(), nullable=False),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submitted_claim_id"],
            ["submitted_claim.id"],
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["remit_transaction.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_remit_claim_patient_control_number"),
        "remit_claim",
        ["patient_control_number"],
        unique=False,
    )
    op.create_index(
        "ix_remit_claim_pcn_icn",
        "remit_claim",
        ["patient_control_number", "payer_claim_number"],
        unique=False,
    )
    op.create_index(
        op.f("ix_remit_claim_submitted_claim_id"),
        "remit_claim",
        ["submitted_claim_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_remit_claim_transaction_id"), "remit_claim", ["transaction_id"], unique=False
    )
    op.create_table(
        "remit_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("segment_number", sa.Integer(), nullable=True),
        sa.Column("segment_id", sa.String(), nullable=True),
        sa.Column("claim", sa.String(), nullable=True),
        sa.Column("difference", MONEY, nullable=True),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["remit_transaction.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_remit_finding_kind"), "remit_finding", ["kind"], unique=False)
    op.create_index(
        op.f("ix_remit_finding_transaction_id"), "remit_finding", ["transaction_id"], unique=False
    )
    op.create_table(
        "remit_provider_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("fiscal_period_end", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("reference", sa.String(), nullable=False),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("segment_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["remit_transaction.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_remit_provider_adjustment_transaction_id"),
        "remit_provider_adjustment",
        ["transaction_id"],
        unique=False,
    )
    op.create_table(
        "submitted_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_row_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("line_control_number", sa.String(length=50), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("modifiers", sa.String(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("charge", MONEY, nullable=True),
        sa.Column("date_of_service", sa.Date(), nullable=False),
        sa.Column("diagnosis_pointers", sa.String(), nullable=False),
        sa.Column("ndc", sa.String(), nullable=True),
        sa.Column("procedure_index", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_row_id"],
            ["submitted_claim.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_submitted_line_claim_row_id"), "submitted_line", ["claim_row_id"], unique=False
    )
    op.create_index(op.f("ix_submitted_line_code"), "submitted_line", ["code"], unique=False)
    op.create_index(
        op.f("ix_submitted_line_line_control_number"),
        "submitted_line",
        ["line_control_number"],
        unique=False,
    )
    op.create_table(
        "remit_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_row_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("qualifier", sa.String(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("modifiers", sa.String(), nullable=False),
        sa.Column("original_code", sa.String(), nullable=True),
        sa.Column("original_modifiers", sa.String(), nullable=False),
        sa.Column("charge", MONEY, nullable=True),
        sa.Column("paid", MONEY, nullable=True),
        sa.Column("units", MONEY, nullable=True),
        sa.Column("original_units", MONEY, nullable=True),
        sa.Column("allowed", MONEY, nullable=True),
        sa.Column("date_of_service", sa.Date(), nullable=True),
        sa.Column("control_number", sa.String(), nullable=True),
        sa.Column("remarks", sa.String(), nullable=False),
        sa.Column("submitted_line_id", sa.Integer(), nullable=True),
        sa.Column("match_rule", sa.String(), nullable=False),
        sa.Column("segment_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_row_id"],
            ["remit_claim.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_line_id"],
            ["submitted_line.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_remit_line_claim_row_id"), "remit_line", ["claim_row_id"], unique=False
    )
    op.create_index(op.f("ix_remit_line_code"), "remit_line", ["code"], unique=False)
    op.create_index(
        op.f("ix_remit_line_control_number"), "remit_line", ["control_number"], unique=False
    )
    op.create_index(
        op.f("ix_remit_line_date_of_service"), "remit_line", ["date_of_service"], unique=False
    )
    op.create_index(
        op.f("ix_remit_line_submitted_line_id"), "remit_line", ["submitted_line_id"], unique=False
    )
    op.create_table(
        "denial",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_row_id", sa.Integer(), nullable=False),
        sa.Column("line_row_id", sa.Integer(), nullable=True),
        sa.Column("submitted_line_id", sa.Integer(), nullable=True),
        sa.Column("claim_id", sa.String(), nullable=False),
        sa.Column("payer_claim_number", sa.String(), nullable=False),
        sa.Column("payer", sa.String(), nullable=False),
        sa.Column("line_control_number", sa.String(), nullable=True),
        sa.Column("date_of_service", sa.Date(), nullable=True),
        sa.Column("code", sa.String(), nullable=True),
        sa.Column("modifiers", sa.String(), nullable=False),
        sa.Column("cause", sa.String(), nullable=False),
        sa.Column("group_code", sa.String(), nullable=False),
        sa.Column("carc", sa.String(), nullable=False),
        sa.Column("rarc", sa.String(), nullable=False),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("recoverable", sa.Boolean(), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("appeal_deadline", sa.Date(), nullable=True),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.Column("corrected_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_row_id"],
            ["remit_claim.id"],
        ),
        sa.ForeignKeyConstraint(
            ["line_row_id"],
            ["remit_line.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_line_id"],
            ["submitted_line.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_denial_appeal_deadline"), "denial", ["appeal_deadline"], unique=False)
    op.create_index(op.f("ix_denial_cause"), "denial", ["cause"], unique=False)
    op.create_index("ix_denial_cause_live", "denial", ["superseded", "cause"], unique=False)
    op.create_index(op.f("ix_denial_claim_id"), "denial", ["claim_id"], unique=False)
    op.create_index(op.f("ix_denial_claim_row_id"), "denial", ["claim_row_id"], unique=False)
    op.create_index(op.f("ix_denial_code"), "denial", ["code"], unique=False)
    op.create_index(op.f("ix_denial_date_of_service"), "denial", ["date_of_service"], unique=False)
    op.create_index(op.f("ix_denial_line_row_id"), "denial", ["line_row_id"], unique=False)
    op.create_index(op.f("ix_denial_payer"), "denial", ["payer"], unique=False)
    op.create_table(
        "remit_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_row_id", sa.Integer(), nullable=False),
        sa.Column("line_row_id", sa.Integer(), nullable=True),
        sa.Column("group_code", sa.String(), nullable=False),
        sa.Column("carc", sa.String(), nullable=False),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("quantity", MONEY, nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_row_id"],
            ["remit_claim.id"],
        ),
        sa.ForeignKeyConstraint(
            ["line_row_id"],
            ["remit_line.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_remit_adjustment_carc"), "remit_adjustment", ["carc"], unique=False)
    op.create_index(
        op.f("ix_remit_adjustment_claim_row_id"), "remit_adjustment", ["claim_row_id"], unique=False
    )
    op.create_index(
        op.f("ix_remit_adjustment_line_row_id"), "remit_adjustment", ["line_row_id"], unique=False
    )


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
