"""Excision of benign (114xx) and malignant (116xx) lesions, one line per lesion.

Excised diameter = greatest clinical lesion diameter + 2 × the narrowest margin, measured
before excision (CPT excision guidelines; mdedge/Cutis "A potpourri of things to do
correctly"); excised diameters are never added across lesions. The code is chosen by
behavior (final pathology), the excision site group and the diameter bracket in
coding/data/size_codes.csv. Repairs attached to an excision are coded by `repair.py`
(simple closure is included in the excision).
"""

from __future__ import annotations

from decimal import Decimal

from coding.model import Finding, Procedure
from coding.rules.base import ItemList, RuleContext, RuleResult
from coding.rules.common import bracket_code, error, fmt_cm, place, read_cm, single_line

__all__ = ["BEHAVIORS", "excised_diameter", "code"]

BEHAVIORS = {"benign": "excision_benign", "malignant": "excision_malignant"}
GROUP_NAMES = {
    "a": "trunk/arms/legs group",
    "b": "scalp/neck/hands/feet/genitalia group",
    "c": "face/ears/eyelids/nose/lips/mucous membrane group",
}


def excised_diameter(
    proc: Procedure, index: int
) -> tuple[Decimal | None, Decimal | None, Decimal | None, list[Finding]]:
    """(excised diameter, lesion, margin, findings); the diameter is None on bad input."""
    label = f"excision (procedure {index})"
    lesion, f1 = read_cm(proc, index, "lesion_cm", label)
    margin, f2 = read_cm(proc, index, "margin_cm", label, allow_zero=True)
    if lesion is None or margin is None:
        return None, lesion, margin, f1 + f2
    return lesion + 2 * margin, lesion, margin, []


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    result = RuleResult()
    for index, proc in items:
        label = f"excision (procedure {index})"
        problems: list[Finding] = []
        family = BEHAVIORS.get(proc.behavior) if isinstance(proc.behavior, str) else None
        if family is None:
            problems.append(error(
                "BAD_FIELD" if proc.behavior is not None else "MISSING_FIELD",
                f"{label}: behavior {proc.behavior!r} must be benign or malignant "
                "(the final pathology)",
                index, "behavior",
            ))
        diameter, lesion, margin, found = excised_diameter(proc, index)
        problems.extend(found)
        group, found = place("excision", proc, index, label)
        problems.extend(found)
        if problems or family is None or diameter is None or group is None:
            result.findings.extend(problems)
            continue
        assert lesion is not None and margin is not None
        bracket = bracket_code(family, group, diameter)
        if bracket is None:  # pragma: no cover - every group has an open-ended bracket
            result.findings.append(error("NO_CODE", f"{label}: no code for {diameter} cm",
                                         index, "lesion_cm"))
            continue
        result.lines.append(single_line(
            proc, index, code=bracket.code, units=1, family="excision",
            lesion=proc.lesion or f"#{index}",
            rationale=(
                f"Excised diameter {fmt_cm(diameter)} cm = lesion {fmt_cm(lesion)} + 2 × margin "
                f"{fmt_cm(margin)}; {proc.behavior}, {proc.site} in the {GROUP_NAMES[group]} → "
                f"{bracket.code}"
            ),
        ))
    return result
