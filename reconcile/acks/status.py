"""Where every claim sent stands, with its history: sent -> accepted / rejected (999) ->
acknowledged / rejected (277CA) -> adjudicated (an 835 answered it), or late.

    rows = claim_states(url, as_of=date(2026, 4, 30))   # one row per claim id (CLM01)
    rows[0].status, rows[0].since, rows[0].reason

Rules (from the store, nothing cached):
- `adjudicated` when a live 835 claim payment (not a reversal, not one a reversal took
  back) answers the submission: paid, partly paid (some lines denied) or denied;
- `predetermined` when the only 835 answer is a predetermination (CLP02 = 25: what the
  payer would pay, nothing paid): not adjudicated, and still followed (late like an
  accepted claim when no adjudication comes in time);
- else the latest acknowledgment decides, in the order received: 999 A/E `accepted`,
  999 R `rejected`; 277CA A0/A1/A2/A5 `acknowledged`, A3/A4/A6/A7/A8 `rejected`; other
  277 categories (pending, finalized) leave the state as it was;
- `crossed_over`: the payer's 835 says it forwarded the claim to the supplemental payer
  (CLP02 19/20/21, MA18, N89) and no 835 from that payer is posted yet; the reason reads
  "crossed over to <payer>"; an 835 from the next payer makes it `adjudicated` again;
- `late` (computed as of a date): crossed over and no 835 from the next payer after its
  guide's `crossover_wait_days`; sent and no 999/277CA after the payer's
  `ack_overdue_days`, or accepted/acknowledged and no 835 after its
  `remit_turnaround_days` (companion guide settings with sources), with the days left
  before the timely filing limit (date of service + `timely_filing_days`).
A claim id sent again (the corrected claim, a new original, after a rejection) is shown by
its latest submission, linked to the rejected one (`resubmission_of`); rejections stay in
`rejection_rows`, never in the denials.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from attrs import asdict, evolve, frozen
from sqlalchemy import select
from sqlmodel import col

from companion_guides import GuideError, get_guide
from edi.wording import money_text
from reconcile.store.ack_models import AckAnswer, AckFile, ClaimResubmission
from reconcile.store.database import session_scope
from reconcile.store.models import Interchange, SubmittedClaim
from reconcile.store.remit_models import Denial, RemitClaim, RemitTransaction

__all__ = ["STATUSES", "ClaimState", "Event", "RejectionRow", "claim_states",
           "rejection_rows"]

STATUSES = ("sent", "accepted", "acknowledged", "rejected", "predetermined", "adjudicated",
            "crossed_over", "late")
PREDETERMINATION = "25"  # CLP02: an estimate of what would be paid, not an adjudication
# Medicare forwarded the claim to the supplemental payer (COBA crossover): CLP02 19/20/21,
# or remark MA18 / N89 (reference/cob-and-fee-schedule.md)
FORWARDED_STATUSES = frozenset({"19", "20", "21"})
CROSSOVER_REMARKS = frozenset({"MA18", "N89"})
DEFAULT_CROSSOVER_WAIT_DAYS = 30
DEFAULT_ACK_DAYS = 5
DEFAULT_TURNAROUND_DAYS = 30
DEFAULT_TIMELY_DAYS = 365


@frozen
class Event:
    on: date | None
    state: str  # sent, accepted, rejected, acknowledged, predetermined, adjudicated, other
    source: str  # 837, 999, 277CA, 835
    detail: str


@frozen
class ClaimState:
    claim_id: str
    status: str
    since: date | None
    reason: str
    payer: str
    date_of_service: date
    sent_on: date
    interchange: str  # ISA13 of the latest submission
    frequency: str
    charge: Decimal | None
    days_left: int | None  # to the timely filing limit (as of the date asked)
    history: tuple[Event, ...]
    resubmission_of: str | None = None  # "interchange 000000001 on 2026-03-31"
    payer_claim_number: str | None = None  # 277CA REF*1K or 835 CLP07
    row_id: int = 0

    def public(self) -> dict[str, Any]:
        out = asdict(self, recurse=True)
        out.pop("row_id")
        return _plain(out)  # type: ignore[no-any-return]


@frozen
class RejectionRow:
    claim_id: str
    source: str  # 999 or 277CA
    codes: str  # as received
    meaning: str
    fix: str
    received_on: date | None
    payer: str
    line_control_number: str | None
    file: str
    resubmitted: str | None  # where the corrected claim went, once sent again

    def public(self) -> dict[str, Any]:
        return _plain(asdict(self))  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def _settings(payer: str) -> tuple[int, int, int]:
    try:
        g = get_guide(payer)
    except GuideError:
        return DEFAULT_ACK_DAYS, DEFAULT_TURNAROUND_DAYS, DEFAULT_TIMELY_DAYS
    return g.ack_overdue_days, g.remit_turnaround_days, g.timely_filing_days


def _crossover_wait(next_payer: str | None) -> int:
    if next_payer:
        try:
            return get_guide(next_payer).crossover_wait_days
        except GuideError:
            pass
    return DEFAULT_CROSSOVER_WAIT_DAYS


def _where(control: int, at: datetime) -> str:
    return f"interchange {control:09d} on {at:%Y-%m-%d}"


def claim_states(url: str | None = None, *, as_of: date | None = None,
                 status: str | None = None, payer: str | None = None,
                 since: date | None = None, until: date | None = None,
                 latest_only: bool = True) -> list[ClaimState]:
    """Every claim id's state (its latest submission), filtered; oldest sent first."""
    today = as_of or date.today()
    with session_scope(url) as session:
        subs = session.execute(
            select(SubmittedClaim, col(Interchange.control_number))
            .join(Interchange, col(Interchange.id) == col(SubmittedClaim.interchange_id))
            .order_by(col(SubmittedClaim.submitted_at), col(SubmittedClaim.id))).all()
        answers: dict[int, list[AckAnswer]] = {}
        for a in session.execute(
                select(AckAnswer).where(col(AckAnswer.submitted_claim_id).is_not(None))
                .where(col(AckAnswer.line_control_number).is_(None))
                .order_by(col(AckAnswer.received_on), col(AckAnswer.id))).scalars():
            answers.setdefault(a.submitted_claim_id, []).append(a)  # type: ignore[arg-type]
        remits: dict[int, list[tuple[RemitClaim, date | None]]] = {}
        for rc, paid_on in session.execute(
                select(RemitClaim, col(RemitTransaction.payment_date))
                .join(RemitTransaction, col(RemitTransaction.id) == col(RemitClaim.transaction_id))
                .where(col(RemitClaim.submitted_claim_id).is_not(None))
                .where(col(RemitClaim.is_reversal).is_(False),
                       col(RemitClaim.superseded).is_(False))).all():
            remits.setdefault(rc.submitted_claim_id, []).append((rc, paid_on))  # type: ignore[arg-type]
        denied_claims = set(session.execute(
            select(col(Denial.claim_row_id)).where(col(Denial.superseded).is_(False))).scalars())
        links = dict(session.execute(select(col(ClaimResubmission.claim_row_id),
                                            col(ClaimResubmission.rejected_claim_row_id))).all())
    where = {s.id: _where(control, s.submitted_at) for s, control in subs}
    states: dict[str, ClaimState] = {}
    for sub, control in subs:
        assert sub.id is not None
        state = _state(sub, control, answers.get(sub.id, []), remits.get(sub.id, []),
                       denied_claims, today)
        if sub.id in links:
            state = _link(state, where.get(links[sub.id]))
        if latest_only:
            states[sub.claim_id] = state
        else:
            states[f"{sub.claim_id}#{sub.id}"] = state
    rows = list(states.values())
    if status:
        rows = [r for r in rows if r.status == status]
    if payer:
        rows = [r for r in rows if r.payer == payer]
    if since:
        rows = [r for r in rows if r.sent_on >= since]
    if until:
        rows = [r for r in rows if r.sent_on <= until]
    return rows


