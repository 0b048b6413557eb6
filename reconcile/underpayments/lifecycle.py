"""The life of an underpaid line: open -> appealed -> recovered, or accepted (the practice
lets the difference go); checked moves, each kept as an `underpayment_event` row (when,
from, to, who, note, the day, the amount recovered, and the expected/short at the time).

Moves (`MOVES`): open -> appealed | accepted; appealed -> recovered | accepted | open (the
dispute was refused and will be resent); accepted -> open; recovered is final. A write-off
(accepted) needs a note saying why.
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from reconcile.errors import StoreError
from reconcile.store.database import session_scope
from reconcile.store.remit_models import RemitLine
from reconcile.store.remit_read import chunks
from reconcile.store.underpayment_models import UnderpaymentEvent

__all__ = ["STATUSES", "MOVES", "current_statuses", "set_status", "history"]

STATUSES = ("open", "appealed", "recovered", "accepted")
MOVES: dict[str, tuple[str, ...]] = {
    "open": ("appealed", "accepted"),
    "appealed": ("recovered", "accepted", "open"),
    "accepted": ("open",),
    "recovered": (),
}


def current_statuses(s: Session, line_ids: Sequence[int]) -> dict[int, str]:
    """line id -> its latest status (lines without events are open and left out)."""
    out: dict[int, str] = {}
    for chunk in chunks(sorted(set(line_ids))):
        for ev in s.exec(select(UnderpaymentEvent)
                         .where(col(UnderpaymentEvent.remit_line_id).in_(chunk))
                         .order_by(col(UnderpaymentEvent.id))):
            out[ev.remit_line_id] = ev.to_status
    return out


def history(s: Session, line_id: int) -> list[UnderpaymentEvent]:
    return list(s.exec(select(UnderpaymentEvent)
                       .where(col(UnderpaymentEvent.remit_line_id) == line_id)
                       .order_by(col(UnderpaymentEvent.id))))


def move_in(s: Session, line_id: int, status: str, *, note: str = "", by: str | None = None,
            on: date | None = None, amount: Decimal | None = None,
            expected: Decimal | None = None, short: Decimal | None = None) -> str:
    """Record a move inside the caller's transaction; returns the previous status."""
    if status not in STATUSES:
        raise StoreError(f"underpayment {line_id}: unknown status {status!r} "
                         f"(one of {', '.join(STATUSES)})")
    if s.get(RemitLine, line_id) is None:
        raise StoreError(f"underpayment {line_id}: no such 835 line in the store")
    before = current_statuses(s, [line_id]).get(line_id, "open")
    if status not in MOVES[before]:
        allowed = ", ".join(MOVES[before]) or "none (final)"
        raise StoreError(f"underpayment {line_id}: cannot move from {before} to {status} "
                         f"(allowed: {allowed})")
    if status == "accepted" and not note.strip():
        raise StoreError(f"underpayment {line_id}: accepting a short payment needs --note "
                         "saying why")
    if status == "recovered" and amount is not None and amount < 0:
        raise StoreError(f"underpayment {line_id}: the recovered amount cannot be negative")
    s.add(UnderpaymentEvent(remit_line_id=line_id, at=datetime.now(UTC), from_status=before,
                            to_status=status, actor=by or _user(), note=note, on_date=on,
                            amount=amount, expected_allowed=expected, short=short))
    return before


def set_status(url: str | None, line_id: int, status: str, **kw: object) -> str:
    with session_scope(url) as s:
        move_in(s, line_id, status, **kw)  # type: ignore[arg-type]
    return status


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
