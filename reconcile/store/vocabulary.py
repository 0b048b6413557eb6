"""The values a filter can take, as the store has seen them: payers (denials and claims sent)
and procedure codes (denied lines). The CLI checks `--payer`, `--code` against them (with the
companion guides' names and the classifier's causes) so that a typo is named, not answered
with an empty list."""

from __future__ import annotations

from sqlmodel import col, select

from reconcile.store.database import session_scope
from reconcile.store.models import SubmittedClaim
from reconcile.store.remit_models import Denial

__all__ = ["denial_codes", "denial_payers", "sent_payers"]


def denial_payers(url: str | None) -> list[str]:
    """Every payer a denial names (guide name, else the 835's payer name)."""
    with session_scope(url) as s:
        return sorted({p for p in s.exec(select(col(Denial.payer)).distinct()) if p})


def denial_codes(url: str | None) -> list[str]:
    """Every procedure code a denial names."""
    with session_scope(url) as s:
        return sorted({c for c in s.exec(select(col(Denial.code)).distinct()) if c})


def sent_payers(url: str | None) -> list[str]:
    """Every payer (guide name) a claim was sent to."""
    with session_scope(url) as s:
        return sorted({p for p in s.exec(select(col(SubmittedClaim.payer)).distinct()) if p})
