"""`dermclaim denials` (the denied lines, or totals by a key), `dermclaim denial show ID` and
`dermclaim denial set ID --status S`: one denial's line, evidence and history; a checked
status move with who and why."""

from __future__ import annotations

import json

import click

from dermclaim.cli import main
from dermclaim.cli._common import DB_OPTION, require_store, user_errors
from dermclaim.cli._filters import filter_options, filters_from, parse_date
from dermclaim.cli._formats import emit_list, list_options
from dermclaim.cli._text import money_json

MOVE_CHOICES = ("open", "corrected", "appealed", "overturned", "upheld", "written_off")


@main.group("denial")
def denial() -> None:
    """One denial: show it (line, evidence, history) or move its status.

    \b
    Example:
      dermclaim denial show 12
      dermclaim denial set 12 --status appealed --level redetermination --note "letter mailed"
    """


@denial.command("show")
@click.argument("denial_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
@DB_OPTION
def show_cmd(denial_id: int, as_json: bool, db: str | None) -> None:
    """The denial's line as billed and paid, its evidence, deadline and every status change.

    \b
    Example:
      dermclaim denial show 12 --json
    """
    from reconcile.denials.view import as_json as to_json
    from reconcile.denials.view import as_text, denial_detail

    with user_errors():
        require_store(db)
        detail = denial_detail(db, denial_id)
    click.echo(to_json(detail) if as_json else as_text(detail))


@denial.command("set")
@click.argument("denial_id", type=int)
@click.option("--status", required=True, type=click.Choice(MOVE_CHOICES, case_sensitive=False),
              help="The new status (moves are checked: see reconcile/data/"
                   "denial_status_moves.csv).")
@click.option("--note", default=None, help="Why (required for write-offs, reopenings, "
                                           "overturns by hand).")
@click.option("--by", "by", default=None, help="Who (default: your user name).")
@click.option("--level", default=None,
              help="Appeal level (redetermination, reconsideration, first_level ...; default: "
                   "the payer's next level).")
@click.option("--on", "on", metavar="DATE", default=None,
              help="The day the appeal or correction was sent (default: today).")
@click.option("--owner", default=None, help="Who works this denial from now on.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the denial's new state as JSON (see the README's JSON shapes).")
@DB_OPTION
def set_cmd(denial_id: int, status: str, note: str | None, by: str | None, level: str | None,
            on: str | None, owner: str | None, as_json: bool, db: str | None) -> None:
    """Move a denial to a new status, kept as a history row (when, what, who, note).

    \b
    Example:
      dermclaim denial set 12 --status appealed --level redetermination --by akim
      dermclaim denial set 7 --status written_off --note "no documentation of symptoms"
    """
    from reconcile.denials.lifecycle import set_status

    with user_errors():
        require_store(db)
        d = set_status(db, denial_id, status, note=note, by=by, level=level,
                       on=parse_date("--on", on), owner=owner)
    if as_json:
        click.echo(json.dumps({
            "denial_id": d.id, "status": d.status, "appeal_level": d.appeal_level or None,
            "appealed_on": d.appealed_on.isoformat() if d.appealed_on else None,
            "owner": d.owner or None, "claim_id": d.claim_id,
            "line_control_number": d.line_control_number,
            "denied_amount": money_json(d.amount)}, indent=2))
        return
    level_text = f" ({d.appeal_level})" if d.status == "appealed" and d.appeal_level else ""
    click.echo(f"denial {d.id}: {d.status}{level_text}")


@main.command("denials")
@click.option("--by", type=click.Choice(["cause", "payer", "code", "month"],
                                        case_sensitive=False), default=None,
              help="Totals per key (lines, denied, overturned, recovered), largest first.")
@filter_options()
@list_options
@DB_OPTION
def denials_cmd(by: str | None, status: str | None, payer: str | None, cause: str | None,
                code: str | None, since: str | None, until: str | None, fmt: str | None,
                as_json: bool, limit: int | None, db: str | None) -> None:
    """Denied lines with status, cause, CARC/RARC evidence, amount and action, or totals by
    a key with the overturn rate and the money recovered. Lists and totals the open work
    by default (as `worklist` and `report`); `--status all` for every denial.
    --since/--until filter by the remittance date (the day the denial reached you).

    \b
    Example:
      dermclaim denials --by cause --status all
      dermclaim denials --status all --payer medicare --since 2026-10-01 --json > denials.json
      dermclaim denials --format csv --limit 100 > first100.csv
    """
    from reconcile.reports import analytics

    with user_errors():
        f = filters_from(status, payer, cause, code, since, until, db)
        if by:  # totals: what a reversal took back is no denial (as in every figure)
            f = f.counted()
        rows = analytics.denial_rows(db, filters=f)
        out = analytics.group_rows(rows, by.lower()) if by else rows
    columns = (("key", "lines", "denied_amount", "overturned", "recovered_amount",
                "overturn_rate") if by else analytics.DENIAL_FIELDS)
    emit_list(out, lambda part: json.loads(analytics.as_json(part)), analytics.as_table,
              fmt, as_json, limit, "row", columns)