def _link(state: ClaimState, rejected_where: str | None) -> ClaimState:
    return evolve(state, resubmission_of=rejected_where)


def _state(sub: SubmittedClaim, control: int, answers: Sequence[AckAnswer],
           remits: Sequence[tuple[RemitClaim, date | None]], denied: set[int],
           today: date) -> ClaimState:
    sent_on = sub.submitted_at.date()
    history = [Event(sent_on, "sent", "837", f"{_where(control, sub.submitted_at)}, "
                     f"ST02 {sub.transaction_control_number}, frequency {sub.frequency}")]
    current, since, reason = "sent", sent_on, f"sent in {_where(control, sub.submitted_at)}"
    pcn: str | None = None
    for a in answers:
        detail = a.codes + (f" ({a.meaning})" if a.meaning else "")
        history.append(Event(a.received_on, a.outcome, a.source, detail))
        pcn = a.payer_claim_number or pcn
        if a.outcome in ("accepted", "rejected", "acknowledged"):
            current, since = a.outcome, a.received_on or since
            reason = f"{a.source} {a.outcome}: {detail}"
            if a.outcome == "rejected" and a.fix:
                reason += f"; fix: {a.fix}"
    crossed: tuple[str, date | None] | None = None  # (to whom, when) awaiting its 835
    for rc, paid_on in remits:
        if rc.payer == sub.payer:
            pcn = rc.payer_claim_number or pcn
        if rc.status == PREDETERMINATION:  # an estimate, not the claim's adjudication
            history.append(Event(paid_on, "predetermined", "835",
                                 f"predetermination (CLP02 = 25): estimated "
                                 f"{money_text(rc.paid or 0)} of {money_text(rc.charge or 0)}, "
                                 "nothing paid"))
            if current != "adjudicated":
                current, since = "predetermined", paid_on or since
                reason = ("835 predetermination only (CLP02 = 25): nothing paid; the claim "
                          "itself is still to be adjudicated")
            continue
        result = f"{_result(rc, rc.id in denied)}: paid {money_text(rc.paid or 0)} of " \
                 f"{money_text(rc.charge or 0)}"
        if rc.payer != sub.payer:  # the next payer's answer (a crossover's included)
            result = f"from {rc.payer}, {result}"
            crossed = None
        history.append(Event(paid_on, "adjudicated", "835", result))
        current, since, reason = "adjudicated", paid_on or since, f"835 {result}"
        if rc.payer == sub.payer and (
                rc.status in FORWARDED_STATUSES
                or CROSSOVER_REMARKS & set((rc.remarks or "").split(":"))):
            crossed = (rc.crossover_payer or sub.next_payer or "the supplemental payer",
                       paid_on)
    ack_days, turnaround, timely = _settings(sub.payer)
    days_left = (sub.date_of_service.toordinal() + timely) - today.toordinal()
    waited = (today - sent_on).days
    if crossed is not None:
        to, on = crossed
        wait = _crossover_wait(sub.next_payer)
        current, since = "crossed_over", on or since
        reason = f"crossed over to {to}" + (f" on {on}" if on else "") + \
            f": waiting for its 835 (expected within {wait} days)"
        history.append(Event(on, "crossed_over", "835", f"forwarded to {to}"))
        if on is not None and (today - on).days > wait:
            current = "late"
            reason = (f"crossed over to {to} on {on} but no 835 from it "
                      f"{(today - on).days} days later (expected within {wait}): ask "
                      f"{to} whether it received the crossover, else bill it directly")
    if current == "sent" and waited > ack_days:
        current, since = "late", sent_on
        reason = (f"no 999 or 277CA {waited} days after it was sent (expected within "
                  f"{ack_days}); {days_left} days left before the timely filing limit")
    elif current in ("accepted", "acknowledged", "predetermined") and waited > turnaround:
        # a predetermination is followed like an accepted claim: the payment is still due
        what = "835 adjudication" if current == "predetermined" else "835"
        reason = (f"{current} but no {what} {waited} days after it was sent (the payer "
                  f"usually answers within {turnaround}); {days_left} days left before the "
                  "timely filing limit")
        current = "late"
    return ClaimState(
        claim_id=sub.claim_id, status=current, since=since, reason=reason, payer=sub.payer,
        date_of_service=sub.date_of_service, sent_on=sent_on, interchange=f"{control:09d}",
        frequency=sub.frequency, charge=sub.total_charge, days_left=days_left,
        history=tuple(history), payer_claim_number=pcn, row_id=sub.id or 0)


