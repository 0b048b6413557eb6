"""Whose money each line is: every payer's share and the patient's, once.

Per claim line (CLP01 + REF*6R, else the line's place in the claim), from the live 835
answers (not reversals, not taken back by one, not duplicate payments, no
predeterminations), each payer's answer put in its place by CLP02 (1 / 4 / 19 primary,
2 / 20 secondary, 3 / 21 tertiary; the latest answer of a place counts):

- **paid by each payer**: SVC03 of its answer;
- **next payer owes**: after the last payer that answered, the patient-responsibility (PR)
  amounts of that answer when the patient has a next coverage (`submitted_claim.
  next_payer`) that has not answered yet: coinsurance billed on, not written off. Its
  state: `awaiting_crossover` (the payer forwarded the claim: CLP02 19/20/21, MA18, N89),
  `billed_to_secondary` (our claim to the next payer is recorded), `to_bill_secondary`;
- **patient owes**: otherwise the PR amounts of the last answer (after every payer).

So a coinsurance is counted once: as the next payer's while it is pending, as what the
next payer paid and what it left to the patient once it answered. Claim-level PR
adjustments count as a line of their own (REF*6R empty).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import attrs
import sqlalchemy as sa
from attrs import define, frozen
from sqlmodel import Session, col

from reconcile.store.models import SubmittedClaim
from reconcile.store.remit_models import RemitAdjustment, RemitClaim, RemitLine, RemitTransaction

__all__ = ["ORDER_OF_STATUS", "STATES", "CobFigures", "LineShare", "cob_figures",
           "line_shares"]

ZERO = Decimal("0.00")
ORDER_OF_STATUS = {"1": "P", "4": "P", "19": "P", "2": "S", "20": "S", "3": "T", "21": "T"}
FORWARDED = frozenset({"19", "20", "21"})
CROSSOVER_REMARKS = frozenset({"MA18", "N89"})
STATES = ("patient", "awaiting_crossover", "billed_to_secondary", "to_bill_secondary")
CHUNK = 800


@frozen
class LineShare:
    claim_id: str
    line_control_number: str  # "" for the claim-level adjustments
    code: str
    paid_by: tuple[tuple[str, Decimal], ...]  # (payer guide, SVC03) in payer order
    next_payer: str | None
    next_payer_owes: Decimal
    patient_owes: Decimal
    state: str  # one of STATES


@define
class CobFigures:
    """The coordination-of-benefits figures of a set of claims (added to the totals)."""

    paid_by_primary: Decimal = ZERO
    paid_by_later_payers: Decimal = ZERO
    billed_to_secondary: Decimal = ZERO
    awaiting_crossover: Decimal = ZERO
    to_bill_secondary: Decimal = ZERO
    patient_owes: Decimal = ZERO  # after every payer that answered

    def as_dict(self) -> dict[str, str]:
        return {k: f"{v:.2f}" for k, v in attrs.asdict(self).items()}


@frozen
class _Answer:
    row: int
    payer: str
    order: str
    status: str
    remarks: frozenset[str]


def line_shares(s: Session, claim_ids: Iterable[str] | None = None) -> list[LineShare]:
    """Every answered line's shares (of the claims given, else of every claim)."""
    return [LineShare(*share) for share in _shares(s, claim_ids)]


_Share = tuple[str, str, str, tuple[tuple[str, Decimal], ...], str | None, Decimal, Decimal,
               str]  # LineShare's fields in order: what `cob_figures` sums without the objects


def _shares(s: Session, claim_ids: Iterable[str] | None) -> Iterator[_Share]:
    """The one definition of the shares (see the module doc), as LineShare's fields."""
    answers = _answers(s, claim_ids)
    if not answers:
        return
    rows = [a.row for per in answers.values() for a in per.values()]
    pr = _patient_shares(s, rows)
    lines: dict[int, list[tuple[str, str, Decimal, Decimal]]] = defaultdict(list)
    for claim_row, line_row, lcn, code, svc_paid, pos in _rows(s, rows):
        lines[claim_row].append((lcn or f"#{pos}", code, svc_paid or ZERO,
                                 pr.get((claim_row, line_row), ZERO)))
    nxt, billed_to = _submissions(s, list(answers))
    for claim_id, per in sorted(answers.items()):
        placed = [per[o] for o in ("P", "S", "T") if o in per]
        last = placed[-1]
        following = ({"P": "S", "S": "T"}.get(last.order))
        next_payer = nxt.get((claim_id, last.order))
        pending = next_payer is not None and following is not None
        crossed = last.status in FORWARDED or bool(last.remarks & CROSSOVER_REMARKS)
        state = "patient"
        if pending:
            state = ("awaiting_crossover" if crossed else "billed_to_secondary"
                     if (claim_id, following) in billed_to else "to_bill_secondary")
        paid: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
        code_of: dict[str, str] = {}
        for a in placed:
            for lcn, code, amount, _ in lines[a.row]:
                paid[lcn].append((a.payer, amount))
                code_of.setdefault(lcn, code)
        last_pr = {lcn: pr for lcn, _, _, pr in lines[last.row]}
        last_pr[""] = pr.get((last.row, None), ZERO)
        for lcn in [*paid, ""]:
            owed = last_pr.get(lcn, ZERO)
            if lcn == "" and not owed:
                continue
            yield (claim_id, lcn, code_of.get(lcn, ""), tuple(paid.get(lcn, ())), next_payer,
                   owed if pending else ZERO, ZERO if pending else owed, state)


COB_CHUNK = 2000  # claims whose shares are read at a time: memory flat in the claims given


