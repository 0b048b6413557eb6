"""Appeal levels: the one decision about a denial's next level and its filing deadline.

Used by the lifecycle (`denial set`: the level an appeal goes to; on an `upheld` decision,
the next level and its deadline are stored on the denial) and by the letters (`dermclaim
appeal`), so the level and the deadline a person sees in `denial show`, `denials`, the
worklist and the report are those of the letter `appeal` writes.

The first level when never appealed; after a decision, the guide's next level after the
one appealed at. A level counted from the initial determination runs from the remittance
date (BPR16, else DTM*405); a later level from the decision of the level before (42 CFR
405.962: a reconsideration is due 180 days after the redetermination decision).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Protocol

from companion_guides import AppealLevel
from reconcile.denials.payers import appeal_levels
from reconcile.errors import StoreError


class _Appealable(Protocol):
    payer: str
    status: str
    appeal_level: str | None
    appealed_on: date | None
    payment_date: date | None


class _Event(Protocol):
    @property
    def level(self) -> str | None: ...


def next_level(d: _Appealable, events: Sequence[_Event] = ()) -> tuple[int, AppealLevel]:
    """(index, level) of the next appeal: the first level when never appealed, the guide's
    next level after the last one appealed at. StoreError when there is none."""
    levels = appeal_levels(d.payer)
    names = [lv.name for lv in levels]
    current = d.appeal_level or next((e.level for e in reversed(events) if e.level), None)
    if current is None:
        return 0, levels[0]
    if d.status == "appealed":  # the next level appeals a decision, which is not in yet
        since = f" on {d.appealed_on}" if d.appealed_on else ""
        raise StoreError(f"appealed at {current}{since}, awaiting its decision: the next level "
                         "appeals that decision (42 CFR 405.960); record it first with `denial "
                         "set ID --status upheld --on DATE`")
    if current not in names:
        raise StoreError(f"appealed at {current}, a level the payer's guide does not list "
                         f"({', '.join(names)}): write this appeal by hand")
    i = names.index(current) + 1
    if i >= len(levels):
        raise StoreError(f"{current} is the last appeal level the payer's guide lists: a "
                         "further appeal (ALJ hearing, external review) is written by hand")
    return i, levels[i]


def level_deadline(payment_date: date | None, index: int, level: AppealLevel,
                   decided_on: date | None) -> tuple[date | None, str]:
    """The level's last filing day and what it counts from (`decided_on`: the decision of
    the level before, when recorded)."""
    if level.counted_from == "initial_determination" or index == 0:
        return ((payment_date + timedelta(days=level.days)) if payment_date else None,
                "the remittance date")
    if decided_on is None:
        return None, "the previous level's decision (not recorded)"
    return decided_on + timedelta(days=level.days), f"the previous level's decision of {decided_on}"
