"""Taking a posted payment back out of the store (`dermclaim remit void`).

A payment (one 835 transaction: the check or EFT) posted in error — the wrong file, the
wrong one of two payments with the same trace number (a conflict `remit load` reports) —
is removed with everything it posted: its claims, lines, adjustments, denials (with their
history), PLB items and findings, and the copies of it that were recorded as duplicates.
Overturns it made (a denial of another payment marked overturned because this one paid
it) go back to the status they had, with a history row. The removal is recorded in
`payment_void` (what it was, what went, who, when, why), so every total is again the one
of the payments that remain. A file none of whose payments remain is forgotten, so that
it (or its corrected version) can be loaded again.

A payment holding a reversal (CLP02 = 22) is refused: the adjudications it took back
would have to be restored, which this does not do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlmodel import Session, col, select

from reconcile.denials.lifecycle import current_user
from reconcile.errors import StoreError
from reconcile.remit.payments import signed
from reconcile.store.database import session_scope, write_lock
from reconcile.store.denial_models import DenialEvent
from reconcile.store.remit_models import (
    BalanceFinding,
    Denial,
    RemitAdjustment,
    RemitClaim,
    RemitFile,
    RemitLine,
    RemitProviderAdjustment,
    RemitTransaction,
)
from reconcile.store.void_models import PaymentVoid

CHUNK = 500


@frozen
class Payment:
    """A posted payment as `remit payments` lists it."""

    id: int
    payer: str
    trace: str
    amount: Decimal  # signed: a debit is negative
    on: str  # ISO date, or ""
    file_name: str
    claims: int
    paid: Decimal
    duplicate_of: int | None

    def as_json(self) -> dict[str, Any]:
        return {"payment_id": self.id, "payer": self.payer, "trace": self.trace,
                "amount": f"{self.amount:.2f}", "date": self.on or None,
                "file": self.file_name, "claims": self.claims, "paid": f"{self.paid:.2f}",
                "duplicate_of": self.duplicate_of}


@frozen
class VoidResult:
    payment: Payment
    lines: int
    denials: int
    worked: int  # denials removed that had been worked (not open)
    overturns_undone: int
    copies: int  # duplicate copies removed with it

    def text(self) -> str:
        p = self.payment
        return (f"payment {p.id} voided: trace {p.trace} from payer {p.payer}, "
                f"{p.amount:.2f} on {p.on or 'no date'} ({p.file_name}): {p.claims} claims "
                f"(paid {p.paid:.2f}), {self.lines} lines, {self.denials} denials removed"
                + (f" ({self.worked} of them worked: their history went with them)"
                   if self.worked else "")
                + (f"; {self.overturns_undone} overturns it made undone"
                   if self.overturns_undone else "")
                + (f"; {self.copies} duplicate copies of it removed" if self.copies else ""))

    def as_json(self) -> dict[str, Any]:
        return {**self.payment.as_json(), "lines": self.lines, "denials": self.denials,
                "worked_denials": self.worked, "overturns_undone": self.overturns_undone,
                "duplicate_copies": self.copies}


def payments(url: str | None, trace: str | None = None) -> list[Payment]:
    """The payments posted (and their duplicate copies), optionally of one trace number."""
    t, c = RemitTransaction, RemitClaim
    claims = (sa.select(col(c.transaction_id), sa.func.count().label("n"),
                        sa.func.sum(col(c.paid)).label("paid"))
              .group_by(col(c.transaction_id)).subquery())
    q = (sa.select(t, col(RemitFile.file_name), claims.c.n, claims.c.paid)
         .join(RemitFile, col(RemitFile.id) == col(t.file_id))
         .outerjoin(claims, claims.c.transaction_id == col(t.id)).order_by(col(t.id)))
    if trace:
        q = q.where(col(t.trace_number) == trace.strip())
    with session_scope(url) as s:
        return [_payment(row[0], row[1], row[2] or 0, row[3]) for row in s.execute(q)]


def _payment(t: RemitTransaction, file_name: str, claims: int, paid: Any) -> Payment:
    assert t.id is not None
    when = t.payment_date or t.production_date
    paid_total = paid if isinstance(paid, Decimal) else _cents(paid)
    return Payment(t.id, (t.payer_id or t.payer_name).strip(), t.trace_number,
                   signed(t.payment_amount, t.credit_debit),
                   when.isoformat() if when else "", file_name, claims, paid_total,
                   t.duplicate_of)


def _cents(value: Any) -> Decimal:
    # sum() over the Money column comes back raw: integer cents on SQLite
    if value is None:
        return Decimal("0.00")
    if isinstance(value, int):
        return (Decimal(value) / 100).quantize(Decimal("0.01"))
    return Decimal(str(value)).quantize(Decimal("0.01"))


def void_payment(url: str | None, payment_id: int, note: str, *, by: str | None = None,
                 now: datetime | None = None) -> VoidResult:
    """Remove payment `payment_id` and everything it posted, in one transaction under the
    store's write lock; recorded in `payment_void`. StoreError when there is no such
    payment, it is a duplicate copy (void the payment it copies), it holds a reversal, or
    `note` is empty."""
    if not note.strip():
        raise StoreError("--note is required: say why the payment is removed (the record "
                         "keeps it)")
    when = now or datetime.now(UTC)
    actor = by or current_user()
    with session_scope(url) as s:
        write_lock(s)
        t = s.get(RemitTransaction, payment_id, with_for_update=True)
        if t is None:
            raise StoreError(f"no payment {payment_id} in the store (`dermclaim remit payments` "
                             "lists them with their ids)")
        if t.duplicate_of is not None:
            raise StoreError(f"payment {payment_id} is a copy of payment {t.duplicate_of} that "
                             f"posted nothing: void payment {t.duplicate_of} to remove both")
        claim_ids = list(s.exec(select(RemitClaim.id).where(
            col(RemitClaim.transaction_id) == payment_id)))
        reversals = s.exec(select(sa.func.count()).select_from(RemitClaim).where(
            col(RemitClaim.transaction_id) == payment_id, col(RemitClaim.is_reversal))).one()
        if reversals:
            raise StoreError(f"payment {payment_id} holds {reversals} reversals (CLP02 = 22) "
                             "that took earlier adjudications back; voiding it would not give "
                             "them back, so it is refused")
        file_name = s.get(RemitFile, t.file_id)
        paid = sum((c.paid or Decimal("0") for c in _rows(s, RemitClaim, RemitClaim.id,
                                                           claim_ids)), Decimal("0"))
        payment = _payment(t, file_name.file_name if file_name else "", len(claim_ids), paid)
        line_ids = [x.id or 0 for x in _rows(s, RemitLine, RemitLine.claim_row_id, claim_ids)]
        denials = _rows(s, Denial, Denial.claim_row_id, claim_ids)
        denial_ids = [d.id or 0 for d in denials]
        undone = _undo_overturns(s, claim_ids, set(denial_ids), actor, note, payment_id, when)
        copies = list(s.exec(select(RemitTransaction.id).where(
            col(RemitTransaction.duplicate_of) == payment_id)))
        _delete(s, DenialEvent, DenialEvent.denial_id, denial_ids)
        _delete(s, Denial, Denial.id, denial_ids)
        _delete(s, RemitAdjustment, RemitAdjustment.claim_row_id, claim_ids)
        _delete(s, RemitLine, RemitLine.id, line_ids)
        for start in range(0, len(claim_ids), CHUNK):  # PLB elsewhere naming these claims
            s.execute(sa.update(RemitProviderAdjustment).where(
                col(RemitProviderAdjustment.claim_row_id).in_(claim_ids[start:start + CHUNK]))
                .values(claim_row_id=None))
        gone = [payment_id, *[c for c in copies if c is not None]]
        _delete(s, RemitProviderAdjustment, RemitProviderAdjustment.transaction_id, gone)
        _delete(s, BalanceFinding, BalanceFinding.transaction_id, gone)
        _delete(s, RemitClaim, RemitClaim.id, claim_ids)
        _delete(s, RemitTransaction, RemitTransaction.id, gone[1:])
        s.delete(t)
        s.flush()
        _forget_file_if_empty(s, t.file_id)
        s.add(PaymentVoid(
            transaction_id=payment_id, file_name=payment.file_name, payer=payment.payer,
            trace_number=payment.trace, payment_amount=payment.amount,
            payment_date=t.payment_date or t.production_date, paid=paid,
            claims=len(claim_ids), lines=len(line_ids), denials=len(denial_ids),
            overturns_undone=undone, at=when, actor=actor, note=note.strip()))
        s.flush()
    return VoidResult(payment, len(line_ids), len(denial_ids),
                      sum(d.status != "open" for d in denials), undone, len(copies))


def _forget_file_if_empty(s: Session, file_id: int) -> None:
    """A file none of whose payments remain is forgotten too, so that the same bytes can
    be loaded again; history rows that named it keep their note (and `payment_void` its
    name) but no longer point at it."""
    left = s.exec(select(sa.func.count()).select_from(RemitTransaction).where(
        col(RemitTransaction.file_id) == file_id)).one()
    if left:
        return
    s.execute(sa.update(DenialEvent).where(col(DenialEvent.remit_file_id) == file_id)
              .values(remit_file_id=None))
    s.execute(sa.delete(RemitFile).where(col(RemitFile.id) == file_id))


def _rows(s: Session, model: Any, column: Any, ids: Sequence[int | None]) -> list[Any]:
    keys = [i for i in ids if i is not None]
    out: list[Any] = []
    for start in range(0, len(keys), CHUNK):
        out.extend(s.exec(select(model).where(col(column).in_(keys[start:start + CHUNK]))))
    return out


def _delete(s: Session, model: Any, column: Any, ids: Sequence[int | None]) -> None:
    keys = [i for i in ids if i is not None]
    for start in range(0, len(keys), CHUNK):
        s.execute(sa.delete(model).where(col(column).in_(keys[start:start + CHUNK])))


def _undo_overturns(s: Session, claim_ids: list[int | None], own: set[int], actor: str,
                    note: str, payment_id: int, when: datetime) -> int:
    """Denials of other payments this payment overturned: back to the status they had
    before (their last move to overturned says which), recovered money cleared."""
    undone = 0
    for d in _rows(s, Denial, Denial.overturned_by_claim_row_id, claim_ids):
        if d.id in own or d.status != "overturned":
            continue
        last = s.exec(select(DenialEvent).where(
            col(DenialEvent.denial_id) == d.id, col(DenialEvent.to_status) == "overturned")
            .order_by(col(DenialEvent.id).desc())).first()
        back = last.from_status if last is not None else "open"
        s.add(DenialEvent(denial_id=d.id or 0, at=when, from_status=d.status, to_status=back,
                          actor=actor, note=f"payment {payment_id} voided: {note.strip()}"))
        d.status, d.recovered_amount, d.overturned_by_claim_row_id = back, None, None
        s.add(d)
        undone += 1
    return undone
