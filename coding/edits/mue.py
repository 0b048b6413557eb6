"""Medically Unlikely Edits: units of one code on the date of service above its maximum.

The limit is the guide's `mue_overrides` entry, else the MUE table in force (CMS's quarterly
file via `$DERMCLAIM_NCCI_MUE`, see `mue_file`, else the curated `coding/data/mue.csv`).
Units are summed over every line of the code (date-of-service edits, MAI 2 and 3; for MAI 1
line edits the sum is what the lines would hold if not split). The warning says what to do
for the adjudication indicator; an MUE denial is a coding denial, so an ABN never shifts it
to the patient.
"""

from __future__ import annotations

from coding.edits.context import EditContext
from coding.model import Finding, Severity
from coding.rules.base import DraftLine

__all__ = ["apply", "limit"]

_ADVICE = {
    "1": "MAI 1 (line edit): if the units were at separate sites, report them on separate "
         "lines with anatomic modifiers or XS/59",
    "2": "MAI 2 (absolute date-of-service edit): units above it are never paid for one day — "
         "check the count",
    "3": "MAI 3 (date-of-service edit): units above it are denied; if the count is right, "
         "appeal with the medical record",
    None: "units above it are usually denied (CARC 151, RARC N362): check the count; if it "
          "is right, keep the record ready for appeal",
}


def limit(code: str, ctx: EditContext) -> tuple[int, str | None, str] | None:
    """(units, MAI, source) of the MUE in force for `code`, or None."""
    row = ctx.mue.get(code)
    if code in ctx.guide.mue_overrides:
        return (ctx.guide.mue_overrides[code], row.mai if row else None,
                f"companion guide {ctx.guide.name}")
    return (row.units, row.mai, f"MUE source: {row.source}") if row else None


def apply(lines: list[DraftLine], ctx: EditContext) -> list[Finding]:
    totals: dict[str, int] = {}
    first: dict[str, DraftLine] = {}
    for line in lines:
        totals[line.code] = totals.get(line.code, 0) + line.units
        first.setdefault(line.code, line)
    findings = []
    for code, units in totals.items():
        found = limit(code, ctx)
        if found is None or units <= found[0]:
            continue
        maximum, mai, source = found
        findings.append(Finding(
            Severity.WARNING, "MUE_EXCEEDED",
            f"{code} × {units} exceeds its MUE of {maximum} per date of service ({source}): "
            f"{_ADVICE[mai]}. An ABN does not move an MUE denial to the patient",
            first[code].procedure))
    return findings
