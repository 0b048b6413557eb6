"""A denial's life: its status, the checked moves between statuses, and the history row
every change leaves.

Statuses: `open` (nothing done yet), `corrected` (a replacement claim or a reopening request
went out), `appealed` (with the payer's level and the date sent), `overturned` (a later
remittance paid the line: amount recovered and the remittance that did), `upheld` (an
appeal lost: the guide's next level and its deadline, counted from the decision, become
the denial's `next_level` and `appeal_deadline`), `written_off` (with its reason),
`superseded` (a reversal took the adjudication back). The moves allowed, and which need a
note, are the table `reconcile/denials/data/denial_status_moves.csv`; anything else is
refused with the moves that are allowed from where the denial is. `remit load` and
`correct` move denials through `record_moves` inside their own transaction; people through
`set_status`.
"""

from __future__ import annotations

import csv
import getpass
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, select

from reconcile.denials.levels import level_deadline, next_level
from reconcile.errors import StoreError
from reconcile.store.database import session_scope, write_lock
from reconcile.store.denial_models import DenialEvent
from reconcile.store.remit_models import Denial

STATUSES = ("open", "corrected", "appealed", "overturned", "upheld", "written_off",
            "superseded")
LIVE = ("open", "corrected", "appealed", "upheld")  # work not finished: a payment overturns it
WORK = ("open", "appealed", "upheld")  # what the worklist shows by default (corrected waits)


@frozen
class Move:
    from_status: str
    to_status: str
    by_hand: bool
    note_required: bool
    why: str


@lru_cache(maxsize=1)
def moves() -> dict[tuple[str, str], Move]:
    path = resources.files("reconcile.denials") / "data" / "denial_status_moves.csv"
    text = path.read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    out = {}
    for r in rows:
        m = Move(r["from"], r["to"], r["by_hand"] == "yes", r["note"] == "yes", r["why"])
        out[(m.from_status, m.to_status)] = m
    return out


def current_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a container or service
        return os.environ.get("USER", "") or "unknown"


def check_move(current: str, to: str, note: str | None, by_hand: bool = True) -> Move:
    """The allowed move, or StoreError saying why not and what is allowed."""
    if to not in STATUSES:
        raise StoreError(f"--status {to!r}: choose one of {', '.join(STATUSES)}")
    move = moves().get((current, to))
    if move is None or (by_hand and not move.by_hand):
        allowed = [t for (f, t), m in moves().items() if f == current and (m.by_hand
                                                                           or not by_hand)]
        why = "only a remittance reversal makes that move" if move is not None else (
            f"a denial that is {current} can move to {', '.join(allowed) or 'nothing'}")
        raise StoreError(f"cannot move a denial from {current} to {to}: {why}")
    if move.note_required and not (note or "").strip():
        raise StoreError(f"moving a denial from {current} to {to} needs --note ({move.why})")
    return move


def set_status(url: str | None, denial_id: int, to: str, *, note: str | None = None,
               by: str | None = None, level: str | None = None, on: date | None = None,
               owner: str | None = None, now: datetime | None = None) -> Denial:
    """Move one denial by hand (checked), with its history row; return it as it now is."""
    with session_scope(url) as s:
        write_lock(s)
        d = s.get(Denial, denial_id, with_for_update=True)
        if d is None:
            raise StoreError(f"no denial {denial_id} in the store")
        check_move(d.status, to, note)
        if to == "appealed":
            level = level or next_level(d)[1].name
        elif level:
            raise StoreError("--level goes with --status appealed")
        today = (now or datetime.now(UTC)).date()
        if to == "appealed":
            d.appeal_level, d.appealed_on, d.next_level = level, on or today, None
        if owner is not None:
            d.owner = owner or None
        _event(s, d, to, actor=by or current_user(), note=note or "", level=level, on=on,
               now=now)
        if to == "upheld":
            _step_to_next_level(d, on or today)
        s.add(d)
        s.flush()
        s.refresh(d)
        return d


def record_appeals(session: Session, levels: dict[int, str], *, on: date, actor: str,
                   note: str = "", now: datetime | None = None) -> list[Denial]:
    """Move denials to `appealed` at the given level (denial id -> level) inside the
    caller's transaction, each move checked as a hand move (`dermclaim appeal --sent`);
    StoreError on the first that may not move, before anything is committed."""
    out = []
    write_lock(session)
    for denial_id, level in sorted(levels.items()):
        d = session.get(Denial, denial_id, with_for_update=True, populate_existing=True)
        if d is None:
            raise StoreError(f"no denial {denial_id} in the store")
        check_move(d.status, "appealed", note)
        d.appeal_level, d.appealed_on, d.next_level = level, on, None
        _event(session, d, "appealed", actor=actor, note=note, level=level, on=on, now=now)
        session.add(d)
        out.append(d)
    session.flush()
    return out


def set_owner(url: str | None, denial_id: int, owner: str) -> None:
    with session_scope(url) as s:
        d = s.get(Denial, denial_id)
        if d is None:
            raise StoreError(f"no denial {denial_id} in the store")
        d.owner = owner or None
        s.add(d)


def _step_to_next_level(d: Denial, decided_on: date) -> None:
    """An appeal upheld: the denial's next step is the guide's next level, due from the
    decision (`reconcile.denials.levels`, as the letter computes it); after the last level
    the deadline stays and no next level is stored (a further appeal is written by hand)."""
    try:
        index, level = next_level(d)
    except StoreError:
        d.next_level = None
        return
    due, _ = level_deadline(d.payment_date, index, level, decided_on)
    d.next_level = level.name
    if due is not None:
        d.appeal_deadline = due


