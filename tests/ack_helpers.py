"""Building the answers a clearinghouse and a payer send back, from what the store sent:
a 999 per functional group and a 277CA for chosen claims (tests of `ack load`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import col

from edi.x277.model import ClaimAck, Status
from edi.x277.writer import render_277, status
from edi.x999.model import ElementError, SegmentError, TransactionSetAck
from edi.x999.writer import accept, answer_group, reject, render_999
from reconcile.store.database import session_scope
from reconcile.store.models import SubmittedClaim

# the 999 error of the done-when scenario: the billing provider's NM1 with a bad NM109
NPI_ERROR = SegmentError("NM1", 9, "2010AA", "8", 0, (ElementError(9, None, None, "67", "7", 0),))


def sent(url: str) -> list[SubmittedClaim]:
    with session_scope(url) as session:
        return list(session.execute(select(SubmittedClaim).order_by(
            col(SubmittedClaim.id))).scalars())


def sets_of(url: str) -> dict[tuple[int, str], list[SubmittedClaim]]:
    """(GS06, ST02) -> the claims sent in that transaction set."""
    out: dict[tuple[int, str], list[SubmittedClaim]] = {}
    for c in sent(url):
        out.setdefault((c.group_control_number, c.transaction_control_number), []).append(c)
    return out


def answer_999(url: str, rejected_sets: Mapping[str, Sequence[SegmentError]], *,
               when: datetime, control: int = 501) -> str:
    """One 999 transaction per functional group sent: every set named, those in
    `rejected_sets` (by ST02) rejected with their IK3/IK4 errors."""
    groups: dict[int, list[TransactionSetAck]] = {}
    for (gs06, st02) in sorted(sets_of(url)):
        t = reject(st02, rejected_sets[st02]) if st02 in rejected_sets else accept(st02)
        groups.setdefault(gs06, []).append(t)
    return render_999([answer_group(str(g), "005010X222A1", ts) for g, ts in groups.items()],
                      sender="EXCLEARINGHSE", receiver="SPRDERM01", control=control, when=when)


def answer_277(claims: Iterable[tuple[SubmittedClaim, Sequence[Status]]], *, when: datetime,
               control: int = 601, npi: str = "1234567893") -> str:
    acks = [ClaimAck(c.claim_id, tuple(statuses), f"PCN{c.id:05d}", None, c.date_of_service,
                     c.date_of_service, npi, 0) for c, statuses in claims]
    return render_277(acks, source=("PR", "MEDICARE PART B", "PI", "12502"),
                      receiver="SPRDERM01", control=control, when=when)


def rejected_npi(on: date, charge: Decimal | None = None) -> Status:
    return status("A7", "562", "85", on, charge)


def accepted(on: date) -> Status:
    return status("A2", "20", "", on)
