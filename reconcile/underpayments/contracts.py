"""A payer contract's fee schedule: a CSV the practice keeps beside its practice file.

    code,modifier,allowed,percent_of_medicare,effective_from,effective_to
    11642,,,150,2026-01-01,2026-12-31
    99213,,118.00,,2026-01-01,2026-12-31
    99213,,112.00,,2025-01-01,2025-12-31

One rate per row: `allowed` (dollars for one unit) or `percent_of_medicare` (of the Medicare
Physician Fee Schedule amount of the line at the practice's locality), never both.
`modifier` empty applies to any modifiers; a row naming a modifier wins for a line carrying it.
The rate in force on the date of service applies (`effective_to` empty = open-ended); two rows
for the same code and modifier may not overlap. A `#` line is a comment; other columns (a
`note`, a `source`) are kept for the letter. Every problem names the file, the row and the
column, and the whole file is refused (a half-read contract would price lines wrongly).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from attrs import frozen

from reconcile.errors import StoreError

__all__ = ["ContractError", "ContractRow", "Contract", "load_contract", "parse_contract"]

REQUIRED = ("code", "modifier", "allowed", "percent_of_medicare", "effective_from",
            "effective_to")
_CODE = re.compile(r"[0-9A-Z]{5}")
_MODIFIER = re.compile(r"[0-9A-Z]{2}")
MAX_RATE = Decimal("99999.99")
MAX_PERCENT = Decimal("1000")
MAX_REPORTED = 20


class ContractError(StoreError):
    """A contract file that cannot be used; names the file, row and column."""


@frozen
class ContractRow:
    code: str
    modifier: str  # "" = any
    allowed: Decimal | None  # per unit
    percent_of_medicare: Decimal | None  # 150 = 150 %
    effective_from: date
    effective_to: date | None
    row: int  # line number in the file (1 = header)
    path: str
    note: str = ""

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None
                                               or day <= self.effective_to)

    def describe(self) -> str:
        rate = (f"{self.allowed} per unit" if self.allowed is not None
                else f"{self.percent_of_medicare} % of the Medicare fee schedule")
        until = self.effective_to.isoformat() if self.effective_to else "open-ended"
        mod = f"modifier {self.modifier}" if self.modifier else "any modifier"
        return (f"{Path(self.path).name} row {self.row}: {self.code} ({mod}) {rate}, "
                f"{self.effective_from.isoformat()} to {until}")


class Contract:
    def __init__(self, path: str, rows: Sequence[ContractRow]):
        self.path = path
        self.rows = tuple(rows)
        self._by_code: dict[str, list[ContractRow]] = {}
        for r in self.rows:
            self._by_code.setdefault(r.code, []).append(r)

    def rate(self, code: str, modifiers: Sequence[str], day: date) -> ContractRow | None:
        """The row in force on `day`: one naming a modifier the line carries before an
        any-modifier row."""
        live = [r for r in self._by_code.get(code, ()) if r.in_force(day)]
        named = [r for r in live if r.modifier and r.modifier in modifiers]
        rows = named or [r for r in live if not r.modifier]
        return rows[0] if rows else None

    def previous(self, row: ContractRow) -> ContractRow | None:
        """The row for the same code and modifier that ended before `row` began (last year's
        rate), the latest such."""
        earlier = [r for r in self._by_code.get(row.code, ()) if r.modifier == row.modifier
                   and r.effective_to is not None and r.effective_to < row.effective_from]
        return max(earlier, key=lambda r: r.effective_from, default=None)


def load_contract(path: str | Path) -> Contract:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ContractError(f"{p}: cannot read the contract file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ContractError(f"{p}: line {line}: not UTF-8 text; save the contract as UTF-8 "
                            "CSV") from None
    return parse_contract(text, str(p))


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _amount(value: str, limit: Decimal) -> Decimal | None:
    try:
        d = Decimal(value.replace("$", "").replace(",", "").rstrip("%").strip())
    except InvalidOperation:
        return None
    if not d.is_finite() or d <= 0 or d > limit or d.as_tuple().exponent < -4:  # type: ignore[operator]
        return None
    return d


def parse_contract(text: str, where: str = "<contract>") -> Contract:
    lines = [(n, ln) for n, ln in enumerate(text.splitlines(), 1)
             if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise ContractError(f"{where}: empty contract file: give a header row "
                            f"({','.join(REQUIRED)}) and one row per code")
    reader = csv.reader(io.StringIO("\n".join(ln for _, ln in lines)))
    rows = list(reader)
    header = [h.strip().lower() for h in rows[0]]
    header_line = lines[0][0]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ContractError(f"{where}: row {header_line}: header lacks column(s) "
                            f"{', '.join(missing)} (expected {','.join(REQUIRED)})")
    problems: list[str] = []
    out: list[ContractRow] = []
    for (number, _), cells in zip(lines[1:], rows[1:], strict=True):
        cell = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        bad = [f"{where}: row {number}, column {col}: {why}" for col, why in _problems(cell)]
        if len(cells) > len(header):
            bad.append(f"{where}: row {number}: {len(cells)} cells for {len(header)} columns")
        if bad:
            problems += bad
            if len(problems) >= MAX_REPORTED:
                break
            continue
        out.append(ContractRow(
            cell["code"].upper(), cell["modifier"].upper(),
            _amount(cell["allowed"], MAX_RATE) if cell["allowed"] else None,
            _amount(cell["percent_of_medicare"], MAX_PERCENT)
            if cell["percent_of_medicare"] else None,
            _day(cell["effective_from"]) or date.min,
            _day(cell["effective_to"]) if cell["effective_to"] else None,
            number, where, cell.get("note", "") or cell.get("source", "")))
    problems += _overlaps(out, where)
    if problems:
        raise ContractError(f"{where}: bad contract file:\n  " + "\n  ".join(
            problems[:MAX_REPORTED]))
    if not out:
        raise ContractError(f"{where}: no rates in the contract file")
    return Contract(where, out)


def _problems(cell: dict[str, str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if not _CODE.fullmatch(cell["code"].upper()):
        out.append(("code", f"{cell['code']!r} is not a 5-character CPT/HCPCS code"))
    if cell["modifier"] and not _MODIFIER.fullmatch(cell["modifier"].upper()):
        out.append(("modifier", f"{cell['modifier']!r} is not a 2-character modifier "
                                "(empty = any)"))
    has_allowed, has_pct = bool(cell["allowed"]), bool(cell["percent_of_medicare"])
    if has_allowed == has_pct:
        out.append(("allowed", "give allowed or percent_of_medicare, exactly one"))
    elif has_allowed and _amount(cell["allowed"], MAX_RATE) is None:
        out.append(("allowed", f"{cell['allowed']!r} is not an amount > 0 and at most "
                               f"{MAX_RATE}"))
    elif has_pct and _amount(cell["percent_of_medicare"], MAX_PERCENT) is None:
        out.append(("percent_of_medicare", f"{cell['percent_of_medicare']!r} is not a "
                                           f"percentage > 0 and at most {MAX_PERCENT}"))
    start = _day(cell["effective_from"])
    if start is None:
        out.append(("effective_from", f"{cell['effective_from']!r} is not a date "
                                      "(YYYY-MM-DD)"))
    if cell["effective_to"]:
        end = _day(cell["effective_to"])
        if end is None:
            out.append(("effective_to", f"{cell['effective_to']!r} is not a date (YYYY-MM-DD; "
                                        "empty = open-ended)"))
        elif start is not None and end < start:
            out.append(("effective_to", f"{end} is before effective_from {start}"))
    return out


def _overlaps(rows: Sequence[ContractRow], where: str) -> list[str]:
    out = []
    by_key: dict[tuple[str, str], list[ContractRow]] = {}
    for r in rows:
        by_key.setdefault((r.code, r.modifier), []).append(r)
    for group in by_key.values():
        group.sort(key=lambda r: r.effective_from)
        for a, b in zip(group, group[1:], strict=False):
            if a.effective_to is None or b.effective_from <= a.effective_to:
                out.append(f"{where}: row {b.row}, column effective_from: {b.code} "
                           f"{b.modifier or '(any modifier)'} overlaps row {a.row} (two rates "
                           "in force on the same day)")
    return out
