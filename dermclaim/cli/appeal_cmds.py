"""`dermclaim appeal DENIAL_ID... -o DIR`: appeal letters (HTML and plain text) built from the
store, one per claim and appeal level; with --sent the denials move to appealed."""

from __future__ import annotations

from pathlib import Path

import click

from dermclaim.cli import main
from dermclaim.cli._common import (
    DB_OPTION,
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    CliError,
    echo_err,
    require_store,
    user_errors,
)
from dermclaim.cli._filters import parse_date
from dermclaim.cli._io import EXIT_EPILOG, refuse_dash, stdin_inputs


@main.command("appeal", epilog=EXIT_EPILOG)
@click.argument("denial_ids", nargs=-1, type=int, metavar="DENIAL_ID...")
@click.option("--underpaid", "underpaid_ids", multiple=True, type=int, metavar="ID",
              help="Write payment-dispute letters for these underpaid lines instead (the ids "
                   "`dermclaim underpayments` lists; repeatable): one per claim, quoting the "
                   "contract row or the fee schedule computation.")
@click.option("-o", "--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the letters: <claim>-<level>.html and .txt (created if absent; "
                   "several files, so not '-').")
@click.option("--practice", "practice", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The practice file ('-': stdin): provider name, NPI, address; its "
                   "[letters] table may name your own letter templates and signature block.")
@click.option("--sent", is_flag=True,
              help="The letters are being mailed now: move each denial to appealed (level and "
                   "date in its history). Without it the letters are drafts and no status "
                   "changes.")
@click.option("--on", "on", metavar="DATE", default=None,
              help="With --sent: the day the letters were sent (default: the letter date).")
@click.option("--by", "by", default=None, help="With --sent: who sent them (default: your "
                                               "user name).")
@click.option("--note", default=None, help="With --sent: a note for the history.")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="The letter date, against which deadlines are checked (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Report what was written as JSON.")
@DB_OPTION
def appeal_cmd(denial_ids: tuple[int, ...], underpaid_ids: tuple[int, ...], out_dir: Path,
               practice: Path, sent: bool, on: str | None, by: str | None, note: str | None,
               as_of: str | None, as_json: bool, db: str | None) -> None:
    """Write appeal letters for denials: one per claim and appeal level, HTML (prints on
    letter paper) and plain text. Each quotes the CARC/RARC as received, argues the cause
    with the rule behind the line, and lists what to attach. Causes no appeal can argue
    (duplicate, coordination of benefits ...) are refused with what to do instead (exit 1).

    \b
    Example:
      dermclaim appeal 12 13 -o letters --practice samples/practice.toml
      dermclaim appeal 12 13 -o letters --practice samples/practice.toml --sent --by akim
      dermclaim appeal --underpaid 31 -o letters --practice samples/practice.toml
    """
    from reconcile.appeals.letters import write_appeals

    refuse_dash("-o", out_dir, "appeal letters")
    if bool(denial_ids) == bool(underpaid_ids):
        raise CliError("name the denials to appeal (DENIAL_ID...) or the underpaid lines to "
                       "dispute (--underpaid ID), one kind per run", EXIT_BAD_INPUT)
    if underpaid_ids:
        from dermclaim.cli.underpayment_cmds import dispute_letters

        dispute_letters(underpaid_ids, out_dir, practice, sent, on, by, note, as_of, as_json,
                        db)
        return
    if not sent and (on or by or note):
        raise CliError("--on, --by and --note go with --sent (they describe the mailing)",
                       EXIT_BAD_INPUT)
    with stdin_inputs([practice]) as (practice_in,), user_errors():
        assert practice_in is not None
        require_store(db)  # no store: said as every reading command says it
        result = write_appeals(db, denial_ids, out_dir, practice_in, sent=sent, by=by, note=note,
                               on=parse_date("--on", on), as_of=parse_date("--as-of", as_of))
    if as_json:
        click.echo(result.as_json())
    else:
        for letter in result.letters:
            late = "  PAST THE WINDOW (good-cause request)" if letter.late else ""
            due = f"  deadline {letter.deadline}" if letter.deadline else ""
            click.echo(f"{letter.html} + .txt: claim {letter.claim_id} {letter.level}, "
                       f"denials {', '.join(map(str, letter.denial_ids))}{due}{late}")
        if result.moved:
            click.echo(f"moved to appealed: denials {', '.join(map(str, result.moved))}")
        elif result.letters:
            click.echo("drafts: no status changed (use --sent when the letters go out)")
    for r in result.refused:  # refusals and warnings on stderr, whatever the format
        echo_err(f"refused: denial {r.denial_id} (claim {r.claim_id}, {r.cause}): {r.reason}")
    for f in result.findings:
        echo_err(f"warning: {f}")
    if result.refused:
        raise SystemExit(EXIT_FINDINGS)