def _event(s: Session, d: Denial, to: str, *, actor: str, note: str = "",
           level: str | None = None, on: date | None = None, remit_file_id: int | None = None,
           interchange: int | None = None, now: datetime | None = None) -> None:
    assert d.id is not None
    s.add(DenialEvent(denial_id=d.id, at=now or datetime.now(UTC), from_status=d.status,
                      to_status=to, actor=actor, note=note, level=level, on_date=on,
                      remit_file_id=remit_file_id, interchange=interchange))
    d.status = to
    if to == "superseded":
        d.superseded = True


def refused_moves(session: Session, denial_ids: Iterable[int], to: str) -> dict[int, str]:
    """The denials among `denial_ids` that may not move to `to` now (id -> current status),
    read FOR UPDATE inside the caller's locked transaction (`write_lock` first): what
    `record_moves` would skip, so a caller can stop that denial's work with a message."""
    ids = sorted(set(denial_ids))
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        q = (select(Denial).where(col(Denial.id).in_(ids[start:start + 500]))
             .with_for_update().execution_options(populate_existing=True))
        for d in session.exec(q):
            if (d.status, to) not in moves():
                out[d.id or 0] = d.status
    return out


def record_moves(session: Session, denial_ids: Iterable[int], to: str, *, actor: str,
                 note: str = "", values: dict[int, dict[str, Any]] | None = None,
                 remit_file_id: int | None = None, interchange: int | None = None,
                 now: datetime | None = None, notes: dict[int, str] | None = None) -> int:
    """Move denials inside the caller's transaction (remit load, correct): each move is
    checked against the table (not as a hand move) and leaves a history row; a denial
    whose status does not allow the move is left as it is. `values` sets columns per
    denial (recovered amount, paying claim row); `notes` gives a denial its own note in
    place of `note`. Returns how many moved.

    In bulk, without the ORM's unit of work (a load moves thousands): one SELECT of the
    statuses per 500 denials, one executemany UPDATE per set of columns, one executemany
    INSERT of the history rows. Denial objects the session already holds are expired, so
    they read the new status on their next use."""
    ids = sorted(set(denial_ids))
    if not ids:
        return 0
    session.flush()  # pending ORM changes first: the statements below read the tables
    when = now or datetime.now(UTC)
    table = Denial.__table__  # type: ignore[attr-defined]
    conn = session.connection()
    allowed = moves()
    current: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        q = sa.select(table.c.id, table.c.status).where(table.c.id.in_(ids[start:start + 500]))
        current.update((i, status) for i, status in conn.execute(q))
    moving = [i for i in ids if i in current and (current[i], to) in allowed]
    if not moving:
        return 0
    events = [dict(denial_id=i, at=when, from_status=current[i], to_status=to, actor=actor,
                   note=(notes or {}).get(i, note), level=None, on_date=None,
                   remit_file_id=remit_file_id, interchange=interchange) for i in moving]
    # one UPDATE statement per shape of `values` (usually one), executed many
    by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for i in moving:
        extra = (values or {}).get(i, {})
        row = {**extra, "status": to, "b_id": i}
        if to == "superseded":
            row["superseded"] = True
        by_shape.setdefault(tuple(sorted(row)), []).append(row)
    for shape, rows in by_shape.items():
        stmt = (sa.update(table).where(table.c.id == sa.bindparam("b_id"))
                .values({k: sa.bindparam(k) for k in shape if k != "b_id"}))
        conn.execute(stmt, rows)
    conn.execute(sa.insert(DenialEvent.__table__), events)  # type: ignore[attr-defined]
    for i in moving:  # what the session holds of these denials is stale now
        held = session.identity_map.get(identity_key(Denial, i))
        if held is not None:
            session.expire(held)
    return len(moving)


@frozen
class HistoryRow:
    at: datetime
    from_status: str
    to_status: str
    actor: str
    note: str
    level: str | None
    on_date: date | None
    remit_file_id: int | None
    interchange: int | None


def history(session: Session, denial_ids: Sequence[int]) -> dict[int, list[HistoryRow]]:
    """Every change of each denial, oldest first."""
    out: dict[int, list[HistoryRow]] = {i: [] for i in denial_ids}
    ids = sorted(set(denial_ids))
    for start in range(0, len(ids), 500):
        q = (select(DenialEvent).where(col(DenialEvent.denial_id).in_(ids[start:start + 500]))
             .order_by(col(DenialEvent.id)))
        for e in session.exec(q):
            out.setdefault(e.denial_id, []).append(HistoryRow(
                e.at, e.from_status, e.to_status, e.actor, e.note, e.level, e.on_date,
                e.remit_file_id, e.interchange))
    return out


def last_notes(session: Session, denial_ids: Sequence[int]) -> dict[int, str]:
    """The latest non-empty note of each denial (for the worklist)."""
    out: dict[int, str] = {}
    ids = sorted(set(denial_ids))
    t = DenialEvent.__table__  # type: ignore[attr-defined]
    for start in range(0, len(ids), 500):
        q = (sa.select(t.c.denial_id, t.c.note).where(t.c.denial_id.in_(ids[start:start + 500]),
                                                       t.c.note != "").order_by(t.c.id))
        for did, note in session.connection().execute(q):
            out[did] = note
    return out


def record_superseded(session: Session, remit_file_id: int | None = None) -> int:
    """History rows for the denials a reversal just took back (`superseded` set by the
    load's bulk update, status not yet moved)."""
    q = select(Denial.id).where(col(Denial.superseded).is_(True),
                                col(Denial.status) != "superseded")
    ids = [i for i in session.exec(q) if i is not None]
    return record_moves(session, ids, "superseded", actor="remit load",
                        note="taken back by a reversal (CLP02 = 22)",
                        remit_file_id=remit_file_id)
