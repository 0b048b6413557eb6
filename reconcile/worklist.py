"""The appeal worklist: one CSV row per live denied line, the most urgent first.

Columns carry what an appeal needs without opening the 835: the payer's claim number (CLP07,
REF*F8 on a corrected claim), the check/EFT trace, the cause and action, the CARC/RARC
evidence, the amount, and the appeal deadline = remittance date (BPR16, else DTM*405) + the
payer's companion-guide `appeal_window_days` (see `reconcile.payers` for the payer -> guide
rule and the stated default). Rows are ordered by deadline (missing deadlines last), then
by amount, largest first; `days_left` is counted from `today`. Recoverable rows (a fix or an
appeal can bring the money in) come before write-offs with the same deadline.

The file is written to a temporary file beside the target and renamed into place: a failed
run never leaves half a worklist.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from attrs import frozen

from edi.atomic import write_atomically
from reconcile.analytics import DenialRow, denial_rows

COLUMNS = ("claim_id", "payer_claim_number", "payer", "trace_number", "line_control_number",
           "date_of_service", "code", "modifiers", "cause", "group", "carc", "rarc",
           "denied_amount", "recoverable", "action", "payment_date", "appeal_deadline",
           "days_left", "evidence")


@frozen
class WorklistSummary:
    path: str
    rows: int
    denied_amount: Decimal
    recoverable_amount: Decimal
    overdue: int  # rows whose deadline has passed


def ordered(rows: Sequence[DenialRow]) -> list[DenialRow]:
    return sorted(rows, key=lambda r: (r.appeal_deadline is None,
                                       r.appeal_deadline or date.max, not r.recoverable,
                                       -r.denied_amount, r.claim_id,
                                       r.line_control_number or ""))


def worklist_rows(rows: Sequence[DenialRow], today: date) -> list[dict[str, str]]:
    out = []
    for r in ordered(rows):
        left = (r.appeal_deadline - today).days if r.appeal_deadline else None
        out.append({
            "claim_id": r.claim_id, "payer_claim_number": r.payer_claim_number,
            "payer": r.payer, "trace_number": r.trace_number,
            "line_control_number": r.line_control_number or "",
            "date_of_service": r.date_of_service.isoformat() if r.date_of_service else "",
            "code": r.code or "", "modifiers": r.modifiers, "cause": r.cause,
            "group": r.group_code, "carc": r.carc, "rarc": r.rarc,
            "denied_amount": f"{r.denied_amount:.2f}",
            "recoverable": "yes" if r.recoverable else "no", "action": r.action,
            "payment_date": r.payment_date.isoformat() if r.payment_date else "",
            "appeal_deadline": r.appeal_deadline.isoformat() if r.appeal_deadline else "",
            "days_left": "" if left is None else str(left), "evidence": r.evidence,
        })
    return out


def write_worklist(path: str | Path, url: str | None = None, since: date | None = None,
                   today: date | None = None) -> WorklistSummary:
    """Write the worklist CSV atomically; return its totals."""
    today = today or date.today()
    rows = denial_rows(url, since)
    table = worklist_rows(rows, today)
    buffer = io.StringIO(newline="")
    w = csv.DictWriter(buffer, fieldnames=COLUMNS)
    w.writeheader()
    w.writerows(table)
    target = write_atomically(path, buffer.getvalue())
    return WorklistSummary(
        path=str(target), rows=len(rows),
        denied_amount=sum((r.denied_amount for r in rows), Decimal("0")),
        recoverable_amount=sum((r.denied_amount for r in rows if r.recoverable
                                and (r.appeal_deadline is None or r.appeal_deadline >= today)),
                               Decimal("0")),
        overdue=sum(1 for r in rows if r.appeal_deadline and r.appeal_deadline < today))
