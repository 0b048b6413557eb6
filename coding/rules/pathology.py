"""Surgical pathology (88304, 88305, 88312, 88341, 88342 …): code × specimens when read in
house; read elsewhere (`in_house: false`) → no line, the reading lab bills it (info finding).
"""

from __future__ import annotations

import re

from coding.rules.base import ItemList, RuleContext, RuleResult
from coding.rules.common import error, info, read_count, single_line

__all__ = ["code"]

CPT = re.compile(r"\d{5}")


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    result = RuleResult()
    for index, proc in items:
        label = f"pathology (procedure {index})"
        if proc.in_house is False:
            result.findings.append(info(
                "PATHOLOGY_ELSEWHERE",
                f"{label}: read by an outside laboratory (in_house false); the laboratory "
                "bills it, no line on this claim",
                index, "in_house",
            ))
            continue
        problems = []
        if proc.in_house is not True:
            problems.append(error("MISSING_FIELD", f"{label}: in_house (true/false) is required "
                                  "to know who bills the reading", index, "in_house"))
        if not isinstance(proc.code, str) or not CPT.fullmatch(proc.code):
            problems.append(error("BAD_FIELD", f"{label}: code {proc.code!r} is not a 5-digit "
                                  "CPT pathology code (e.g. 88305)", index, "code"))
        specimens, found = read_count(proc, index, "specimens", label)
        problems.extend(found)
        if problems or specimens is None:
            result.findings.extend(problems)
            continue
        result.lines.append(single_line(
            proc, index, code=str(proc.code), units=specimens, family="pathology",
            rationale=(f"Pathology {proc.code} read in house, one unit per specimen → "
                       f"{specimens} unit(s)"),
        ))
    return result
