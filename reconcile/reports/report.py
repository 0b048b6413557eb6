"""The practice manager's report: one self-contained HTML page (no script, no network).

Totals (billed, paid, denied, recoverable, recovered, overturn rate, deadlines due within 7
and 30 days), denials by cause, payer, code and month as inline SVG bar charts (each says
what it leaves out), and the top rows of the appeal worklist in the worklist's order (live
deadlines first), saying how many rows it leaves out. Every value that came from
an 835 or the store (payer names, codes, claim ids, actions, evidence) is escaped before it
reaches the page: the page is a Jinja2 template with autoescaping
(`reconcile/templates/report.html`), the SVG charts go through `html.escape`; the page has no
JavaScript and a Content-Security-Policy that forbids loading anything, so even a missed
escape could not phone home.

Every figure follows every filter (`--status`, `--payer`, `--cause`, `--code`, `--since/
--until`) and comes from one place: claims, billed, paid, denied, recovered, overturned and
the ledger cards (with a next payer involved: billed to secondary, awaiting
crossover, to bill, paid by later payers, patient owes after every payer) are
`reconcile.ledger.totals` over the filters' scope (`Filters.scope()`),
so the figures of `--payer commercial` and `--payer medicare` add up to those of both; the
charts and the worklist are the denial rows of the same filters. The default is the open
work (open, appealed, upheld), as for every command that lists denials; `--status all`
covers everything. The page's header names the filters in force; `report_json` gives the
same figures as JSON. Recoverable = open work whose cause is normally recoverable and
whose appeal deadline has not passed.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from attrs import frozen

from edi.atomic import write_atomically
from reconcile.denials.lifecycle import WORK
from reconcile.ledger import totals as ledger
from reconcile.reports.analytics import (
    ALL_STATUSES,
    DenialRow,
    Filters,
    GroupRow,
    denial_rows,
    group_rows,
)
from reconcile.reports.worklist import ordered
from reconcile.templates.render import render as render_template
from reconcile.templates.render import safe

TOP_ROWS = 25
TOP_BARS = 12
COLORS = {"bundling": "#1f77b4", "missing_25": "#ff7f0e", "cosmetic": "#9467bd",
          "medical_necessity": "#d62728", "count": "#2ca02c", "modifier": "#8c564b",
          "eligibility": "#e377c2", "authorization": "#7f7f7f", "duplicate": "#bcbd22",
          "timely_filing": "#17becf", "missing_information": "#aec7e8",
          "coordination_of_benefits": "#ffbb78", "other": "#c7c7c7"}


@frozen
class Totals:
    claims: int
    billed: Decimal
    paid: Decimal
    denied: Decimal
    recoverable: Decimal
    denied_lines: int
    out_of_balance: int = 0
    recovered: Decimal = Decimal("0")
    overturned_lines: int = 0
    due_7: int = 0  # open work whose appeal deadline is within 7 days
    due_30: int = 0
    ledger: ledger.Totals | None = None  # the filters' full totals (reconcile.ledger.totals)

    @property
    def overturn_rate(self) -> Decimal:
        if not self.denied_lines:
            return Decimal("0")
        return (Decimal(100) * self.overturned_lines / self.denied_lines).quantize(
            Decimal("0.1"))


@frozen
class ReportSummary:
    path: str
    totals: Totals


def totals(rows: Sequence[DenialRow], url: str | None, today: date,
           since: date | None = None, until: date | None = None,
           filters: Filters | None = None) -> Totals:
    """The report's figures: the ledger's over the filters' scope; `rows` (the denials the
    same filters select) give what is still to work (recoverable, deadlines due)."""
    f = filters or Filters(ALL_STATUSES)
    lt = ledger.compute(url, since, until, scope=f.scope())
    z = Decimal("0")
    work = [r for r in rows if r.status in WORK]

    def due(days: int) -> int:
        return sum(1 for r in work if r.appeal_deadline is not None
                   and 0 <= (r.appeal_deadline - today).days <= days)
    return Totals(
        claims=lt.claims, billed=lt.billed, paid=lt.paid, denied=lt.denied,
        recoverable=sum((r.denied_amount for r in work if r.recoverable and (
            r.appeal_deadline is None or r.appeal_deadline >= today)), z),
        denied_lines=lt.denied_lines, out_of_balance=lt.out_of_balance, ledger=lt,
        recovered=lt.recovered, overturned_lines=lt.overturned_lines,
        due_7=due(7), due_30=due(30))


def filters_text(f: Filters) -> str:
    """The filters in force, in words, for the page's header."""
    applied = f.applied()
    status = applied["status"]
    parts = ["status: every status" if status == "all" else
             f"status: {', '.join(status)}" + (" (open work, the default)"
                                               if tuple(status) == WORK else "")]
    parts += [f"{k}: {applied[k]}" for k in ("payer", "cause", "code", "since", "until")
              if applied[k]]
    return "; ".join(parts)


