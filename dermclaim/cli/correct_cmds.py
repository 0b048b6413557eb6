"""`dermclaim correct`: fixable denials corrected by the payer's route, a thin adapter over
`reconcile.corrections.correct`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dermclaim.cli import main
from dermclaim.cli._common import DB_OPTION, EXIT_FINDINGS, echo_err, reading_store, user_errors
from dermclaim.cli._io import EXIT_EPILOG, is_stdout, refuse_dash, shown, stdin_inputs
from dermclaim.cli._text import plural as _n


@main.command("correct", epilog=EXIT_EPILOG)
@click.option("--cause", "causes", multiple=True,
              type=click.Choice(["missing_25", "count", "bundling", "modifier",
                                 "missing_information", "medical_necessity"],
                                case_sensitive=False),
              help="Only these causes (repeatable; default all).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="837P file for the replacement claims and new originals ('-': stdout).")
@click.option("--practice", "practice", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Practice file (submitter, billing provider, fee schedule; '-': stdin).")
@click.argument("encounters", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--requests", "requests_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for reopening requests (default: the -o file's folder, "
                                 "the current folder with -o -). Several files: not '-'.")
@click.option("--json", "as_json", is_flag=True, help="Print what was corrected as JSON.")
@DB_OPTION
def correct_cmd(causes: tuple[str, ...], output: Path, practice: Path,
                encounters: tuple[Path, ...], requests_dir: Path | None, as_json: bool,
                db: str | None) -> None:
    """Correct the fixable denials the way each payer takes a correction (its companion
    guide's correction_route): frequency-7 replacement claims with REF*F8 for payers that
    take them; for Medicare, a reopening request per claim (claim, line, what changes and
    why) and, for lines returned unprocessable (CO-16 with MA130), a new original claim
    with those lines only. A fix is what the documentation supports against the line as
    sent: 25 on a separate E/M, the distinct modifier at distinct lesions, the documented
    units, or what amended documentation changes. Corrected denials move to
    `corrected` and are never corrected twice; every other one is listed with why (on
    stderr). Exit 1 when a correction was made but held back from the file.

    ENCOUNTERS: amended documentation (encounter JSON with the claim's id: an addendum, the
    vial's NDC, the corrected site) to correct from; without them the encounters as stored.

    \b
    Example:
      dermclaim correct samples/corrections/*.json -o out/corrected.837 \\
        --practice samples/practice.toml
    """
    import json as json_module

    from reconcile.corrections.correct import CORRECTABLE, correct_denials

    refuse_dash("--requests", requests_dir, "reopening requests")
    to_stdout = is_stdout(output)
    with stdin_inputs([practice, *encounters]) as (practice_in, *encounters_in), \
            user_errors():
        assert practice_in is not None
        reading_store(db)  # corrects what the store holds: none -> nothing to correct
        res = correct_denials(output, practice_in, db, causes or CORRECTABLE,
                              encounters=[e for e in encounters_in if e is not None],
                              requests_dir=requests_dir,
                              stream=sys.stdout.buffer if to_stdout
                              else None)
    for line in res.recovered:
        click.echo(f"recovered: {line}", err=True)

    on_stdout = to_stdout and res.out_path is not None  # the 837P took stdout

    def say(text: str) -> None:  # results on stdout, unless stdout carries the 837P
        click.echo(text, err=on_stdout)

    if as_json:
        say(json_module.dumps(res.as_json(), indent=2))
    else:
        if res.out_path is not None:
            sent = [c for c in res.corrected if c.route != "reopening"]
            say(f"{res.out_path}: {_n(len(sent), 'corrected claim')} "
                f"(ISA13 {res.interchange_control_number:09d})")
        for path in res.requests:
            say(f"{path}: reopening request")
        if not res.corrected:
            say("no claim could be corrected; nothing written")
        labels = {"replacement": "replaces", "new_original": "new claim after", "reopening":
                  "reopening of"}
        for c in res.corrected:
            say(f"  {c.claim_id} ({labels[c.route]} {c.payer_claim_number}): "
                + "; ".join(f.change for f in c.fixes))
        if res.not_corrected:
            echo_err(f"not corrected: {_n(len(res.not_corrected), 'denied line')}")
            for n in res.not_corrected:
                echo_err(f"  {n.claim_id} {n.line_control_number or '-'} {n.code or '-'} "
                         f"{n.cause}: {shown(n.reason)}")
    if any(n.reason.startswith("correction held") for n in res.not_corrected):
        raise SystemExit(EXIT_FINDINGS)  # a correction was made and then held back
