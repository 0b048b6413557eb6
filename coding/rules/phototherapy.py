"""Phototherapy and photodynamic therapy (96900, 96910, 96912, 96913, 96920–96922, 96567,
96573, 96574): code × units, default 1. The allowed codes are the input contract's
(`coding.encounter_procedures.PHOTOTHERAPY_CODES`), so the loader and this rule agree; a code
outside it (a caller building a Procedure directly) is still billed but draws a warning."""

from __future__ import annotations

import re

from coding.encounter_procedures import PHOTOTHERAPY_CODES
from coding.rules.base import ItemList, RuleContext, RuleResult
from coding.rules.common import error, read_count, single_line, warning

__all__ = ["KNOWN_CODES", "code"]

KNOWN_CODES = PHOTOTHERAPY_CODES
CPT = re.compile(r"\d{5}")


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    result = RuleResult()
    for index, proc in items:
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
    return result
