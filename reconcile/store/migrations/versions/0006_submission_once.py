"""Exactly-once submission and crash-safe 837 files.

* `submitted_claim.submission_key` (UNIQUE): the identity of a submission on its first
  part ("1|<claim id>", "7|<claim id>|<REF*F8>|<content digest>", "8|<claim id>|<REF*F8>"),
  so the store itself refuses a second original, the same replacement again or a second
  void. `released_at` / `release_reason` free it when a 999/277CA rejects it (the payer
  never took it); `follows_id` links a new original to the released one.
* `interchange.state` ("writing" until its file is confirmed in place, then "written"),
  `file_path`, `staged_path`, `writer`: what the next run needs to finish or roll back a
  run killed between the store commit and the file rename.

Existing rows: interchanges are "written" (they were put in place by 0.1.0 or the run
failed loudly); each identity's earliest submission gets the key, later copies (the
duplicates this revision exists to stop) keep NULL. The content digest is the one of
`reconcile.store.sent.content_digest`, copied here so this revision never changes.

Revision ID: 0006_submission_once
Revises: 0005_payment_identity_plb_claim
Create Date: 2026-12-02
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = "0006_submission_once"
down_revision = "0005_payment_identity_plb_claim"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("interchange", sa.Column("state", sa.String(length=10), nullable=False,
                                           server_default="written"))
    op.add_column("interchange", sa.Column("file_path", sa.String(), nullable=True))
    op.add_column("interchange", sa.Column("staged_path", sa.String(), nullable=True))
    op.add_column("interchange", sa.Column("writer", sa.String(length=80), nullable=True))
    op.add_column("submitted_claim", sa.Column("submission_key", sa.String(length=120),
                                               nullable=True))
    op.add_column("submitted_claim", sa.Column("released_at", sa.DateTime(timezone=True),
                                               nullable=True))
    op.add_column("submitted_claim", sa.Column("release_reason", sa.String(), nullable=True))
    op.add_column("submitted_claim", sa.Column("follows_id", sa.Integer(), nullable=True))
    _backfill_keys()
    op.create_index(op.f("ix_submitted_claim_follows_id"), "submitted_claim", ["follows_id"],
                    unique=False)
    op.create_index(op.f("ix_submitted_claim_submission_key"), "submitted_claim",
                    ["submission_key"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_submitted_claim_submission_key"), table_name="submitted_claim")
    op.drop_index(op.f("ix_submitted_claim_follows_id"), table_name="submitted_claim")
    # plain ALTER TABLE DROP COLUMN (SQLite >= 3.35): a batch copy of submitted_claim would
    # trip the foreign keys of submitted_line
    for name in ("follows_id", "release_reason", "released_at", "submission_key"):
        op.drop_column("submitted_claim", name)
    for name in ("writer", "staged_path", "file_path", "state"):
        op.drop_column("interchange", name)


def _digest(encounter_text: str, lines: list[list[str]]) -> str:
    payload = json.dumps([json.loads(encounter_text), lines], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _dollars(value: object, cents: bool) -> Decimal:
    amount = Decimal(str(value))
    return amount / 100 if cents else amount


def _backfill_keys() -> None:
    conn = op.get_bind()
    claims = conn.execute(sa.text(
        "SELECT id, encounter_claim_id, claim_id, frequency, payer_claim_number, encounter_json"
        " FROM submitted_claim ORDER BY id")).all()
    if not claims:
        return
    cents = conn.dialect.name == "sqlite"  # money is integer cents there (0002_money_cents)
    lines: dict[int, list[list[str]]] = defaultdict(list)
    for row in conn.execute(sa.text(
            "SELECT l.claim_row_id, l.code, l.modifiers, l.units, l.charge,"
            " l.diagnosis_pointers, l.ndc FROM submitted_line l JOIN submitted_claim c"
            " ON c.id = l.claim_row_id WHERE c.frequency = '7'"
            " ORDER BY l.claim_row_id, l.line_number")):
        charge = "" if row.charge is None else f"{_dollars(row.charge, cents):.2f}"
        lines[row.claim_row_id].append([row.code, row.modifiers, str(row.units), charge,
                                        row.diagnosis_pointers, row.ndc or ""])
    taken: set[str] = set()
    for row in claims:
        if row.frequency == "7":
            key = (f"7|{row.encounter_claim_id}|{row.payer_claim_number}|"
                   f"{_digest(row.encounter_json, lines.get(row.id, []))}")
        elif row.frequency == "8":
            key = f"8|{row.encounter_claim_id}|{row.payer_claim_number}"
        else:
            key = f"{row.frequency}|{row.encounter_claim_id}"
        if key in taken:
            continue  # a later part, or a later copy (a duplicate sent before this revision)
        taken.add(key)
        conn.execute(sa.text("UPDATE submitted_claim SET submission_key = :k WHERE id = :i"),
                     {"k": key, "i": row.id})
