"""One definition of the money totals, used by `remit load`, `denials`, `report` and analytics.

Scope: the posted payments (835 transactions that are not duplicates, `reconcile.remit.payments`)
whose remittance date (BPR16, else DTM*405) falls in the period (`since`/`until`,
inclusive), or the payments of given files (a load's summary). Within the scope:

- **claims** and **lines**: each claim once, however many 835s answer it (a reversal and
  its correction, a later 835 paying some of its lines, a payment that overturned one of
  its denials): its fullest adjudication (largest CLP03) that is not a reversal, one that
  no reversal took back first. A claim is told apart by CLP01, payer claim number (CLP07)
  and patient (NM1*QC, else IL), never by CLP01 + date alone: several patients' claims
  sharing one CLP01 are several claims (the date of service still tells apart claims of
  one CLP01, CLP07 and patient, as a de-identified file writes them). A claim row whose payment
  overturned a denial (`reconcile.remit.overturn`) counts with the denied claim.
  Predeterminations (CLP02 = 25) are counted apart and in no money figure.
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
- **denial rate**: denied / billed, and denied lines / lines; **overturn rate**: overturned
  denied lines / denied lines.
- **coordination of benefits** (`cob`, `reconcile.ledger.shares`) for the claims in scope,
  from every live answer to them: paid by the primary, paid by later payers, billed to
  secondary, awaiting crossover, to bill to secondary (what a next payer owes, by where it
  stands) and patient owes after every payer, each line's coinsurance counted once.

`Scope` narrows every figure alike, so figures add up across the values of a filter:
`payer` keeps the claims of that payer (and the payments, PLB and deposits of its
transactions); `code`, `cause` and `statuses` keep service lines (the line's code as
billed; the cause and status of the line's live denial), and then billed, paid, allowed,
patient responsibility and contractual are the selected lines' own (SVC02, SVC03, line
CAS); a claim-level denial brings its claim's money only when the claim has no service
lines. Under a line filter the figures that belong to no line (payments, received, PLB,
deposit, balancing findings) are left out (None), not shown whole.

Claim status (CLP02) counts keep their meaning: processed (1, 2, 3), processed and forwarded
(19, 20, 21), denied (4), reversal (22), not our claim (23), predetermination (25).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from attrs import define, field, frozen
from sqlmodel import Session, col, func, or_, select

from reconcile.denials.classify import is_not_denial_code
from reconcile.ledger.by_line import chunks, count_denials, line_figures
from reconcile.ledger.shares import CobFigures, cob_figures
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
LATER_PAYER = frozenset({"2", "3", "20", "21"})  # CLP02: processed as secondary/tertiary
STATUS_GROUPS = {"1": "processed", "2": "processed", "3": "processed",
                 "19": "forwarded", "20": "forwarded", "21": "forwarded", "4": "denied",
                 "22": "reversal", "23": "not_our_claim", "25": "predetermination"}
BALANCE_KINDS = ("line_out_of_balance", "claim_out_of_balance", "transaction_out_of_balance")
# figures of a payment as a whole: no service line carries them
# figures that belong to no service line: left out (None) under a line filter, not shown whole
PAYMENT_FIGURES = ("plb", "deposit_expected", "received", "payments", "duplicate_payments",
                   "out_of_balance", "plb_by_reason", "coordination_of_benefits")


@frozen
class Scope:
    """What the figures cover besides the period (see the module doc): a payer (guide
    name or 835 payer name, any case), a code as billed, a denial cause, denial statuses
    (None: every status not taken back by a reversal)."""

    payer: str | None = None
    code: str | None = None
    cause: str | None = None
    statuses: tuple[str, ...] | None = None

    @property
    def by_line(self) -> bool:
        return bool(self.code or self.cause) or self.statuses is not None


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
    overturned_lines: int = 0
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
    cob: CobFigures = field(factory=CobFigures)
    by_line: bool = False  # a line filter applied: the payment figures are left out

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

    @property
    def overturn_rate(self) -> Decimal | None:
        """Overturned denied lines ÷ denied lines (None when nothing was denied)."""
        return (Decimal(self.overturned_lines) / self.denied_lines) if self.denied_lines \
            else None

    def as_dict(self) -> dict[str, Any]:
        """Exact text money, for JSON."""
        def m(x: Decimal) -> str:
            return f"{x:.2f}"

        def rate(x: Decimal | None) -> str | None:
            return None if x is None else f"{x:.4f}"

        out = {
            "claims": self.claims, "lines": self.lines, "billed": m(self.billed),
            "allowed": m(self.allowed), "paid": m(self.paid),
            "patient_responsibility": m(self.patient_responsibility),
            "contractual": m(self.contractual), "denied": m(self.denied),
            "denied_lines": self.denied_lines, "overturned_lines": self.overturned_lines,
            "recovered": m(self.recovered),
            "plb": m(self.plb), "deposit_expected": m(self.deposit_expected),
            "received": m(self.received), "payments": self.payments,
            "duplicate_payments": self.duplicate_payments,
            "predeterminations": self.predeterminations,
            "out_of_balance": self.out_of_balance,
            "denial_rate": rate(self.denial_rate),
            "denied_line_rate": rate(self.denied_line_rate),
            "overturn_rate": rate(self.overturn_rate),
            "by_status": dict(sorted(self.by_status.items())),
            "denied_by_cause": {k: {"lines": n, "denied": m(a)}
                                for k, (n, a) in self.denied_by_cause.items()},
            "plb_by_reason": {k: {"items": n, "amount": m(a)}
                              for k, (n, a) in self.plb_by_reason.items()},
            "coordination_of_benefits": self.cob.as_dict(),
        }
        if self.by_line:
            out.update(dict.fromkeys(PAYMENT_FIGURES))
        return out


def compute(url: str | None = None, since: date | None = None, until: date | None = None,
            file_ids: Sequence[int] | None = None, scope: Scope | None = None) -> Totals:
    """The totals of the period (or of the files given), within `scope`."""
    with session_scope(url) as s:
        return compute_in(s, since, until, file_ids, scope)


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


def _payer_of_transaction(q: Any, payer: str | None) -> Any:
    """A transaction's payer: its companion guide, else the 835's payer name (as a claim's)."""
    if not payer:
        return q
    tx = RemitTransaction
    return q.where(func.lower(func.coalesce(tx.guide, tx.payer_name)) == payer.lower())


def compute_in(s: Session, since: date | None = None, until: date | None = None,
               file_ids: Sequence[int] | None = None, scope: Scope | None = None) -> Totals:
    sc = scope or Scope()
    t = Totals(by_line=sc.by_line)
    tx = RemitTransaction
    if not sc.by_line:
        _payments(s, t, since, until, file_ids, sc.payer)

    c = RemitClaim
    q = (sa.select(col(c.id), col(c.patient_control_number), col(c.status),
                   col(c.is_reversal), col(c.charge), col(c.paid),
                   col(c.patient_responsibility), col(c.payer_claim_number),
                   col(c.patient_id), col(c.superseded), col(c.date_of_service))
         .join(tx, col(tx.id) == col(c.transaction_id)))
    if sc.payer:
        q = q.where(func.lower(c.payer) == sc.payer.lower())
    rows = s.execute(_scope(q, since, until, file_ids).order_by(col(c.id))).all()
    every = [r[0] for r in rows if r[2] != PREDETERMINATION]
    group = _claim_groups(s, rows)
    # claim -> (its fullest row, (live, charge))
    counted: dict[Any, tuple[int, tuple[bool, Decimal]]] = {}
    for cid, _pcn, status, is_reversal, charge, _paid, _pr, _icn, _pat, gone, _dos in rows:
        t.by_status[STATUS_GROUPS.get(status, "other")] += 1
        if status == PREDETERMINATION:
            t.predeterminations += 1
            continue
        if not is_reversal:
            # the fullest answer: a later 835 may re-adjudicate only some lines
            # the fullest answer, one a reversal did not take back first: a later 835
            # may re-adjudicate only some lines, a corrected claim follows its reversal
            rank = (not gone, charge or ZERO)
            seen = counted.get(group[cid])
            if seen is None or rank > seen[1]:
                counted[group[cid]] = (cid, rank)
    claim_ids = {cid for cid, _ in counted.values()}
    if sc.by_line:
        line_figures(s, t, sc, rows, every, claim_ids, group)
        return t
    for _cid, _pcn, status, _rev, _charge, paid, pr, _icn, _pat, _gone, _dos in rows:
        if status != PREDETERMINATION:
            t.paid += paid or ZERO
            t.patient_responsibility += pr or ZERO
    t.allowed = t.paid + t.patient_responsibility
    t.claims = len(counted)
    t.billed = sum((rank[1] for _, rank in counted.values()), ZERO)
    t.lines = _count_lines(s, [cid for cid, _ in counted.values()])
    t.contractual = _contractual(s, every)
    _denials(s, t, every)
    # whose money it is after every payer, for the claims in scope (each claim once)
    t.cob = cob_figures(s, sorted({r[1] for r in rows if r[0] in claim_ids}))
    return t


def _payments(s: Session, t: Totals, since: date | None, until: date | None,
              file_ids: Sequence[int] | None, payer: str | None) -> None:
    """The payment figures: checks/EFTs, deposits, PLB, duplicates, balancing findings."""
    tx = RemitTransaction
    q = _payer_of_transaction(sa.select(col(tx.payment_amount), col(tx.credit_debit)), payer)
    for amount, cd in s.execute(_scope(q, since, until, file_ids)).all():
        t.payments += 1
        t.received += -(amount or ZERO) if cd == "D" else (amount or ZERO)
    dup = _payer_of_transaction(
        select(func.count()).select_from(tx).where(col(tx.duplicate_of).is_not(None)), payer)
    if file_ids is not None:
        dup = dup.where(col(tx.file_id).in_(list(file_ids)))
    else:
        dup = _dated(dup, since, until)
    t.duplicate_payments = int(s.exec(dup).one())

    p = RemitProviderAdjustment
    by_reason: dict[str, tuple[int, Decimal]] = {}
    q = _payer_of_transaction(sa.select(col(p.reason), col(p.amount))
                              .join(tx, col(tx.id) == col(p.transaction_id)), payer)
    for reason, amount in s.execute(_scope(q, since, until, file_ids)).all():
        n, a = by_reason.get(reason, (0, ZERO))
        by_reason[reason] = (n + 1, a + (amount or ZERO))
        t.plb += amount or ZERO
    t.plb_by_reason = dict(sorted(by_reason.items()))

    f = BalanceFinding
    q = _payer_of_transaction(
        select(func.count()).select_from(f).join(tx, col(tx.id) == col(f.transaction_id))
        .where(col(f.kind).in_(BALANCE_KINDS)), payer)
    t.out_of_balance = int(s.exec(_scope(q, since, until, file_ids)).one())


def _claim_groups(s: Session, rows: Sequence[Any]) -> dict[int, Any]:
    """Each claim row's claim: CLP01 + CLP07 + patient (+ the date of service, which tells
    apart claims a de-identified file gives one CLP01, CLP07 and member id), and a row
    whose payment overturned a denial joins the denied claim (a later answer to the same
    service). A next payer's answer (CLP02 2/3/20/21: its own CLP07 and member id) joins the
    claim the primary answered with the same CLP01 and date of service: one claim whose
    money several payers share, its charge counted once."""
    key = {r[0]: (r[1], r[7] or "", r[8] or "", r[10]) for r in rows}
    d = Denial
    # overturned denials are few: one pass over them, not one IN list per chunk of claims
    links = [(a, b) for a, b in s.execute(
        sa.select(col(d.overturned_by_claim_row_id), col(d.claim_row_id))
        .where(col(d.overturned_by_claim_row_id).is_not(None))).all()
        if a in key and b in key]
    parent: dict[Any, Any] = {}

    def root(k: Any) -> Any:
        while parent.get(k, k) != k:
            k = parent[k]
        return k
    primary: dict[tuple[Any, Any], int] = {}
    for r in rows:
        if r[2] not in LATER_PAYER and not r[3]:
            primary.setdefault((r[1], r[10]), r[0])
    later = [(r[0], primary[(r[1], r[10])]) for r in rows
             if r[2] in LATER_PAYER and (r[1], r[10]) in primary]
    if later:  # another payer's answer only: a payer's own CLP02 2 is a claim of its own
        ids = sorted({i for pair in later for i in pair})
        payer = {cid: name for part in chunks(ids) for cid, name in s.execute(
            sa.select(col(RemitClaim.id), col(RemitClaim.payer))
            .where(col(RemitClaim.id).in_(part))).all()}
        links += [(a, b) for a, b in later if payer.get(a) != payer.get(b)]
    for paying, denied in links:
        a, b = root(key[paying]), root(key[denied])
        if a != b:
            parent[a] = b
    return {cid: root(k) for cid, k in key.items()}


def _dated(q: Any, since: date | None, until: date | None) -> Any:
    if since is not None:
        q = q.where(_remit_date() >= since)
    if until is not None:
        q = q.where(_remit_date() <= until)
    return q




def _count_lines(s: Session, claim_ids: Sequence[int]) -> int:
    total = 0
    for chunk in chunks(claim_ids):
        total += int(s.exec(select(func.count()).select_from(RemitLine)
                            .where(col(RemitLine.claim_row_id).in_(chunk))).one())
    return total


def _contractual(s: Session, claim_ids: Sequence[int]) -> Decimal:
    """Contractual adjustments (CO / PI that are not denial codes) of the claims: summed in
    SQL per group and CARC (exact: integer cents, NUMERIC), the CARC judged per sum."""
    a = RemitAdjustment
    total = ZERO
    for chunk in chunks(claim_ids):
        for group, carc, amount in s.execute(
                sa.select(col(a.group_code), col(a.carc), func.sum(col(a.amount)))
                .where(col(a.claim_row_id).in_(chunk),
                       or_(col(a.group_code) == "CO", col(a.group_code) == "PI"))
                .group_by(col(a.group_code), col(a.carc))).all():
            if is_not_denial_code(group, carc):
                total += amount or ZERO
    return total


def _denials(s: Session, t: Totals, claim_ids: Sequence[int]) -> None:
    """Live denials (not taken back by a reversal) of the claims in scope, into `t`: counted
    and summed in SQL per cause and status (exact: integer cents, NUMERIC), each group
    into `count_denials`."""
    d = Denial
    for chunk in chunks(claim_ids):
        # superseded grouped on, not filtered: as a condition SQLite led with its index
        # (every live denial of the store per chunk) instead of the claims'
        for cause, status, gone, n, amount, recovered in s.execute(
                sa.select(col(d.cause), col(d.status), col(d.superseded), func.count(),
                          func.sum(col(d.amount)), func.sum(col(d.recovered_amount)))
                .where(col(d.claim_row_id).in_(chunk))
                .group_by(col(d.cause), col(d.status), col(d.superseded))).all():
            if not gone:
                count_denials(t, cause, status, n, amount, recovered)
    t.denied_by_cause = dict(sorted(t.denied_by_cause.items(),
                                    key=lambda kv: (-kv[1][1], kv[0])))
