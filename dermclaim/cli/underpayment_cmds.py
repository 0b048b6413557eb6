"""`dermclaim underpayments` (every posted line allowed less, or more, than the contract or the
Medicare fee schedule says) and `dermclaim underpayment set|show|letter ID`: its life and the
payment-dispute letter. A thin adapter over `reconcile.underpayments`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dermclaim.cli import main
from dermclaim.cli._common import (
    DB_OPTION,
    EXIT_BAD_INPUT,
    CliError,
    require_store,
    user_errors,
)
from dermclaim.cli._filters import parse_date

PRACTICE_OPTION = click.option(
    "--practice", "practice", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="The practice file: its [contracts] name each payer's fee schedule CSV, [medicare] "
         "the locality, [underpayments] the tolerance.")


def _pricer(practice: Path):  # type: ignore[no-untyped-def]
    """The practice's pricing; a bad contract, fee schedule file or setting is bad input."""
    from edi.practice import load_practice
    from reconcile.underpayments.contracts import ContractError
    from reconcile.underpayments.pfs import PfsFileError
    from reconcile.underpayments.setup import Pricer

    with user_errors():
        p = load_practice(practice)
        try:
            return Pricer(p)
        except (ContractError, PfsFileError) as exc:
            raise CliError(str(exc), EXIT_BAD_INPUT) from None


def _table(findings: list[dict[str, object]]) -> str:
    if not findings:
        return "no underpaid or overpaid lines"
    head = ("id", "claim", "line", "code", "payer", "dos", "expected", "allowed", "short",
            "status", "reason")
    rows = [tuple(str(f[k] or "") for k in (
        "underpayment_id", "claim_id", "line_control_number", "code", "payer",
        "date_of_service", "expected_allowed", "allowed", "short", "status", "reason"))
        for f in findings]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in [head, *rows])


@main.command("underpayments")
@PRACTICE_OPTION
@click.option("--payer", default=None, help="Only this payer (guide name).")
@click.option("--code", default=None, help="Only this procedure code.")
@click.option("--since", metavar="DATE", default=None,
              help="Only lines paid (remittance date) on or after YYYY-MM-DD.")
@click.option("--until", metavar="DATE", default=None,
              help="Only lines paid on or before YYYY-MM-DD.")
@click.option("--kind", type=click.Choice(["underpaid", "overpaid", "paid_short", "all"]),
              default="all",
              help="Allowed short, allowed above the basis (credit-balance risk), allowed right "
                   "but paid less than it implies (sequestration above 2 %), or all.")
@click.option("--status", type=click.Choice(["open", "appealed", "recovered", "accepted",
                                             "all"]), default="all",
              help="Only lines with this status (default: all).")
