"""Overturns found while loading: a later remittance that pays the service a payer denied.

An overturn is a later answer to the same service. A paid service line (SVC03 > 0) of a
processed claim (not a reversal) overturns a live denial (open, corrected, appealed or
upheld) only when the denial came in an earlier payment: an earlier 835 transaction of an
earlier file remitted on or before this one's date, or of the same file remitted on an
earlier date (never between claims of one 835, nor of the 835s of one file and day), for
the same patient when both name one, and, in this order:

1. `payer_claim_number`: the same payer claim number (CLP07) and the same line (REF*6R
   when both have one, else code and date of service);
2. `line_control_number`: the same claim (CLP01) and line control number (REF*6R);
3. `replacement`: a replacement answering the denied claim: the 835's REF*F8 (or the
   submitted replacement's REF*F8) is the denial's CLP07, same code and date of service;
4. `resubmission`: the paying claim was sent as a new original that the store links to
   the denied claim's submission (`submitted_claim.follows_id`: a claim re-sent after a
   rejection or an unprocessable return), same code and date of service.

"Same patient, code and date of service" alone is not an answer: several claims of one
patient and day are ordinary (two visits, two payers, a claim another system sent).
`dermclaim denial show` lists such paid lines as candidates (`reconcile.denials.view`), for
a person to judge; nothing moves by them.

Each denial is overturned once, each paid line overturns at most one denial. The amount
recovered is what the paying line paid beyond what the denied line itself was paid; it is
part of paid (CLP04 of the paying claim), never added to it. The denial moves to
`overturned` with a history row naming the 835 file and the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from attrs import frozen
from sqlmodel import Session, col, or_, select

from edi.x835.model import ClaimPayment
from reconcile.denials.lifecycle import LIVE, record_moves
from reconcile.remit.match import ClaimMatch
from reconcile.store.models import SubmittedClaim
from reconcile.store.remit_models import Denial, RemitClaim, RemitLine, RemitTransaction

PROCESSED = ("1", "2", "3", "19", "20", "21")  # CLP02: processed as primary/secondary/...
ZERO = Decimal("0")


@frozen
class Overturn:
    denial_id: int
    claim_row_id: int
    recovered: Decimal
    rule: str


def patient_id(c: ClaimPayment) -> str:
    for entity in ("QC", "IL"):
        n = c.name(entity)
        if n is not None and n.id:
            return n.id.strip()
    return ""


def patient_name(c: ClaimPayment) -> str:
    for entity in ("QC", "IL"):
        n = c.name(entity)
        if n is not None and n.last_or_org:
            return ", ".join(p for p in (n.last_or_org, n.first) if p)
    return ""


def _f8(c: ClaimPayment, m: ClaimMatch, submitted_f8: dict[int, str]) -> set[str]:
    """What the claim replaces: the 835's REF*F8, and the REF*F8 we sent on it."""
    refs = {r.value for r in c.references if r.qualifier == "F8" and r.value}
    if m.submitted is not None and submitted_f8.get(m.submitted.id):
        refs.add(submitted_f8[m.submitted.id])
    return refs


FOLLOW_DEPTH = 8  # a claim rejected and re-sent more often than this is not followed further


def _submitted_links(session: Session, ids: set[int]
                     ) -> tuple[dict[int, str], dict[int, set[int]]]:
    """For the paying claims' submissions: the REF*F8 each was sent with, and the earlier
    submissions each follows (a new original re-sent after a rejection or an unprocessable
    return, `follows_id`, followed back a few steps), by batched queries."""
    f8: dict[int, str] = {}
    parent: dict[int, int] = {}
    frontier, seen = set(ids), set(ids)
    for depth in range(FOLLOW_DEPTH):
        rows = sorted(frontier)
        frontier = set()
        for start in range(0, len(rows), 500):
            q = select(SubmittedClaim.id, SubmittedClaim.payer_claim_number,
                       SubmittedClaim.follows_id).where(
                col(SubmittedClaim.id).in_(rows[start:start + 500]))
            for sid, icn, follows in session.exec(q):
                if depth == 0 and icn:
                    f8[sid or 0] = icn
                if follows is not None:
                    parent[sid or 0] = follows
                    if follows not in seen:
                        seen.add(follows)
                        frontier.add(follows)
        if not frontier:
            break
    earlier: dict[int, set[int]] = {}
    for sid in ids:
        chain: set[int] = set()
        at = parent.get(sid)
        while at is not None and at not in chain and len(chain) < FOLLOW_DEPTH:
            chain.add(at)
            at = parent.get(at)
        if chain:
            earlier[sid] = chain
    return f8, earlier


