"""`dermclaim claims` (encounters -> a validated, recorded 837P) and `dermclaim validate`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from coding.errors import CodingError
from coding.model import CodedClaim
from dermclaim.cli import main
from dermclaim.cli._common import EXIT_BAD_INPUT, EXIT_FINDINGS, CliError, echo_err, user_errors
from dermclaim.cli._io import (
    EXIT_EPILOG,
    check_store_url,
    display_name,
    guide_options,
    is_stdout,
    open_store,
    pick_guide,
    shown,
    stdin_inputs,
)
from dermclaim.cli._text import money_json, money_text
from dermclaim.cli._text import plural as _n

__all__ = ["claims", "validate"]

LONG_BATCH = 200  # claims: below this, validation is over before a bar would be read


@main.command("claims", epilog=EXIT_EPILOG)
@click.argument("encounters", metavar="ENCOUNTER...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=str))
@click.option("--practice", "practice_path", metavar="FILE", required=True,
              type=click.Path(dir_okay=False, path_type=str),
              help="Practice TOML: submitter, billing provider, fee schedule ('-': stdin).")
@click.option("-o", "--output", "output", metavar="OUT.837", required=True,
              type=click.Path(dir_okay=False, path_type=str),
              help="The 837P file to write ('-': stdout; the store then records its content "
                   "hash, no path).")
@click.option("--db", metavar="URL", help="Store URL (default: $DERMCLAIM_DB, else "
              "sqlite:///dermclaim.db). PostgreSQL: postgresql+psycopg://user:pw@host/db.")
@click.option("--now", "now_text", metavar="ISO", help="File date-time (UTC when no offset), "
              "e.g. 2026-03-31T12:00:00, for reproducible output.")
@click.option("--no-newlines", is_flag=True, help="No newline after each ~ (for payers "
              "that reject them).")
@guide_options("every encounter")
@click.option("--json", "as_json", is_flag=True,
              help="Print what was written and held as JSON (see the README's JSON shapes).")
def claims(encounters: tuple[str, ...], practice_path: str, output: str, db: str | None,
           now_text: str | None, no_newlines: bool, guide: str | None,
           payer_alias: str | None, as_json: bool) -> None:
    """Code encounters and write them as one 837P, validated and recorded in the store.

    Encounters with an error finding, a line without a fee, or an original already sent
    are held back and listed with their reasons; the rest are written (a claim past the
    payer's timely filing limit is written with a warning). The file and the store records
    are saved together or not at all. A file that cannot be read as JSON (or an ENCOUNTER
    that is not one) stops the run before anything is written (exit 2).

    \b
    Example:
      dermclaim claims samples/encounters/*.json --practice samples/practice.toml \\
          -o out/claims.837 --now 2026-03-31T12:00:00
    """
    payer = pick_guide(guide, payer_alias)
    now = _parse_now(now_text)
    check_store_url(db)
    with stdin_inputs([practice_path, *encounters]) as (practice_in, *encounter_in):
        _claims(encounter_in, practice_in, output, db, now, no_newlines, payer, as_json)


def _claims(encounters: list[Path | None], practice_path: Path | None, output: str,
            db: str | None, now: datetime | None, no_newlines: bool, payer: str | None,
            as_json: bool) -> None:
    from coding.batch import code_batch
    from coding.encounter import load_encounters
    from coding.errors import EncounterError
    from coding.history import PriorService
    from coding.model import Encounter
    from coding.spool import Encounters
    from companion_guides import get_guide
    from edi.practice import load_practice
    from reconcile.store.history import history_for
    from reconcile.store.submissions import submit_claims

    assert practice_path is not None
    to_stdout = is_stdout(output)
    unreadable: list[str] = []
    invalid: list[str] = []
    loaded = Encounters()  # past 5,000 encounters on disk: memory stays flat (coding.spool)

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
            assert path is not None
            try:
                for enc in load_encounters(path, payer=payer):
                    loaded.append(enc)
            except EncounterError as exc:
                if all(not field for field, _ in exc.problems):  # the file itself: not JSON
                    unreadable.append(shown(str(exc)))
                else:  # an encounter with bad fields is held, the batch goes on
                    invalid.append(shown(str(exc)))
            except CodingError as exc:
                invalid.append(shown(str(exc)))
        if unreadable:
            raise CliError("nothing written: " + "; ".join(unreadable), EXIT_BAD_INPUT)
        open_store(db, create=True)
        # the batch's earlier claims are history for the patient's later ones (coding.batch:
        # the same function as `dermclaim code`, so the preview is what is sent)
        coded: Sequence[CodedClaim] = code_batch(loaded, fees=practice.fee_schedule,
                                                 stored=stored)
        newlines = None if not no_newlines else False
        if newlines is None:
            newlines = all(get_guide(name).newlines for name in loaded.payers)
        with _validation_bar(len(coded)) as progress:
            result = submit_claims(coded, practice, output, url=db, now=now, newlines=newlines,
                                   progress=progress,
                                   stream=sys.stdout.buffer if to_stdout
                                   else None)
    for line in result.recovered:
        echo_err(f"recovered: {line}")
    held = [*invalid, *(h.describe() for h in result.held)]
    for message in held:
        echo_err(f"held: {message}")
    for warning in result.warnings:
        echo_err(f"warning: {warning.describe('written')}")
    if as_json:  # on stdout, unless the 837P went there
        _echo_result(claims_json(result, held), to_stdout and result.out_path is not None)
    if result.out_path is None:
        which = "its encounter was" if len(held) == 1 else f"all {len(held)} encounters were"
        raise CliError(f"nothing written to {display_name(output)}: {which} held",
                       EXIT_FINDINGS)
    if not as_json:
        payers = sorted({w.guide.name for w in result.claims})
        split = sum(1 for w in result.claims if w.part.parts > 1)
        where = "<stdout>" if to_stdout else str(result.out_path)
        _echo_result(
            f"wrote {where}: {_n(len(result.claims), 'claim')} "
            f"({_n(result.line_count, 'line')}, {money_text(result.total_charge)}) for "
            f"{', '.join(payers)}; interchange {result.interchange_control_number:09d}; "
            "pyx12: 0 errors; recorded in the store"
            + (f"; {_n(split, 'claim part')} from split claims" if split else ""), to_stdout)
    if held:
        echo_err(f"{_n(len(held), 'encounter')} held back (listed above)")
        raise SystemExit(EXIT_FINDINGS)


def claims_json(result: Any, held: list[str]) -> dict[str, Any]:
    """`claims --json`: what was written (ids and money) and what was held (why)."""
    claims = [{"claim_id": w.part.clm01, "payer": w.guide.name,
               "lines": len(w.part.lines), "total_charge": money_json(w.part.total_charge)}
              for w in result.claims]
    return {
        "written": result.out_path is not None,
        "file": None if result.out_path is None else str(result.out_path),
        "interchange_control_number": result.interchange_control_number,
        "file_hash": result.file_hash,
        "items": claims,
        "held": [{"message": m} for m in held],
        "warnings": [w.describe("written") for w in result.warnings],
        "totals": {"claims": len(claims), "lines": result.line_count,
                   "total_charge": money_json(result.total_charge), "held": len(held)},
    }


def _echo_result(value: Any, to_stdout: bool) -> None:
    """A result on stdout, or on stderr when stdout carries the 837P itself."""
    text = value if isinstance(value, str) else json.dumps(value, indent=2)
    click.echo(text, err=to_stdout)


@main.command("validate", epilog=EXIT_EPILOG)
@click.argument("file", metavar="FILE", type=click.Path(dir_okay=False, path_type=str))
@click.option("--ack", "ack", metavar="FILE.999", type=click.Path(dir_okay=False, path_type=str),
              help="Also write pyx12's 999 acknowledgment to this file ('-': stdout; the "
                   "findings then go to stderr).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the findings as JSON (see the README's JSON shapes).")
def validate(file: str, ack: str | None, as_json: bool) -> None:
    """Check an 837P or 835 against its implementation guide (pyx12) and, for an 837P, the
    checks pyx12 does not make. Prints each problem with its segment number, segment ID
    and loop; exit 1 when there are errors. FILE '-' reads stdin.

    \b
    Example:
      dermclaim validate samples/claims.837
      dermclaim validate samples/remit.835
      dermclaim validate out/claims.837 --ack out/claims.999
      cat out/claims.837 | dermclaim validate - --json
    """
    from edi.validate import validate_path

    name = display_name(file)
    ack_to_stdout = is_stdout(ack)
    with stdin_inputs([file]) as (path,), user_errors():
        assert path is not None
        report = validate_path(path, ack)
    errors = len(report.errors)
    if as_json:
        click.echo(json.dumps(validation_json(name, report), indent=2), err=ack_to_stdout)
    else:
        for finding in report.findings:
            click.echo(f"{name}: {finding.level.value}: {shown(finding.describe())}",
                       err=ack_to_stdout)
        kinds = "/".join(report.transaction_types) or "X12"
        where = "<stdout>" if ack_to_stdout else ack
        click.echo(f"{name}: {kinds}, {_n(report.segment_count, 'segment')}: "
                   + ("valid" if not errors else _n(errors, "error"))
                   + (f"; 999 written to {where}" if ack else ""), err=ack_to_stdout)
    if errors:
        raise SystemExit(EXIT_FINDINGS)


def validation_json(name: str, report: Any) -> dict[str, Any]:
    """`validate --json`: the file, its transaction types and every finding."""
    findings = [{"level": f.level.value, "checker": f.checker, "code": f.code,
                 "segment_number": f.segment_number, "segment_id": f.segment_id,
                 "loop": f.loop, "element": f.element, "message": shown(f.message)}
                for f in report.findings]
    return {"file": name, "transaction_types": list(report.transaction_types),
            "segment_count": report.segment_count, "valid": not report.errors,
            "findings": findings,
            "totals": {"errors": len(report.errors),
                       "warnings": len(report.findings) - len(report.errors)}}


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


# `claims status` is defined with the acknowledgment commands: when they were loaded before
# this module (an `ack load` earlier in the same process), attach it now
if "dermclaim.cli.ack_cmds" in sys.modules:
    sys.modules["dermclaim.cli.ack_cmds"].attach_status()
