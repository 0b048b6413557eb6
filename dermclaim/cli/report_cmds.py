"""`dermclaim worklist` (the appeal worklist as CSV) and `dermclaim report` (the HTML report):
thin adapters over `reconcile.reports`."""

from __future__ import annotations

from pathlib import Path

import click

from dermclaim.cli import main
from dermclaim.cli._common import DB_OPTION, require_store, user_errors
from dermclaim.cli._filters import filter_options, filters_from, parse_date


@main.command("worklist")
@click.option("-o", "--output", required=True,
              type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="CSV file to write ('-' for stdout).")
@filter_options()
@click.option("--include-expired", is_flag=True,
              help="Also write rows past their appeal deadline (last, section 'expired').")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Count days left to each appeal deadline from this date (default: today).")
@DB_OPTION
def worklist_cmd(output: Path, status: str | None, payer: str | None, cause: str | None,
                 code: str | None, since: str | None, until: str | None,
                 include_expired: bool, as_of: str | None, db: str | None) -> None:
    """Write the appeal worklist: one row per open denial, nearest live deadline first, with
    a stable denial_id, status, owner and last note; past-deadline rows only on request.

    \b
    Example:
      dermclaim worklist -o worklist.csv
      dermclaim worklist --payer medicare --include-expired -o - > medicare.csv
    """
    from reconcile.reports.worklist import write_worklist

    with user_errors():
        f = filters_from(status, payer, cause, code, since, until)
        today = parse_date("--as-of", as_of)
        require_store(db)
        s = write_worklist(output, db, today=today, filters=f, include_expired=include_expired)
    left = f", {s.left_out} past-deadline rows left out (--include-expired)" if s.left_out else ""
    click.echo(f"{s.path}: {s.rows} denied lines, {s.denied_amount:.2f} denied, "
               f"{s.recoverable_amount:.2f} recoverable within deadline, {s.overdue} overdue"
               f"{left}", err=str(output) == "-")


@main.command("report")
@click.option("-o", "--output", default=None,
              type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="HTML file to write (self-contained: opens offline; '-' for stdout). "
                   "Required unless --json.")
@filter_options()
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Deadlines and recoverable amounts as of this date (default: today).")
@click.option("--json", "as_json", is_flag=True,
              help="The report's figures as JSON on stdout (billed, paid, denied, "
                   "denial_rate, recovered, overturn_rate ..., the filters applied).")
@DB_OPTION
def report_cmd(output: Path | None, status: str | None, payer: str | None, cause: str | None,
               code: str | None, since: str | None, until: str | None, as_of: str | None,
               as_json: bool, db: str | None) -> None:
    """Write the denial report: totals with overturn rate, recovered money and deadlines
    due, charts by cause/payer/code/month, the open worklist's top rows. Every figure
    follows every filter; the page names them.

    \b
    Example:
      dermclaim report -o report.html
      dermclaim report --status all --payer commercial --since 2026-10-01 -o commercial.html
      dermclaim report --status all --json > figures.json
    """
    import json

    from reconcile.reports.report import report_json, write_report

    with user_errors():
        f = filters_from(status, payer, cause, code, since, until)
        today = parse_date("--as-of", as_of)
        if output is None and not as_json:
            raise click.UsageError("give -o FILE for the HTML report, or --json")
        require_store(db)
        if as_json:
            click.echo(json.dumps(report_json(db, today=today, filters=f), indent=2))
        if output is None or (as_json and str(output) == "-"):
            return
        s = write_report(output, db, today=today, filters=f)
    t = s.totals
    click.echo(f"{s.path}: billed {t.billed:.2f}, paid {t.paid:.2f}, denied {t.denied:.2f}, "
               f"recoverable {t.recoverable:.2f}, recovered {t.recovered:.2f}",
               err=str(output) == "-" or as_json)
