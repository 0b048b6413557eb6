"""`dermclaim claims` (encounters -> a validated, recorded 837P) and `dermclaim validate`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import click

from coding.errors import CodingError
from coding.model import CodedClaim
from dermclaim.cli import main
from dermclaim.cli._common import EXIT_BAD_INPUT, EXIT_FINDINGS, CliError, echo_err, user_errors

__all__ = ["claims", "validate"]

LONG_BATCH = 200  # claims: below this, validation is over before a bar would be read


@main.command("claims")
@click.argument("encounters", metavar="ENCOUNTER...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=str))
@click.option("--practice", "practice_path", metavar="FILE", required=True,
              type=click.Path(dir_okay=False, path_type=str),
              help="Practice TOML: submitter, billing provider, fee schedule.")
@click.option("-o", "--output", "output", metavar="OUT.837", required=True,
              type=click.Path(dir_okay=False, path_type=str), help="The 837P file to write.")
@click.option("--db", metavar="URL", help="Store URL (default: $DERMCLAIM_DB, else "
              "sqlite:///dermclaim.db). PostgreSQL: postgresql+psycopg://user:pw@host/db.")
@click.option("--now", "now_text", metavar="ISO", help="File date-time (UTC when no offset), "
              "e.g. 2026-03-31T12:00:00, for reproducible output.")
@click.option("--no-newlines", is_flag=True, help="No newline after each ~ (for payers "
              "that reject them).")
@click.option("--payer", metavar="NAME", help="Companion guide for every encounter "
              "(overrides each file's payer), e.g. medicare or commercial.")
def claims(encounters: tuple[str, ...], practice_path: str, output: str, db: str | None,
           now_text: str | None, no_newlines: bool, payer: str | None) -> None:
    """Code encounters and write them as one 837P, validated and recorded in the store.

    Encounters with an error finding, a line without a fee, or an original already sent
    are held back and listed with their reasons; the rest are written (a claim past the
    payer's timely filing limit is written with a warning). The file and the store records
    are saved together or not at all. Exit 0 when everything was written, 1 when any
    encounter was held, 2 when an input cannot be read.

    \b
    Example:
      dermclaim claims samples/encounters/*.json --practice samples/practice.toml \\
          -o out/claims.837 --now 2026-03-31T12:00:00
    """
    from coding.batch import code_batch
    from coding.encounter import load_encounters
    from coding.history import PriorService
    from coding.model import Encounter
    from companion_guides import get_guide
    from edi.practice import load_practice
    from reconcile.store.history import history_for
    from reconcile.store.submissions import submit_claims

    now = _parse_now(now_text)
    unreadable: list[str] = []
    loaded: list[Encounter] = []

    def stored(enc: Encounter) -> tuple[PriorService, ...]:
        history, problem = history_for(db, enc)  # earlier claims: global periods
        if problem:
            echo_err(f"warning: {problem}")
        return history

    with user_errors():
        practice = load_practice(practice_path)
        if payer is not None:
            get_guide(payer)
        for path in encounters:
            try:
                loaded.extend(load_encounters(path, payer=payer))
            except CodingError as exc:  # an unreadable file is held, the batch goes on
                unreadable.append(str(exc))
        # the batch's earlier claims are history for the patient's later ones (coding.batch:
        # the same function as `dermclaim code`, so the preview is what is sent)
        coded: list[CodedClaim] = code_batch(loaded, fees=practice.fee_schedule, stored=stored)
        newlines = None if not no_newlines else False
        if newlines is None:
            newlines = all(get_guide(c.payer).newlines for c in coded) if coded else True
        with _validation_bar(len(coded)) as progress:
            result = submit_claims(coded, practice, output, url=db, now=now, newlines=newlines,
                                   progress=progress)
    for line in result.recovered:
        echo_err(f"recovered: {line}")
    held = [*unreadable, *(h.describe() for h in result.held)]
    for message in held:
        echo_err(f"held: {message}")
    for warning in result.warnings:
        echo_err(f"warning: {warning.describe('written')}")
    if result.out_path is None:
        raise CliError(f"nothing written to {output}: all {len(held)} encounters were held",
                       EXIT_FINDINGS)
    payers = sorted({w.guide.name for w in result.claims})
    split = sum(1 for w in result.claims if w.part.parts > 1)
    click.echo(
        f"wrote {result.out_path}: {len(result.claims)} claims ({result.line_count} lines, "
        f"${result.total_charge:,.2f}) for {', '.join(payers)}; interchange "
        f"{result.interchange_control_number:09d}; pyx12: 0 errors; recorded in the store"
        + (f"; {split} claim parts from split claims" if split else "")
    )
    if held:
        click.echo(f"{len(held)} encounter(s) held back (listed above)")
        raise SystemExit(EXIT_FINDINGS)


@main.command("validate")
@click.argument("file", metavar="FILE", type=click.Path(dir_okay=False, path_type=str))
@click.option("--ack", "ack", metavar="FILE.999", type=click.Path(dir_okay=False, path_type=str),
              help="Also write pyx12's 999 acknowledgment to this file.")
def validate(file: str, ack: str | None) -> None:
    """Check an 837P or 835 against its implementation guide (pyx12) and, for an 837P, the
    checks pyx12 does not make. Prints each problem with its segment number, segment ID
    and loop; exit 1 when there are errors.

    \b
    Example:
      dermclaim validate samples/claims.837
      dermclaim validate samples/remit.835
      dermclaim validate out/claims.837 --ack out/claims.999
    """
    from edi.validate import validate_path

    with user_errors():
        report = validate_path(file, ack)
    for finding in report.findings:
        click.echo(f"{file}: {finding.level.value}: {finding.describe()}")
    kinds = "/".join(report.transaction_types) or "X12"
    errors = len(report.errors)
    click.echo(f"{file}: {kinds}, {report.segment_count} segments: "
               + ("valid" if not errors else f"{errors} error(s)")
               + (f"; 999 written to {ack}" if ack else ""))
    if errors:
        raise SystemExit(EXIT_FINDINGS)


@contextmanager
def _validation_bar(claims: int) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr while pyx12 validates a long batch (on a terminal only)."""
    shown = claims >= LONG_BATCH and sys.stderr.isatty()
    with click.progressbar(length=1, label=f"validating {claims} claims", file=sys.stderr,
                           hidden=not shown) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)
        yield progress


def _parse_now(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--now: {text!r} is not an ISO date-time such as 2026-03-05T09:30:00",
                       EXIT_BAD_INPUT) from None
