"""The appeal worklist for people: one CSV row per denial still to work, live deadlines first.

Order: rows whose appeal deadline has not passed, nearest deadline first (recoverable before
write-offs, then the larger amount), then rows without a deadline; rows past their deadline
are left out unless asked for (`include_expired`), and then come last in their own section
(`section` = expired), so a team never scrolls past years-old rows to find this week's.

Columns carry what a biller needs to pull the chart and appeal without opening the 835: a
stable `denial_id` (the store's id: a fresh export merges into an annotated sheet on it),
status, owner and last note, the patient's name and member id, the payer's claim number
(CLP07, REF*F8 on a correction), the check/EFT trace, the line as billed and paid, the cause
and action, the CARC/RARC evidence, and the appeal deadline = remittance date (BPR16, else
DTM*405) + the payer's first appeal window (`reconcile.denials.payers`).

Cells carry raw values (a payer claim number is its digits, not a formula that a data tool
would read literally); only a cell a spreadsheet would run as a formula is neutralised
(`reconcile.reports.csv_export`). A workbook that keeps identifiers as text and money as
numbers is `reconcile.reports.workbook` (`-o worklist.xlsx`). The file is written atomically
(temporary file renamed into place), or to stdout for `-o -`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
from attrs import frozen

from edi.atomic import write_atomically
from reconcile.denials.lifecycle import last_notes
from reconcile.reports.analytics import DenialRow, Filters, denial_rows
from reconcile.reports.csv_export import csv_text
from reconcile.store.database import session_scope

COLUMNS = ("denial_id", "section", "status", "owner", "last_note", "appeal_deadline",
           "days_left", "claim_id", "payer_claim_number", "patient_name", "member_id", "payer",
           "trace_number", "line_control_number", "date_of_service", "code", "modifiers",
           "billed_amount", "paid_amount", "denied_amount", "cause", "group", "carc", "rarc",
           "recoverable", "action", "payment_date", "appeal_level", "next_level",
           "evidence", "underpayment_id")
IDENTIFIERS = ("claim_id", "payer_claim_number", "member_id", "trace_number",
               "line_control_number")
# with a practice file, underpaid lines follow as their own section (reports/underpaid.py)


@frozen
class WorklistSummary:
    path: str
    rows: int
    denied_amount: Decimal
    recoverable_amount: Decimal
    past_deadline: int  # rows whose appeal deadline has passed (written or left out)
    left_out: int = 0  # past-deadline rows not written (include_expired=False)
    underpaid: int = 0  # underpaid lines written (with a practice file)
    short_amount: Decimal = Decimal("0")


def section(r: DenialRow, today: date) -> str:
    if r.appeal_deadline is None:
        return "no_deadline"
    return "expired" if r.appeal_deadline < today else "live"


def ordered(rows: Sequence[DenialRow], today: date | None = None) -> list[DenialRow]:
    """Live deadlines first (nearest first), then rows without a deadline, then expired
    rows (most recently expired first)."""
    today = today or date.today()
    rank = {"live": 0, "no_deadline": 1, "expired": 2}

    def key(r: DenialRow) -> tuple[object, ...]:
        s = section(r, today)
        when = r.appeal_deadline.toordinal() if r.appeal_deadline else 0
        return (rank[s], when if s == "live" else -when, not r.recoverable, -r.denied_amount,
                r.claim_id, r.line_control_number or "", r.denial_id)
    return sorted(rows, key=key)


def _money(v: Decimal | None) -> str:
    return "" if v is None else f"{v:.2f}"


def worklist_rows(rows: Sequence[DenialRow], today: date,
                  notes: dict[int, str] | None = None) -> list[dict[str, str]]:
    out = []
    for r in ordered(rows, today):
        left = (r.appeal_deadline - today).days if r.appeal_deadline else None
        row = {
            "denial_id": str(r.denial_id), "section": section(r, today), "status": r.status,
            "owner": r.owner, "last_note": (notes or {}).get(r.denial_id, ""),
            "appeal_deadline": r.appeal_deadline.isoformat() if r.appeal_deadline else "",
            "days_left": "" if left is None else str(left),
            "claim_id": r.claim_id, "payer_claim_number": r.payer_claim_number,
            "patient_name": r.patient_name, "member_id": r.patient_id, "payer": r.payer,
            "trace_number": r.trace_number, "line_control_number": r.line_control_number or "",
            "date_of_service": r.date_of_service.isoformat() if r.date_of_service else "",
            "code": r.code or "", "modifiers": r.modifiers,
            "billed_amount": _money(r.billed_amount), "paid_amount": _money(r.paid_amount),
            "denied_amount": f"{r.denied_amount:.2f}", "cause": r.cause,
            "group": r.group_code, "carc": r.carc, "rarc": r.rarc,
            "recoverable": "yes" if r.recoverable else "no", "action": r.action,
            "payment_date": r.payment_date.isoformat() if r.payment_date else "",
            "appeal_level": r.appeal_level, "next_level": r.next_level,
            "evidence": r.evidence, "underpayment_id": "",
        }
        out.append(row)
    return out


@frozen
class Worklist:
    """The worklist's rows (raw text values, in order) and its totals."""

    rows: list[dict[str, str]]
    summary: WorklistSummary


