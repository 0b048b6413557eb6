"""Secondary claims: whose turn a submitted claim is, and what Medicare said about crossover.

* `submitted_claim.payer_order` ("P", "S", "T"): the payer the claim went to in the
  patient's order of benefits; a secondary claim is built by `dermclaim secondary` from
  the primary's 835 (`prior_remit_claim_id` names that 835 claim row).
* `submitted_claim.next_payer`: the guide of the patient's next coverage when the claim
  was sent (the encounter's `other_coverage`), so the ledger knows whose the balance is.
* `remit_claim.remarks`: the claim-level remark codes (MOA/MIA, colon-joined): MA18 / N89
  say Medicare forwarded the claim to the supplemental payer, MA08 / MA19 that it did not.
* `remit_claim.crossover_payer`: the payer the claim was forwarded to (835 NM1*TT).

Existing rows: every claim sent before is a primary claim ("P") with no next payer; every
835 claim keeps empty remarks (the files were loaded without them).

Revision ID: 0007_secondary_claims
Revises: 0006_submission_once
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_secondary_claims"
down_revision = "0006_submission_once"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submitted_claim", sa.Column("payer_order", sa.String(length=1),
                                               nullable=False, server_default="P"))
    op.add_column("submitted_claim", sa.Column("next_payer", sa.String(), nullable=True))
    op.add_column("submitted_claim", sa.Column("prior_remit_claim_id", sa.Integer(),
                                               nullable=True))
    op.create_index(op.f("ix_submitted_claim_prior_remit_claim_id"), "submitted_claim",
                    ["prior_remit_claim_id"], unique=False)
    op.add_column("remit_claim", sa.Column("remarks", sa.String(), nullable=False,
                                           server_default=""))
    op.add_column("remit_claim", sa.Column("crossover_payer", sa.String(), nullable=False,
                                           server_default=""))


def downgrade() -> None:
    op.drop_index(op.f("ix_submitted_claim_prior_remit_claim_id"), table_name="submitted_claim")
    for name in ("prior_remit_claim_id", "next_payer", "payer_order"):
        op.drop_column("submitted_claim", name)
    for name in ("crossover_payer", "remarks"):
        op.drop_column("remit_claim", name)
