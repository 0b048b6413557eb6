"""X12 numeric data types, read with their limits (X12.6 / 005010 TR3 appendix A):

- R (decimal): an optional leading minus, ASCII digits, at most one decimal point; the
  point and the minus sign do not count toward the length; amounts in the 835/837 are
  R 1/18, so at most 18 digits. No plus sign, exponent, blank, digit-group separator,
  NaN or Infinity.
- N0 (integer, implied decimal 0): an optional leading minus and ASCII digits.

Python's `Decimal()` accepts far more ('NaN', 'sNaN', 'Infinity', '1E+999999', '1_000.00',
' 12 ', '+5', Arabic-Indic digits): text reaches `Decimal()` only after this module has
checked it. `r_number` is the one rule the readers use; it is on the 835 hot path, so the
common case costs one `str.strip` and one `Decimal()`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

R_MAX_DIGITS = 18
_R_CHARS = "0123456789.-"
_N_CHARS = "0123456789-"


def r_number(text: str) -> Decimal | None:
    """`text` as a Decimal when it is an X12 R value of at most 18 digits, else None."""
    if text.strip(_R_CHARS) or (len(text) > R_MAX_DIGITS and _digits(text) > R_MAX_DIGITS):
        return None
    try:
        return Decimal(text)  # only digits, '.', '-' left: rejects '', '-', '1.2.3', '1-'
    except InvalidOperation:
        return None


def n_number(text: str, max_digits: int = R_MAX_DIGITS) -> int | None:
    """`text` as an int when it is an X12 N0 value of at most `max_digits` digits."""
    if text.strip(_N_CHARS) or _digits(text) > max_digits:
        return None
    body = text[1:] if text.startswith("-") else text
    if not body or "-" in body:
        return None
    return int(text)


def why_not_r(text: str) -> str:
    """Why `text` is not an R value, in words that never quote the text (it may be a name
    shifted into the wrong element)."""
    if not text:
        return "is empty"
    if any(not c.isascii() for c in text):
        return "is not a number (characters outside ASCII; digits must be 0-9)"
    lowered = text.strip().lower()
    if lowered.lstrip("+-") in ("nan", "snan", "inf", "infinity"):
        return "is not a number (a special value such as not-a-number or infinity)"
    if text != text.strip():
        return "is not a number (blanks around the digits)"
    if "_" in text:
        return "is not a number (digit-group separators such as '_' are not allowed)"
    if text.startswith("+"):
        return "is not an X12 number (no plus sign is allowed)"
    body = text.lstrip("-")
    if body and ("e" in body.lower()) and not body.strip("0123456789.eE+-"):
        return "is not an X12 number (exponent notation is not allowed)"
    if not text.strip(_R_CHARS) and _digits(text) > R_MAX_DIGITS:
        return f"has {_digits(text)} digits, at most {R_MAX_DIGITS} (X12 R 1/18)"
    return "is not a number"


def _digits(text: str) -> int:
    return sum(c in "0123456789" for c in text)
