"""`dermclaim remit payments` (the payments posted, with their ids) and `dermclaim remit
void` (a posted payment taken out with everything it posted). Thin adapters over
`reconcile.remit.void`."""

from __future__ import annotations

import json

import click

from dermclaim.cli import remit
from dermclaim.cli._common import DB_OPTION, require_store, user_errors


@remit.command("payments")
@click.option("--trace", metavar="TRN02", default=None,
              help="Only the payments with this trace (check/EFT) number.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (money as strings).")
@DB_OPTION
def payments_cmd(trace: str | None, as_json: bool, db: str | None) -> None:
    """List the payments posted (one per 835 transaction: the check or EFT) with the id
    `remit void` takes; a duplicate copy shows the payment it repeats.

    \b
    Example:
      dermclaim remit payments --trace EFT202600001
    """
    from reconcile.remit.void import payments

    with user_errors():
        require_store(db)
        found = payments(db, trace)
    if as_json:
        click.echo(json.dumps([p.as_json() for p in found], indent=2))
        return
    click.echo("id  payer  trace  amount  date  claims  paid  file")
    for p in found:
        copy = f"  (copy of payment {p.duplicate_of}: posted nothing)" if p.duplicate_of else ""
        click.echo(f"{p.id}  {p.payer}  {p.trace}  {p.amount:.2f}  {p.on or '-'}  {p.claims}  "
                   f"{p.paid:.2f}  {p.file_name}{copy}")


@remit.command("void")
@click.argument("payment_id", type=int)
@click.option("--note", required=True, help="Why the payment is removed (kept on record).")
@click.option("--by", default=None, help="Who removes it (default: the login name).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@DB_OPTION
def void_cmd(payment_id: int, note: str, by: str | None, as_json: bool,
             db: str | None) -> None:
    """Remove a posted payment and everything it posted (claims, lines, denials, PLB),
    recorded with the note: the wrong one of two payments with the same trace number, or
    a file loaded by mistake. Overturns it made go back. `remit payments` gives the id.

    \b
    Example:
      dermclaim remit void 7 --note "payer re-sent EFT 4471 corrected; this one was wrong"
    """
    from reconcile.remit.void import void_payment

    with user_errors():
        require_store(db)
        result = void_payment(db, payment_id, note, by=by)
    click.echo(json.dumps(result.as_json(), indent=2) if as_json else result.text())
