"""Words and numbers in text output, one way everywhere (`edi.wording`), and money in JSON."""

from __future__ import annotations

from decimal import Decimal

from edi.wording import money_text, plural

__all__ = ["money_json", "money_text", "plural"]


def money_json(value: Decimal | int | None) -> str | None:
    """Money in JSON: a string with two decimals (`"870.00"`), exact; null for none."""
    return None if value is None else f"{Decimal(value):.2f}"