def bar_chart(title: str, groups: Sequence[GroupRow], *, color_by_key: bool = False,
              limit: int = TOP_BARS) -> str:
    """A horizontal bar chart of denied amount per key (the `limit` largest), inline SVG;
    when keys are left out, a last line says how many and how much. Labels are never cut:
    the label column grows to the longest key."""
    every = list(groups)
    groups, rest = every[:limit], every[limit:]
    longest = max((len(g.key) for g in groups), default=10)
    label_w = max(190, min(7 * longest + 16, 360))
    width, row_h, top = label_w + 450, 26, 8
    height = top + row_h * (max(len(groups), 1) + (1 if rest else 0)) + 8
    biggest = max((g.denied_amount for g in groups), default=Decimal("0")) or Decimal("1")
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">', f"<title>{escape(title)}</title>"]
    if not groups:
        parts.append(f'<text x="8" y="{top + 16}" class="muted">no denials</text>')
    for i, g in enumerate(groups):
        y = top + i * row_h
        w = int((width - label_w - 110) * (g.denied_amount / biggest))
        fill = COLORS.get(g.key, "#4e79a7") if color_by_key else "#4e79a7"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(g.key)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 1)}" height="{row_h - 8}" '
            f'fill="{fill}"><title>{escape(g.key)}: {g.lines} lines, '
            f'{g.denied_amount:.2f}</title></rect>'
            f'<text x="{label_w + max(w, 1) + 6}" y="{y + 16}">{g.denied_amount:,.2f} '
            f'({g.lines})</text>')
    if rest:
        y = top + len(groups) * row_h
        left = sum((g.denied_amount for g in rest), Decimal("0"))
        parts.append(f'<text x="8" y="{y + 16}" class="muted">not shown: {len(rest)} more '
                     f'({sum(g.lines for g in rest)} lines, {left:,.2f})</text>')
    parts.append("</svg>")
    return "".join(parts)


def month_chart(title: str, groups: Sequence[GroupRow]) -> str:
    """Vertical bars per month (chronological, the last 18), as inline SVG; earlier months
    left out are named in the chart's title."""
    every = list(groups)
    groups = every[-18:]
    if len(every) > len(groups):
        title = f"{title} (last 18 months; {len(every) - 18} earlier months not shown)"
    width, height, bottom, left = 640, 220, 30, 10
    n = max(len(groups), 1)
    slot = min((width - 2 * left) / n, 90)
    biggest = max((g.denied_amount for g in groups), default=Decimal("0")) or Decimal("1")
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">', f"<title>{escape(title)}</title>"]
    if not groups:
        parts.append('<text x="8" y="24" class="muted">no denials</text>')
    for i, g in enumerate(groups):
        h = int((height - bottom - 24) * (g.denied_amount / biggest))
        x = left + i * slot + slot * 0.15
        y = height - bottom - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{slot * 0.7:.1f}" height="{max(h, 1)}" '
            f'fill="#e15759"><title>{escape(g.key)}: {g.lines} lines, {g.denied_amount:.2f}'
            f'</title></rect>'
            f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle">{escape(g.key)}</text>'
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4}" text-anchor="middle" '
            f'class="small">{g.denied_amount:,.0f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render(rows: Sequence[DenialRow], t: Totals, today: date,
           generated: datetime | None = None, filters: Filters | None = None) -> str:
    """The page (reconcile/templates/report.html, autoescaped). `rows`: every denial the
    filters select; the worklist table shows the open work among them."""
    generated = generated or datetime.now(UTC)
    cards = [("Billed", f"{t.billed:,.2f}"), ("Paid", f"{t.paid:,.2f}"),
             ("Denied", f"{t.denied:,.2f}"), ("Recoverable", f"{t.recoverable:,.2f}"),
             ("Recovered (part of paid)", f"{t.recovered:,.2f}"),
             ("Overturned", f"{t.overturned_lines} ({t.overturn_rate}%)"),
             ("Due in 7 days", str(t.due_7)), ("Due in 30 days", str(t.due_30))]
    lt = t.ledger
    if lt is not None:
        cards += [(k, f"{v:,.2f}") for k, v in (
            ("Allowed", lt.allowed), ("Patient responsibility", lt.patient_responsibility),
            ("Contractual", lt.contractual))]
        if not lt.by_line:  # payments belong to no service line: not shown under a line filter
            cards += [(k, f"{v:,.2f}") for k, v in (
                ("Provider adjustments (PLB)", lt.plb),
                ("Deposit (paid - PLB)", lt.deposit_expected),
                ("Received (BPR02)", lt.received))]
        cards.append(("Denial rate (denied / billed)",
                      "-" if lt.denial_rate is None else f"{lt.denial_rate:.1%}"))
        cards.append(("Denied lines / lines",
                      "-" if lt.denied_line_rate is None else f"{lt.denied_line_rate:.1%}"))
        cob = lt.cob  # whose money it is once a next payer is involved (ledger/shares.py)
        if not lt.by_line and (cob.billed_to_secondary or cob.awaiting_crossover
                               or cob.to_bill_secondary or cob.paid_by_later_payers):
            cards += [(k, f"{v:,.2f}") for k, v in (
                ("Billed to secondary", cob.billed_to_secondary),
                ("Awaiting crossover", cob.awaiting_crossover),
                ("To bill to secondary", cob.to_bill_secondary),
                ("Paid by later payers", cob.paid_by_later_payers),
                ("Patient owes after every payer", cob.patient_owes))]
    charts = [
        ("Denied amount by cause", bar_chart("Denied amount by cause",
                                             group_rows(rows, "cause"), color_by_key=True,
                                             limit=len(COLORS))),
        ("Denied amount by payer", bar_chart("Denied amount by payer", group_rows(rows, "payer"))),
        ("Denied amount by code", bar_chart("Denied amount by code", group_rows(rows, "code"))),
        ("Denied amount by month", month_chart("Denied amount by month",
                                               group_rows(rows, "month"))),
    ]
    open_rows = ordered([r for r in rows if r.status in WORK], today)
    work = []
    for r in open_rows[:TOP_ROWS]:
        left = (r.appeal_deadline - today).days if r.appeal_deadline else None
        work.append({"past_deadline": left is not None and left < 0, "cells": [
            str(r.denial_id), r.appeal_deadline.isoformat() if r.appeal_deadline else "",
            "" if left is None else str(left),
            f"{r.status} (next: {r.next_level})" if r.next_level else r.status,
            r.claim_id, r.payer_claim_number,
            r.payer, r.patient_name, r.date_of_service.isoformat() if r.date_of_service else "",
            r.code or "", r.modifiers, r.cause,
            f"{r.group_code}-{r.carc}" + (f"/{r.rarc}" if r.rarc else ""),
            f"{r.denied_amount:,.2f}", r.action]})
    head = ["ID", "Deadline", "Days", "Status", "Claim", "Payer claim #", "Payer", "Patient",
            "DOS", "Code", "Mods", "Cause", "CARC/RARC", "Denied", "Action"]
    return render_template(
        "report.html", t=t, cards=cards, today=today.isoformat(),
        filters=filters_text(filters or Filters(ALL_STATUSES)),
        generated=f"{generated:%Y-%m-%d %H:%M}",
        charts=[(h, safe(svg)) for h, svg in charts], head=head, work=work,
        work_total=len(open_rows), left_out=max(len(open_rows) - TOP_ROWS, 0),
        expired=sum(1 for r in open_rows if r.appeal_deadline is not None
                    and r.appeal_deadline < today))


