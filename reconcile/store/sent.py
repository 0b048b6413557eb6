"""What counts as "already sent": the identity of a submission, and the check.

A payer denies a second copy of a claim it already has (CARC 18, duplicate claim), so
`dermclaim claims` sends each submission once:

* an original (frequency 1) once per claim id;
* a replacement (frequency 7) once per claim id, payer claim number (REF*F8) and content:
  the same correction is never sent twice, a different one (other lines, codes, units,
  charges or documentation) for the same payer claim is a new correction;
* a void (frequency 8) once per claim id and payer claim number;
* a claim to a later payer (secondary, tertiary: `Encounter.payer_order` S or T, built
  from the earlier payers' 835s) once per claim id and payer: "S|DC-1010|medigap".

`submission_identity` names that identity as one string, stored UNIQUE on the claim's
first part (`submitted_claim.submission_key`): the store itself refuses a second copy.
`already_sent` answers from the store; it runs inside the submission lock
(`reconcile.store.submissions.lock_submissions`), in the transaction that records what is
sent, so two runs at once cannot both decide to send the same claim (check-then-act).

A submission the payer never accepted (rejected by a 999 or 277CA) is not a duplicate:
`release_submission` is the hook the acknowledgment side calls for it, after which a new
original of the same claim id may go out (see its docstring).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session, col

from coding.encounter import encounter_to_dict
from coding.model import CodedClaim, Encounter
from reconcile.store.models import Interchange, SubmittedClaim

__all__ = ["already_sent", "content_digest", "encounter_json", "next_payer", "release_rows",
           "release_submission", "released_originals", "submission_identity"]

_CHUNK = 500


def encounter_json(claim: CodedClaim) -> str:
    """The encounter as stored with a submitted claim (and hashed into its identity)."""
    return json.dumps(encounter_to_dict(claim.encounter), sort_keys=True, default=str)


def _line_key(code: str, modifiers: str, units: int, charge: Decimal | None,
              pointers: str, ndc: str | None) -> list[str]:
    return [code, modifiers, str(units), "" if charge is None else f"{charge:.2f}", pointers,
            ndc or ""]


def _coded_lines(claim: CodedClaim) -> list[list[str]]:
    return [_line_key(ln.code, ":".join(ln.modifiers), ln.units, ln.charge,
                      ":".join(str(p) for p in ln.diagnosis_pointers),
                      ln.drug.ndc if ln.drug else None) for ln in claim.lines]


def next_payer(enc: Encounter) -> str | None:
    """The guide of the payer after this claim's in the patient's order of benefits."""
    orders = ("P", "S", "T")
    if enc.payer_order not in orders[:-1]:
        return None
    later = [o for o in orders if o != enc.payer_order]  # the orders other_coverage holds
    want = orders[orders.index(enc.payer_order) + 1]
    for order, cov in zip(later, enc.other_coverage, strict=False):
        if order == want:
            return cov.payer
    return None


def content_digest(encounter_text: str, lines: Iterable[Sequence[str]]) -> str:
    """sha256 (16 hex digits) of what a payer sees of a claim: the encounter and its lines."""
    payload = json.dumps([json.loads(encounter_text), [list(x) for x in lines]],
                         sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def submission_identity(claim: CodedClaim) -> str:
    """One string per distinct submission: "1|DC-1010" for an original, "7|DC-1010|<payer
    claim number>|<content digest>" for a replacement, "8|DC-1010|<payer claim number>" for
    a void."""
    enc = claim.encounter
    if enc.payer_order != "P" and enc.frequency == "1":
        return f"{enc.payer_order}|{enc.claim_id}|{enc.payer}"
    if enc.frequency == "7":
        digest = content_digest(encounter_json(claim), _coded_lines(claim))
        return f"7|{enc.claim_id}|{enc.payer_claim_number}|{digest}"
    if enc.frequency == "8":
        return f"8|{enc.claim_id}|{enc.payer_claim_number}"
    return f"{enc.frequency}|{enc.claim_id}"


def already_sent(session: Session, coded: Sequence[CodedClaim]) -> dict[str, str]:
    """Claim ids among `coded` whose submission (original, the same replacement, the same
    void) the store records and has not released, each with where it went ("in
    interchange 000000003 on 2026-03-05")."""
    wanted = {submission_identity(c): c.claim_id for c in coded}
    keys = sorted(wanted)
    found: dict[str, str] = {}
    for start in range(0, len(keys), _CHUNK):
        rows = session.execute(
            select(col(SubmittedClaim.submission_key), col(Interchange.control_number),
                   col(SubmittedClaim.submitted_at))
            .join(Interchange, col(Interchange.id) == col(SubmittedClaim.interchange_id))
            .where(col(SubmittedClaim.submission_key).in_(keys[start:start + _CHUNK]))
        ).all()
        for key, control, at in rows:
            found[wanted[key]] = f"in interchange {control:09d} on {at:%Y-%m-%d}"
    return found


def released_originals(session: Session, claim_ids: Iterable[str]) -> dict[str, int]:
    """For each claim id, the latest original released as never accepted (the row a new
    original follows)."""
    ids = sorted(set(claim_ids))
    out: dict[str, int] = {}
    for start in range(0, len(ids), _CHUNK):
        for claim_id, row_id in session.execute(
            select(col(SubmittedClaim.encounter_claim_id), col(SubmittedClaim.id))
            .where(col(SubmittedClaim.encounter_claim_id).in_(ids[start:start + _CHUNK]))
            .where(col(SubmittedClaim.frequency) == "1")
            .where(col(SubmittedClaim.released_at).is_not(None))
            .order_by(col(SubmittedClaim.id))
        ).all():
            out[claim_id] = row_id
    return out


def release_submission(session: Session, *, interchange_control_number: int, claim_id: str,
                       reason: str, at: datetime | None = None) -> int:
    """THE HOOK for rejections: the payer never accepted this claim (a 999 rejected its
    transaction set, a 277CA rejected the claim), so a new original of it is not a
    duplicate. Marks the claim as sent in that interchange released (when, why) and frees
    its identity; the next `dermclaim claims` of the encounter sends a new original,
    recorded with `follows_id` = the released row. `claim_id` is CLM01 as written or the
    encounter's claim id; for a split claim the identity is freed once every part in that
    interchange is released (an accepted part would otherwise be sent twice). Runs in the
    caller's transaction (the ack load); returns the number of rows released."""
    ids = session.execute(
        select(col(SubmittedClaim.id))
        .join(Interchange, col(Interchange.id) == col(SubmittedClaim.interchange_id))
        .where(col(Interchange.control_number) == interchange_control_number)
        .where((col(SubmittedClaim.claim_id) == claim_id)
               | (col(SubmittedClaim.encounter_claim_id) == claim_id))
    ).scalars().all()
    return release_rows(session, ids, reason=reason, at=at)


def release_rows(session: Session, row_ids: Iterable[int], *, reason: str,
                 at: datetime | None = None) -> int:
    """`release_submission` by submitted-claim row ids (what an acknowledgment or an
    unprocessable return is tied to). Rows already released keep their first reason; a
    split claim's identity is freed once every part sent in that interchange is released."""
    when = at or datetime.now(UTC)
    ids = sorted(set(row_ids))
    rows: list[SubmittedClaim] = []
    for start in range(0, len(ids), _CHUNK):
        rows += session.execute(select(SubmittedClaim).where(
            col(SubmittedClaim.id).in_(ids[start:start + _CHUNK]))).scalars().all()
    released = 0
    for row in rows:
        if row.released_at is None:
            row.released_at, row.release_reason = when, reason[:200]
            released += 1
    session.flush()
    for interchange_id, encounter_id in {(r.interchange_id, r.encounter_claim_id) for r in rows}:
        parts = session.execute(
            select(SubmittedClaim)
            .where(col(SubmittedClaim.interchange_id) == interchange_id)
            .where(col(SubmittedClaim.encounter_claim_id) == encounter_id)
        ).scalars().all()
        if all(p.released_at is not None for p in parts):
            for p in parts:
                p.submission_key = None
    session.flush()
    return released
