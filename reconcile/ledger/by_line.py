"""The ledger's figures of selected service lines: what `reconcile.ledger.totals` computes
when a filter picks lines rather than claims (a code as billed, a denial cause, denial
statuses).

A line is selected when its code (the code its denial names, else SVC06/SVC01) is the
code asked, its live denial has the cause asked and one of the statuses asked. Billed is
SVC02 of the selected lines of each claim's counted adjudication, paid SVC03 of the
selected lines of every adjudication, patient responsibility and contractual the lines'
own CAS; a claim-level denial brings its claim's money only when the claim has no service
lines. See the module doc of `reconcile.ledger.totals`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col

from reconcile.denials.classify import is_not_denial_code
from reconcile.store.remit_models import Denial, RemitAdjustment, RemitLine

if TYPE_CHECKING:
    from reconcile.ledger.totals import Scope, Totals

ZERO = Decimal("0.00")


def chunks(ids: Sequence[int], n: int = 900) -> Iterable[list[int]]:
    """IN lists well under SQLite's and PostgreSQL's parameter limits."""
    for i in range(0, len(ids), n):
        yield list(ids[i:i + n])


def line_figures(s: Session, t: Totals, sc: Scope, rows: Sequence[Any], every: Sequence[int],
             counted: set[int], group: dict[int, Any]) -> None:
    """The figures of the service lines the scope selects (see the module doc)."""
    d = Denial
    wanted = set(sc.statuses) if sc.statuses is not None else None
    line_denial: dict[int, Any] = {}
    claim_level: list[Any] = []
    for chunk in chunks(list(every)):
        for den in s.execute(sa.select(col(d.line_row_id), col(d.claim_row_id), col(d.code),
                                       col(d.cause), col(d.status), col(d.amount),
                                       col(d.recovered_amount), col(d.superseded))
                             .where(col(d.claim_row_id).in_(chunk))).all():
            if den.superseded and not (wanted and "superseded" in wanted):
                continue
            if den.line_row_id is None:
                claim_level.append(den)
            else:
                line_denial[den.line_row_id] = den

    def keep(den: Any, code: str | None) -> bool:
        if sc.code and code != sc.code:
            return False
        if sc.cause and (den is None or den.cause != sc.cause):
            return False
        return wanted is None or (den is not None and den.status in wanted)

    ln = RemitLine
    has_lines: set[int] = set()
    selected: list[int] = []
    claims: set[Any] = set()
    for chunk in chunks(list(every)):
        for lid, cid, code, original, charge, paid in s.execute(
                sa.select(col(ln.id), col(ln.claim_row_id), col(ln.code),
                          col(ln.original_code), col(ln.charge), col(ln.paid))
                .where(col(ln.claim_row_id).in_(chunk))).all():
            has_lines.add(cid)
            on_line = line_denial.get(lid)
            if not keep(on_line, on_line.code if on_line is not None else (original or code)):
                continue
            selected.append(lid)
            t.paid += paid or ZERO
            if cid in counted:
                t.billed += charge or ZERO
                t.lines += 1
                claims.add(group[cid])
            if on_line is not None:
                count_denial(t, on_line)
    t.patient_responsibility, t.contractual = line_adjustments(s, selected)
    money = {r[0]: (r[4] or ZERO, r[5] or ZERO, r[6] or ZERO) for r in rows}
    for den in claim_level:
        if not keep(den, den.code):
            continue
        count_denial(t, den)
        if den.claim_row_id not in has_lines:  # the whole claim denied at claim level
            charge, paid, pr = money[den.claim_row_id]
            t.paid += paid
            t.patient_responsibility += pr
            if den.claim_row_id in counted and group[den.claim_row_id] not in claims:
                t.billed += charge
                claims.add(group[den.claim_row_id])
    t.claims = len(claims)
    t.allowed = t.paid + t.patient_responsibility
    t.denied_by_cause = dict(sorted(t.denied_by_cause.items(),
                                    key=lambda kv: (-kv[1][1], kv[0])))


def count_denial(t: Totals, den: Any) -> None:
    """One live denial (a row with amount, recovered_amount, status, cause) into `t`."""
    count_denials(t, den.cause, den.status, 1, den.amount, den.recovered_amount)


def count_denials(t: Totals, cause: str, status: str, lines: int, amount: Decimal | None,
                  recovered: Decimal | None) -> None:
    """`lines` live denials of one cause and status, their amounts and recoveries summed,
    into `t` (the one definition of the denial figures; a row is a group of one)."""
    t.denied += amount or ZERO
    t.denied_lines += lines
    t.recovered += recovered or ZERO
    t.overturned_lines += lines if status == "overturned" else 0
    n, a = t.denied_by_cause.get(cause, (0, ZERO))
    t.denied_by_cause[cause] = (n + lines, a + (amount or ZERO))


def line_adjustments(s: Session, line_ids: Sequence[int]) -> tuple[Decimal, Decimal]:
    """Patient responsibility (group PR) and contractual amounts of the lines' CAS."""
    a = RemitAdjustment
    pr = contractual = ZERO
    for chunk in chunks(line_ids):
        for group, carc, amount in s.execute(
                sa.select(col(a.group_code), col(a.carc), col(a.amount))
                .where(col(a.line_row_id).in_(chunk))).all():
            if group == "PR":
                pr += amount or ZERO
            elif group in ("CO", "PI") and is_not_denial_code(group, carc):
                contractual += amount or ZERO
    return pr, contractual
