"""Payments (one 835 transaction each: the check or EFT) as the ledger sees them.

- **Identity.** A payment is its payer (N1*PR id, else TRN03, else the payer name), trace
  number (TRN02), amount (BPR02 with BPR03's sign) and date (BPR16, else DTM*405). A
  second copy of a payment already posted, from another file, with other line breaks or
  repeated inside one file, is a duplicate: recorded, pointing at the first, posting
  nothing. The same payer and trace with a different amount or date is a conflict: it is
  posted (it may be a second, real payment) with a finding the user must resolve.
- **Provider-level adjustments (PLB).** Each item's meaning comes from
  `reconcile/remit/data/plb_reasons.csv`; an item whose PLB03-2 names a claim (its CLP07 payer
  claim number or CLP01 patient control number) is linked to it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from attrs import frozen
from sqlmodel import col, select

from edi.x835.model import RemittanceHeader
from reconcile.remit.plb import PlbReason, plb_meaning, plb_reasons
from reconcile.store.remit_models import RemitClaim, RemitFile, RemitTransaction

__all__ = ["PlbReason", "plb_meaning", "plb_reasons", "judge", "payment_key", "plb_claim"]

if TYPE_CHECKING:
    from datetime import date

    from sqlmodel import Session

DUPLICATE = "duplicate_payment"  # finding kinds stored with the transaction
CONFLICT = "payment_conflict"


@frozen
class PaymentKey:
    payer: str
    trace: str
    amount: Decimal  # signed: a debit (BPR03 = D) is negative
    on: date | None

    def text(self) -> str:
        when = self.on.isoformat() if self.on else "no date"
        return f"trace {self.trace} from payer {self.payer}, {self.amount:.2f} on {when}"


@frozen
class Earlier:
    transaction_id: int
    file_name: str
    key: PaymentKey


@frozen
class Verdict:
    kind: str  # "new", "duplicate", "conflict"
    earlier: Earlier | None = None

    def message(self, key: PaymentKey) -> str:
        if self.earlier is None:
            return ""
        e = self.earlier
        if self.kind == "duplicate":
            return (f"duplicate payment: {key.text()} was already posted from {e.file_name} "
                    f"(payment {e.transaction_id}); this copy posts nothing")
        return (f"trace number conflict: {key.text()}, but {e.file_name} posted the same "
                f"trace as {e.key.amount:.2f} on {e.key.on or 'no date'} (payment "
                f"{e.transaction_id}): a corrected re-send or a second payment? Both are "
                "posted; check with the payer, then remove the wrong one with `dermclaim "
                f"remit void PAYMENT_ID --note WHY` (`dermclaim remit payments --trace "
                f"{key.trace}` lists both with their ids)")


def signed(amount: Decimal | None, credit_debit: str) -> Decimal:
    value = amount if amount is not None else Decimal("0")
    return -value if credit_debit == "D" else value


def payment_key(h: RemittanceHeader) -> PaymentKey:
    p = h.payment
    payer = h.payer.id or p.payer_identifier or h.payer.name
    return PaymentKey(payer.strip(), p.trace_number.strip(), signed(p.amount, p.credit_debit),
                      p.date or h.production_date)


def judge(session: Session, key: PaymentKey) -> Verdict:
    """Whether the store already posted this payment (or another with its trace)."""
    if not key.trace:
        return Verdict("new")  # nothing to identify it by
    t = RemitTransaction
    rows = session.execute(
        sa.select(col(t.id), col(t.payer_id), col(t.payer_name), col(t.payment_amount),
                  col(t.credit_debit), col(t.payment_date), col(t.production_date),
                  col(RemitFile.file_name))
        .join(RemitFile, col(RemitFile.id) == col(t.file_id))
        .where(col(t.trace_number) == key.trace, col(t.duplicate_of).is_(None))
        .order_by(col(t.id))).all()
    conflict: Earlier | None = None
    for tid, payer_id, payer_name, amount, cd, paid_on, produced, file_name in rows:
        if (payer_id or payer_name).strip() != key.payer:
            continue
        earlier = Earlier(tid, file_name, PaymentKey(key.payer, key.trace, signed(amount, cd),
                                                     paid_on or produced))
        if earlier.key == key:
            return Verdict("duplicate", earlier)
        conflict = conflict or earlier
    return Verdict("conflict", conflict) if conflict else Verdict("new")


# ------------------------------------------------------------------------------------- PLB


def plb_claim(session: Session, transaction_id: int, reference: str) -> int | None:
    """The claim row a PLB03-2 reference names: a CLP07 or CLP01 among its words, in the
    same transaction first, else the latest such claim in the store."""
    words = [w for w in re.split(r"[\s:;,]+", reference.strip()) if len(w) >= 3]
    if not words:
        return None
    c = RemitClaim
    named = (col(c.payer_claim_number).in_(words)) | (col(c.patient_control_number).in_(words))
    same = session.exec(select(c.id).where(col(c.transaction_id) == transaction_id, named)
                        .order_by(col(c.id))).first()
    if same is not None:
        return same
    return session.exec(select(c.id).where(named).order_by(col(c.id).desc())).first()
