"""Reading the store for `dermclaim secondary`: the claims sent and the 835 answers to them,
turned into the plain records `build.py` works on (`SentClaim`, `PostedClaim`)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import attrs
from sqlalchemy import select
from sqlmodel import Session, col

from coding.encounter import parse_encounter
from coding.engine import code_encounter
from coding.errors import CodingError
from coding.model import Adjudication, CasAdjustment, LineDrug
from edi.practice import Practice
from reconcile.secondary.build import (
    PostedClaim,
    PostedLine,
    SentClaim,
    SentLine,
    adjudication,
    remarks_of,
)
from reconcile.store.models import Interchange, SubmittedClaim, SubmittedLine
from reconcile.store.remit_models import RemitAdjustment, RemitClaim, RemitLine, RemitTransaction

__all__ = ["NOT_ANSWERS", "answered", "drugs", "earlier_answers", "later_claims_sent",
           "next_answers", "paid_on", "posted_claims", "sent_claims"]

ZERO = Decimal("0")
NOT_ANSWERS = ("22", "23", "25")  # reversal, not our claim, predetermination


def answered(session: Session) -> list[tuple[SubmittedClaim, RemitClaim, date]]:
    """(claim sent, its latest live answer from the payer it went to, the remit date)."""
    tx = RemitTransaction
    rows = session.execute(
        select(SubmittedClaim, RemitClaim, col(tx.payment_date), col(tx.production_date))
        .join(RemitClaim, col(RemitClaim.submitted_claim_id) == col(SubmittedClaim.id))
        .join(tx, col(tx.id) == col(RemitClaim.transaction_id))
        .where(col(SubmittedClaim.next_payer).is_not(None),
               col(SubmittedClaim.frequency).in_(("1", "7")),
               col(SubmittedClaim.released_at).is_(None),
               col(RemitClaim.payer) == col(SubmittedClaim.payer),
               col(RemitClaim.is_reversal).is_(False), col(RemitClaim.superseded).is_(False),
               col(RemitClaim.status).not_in(NOT_ANSWERS), col(tx.duplicate_of).is_(None))
        .order_by(col(RemitClaim.id))).all()
    latest: dict[int, tuple[SubmittedClaim, RemitClaim, date]] = {}
    for sc, rc, paid, produced in rows:
        latest[sc.id] = (sc, rc, paid or produced or date.today())
    return sorted(latest.values(), key=lambda r: (r[0].encounter_claim_id, r[0].id or 0))


def sent_claims(session: Session, ids: Sequence[int]) -> dict[int, SentClaim]:
    out: dict[int, SentClaim] = {}
    if not ids:
        return out
    lines: dict[int, list[SentLine]] = defaultdict(list)
    for ln in session.execute(select(SubmittedLine).where(
            col(SubmittedLine.claim_row_id).in_(list(ids)))).scalars():
        assert ln.id is not None
        lines[ln.claim_row_id].append(SentLine(
            ln.id, ln.line_number, ln.line_control_number, ln.code,
            tuple(m for m in ln.modifiers.split(":") if m), ln.units, ln.charge or ZERO,
            tuple(int(p) for p in ln.diagnosis_pointers.split(":") if p)))
    for sc in session.execute(select(SubmittedClaim).where(
            col(SubmittedClaim.id).in_(list(ids)))).scalars():
        assert sc.id is not None
        try:
            enc = parse_encounter(json.loads(sc.encounter_json),
                                  source=f"stored encounter of claim {sc.claim_id}")
        except (CodingError, ValueError):
            continue
        # the JSON keeps the coverages, not whose turn the claim was: the row says it
        enc = attrs.evolve(enc, payer_order=sc.payer_order)
        out[sc.id] = SentClaim(sc.id, sc.claim_id, sc.encounter_claim_id, sc.payer,
                               sc.payer_order, enc, tuple(lines[sc.id]))
    return out


def posted_claims(session: Session, ids: Sequence[int], paid_on: dict[int | None, date]
            ) -> dict[int, PostedClaim]:
    out: dict[int, PostedClaim] = {}
    if not ids:
        return out
    adjs: dict[tuple[int, int | None], list[CasAdjustment]] = defaultdict(list)
    for a in session.execute(select(RemitAdjustment).where(
            col(RemitAdjustment.claim_row_id).in_(list(ids))).order_by(
            col(RemitAdjustment.id))).scalars():
        adjs[(a.claim_row_id, a.line_row_id)].append(
            CasAdjustment(a.group_code, a.carc, a.amount or ZERO, a.quantity))
    lines: dict[int, list[RemitLine]] = defaultdict(list)
    for ln in session.execute(select(RemitLine).where(
            col(RemitLine.claim_row_id).in_(list(ids))).order_by(
            col(RemitLine.claim_row_id), col(RemitLine.position))).scalars():
        lines[ln.claim_row_id].append(ln)
    for rc in session.execute(select(RemitClaim).where(col(RemitClaim.id).in_(list(ids)))
                              ).scalars():
        assert rc.id is not None
        posted_lines = tuple(PostedLine(
            ln.submitted_line_id, ln.control_number, ln.code,
            tuple(m for m in ln.modifiers.split(":") if m), ln.charge or ZERO, ln.paid or ZERO,
            ln.units if ln.units is not None else Decimal(1),
            tuple(adjs.get((rc.id, ln.id), ()))) for ln in lines[rc.id])
        out[rc.id] = PostedClaim(
            rc.id, rc.payer, rc.status, rc.charge or ZERO, rc.paid or ZERO,
            rc.patient_responsibility, rc.payer_claim_number, paid_on[rc.id],
            remarks_of(rc.remarks, [ln.remarks for ln in lines[rc.id]]), rc.crossover_payer,
            tuple(adjs.get((rc.id, None), ())), posted_lines)
    return out


def later_claims_sent(session: Session) -> dict[tuple[str, str, str], str]:
    """(claim id, payer order, payer) of every later-payer claim recorded -> where it went."""
    out: dict[tuple[str, str, str], str] = {}
    for claim_id, order, payer, control, at in session.execute(
            select(col(SubmittedClaim.encounter_claim_id), col(SubmittedClaim.payer_order),
                   col(SubmittedClaim.payer), col(Interchange.control_number),
                   col(SubmittedClaim.submitted_at))
            .join(Interchange, col(Interchange.id) == col(SubmittedClaim.interchange_id))
            .where(col(SubmittedClaim.payer_order) != "P",
                   col(SubmittedClaim.submission_key).is_not(None))).all():
        out[(claim_id, order, payer)] = f"in interchange {control:09d} on {at:%Y-%m-%d}"
    return out


def next_answers(session: Session) -> dict[tuple[str, str], str]:
    """(claim id, payer) of every live answer from a payer after the primary -> what it
    paid and when."""
    tx = RemitTransaction
    out: dict[tuple[str, str], str] = {}
    for pcn, payer, paid, on in session.execute(
            select(col(RemitClaim.patient_control_number), col(RemitClaim.payer),
                   col(RemitClaim.paid), col(tx.payment_date))
            .join(tx, col(tx.id) == col(RemitClaim.transaction_id))
            .where(col(RemitClaim.status).in_(("2", "3", "20", "21")),
                   col(RemitClaim.is_reversal).is_(False), col(RemitClaim.superseded).is_(False),
                   col(tx.duplicate_of).is_(None))).all():
        out[(pcn, payer)] = f"paid {paid or ZERO:.2f}" + (f" on {on}" if on else "")
    return out


def earlier_answers(session: Session, sc: SubmittedClaim, sent: SentClaim,
             posted: dict[int, PostedClaim]) -> dict[str, Adjudication]:
    """For a claim to a later payer: the answers of the payers before it (the 835 claims
    its own claim was built from), by guide."""
    out: dict[str, Adjudication] = {}
    row = sc.prior_remit_claim_id
    while row is not None:
        rc = session.get(RemitClaim, row)
        if rc is None or rc.submitted_claim_id is None:
            break
        prior_sent = sent_claims(session, [rc.submitted_claim_id]).get(rc.submitted_claim_id)
        prior_posted = posted.get(row) or posted_claims(session, [row], {row: paid_on(session, rc)}
                                                  ).get(row)
        if prior_sent is None or prior_posted is None:
            break
        adj, _ = adjudication(prior_sent, prior_posted)
        if adj is not None:
            out[rc.payer] = adj
        prior = session.get(SubmittedClaim, rc.submitted_claim_id)
        row = prior.prior_remit_claim_id if prior is not None else None
    del sent
    return out


def paid_on(session: Session, rc: RemitClaim) -> date:
    tx = session.get(RemitTransaction, rc.transaction_id)
    return (tx.payment_date or tx.production_date or date.today()) if tx else date.today()


def drugs(sent: SentClaim, practice: Practice) -> dict[str, LineDrug]:
    """NDC details of the drug lines (the store keeps the NDC, not its quantity): the
    stored encounter coded again as it was billed."""
    if not any(ln.code[:1] in ("J", "Q") for ln in sent.lines):
        return {}
    try:
        coded = code_encounter(sent.encounter, fees=practice.fee_schedule)
    except CodingError:
        return {}
    return {ln.line_control_number: ln.drug for ln in coded.lines if ln.drug is not None}
