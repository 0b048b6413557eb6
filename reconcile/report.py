"""The practice manager's report: one self-contained HTML page (no script, no network).

Totals (billed, paid, denied, recoverable), denials by cause, payer, code and month as
inline SVG bar charts, and the top rows of the appeal worklist. Every value that came from
an 835 or the store (payer names, codes, claim ids, actions, evidence) goes through
`html.escape` before it reaches the page; the page has no JavaScript and a Content-Security-
Policy that forbids loading anything, so even a missed escape could not phone home.

Billed and paid count the live adjudications (not reversals, not ones a reversal took back);
recoverable = live denials whose cause is normally recoverable and whose appeal deadline has
not passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from html import escape
from pathlib import Path

from attrs import frozen

from edi.atomic import write_atomically
from reconcile.analytics import DenialRow, GroupRow, denial_rows, group_rows
from reconcile.store.remit_read import balance_finding_count, claim_totals
from reconcile.worklist import ordered

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


@frozen
class ReportSummary:
    path: str
    totals: Totals


def totals(rows: Sequence[DenialRow], url: str | None, today: date) -> Totals:
    n, billed, paid = claim_totals(url)
    z = Decimal("0")
    return Totals(
        claims=n, billed=billed, paid=paid, denied=sum((r.denied_amount for r in rows), z),
        recoverable=sum((r.denied_amount for r in rows if r.recoverable and (
            r.appeal_deadline is None or r.appeal_deadline >= today)), z),
        denied_lines=len(rows), out_of_balance=balance_finding_count(url))


def bar_chart(title: str, groups: Sequence[GroupRow], *, color_by_key: bool = False,
              limit: int = TOP_BARS) -> str:
    """A horizontal bar chart of denied amount per key (the `limit` largest), inline SVG."""
    groups = list(groups)[:limit]
    width, label_w, row_h, top = 640, 190, 26, 8
    height = top + row_h * max(len(groups), 1) + 8
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
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(_cut(g.key))}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 1)}" height="{row_h - 8}" '
            f'fill="{fill}"><title>{escape(g.key)}: {g.lines} lines, '
            f'{g.denied_amount:.2f}</title></rect>'
            f'<text x="{label_w + max(w, 1) + 6}" y="{y + 16}">{g.denied_amount:,.2f} '
            f'({g.lines})</text>')
    parts.append("</svg>")
    return "".join(parts)


def month_chart(title: str, groups: Sequence[GroupRow]) -> str:
    """Vertical bars per month (chronological), as inline SVG."""
    groups = list(groups)[-18:]
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
           generated: datetime | None = None) -> str:
    generated = generated or datetime.now(UTC)
    cards = [("Billed", t.billed), ("Paid", t.paid), ("Denied", t.denied),
             ("Recoverable", t.recoverable)]
    card_html = "".join(f'<div class="card"><div class="k">{k}</div>'
                        f'<div class="v">{v:,.2f}</div></div>' for k, v in cards)
    charts = [
        ("Denied amount by cause", bar_chart("Denied amount by cause",
                                             group_rows(rows, "cause"), color_by_key=True,
                                             limit=len(COLORS))),
        ("Denied amount by payer", bar_chart("Denied amount by payer", group_rows(rows, "payer"))),
        ("Denied amount by code", bar_chart("Denied amount by code", group_rows(rows, "code"))),
        ("Denied amount by month", month_chart("Denied amount by month",
                                               group_rows(rows, "month"))),
    ]
    chart_html = "".join(f"<section><h2>{escape(h)}</h2>{svg}</section>" for h, svg in charts)
    work = ordered(rows)[:TOP_ROWS]
    head = ["Deadline", "Days", "Claim", "Payer claim #", "Payer", "DOS", "Code", "Mods",
            "Cause", "CARC/RARC", "Denied", "Action"]
    body = []
    for r in work:
        left = (r.appeal_deadline - today).days if r.appeal_deadline else None
        cls = ' class="overdue"' if left is not None and left < 0 else ""
        cells = [r.appeal_deadline.isoformat() if r.appeal_deadline else "",
                 "" if left is None else str(left), r.claim_id, r.payer_claim_number, r.payer,
                 r.date_of_service.isoformat() if r.date_of_service else "", r.code or "",
                 r.modifiers, r.cause,
                 f"{r.group_code}-{r.carc}" + (f"/{r.rarc}" if r.rarc else ""),
                 f"{r.denied_amount:,.2f}", r.action]
        body.append(f"<tr{cls}>" + "".join(
            f'<td class="d">{escape(c)}</td>' if i in (0, 5) else f"<td>{escape(c)}</td>"
            for i, c in enumerate(cells)) + "</tr>")
    table = ("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>"
             "<tbody>" + ("".join(body) or f'<tr><td colspan="{len(head)}">no denials</td></tr>')
             + "</tbody></table>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>dermclaim denial report</title>
<style>
body{{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}}
h1{{font-size:22px}} h2{{font-size:16px;margin:18px 0 6px}}
.cards{{display:flex;gap:12px;flex-wrap:wrap}}
.card{{border:1px solid #ddd;border-radius:6px;padding:10px 16px;min-width:140px}}
.card .k{{color:#666}} .card .v{{font-size:22px;font-weight:600}}
.grid{{display:grid;grid-template-columns:repeat(auto-fit,minmax(660px,1fr));gap:8px}}
svg text{{font:12px system-ui,sans-serif;fill:#222}} svg .small{{font-size:10px}}
svg .muted{{fill:#888}}
table{{border-collapse:collapse;width:100%;font-size:12px}}
th,td{{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}}
tr.overdue td{{color:#a00}} td.d{{white-space:nowrap}}
</style></head><body>
<h1>Denials and recoverable revenue</h1>
<p>{t.claims} adjudicated claims, {t.denied_lines} denied lines, {t.out_of_balance}
out-of-balance findings in the loaded remittances. Generated
{generated:%Y-%m-%d %H:%M} UTC; deadlines as of {today.isoformat()}.</p>
<div class="cards">{card_html}</div>
<div class="grid">{chart_html}</div>
<h2>Appeal worklist: top {len(work)} of {len(rows)} (nearest deadline first)</h2>
{table}
</body></html>
"""


def write_report(path: str | Path, url: str | None = None, since: date | None = None,
                 today: date | None = None) -> ReportSummary:
    """Write the HTML report atomically (temporary file renamed into place)."""
    today = today or date.today()
    rows = denial_rows(url, since)
    t = totals(rows, url, today)
    html_text = render(rows, t, today)
    target = write_atomically(path, html_text)
    return ReportSummary(str(target), t)


def _cut(text: str, n: int = 28) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
