"""Reading the store for reconciliation: submitted claims to match, live denials, totals,
correction candidates. Every query here is batched (IN lists in chunks) or streamed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from reconcile.store.database import session_scope
from reconcile.store.models import SubmittedClaim, SubmittedLine
from reconcile.store.remit_models import (
    BalanceFinding,
    Denial,
    RemitClaim,
    RemitLine,
    RemitTransaction,
)

CHUNK = 800  # ids per IN list: well under SQLite's and PostgreSQL's parameter limits


@frozen
class SentLineRow:
    """A submitted line as matching needs it."""

    id: int
    claim_row_id: int
    line_number: int
    line_control_number: str
    code: str
    modifiers: tuple[str, ...]
    units: int
    charge: Decimal | None
    date_of_service: date


@frozen
class SentClaimRow:
    id: int
    claim_id: str
    payer: str
    date_of_service: date
    lines: tuple[SentLineRow, ...]


def chunks(items: Sequence[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(items), CHUNK):
        yield list(items[i:i + CHUNK])


def submitted_candidates(session: Session, claim_ids: Iterable[str],
                         control_numbers: Iterable[str]) -> dict[int, SentClaimRow]:
    """Submitted claims whose CLM01 is one of `claim_ids` or that hold a line whose REF*6R
    is one of `control_numbers`, with all their lines (three queries per chunk)."""
    ids, lcns = sorted(set(claim_ids)), sorted(set(control_numbers))
    row_ids: set[int] = set()
    for chunk in chunks(lcns):
        row_ids.update(session.exec(select(SubmittedLine.claim_row_id).where(
            col(SubmittedLine.line_control_number).in_(chunk))).all())
    rids = sorted(row_ids)
    heads: dict[int, tuple[str, str, date]] = {}
    for i in range(0, max(len(ids), len(rids)), CHUNK):
        a, b = ids[i:i + CHUNK], rids[i:i + CHUNK]
        conds = ([col(SubmittedClaim.claim_id).in_(a)] if a else []) + (
            [col(SubmittedClaim.id).in_(b)] if b else [])
        # columns only: the stored encounter JSON is not needed to match
        for sid, claim_id, payer, dos in session.execute(
                sa.select(col(SubmittedClaim.id), col(SubmittedClaim.claim_id),
                          col(SubmittedClaim.payer), col(SubmittedClaim.date_of_service))
                .where(or_(*conds))).all():
            heads[sid] = (claim_id, payer, dos)
    lines: dict[int, list[SentLineRow]] = defaultdict(list)
    cols = [col(c) for c in (
        SubmittedLine.id, SubmittedLine.claim_row_id, SubmittedLine.line_number,
        SubmittedLine.line_control_number, SubmittedLine.code, SubmittedLine.modifiers,
        SubmittedLine.units, SubmittedLine.charge, SubmittedLine.date_of_service)]
    for chunk in chunks(sorted(heads)):
        for r in session.execute(sa.select(*cols)
                                 .where(col(SubmittedLine.claim_row_id).in_(chunk))):
            lines[r[1]].append(SentLineRow(
                id=r[0], claim_row_id=r[1], line_number=r[2], line_control_number=r[3],
                code=r[4], modifiers=tuple(m for m in (r[5] or "").split(":") if m),
                units=r[6], charge=r[7], date_of_service=r[8]))
    return {cid: SentClaimRow(cid, claim_id, payer, dos,
                              tuple(sorted(lines[cid], key=lambda r: r.line_number)))
            for cid, (claim_id, payer, dos) in heads.items()}


def iter_live_denials(url: str | None, statuses: Sequence[str]
                      ) -> Iterator[tuple[Denial, str, str, Decimal | None, Decimal | None]]:
    """Denials in `statuses` (the caller's: `reconcile.denials.lifecycle.WORK` is the work
    still to do) with their claim's CLP07, the check/EFT trace and the line's charge and
    paid, oldest remittance first, streamed. A superseded denial only when asked for."""
    wanted = list(statuses)
    with session_scope(url) as s:
        q = (select(Denial, col(RemitClaim.payer_claim_number),  # type: ignore[call-overload]
                    col(RemitTransaction.trace_number), col(RemitLine.charge),
                    col(RemitLine.paid))
             .join(RemitClaim, col(RemitClaim.id) == col(Denial.claim_row_id))
             .join(RemitTransaction, col(RemitTransaction.id) == col(RemitClaim.transaction_id))
             .outerjoin(RemitLine, col(RemitLine.id) == col(Denial.line_row_id))
             .where(col(Denial.status).in_(wanted))
             .order_by(col(Denial.payment_date), col(Denial.claim_id), col(Denial.id)))
        if "superseded" not in wanted:
            q = q.where(col(Denial.superseded).is_(False))
        for d, icn, trace, charge, paid in s.exec(q).yield_per(1000):
            yield d, icn or "", trace or "", charge, paid


def claim_totals(url: str | None) -> tuple[int, Decimal, Decimal]:
    """Claims, billed and paid of live adjudications (no reversals, nothing a reversal took
    back). Paid sums every CLP04; a claim (CLP01) counts once and its charge once: a later
    CLP paying lines of an earlier adjudication (an overturn, a corrected claim) adds its
    money, not its charge again."""
    live = (col(RemitClaim.is_reversal).is_(False), col(RemitClaim.superseded).is_(False))
    with session_scope(url) as s:
        paid = s.exec(select(func.sum(RemitClaim.paid)).where(*live)).one()
        first = (select(func.min(RemitClaim.id)).where(*live)
                 .group_by(col(RemitClaim.patient_control_number)))
        n, billed = s.exec(select(func.count(), func.sum(RemitClaim.charge))
                           .where(col(RemitClaim.id).in_(first))).one()
    cent = Decimal("0.01")
    return int(n or 0), Decimal(billed or 0).quantize(cent), Decimal(paid or 0).quantize(cent)


def balance_finding_count(url: str | None) -> int:
    """Balancing findings (not tolerated defects) of every loaded transaction."""
    with session_scope(url) as s:
        return int(s.exec(select(func.count()).select_from(BalanceFinding)
                          .where(col(BalanceFinding.kind) != "defect")).one())


def correction_rows(url: str | None, causes: Sequence[str]) -> list[tuple[Any, ...]]:
    """Live, not yet corrected denials of `causes` with their claim payment, and the
    submitted claim and line when the store sent them; newest remittance first."""
    with session_scope(url) as s:
        q = (select(Denial, RemitClaim, SubmittedClaim, SubmittedLine)
             .join(RemitClaim, col(RemitClaim.id) == col(Denial.claim_row_id))
             .outerjoin(SubmittedClaim,
                        col(SubmittedClaim.id) == col(RemitClaim.submitted_claim_id))
             .outerjoin(SubmittedLine, col(SubmittedLine.id) == col(Denial.submitted_line_id))
             .where(col(Denial.superseded).is_(False), col(Denial.corrected_in).is_(None),
                    col(Denial.status) == "open", col(Denial.cause).in_(list(causes)))
             .order_by(col(RemitClaim.id).desc(), col(Denial.id)))
        return [tuple(r) for r in s.exec(q).all()]


def submitted_lines(url: str | None, claim_row_ids: Sequence[int]
                    ) -> dict[int, list[SubmittedLine]]:
    """The lines of each submitted claim row, in line order."""
    out: dict[int, list[SubmittedLine]] = defaultdict(list)
    with session_scope(url) as s:
        for chunk in chunks(sorted(set(claim_row_ids))):
            for ln in s.exec(select(SubmittedLine)
                             .where(col(SubmittedLine.claim_row_id).in_(chunk))
                             .order_by(col(SubmittedLine.line_number))):
                out[ln.claim_row_id].append(ln)
    return out


def submitted_fees(url: str | None, claim_row_ids: Sequence[int]) -> dict[int, dict[str, Decimal]]:
    """Charge per unit of each code as it was billed on each submitted claim."""
    fees: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row_id, lines in submitted_lines(url, claim_row_ids).items():
        for ln in lines:
            if ln.charge is not None and ln.units:
                fees[row_id].setdefault(ln.code, ln.charge / ln.units)
    return fees


def latest_submissions(url: str | None, claim_ids: Sequence[str] | None = None
                       ) -> list[tuple[SubmittedClaim, list[SubmittedLine]]]:
    """The latest submission of each claim id (all, or those given), with its lines."""
    with session_scope(url) as s:
        q = select(SubmittedClaim)
        if claim_ids is not None:
            q = q.where(col(SubmittedClaim.claim_id).in_(list(claim_ids)))
        latest: dict[str, SubmittedClaim] = {}
        for sc in s.exec(q.order_by(col(SubmittedClaim.id))).all():
            latest[sc.claim_id] = sc
        lines: dict[int, list[SubmittedLine]] = defaultdict(list)
        for chunk in chunks(sorted(sc.id for sc in latest.values() if sc.id is not None)):
            for ln in s.exec(select(SubmittedLine).where(col(SubmittedLine.claim_row_id)
                                                         .in_(chunk))
                             .order_by(col(SubmittedLine.line_number))).all():
                lines[ln.claim_row_id].append(ln)
    return [(sc, lines.get(sc.id or 0, [])) for _, sc in sorted(latest.items())]
