"""Overturns found while loading: a later remittance that pays a line the payer denied.

A paid service line (SVC03 > 0) of a processed claim (not a reversal) overturns an earlier
live denial (open, corrected, appealed or upheld) when, in this order:

1. `payer_claim_number`: the same payer claim number (CLP07) and the same line (REF*6R
   when both have one, else code and date of service);
2. `line_control_number`: the same claim (CLP01) and line control number (REF*6R);
3. `replacement`: a replacement answering the denied claim: the 835's REF*F8 (or the
   submitted replacement's REF*F8) is the denial's CLP07, same code and date of service;
4. `new_claim`: a new claim for the same patient (NM1*QC, else IL, NM109), code and date
   of service.

Each denial is overturned once, each paid line overturns at most one denial. The amount
recovered is what the paying line paid beyond what the denied line itself was paid. The
denial moves to `overturned` with a history row naming the 835 file and the rule; totals
count the denial once (it stays a denial, now recovered).
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
from reconcile.store.remit_models import Denial, RemitLine

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


def _submitted_f8(session: Session, ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    rows = sorted(ids)
    for start in range(0, len(rows), 500):
        q = select(SubmittedClaim.id, SubmittedClaim.payer_claim_number).where(
            col(SubmittedClaim.id).in_(rows[start:start + 500]),
            col(SubmittedClaim.payer_claim_number).is_not(None))
        for sid, icn in session.exec(q):
            out[sid or 0] = icn or ""
    return out


def find_overturns(session: Session, claims: Sequence[ClaimPayment],
                   matches: Sequence[ClaimMatch], claim_row_ids: Sequence[int]
                   ) -> list[Overturn]:
    """The overturns the batch's paid lines make (denials of earlier claim rows only)."""
    paying = [(c, m, cid) for c, m, cid in zip(claims, matches, claim_row_ids, strict=True)
              if not c.is_reversal and c.status in PROCESSED
              and any((s.paid or ZERO) > 0 for s in c.service_lines)]
    if not paying:
        return []
    submitted_f8 = _submitted_f8(session, {m.submitted.id for _, m, _ in paying
                                           if m.submitted is not None})
    icns = {c.payer_claim_number for c, _, _ in paying if c.payer_claim_number}
    pcns = {c.patient_control_number for c, _, _ in paying}
    pats = {patient_id(c) for c, _, _ in paying} - {""}
    f8s: set[str] = set()
    for c, m, _ in paying:
        f8s |= _f8(c, m, submitted_f8)
    conds = []
    for column, values in ((Denial.payer_claim_number, icns | f8s), (Denial.claim_id, pcns),
                           (Denial.patient_id, pats)):
        if values:
            conds.append(col(column).in_(sorted(values)))
    q = (select(Denial).where(col(Denial.status).in_(LIVE), or_(*conds))
         .order_by(col(Denial.id)))
    candidates = list(session.exec(q))
    if not candidates:
        return []
    line_paid = _line_paid(session, [d.line_row_id for d in candidates if d.line_row_id])
    index = _Index(candidates)
    taken: set[int] = set()
    out: list[Overturn] = []
    for c, m, cid in paying:
        refs = _f8(c, m, submitted_f8)
        pat = patient_id(c)
        for svc, lm in zip(c.service_lines, m.lines, strict=True):
            paid = svc.paid or ZERO
            if paid <= 0:
                continue
            code = lm.submitted.code if lm.submitted is not None else svc.submitted_code
            dos = svc.service_date or (lm.submitted.date_of_service if lm.submitted else None)
            lcn = svc.control_number or (lm.submitted.line_control_number
                                         if lm.submitted is not None else None)
            hit = _first(index, taken, cid, c, code, dos, lcn, refs, pat)
            if hit is None:
                continue
            d, rule = hit
            taken.add(d.id or 0)
            before = line_paid.get(d.line_row_id or 0, ZERO)
            out.append(Overturn(d.id or 0, cid, max(paid - before, ZERO), rule))
    return out


class _Index:
    """The candidate denials by the key each rule compares first (payer claim number,
    claim + line control number, patient), each list in denial-id order: a paid line looks
    at the denials that can answer it, not at every candidate (linear in the batch)."""

    def __init__(self, candidates: Sequence[Denial]):
        self.by_icn: dict[str, list[Denial]] = {}
        self.by_line: dict[tuple[str, str], list[Denial]] = {}
        self.by_patient: dict[str, list[Denial]] = {}
        for d in candidates:  # already in id order
            if d.code is None:
                continue
            if d.payer_claim_number:
                self.by_icn.setdefault(d.payer_claim_number, []).append(d)
            if d.line_control_number:
                self.by_line.setdefault((d.claim_id, d.line_control_number), []).append(d)
            if d.patient_id:
                self.by_patient.setdefault(d.patient_id, []).append(d)

    def replaced(self, refs: set[str]) -> list[Denial]:
        found = [d for ref in refs for d in self.by_icn.get(ref, ())]
        return sorted(found, key=lambda d: d.id or 0) if len(refs) > 1 else found


def _first(index: _Index, taken: set[int], cid: int, c: ClaimPayment,
           code: str | None, dos: date | None, lcn: str | None, refs: set[str],
           pat: str) -> tuple[Denial, str] | None:
    """The earliest live denial the paid line answers, by the first rule that finds one:
    the same payer claim number and line, the same claim and line control number, a
    replacement of the denied claim (REF*F8) for the same service, a new claim for the same
    patient and service."""
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
        ("new_claim", index.by_patient.get(pat, ()) if pat else (), same_service),
    ]
    for name, pool, test in rules:
        for d in pool:
            if d.id not in taken and d.claim_row_id < cid and test(d):
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
