"""`dermclaim secondary`: every balance a posted 835 leaves to a next payer, billed once.

For every claim sent to a payer with a next coverage (`submitted_claim.next_payer`) whose
latest live 835 answer from that payer is posted (not a reversal, not taken back by one):

1. decide (`decide.py`): crossed over by Medicare (wait for the supplemental 835), nothing
   left for the next payer, held by the next payer's rules, or ours to bill;
2. already sent to that payer (identity "S|<claim>|<payer>", UNIQUE in the store): skipped,
   so a re-run writes nothing new;
3. build the next payer's claim (`build.py`), then write all of them as one 837P through
   the one submission path (`reconcile.store.submissions.submit_claims`: pyx12 and our
   checks, control numbers, the record, the atomic file), each recorded with the 835
   claim it came from (`prior_remit_claim_id`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from attrs import asdict, frozen
from sqlalchemy import select, update
from sqlmodel import Session, col

from coding.encounter import parse_encounter
from coding.engine import code_encounter
from coding.errors import CodingError
from coding.model import Adjudication, CasAdjustment, LineDrug
from companion_guides import GuideError, get_guide
from edi.practice import Practice
from reconcile.secondary.build import (
    PostedClaim,
    PostedLine,
    SentClaim,
    SentLine,
    adjudication,
    build_next_claim,
    remarks_of,
)
from reconcile.secondary.decide import Answer, decide
from reconcile.store.database import session_scope
from reconcile.store.models import Interchange, SubmittedClaim, SubmittedLine
from reconcile.store.remit_models import RemitAdjustment, RemitClaim, RemitLine, RemitTransaction
from reconcile.store.submissions import SubmitResult, submit_claims

__all__ = ["Outcome", "SecondaryResult", "bill_secondary", "plan_secondary"]

ZERO = Decimal("0")
ORDERS = ("P", "S", "T")
NOT_ANSWERS = ("22", "23", "25")  # reversal, not our claim, predetermination


@frozen
class Outcome:
    claim_id: str
    from_payer: str
    to_payer: str
    kind: str  # bill, void, crossed_over, answered, nothing_owed, hold, already_sent,
    # then written / voided
    reason: str
    primary_paid: Decimal
    next_payer_owes: Decimal  # the patient-responsibility amounts the primary left

    def public(self) -> dict[str, Any]:
        out = asdict(self)
        out["primary_paid"] = f"{self.primary_paid:.2f}"
        out["next_payer_owes"] = f"{self.next_payer_owes:.2f}"
        return out


@frozen
class SecondaryResult:
    outcomes: tuple[Outcome, ...]
    submit: SubmitResult | None  # None when nothing was to be written

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]


@frozen
class _Planned:
    outcome: Outcome
    claim: Any = None  # CodedClaim when kind is "bill"
    remit_row: int = 0


def plan_secondary(session: Session, practice: Practice) -> list[_Planned]:
    """Every answered claim with a next payer, decided (and built when ours to bill)."""
    answered = _answered(session)
    sent_claims = _sent_claims(session, [sc.id for sc, _, _ in answered if sc.id is not None])
    posted = _posted(session, [rc.id for _, rc, _ in answered if rc.id is not None],
                     {rc.id: paid_on for _, rc, paid_on in answered})
    already = _already_sent(session)
    answered_by = _next_answers(session)
    plans: list[_Planned] = []
    for sc, rc, _paid_on in answered:
        assert sc.id is not None and rc.id is not None and sc.next_payer
        p = posted[rc.id]

        def outcome(kind: str, reason: str, _sc: SubmittedClaim = sc, _p: PostedClaim = p
                    ) -> Outcome:
            return Outcome(_sc.encounter_claim_id, _sc.payer, _sc.next_payer or "", kind,
                           reason, _p.paid, _p.patient_share)

        nxt = ORDERS[ORDERS.index(sc.payer_order) + 1]
        key = (sc.encounter_claim_id, nxt, sc.next_payer)
        if key in already:
            plans.append(_Planned(outcome("already_sent", f"already sent {already[key]}")))
            continue
        try:
            next_guide, primary = get_guide(sc.next_payer), get_guide(sc.payer)
        except GuideError as exc:
            plans.append(_Planned(outcome("hold", str(exc))))
            continue
        d = decide(Answer(p.status, p.remarks, p.crossover_payer, p.patient_share,
                          p.denied_lines), next_guide, primary)
        later = answered_by.get((sc.encounter_claim_id, sc.next_payer))
        if d.kind == "crossed_over" and later is not None:
            plans.append(_Planned(outcome("answered", f"crossed over; {sc.next_payer}'s 835 "
                                                      f"posted: {later}")))
            continue
        if d.kind != "bill":
            plans.append(_Planned(outcome(d.kind, d.reason)))
            continue
        if sc.claim_id != sc.encounter_claim_id:
            plans.append(_Planned(outcome("hold", "the claim went out split into parts: "
                                                  "bill the next payer part by part by hand")))
            continue
        sent = sent_claims.get(sc.id)
        if sent is None:
            plans.append(_Planned(outcome("hold", "the stored encounter cannot be read")))
            continue
        earlier = _earlier(session, sc, sent, posted) if sc.payer_order != "P" else {}
        built = build_next_claim(sent, p, earlier, _drugs(sent, practice))
        if built.claim is None:
            plans.append(_Planned(outcome("hold", "; ".join(built.reasons))))
            continue
        plans.append(_Planned(outcome("bill", d.reason), built.claim, rc.id))
    plans += _voids(session, practice)
    return plans


def _voids(session: Session, practice: Practice) -> list[_Planned]:
    """A claim to a later payer built from an 835 answer that a reversal (CLP02 22) has
    since taken back: its void (frequency 8, REF*F8 the later payer's claim number), once."""
    prior = RemitClaim.__table__.alias("prior")  # type: ignore[attr-defined]
    rows = session.execute(
        select(SubmittedClaim, prior.c.id, prior.c.submitted_claim_id)
        .join(prior, prior.c.id == col(SubmittedClaim.prior_remit_claim_id))
        .where(col(SubmittedClaim.payer_order) != "P", col(SubmittedClaim.frequency) == "1",
               col(SubmittedClaim.submission_key).is_not(None),
               prior.c.superseded.is_(True))
        .order_by(col(SubmittedClaim.id))).all()
    out: list[_Planned] = []
    for sec, prior_id, primary_id in rows:
        assert sec.id is not None
        icn = session.execute(
            select(col(RemitClaim.payer_claim_number))
            .where(col(RemitClaim.submitted_claim_id) == sec.id,
                   col(RemitClaim.payer) == sec.payer, col(RemitClaim.is_reversal).is_(False))
            .order_by(col(RemitClaim.id).desc())).scalars().first()
        prior_row = session.get(RemitClaim, prior_id)
        posted = _posted(session, [prior_id], {prior_id: _paid_on(session, prior_row)}
                         ) if prior_row is not None else {}
        p = posted.get(prior_id)
        primary = _sent_claims(session, [primary_id]).get(primary_id) if primary_id else None

        def outcome(kind: str, reason: str, _sec: SubmittedClaim = sec,
                    _p: PostedClaim | None = p, _from: str = primary.payer if primary else ""
                    ) -> Outcome:
            return Outcome(_sec.encounter_claim_id, _from, _sec.payer, kind, reason,
                           _p.paid if _p else ZERO, ZERO)

        if not icn:
            out.append(_Planned(outcome("hold", "the primary's payment was reversed: void "
                                        f"the claim sent to {sec.payer} once its 835 gives "
                                        "its claim number (REF*F8), or call the payer")))
            continue
        if session.execute(select(col(SubmittedClaim.id)).where(
                col(SubmittedClaim.submission_key) == f"8|{sec.encounter_claim_id}|{icn}")
                ).first() is not None:
            out.append(_Planned(outcome("already_sent", f"the void of {sec.payer}'s claim "
                                        f"{icn} was already sent")))
            continue
        if p is None or primary is None:
            out.append(_Planned(outcome("hold", "the reversed answer cannot be read")))
            continue
        earlier: dict[str, Adjudication] = {}
        primary_row = session.get(SubmittedClaim, primary.row_id)
        if primary.payer_order != "P" and primary_row is not None:
            earlier = _earlier(session, primary_row, primary, posted)
        built = build_next_claim(primary, p, earlier, _drugs(primary, practice))
        if built.claim is None:
            out.append(_Planned(outcome("hold", "; ".join(built.reasons))))
            continue
        claim = built.claim
        void = attrs.evolve(claim, encounter=attrs.evolve(
            claim.encounter, frequency="8", payer_claim_number=icn))
        out.append(_Planned(outcome("void", f"{primary.payer} reversed its payment (CLP02 "
                                    f"22): the claim sent to {sec.payer} is voided"),
                            void, prior_id))
    return out


def bill_secondary(practice: Practice, out_path: str | Path, *, url: str | None = None,
                   now: datetime | None = None, newlines: bool = True) -> SecondaryResult:
    """Plan, then write the claims to bill as one 837P (nothing written when none)."""
    with session_scope(url) as session:
        plans = plan_secondary(session, practice)
    to_bill = [p for p in plans if p.outcome.kind in ("bill", "void")]
    outcomes = [p.outcome for p in plans if p.outcome.kind not in ("bill", "void")]
    if not to_bill:
        return SecondaryResult(tuple(outcomes), None)
    came_from = {p.outcome.claim_id: p.remit_row for p in to_bill}

    def link(session: Session, isa13: int, claim_ids: frozenset[str]) -> None:
        if not isa13:
            return
        voids = {p.outcome.claim_id for p in to_bill if p.outcome.kind == "void"}
        claim_ids = frozenset(c for c in claim_ids if c not in voids)
        interchange = session.execute(select(col(Interchange.id)).where(
            col(Interchange.control_number) == isa13)).scalar_one()
        for claim_id in claim_ids:
            session.execute(update(SubmittedClaim).where(
                col(SubmittedClaim.interchange_id) == interchange,
                col(SubmittedClaim.encounter_claim_id) == claim_id,
            ).values(prior_remit_claim_id=came_from.get(claim_id)))

    result = submit_claims([p.claim for p in to_bill], practice, out_path, url=url, now=now,
                           newlines=newlines, before_commit=link)
    written = {w.part.claim.claim_id for w in result.claims}
    held = {h.claim_id: "; ".join(h.reasons) for h in result.held}
    for p in to_bill:
        o = p.outcome
        if o.claim_id in written:
            outcomes.append(Outcome(o.claim_id, o.from_payer, o.to_payer,
                                    "voided" if o.kind == "void" else "written", o.reason,
                                    o.primary_paid, o.next_payer_owes))
        else:
            outcomes.append(Outcome(o.claim_id, o.from_payer, o.to_payer, "hold",
                                    held.get(o.claim_id, "not written"), o.primary_paid,
                                    o.next_payer_owes))
    outcomes.sort(key=lambda o: o.claim_id)
    return SecondaryResult(tuple(outcomes), result)


# ------------------------------------------------------------------------------- reading


def _answered(session: Session) -> list[tuple[SubmittedClaim, RemitClaim, date]]:
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


def _sent_claims(session: Session, ids: Sequence[int]) -> dict[int, SentClaim]:
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


def _posted(session: Session, ids: Sequence[int], paid_on: dict[int | None, date]
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


def _already_sent(session: Session) -> dict[tuple[str, str, str], str]:
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


def _next_answers(session: Session) -> dict[tuple[str, str], str]:
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


def _earlier(session: Session, sc: SubmittedClaim, sent: SentClaim,
             posted: dict[int, PostedClaim]) -> dict[str, Adjudication]:
    """For a claim to a later payer: the answers of the payers before it (the 835 claims
    its own claim was built from), by guide."""
    out: dict[str, Adjudication] = {}
    row = sc.prior_remit_claim_id
    while row is not None:
        rc = session.get(RemitClaim, row)
        if rc is None or rc.submitted_claim_id is None:
            break
        prior_sent = _sent_claims(session, [rc.submitted_claim_id]).get(rc.submitted_claim_id)
        prior_posted = posted.get(row) or _posted(session, [row], {row: _paid_on(session, rc)}
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


def _paid_on(session: Session, rc: RemitClaim) -> date:
    tx = session.get(RemitTransaction, rc.transaction_id)
    return (tx.payment_date or tx.production_date or date.today()) if tx else date.today()


def _drugs(sent: SentClaim, practice: Practice) -> dict[str, LineDrug]:
    """NDC details of the drug lines (the store keeps the NDC, not its quantity): the
    stored encounter coded again as it was billed."""
    if not any(ln.code[:1] in ("J", "Q") for ln in sent.lines):
        return {}
    try:
        coded = code_encounter(sent.encounter, fees=practice.fee_schedule)
    except CodingError:
        return {}
    return {ln.line_control_number: ln.drug for ln in coded.lines if ln.drug is not None}
