"""Reconciliation commands: `remit load`, `denials`, `worklist`, `report`, `correct`.

Each is a thin adapter: parse options, call one `reconcile` function, print its summary;
library errors become one clear message through `user_errors()`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dermclaim.cli import main, remit
from dermclaim.cli._common import (
    EXIT_FINDINGS,
    CliError,
    reading_store,
    user_errors,
)
from dermclaim.cli._filters import filter_options, filters_from, parse_date

DB_OPTION = click.option("--db", "db", metavar="URL", default=None,
                         help="Store URL (default: $DERMCLAIM_DB, else sqlite:///dermclaim.db).")


def require_store(db: str | None) -> None:
    """A command that only reads the store says so when there is none (never creates one):
    an SQLite file missing, or a PostgreSQL schema without dermclaim's tables."""
    reading_store(db)


@remit.command("load")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@DB_OPTION
def load_cmd(files: tuple[Path, ...], db: str | None) -> None:
    """Load 835 files into the store: matched to what was sent, denials classified.

    Each file loads in one transaction (all or nothing) and only once; a broken file is
    reported and skipped while the others load (exit 1).

    \b
    Example:
      dermclaim remit load samples/remit.835 --db sqlite:///dermclaim.db
    """
    from reconcile.load import LoadProgress, load_remittance_files

    sizes = {str(f): (f.stat().st_size if f.is_file() else 0) for f in files}
    total = sum(sizes.values())
    done_before = {"bytes": 0}
    show = total > 2_000_000  # a bar only when the load takes more than a moment
    with user_errors(), click.progressbar(length=max(total, 1), label="loading 835",
                                          file=sys.stderr,
                                          hidden=not show) as bar:
        last = {"pos": 0}

        def progress(p: LoadProgress) -> None:
            pos = done_before["bytes"] + (sizes.get(p.path, 0) if p.done else p.bytes_read)
            if p.done:
                done_before["bytes"] += sizes.get(p.path, 0)
            bar.update(max(pos - last["pos"], 0))
            last["pos"] = max(pos, last["pos"])

        summary = load_remittance_files(list(files), db, progress=progress)
    for line in summary.lines():
        click.echo(line)
    if not summary.ok:
        raise CliError("some files were not loaded (see above)", EXIT_FINDINGS)
    if summary.needs_attention:
        raise CliError("payments with a trace number already posted differently need your "
                       "decision (see above)", EXIT_FINDINGS)


@main.command("denials")
@click.option("--by", type=click.Choice(["cause", "payer", "code", "month"]), default=None,
              help="Totals per key (lines, denied, overturned, recovered), largest first.")
@filter_options()
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@DB_OPTION
def denials_cmd(by: str | None, status: str | None, payer: str | None, cause: str | None,
                code: str | None, since: str | None, until: str | None, as_json: bool,
                db: str | None) -> None:
    """Denied lines with status, cause, CARC/RARC evidence, amount and action, or totals by
    a key with the overturn rate and the money recovered. Lists the open work by default.

    \b
    Example:
      dermclaim denials --by cause
      dermclaim denials --status all --payer medicare --since 2026-10-01 --json > denials.json
    """
    from reconcile import analytics

    with user_errors():
        f = filters_from(status, payer, cause, code, since, until)
        require_store(db)
        if by and status is None:  # totals: every denial, so the overturn rate means something
            f = analytics.Filters(analytics.ALL_STATUSES[:-1], f.payer, f.cause, f.code,
                                  f.since, f.until)
        rows = analytics.denial_rows(db, filters=f)
        out = analytics.group_rows(rows, by) if by else rows
        click.echo(analytics.as_json(out) if as_json else analytics.as_table(out))


@main.command("worklist")
@click.option("-o", "--output", required=True,
              type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="CSV file to write ('-' for stdout).")
@filter_options()
@click.option("--include-expired", is_flag=True,
              help="Also write rows past their appeal deadline (last, section 'expired').")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Count days left to each appeal deadline from this date (default: today).")
@DB_OPTION
def worklist_cmd(output: Path, status: str | None, payer: str | None, cause: str | None,
                 code: str | None, since: str | None, until: str | None,
                 include_expired: bool, as_of: str | None, db: str | None) -> None:
    """Write the appeal worklist: one row per open denial, nearest live deadline first, with
    a stable denial_id, status, owner and last note; past-deadline rows only on request.

    \b
    Example:
      dermclaim worklist -o worklist.csv
      dermclaim worklist --payer medicare --include-expired -o - > medicare.csv
    """
    from reconcile.worklist import write_worklist

    with user_errors():
        f = filters_from(status, payer, cause, code, since, until)
        today = parse_date("--as-of", as_of)
        require_store(db)
        s = write_worklist(output, db, today=today, filters=f, include_expired=include_expired)
    left = f", {s.left_out} past-deadline rows left out (--include-expired)" if s.left_out else ""
    click.echo(f"{s.path}: {s.rows} denied lines, {s.denied_amount:.2f} denied, "
               f"{s.recoverable_amount:.2f} recoverable within deadline, {s.overdue} overdue"
               f"{left}", err=str(output) == "-")


@main.command("report")
@click.option("-o", "--output", required=True,
              type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="HTML file to write (self-contained: opens offline; '-' for stdout).")
@filter_options("every denial not taken back by a reversal")
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="Deadlines and recoverable amounts as of this date (default: today).")
@DB_OPTION
def report_cmd(output: Path, status: str | None, payer: str | None, cause: str | None,
               code: str | None, since: str | None, until: str | None, as_of: str | None,
               db: str | None) -> None:
    """Write the denial report: totals with overturn rate, recovered money and deadlines
    due, charts by cause/payer/code/month, the open worklist's top rows.

    \b
    Example:
      dermclaim report -o report.html
      dermclaim report --payer commercial --since 2026-10-01 -o - > commercial.html
    """
    from reconcile.report import write_report

    with user_errors():
        f = filters_from(status, payer, cause, code, since, until)
        today = parse_date("--as-of", as_of)
        require_store(db)
        s = write_report(output, db, today=today, filters=f)
    t = s.totals
    click.echo(f"{s.path}: billed {t.billed:.2f}, paid {t.paid:.2f}, denied {t.denied:.2f}, "
               f"recoverable {t.recoverable:.2f}, recovered {t.recovered:.2f}",
               err=str(output) == "-")


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

    from reconcile.correct import CORRECTABLE, correct_denials

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
