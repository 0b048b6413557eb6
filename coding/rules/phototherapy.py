"""Phototherapy and photodynamic therapy (96900, 96910, 96912, 96913, 96920–96922, 96567,
96573, 96574): code × units, default 1. The allowed codes are the input contract's
(`coding.encounter_procedures.PHOTOTHERAPY_CODES`), so the loader and this rule agree; a code
outside it (a caller building a Procedure directly) is still billed but draws a warning.

The excimer laser 96920–96922 is coded by the session's total area (`area_sq_cm`,
`totals.py`: < 250, 250–500, > 500 sq cm), once. A photodynamic therapy procedure's topical
drug (e.g. aminolevulinic acid gel J7345, per 10 mg, single-dose tube) is documented as its
`drug` and billed on its own line by `drugs.py`: units of the amount applied, and, for
Medicare, the discarded rest of the single-dose tube on a JW line."""

from __future__ import annotations

import re

from coding.encounter_procedures import PHOTOTHERAPY_CODES
from coding.rules import totals
from coding.rules.base import ItemList, RuleContext, RuleResult
from coding.rules.common import error, read_count, single_line, warning
from coding.rules.drugs import drug_lines

__all__ = ["KNOWN_CODES", "code"]

KNOWN_CODES = PHOTOTHERAPY_CODES
CPT = re.compile(r"\d{5}")


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    result = RuleResult()
    given = [(i, p, "applied topically") for i, p in items if p.drug is not None]
    by_total = [(i, p) for i, p in items if totals.counted(p)]
    if by_total:
        result.extend(totals.code(by_total, ctx, "phototherapy"))
    for index, proc in items:
        if totals.counted(proc):
            continue
        label = f"phototherapy (procedure {index})"
        problems = []
        if not isinstance(proc.code, str) or not CPT.fullmatch(proc.code):
            problems.append(error("BAD_FIELD", f"{label}: code {proc.code!r} is not a 5-digit "
                                  "CPT code (e.g. 96910)", index, "code"))
        units, found = read_count(proc, index, "units", label, default=1)
        problems.extend(found)
        if problems or units is None:
            result.findings.extend(problems)
            continue
        if proc.code not in KNOWN_CODES:
            result.findings.append(warning(
                "UNKNOWN_PHOTOTHERAPY_CODE",
                f"{label}: {proc.code} is not a phototherapy/photodynamic code "
                f"({', '.join(KNOWN_CODES)}); billed as documented",
                index, "code",
            ))
        result.lines.append(single_line(
            proc, index, code=str(proc.code), units=units, family="phototherapy",
            rationale=f"Phototherapy {proc.code} × {units} as documented",
        ))
    if given:
        result.extend(drug_lines(given, ctx))
    return result
