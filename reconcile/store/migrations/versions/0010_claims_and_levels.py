"""The patient on each claim payment (a claim is told apart by CLP01, CLP07 and patient)
and a denial's next appeal level (the lifecycle's next step, stored).

* `remit_claim.patient_id` (NM1*QC, else IL, NM109 of the 835), indexed: the totals count a
  claim once per CLP01 + CLP07 + patient (not CLP01 + date of service, which merged
  several patients' claims sharing one CLP01), and `denial show` lists paid lines of the
  same patient, code and date as overturn candidates.
* `denial.next_level`: after an appeal is upheld, the guide's next level, whose deadline
  (from the decision date) `denial.appeal_deadline` then holds (`reconcile.denials.levels`).

Existing rows: the 835 bytes are not kept, so a claim payment learns its patient from its
own denials (`denial.patient_id`, written since 0004); a claim without a denial keeps ""
and is then told apart by CLP01 + CLP07, as before for such claims. `next_level` stays
empty: a denial upheld before this revision gets it with its next recorded decision (its
letter, `dermclaim appeal`, already computes the level and deadline itself).

Revision ID: 0010_claims_and_levels
Revises: 0006_submission_once
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_claims_and_levels"
down_revision = "0009_payment_void"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("remit_claim", sa.Column("patient_id", sa.String(), nullable=False,
                                           server_default=""))
    op.execute(sa.text(
        "UPDATE remit_claim SET patient_id = COALESCE((SELECT max(d.patient_id) FROM denial d "
        "WHERE d.claim_row_id = remit_claim.id AND d.patient_id <> ''), '')"))
    op.create_index("ix_remit_claim_patient_id", "remit_claim", ["patient_id"], unique=False)
    op.add_column("denial", sa.Column("next_level", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("denial", "next_level")
    op.drop_index("ix_remit_claim_patient_id", table_name="remit_claim")
    op.drop_column("remit_claim", "patient_id")
