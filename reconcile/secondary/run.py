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

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from attrs import asdict, frozen
from sqlalchemy import select, update
from sqlmodel import Session, col

from coding.model import Adjudication
from companion_guides import GuideError, get_guide
from edi.practice import Practice
from reconcile.secondary import rows
from reconcile.secondary.build import PostedClaim, build_next_claim
from reconcile.secondary.decide import Answer, decide
from reconcile.store.database import session_scope
from reconcile.store.models import Interchange, SubmittedClaim
from reconcile.store.remit_models import RemitClaim
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
    answered = rows.answered(session)
    sent_claims = rows.sent_claims(session, [sc.id for sc, _, _ in answered if sc.id is not None])
    posted = rows.posted_claims(session, [rc.id for _, rc, _ in answered if rc.id is not None],
                                {rc.id: on for _, rc, on in answered})
    already = rows.later_claims_sent(session)
    answered_by = rows.next_answers(session)
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
        earlier = rows.earlier_answers(session, sc, sent, posted) if sc.payer_order != "P" else {}
        built = build_next_claim(sent, p, earlier, rows.drugs(sent, practice))
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
    found = session.execute(
        select(SubmittedClaim, prior.c.id, prior.c.submitted_claim_id)
        .join(prior, prior.c.id == col(SubmittedClaim.prior_remit_claim_id))
        .where(col(SubmittedClaim.payer_order) != "P", col(SubmittedClaim.frequency) == "1",
               col(SubmittedClaim.submission_key).is_not(None),
               prior.c.superseded.is_(True))
        .order_by(col(SubmittedClaim.id))).all()
    out: list[_Planned] = []
    for sec, prior_id, primary_id in found:
        assert sec.id is not None
        icn = session.execute(
            select(col(RemitClaim.payer_claim_number))
            .where(col(RemitClaim.submitted_claim_id) == sec.id,
                   col(RemitClaim.payer) == sec.payer, col(RemitClaim.is_reversal).is_(False))
            .order_by(col(RemitClaim.id).desc())).scalars().first()
        prior_row = session.get(RemitClaim, prior_id)
        posted = rows.posted_claims(session, [prior_id],
                                    {prior_id: rows.paid_on(session, prior_row)}
                                    ) if prior_row is not None else {}
        p = posted.get(prior_id)
        primary = rows.sent_claims(session, [primary_id]).get(primary_id) if primary_id else None

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
            earlier = rows.earlier_answers(session, primary_row, primary, posted)
        built = build_next_claim(primary, p, earlier, rows.drugs(primary, practice))
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
