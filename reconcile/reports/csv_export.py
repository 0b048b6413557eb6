"""CSV that is safe to open in a spreadsheet: the one writer of every CSV export.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (`=HYPERLINK(...)`, `@SUM(1+1)`,
`+cmd|' /C calc'!A0`): a claim id, payer claim number or remark in a payer's file could run
one on a biller's machine. Following the OWASP guidance on CSV injection
(https://owasp.org/www-community/attacks/CSV_Injection), such a cell is prefixed with a
single quote, which spreadsheets show as text and do not evaluate, and every cell is
quoted. A plain number (`-12.50`, an adjustment) is not a formula and is written as is.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence

__all__ = ["FORMULA_START", "Verbatim", "csv_text", "keep_leading_zeros", "safe_cell"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class Verbatim(str):
    """A cell dermclaim built itself and writes as is (the only formulas it writes)."""


def keep_leading_zeros(value: str) -> str:
    """An all-digit identifier (a payer claim number "00123") as `="00123"`, which
    spreadsheets show as text with its zeros; built from digits only, so it is safe."""
    return Verbatim(f'="{value}"') if value.isdigit() else value


def safe_cell(value: object) -> str:
    """The cell as text, neutralised when a spreadsheet would read it as a formula."""
    if isinstance(value, Verbatim):
        return str(value)
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text(fieldnames: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """A header and the rows, every cell passed through `safe_cell` and quoted."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([safe_cell(f) for f in fieldnames])
    for row in rows:
        writer.writerow([safe_cell(row.get(f)) for f in fieldnames])
    return buffer.getvalue()
