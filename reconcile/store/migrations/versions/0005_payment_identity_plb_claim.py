"""A payment is loaded once whatever its bytes; PLB items name their claim.

`remit_transaction.duplicate_of`: a second copy of a payment (same payer, TRN02 trace,
BPR02 amount and date; from another file, other line breaks, or repeated inside one file)
is recorded pointing at the first, and posts nothing. `remit_provider_adjustment.
claim_row_id`: the claim a PLB03-2 reference names (CLP07 or CLP01), when loaded.

Revision ID: 0005_payment_identity_plb_claim
Revises: 0004_denial_lifecycle
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_payment_identity_plb_claim"
down_revision = "0004_denial_lifecycle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("remit_transaction") as batch:
        batch.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch.create_index("ix_remit_transaction_duplicate_of", ["duplicate_of"])
        batch.create_foreign_key("fk_remit_transaction_duplicate_of", "remit_transaction",
                                 ["duplicate_of"], ["id"])
    with op.batch_alter_table("remit_provider_adjustment") as batch:
        batch.add_column(sa.Column("claim_row_id", sa.Integer(), nullable=True))
        batch.create_index("ix_remit_provider_adjustment_claim_row_id", ["claim_row_id"])
        batch.create_foreign_key("fk_remit_provider_adjustment_claim_row_id", "remit_claim",
                                 ["claim_row_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("remit_provider_adjustment") as batch:
        batch.drop_constraint("fk_remit_provider_adjustment_claim_row_id", type_="foreignkey")
        batch.drop_index("ix_remit_provider_adjustment_claim_row_id")
        batch.drop_column("claim_row_id")
    with op.batch_alter_table("remit_transaction") as batch:
        batch.drop_constraint("fk_remit_transaction_duplicate_of", type_="foreignkey")
        batch.drop_index("ix_remit_transaction_duplicate_of")
        batch.drop_column("duplicate_of")
