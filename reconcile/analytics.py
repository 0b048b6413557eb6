"""Denial analytics over the store: one row per live denied line, or totals by a key.

Live = not superseded by a reversal. `since` and `month` use the remittance date (BPR16,
else the 835's production date): the day the denial reached the practice, which is what a
denial team tracks week to week; rows without one fall back to the date of service.
Money stays Decimal; `as_json` writes it as exact text ("85.00"), never a float.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from attrs import asdict, frozen

from reconcile.errors import StoreError
from reconcile.store.remit_read import iter_live_denials

BY_KEYS = ("cause", "payer", "code", "month")
DENIAL_FIELDS = ("claim_id", "line_control_number", "payer", "date_of_service", "code",
                 "modifiers", "cause", "carc", "rarc", "denied_amount", "action", "evidence")


@frozen
class DenialRow:
    claim_id: str
    line_control_number: str | None
    payer: str
    date_of_service: date | None
    code: str | None
    modifiers: str
    cause: str
    carc: str
    rarc: str
    denied_amount: Decimal
    action: str
    evidence: str
    # for the worklist and the report
    group_code: str = ""
    rule: str = ""
    payer_claim_number: str = ""
    trace_number: str = ""
    payment_date: date | None = None
    appeal_deadline: date | None = None
    recoverable: bool = False

    @property
    def denied_on(self) -> date | None:
        return self.payment_date or self.date_of_service

    def public(self) -> dict[str, Any]:
        """The documented JSON shape of `dermclaim denials --json`."""
        d = asdict(self)
        return {k: d[k] for k in DENIAL_FIELDS}


@frozen
class GroupRow:
    key: str
    lines: int
    denied_amount: Decimal


def iter_denials(url: str | None = None, since: date | None = None) -> Iterator[DenialRow]:
    """Every live denial, oldest remittance first (claim id, line order within)."""
    for d, icn, trace in iter_live_denials(url):
        row = DenialRow(
            claim_id=d.claim_id, line_control_number=d.line_control_number, payer=d.payer,
            date_of_service=d.date_of_service, code=d.code, modifiers=d.modifiers,
            cause=d.cause, carc=d.carc, rarc=d.rarc,
            denied_amount=d.amount if d.amount is not None else Decimal("0"),
            action=d.action, evidence=d.evidence, group_code=d.group_code, rule=d.rule,
            payer_claim_number=icn or d.payer_claim_number, trace_number=trace,
            payment_date=d.payment_date, appeal_deadline=d.appeal_deadline,
            recoverable=d.recoverable)
        if since is None or (row.denied_on is not None and row.denied_on >= since):
            yield row


def denial_rows(url: str | None = None, since: date | None = None) -> list[DenialRow]:
    return list(iter_denials(url, since))


def key_of(row: DenialRow, by: str) -> str:
    if by == "cause":
        return row.cause
    if by == "payer":
        return row.payer or "(unknown payer)"
    if by == "code":
        return row.code or "(claim level)"
    if by == "month":
        return row.denied_on.strftime("%Y-%m") if row.denied_on else "(no date)"
    raise StoreError(f"--by {by!r}: choose one of {', '.join(BY_KEYS)}")


def group_rows(rows: Sequence[DenialRow], by: str) -> list[GroupRow]:
    """Totals per key, largest denied amount first (then most lines, then key)."""
    if by not in BY_KEYS:
        raise StoreError(f"--by {by!r}: choose one of {', '.join(BY_KEYS)}")
    lines: dict[str, int] = defaultdict(int)
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        k = key_of(r, by)
        lines[k] += 1
        amounts[k] += r.denied_amount
    out = [GroupRow(k, lines[k], amounts[k]) for k in lines]
    if by == "month":
        return sorted(out, key=lambda g: g.key)
    return sorted(out, key=lambda g: (-g.denied_amount, -g.lines, g.key))


def denials_by(by: str, url: str | None = None, since: date | None = None) -> list[GroupRow]:
    return group_rows(denial_rows(url, since), by)


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def as_json(rows: Sequence[DenialRow] | Sequence[GroupRow]) -> str:
    items: list[dict[str, Any]] = []
    for r in rows:
        d = r.public() if isinstance(r, DenialRow) else asdict(r)
        items.append({k: _plain(v) for k, v in d.items()})
    return json.dumps(items, indent=2, ensure_ascii=False)


def as_table(rows: Sequence[DenialRow] | Sequence[GroupRow]) -> str:
    """A plain-text table for a terminal."""
    if not rows:
        return "no denials"
    if isinstance(rows[0], GroupRow):
        head = ["key", "lines", "denied"]
        body = [[g.key, str(g.lines), f"{g.denied_amount:.2f}"]
                for g in rows if isinstance(g, GroupRow)]
        total = sum((g.denied_amount for g in rows if isinstance(g, GroupRow)), Decimal("0"))
        body.append(["total", str(sum(g.lines for g in rows if isinstance(g, GroupRow))),
                     f"{total:.2f}"])
    else:
        head = ["claim", "line", "payer", "dos", "code", "mods", "cause", "carc", "rarc",
                "denied", "action"]
        body = [[r.claim_id, r.line_control_number or "-", r.payer,
                 r.date_of_service.isoformat() if r.date_of_service else "-", r.code or "-",
                 r.modifiers or "-", r.cause, r.carc, r.rarc or "-", f"{r.denied_amount:.2f}",
                 _cut(r.action, 60)] for r in rows if isinstance(r, DenialRow)]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    right = {"lines", "denied"}
    lines = []
    for row in [head, *body]:
        cells = [c.rjust(w) if h in right else c.ljust(w)
                 for c, w, h in zip(row, widths, head, strict=True)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