def write_report(path: str | Path, url: str | None = None, since: date | None = None,
                 today: date | None = None, filters: Filters | None = None,
                 practice: str | Path | None = None) -> ReportSummary:
    """Write the HTML report atomically (temporary file renamed into place), or to stdout
    for "-". Every figure follows the filters (default: the open work)."""
    today = today or date.today()
    f, rows, t = _gather(url, since, today, filters)
    html_text = render(rows, t, today, filters=f)
    html_text = html_text.replace(
        "</body>", claims_pipeline(url, f.since or since, f.until, f.payer, today) + "\n</body>", 1)
    if practice is not None:  # underpayments: priced with the practice's contracts (issue 23)
        from reconcile.reports.underpaid import check_for, report_section

        html_text = html_text.replace("</body>", report_section(
            check_for(url, practice, f), today) + "\n</body>", 1)
    if str(path) == "-":
        sys.stdout.write(html_text)
        return ReportSummary("-", t)
    target = write_atomically(path, html_text)
    return ReportSummary(str(target), t)


def _gather(url: str | None, since: date | None, today: date, filters: Filters | None
            ) -> tuple[Filters, list[DenialRow], Totals]:
    f = (filters or Filters()).counted()
    if since is not None:
        f = Filters(f.statuses, f.payer, f.cause, f.code, since, f.until)
    rows = denial_rows(url, filters=f)
    return f, rows, totals(rows, url, today, f.since, f.until, f)


def report_json(url: str | None = None, today: date | None = None,
                filters: Filters | None = None) -> dict[str, Any]:
    """The report's figures as JSON-ready values (money as exact text, rates as fractions
    with four decimals): the filters applied, the ledger's figures over them, what is still
    to work, and the denied amount by cause, payer, code and month (the charts)."""
    today = today or date.today()
    f, rows, t = _gather(url, None, today, filters)
    assert t.ledger is not None
    by = {f"by_{k}": [{"key": g.key, "lines": g.lines, "denied": f"{g.denied_amount:.2f}",
                       "overturned": g.overturned, "recovered": f"{g.recovered_amount:.2f}"}
                      for g in group_rows(rows, k)] for k in ("cause", "payer", "code", "month")}
    return {"filters": f.applied(), "as_of": today.isoformat(), **t.ledger.as_dict(),
            "recoverable": f"{t.recoverable:.2f}", "due_7": t.due_7, "due_30": t.due_30, **by}


def claims_pipeline(url: str | None, since: date | None, until: date | None,
                    payer: str | None, today: date) -> str:
    """The claims-pipeline section (reconcile/pipeline.py): claims sent in the period."""
    from reconcile.acks.pipeline import pipeline, pipeline_html

    return pipeline_html(pipeline(url, since=since, until=until, payer=payer, as_of=today))