@click.option("--json", "as_json", is_flag=True, help="JSON rows instead of a table.")
@DB_OPTION
def underpayments_cmd(practice: Path, payer: str | None, code: str | None, since: str | None,
                      until: str | None, kind: str, status: str, as_json: bool,
                      db: str | None) -> None:
    """Every posted 835 line whose allowed amount differs from the contract row or the
    Medicare fee schedule computation by more than the tolerance, with its basis (the row
    or the RVU x GPCI x conversion factor figures), a likely reason and the appeal deadline.
    Patient share (PR-1/2/3) and sequestration (CO-253) are shares of the allowed amount,
    never underpayments.

    \b
    Example:
      dermclaim underpayments --practice samples/practice.toml
      dermclaim underpayments --practice samples/practice.toml --payer medicare --json
    """
    from reconcile.underpayments.compare import underpayments

    f_since, f_until = parse_date("--since", since), parse_date("--until", until)
    pricer = _pricer(practice)
    with user_errors():
        require_store(db)
        check = underpayments(db, pricer, payer=payer, code=code, since=f_since,
                              until=f_until)
    rows = [f.as_dict() for f in check.findings
            if (kind == "all" or f.kind == kind) and (status == "all" or f.status == status)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(_table(rows))
    share = check.share_paid_right
    click.echo(f"{check.compared} lines compared, {check.paid_right} paid right"
               f"{f' ({share:.1%})' if share is not None else ''}, "
               f"{sum(1 for f in check.findings if f.kind == 'underpaid')} underpaid, "
               f"{sum(1 for f in check.findings if f.kind == 'overpaid')} overpaid, "
               f"{sum(1 for f in check.findings if f.kind == 'paid_short')} paid short, "
               f"{check.unpriced} without a basis", err=True)


@main.group("underpayment")
def underpayment() -> None:
    """One underpaid line: show it, move its status, write its payment-dispute letter.

    \b
    Example:
      dermclaim underpayment show 41 --practice samples/practice.toml
      dermclaim underpayment set 41 --status appealed --on 2026-04-20
      dermclaim underpayment letter 41 -o letters --practice samples/practice.toml
    """


@underpayment.command("show")
@click.argument("line_id", type=int)
@PRACTICE_OPTION
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
@DB_OPTION
def show_cmd(line_id: int, practice: Path, as_json: bool, db: str | None) -> None:
    """The line's comparison (expected, allowed, basis, reason) and every status change.

    \b
    Example:
      dermclaim underpayment show 41 --practice samples/practice.toml --json
    """
    from reconcile.store.database import session_scope
    from reconcile.underpayments.compare import underpayments
    from reconcile.underpayments.lifecycle import history

    pricer = _pricer(practice)
    with user_errors():
        require_store(db)
        check = underpayments(db, pricer, line_ids=[line_id])
        with session_scope(db) as s:
            events = [{"at": e.at.isoformat(), "from": e.from_status, "to": e.to_status,
                       "by": e.actor, "note": e.note,
                       "on": e.on_date.isoformat() if e.on_date else None,
                       "amount": None if e.amount is None else f"{e.amount:.2f}"}
                      for e in history(s, line_id)]
    if not check.findings:
        raise CliError(f"underpayment {line_id}: no underpaid or overpaid 835 line with this "
                       "id (see `dermclaim underpayments`)")
    row = {**check.findings[0].as_dict(), "history": events}
    if as_json:
        click.echo(json.dumps(row, indent=2))
        return
    for k, v in row.items():
        if k != "history":
            click.echo(f"{k}: {v}")
    for e in events:
        click.echo(f"  {e['at']} {e['from']} -> {e['to']} by {e['by']} {e['note']}".rstrip())


@underpayment.command("set")
@click.argument("line_id", type=int)
@click.option("--status", required=True,
              type=click.Choice(["open", "appealed", "recovered", "accepted"]),
              help="open -> appealed | accepted; appealed -> recovered | accepted | open; "
                   "accepted -> open.")
@click.option("--note", default="", help="Why (required to accept a short payment).")
@click.option("--by", "by", default=None, help="Who (default: your user name).")
@click.option("--on", "on", metavar="DATE", default=None,
              help="The day the dispute was sent or the money came.")
@click.option("--amount", default=None, help="With recovered: the amount recovered.")
@DB_OPTION
def set_cmd(line_id: int, status: str, note: str, by: str | None, on: str | None,
            amount: str | None, db: str | None) -> None:
    """Move an underpaid line to a new status, kept as a history row.

    \b
    Example:
      dermclaim underpayment set 41 --status appealed --on 2026-04-20 --by akim
      dermclaim underpayment set 41 --status recovered --amount 12.50
    """
    from decimal import Decimal, InvalidOperation

    from reconcile.underpayments.lifecycle import set_status

    value = None
    if amount is not None:
        try:
            value = Decimal(amount)
        except InvalidOperation:
            raise CliError(f"--amount {amount!r}: not an amount", EXIT_BAD_INPUT) from None
    with user_errors():
        require_store(db)
        set_status(db, line_id, status, note=note, by=by, on=parse_date("--on", on),
                   amount=value)
    click.echo(f"underpayment {line_id}: {status}")


@underpayment.command("letter")
@click.argument("line_ids", nargs=-1, required=True, type=int, metavar="ID...")
@click.option("-o", "--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the letters: <claim>-dispute.html and .txt (created if absent).")
@PRACTICE_OPTION
@click.option("--sent", is_flag=True, help="The letters are mailed now: move each line to "
                                           "appealed. Without it they are drafts.")
@click.option("--on", "on", metavar="DATE", default=None,
              help="With --sent: the day they were sent (default: the letter date).")
@click.option("--by", "by", default=None, help="With --sent: who sent them.")
@click.option("--note", default=None, help="With --sent: a note for the history.")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="The letter date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Report what was written as JSON.")
@DB_OPTION
def letter_cmd(line_ids: tuple[int, ...], out_dir: Path, practice: Path, sent: bool,
               on: str | None, by: str | None, note: str | None, as_of: str | None,
               as_json: bool, db: str | None) -> None:
    """Write payment-dispute letters for underpaid lines, one per claim (HTML and text),
    quoting the contract row or the fee schedule computation of each line. Lines that are
    not underpaid are refused (exit 1).

    \b
    Example:
      dermclaim underpayment letter 30 -o letters --practice samples/practice.toml
      dermclaim underpayment letter 30 2 -o letters --practice samples/practice.toml --sent
    """
    dispute_letters(line_ids, out_dir, practice, sent, on, by, note, as_of, as_json, db)


def dispute_letters(line_ids: tuple[int, ...], out_dir: Path, practice: Path, sent: bool,
                    on: str | None, by: str | None, note: str | None, as_of: str | None,
                    as_json: bool, db: str | None) -> None:
    """The payment-dispute letters of `underpayment letter` and `appeal --underpaid`."""
    from reconcile.appeals.dispute import write_disputes

    if not sent and (on or by or note):
        raise CliError("--on, --by and --note go with --sent (they describe the mailing)",
                       EXIT_BAD_INPUT)
    _pricer(practice)  # a bad contract or setting: bad input, before anything is written
    with user_errors():
        require_store(db)
        result = write_disputes(db, line_ids, out_dir, practice, sent=sent, by=by, note=note,
                                on=parse_date("--on", on), as_of=parse_date("--as-of", as_of))
    if as_json:
        click.echo(result.as_json())
    else:
        for x in result.letters:
            due = f"  deadline {x.deadline}" if x.deadline else ""
            click.echo(f"{x.html} + .txt: claim {x.claim_id}, lines "
                       f"{', '.join(map(str, x.line_ids))}, short {x.total:.2f}{due}")
        if result.moved:
            click.echo(f"moved to appealed: {', '.join(map(str, result.moved))}")
        for lid, why in result.refused:
            click.echo(f"underpayment {lid}: {why}", err=True)
    if result.refused:
        raise SystemExit(1)
