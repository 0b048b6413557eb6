"""An index on `denial.payer_claim_number` (CLP07): the load's overturn search finds the
live denials a paid line may answer by CLP07 (and by CLP01, REF*F8, the submission); without
it that search read every live denial of the store for each batch of 500 claims, so a load
slowed as the store grew (issue 24).

No data changes; existing rows are indexed as they are.

Revision ID: 0011_denial_icn_index
Revises: 0010_claims_and_levels
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0011_denial_icn_index"
down_revision = "0010_claims_and_levels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_denial_payer_claim_number", "denial", ["payer_claim_number"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_denial_payer_claim_number", table_name="denial")
