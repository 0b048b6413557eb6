"""Words and numbers in text output, one way everywhere: money as `$1,234.56` (`-$5.00`),
counts with the right plural (`1 claim`, `2 claims`)."""

from __future__ import annotations

from decimal import Decimal

__all__ = ["money_json", "money_text", "plural"]

_IRREGULAR = {"reply": "replies", "entry": "entries", "is": "are", "was": "were"}


def money_text(value: Decimal | int | float | None) -> str:
    """Money for people: `$41,488.00`, `-$12.50`, `-` for none."""
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


def money_json(value: Decimal | int | None) -> str | None:
    """Money in JSON: a string with two decimals (`"870.00"`), exact; null for none."""
    return None if value is None else f"{Decimal(value):.2f}"
