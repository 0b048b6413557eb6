"""Shave removal 11300-11313: per lesion, by site group and lesion diameter (no margins).

Sizes are never added across lesions (AAPC "Lesion coding: look past the urban myth about
adding up lesion sizes"); brackets ≤0.5, 0.6–1.0, 1.1–2.0, >2.0 cm in coding/data/size_codes.csv.
"""

from __future__ import annotations

from coding.model import Finding
from coding.rules.base import ItemList, RuleContext, RuleResult
from coding.rules.common import bracket_code, fmt_cm, place, read_cm, single_line, warning
from coding.rules.excision import GROUP_NAMES

__all__ = ["code"]


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    result = RuleResult()
    for index, proc in items:
        label = f"shave (procedure {index})"
        problems: list[Finding] = []
        size, found = read_cm(proc, index, "lesion_cm", label)
        problems.extend(found)
        group, found = place("shave", proc, index, label)
        problems.extend(found)
        if problems or size is None or group is None:
            result.findings.extend(problems)
            continue
        if proc.margin_cm is not None:
            result.findings.append(warning(
                "MARGIN_IGNORED",
                f"{label}: a shave removal is sized by the lesion diameter alone; the margin "
                "was not added (if full-thickness with margins, document an excision)",
                index, "margin_cm",
            ))
        bracket = bracket_code("shave", group, size)
        assert bracket is not None  # every group has an open-ended bracket
        result.lines.append(single_line(
            proc, index, code=bracket.code, units=1, family="shave",
            rationale=(
                f"Shave removal, lesion diameter {fmt_cm(size)} cm (no margins), {proc.site} in "
                f"the {GROUP_NAMES[group]} → {bracket.code}"
            ),
        ))
    return result
