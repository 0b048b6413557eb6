"""Denial analytics over the store: one row per live denied line, or totals by a key.

Which denials: `Filters` (the same words as the CLI: status, payer, cause, code,
since/until). By default the work still open (`open`, `appealed`, `upheld`), for every
command that lists denials (`denials`, `denials --by`, `worklist`, `report`); a corrected,
overturned, written-off or superseded denial is not listed unless asked for (`--status
all`: everything). `Filters.scope()` hands the same selection to the ledger, so the
money figures of a view and its denial rows agree. `since`,
`until` and `month` use the remittance date (BPR16, else the 835's production date): the
day the denial reached the practice, which is what a denial team tracks week to week; rows
without one fall back to the date of service.
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

from edi.wording import money_text
from reconcile.denials.lifecycle import WORK
from reconcile.errors import StoreError
from reconcile.ledger.totals import Scope
from reconcile.store.remit_read import iter_live_denials

BY_KEYS = ("cause", "payer", "code", "month")
DENIAL_FIELDS = ("denial_id", "status", "claim_id", "payer_claim_number", "line_control_number",
                 "payer", "date_of_service", "code", "modifiers", "cause", "carc", "rarc",
                 "denied_amount", "recovered_amount", "appeal_deadline", "appeal_level",
                 "next_level", "action", "evidence")
ALL_STATUSES = ("open", "corrected", "appealed", "overturned", "upheld", "written_off",
                "superseded")
DEFAULT_STATUSES = ("open", "appealed", "upheld")


@frozen
class Filters:
    """Which denials a command reads: `statuses` (None = the open work), payer (guide name
    or 835 payer name), cause, code, and the remittance date range (inclusive)."""

    statuses: tuple[str, ...] | None = None
    payer: str | None = None
    cause: str | None = None
    code: str | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def of(cls, status: str | None = None, **kw: Any) -> Filters:
        if status is None or status == "open":
            statuses: tuple[str, ...] | None = DEFAULT_STATUSES if status is None else ("open",)
        elif status == "all":
            statuses = ALL_STATUSES
        elif status in ALL_STATUSES:
            statuses = (status,)
        else:
            raise StoreError(f"--status {status!r}: choose one of "
                             f"{', '.join(ALL_STATUSES)} or all")
        return cls(statuses, **kw)

    @property
    def everything(self) -> bool:
        """`--status all` (or every status a denial not taken back can have): no status
        narrows anything."""
        return self.statuses is not None and set(ALL_STATUSES[:-1]) <= set(self.statuses)

    def counted(self) -> Filters:
        """The filters for figures: `all` leaves out what a reversal took back (superseded),
        as the ledger does; listings keep it on request."""
        if self.everything:
            return Filters(ALL_STATUSES[:-1], self.payer, self.cause, self.code, self.since,
                           self.until)
        return self

    def scope(self) -> Scope:
        """The same selection for the ledger's figures (`reconcile.ledger.totals.Scope`)."""
        statuses = None if self.everything else (self.statuses or DEFAULT_STATUSES)
        return Scope(payer=self.payer, code=self.code, cause=self.cause, statuses=statuses)

    def applied(self) -> dict[str, Any]:
        """The filters in force, for a report's header and JSON (status: the statuses, or
        "all")."""
        return {"status": "all" if self.everything else list(self.statuses or DEFAULT_STATUSES),
                "payer": self.payer, "cause": self.cause, "code": self.code,
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None}

    def keep(self, row: DenialRow) -> bool:
        if self.payer and self.payer.lower() not in (row.payer.lower(),):
            return False
        if self.cause and row.cause != self.cause:
            return False
        if self.code and row.code != self.code:
            return False
        if self.since and (row.denied_on is None or row.denied_on < self.since):
            return False
        return not (self.until and (row.denied_on is None or row.denied_on > self.until))


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
    denial_id: int = 0
    status: str = "open"
    recovered_amount: Decimal | None = None
    owner: str = ""
    appeal_level: str = ""
    next_level: str = ""  # after an upheld appeal: the level appeal_deadline is for
    appealed_on: date | None = None
    patient_name: str = ""
    patient_id: str = ""
    billed_amount: Decimal | None = None  # the line's SVC02
    paid_amount: Decimal | None = None  # the line's SVC03

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
    overturned: int = 0  # of `lines`, how many a later remittance paid
    recovered_amount: Decimal = Decimal("0")

    @property
    def overturn_rate(self) -> Decimal:
        """Overturned lines / denied lines, as a percentage with one decimal."""
        if not self.lines:
            return Decimal("0")
        return (Decimal(100) * self.overturned / self.lines).quantize(Decimal("0.1"))


