"""Which companion guide an 835 answers for, and the appeal deadline it sets.

Payer -> guide: the submitted claim's payer (the guide the claim was written for); else the
835's payer identification (N1*PR N104, TRN03 with or without its leading "1" of a TIN, or
REF*2U) equal to a shipped guide's `payer_id`; else the 835 payer name equal to a guide's
`payer_name` (case and spacing ignored); else none, and the stated default window applies.

Appeal deadline = payment date (BPR16, else the production date DTM*405) + the guide's
`appeal_window_days`. Without a guide, DEFAULT_APPEAL_WINDOW_DAYS (60): shorter than every
window we ship (Medicare 120, commercial 180) and the shortest first-level window common in
commercial contracts, so a deadline is never shown later than it really is.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from companion_guides import AppealLevel, GuideError, get_guide, guide_names

DEFAULT_APPEAL_WINDOW_DAYS = 60


@lru_cache(maxsize=1)
def _guides() -> tuple[tuple[str, str, str], ...]:
    out = []
    for name in guide_names():
        g = get_guide(name)
        out.append((name, g.payer_id.strip(), " ".join(g.payer_name.upper().split())))
    return tuple(out)


def guide_for_payer(ids: tuple[str, ...], name: str | None) -> str | None:
    """The shipped guide whose payer id is one of `ids`, else whose payer name is `name`."""
    wanted = {i.strip() for i in ids if i and i.strip()}
    # TRN03 is "1" + the payer's TIN; accept both spellings.
    wanted |= {i[1:] for i in wanted if len(i) == 10 and i.startswith("1")}
    for guide, payer_id, _ in _guides():
        if payer_id in wanted:
            return guide
    norm = " ".join((name or "").upper().split())
    for guide, _, payer_name in _guides():
        if norm and payer_name == norm:
            return guide
    return None


def appeal_window_days(guide: str | None) -> int:
    if guide:
        try:
            return get_guide(guide).appeal_window_days
        except GuideError:  # a payer name the store holds that is no longer a shipped guide
            pass
    return DEFAULT_APPEAL_WINDOW_DAYS


def appeal_deadline(payment_date: date | None, guide: str | None) -> date | None:
    if payment_date is None:
        return None
    return payment_date + timedelta(days=appeal_window_days(guide))


def appeal_levels(guide: str | None) -> tuple[AppealLevel, ...]:
    """The guide's appeal levels, first first; without a guide one level with the default
    window."""
    if guide:
        try:
            return get_guide(guide).appeal_levels
        except GuideError:
            pass
    return (AppealLevel("first_level", DEFAULT_APPEAL_WINDOW_DAYS, "initial_determination",
                        "dermclaim default (no companion guide for this payer)"),)