def build_worklist(url: str | None = None, since: date | None = None,
                   today: date | None = None, filters: Filters | None = None,
                   include_expired: bool = False, practice: str | Path | None = None
                   ) -> Worklist:
    """The worklist rows and totals, written nowhere. With a practice file, the underpaid
    lines follow (section underpaid)."""
    today = today or date.today()
    every = denial_rows(url, since, filters)
    rows = [r for r in every if include_expired or section(r, today) != "expired"]
    with session_scope(url) as s:
        notes = last_notes(s, [r.denial_id for r in rows])
    out = worklist_rows(rows, today, notes)
    extra: list[dict[str, str]] = []
    if practice is not None:
        from reconcile.reports.underpaid import check_for
        from reconcile.reports.underpaid import worklist_rows as underpaid_rows

        extra = [r for r in underpaid_rows(check_for(url, practice, filters), filters, today)
                 if include_expired or not r["appeal_deadline"]
                 or r["appeal_deadline"] >= today.isoformat()]
        out += extra
    summary = WorklistSummary(
        path="", rows=len(rows),
        denied_amount=sum((r.denied_amount for r in rows), Decimal("0")),
        recoverable_amount=sum((r.denied_amount for r in rows if r.recoverable
                                and (r.appeal_deadline is None or r.appeal_deadline >= today)),
                               Decimal("0")),
        past_deadline=sum(1 for r in every if r.appeal_deadline and r.appeal_deadline < today),
        left_out=len(every) - len(rows), underpaid=len(extra),
        short_amount=sum((Decimal(r["denied_amount"]) for r in extra), Decimal("0")))
    return Worklist(out, summary)


def write_worklist(path: str | Path, url: str | None = None, since: date | None = None,
                   today: date | None = None, filters: Filters | None = None,
                   include_expired: bool = False, practice: str | Path | None = None
                   ) -> WorklistSummary:
    """Write the worklist atomically, CSV (or to stdout for "-"), or an Excel workbook when
    the name ends in .xlsx; return its totals. With a practice file, the underpaid lines
    follow (section underpaid)."""
    w = build_worklist(url, since, today, filters, include_expired, practice)
    if str(path).lower().endswith(".xlsx"):
        from reconcile.reports.workbook import worklist_workbook

        target = str(write_atomically(path, worklist_workbook(COLUMNS, w.rows)))
    else:
        text = csv_text(COLUMNS, w.rows)  # formula cells neutralised
        if str(path) == "-":
            sys.stdout.write(text)
            target = "-"
        else:
            target = str(write_atomically(path, text))
    return attrs.evolve(w.summary, path=target)
