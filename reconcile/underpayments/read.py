"""Reading the posted 835 lines that underpayments are computed from (one query per concern,
IN lists in chunks): each live line with its claim, payment, adjustments, the submitted line
(modifiers and units as billed) and the encounter's place of service."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from attrs import frozen
from sqlmodel import Session, col, select

from reconcile.store.models import SubmittedClaim, SubmittedLine
from reconcile.store.remit_models import (
    Denial,
    RemitAdjustment,
    RemitClaim,
    RemitLine,
    RemitTransaction,
)
from reconcile.store.remit_read import chunks

__all__ = ["PostedLine", "posted_lines"]


@frozen
class PostedLine:
    line_id: int  # remit_line.id: the underpayment's id
    claim_row_id: int
    claim_id: str  # CLP01
    payer: str  # guide name
    payer_claim_number: str
    trace_number: str
    payment_date: date | None
    line_control_number: str
    code: str
    modifiers: tuple[str, ...]  # as billed when the store sent the claim, else as paid
    units: Decimal  # billed
    paid_units: Decimal | None  # SVC05
    charge: Decimal
    paid: Decimal
    amt_b6: Decimal | None
    adjustments: tuple[tuple[str, str, Decimal], ...]  # (group, CARC, amount)
    date_of_service: date | None
    place_of_service: str | None
    denied: bool  # a live denial row names this line (worked as a denial)


def _mods(text: str | None) -> tuple[str, ...]:
    return tuple(m for m in (text or "").split(":") if m)


# CLP02: processed as primary (1), and as primary then forwarded to the next payer (19)
PRIMARY_STATUSES = ("1", "19")


def posted_lines(s: Session, payer: str | None = None, since: date | None = None,
                 until: date | None = None) -> list[PostedLine]:
    """Lines of live adjudications (no reversal, nothing a reversal took back, no repeated
    payment), filtered by payer and remittance date (whole claims: the multiple-procedure
    rule prices a claim's lines together); oldest first. Only a payer's answer as the
    primary (CLP02 1 or 19): a secondary's or tertiary's allowed amount (CLP02 2/3, 20/21)
    is what it pays after the payer before it, not its fee schedule, so it has no contract
    or PFS figure to hold it against."""
    pay_day = sa.func.coalesce(col(RemitTransaction.payment_date),
                               col(RemitTransaction.production_date))
    q = (sa.select(col(RemitLine.id), col(RemitLine.claim_row_id),
                   col(RemitClaim.patient_control_number), col(RemitClaim.payer),
                   col(RemitClaim.payer_claim_number), col(RemitTransaction.trace_number),
                   pay_day, col(RemitLine.control_number), col(RemitLine.code),
                   col(RemitLine.modifiers), col(RemitLine.units), col(RemitLine.original_units),
                   col(RemitLine.charge), col(RemitLine.paid), col(RemitLine.allowed),
                   col(RemitLine.date_of_service), col(RemitClaim.date_of_service),
                   col(SubmittedLine.line_control_number), col(SubmittedLine.modifiers),
                   col(SubmittedLine.units), col(RemitClaim.submitted_claim_id))
         .join(RemitClaim, col(RemitClaim.id) == col(RemitLine.claim_row_id))
         .join(RemitTransaction, col(RemitTransaction.id) == col(RemitClaim.transaction_id))
         .outerjoin(SubmittedLine, col(SubmittedLine.id) == col(RemitLine.submitted_line_id))
         .where(col(RemitClaim.is_reversal).is_(False), col(RemitClaim.superseded).is_(False),
                col(RemitTransaction.duplicate_of).is_(None),
                col(RemitClaim.status).in_(PRIMARY_STATUSES))
         .order_by(pay_day, col(RemitClaim.patient_control_number), col(RemitLine.id)))
    if payer:
        q = q.where(col(RemitClaim.payer) == payer)
    if since:
        q = q.where(pay_day >= since)
    if until:
        q = q.where(pay_day <= until)
    rows = s.execute(q).all()
    ids = [r[0] for r in rows]
    adjustments: dict[int, list[tuple[str, str, Decimal]]] = defaultdict(list)
    denied: set[int] = set()
    for chunk in chunks(ids):
        for lid, group, carc, amount in s.execute(
                sa.select(col(RemitAdjustment.line_row_id), col(RemitAdjustment.group_code),
                          col(RemitAdjustment.carc), col(RemitAdjustment.amount))
                .where(col(RemitAdjustment.line_row_id).in_(chunk))
                .order_by(col(RemitAdjustment.id))):
            adjustments[lid].append((group, carc, amount or Decimal("0")))
        denied.update(lid for lid in s.exec(select(Denial.line_row_id).where(
            col(Denial.line_row_id).in_(chunk), col(Denial.superseded).is_(False))).all()
            if lid is not None)
    pos = _places_of_service(s, sorted({r[20] for r in rows if r[20] is not None}))
    out = []
    for r in rows:
        units = r[19] if r[19] is not None else (r[11] if r[11] is not None else r[10])
        out.append(PostedLine(
            line_id=r[0], claim_row_id=r[1], claim_id=r[2], payer=r[3] or "",
            payer_claim_number=r[4] or "", trace_number=r[5] or "", payment_date=r[6],
            line_control_number=r[17] or r[7] or "", code=r[8],
            modifiers=_mods(r[18]) if r[17] is not None else _mods(r[9]),
            units=Decimal(units if units is not None else 1), paid_units=r[10],
            charge=r[12] or Decimal("0"), paid=r[13] or Decimal("0"), amt_b6=r[14],
            adjustments=tuple(adjustments.get(r[0], ())), date_of_service=r[15] or r[16],
            place_of_service=pos.get(r[20]) if r[20] is not None else None,
            denied=r[0] in denied))
    return out


def _places_of_service(s: Session, claim_ids: Sequence[int]) -> dict[int, str | None]:
    out: dict[int, str | None] = {}
    for chunk in chunks(list(claim_ids)):
        for cid, text in s.execute(sa.select(col(SubmittedClaim.id),
                                             col(SubmittedClaim.encounter_json))
                                   .where(col(SubmittedClaim.id).in_(chunk))):
            try:
                value = json.loads(text).get("place_of_service")
            except (ValueError, AttributeError):
                value = None
            out[cid] = value if isinstance(value, str) else None
    return out
