"""Destruction of premalignant and benign lesions (17000-17111) and skin tag removal (11200/1).

Counts are summed over the session's procedures of one class, then coded once:
- premalignant (e.g. actinic keratoses): 1 → 17000; 2–14 → 17000 + 17003 × (n − 1), one unit
  per lesion; 15 or more → 17004 × 1 alone (AAD "Destruction codes for pre-malignant and
  malignant lesions" 2011; CMS RAC topic 0121: 17000 ≤ 1, 17003 ≤ 13, 17004 ≤ 1 per date).
- benign (warts, inflamed seborrheic keratoses…): 1–14 → 17110 × 1; 15 or more → 17111 × 1.
- skin tags: 11200 for up to and including 15; +11201 per further 10 "or part thereof".
Premalignant and benign destruction of different lesions may both be reported the same date
(AAPC "Your lesion destruction coding gains precision for 2007").
- malignant (17260–17286): per lesion, by the excision site groups (17260–17266 trunk, arms,
  legs; 17270–17276 scalp, neck, hands, feet, genitalia; 17280–17286 face, ears, eyelids,
  nose, lips, mucous membrane) and the lesion diameter (≤0.5, 0.6–1.0, 1.1–2.0, 2.1–3.0,
  3.1–4.0, >4.0 cm; coding/data/size_codes.csv), never summed across lesions. CPT names the
  "lesion diameter" without saying when to measure it; the AAD (A. Miller, "Malignant
  destruction coding", DermWorld 2014-01) finds no consensus and asks for the true diameter
  of the lesion, not of the treated area after curettage and desiccation: document that as
  `lesion_cm` (no margins are added). `count` lesions of one size and site → units.
"""

from __future__ import annotations

from decimal import Decimal

from attrs import frozen

from coding.model import Procedure
from coding.rules.base import ItemList, RuleContext, RuleResult
from coding.rules.common import (
    bracket_code,
    ceil_div,
    error,
    fmt_cm,
    folded_line,
    place,
    read_cm,
    read_count,
    single_line,
)
from coding.rules.excision import GROUP_NAMES

__all__ = ["CountCode", "premalignant_codes", "benign_codes", "skin_tag_codes", "code"]

LESION_CLASSES = ("premalignant", "benign", "malignant")


@frozen
class CountCode:
    code: str
    units: int


def premalignant_codes(n: int) -> list[CountCode]:
    if n < 1:
        return []
    if n >= 15:
        return [CountCode("17004", 1)]
    out = [CountCode("17000", 1)]
    if n > 1:
        out.append(CountCode("17003", n - 1))
    return out


def benign_codes(n: int) -> list[CountCode]:
    if n < 1:
        return []
    return [CountCode("17111" if n >= 15 else "17110", 1)]


def skin_tag_codes(n: int) -> list[CountCode]:
    if n < 1:
        return []
    out = [CountCode("11200", 1)]
    if n > 15:
        out.append(CountCode("11201", ceil_div(Decimal(n - 15), Decimal(10))))
    return out


def _explain(kind: str, n: int, c: CountCode) -> str:
    if kind == "premalignant":
        if c.code == "17004":
            return f"{n} premalignant lesions destroyed (15 or more) → 17004 × 1, reported alone"
        if c.code == "17000":
            return f"{n} premalignant lesion(s) destroyed → 17000 for the first lesion"
        return f"{n} premalignant lesions destroyed → +17003 × {c.units}, one unit per lesion 2–14"
    if kind == "benign":
        bracket = "15 or more" if c.code == "17111" else "up to 14"
        return f"{n} benign lesion(s) destroyed ({bracket}) → {c.code} × 1 per session"
    if c.code == "11200":
        return f"{n} skin tag(s) removed → 11200 covers the first 15"
    return (f"{n} skin tags removed → +11201 × {c.units} for the {n - 15} beyond 15 "
            "(each further 10 or part)")


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    """Codes `destruction` and `skin_tag_removal` procedures."""
    result = RuleResult()
    pools: dict[str, list[tuple[int, Procedure, int]]] = {
        "premalignant": [], "benign": [], "skin_tag": []
    }
    for index, proc in items:
        if proc.type == "skin_tag_removal":
            kind, label = "skin_tag", f"skin tag removal (procedure {index})"
        else:
            label = f"destruction (procedure {index})"
            if proc.lesion_class not in LESION_CLASSES:
                result.findings.append(error(
                    "BAD_FIELD",
                    f"{label}: lesion_class {proc.lesion_class!r} is not one of "
                    f"{', '.join(LESION_CLASSES)}",
                    index, "lesion_class",
                ))
                continue
            if proc.lesion_class == "malignant":
                _malignant(index, proc, label, result)
                continue
            kind = str(proc.lesion_class)
        count, problems = read_count(proc, index, "count", label)
        result.findings.extend(problems)
        if count is not None:
            pools[kind].append((index, proc, count))
    rules = {"premalignant": premalignant_codes, "benign": benign_codes,
             "skin_tag": skin_tag_codes}
    for kind, pool in pools.items():
        if not pool:
            continue
        total = sum(n for _, _, n in pool)
        procs = [p for _, p, _ in pool]
        indexes = tuple(i for i, _, _ in pool)
        for c in rules[kind](total):
            result.lines.append(folded_line(
                procs, indexes, ctx, code=c.code, units=c.units,
                family="skin_tag" if kind == "skin_tag" else "destruction",
                rationale=_explain(kind, total, c) + _across(pool),
            ))
    return result


def _across(pool: list[tuple[int, Procedure, int]]) -> str:
    if len(pool) == 1:
        return ""
    parts = " + ".join(f"{n} (procedure {i})" for i, _, n in pool)
    return f"; counts summed over the session: {parts}"


def _malignant(index: int, proc: Procedure, label: str, result: RuleResult) -> None:
    size, problems = read_cm(proc, index, "lesion_cm", label)
    group, found = place("excision", proc, index, label)
    count, counted = read_count(proc, index, "count", label, default=1)
    problems += found + counted
    if problems or size is None or group is None or count is None:
        result.findings.extend(problems)
        return
    bracket = bracket_code("destruction_malignant", group, size)
    assert bracket is not None  # open-ended last bracket
    result.lines.append(single_line(
        proc, index, code=bracket.code, units=count, family="destruction",
        rationale=(f"Destruction of {count} malignant lesion(s), lesion diameter "
                   f"{fmt_cm(size)} cm (no margins; AAD: the true lesion diameter), "
                   f"{proc.site} in the {GROUP_NAMES[group]} → {bracket.code} × {count}")))