def _result(rc: RemitClaim, has_denials: bool) -> str:
    paid = rc.paid or Decimal(0)
    if rc.status == "4" or (paid == 0 and has_denials):
        return "denied"
    if has_denials:
        return "partly paid"
    return "paid" if paid > 0 else "processed, nothing paid (patient responsibility)"


def rejection_rows(url: str | None = None, *, payer: str | None = None,
                   since: date | None = None, until: date | None = None) -> list[RejectionRow]:
    """Every rejection (999 or 277CA) of a claim sent, oldest first, with what to fix and
    whether the corrected claim has been sent again."""
    with session_scope(url) as session:
        found = session.execute(
            select(AckAnswer, SubmittedClaim, col(AckFile.file_name))
            .join(SubmittedClaim, col(SubmittedClaim.id) == col(AckAnswer.submitted_claim_id))
            .join(AckFile, col(AckFile.id) == col(AckAnswer.file_id))
            .where(col(AckAnswer.outcome) == "rejected")
            .order_by(col(AckAnswer.received_on), col(AckAnswer.id))).all()
        resent = {r[1]: (r[2], r[3]) for r in session.execute(
            select(col(ClaimResubmission.claim_row_id),
                   col(ClaimResubmission.rejected_claim_row_id),
                   col(Interchange.control_number), col(SubmittedClaim.submitted_at))
            .join(SubmittedClaim, col(SubmittedClaim.id) == col(ClaimResubmission.claim_row_id))
            .join(Interchange, col(Interchange.id) == col(SubmittedClaim.interchange_id))).all()}
    rows = []
    for a, sub, file_name in found:
        again = resent.get(sub.id)
        rows.append(RejectionRow(
            claim_id=sub.claim_id, source=a.source, codes=a.codes, meaning=a.meaning,
            fix=a.fix, received_on=a.received_on, payer=sub.payer,
            line_control_number=a.line_control_number, file=file_name,
            resubmitted=_where(again[0], again[1]) if again else None))
    if payer:
        rows = [r for r in rows if r.payer == payer]
    if since:
        rows = [r for r in rows if r.received_on is not None and r.received_on >= since]
    if until:
        rows = [r for r in rows if r.received_on is not None and r.received_on <= until]
    return rows
