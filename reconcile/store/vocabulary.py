"""The values a filter can take, as the store has seen them: payers (denials and claims sent)
and procedure codes (lines sent, answered or denied). The CLI checks `--payer`, `--code`
against them (with the companion guides' names and the classifier's causes) so that a typo
is named, not answered with an empty list."""

from __future__ import annotations

from sqlmodel import col, select

from reconcile.store.database import session_scope
from reconcile.store.models import SubmittedClaim, SubmittedLine
from reconcile.store.remit_models import Denial, RemitLine

__all__ = ["known_codes", "denial_payers", "sent_payers"]


def denial_payers(url: str | None) -> list[str]:
    """Every payer a denial names (guide name, else the 835's payer name)."""
    with session_scope(url) as s:
        return sorted({p for p in s.exec(select(col(Denial.payer)).distinct()) if p})


def known_codes(url: str | None) -> list[str]:
    """Every procedure code the store has seen: on a line sent, a line an 835 answered, or a
    denial (a report filtered by a code that was paid is a real question)."""
    with session_scope(url) as s:
        seen: set[str] = set()
        for column in (col(Denial.code), col(RemitLine.code), col(SubmittedLine.code)):
            seen.update(c for c in s.exec(select(column).distinct()) if c)
        return sorted(seen)


def sent_payers(url: str | None) -> list[str]:
    """Every payer (guide name) a claim was sent to."""
    with session_scope(url) as s:
        return sorted({p for p in s.exec(select(col(SubmittedClaim.payer)).distinct()) if p})
