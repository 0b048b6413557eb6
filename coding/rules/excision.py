"""Excision of benign (114xx) and malignant (116xx) lesions, one line per lesion.

Excised diameter = greatest clinical lesion diameter + 2 × the narrowest margin, measured
before excision (CPT excision guidelines; mdedge/Cutis "A potpourri of things to do
correctly"); excised diameters are never added across lesions. The code is chosen by
behavior (final pathology), the excision site group and the diameter bracket in
coding/data/size_codes.csv. Repairs attached to an excision are coded by `repair.py`
(simple closure is included in the excision).

A re-excision (for margins, or a staged wider excision) of a malignant lesion is coded from
the original malignant pathology — 116xx by site and excised diameter — even when the
re-excision specimen comes back clear and the note records `behavior: benign` (CPT
guidelines for 11600-11646: a re-excision at a later session to widen margins is reported
with the malignant code and 58; CPT Assistant, May 2012, and AAPC guidance as cited in issue
20 — their text was not readable here). The note says so
with `re_excision: true` and a malignant diagnosis (C43, C44, C4A, D03, D04: ICD-10-CM
melanoma, other skin malignancy, Merkel cell, melanoma / carcinoma in situ) on the
procedure; a `staged` excision recorded benign but pointing to such a diagnosis is coded the
same way with a warning asking to confirm; a benign excision pointing to a malignant
diagnosis otherwise draws a warning.
"""

from __future__ import annotations

from decimal import Decimal

from coding.model import Finding, Procedure
from coding.rules.base import ItemList, RuleContext, RuleResult
from coding.rules.common import (
    bracket_code,
    error,
    fmt_cm,
    info,
    place,
    read_cm,
    single_line,
    warning,
)
from coding.validation import dotted

__all__ = ["BEHAVIORS", "MALIGNANT_DX", "excised_diameter", "coded_behavior", "code"]

BEHAVIORS = {"benign": "excision_benign", "malignant": "excision_malignant"}
# ICD-10-CM categories of a malignant skin lesion as CPT's 116xx reads "malignant": C43
# melanoma, C44 other malignant neoplasm of skin, C4A Merkel cell carcinoma, D03 melanoma in
# situ, D04 carcinoma in situ of skin (ICD-10-CM 2026 tabular; AAPC: in-situ lesions are
# excised as malignant)
MALIGNANT_DX = ("C43", "C44", "C4A", "D03", "D04")
REEXCISION_SOURCE = ("CPT Assistant May 2012; AAPC: a re-excision is coded from the original "
                     "malignant pathology even when the new specimen is clear")
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
        behavior, why, note = _behavior(proc, index, ctx)
        if note is not None:
            result.findings.append(note)
        family = BEHAVIORS[str(behavior)]
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
                f"{fmt_cm(margin)}; {behavior}{why}, {proc.site} in the {GROUP_NAMES[group]} "
                f"→ {bracket.code}"
            ),
        ))
    return result


def coded_behavior(proc: Procedure, ctx: RuleContext) -> str | None:
    """The behaviour the excision is coded by (see the module docstring)."""
    return _behavior(proc, -1, ctx)[0]


def _behavior(proc: Procedure, index: int, ctx: RuleContext
              ) -> tuple[str | None, str, Finding | None]:
    """(behaviour the code is chosen by, why when not the documented one, finding)."""
    if proc.behavior != "benign":
        return proc.behavior, "", None
    dx = proc.diagnoses or ctx.encounter.diagnoses[:1]
    malignant = [d for d in dx if isinstance(d, str) and d.startswith(MALIGNANT_DX)]
    label = f"excision (procedure {index})"
    if not malignant:
        if proc.re_excision is True:
            return "benign", "", warning(
                "REEXCISION_DIAGNOSIS",
                f"{label}: documented as a re-excision with benign behaviour and no malignant "
                "diagnosis: a re-excision of a malignant lesion is coded 116xx from the "
                "original pathology — point the procedure at the malignancy's diagnosis "
                "(C43/C44/D03/D04), else it stays benign", index, "diagnoses")
        return "benign", "", None
    shown = ", ".join(dotted(d) for d in malignant)
    if proc.re_excision is True:
        return "malignant", f" (re-excision of the malignant lesion {shown}: " \
            f"{REEXCISION_SOURCE})", info(
                "REEXCISION_MALIGNANT",
                f"{label}: re-excision of a malignant lesion ({shown}) coded 116xx although "
                f"the new specimen is benign ({REEXCISION_SOURCE})", index, "behavior")
    if proc.staged is True:
        return "malignant", (f" (staged re-excision of the malignant lesion {shown}: "
                             f"{REEXCISION_SOURCE})"), warning(
            "REEXCISION_ASSUMED",
            f"{label}: staged excision recorded benign but pointing to {shown}: coded as the "
            "re-excision of that malignancy (116xx). If it removed a different, benign lesion, "
            "point it at that lesion's diagnosis; if it is the re-excision, set re_excision",
            index, "behavior")
    return "benign", "", warning(
        "BEHAVIOR_DIAGNOSIS_MISMATCH",
        f"{label}: behaviour benign but the procedure points to a malignant diagnosis ({shown}): "
        "coded benign (114xx) as documented; if this re-excises a malignant lesion set "
        "re_excision (coded 116xx), else point it at the benign diagnosis", index, "behavior")
