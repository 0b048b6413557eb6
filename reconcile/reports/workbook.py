"""The worklist as an Excel workbook (openpyxl): what a CSV cannot say about its cells.

Identifiers (claim ids, payer claim numbers, member ids, traces) are text cells, so a
14-digit payer claim number keeps its digits and leading zeros; money is a number with a
currency format; dates are dates; the header row is frozen and filtered. Rows past their
appeal deadline go on their own sheet ("Expired"), so the first sheet is the work still
possible. A text cell a spreadsheet would read as a formula is neutralised as in the CSV
(`csv_export.safe_cell`); openpyxl writes strings as strings, never as formulas.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from reconcile.reports.csv_export import safe_cell

__all__ = ["DATE_COLUMNS", "INT_COLUMNS", "MONEY_COLUMNS", "MONEY_FORMAT", "worklist_workbook"]

MONEY_COLUMNS = frozenset({"billed_amount", "paid_amount", "denied_amount"})
DATE_COLUMNS = frozenset({"appeal_deadline", "date_of_service", "payment_date"})
INT_COLUMNS = frozenset({"denial_id", "days_left"})
MONEY_FORMAT = '"$"#,##0.00;-"$"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"


def _cell(column: str, text: str) -> object:
    if text == "":
        return None
    if column in MONEY_COLUMNS:
        return Decimal(text)
    if column in DATE_COLUMNS:
        return date.fromisoformat(text)
    if column in INT_COLUMNS:
        return int(text)
    return safe_cell(text)


def worklist_workbook(columns: Sequence[str], rows: Sequence[Mapping[str, str]]) -> bytes:
    """The .xlsx bytes: sheet "Worklist" (live and no-deadline rows) and, when any, sheet
    "Expired" (rows past their appeal deadline)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    live = book.active
    assert live is not None
    live.title = "Worklist"
    sheets = {"Worklist": live}
    expired = [r for r in rows if r.get("section") == "expired"]
    if expired:
        sheets["Expired"] = book.create_sheet("Expired")
    for name, sheet in sheets.items():
        part = expired if name == "Expired" else [r for r in rows
                                                   if r.get("section") != "expired"]
        sheet.append(list(columns))
        for c in sheet[1]:
            c.font = Font(bold=True)
        for row in part:
            sheet.append([_cell(col, row.get(col, "")) for col in columns])
        for i, col in enumerate(columns, start=1):
            letter = get_column_letter(i)
            width = max([len(col), *(len(str(r.get(col, ""))) for r in part[:200])])
            sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
            fmt = (MONEY_FORMAT if col in MONEY_COLUMNS else DATE_FORMAT if col in DATE_COLUMNS
                   else "@" if col not in INT_COLUMNS else None)
            if fmt is None:
                continue
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