@frozen
class _Candidate:
    """A live denial that a paid line of this batch may answer, with its claim's
    submission (what a resubmission follows)."""

    denial: Denial
    submitted_claim_id: int | None


def find_overturns(session: Session, claims: Sequence[ClaimPayment],
                   matches: Sequence[ClaimMatch], claim_row_ids: Sequence[int],
                   transaction_id: int, paid_on: date | None, file_id: int = 0
                   ) -> list[Overturn]:
    """The overturns the batch's paid lines make: answers to denials of earlier payments
    (transactions before `transaction_id`, remitted on or before `paid_on`; of file
    `file_id` only when remitted before `paid_on`)."""
    paying = [(c, m, cid) for c, m, cid in zip(claims, matches, claim_row_ids, strict=True)
              if not c.is_reversal and c.status in PROCESSED
              and any((s.paid or ZERO) > 0 for s in c.service_lines)]
    if not paying:
        return []
    submitted_f8, follows = _submitted_links(
        session, {m.submitted.id for _, m, _ in paying if m.submitted is not None})
    icns = {c.payer_claim_number for c, _, _ in paying if c.payer_claim_number}
    pcns = {c.patient_control_number for c, _, _ in paying}
    f8s: set[str] = set()
    earlier: set[int] = set()
    for c, m, _ in paying:
        f8s |= _f8(c, m, submitted_f8)
        if m.submitted is not None:
            earlier |= follows.get(m.submitted.id, set())
    candidates = _candidates(session, ((Denial.payer_claim_number, icns | f8s),
                                       (Denial.claim_id, pcns),
                                       (RemitClaim.submitted_claim_id, earlier)),
                             transaction_id, paid_on, file_id)
    if not candidates:
        return []
    line_paid = _line_paid(session, [c.denial.line_row_id for c in candidates
                                     if c.denial.line_row_id])
    index = _Index(candidates)
    taken: set[int] = set()
    out: list[Overturn] = []
    for c, m, cid in paying:
        refs = _f8(c, m, submitted_f8)
        before_me = follows.get(m.submitted.id, set()) if m.submitted is not None else set()
        for svc, lm in zip(c.service_lines, m.lines, strict=True):
            paid = svc.paid or ZERO
            if paid <= 0:
                continue
            code = lm.submitted.code if lm.submitted is not None else svc.submitted_code
            dos = svc.service_date or (lm.submitted.date_of_service if lm.submitted else None)
            lcn = svc.control_number or (lm.submitted.line_control_number
                                         if lm.submitted is not None else None)
            hit = _first(index, taken, c, code, dos, lcn, refs, before_me, patient_id(c))
            if hit is None:
                continue
            d, rule = hit
            taken.add(d.id or 0)
            before = line_paid.get(d.line_row_id or 0, ZERO)
            out.append(Overturn(d.id or 0, cid, max(paid - before, ZERO), rule))
    return out


IN_CHUNK = 500  # values of one IN list


def _candidates(session: Session, keys: Sequence[tuple[Any, set[Any]]], transaction_id: int,
                paid_on: date | None, file_id: int) -> list[_Candidate]:
    """The live denials of earlier payments that one of the keys names, in id order.

    One query per key column and chunk of values, each led by that column's index (the
    denial's CLP07 and CLP01, the claim's submission): one query OR-ing the keys, with the
    status among its conditions, made SQLite walk every live denial of the store for each
    batch (a load slowed with the store's size). Liveness is checked here, not in SQL, so
    that no planner prefers the status index to the key's."""
    q = (select(Denial, col(RemitClaim.submitted_claim_id))
         .join(RemitClaim, col(RemitClaim.id) == col(Denial.claim_row_id))
         .join(RemitTransaction, col(RemitTransaction.id) == col(RemitClaim.transaction_id))
         .where(col(RemitClaim.transaction_id) < transaction_id))
    if paid_on is not None:
        q = q.where(or_(col(Denial.payment_date).is_(None), col(Denial.payment_date) <= paid_on))
        q = q.where(or_(col(RemitTransaction.file_id) != file_id,
                        col(Denial.payment_date) < paid_on))
    else:
        q = q.where(col(RemitTransaction.file_id) != file_id)
    found: dict[int, _Candidate] = {}
    for column, values in keys:
        ordered = sorted(values)
        for start in range(0, len(ordered), IN_CHUNK):
            for d, sid in session.exec(q.where(col(column).in_(ordered[start:start + IN_CHUNK]))):
                if d.status in LIVE and d.id is not None and d.id not in found:
                    found[d.id] = _Candidate(d, sid)
    return [found[i] for i in sorted(found)]


