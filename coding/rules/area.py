"""Services coded by the area treated: skin grafts 15100–15261 and debridement 11042–11047.

- Split-thickness autograft: 15100 trunk, arms, legs / 15120 face, scalp, eyelids, mouth,
  neck, ears, genitalia, hands, feet, digits — first 100 sq cm, +15101 / +15121 each further
  100 sq cm or part (CPT descriptors). The excision groups place the site: their group a is
  the trunk/arms/legs group, b and c the other.
- Full-thickness graft: 15200 trunk / 15220 scalp, arms, legs / 15240 forehead, cheeks, chin,
  mouth, neck, axillae, genitalia, hands, feet / 15260 nose, ears, eyelids, lips — first
  20 sq cm, +15201/+15221/+15241/+15261 each further 20 sq cm or part; the groups are the
  complex-repair groups (CPT descriptors).
- Debridement by depth: subcutaneous 11042 (+11045), muscle/fascia 11043 (+11046), bone 11044
  (+11047) — first 20 sq cm, each further 20 sq cm or part; areas of one depth are summed
  (CPT debridement guidelines: "wounds of the same depth are added together").
- `area_sq_cm` is the recipient area (grafts) or the debrided surface, as documented.
"""

from __future__ import annotations

from decimal import Decimal

from coding.model import Procedure
from coding.rules.base import ItemList, RuleContext, RuleResult
from coding.rules.common import ceil_div, error, fmt_num, folded_line, place, single_line

__all__ = ["code", "GRAFTS", "DEBRIDEMENT"]

# graft kind -> (site family, group -> (first code, add-on), first area, step)
GRAFTS: dict[str, tuple[str, dict[str, tuple[str, str]], Decimal]] = {
    "split": ("excision", {"a": ("15100", "15101"), "b": ("15120", "15121"),
                           "c": ("15120", "15121")}, Decimal(100)),
    "full": ("repair_complex", {"a": ("15200", "15201"), "b": ("15220", "15221"),
                                "c": ("15240", "15241"), "d": ("15260", "15261")},
             Decimal(20)),
}
DEBRIDEMENT = {"subcutaneous": ("11042", "11045"), "muscle": ("11043", "11046"),
               "bone": ("11044", "11047")}
DEBRIDE_STEP = Decimal(20)


def _area(proc: Procedure, index: int, label: str, result: RuleResult) -> Decimal | None:
    area = proc.area_sq_cm
    if isinstance(area, Decimal) and area.is_finite() and area > 0:
        return area
    result.findings.append(error("MISSING_FIELD" if area is None else "BAD_FIELD",
                                 f"{label}: area_sq_cm (the area treated, sq cm) is required",
                                 index, "area_sq_cm"))
    return None


def _units(area: Decimal, first: Decimal) -> int:
    return ceil_div(area - first, first) if area > first else 0


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    result = RuleResult()
    depths: dict[str, list[tuple[int, Procedure, Decimal]]] = {}
    for index, proc in items:
        if proc.type == "debridement":
            label = f"debridement (procedure {index})"
            if proc.depth not in DEBRIDEMENT:
                result.findings.append(error("BAD_FIELD", f"{label}: depth {proc.depth!r} is "
                                             f"not one of {', '.join(DEBRIDEMENT)}", index,
                                             "depth"))
                continue
            area = _area(proc, index, label, result)
            if area is not None:
                depths.setdefault(str(proc.depth), []).append((index, proc, area))
            continue
        label = f"skin graft (procedure {index})"
        kind = GRAFTS.get(proc.graft) if isinstance(proc.graft, str) else None
        if kind is None:
            result.findings.append(error("BAD_FIELD", f"{label}: graft {proc.graft!r} is not "
                                         "split or full", index, "graft"))
            continue
        family, codes, first = kind
        group, found = place(family, proc, index, label)
        area = _area(proc, index, label, result)
        result.findings.extend(found)
        if group is None or area is None:
            continue
        primary, addon = codes[group]
        extra = _units(area, first)
        why = (f"{proc.graft}-thickness graft, {proc.site}, {fmt_num(area)} sq cm → {primary}"
               f" (first {fmt_num(first)} sq cm)")
        result.lines.append(single_line(proc, index, code=primary, units=1, family="graft",
                                        rationale=why))
        if extra:
            result.lines.append(single_line(
                proc, index, code=addon, units=extra, family="graft",
                rationale=f"{why}; +{addon} × {extra} for each further {fmt_num(first)} sq cm "
                          "or part"))
    for depth, pool in depths.items():
        primary, addon = DEBRIDEMENT[depth]
        total = sum((a for _, _, a in pool), Decimal(0))
        procs = [p for _, p, _ in pool]
        indexes = [i for i, _, _ in pool]
        why = (f"Debridement, {depth}, {fmt_num(total)} sq cm (same depth summed) → {primary} "
               "for the first 20 sq cm")
        result.lines.append(folded_line(procs, indexes, ctx, code=primary, units=1,
                                        family="debridement", rationale=why))
        extra = _units(total, DEBRIDE_STEP)
        if extra:
            result.lines.append(folded_line(
                procs, indexes, ctx, code=addon, units=extra, family="debridement",
                rationale=f"{why}; +{addon} × {extra} per further 20 sq cm or part"))
    return result
