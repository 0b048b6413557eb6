"""One definition of the money totals, used by `remit load`, `denials`, `report` and analytics.

Scope: the posted payments (835 transactions that are not duplicates, `reconcile.remit.payments`)
whose remittance date (BPR16, else DTM*405) falls in the period (`since`/`until`,
inclusive), or the payments of given files (a load's summary). Within the scope:

- **claims** and **lines**: each claim (CLP01 and its date of service) once, however many
  835s answer it (a reversal and its correction, a secondary payer, a later 835 paying
  some of its lines): its fullest adjudication (largest CLP03) that is not a reversal.
  Predeterminations (CLP02 = 25) are counted apart
  and in no money figure.
- **billed**: CLP03 of that one adjudication per claim.
- **paid**: every CLP04 (a reversal's negative CLP04 nets against its original whether or
  not the original was loaded): the money the claims moved.
- **patient responsibility**: every CLP05, signed likewise; **allowed** = paid + patient
  responsibility.
- **contractual**: CAS amounts in group CO or PI that are not denials (CO-45, CO-253,
  withholds ... per `reconcile/denials/data/denial_causes.csv`), signed.
- **denied** and **denied lines**: live denials (not superseded by a reversal).
- **recovered**: the money recovered on overturned denials (`denial.recovered_amount`,
  set by overturn detection, `reconcile.remit.overturn`).
- **PLB**: provider-level adjustments (positive = taken back); **deposit expected** =
  paid - PLB; **received** = BPR02 (a debit, BPR03 = D, negative).
- **denial rate**: denied / billed, and denied lines / lines.

Claim status (CLP02) counts keep their meaning: processed (1, 2, 3), processed and forwarded
(19, 20, 21), denied (4), reversal (22), not our claim (23), predetermination (25).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from attrs import define, field
from sqlmodel import Session, col, func, or_, select

from reconcile.denials.classify import is_not_denial_code
from reconcile.store.database import session_scope
from reconcile.store.remit_models import (
    BalanceFinding,
    Denial,
    RemitAdjustment,
    RemitClaim,
    RemitLine,
    RemitProviderAdjustment,
    RemitTransaction,
)

ZERO = Decimal("0.00")
PREDETERMINATION = "25"
STATUS_GROUPS = {"1": "processed", "2": "processed", "3": "processed",
                 "19": "forwarded", "20": "forwarded", "21": "forwarded", "4": "denied",
                 "22": "reversal", "23": "not_our_claim", "25": "predetermination"}
BALANCE_KINDS = ("line_out_of_balance", "claim_out_of_balance", "transaction_out_of_balance")


@define
class Totals:
    claims: int = 0
    lines: int = 0
    billed: Decimal = ZERO
    allowed: Decimal = ZERO
    paid: Decimal = ZERO
    patient_responsibility: Decimal = ZERO
    contractual: Decimal = ZERO
    denied: Decimal = ZERO
    denied_lines: int = 0
    recovered: Decimal = ZERO
    plb: Decimal = ZERO
    received: Decimal = ZERO
    payments: int = 0
    duplicate_payments: int = 0
    predeterminations: int = 0
    out_of_balance: int = 0
    by_status: Counter[str] = field(factory=Counter)
    denied_by_cause: dict[str, tuple[int, Decimal]] = field(factory=dict)
    plb_by_reason: dict[str, tuple[int, Decimal]] = field(factory=dict)

    @property
    def deposit_expected(self) -> Decimal:
        return self.paid - self.plb

    @property
    def denial_rate(self) -> Decimal | None:
        """Denied ÷ billed (None when nothing was billed)."""
        return (self.denied / self.billed) if self.billed else None

    @property
    def denied_line_rate(self) -> Decimal | None:
        return (Decimal(self.denied_lines) / self.lines) if self.lines else None

    def as_dict(self) -> dict[str, Any]:
        """Exact text money, for JSON."""
        def m(x: Decimal) -> str:
            return f"{x:.2f}"

        def rate(x: Decimal | None) -> str | None:
            return None if x is None else f"{x:.4f}"

        return {
            "claims": self.claims, "lines": self.lines, "billed": m(self.billed),
            "allowed": m(self.allowed), "paid": m(self.paid),
            "patient_responsibility": m(self.patient_responsibility),
            "contractual": m(self.contractual), "denied": m(self.denied),
            "denied_lines": self.denied_lines, "recovered": m(self.recovered),
            "plb": m(self.plb), "deposit_expected": m(self.deposit_expected),
            "received": m(self.received), "payments": self.payments,
            "duplicate_payments": self.duplicate_payments,
            "predeterminations": self.predeterminations,
            "out_of_balance": self.out_of_balance,
            "denial_rate": rate(self.denial_rate),
            "denied_line_rate": rate(self.denied_line_rate),
            "by_status": dict(sorted(self.by_status.items())),
            "denied_by_cause": {k: {"lines": n, "denied": m(a)}
                                for k, (n, a) in self.denied_by_cause.items()},
            "plb_by_reason": {k: {"items": n, "amount": m(a)}
                              for k, (n, a) in self.plb_by_reason.items()},
        }


def compute(url: str | None = None, since: date | None = None, until: date | None = None,
            file_ids: Sequence[int] | None = None) -> Totals:
    """The totals of the period (or of the files given)."""
    with session_scope(url) as s:
        return compute_in(s, since, until, file_ids)


def _remit_date() -> Any:
    return func.coalesce(RemitTransaction.payment_date, RemitTransaction.production_date)


def _scope(q: Any, since: date | None, until: date | None,
           file_ids: Sequence[int] | None) -> Any:
    """Restrict a query joined to RemitTransaction to the posted payments in scope."""
    q = q.where(col(RemitTransaction.duplicate_of).is_(None))
    if since is not None:
        q = q.where(_remit_date() >= since)
    if until is not None:
        q = q.where(_remit_date() <= until)
    if file_ids is not None:
        q = q.where(col(RemitTransaction.file_id).in_(list(file_ids)))
    return q


def compute_in(s: Session, since: date | None = None, until: date | None = None,
               file_ids: Sequence[int] | None = None) -> Totals:
    t = Totals()
    tx = RemitTransaction
    for amount, cd in s.execute(_scope(sa.select(col(tx.payment_amount),
                                                 col(tx.credit_debit)),
                                       since, until, file_ids)).all():
        t.payments += 1
        t.received += -(amount or ZERO) if cd == "D" else (amount or ZERO)
    dup = select(func.count()).select_from(tx).where(col(tx.duplicate_of).is_not(None))
    if file_ids is not None:
        dup = dup.where(col(tx.file_id).in_(list(file_ids)))
    else:
        dup = _dated(dup, since, until)
    t.duplicate_payments = int(s.exec(dup).one())

    c = RemitClaim
    rows = s.execute(_scope(sa.select(col(c.id), col(c.patient_control_number),
                                      col(c.status), col(c.is_reversal), col(c.charge),
                                      col(c.paid), col(c.patient_responsibility),
                                      col(c.date_of_service))
                            .join(tx, col(tx.id) == col(c.transaction_id)),
                            since, until, file_ids).order_by(col(c.id))).all()
    latest: dict[tuple[str, Any], tuple[int, Decimal]] = {}  # claim -> (row, charge)
    for cid, pcn, status, is_reversal, charge, paid, pr, dos in rows:
        t.by_status[STATUS_GROUPS.get(status, "other")] += 1
        if status == PREDETERMINATION:
            t.predeterminations += 1
            continue
        t.paid += paid or ZERO
        t.patient_responsibility += pr or ZERO
        if not is_reversal:
            # the fullest answer: a later 835 may re-adjudicate only some lines
            seen = latest.get((pcn, dos))
            if seen is None or (charge or ZERO) > seen[1]:
                latest[(pcn, dos)] = (cid, charge or ZERO)
    t.allowed = t.paid + t.patient_responsibility
    t.claims = len(latest)
    t.billed = sum((ch for _, ch in latest.values()), ZERO)
    counted = [cid for cid, _ in latest.values()]
    t.lines = _count_lines(s, counted)

    # the claims in scope but predeterminations, as a subquery: no id list to send back
    every = _scope(sa.select(col(c.id)).join(tx, col(tx.id) == col(c.transaction_id))
                   .where(or_(col(c.status) != PREDETERMINATION, col(c.status).is_(None))),
                   since, until, file_ids).scalar_subquery()
    t.contractual = _contractual(s, every)
    _denials(s, t, every)

    p = RemitProviderAdjustment
    by_reason: dict[str, tuple[int, Decimal]] = {}
    for reason, amount in s.execute(_scope(sa.select(col(p.reason), col(p.amount))
                                           .join(tx, col(tx.id) == col(p.transaction_id)),
                                           since, until, file_ids)).all():
        n, a = by_reason.get(reason, (0, ZERO))
        by_reason[reason] = (n + 1, a + (amount or ZERO))
        t.plb += amount or ZERO
    t.plb_by_reason = dict(sorted(by_reason.items()))

    f = BalanceFinding
    t.out_of_balance = int(s.exec(_scope(
        select(func.count()).select_from(f).join(tx, col(tx.id) == col(f.transaction_id))
        .where(col(f.kind).in_(BALANCE_KINDS)), since, until, file_ids)).one())
    return t


def _dated(q: Any, since: date | None, until: date | None) -> Any:
    if since is not None:
        q = q.where(_remit_date() >= since)
    if until is not None:
        q = q.where(_remit_date() <= until)
    return q


def _chunks(ids: Sequence[int], n: int = 900) -> Iterable[list[int]]:
    for i in range(0, len(ids), n):
        yield list(ids[i:i + n])


def _count_lines(s: Session, claim_ids: Sequence[int]) -> int:
    total = 0
    for chunk in _chunks(claim_ids):
        total += int(s.exec(select(func.count()).select_from(RemitLine)
                            .where(col(RemitLine.claim_row_id).in_(chunk))).one())
    return total


def _contractual(s: Session, claims: Any) -> Decimal:
    """Summed in SQL per (group, CARC), exactly (integer cents on SQLite, NUMERIC on
    PostgreSQL) over the claims of the subquery `claims`: a load's totals read a handful
    of rows, not every adjustment."""
    a = RemitAdjustment
    total = ZERO
    for group, carc, amount in s.execute(
            sa.select(col(a.group_code), col(a.carc), func.sum(col(a.amount)))
            .where(col(a.claim_row_id).in_(claims),
                   or_(col(a.group_code) == "CO", col(a.group_code) == "PI"))
            .group_by(col(a.group_code), col(a.carc))).all():
        if is_not_denial_code(group, carc):
            total += amount or ZERO
    return total


def _denials(s: Session, t: Totals, claims: Any) -> None:
    """Live denials (not taken back by a reversal) of the claims of the subquery `claims`,
    into `t` (counted and summed in SQL per cause)."""
    d = Denial
    by_cause: dict[str, tuple[int, Decimal]] = {}
    for cause, superseded, count, amount, recovered in s.execute(
            sa.select(col(d.cause), col(d.superseded), func.count(),
                      func.sum(col(d.amount)), func.sum(col(d.recovered_amount)))
            .where(col(d.claim_row_id).in_(claims))
            .group_by(col(d.cause), col(d.superseded))).all():
        if superseded:
            continue
        t.recovered += recovered or ZERO
        t.denied += amount or ZERO
        t.denied_lines += count
        n, x = by_cause.get(cause, (0, ZERO))
        by_cause[cause] = (n + count, x + (amount or ZERO))
    t.denied_by_cause = dict(sorted(by_cause.items(), key=lambda kv: (-kv[1][1], kv[0])))
