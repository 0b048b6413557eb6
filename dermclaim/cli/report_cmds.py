"""`dermclaim worklist` (the appeal worklist: a table, CSV, an Excel workbook or JSON) and
`dermclaim report` (the HTML report): thin adapters over `reconcile.reports`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from dermclaim.cli import main
from dermclaim.cli._common import DB_OPTION, EXIT_BAD_INPUT, CliError, user_errors
from dermclaim.cli._filters import filter_options, filters_from, parse_date
from dermclaim.cli._formats import emit_list, list_options
from dermclaim.cli._io import is_stdout
from dermclaim.cli._text import money_json, money_text, plural

# the worklist columns a terminal table shows (the file has them all)
TABLE_COLUMNS = ("denial_id", "section", "appeal_deadline", "days_left", "claim_id", "payer",
                 "code", "denied_amount", "cause", "action")
ACTION_WIDTH = 60


@main.command("worklist")
@click.option("-o", "--output", default=None,
              type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Write the worklist to this file: CSV, or an Excel workbook when the name "
                   "ends in .xlsx ('-': CSV on stdout). Without -o the rows are printed "
                   "(--format).")
@filter_options()
@click.option("--practice", "practice", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The practice file: adds the underpaid lines, priced with its [contracts] "
                   "and the Medicare fee schedule (`dermclaim underpayments`).")
@click.option("--include-expired", is_flag=True,
              help="Also write rows past their appeal deadline (last, section 'expired'; "
                   "their own sheet in a workbook).")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Count days left to each appeal deadline from this date (default: today).")
@list_options
@DB_OPTION
def worklist_cmd(output: Path | None, status: str | None, payer: str | None,
                 cause: str | None, code: str | None, since: str | None, until: str | None,
                 practice: Path | None, include_expired: bool, as_of: str | None,
                 fmt: str | None, as_json: bool, limit: int | None, db: str | None) -> None:
    """Write the appeal worklist: one row per open denial, nearest live deadline first, with
    a stable denial_id, status, owner and last note; rows past their appeal deadline
    (past_deadline) only on request. --since/--until filter by the remittance date.

    With -o the file is written and a summary printed (--json: the summary as JSON);
    without -o the rows are printed as a table, csv, json or ndjson (--format, --limit).

    \b
    Example:
      dermclaim worklist -o worklist.csv
      dermclaim worklist -o worklist.xlsx --include-expired
      dermclaim worklist --payer medicare --include-expired -o - > medicare.csv
      dermclaim worklist --format ndjson --limit 20
    """
    from reconcile.reports.worklist import build_worklist, write_worklist

    with user_errors():
        today = parse_date("--as-of", as_of)
        f = filters_from(status, payer, cause, code, since, until, db)
        if output is None:
            w = build_worklist(db, today=today, filters=f, include_expired=include_expired,
                               practice=practice)
        else:
            s = write_worklist(output, db, today=today, filters=f,
                               include_expired=include_expired, practice=practice)
    if output is None:
        from reconcile.reports.worklist import COLUMNS

        emit_list(w.rows, _items, _table, fmt, as_json, limit, "denied line", COLUMNS)
        return
    to_stdout = is_stdout(output)
    if as_json:
        click.echo(json.dumps(worklist_summary_json(s), indent=2), err=to_stdout)
        return
    left = (f", {plural(s.left_out, 'past-deadline row')} left out (--include-expired)"
            if s.left_out else "")
    if practice is not None:
        left += (f"; {plural(s.underpaid, 'underpaid line')}, {money_text(s.short_amount)} "
                 "short")
    where = "<stdout>" if to_stdout else s.path
    click.echo(f"{where}: {plural(s.rows, 'denied line')}, {money_text(s.denied_amount)} "
               f"denied, {money_text(s.recoverable_amount)} recoverable within deadline, "
               f"{s.past_deadline} past deadline{left}", err=to_stdout)


def worklist_summary_json(s: Any) -> dict[str, Any]:
    return {"file": "<stdout>" if s.path == "-" else s.path,
            "totals": {"rows": s.rows, "denied_amount": money_json(s.denied_amount),
                       "recoverable_amount": money_json(s.recoverable_amount),
                       "past_deadline": s.past_deadline, "left_out": s.left_out,
                       "underpaid": s.underpaid, "short_amount": money_json(s.short_amount)}}


_INT_FIELDS = ("denial_id", "underpayment_id", "days_left")


def _items(rows: Sequence[dict[str, str]]) -> list[dict[str, Any]]:
    """Worklist rows as JSON: ids and days as numbers, empty cells null, money strings."""
    out = []
    for row in rows:
        item: dict[str, Any] = {}
        for k, v in row.items():
            if v == "":
                item[k] = None
            elif k in _INT_FIELDS:
                item[k] = int(v)
            elif k == "recoverable":
                item[k] = v == "yes"
            else:
                item[k] = v
        out.append(item)
    return out


def _table(rows: Sequence[dict[str, str]]) -> str:
    if not rows:
        return "no denied lines to work"

    def cell(row: dict[str, str], col: str) -> str:
        v = row.get(col, "")
        if col == "denied_amount" and v:
            return money_text(Decimal(v))
        if col == "action" and len(v) > ACTION_WIDTH:
            return v[:ACTION_WIDTH - 1] + "…"
        return v

    cells = [[cell(r, c) for c in TABLE_COLUMNS] for r in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(TABLE_COLUMNS)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(TABLE_COLUMNS, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    right = {"denial_id", "days_left", "denied_amount"}
    for r in cells:
        lines.append("  ".join((v.rjust(w) if c in right else v.ljust(w))
                               for c, v, w in zip(TABLE_COLUMNS, r, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


@main.command("report")
@click.option("-o", "--output", default=None,
              type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="HTML file to write (self-contained: opens offline; '-' for stdout). "
                   "Required unless --json.")
@filter_options()
@click.option("--practice", "practice", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The practice file: adds the underpaid lines, priced with its [contracts] "
                   "and the Medicare fee schedule (`dermclaim underpayments`).")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Deadlines and recoverable amounts as of this date (default: today).")
@click.option("--json", "as_json", is_flag=True,
              help="The report's figures as JSON (billed, paid, denied, denial_rate, "
                   "recovered, overturn_rate ..., the filters applied); on stderr when the "
                   "HTML goes to stdout.")
@DB_OPTION
def report_cmd(output: Path | None, status: str | None, payer: str | None, cause: str | None,
               code: str | None, since: str | None, until: str | None,
               practice: Path | None, as_of: str | None, as_json: bool, db: str | None
               ) -> None:
    """Write the denial report: totals with overturn rate, recovered money and deadlines
    due, charts by cause/payer/code/month, the open worklist's top rows. Every figure
    follows every filter; the page names them. --since/--until filter by the remittance
    date.

    \b
    Example:
      dermclaim report -o report.html
      dermclaim report --status all --payer commercial --since 2026-10-01 -o commercial.html
      dermclaim report --status all --json > figures.json
    """
    from reconcile.reports.report import report_json, write_report

    with user_errors():
        today = parse_date("--as-of", as_of) or date.today()
        f = filters_from(status, payer, cause, code, since, until, db)
        if output is None and not as_json:
            raise CliError("give -o FILE for the HTML report, or --json", EXIT_BAD_INPUT)
        s = (write_report(output, db, today=today, filters=f, practice=practice)
             if output is not None else None)
        figures = report_json(db, today=today, filters=f) if as_json else None
    to_stdout = output is not None and is_stdout(output)
    if figures is not None:
        where = None if s is None else ("<stdout>" if to_stdout else s.path)
        click.echo(json.dumps({"file": where, **figures}, indent=2), err=to_stdout)
        return
    assert s is not None
    t = s.totals
    click.echo(f"{'<stdout>' if to_stdout else s.path}: billed {money_text(t.billed)}, "
               f"paid {money_text(t.paid)}, denied {money_text(t.denied)}, "
               f"recoverable {money_text(t.recoverable)}, recovered {money_text(t.recovered)}",
               err=to_stdout)
