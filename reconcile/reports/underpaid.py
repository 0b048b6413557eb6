"""Underpayments in the worklist and the report (issue 23), when a practice file is given.

Worklist: one row per underpaid line still to work (status open or appealed, or as the status
filter says), `section` = underpaid, after the denial rows; `underpayment_id` is the 835 line
id (`dermclaim underpayment set ID`), `denied_amount` the money short, `cause` "underpaid",
`action` the likely reason or what to do, `evidence` the basis; the deadline is the payer's
first appeal window from the remittance date, as for a denial.

Report: money short by payer and by code, the share of compared lines paid right, the lines
allowed above their basis (credit-balance risk) and the open underpaid lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from edi.practice import load_practice
from reconcile.reports.analytics import Filters
from reconcile.templates.render import escape
from reconcile.underpayments.compare import Check, Finding, underpayments
from reconcile.underpayments.setup import Pricer

__all__ = ["check_for", "worklist_rows", "report_section"]

# the denial statuses a worklist filter names, as underpayment statuses
_STATUS = {"open": ("open",), "appealed": ("appealed",), "upheld": ("open",),
           "overturned": ("recovered",), "written_off": ("accepted",)}
ACTION = ("Dispute the payment with the basis quoted (`dermclaim underpayment letter`); "
          "likely reason: ")


def check_for(url: str | None, practice: str | Path, filters: Filters | None) -> Check:
    f = filters or Filters()
    return underpayments(url, Pricer(load_practice(practice)), payer=f.payer, code=f.code,
                         since=f.since, until=f.until)


def _wanted(f: Finding, filters: Filters | None) -> bool:
    if f.kind == "overpaid":
        return False
    if filters is not None and filters.cause and filters.cause != "underpaid":
        return False
    statuses = filters.statuses if filters is not None and filters.statuses else (
        "open", "appealed", "upheld")
    keep = {s for st in statuses for s in _STATUS.get(st, ())}
    return f.status in keep


def worklist_rows(check: Check, filters: Filters | None, today: date) -> list[dict[str, str]]:
    rows = [f for f in check.findings if _wanted(f, filters)]
    rows.sort(key=lambda f: (f.deadline or date.max, -f.short, f.claim_id, f.line_id))
    out = []
    for f in rows:
        left = (f.deadline - today).days if f.deadline else None
        out.append({
            "denial_id": "", "underpayment_id": str(f.line_id), "section": "underpaid",
            "status": f.status, "owner": "", "last_note": "",
            "appeal_deadline": f.deadline.isoformat() if f.deadline else "",
            "days_left": "" if left is None else str(left), "claim_id": f.claim_id,
            "payer_claim_number": f.payer_claim_number, "patient_name": "", "member_id": "",
            "payer": f.payer, "trace_number": f.trace_number,
            "line_control_number": f.line_control_number,
            "date_of_service": f.date_of_service.isoformat() if f.date_of_service else "",
            "code": f.code, "modifiers": ":".join(f.modifiers),
            "billed_amount": f"{f.charge:.2f}", "paid_amount": f"{f.paid:.2f}",
            "denied_amount": f"{f.short:.2f}", "cause": "underpaid", "group": "", "carc": "",
            "rarc": "", "recoverable": "yes",
            "action": ACTION + (f.reason or "not told (compare with the contract)"),
            "payment_date": f.payment_date.isoformat() if f.payment_date else "",
            "appeal_level": "", "next_level": "",
            "evidence": f"expected {f.expected_allowed}, allowed {f.allowed}: {f.basis}"})
    return out


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    h = "".join(f"<th>{escape(c)}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


def report_section(check: Check, today: date) -> str:
    """The report's underpayments section (HTML, every value escaped)."""
    short: dict[str, Decimal] = defaultdict(Decimal)
    by_code: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 2)
    for f in check.findings:
        if f.kind != "overpaid":
            short[f.payer] += f.short
            by_code[(f.payer, f.code)][0] += f.short
    share = check.share_paid_right
    under = [f for f in check.findings if f.kind != "overpaid"]
    over = [f for f in check.findings if f.kind == "overpaid"]
    payer_rows = []
    for payer in sorted({p for p, _ in check.by_payer_code}):
        compared = sum(v[0] for (p, _), v in check.by_payer_code.items() if p == payer)
        right = sum(v[1] for (p, _), v in check.by_payer_code.items() if p == payer)
        payer_rows.append((payer, str(compared), str(right),
                           f"{right / compared:.1%}" if compared else "-",
                           f"{short.get(payer, Decimal(0)):,.2f}"))
    code_rows = [(p, c, str(v[0]), str(v[1]), f"{by_code[(p, c)][0]:,.2f}")
                 for (p, c), v in sorted(check.by_payer_code.items())
                 if v[0] != v[1] or by_code[(p, c)][0]]
    line_rows = [(str(f.line_id), f.status, f.deadline.isoformat() if f.deadline else "",
                  f.claim_id, f.line_control_number, f.payer, f.code,
                  f"{f.expected_allowed:,.2f}", f"{f.allowed:,.2f}", f"{f.short:,.2f}",
                  f.reason) for f in under + over]
    total = sum((f.short for f in under), Decimal(0))
    return (
        "<section><h2>Underpayments: allowed against the contract or the Medicare fee "
        "schedule</h2>"
        f"<p>{check.compared} paid lines compared; {check.paid_right} paid right "
        f"({'-' if share is None else f'{share:.1%}'}); {len(under)} underpaid or paid short, "
        f"{total:,.2f} short; {len(over)} allowed above their basis (credit-balance risk); "
        f"{check.unpriced} without a contract row or fee schedule row. As of "
        f"{escape(today.isoformat())}.</p>"
        + _table(("Payer", "Lines compared", "Paid right", "Share paid right", "Short"),
                 payer_rows)
        + "<h2>Short or over by payer and code</h2>"
        + _table(("Payer", "Code", "Lines compared", "Paid right", "Short"), code_rows)
        + "<h2>Lines</h2>"
        + _table(("ID", "Status", "Deadline", "Claim", "Line", "Payer", "Code", "Expected",
                  "Allowed", "Short", "Likely reason"), line_rows)
        + "</section>")
