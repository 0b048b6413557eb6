"""After you send: `ack load` (999 / 277CA files), `claims status`, `rejections`.

Thin adapters over `reconcile.acks.load` and `reconcile.acks.status`. `claims status` is a
sub-command of `claims` (which writes an 837P when given encounter files): the `claims`
command hands `status ...` to it.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import click

from dermclaim.cli import main
from dermclaim.cli._common import (
    EXIT_BAD_INPUT,
    CliError,
    echo_err,
    reading_store,
    user_errors,
)
from dermclaim.cli._filters import guide_names, known
from dermclaim.cli._formats import emit_list, list_options
from dermclaim.cli._io import EXIT_EPILOG, display_name, open_store, shown, stdin_inputs

DB_OPTION = click.option("--db", "db", metavar="URL", default=None,
                         help="Store URL (default: $DERMCLAIM_DB, else sqlite:///dermclaim.db).")
STATUS_CHOICES = ("sent", "accepted", "acknowledged", "rejected", "predetermined",
                  "adjudicated", "crossed_over", "late")


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
      dermclaim ack show answers/claims.999
      dermclaim ack load answers/claims.999 answers/claims.277
      dermclaim claims status --status rejected
    """


@ack.command("load", epilog=EXIT_EPILOG)
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print what was loaded as JSON (see the README's JSON shapes).")
@DB_OPTION
def ack_load(files: tuple[Path, ...], as_json: bool, db: str | None) -> None:
    """Load 999 and 277CA files: each answer tied to the claims sent (999 by the group and
    transaction set control numbers, 277CA by the claim id and line control numbers).

    Each file loads in one transaction and only once (the same file again is reported as
    already loaded and changes nothing). A file that cannot be read, or is not a 999 or
    277CA, is reported on stderr and the others load (exit 2). FILE '-' reads stdin.

    \b
    Example:
      dermclaim ack load answers/claims.999 answers/claims.277 --db sqlite:///dermclaim.db
      cat answers/claims.999 | dermclaim ack load - --json
    """
    from reconcile.acks.load import load_ack_files

    with stdin_inputs(list(files)) as paths:
        open_store(db, create=True)
        with user_errors():
            summary = load_ack_files([p for p in paths if p is not None], db)
        for f in summary.files:
            f.path = shown(f.path)
            f.message = shown(f.message)
    for f in summary.files:
        if f.status in ("unreadable", "failed", "not_tried"):
            echo_err(f.line())
    if as_json:
        click.echo(json.dumps(ack_load_json(summary), indent=2))
    else:
        for f in summary.files:
            if f.status not in ("unreadable", "failed", "not_tried"):
                click.echo(f.line())
                for m in f.findings:
                    click.echo(f"  finding: {m}")
    if summary.stopped:
        raise CliError(f"{summary.stopped}; the load stopped there", EXIT_BAD_INPUT)
    if summary.unreadable:
        raise CliError("some files could not be read (see above)", EXIT_BAD_INPUT)
    if not summary.ok:
        raise CliError("some files were not loaded (see above)", EXIT_BAD_INPUT)


def ack_load_json(summary: Any) -> dict[str, Any]:
    """`ack load --json`: each file's outcome and the claims it answered."""
    items = [{"file": f.path, "status": f.status, "kind": f.kind or None,
              "message": f.message or None, "answered": f.answered, "accepted": f.accepted,
              "rejected": f.rejected, "unmatched": f.unmatched,
              "findings": [{"message": m} for m in f.findings]}
             for f in summary.files]
    return {"items": items,
            "totals": {k: sum(getattr(f, k) for f in summary.files)
                       for k in ("answered", "accepted", "rejected", "unmatched")},
            "counts": {s: sum(f.status == s for f in summary.files)
                       for s in ("loaded", "already_loaded", "unreadable", "failed")}}


@ack.command("show", epilog=EXIT_EPILOG)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON (codes with meanings, ISO dates, money as strings).")
def ack_show(file: Path, as_json: bool) -> None:
    """Show a 999 or 277CA without a store: a 999's transaction sets and errors (AK2, IK3,
    IK4, IK5, AK9 with their meanings); a 277CA's statuses at every level (source,
    receiver, billing provider, each claim by its id and each service line). FILE '-'
    reads stdin.

    \b
    Example:
      dermclaim ack show answers/claims.999
      dermclaim ack show answers/claims.277 --json | jq '.items[0].claims[] | .claim_id'
    """
    from edi.ack_view import ack_dict, ack_lines, read_ack_path

    name = display_name(file)
    with stdin_inputs([file]) as (path,), user_errors():
        assert path is not None
        kind, acks = read_ack_path(path, name)
    doc = ack_dict(name, kind, acks)
    if as_json:
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        for line in ack_lines(doc):
            click.echo(shown(line))


@click.command("status", epilog=EXIT_EPILOG)
@click.option("--status", "status", metavar="STATUS", default=None,
              help=f"Only claims in this state: {', '.join(STATUS_CHOICES)}.")
@click.option("--payer", metavar="NAME", default=None, help="Only this payer (guide name).")
@click.option("--since", metavar="DATE", default=None, help="Only claims sent on or after.")
@click.option("--until", metavar="DATE", default=None, help="Only claims sent on or before.")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Count late days and days left as of this date (default: today).")
@list_options
@DB_OPTION
def claims_status(status: str | None, payer: str | None, since: str | None,
                  until: str | None, as_of: str | None, fmt: str | None, as_json: bool,
                  limit: int | None, db: str | None) -> None:
    """Where each claim sent stands: sent, accepted / rejected (999), acknowledged /
    rejected (277CA), predetermined (an 835 estimate only, CLP02 = 25), adjudicated (835),
    crossed over (forwarded to the next payer), or late (no 999/277CA or 835 in the payer's
    time), with the reason. --since/--until filter by the day the claim was sent.

    \b
    Example:
      dermclaim claims status
      dermclaim claims status --status late --payer medicare --json
    """
    from reconcile.acks.status import claim_states

    with user_errors():
        reading_store(db)
        if status is not None and status.lower() == "overdue":  # the old word
            echo_err("dermclaim: warning: --status overdue is now --status late")
            status = "late"
        status = known("--status", status, STATUS_CHOICES)
        payer = _known_payer(payer, db)
        rows = claim_states(db, as_of=_date("--as-of", as_of), status=status, payer=payer,
                            since=_date("--since", since), until=_date("--until", until))
    def table(part: Sequence[Any]) -> str:
        if not part:
            return "no claims"
        return _table([(r.claim_id, r.status, str(r.since or ""), r.payer, r.reason)
                       for r in part], ("claim", "status", "since", "payer", "reason"))

    from reconcile.acks.status import ClaimState

    emit_list(rows, lambda part: [r.public() for r in part], table, fmt, as_json, limit,
              "claim", [f.name for f in attrs.fields(ClaimState) if f.name != "row_id"])


@main.command("rejections")
@click.option("--payer", metavar="NAME", default=None, help="Only this payer (guide name).")
@click.option("--since", metavar="DATE", default=None, help="Only rejections received on or "
              "after YYYY-MM-DD.")
@click.option("--until", metavar="DATE", default=None, help="Only rejections received on or "
              "before YYYY-MM-DD.")
@list_options
@DB_OPTION
def rejections(payer: str | None, since: str | None, until: str | None, fmt: str | None,
               as_json: bool, limit: int | None, db: str | None) -> None:
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
        payer = _known_payer(payer, db)
        rows = rejection_rows(db, payer=payer, since=_date("--since", since),
                              until=_date("--until", until))
    def table(part: Sequence[Any]) -> str:
        if not part:
            return "no rejections"
        out = []
        for r in part:
            line = f" line {r.line_control_number}" if r.line_control_number else ""
            again = f"  [sent again in {r.resubmitted}]" if r.resubmitted else ""
            out.append(f"{r.claim_id}{line}  {r.source} {r.received_on or ''}  {r.codes}"
                       f"{again}")
            out.append(f"    meaning: {r.meaning}")
            if r.fix:
                out.append(f"    fix: {r.fix}")
        return "\n".join(out)

    from reconcile.acks.status import RejectionRow

    emit_list(rows, lambda part: [r.public() for r in part], table, fmt, as_json, limit,
              "rejection", [f.name for f in attrs.fields(RejectionRow)])


def _known_payer(payer: str | None, db: str | None) -> str | None:
    """--payer checked against the guides and the payers claims were sent to (any case)."""
    if payer is None:
        return None
    from reconcile.store.vocabulary import sent_payers

    return known("--payer", payer, [*guide_names(), *sent_payers(db)])


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header[:-1])]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r[:-1], widths, strict=True))
                     + "  " + r[-1] for r in [header, *rows])


class ClaimsWithStatus(click.Command):
    """`claims ENCOUNTER...` as before; `claims status ...` runs the status command."""

    def __init__(self, send: click.Command, status: click.Command) -> None:
        super().__init__(send.name, callback=send.callback, params=send.params,
                         help=inspect.cleandoc(send.help or "")
                         + "\n\n\b\nAfter sending:\n  dermclaim claims status [--status S] "
                         "[--payer P] [--since D] [--json]",
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


def attach_status() -> None:
    """Give `claims` (defined in submit_cmds) its `status` sub-command, whichever of the two
    modules was imported first (submit_cmds calls this when it is the later one)."""
    if "claims" in main.commands and not isinstance(main.commands["claims"], ClaimsWithStatus):
        main.add_command(ClaimsWithStatus(main.commands["claims"], claims_status), "claims")


attach_status()
