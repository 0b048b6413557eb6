"""`dermclaim correct`: fixable denials corrected by the payer's route, a thin adapter over
`reconcile.corrections.correct`."""

from __future__ import annotations

from pathlib import Path

import click

from dermclaim.cli import main
from dermclaim.cli._common import DB_OPTION, reading_store, user_errors


@main.command("correct")
@click.option("--cause", "causes", multiple=True,
              type=click.Choice(["missing_25", "count", "bundling", "modifier",
                                 "missing_information", "medical_necessity"]),
              help="Only these causes (repeatable; default all).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="837P file for the replacement claims and new originals.")
@click.option("--practice", "practice", required=True, type=click.Path(path_type=Path),
              help="Practice file (submitter, billing provider, fee schedule).")
@click.argument("encounters", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--requests", "requests_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for reopening requests (default: the -o file's folder).")
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
    `corrected` and are never corrected twice; every other one is listed with why.

    ENCOUNTERS: amended documentation (encounter JSON with the claim's id: an addendum, the
    vial's NDC, the corrected site) to correct from; without them the encounters as stored.

    \b
    Example:
      dermclaim correct samples/corrections/*.json -o out/corrected.837 \\
        --practice samples/practice.toml
    """
    import json as json_module

    from reconcile.corrections.correct import CORRECTABLE, correct_denials

    with user_errors():
        reading_store(db)  # corrects what the store holds: none -> nothing to correct
        res = correct_denials(output, practice, db, causes or CORRECTABLE,
                              encounters=encounters, requests_dir=requests_dir)
    for line in res.recovered:
        click.echo(f"recovered: {line}", err=True)
    if as_json:
        click.echo(json_module.dumps(res.as_json(), indent=2))
        return
    if res.out_path is not None:
        sent = [c for c in res.corrected if c.route != "reopening"]
        click.echo(f"{res.out_path}: {len(sent)} corrected claims "
                   f"(ISA13 {res.interchange_control_number:09d})")
    for path in res.requests:
        click.echo(f"{path}: reopening request")
    if not res.corrected:
        click.echo("no claim could be corrected; nothing written")
    labels = {"replacement": "replaces", "new_original": "new claim after", "reopening":
              "reopening of"}
    for c in res.corrected:
        click.echo(f"  {c.claim_id} ({labels[c.route]} {c.payer_claim_number}): "
                   + "; ".join(f.change for f in c.fixes))
    if res.not_corrected:
        click.echo(f"not corrected: {len(res.not_corrected)} denied lines")
        for n in res.not_corrected:
            click.echo(f"  {n.claim_id} {n.line_control_number or '-'} {n.code or '-'} "
                       f"{n.cause}: {n.reason}")
