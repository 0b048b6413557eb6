"""After you send: `ack load` (999 / 277CA files), `claims status`, `rejections`.

Thin adapters over `reconcile.acks.load` and `reconcile.acks.status`. `claims status` is a
sub-command of `claims` (which writes an 837P when given encounter files): the `claims`
command hands `status ...` to it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from dermclaim.cli import main
from dermclaim.cli._common import (
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    CliError,
    reading_store,
    user_errors,
)

DB_OPTION = click.option("--db", "db", metavar="URL", default=None,
                         help="Store URL (default: $DERMCLAIM_DB, else sqlite:///dermclaim.db).")
STATUS_CHOICES = ("sent", "accepted", "acknowledged", "rejected", "predetermined",
                  "adjudicated", "overdue")


def _date(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(f"{option} {value!r}: not a date, use YYYY-MM-DD", EXIT_BAD_INPUT) from None


@main.group("ack")
def ack() -> None:
    """Acknowledgments of what was sent: 999 (syntax) and 277CA (each claim).

    \b
    Example:
      dermclaim ack load answers/claims.999 answers/claims.277
      dermclaim claims status --status rejected
    """


@ack.command("load")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@DB_OPTION
def ack_load(files: tuple[Path, ...], db: str | None) -> None:
    """Load 999 and 277CA files: each answer tied to the claims sent (999 by the group and
    transaction set control numbers, 277CA by the claim id and line control numbers).

    Each file loads in one transaction and only once (the same file again is reported as
    already loaded). Exit 0 when every file loaded, 1 when a file was not loaded, 2 when a
    file cannot be read (the message names the segment).

    \b
    Example:
      dermclaim ack load answers/claims.999 answers/claims.277 --db sqlite:///dermclaim.db
    """
    from reconcile.acks.load import load_ack_files

    with user_errors():
        summary = load_ack_files(list(files), db)
    for line in summary.lines():
        click.echo(line)
    if summary.stopped:
        raise CliError(f"{summary.stopped}; the load stopped there", EXIT_BAD_INPUT)
    if summary.unreadable:
        raise CliError("some files could not be read (see above)", EXIT_BAD_INPUT)
    if not summary.ok:
        raise CliError("some files were not loaded (see above)", EXIT_FINDINGS)


@click.command("status")
@click.option("--status", "status", type=click.Choice(STATUS_CHOICES), default=None,
              help="Only claims in this state.")
@click.option("--payer", metavar="NAME", default=None, help="Only this payer (guide name).")
@click.option("--since", metavar="DATE", default=None, help="Only claims sent on or after.")
@click.option("--until", metavar="DATE", default=None, help="Only claims sent on or before.")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Count overdue days and days left as of this date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="JSON rows (with the history).")
@DB_OPTION
def claims_status(status: str | None, payer: str | None, since: str | None,
                  until: str | None, as_of: str | None, as_json: bool, db: str | None) -> None:
    """Where each claim sent stands: sent, accepted / rejected (999), acknowledged /
    rejected (277CA), predetermined (an 835 estimate only, CLP02 = 25), adjudicated (835),
    or overdue (no answer in time), with the reason.

    \b
    Example:
      dermclaim claims status
      dermclaim claims status --status overdue --payer medicare --json
    """
    from reconcile.acks.status import claim_states

    with user_errors():
        reading_store(db)
        rows = claim_states(db, as_of=_date("--as-of", as_of), status=status, payer=payer,
                            since=_date("--since", since), until=_date("--until", until))
    if as_json:
        click.echo(json.dumps([r.public() for r in rows], indent=2))
        return
    if not rows:
        click.echo("no claims")
        return
    _table([(r.claim_id, r.status, str(r.since or ""), r.payer, r.reason) for r in rows],
           ("claim", "status", "since", "payer", "reason"))


@main.command("rejections")
@click.option("--payer", metavar="NAME", default=None, help="Only this payer (guide name).")
@click.option("--since", metavar="DATE", default=None, help="Only rejections received on or "
              "after YYYY-MM-DD.")
@click.option("--until", metavar="DATE", default=None, help="... on or before.")
@click.option("--json", "as_json", is_flag=True, help="JSON rows.")
@DB_OPTION
def rejections(payer: str | None, since: str | None, until: str | None, as_json: bool,
               db: str | None) -> None:
    """Claims rejected by a 999 or a 277CA (never adjudicated, so never denials): the codes
    as received, their meaning and what to fix. Fix the claim and send it again as a new
    original (`dermclaim claims`): it is allowed and linked to the rejected one.

    \b
    Example:
      dermclaim rejections
      dermclaim rejections --json | jq '.[] | {claim_id, fix}'
    """
    from reconcile.acks.status import rejection_rows

    with user_errors():
        reading_store(db)
        rows = rejection_rows(db, payer=payer, since=_date("--since", since),
                              until=_date("--until", until))
    if as_json:
        click.echo(json.dumps([r.public() for r in rows], indent=2))
        return
    if not rows:
        click.echo("no rejections")
        return
    for r in rows:
        line = f" line {r.line_control_number}" if r.line_control_number else ""
        again = f"  [sent again in {r.resubmitted}]" if r.resubmitted else ""
        click.echo(f"{r.claim_id}{line}  {r.source} {r.received_on or ''}  {r.codes}{again}")
        click.echo(f"    meaning: {r.meaning}")
        if r.fix:
            click.echo(f"    fix: {r.fix}")


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header[:-1])]
    for r in [header, *rows]:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r[:-1], widths, strict=True))
                   + "  " + r[-1])


class ClaimsWithStatus(click.Command):
    """`claims ENCOUNTER...` as before; `claims status ...` runs the status command."""

    def __init__(self, send: click.Command, status: click.Command) -> None:
        super().__init__(send.name, callback=send.callback, params=send.params,
                         help=(send.help or "") + "\n\n\b\nAfter sending:\n  dermclaim claims "
                         "status [--status S] [--payer P] [--since D] [--json]",
                         context_settings=send.context_settings, epilog=send.epilog,
                         short_help=send.short_help)
        self.status = status

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        if args and args[0] == "status":
            return self.status.make_context(f"{info_name} status", args[1:], parent=parent,
                                            **extra)
        return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        if ctx.command is self.status:
            return self.status.invoke(ctx)
        return super().invoke(ctx)


if "claims" in main.commands and not isinstance(main.commands["claims"], ClaimsWithStatus):
    main.add_command(ClaimsWithStatus(main.commands["claims"], claims_status), "claims")
