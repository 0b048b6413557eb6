"""`dermclaim worklist` (the appeal worklist as CSV) and `dermclaim report` (the HTML report):
thin adapters over `reconcile.reports`."""

from __future__ import annotations

from pathlib import Path

import click

from dermclaim.cli import main
from dermclaim.cli._common import DB_OPTION, user_errors
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
        today = parse_date("--as-of", as_of)
        f = filters_from(status, payer, cause, code, since, until, db)
        s = write_worklist(output, db, today=today, filters=f, include_expired=include_expired)
    left = f", {s.left_out} past-deadline rows left out (--include-expired)" if s.left_out else ""
    click.echo(f"{s.path}: {s.rows} denied lines, {s.denied_amount:.2f} denied, "
               f"{s.recoverable_amount:.2f} recoverable within deadline, {s.overdue} overdue"
               f"{left}", err=str(output) == "-")


@main.command("report")
@click.option("-o", "--output", required=True,
              type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="HTML file to write (self-contained: opens offline; '-' for stdout).")
@filter_options("every denial not taken back by a reversal")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Deadlines and recoverable amounts as of this date (default: today).")
@DB_OPTION
def report_cmd(output: Path, status: str | None, payer: str | None, cause: str | None,
               code: str | None, since: str | None, until: str | None, as_of: str | None,
               db: str | None) -> None:
    """Write the denial report: totals with overturn rate, recovered money and deadlines
    due, charts by cause/payer/code/month, the open worklist's top rows.

    \b
    Example:
      dermclaim report -o report.html
      dermclaim report --payer commercial --since 2026-10-01 -o - > commercial.html
    """
    from reconcile.reports.report import write_report

    with user_errors():
        today = parse_date("--as-of", as_of)
        f = filters_from(status, payer, cause, code, since, until, db)
        s = write_report(output, db, today=today, filters=f)
    t = s.totals
    click.echo(f"{s.path}: billed {t.billed:.2f}, paid {t.paid:.2f}, denied {t.denied:.2f}, "
               f"recoverable {t.recoverable:.2f}, recovered {t.recovered:.2f}",
               err=str(output) == "-")
