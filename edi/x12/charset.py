"""What X12 can carry in a name or an address, and Latin letters folded to it.

The 837P's names and addresses are AN elements in the X12 basic character set (upper-case
letters, digits, space and a few punctuation marks); payers match them against the
member's record, which holds the name as printed on the insurance card, in Latin letters.
So:

- a Latin letter with a diacritic or a Latin ligature is folded by its standard
  transliteration: Müller -> MULLER, Ødegård -> ODEGARD, Straße -> STRASSE, Łukasz ->
  LUKASZ; typographic quotes and dashes become ' and - (the `anyascii` tables: unicodedata
  decomposition alone leaves ß, Ø, Ł, Æ, Œ, Đ, Þ unmapped);
- a letter of another script (Cyrillic, Greek, CJK, Arabic...) is NOT romanized: a
  machine romanization would not match the payer's record, so the claim is held with a
  finding asking for the name as on the card (`unmapped`);
- a symbol or emoji (🏥, 😀, ♥, ©, №) has no transliteration at all: it is never spelled
  out as a word (anyascii would write HOSPITAL, GRINNING, HEARTS into the name), the claim
  is held with the same finding (`unmapped`). A variation selector or joiner that only
  shapes an emoji goes with it.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from anyascii import anyascii  # the one module where anyascii enters

__all__ = ["fold", "unmapped"]


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str | None:
    """The ASCII for one non-ASCII character, or None when it has no standard mapping."""
    category = unicodedata.category(ch)
    if category.startswith("M"):
        return ""  # a combining mark after a Latin letter: the letter carries on without it
    if category.startswith("L"):
        if "LATIN" not in unicodedata.name(ch, ""):
            return None
        return anyascii(ch)
    if category == "Nd":
        return str(unicodedata.digit(ch))
    if category[0] == "Z":  # a non-breaking or other space
        return " "
    if category[0] == "P":  # typographic punctuation: ’ – « »
        folded = anyascii(ch)
        # a mark, never a word: anyascii spells some punctuation out
        return folded if folded.isascii() and not any(c.isalnum() for c in folded) else " "
    # symbols (emoji, ♥, ©, №, €) and other numbers (½, ²): no standard transliteration.
    # anyascii spells them out as words (🏥 -> "hospital", 😀 -> "grinning"), which would
    # go out as the patient's name: held instead, with the finding asking for the name
    return None


def fold(value: str) -> str:
    """`value` with every non-ASCII character folded (see module docstring); characters
    without a mapping become a space (`unmapped` says whether there were any)."""
    if value.isascii():
        return value
    out = []
    for ch in unicodedata.normalize("NFC", value):
        if ch.isascii():
            out.append(ch)
        else:
            folded = _fold_char(ch)
            out.append(" " if folded is None else folded)
    return "".join(out)


def unmapped(value: str | None) -> bool:
    """Whether `value` holds a character with no standard mapping to X12 text."""
    if not value or value.isascii():
        return False
    return any(not ch.isascii() and _fold_char(ch) is None
               for ch in unicodedata.normalize("NFC", value))