def iter_denials(url: str | None = None, since: date | None = None,
                 filters: Filters | None = None) -> Iterator[DenialRow]:
    """The denials the filters select (default: the open work), oldest remittance first
    (claim id, line order within)."""
    f = filters or Filters()
    if since is not None:
        f = Filters(f.statuses, f.payer, f.cause, f.code, since, f.until)
    statuses = f.statuses if f.statuses is not None else WORK
    for d, icn, trace, charge, paid in iter_live_denials(url, statuses):
        row = DenialRow(
            claim_id=d.claim_id, line_control_number=d.line_control_number, payer=d.payer,
            date_of_service=d.date_of_service, code=d.code, modifiers=d.modifiers,
            cause=d.cause, carc=d.carc, rarc=d.rarc,
            denied_amount=d.amount if d.amount is not None else Decimal("0"),
            action=d.action, evidence=d.evidence, group_code=d.group_code, rule=d.rule,
            payer_claim_number=icn or d.payer_claim_number, trace_number=trace,
            payment_date=d.payment_date, appeal_deadline=d.appeal_deadline,
            recoverable=d.recoverable, denial_id=d.id or 0, status=d.status,
            recovered_amount=d.recovered_amount, owner=d.owner or "",
            appeal_level=d.appeal_level or "", appealed_on=d.appealed_on,
            next_level=d.next_level or "",
            patient_name=d.patient_name, patient_id=d.patient_id, billed_amount=charge,
            paid_amount=paid)
        if f.keep(row):
            yield row


def denial_rows(url: str | None = None, since: date | None = None,
                filters: Filters | None = None) -> list[DenialRow]:
    return list(iter_denials(url, since, filters))


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
    won: dict[str, int] = defaultdict(int)
    recovered: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        k = key_of(r, by)
        lines[k] += 1
        amounts[k] += r.denied_amount
        if r.status == "overturned":
            won[k] += 1
            recovered[k] += r.recovered_amount or Decimal("0")
    out = [GroupRow(k, lines[k], amounts[k], won[k], recovered[k]) for k in lines]
    if by == "month":
        return sorted(out, key=lambda g: g.key)
    return sorted(out, key=lambda g: (-g.denied_amount, -g.lines, g.key))


def denials_by(by: str, url: str | None = None, since: date | None = None,
               filters: Filters | None = None) -> list[GroupRow]:
    return group_rows(denial_rows(url, since, filters), by)


def _plain(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def as_json(rows: Sequence[DenialRow] | Sequence[GroupRow]) -> str:
    items: list[dict[str, Any]] = []
    for r in rows:
        d = r.public() if isinstance(r, DenialRow) else {**asdict(r),
                                                         "overturn_rate": r.overturn_rate}
        items.append({k: _plain(v) for k, v in d.items()})
    return json.dumps(items, indent=2, ensure_ascii=False)


def as_table(rows: Sequence[DenialRow] | Sequence[GroupRow]) -> str:
    """A plain-text table for a terminal."""
    if not rows:
        return "no denials"
    if isinstance(rows[0], GroupRow):
        groups = [g for g in rows if isinstance(g, GroupRow)]
        head = ["key", "lines", "denied", "overturned", "recovered"]
        body = [[g.key, str(g.lines), money_text(g.denied_amount),
                 f"{g.overturned} ({g.overturn_rate}%)", money_text(g.recovered_amount)]
                for g in groups]
        z = Decimal("0")
        everything = GroupRow("total", sum(g.lines for g in groups),
                              sum((g.denied_amount for g in groups), z),
                              sum(g.overturned for g in groups),
                              sum((g.recovered_amount for g in groups), z))
        body.append(["total", str(everything.lines), money_text(everything.denied_amount),
                     f"{everything.overturned} ({everything.overturn_rate}%)",
                     money_text(everything.recovered_amount)])
    else:
        head = ["id", "status", "claim", "line", "payer", "dos", "code", "mods", "cause",
                "carc", "rarc", "denied", "action"]
        body = [[str(r.denial_id), r.status, r.claim_id, r.line_control_number or "-", r.payer,
                 r.date_of_service.isoformat() if r.date_of_service else "-", r.code or "-",
                 r.modifiers or "-", r.cause, r.carc, r.rarc or "-", money_text(r.denied_amount),
                 _cut(r.action, 60)] for r in rows if isinstance(r, DenialRow)]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    right = {"id", "lines", "denied", "overturned", "recovered"}
    lines = []
    for row in [head, *body]:
        cells = [c.rjust(w) if h in right else c.ljust(w)
                 for c, w, h in zip(row, widths, head, strict=True)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
