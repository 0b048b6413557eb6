"""`dermclaim secondary`: the balance a posted 835 leaves billed to the next payer, a thin
adapter over `reconcile.secondary.run`."""

from __future__ import annotations

import json

import click

from dermclaim.cli import main
from dermclaim.cli._common import (
    DB_OPTION,
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    CliError,
    echo_err,
    reading_store,
    user_errors,
)

__all__ = ["secondary"]

LABELS = {"written": "billed to", "crossed_over": "crossed over to", "already_sent":
          "already billed to", "nothing_owed": "nothing owed by", "hold": "held for",
          "answered": "answered by", "voided": "void sent to"}


@main.command("secondary")
@click.option("-o", "--output", "output", metavar="OUT.837", required=True,
              type=click.Path(dir_okay=False, path_type=str),
              help="The 837P file to write the secondary claims to.")
@click.option("--practice", "practice_path", metavar="FILE", required=True,
              type=click.Path(dir_okay=False, path_type=str),
              help="Practice TOML: submitter, billing provider.")
@DB_OPTION
@click.option("--now", "now_text", metavar="ISO", help="File date-time (UTC when no offset), "
              "for reproducible output.")
@click.option("--no-newlines", is_flag=True, help="No newline after each ~.")
@click.option("--json", "as_json", is_flag=True, help="Print every claim's outcome as JSON.")
def secondary(output: str, practice_path: str, db: str | None, now_text: str | None,
              no_newlines: bool, as_json: bool) -> None:
    """Bill the balance each posted primary 835 leaves to the patient's next payer.

    For every claim whose payer has answered (835 loaded) and whose encounter names another
    coverage: a claim Medicare forwarded (CLP02 19/20/21, MA18, N89) waits for the
    supplemental payer's 835 and is not sent; a claim with nothing left (no patient
    responsibility, no denied line) is not sent; the others are written as one 837P to the
    next payer (SBR*S, 2320 with the primary's SBR, claim CAS and AMT*D, 2330B REF*F8 with
    its claim number, 2430 SVD/CAS/DTP*573 per line), validated by pyx12 and recorded. A
    claim is billed to a payer once: a re-run writes nothing new. Exit 0 done, 1 when a
    claim was held, 2 when an input cannot be read.

    \b
    Example:
      dermclaim remit load samples/remit.835
      dermclaim secondary -o out/secondary.837 --practice samples/practice.toml
    """
    from datetime import datetime

    from edi.practice import load_practice
    from reconcile.secondary.run import bill_secondary

    now = None
    if now_text is not None:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            raise CliError(f"--now: {now_text!r} is not an ISO date-time such as "
                           "2026-03-05T09:30:00", EXIT_BAD_INPUT) from None
    with user_errors():
        practice = load_practice(practice_path)
        reading_store(db)  # bills what the store holds: no store -> nothing to bill
        result = bill_secondary(practice, output, url=db, now=now, newlines=not no_newlines)
    sub = result.submit
    if sub is not None:
        for line in sub.recovered:
            echo_err(f"recovered: {line}")
    held = result.of("hold")
    if as_json:
        click.echo(json.dumps({
            "file": str(sub.out_path) if sub and sub.out_path else None,
            "interchange": f"{sub.interchange_control_number:09d}"
            if sub and sub.interchange_control_number else None,
            "claims": [o.public() for o in result.outcomes]}, indent=2))
    else:
        written = result.of("written")
        if sub is not None and sub.out_path is not None:
            click.echo(f"wrote {sub.out_path}: {len(written)} secondary claims "
                       f"({sub.line_count} lines, ${sub.total_charge:,.2f}); interchange "
                       f"{sub.interchange_control_number:09d}; pyx12: 0 errors; recorded in "
                       "the store")
        else:
            counts = ", ".join(f"{len(result.of(k))} {LABELS[k].rsplit(' ', 1)[0]}"
                               for k in ("already_sent", "crossed_over", "answered", "nothing_owed",
                                         "hold")
                               if result.of(k))
            click.echo(f"nothing written to {output}: no new balance to bill to a next payer"
                       + (f" ({counts})" if counts else ""))
        for o in result.outcomes:
            click.echo(f"  {o.claim_id} {LABELS[o.kind]} {o.to_payer} "
                       f"(primary {o.from_payer} paid ${o.primary_paid:,.2f}, "
                       f"${o.next_payer_owes:,.2f} left): {o.reason}")
    for o in held:
        echo_err(f"held: claim {o.claim_id} for {o.to_payer}: {o.reason}")
    if held:
        raise SystemExit(EXIT_FINDINGS)
