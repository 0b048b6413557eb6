"""`dermclaim code`: show the claim lines an encounter file codes to."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from coding.batch import code_batch
from coding.encounter import load_encounters
from coding.history import PriorService
from coding.model import CodedClaim, Severity
from coding.validation import dotted
from companion_guides import get_guide
from dermclaim.cli import main
from dermclaim.cli._common import EXIT_FINDINGS, echo_err, user_errors
from dermclaim.cli._io import EXIT_EPILOG, guide_options, pick_guide, stdin_inputs
from dermclaim.cli._text import money_text

__all__ = ["code", "claim_to_json", "plain"]


@main.command("code", epilog=EXIT_EPILOG)
@click.argument("encounter_file", metavar="ENCOUNTER.json",
                type=click.Path(dir_okay=False, path_type=str))
@guide_options("coding")
@click.option("--practice", metavar="FILE", type=click.Path(dir_okay=False, path_type=str),
              help="Practice TOML file whose [fees] price the lines (charges are null without).")
@click.option("--db", metavar="URL", help="Store whose recorded claims give the patient's "
              "earlier services (global periods: 24/58/78/79); default $DERMCLAIM_DB, else "
              "sqlite:///dermclaim.db when that file exists. Never created, only read.")
@click.option("--json", "as_json", is_flag=True, help="Print the coded claim(s) as JSON.")
def code(encounter_file: str, guide: str | None, payer_alias: str | None, practice: str | None,
         db: str | None, as_json: bool) -> None:
    """Code an encounter file into claim lines with modifiers, units and findings.

    Exit status: 0 when no finding is an error, 1 when one is (the claim must not go out),
    2 when the file cannot be read as an encounter (the message names file and field).

    \b
    Example:
      dermclaim code samples/encounters/01-em25-biopsies.json
      dermclaim code samples/encounters/06-stelara-injection-commercial.json \\
          --practice samples/practice.toml --json
      dermclaim code visit.json --db sqlite:///dermclaim.db   # with the patient's history
      cat visit.json | dermclaim code - --guide commercial
    """
    payer = pick_guide(guide, payer_alias)
    with stdin_inputs([encounter_file, practice]) as (encounter_path, practice_path), \
            user_errors():
        assert encounter_path is not None
        fees = None
        if practice_path is not None:
            from edi.practice import load_practice  # edi is only needed for pricing

            fees = load_practice(practice_path).fee_schedule
        if payer is not None:
            get_guide(payer)  # unknown payer → GuideError naming the known guides
        encounters = load_encounters(encounter_path, payer=payer)
        # a batch file (one patient's visits): each visit with the earlier ones as history,
        # the same function as `dermclaim claims` (58/78/79/24 inside a global period)
        claims = code_batch(encounters, fees=fees, stored=lambda enc: _history(db, enc))
    if as_json:
        shaped = [claim_to_json(c) for c in claims]
        click.echo(json.dumps(shaped[0] if len(shaped) == 1 else shaped, indent=2))
    else:
        for n, claim in enumerate(claims):
            if n:
                click.echo("")
            click.echo(_table(claim))
    if any(c.has_errors for c in claims):
        raise SystemExit(EXIT_FINDINGS)


def _history(db: str | None, enc: Any) -> tuple[PriorService, ...]:
    """The patient's earlier services from the store, when one exists (never created)."""
    if _no_sqlite_store(db):
        return ()  # nothing to read: the store's modules (SQLAlchemy) are not even imported
    from reconcile.store.history import history_for

    services, problem = history_for(db, enc)
    if problem:
        echo_err(f"warning: {problem}")
    return services


def _no_sqlite_store(db: str | None) -> bool:
    """True when the store URL (as `reconcile.store.database.resolve_url` would choose it)
    names an SQLite file that does not exist: a one-encounter `code` run stays quick."""
    url = db or os.environ.get("DERMCLAIM_DB") or "sqlite:///dermclaim.db"
    if not url.startswith("sqlite:///"):
        return False
    path = url[len("sqlite:///"):].split("?", 1)[0]
    return path not in ("", ":memory:") and not Path(path).is_file()


def plain(value: Decimal) -> str:
    """Decimal as plain text, never exponent form: Decimal('2E+1') → '20'."""
    return format(value, "f")


def claim_to_json(claim: CodedClaim) -> dict[str, Any]:
    """The issue-2 JSON shape: codes as strings, units ints, charges decimal strings/null; a
    line of a not-otherwise-classified code also has its SV101-7 `description`."""
    out: dict[str, Any] = {
        "claim_id": claim.claim_id,
        "payer": claim.payer,
        "date_of_service": claim.date_of_service.isoformat(),
        "diagnoses": [dotted(d) for d in claim.diagnoses],
        "lines": [
            {
                "line": line.line,
                "code": line.code,
                "modifiers": list(line.modifiers),
                "units": line.units,
                "charge": None if line.charge is None else str(line.charge),
                "diagnosis_pointers": list(line.diagnosis_pointers),
                "line_control_number": line.line_control_number,
                "drug": None if line.drug is None else {
                    "ndc": line.drug.ndc, "quantity": plain(line.drug.quantity),
                    "unit": line.drug.unit,
                },
                "rationale": line.rationale,
            }
            for line in claim.lines
        ],
        "findings": [
            {"severity": f.severity.value, "code": f.code, "message": f.message,
             "procedure": f.procedure}
            for f in claim.findings
        ],
    }
    lines: list[dict[str, Any]] = out["lines"]
    for shaped, line in zip(lines, claim.lines, strict=True):
        if line.description:
            shaped["description"] = line.description
    return out


def _table(claim: CodedClaim) -> str:
    dx = "  ".join(f"{i}:{dotted(d)}" for i, d in enumerate(claim.diagnoses, start=1))
    out = [f"claim {claim.claim_id}  payer {claim.payer}  date {claim.date_of_service}",
           f"diagnoses  {dx}", ""]
    rows = [("line", "code", "modifiers", "units", "charge", "dx", "rationale")]
    for line in claim.lines:
        drug = ""
        if line.drug:
            drug = f" [NDC {line.drug.ndc} {plain(line.drug.quantity)} {line.drug.unit}]"
        if line.description:
            drug += f" [SV101-7: {line.description}]"
        rows.append((str(line.line), line.code, "-".join(line.modifiers) or "-", str(line.units),
                     money_text(line.charge),
                     ",".join(map(str, line.diagnosis_pointers)), line.rationale + drug))
    if len(rows) == 1:
        out.append("(no lines to bill the payer)")
    else:
        widths = [max(len(r[i]) for r in rows) for i in range(6)]
        for r in rows:
            cells = "  ".join(c.ljust(w) for c, w in zip(r[:6], widths, strict=True))
            out.append(f"{cells}  {r[6]}")
    if claim.total_charge is not None and claim.lines:
        out.append(f"total charge {money_text(claim.total_charge)}")
    if claim.findings:
        out.append("")
        out.append("findings:")
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        for f in sorted(claim.findings, key=lambda f: order[f.severity]):
            where = f" (procedure {f.procedure})" if f.procedure is not None else ""
            out.append(f"  {f.severity.value:<7} {f.code}{where}: {f.message}")
    return "\n".join(out)