def cob_figures(s: Session, claim_ids: Iterable[str] | None = None) -> CobFigures:
    """The COB figures of the claims given (else of every claim), read a chunk of claims at a
    time: a 50,000-claim load's totals held every line's shares at once (+200 MB)."""
    f = CobFigures()
    if claim_ids is None:
        _add_shares(f, _shares(s, None))
        return f
    ids = list(claim_ids)
    for start in range(0, len(ids), COB_CHUNK):
        _add_shares(f, _shares(s, ids[start:start + COB_CHUNK]))
    return f


def _add_shares(f: CobFigures, shares: Iterable[_Share]) -> None:
    for _claim, _lcn, _code, paid_by, _next, next_payer_owes, patient_owes, state in shares:
        for i, (_payer, amount) in enumerate(paid_by):
            if i == 0:
                f.paid_by_primary += amount
            else:
                f.paid_by_later_payers += amount
        f.patient_owes += patient_owes
        if state == "awaiting_crossover":
            f.awaiting_crossover += next_payer_owes
        elif state == "billed_to_secondary":
            f.billed_to_secondary += next_payer_owes
        elif state == "to_bill_secondary":
            f.to_bill_secondary += next_payer_owes


# ------------------------------------------------------------------------------ reading


def _answers(s: Session, claim_ids: Iterable[str] | None) -> dict[str, dict[str, _Answer]]:
    """claim id -> payer order -> its latest live answer.

    The claims are read by CLP01 alone (its index) and the duplicate payments' claims left
    out here: joined to remit_transaction in SQL, SQLite led with the transactions and read
    every claim of the store for each chunk of CLP01s."""
    c, tx = RemitClaim, RemitTransaction
    duplicates = {int(r[0]) for r in s.execute(
        sa.select(col(tx.id)).where(col(tx.duplicate_of).is_not(None))).all()}
    q = (sa.select(col(c.id), col(c.patient_control_number), col(c.payer), col(c.status),
                   col(c.remarks), col(c.transaction_id))
         .where(col(c.is_reversal).is_(False), col(c.superseded).is_(False),
                col(c.status).in_(list(ORDER_OF_STATUS))))
    found: list[tuple[int, str, str, str, str]] = []
    chunks = [None] if claim_ids is None else list(_chunks(sorted(set(claim_ids))))
    for chunk in chunks:
        query = q if chunk is None else q.where(col(c.patient_control_number).in_(chunk))
        found += [(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4] or ""))
                  for r in s.execute(query).all() if r[5] not in duplicates]
    out: dict[str, dict[str, _Answer]] = defaultdict(dict)
    for row, pcn, payer, status, remarks in sorted(found):
        order = ORDER_OF_STATUS[status]
        out[pcn][order] = _Answer(row, payer, order, status,
                                  frozenset(remarks.split(":")) - {""})
    return out


def _rows(s: Session, claim_rows: Sequence[int]) -> list[tuple[int, int, str | None, str,
                                                               Decimal | None, int]]:
    out: list[Any] = []
    for chunk in _chunks(sorted(claim_rows)):
        out += s.execute(sa.select(col(RemitLine.claim_row_id), col(RemitLine.id),
                                   col(RemitLine.control_number), col(RemitLine.code),
                                   col(RemitLine.paid), col(RemitLine.position))
                         .where(col(RemitLine.claim_row_id).in_(chunk))
                         .order_by(col(RemitLine.claim_row_id), col(RemitLine.position))).all()
    return out  # type: ignore[return-value]


def _patient_shares(s: Session, claim_rows: Sequence[int]
                    ) -> dict[tuple[int, int | None], Decimal]:
    """(claim row, line row or None for the claim level) -> its patient-responsibility (PR)
    adjustments, summed in SQL (exact: integer cents, NUMERIC). Grouped by the claims'
    own index: a correlated sum per line took PostgreSQL 13 s for a 50,000-claim load (no
    statistics yet inside the load's transaction)."""
    a = RemitAdjustment
    out: dict[tuple[int, int | None], Decimal] = {}
    for chunk in _chunks(sorted(claim_rows)):
        for claim_row, line_row, amount in s.execute(
                sa.select(col(a.claim_row_id), col(a.line_row_id), sa.func.sum(col(a.amount)))
                .where(col(a.claim_row_id).in_(chunk), col(a.group_code) == "PR")
                .group_by(col(a.claim_row_id), col(a.line_row_id))).all():
            out[(claim_row, line_row)] = amount or ZERO
    return out


def _submissions(s: Session, claim_ids: Sequence[str]
                 ) -> tuple[dict[tuple[str, str], str], set[tuple[str, str]]]:
    """(claim id, payer order) -> the next payer named when that claim was sent; and the
    (claim id, payer order) of the claims recorded as sent to a later payer."""
    nxt: dict[tuple[str, str], str] = {}
    sent: set[tuple[str, str]] = set()
    sc = SubmittedClaim
    for chunk in _chunks(sorted(claim_ids)):
        for claim_id, order, next_payer, key in s.execute(
                sa.select(col(sc.encounter_claim_id), col(sc.payer_order), col(sc.next_payer),
                          col(sc.submission_key))
                .where(col(sc.encounter_claim_id).in_(chunk))
                .order_by(col(sc.id))).all():
            if next_payer:
                nxt[(claim_id, order)] = next_payer
            if order != "P" and key is not None:
                sent.add((claim_id, order))
    return nxt, sent


def _chunks(items: Sequence[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(items), CHUNK):
        yield list(items[i:i + CHUNK])
