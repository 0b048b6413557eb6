"""The report's claims-pipeline section: of the claims sent in the period, how many were
accepted, rejected (with the top reasons), adjudicated and late (with the days left
before their timely filing limit), from `reconcile.acks.status`.

    p = pipeline(url, since=date(2026, 4, 1), as_of=date(2026, 5, 15))
    html = pipeline_html(p)   # a <section>, every value escaped

"Accepted" counts every claim that got past the acknowledgments (999 accepted, 277CA
acknowledged) and is still waiting for its 835; rejected claims are counted here and in
`dermclaim rejections`, never among the denials.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from html import escape

from attrs import frozen

from reconcile.acks.status import ClaimState, claim_states, rejection_rows

TOP_REASONS = 5
TOP_OVERDUE = 15


@frozen
class Pipeline:
    since: date | None
    until: date | None
    as_of: date
    sent: int
    accepted: int  # 999 accepted or 277CA acknowledged, no 835 yet, not late
    rejected: int
    adjudicated: int
    late: int
    still_sent: int  # sent, no answer yet, not late
    top_reasons: tuple[tuple[str, int], ...]  # (codes and meaning, claims)
    late_rows: tuple[ClaimState, ...]  # fewest days left first
    predetermined: int = 0  # only a predetermination (CLP02 = 25) so far: not adjudicated


def pipeline(url: str | None, *, since: date | None = None, until: date | None = None,
             payer: str | None = None, as_of: date | None = None) -> Pipeline:
    today = as_of or date.today()
    rows = claim_states(url, as_of=today, since=since, until=until, payer=payer)
    counts = Counter(r.status for r in rows)
    rejected_ids = {r.claim_id for r in rows if r.status == "rejected"}
    reasons: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for rej in rejection_rows(url):
        if rej.claim_id not in rejected_ids or rej.line_control_number:
            continue
        key = f"{rej.source} {rej.codes.split('; ')[0]}: {_first(rej.meaning)}"
        if (rej.claim_id, key) not in seen:
            seen.add((rej.claim_id, key))
            reasons[key] += 1
    late = sorted((r for r in rows if r.status == "late"),
                     key=lambda r: (r.days_left if r.days_left is not None else 10**6))
    return Pipeline(since, until, today, len(rows),
                    counts["accepted"] + counts["acknowledged"], counts["rejected"],
                    counts["adjudicated"], counts["late"], counts["sent"],
                    tuple(reasons.most_common(TOP_REASONS)), tuple(late),
                    counts["predetermined"])


def _first(meaning: str) -> str:
    """The part of a stored meaning that names the problem (999: the IK3; 277CA: the STC)."""
    parts = meaning.split("; ")
    return next((p for p in parts if p.startswith("segment ")), parts[0]) if parts else ""


def pipeline_html(p: Pipeline, *, limit: int = TOP_OVERDUE) -> str:
    """The section as HTML; every value from the store is escaped."""
    period = ("sent " + (f"from {p.since}" if p.since else "")
              + (f" to {p.until}" if p.until else "")).strip() if (p.since or p.until) \
        else "all claims sent"
    cards = [("Sent", p.sent), ("Waiting for a first answer", p.still_sent),
             ("Accepted, waiting for the 835", p.accepted), ("Rejected", p.rejected),
             ("Predetermined, waiting for the claim's 835", p.predetermined),
             ("Adjudicated", p.adjudicated), ("Late", p.late)]
    out = ['<section class="pipeline"><h2>Claims pipeline</h2>',
           f"<p>{escape(period)}; as of {p.as_of}. Rejected claims never reached "
           "adjudication: fix and send them again as new originals (they are not denials).</p>",
           '<div class="cards">']
    out += [f'<div class="card"><div class="k">{escape(k)}</div><div class="v">{v}</div></div>'
            for k, v in cards]
    out.append("</div>")
    out.append("<h3>Top rejection reasons</h3>")
    if p.top_reasons:
        out.append("<table><thead><tr><th>reason (codes as received)</th><th>claims</th>"
                   "</tr></thead><tbody>")
        out += [f"<tr><td>{escape(k)}</td><td>{n}</td></tr>" for k, n in p.top_reasons]
        out.append("</tbody></table>")
    else:
        out.append("<p>no rejections</p>")
    shown: Sequence[ClaimState] = p.late_rows[:limit]
    more = len(p.late_rows) - len(shown)
    out.append(f"<h3>Late: {p.late} claims with no answer in time (fewest days left "
               "before the timely filing limit first)"
               + (f"; {more} more not shown" if more > 0 else "") + "</h3>")
    if shown:
        out.append("<table><thead><tr><th>claim</th><th>payer</th><th>sent</th>"
                   "<th>days left</th><th>why</th></tr></thead><tbody>")
        out += [f"<tr><td>{escape(r.claim_id)}</td><td>{escape(r.payer)}</td>"
                f"<td>{r.sent_on}</td><td>{'' if r.days_left is None else r.days_left}</td>"
                f"<td>{escape(r.reason)}</td></tr>" for r in shown]
        out.append("</tbody></table>")
    out.append("</section>")
    return "\n".join(out)
