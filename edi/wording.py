"""Money and counts in text for people, one way everywhere (commands, summaries, tables):
money as `$1,234.56` (`-$80.00`), counts with the right plural (`1 claim`, `2 claims`).
JSON never uses these: money there is exact text without a sign or separator ("1234.56")."""

from __future__ import annotations

from decimal import Decimal

__all__ = ["money_text", "plural"]

_IRREGULAR = {"reply": "replies", "entry": "entries", "is": "are", "was": "were"}


def money_text(value: Decimal | int | None) -> str:
    """`$41,488.00`, `-$12.50`; `-` for no amount."""
    if value is None:
        return "-"
    amount = Decimal(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 claim`, `0 claims`, `3 denied lines` (the last word takes the plural)."""
    if count == 1:
        return f"{count} {word}"
    if many is None:
        head, _, last = word.rpartition(" ")
        last = _IRREGULAR.get(last, last + ("es" if last.endswith(("s", "x", "ch")) else "s"))
        many = f"{head} {last}" if head else last
    return f"{count} {many}"
