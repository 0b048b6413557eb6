"""What counts as "already sent": the identity of a submission, and the check.

A payer denies a second copy of a claim it already has (CARC 18, duplicate claim), so
`dermclaim claims` sends each submission once:

* an original (frequency 1) once per claim id;
* a replacement (frequency 7) once per claim id, payer claim number (REF*F8) and content:
  the same correction is never sent twice, a different one (other lines, codes, units,
  charges or documentation) for the same payer claim is a new correction;
* a void (frequency 8) once per claim id and payer claim number.

`submission_identity` names that identity as one string; `already_sent` answers from the
store. It must run inside the submission lock (`reconcile.store.submissions.
lock_submissions`), in the same transaction that records what is sent, so that two runs at
once cannot both decide to send the same claim (check-then-act).

A submission the payer never accepted (rejected by a 999 or 277CA) is not a duplicate:
`release_submission` is the hook the acknowledgment side calls for it, after which a new
original of the same claim id may go out (see its docstring).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session, col

from coding.encounter import encounter_to_dict
from coding.model import CodedClaim
from reconcile.store.models import Interchange, SubmittedClaim, SubmittedLine

__all__ = ["already_sent", "content_digest", "encounter_json", "submission_identity"]

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
    if enc.frequency == "7":
        digest = content_digest(encounter_json(claim), _coded_lines(claim))
        return f"7|{enc.claim_id}|{enc.payer_claim_number}|{digest}"
    if enc.frequency == "8":
        return f"8|{enc.claim_id}|{enc.payer_claim_number}"
    return f"{enc.frequency}|{enc.claim_id}"


def already_sent(session: Session, coded: Sequence[CodedClaim]) -> dict[str, str]:
    """Claim ids among `coded` whose submission (original, the same replacement, the same
    void) the store already records, each with where it went ("in interchange 000000003
    on 2026-03-05")."""
    found: dict[str, str] = {}
    wanted: dict[str, set[str]] = defaultdict(set)  # claim id -> identities asked for
    for claim in coded:
        wanted[claim.claim_id].add(submission_identity(claim))
    ids = sorted(wanted)
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(SubmittedClaim, col(Interchange.control_number))
            .join(Interchange, col(Interchange.id) == col(SubmittedClaim.interchange_id))
            .where(col(SubmittedClaim.encounter_claim_id).in_(ids[start:start + _CHUNK]))
            .order_by(col(Interchange.control_number), col(SubmittedClaim.id))
        ).all()
        replacements = [r for r, _ in rows if r.frequency == "7"]
        lines = _stored_lines(session, [r.id for r in replacements if r.id is not None])
        for row, control in rows:
            identity = _stored_identity(row, lines)
            if identity in wanted[row.encounter_claim_id]:
                found.setdefault(row.encounter_claim_id,
                                 f"in interchange {control:09d} on {row.submitted_at:%Y-%m-%d}")
    return found


def _stored_identity(row: SubmittedClaim, lines: dict[int, list[list[str]]]) -> str:
    if row.frequency == "7":
        assert row.id is not None
        digest = content_digest(row.encounter_json, lines.get(row.id, []))
        return f"7|{row.encounter_claim_id}|{row.payer_claim_number}|{digest}"
    if row.frequency == "8":
        return f"8|{row.encounter_claim_id}|{row.payer_claim_number}"
    return f"{row.frequency}|{row.encounter_claim_id}"


def _stored_lines(session: Session, claim_row_ids: Sequence[int]) -> dict[int, list[list[str]]]:
    out: dict[int, list[list[str]]] = defaultdict(list)
    for start in range(0, len(claim_row_ids), _CHUNK):
        for ln in session.execute(
            select(SubmittedLine)
            .where(col(SubmittedLine.claim_row_id).in_(claim_row_ids[start:start + _CHUNK]))
            .order_by(col(SubmittedLine.claim_row_id), col(SubmittedLine.line_number))
        ).scalars():
            out[ln.claim_row_id].append(_line_key(ln.code, ln.modifiers, ln.units, ln.charge,
                                                  ln.diagnosis_pointers, ln.ndc))
    return out