class _Index:
    """The candidate denials by the key each rule compares first (payer claim number,
    claim + line control number, the denied claim's submission), each list in denial-id
    order: a paid line looks at the denials that can answer it, not at every candidate
    (linear in the batch)."""

    def __init__(self, candidates: Sequence[_Candidate]):
        self.by_icn: dict[str, list[Denial]] = {}
        self.by_line: dict[tuple[str, str], list[Denial]] = {}
        self.by_submission: dict[int, list[Denial]] = {}
        for cand in candidates:  # already in id order
            d = cand.denial
            if d.code is None:
                continue
            if d.payer_claim_number:
                self.by_icn.setdefault(d.payer_claim_number, []).append(d)
            if d.line_control_number:
                self.by_line.setdefault((d.claim_id, d.line_control_number), []).append(d)
            if cand.submitted_claim_id is not None:
                self.by_submission.setdefault(cand.submitted_claim_id, []).append(d)

    def replaced(self, refs: set[str]) -> list[Denial]:
        found = [d for ref in refs for d in self.by_icn.get(ref, ())]
        return sorted(found, key=lambda d: d.id or 0) if len(refs) > 1 else found

    def followed(self, submissions: set[int]) -> list[Denial]:
        found = [d for sid in submissions for d in self.by_submission.get(sid, ())]
        return sorted(found, key=lambda d: d.id or 0)


def _first(index: _Index, taken: set[int], c: ClaimPayment, code: str | None,
           dos: date | None, lcn: str | None, refs: set[str], follows: set[int],
           patient: str = "") -> tuple[Denial, str] | None:
    """The earliest live denial the paid line answers, by the first rule that finds one:
    the same payer claim number and line, the same claim and line control number, a
    replacement of the denied claim (REF*F8) for the same service, a resubmission the
    store links to the denied claim, for the same service."""
    def same_line(d: Denial) -> bool:
        if lcn and d.line_control_number:
            return lcn == d.line_control_number
        return d.code == code and (dos is None or d.date_of_service in (None, dos))

    def same_service(d: Denial) -> bool:
        return d.code == code and dos is not None and d.date_of_service == dos

    rules: list[tuple[str, Sequence[Denial], Any]] = [
        ("payer_claim_number", index.by_icn.get(c.payer_claim_number, ())
         if c.payer_claim_number else (), same_line),
        ("line_control_number", index.by_line.get((c.patient_control_number, lcn), ())
         if lcn else (), lambda d: True),
        ("replacement", index.replaced(refs), same_service),
        ("resubmission", index.followed(follows) if follows else (), same_service),
    ]
    for name, pool, test in rules:
        for d in pool:
            if d.id in taken or (patient and d.patient_id and d.patient_id != patient):
                continue  # another patient's claim is never the same service
            if test(d):
                return d, name
    return None


def _line_paid(session: Session, line_ids: list[int]) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for start in range(0, len(line_ids), 500):
        q = select(col(RemitLine.id), col(RemitLine.paid)).where(
            col(RemitLine.id).in_(line_ids[start:start + 500]))
        for lid, paid in session.exec(q):
            out[lid or 0] = paid or ZERO
    return out


def apply_overturns(session: Session, overturns: Sequence[Overturn], file_id: int,
                    file_name: str) -> int:
    """Move the denials to `overturned` with the amount recovered and the paying claim."""
    if not overturns:
        return 0
    return record_moves(  # in one go; one note per denial: its own amount and rule
        session, [o.denial_id for o in overturns], "overturned", actor="remit load",
        notes={o.denial_id: f"paid {o.recovered:.2f} by {file_name} (matched by {o.rule})"
               for o in overturns},
        values={o.denial_id: {"recovered_amount": o.recovered,
                              "overturned_by_claim_row_id": o.claim_row_id}
                for o in overturns},
        remit_file_id=file_id)
