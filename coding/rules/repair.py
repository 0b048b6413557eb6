"""Wound repair 12001-13153: standalone repairs and the repairs documented on excisions.

- Repairs of the same complexity in the same (complexity-specific) site group are summed and
  reported as one length (CPT repair guidelines; AAPC "Don't miss complex repair anatomic
  groups": scalp 1.1 + arm 2.1 + arm 6.3 = 9.5 cm → 13121 + 13122 × 1).
- Complex add-on units: one per further 5 cm or part beyond 7.5 cm (size_addons.csv).
- A complex repair whose summed length is 1.0 cm or less is reported as intermediate, with a
  warning (CPT: complex codes start at 1.1 cm; simple/intermediate codes apply below).
- Simple closure is part of an excision → info finding, no line (CPT excision guidelines).
- NCCI: a benign excision of excised diameter ≤ 0.5 cm (11400/11420/11440) includes its own
  repair, whatever else is excised that session; only the repair of a lesion over 0.5 cm is
  reported. The rule is per excision: "Removal of one lesion smaller than 0.5 cm does not
  preclude also reporting an intermediate or complex repair for a larger lesion" — the small
  lesion's repair stays included (NCCI Policy Manual ch. III, as quoted in the AAPC forum
  thread on Novitas bundling, AAPC-NCCI05; domain-facts s3). The repair of the larger lesion
  then meets the 11400/12032-style NCCI pair as a different lesion (its own excision), so it
  takes the payer's distinct modifier.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from attrs import frozen

from coding.model import Procedure
from coding.rules.base import DraftLine, ItemList, RuleContext, RuleResult
from coding.rules.common import (
    bracket_code,
    ceil_div,
    error,
    fmt_cm,
    folded_line,
    info,
    place,
    read_cm,
    warning,
)
from coding.rules.excision import coded_behavior, excised_diameter
from coding.tables import addon

__all__ = ["COMPLEXITIES", "GROUP_NAMES", "code"]

COMPLEXITIES = ("simple", "intermediate", "complex")
SMALL_BENIGN_CM = Decimal("0.5")
COMPLEX_MIN_CM = Decimal("1.0")  # complex codes start above this

GROUP_NAMES: dict[str, dict[str, str]] = {
    "simple": {
        "a": "scalp/neck/axillae/genitalia/trunk/extremities group",
        "b": "face/ears/eyelids/nose/lips/mucous membranes group",
    },
    "intermediate": {
        "a": "scalp/axillae/trunk/extremities (excl. hands, feet) group",
        "b": "neck/hands/feet/genitalia group",
        "c": "face/ears/eyelids/nose/lips/mucous membranes group",
    },
    "complex": {
        "a": "trunk group",
        "b": "scalp/arms/legs group",
        "c": "forehead/cheeks/chin/mouth/neck/axillae/genitalia/hands/feet group",
        "d": "eyelids/nose/ears/lips group",
    },
}


@frozen
class Wound:
    index: int
    proc: Procedure
    complexity: str
    length: Decimal
    field: str  # "length_cm" or "repair.length_cm", for paths


def _collect(items: ItemList, result: RuleResult, ctx: RuleContext) -> list[Wound]:
    wounds: list[Wound] = []
    excisions = [(i, p) for i, p in items if p.type == "excision"]
    diameters = {i: excised_diameter(p, i)[0] for i, p in excisions}
    for index, proc in items:
        complexity: str | None
        if proc.type == "excision":
            if proc.repair is None:
                continue
            spec = proc.repair
            label = f"repair on excision (procedure {index})"
            complexity, cfield = spec.complexity, "repair.complexity"
            length, found = read_cm(proc, index, "repair.length_cm", label,
                                    value=spec.length_cm, use_value=True)
        else:
            label = f"repair (procedure {index})"
            complexity, cfield = proc.complexity, "complexity"
            length, found = read_cm(proc, index, "length_cm", label)
        if complexity not in COMPLEXITIES:
            found.append(error(
                "BAD_FIELD" if complexity is not None else "MISSING_FIELD",
                f"{label}: complexity {complexity!r} is not one of {', '.join(COMPLEXITIES)}",
                index, cfield,
            ))
        if found or length is None:
            result.findings.extend(found)
            continue
        if proc.type == "excision":
            if complexity == "simple":
                result.findings.append(info(
                    "SIMPLE_REPAIR_INCLUDED",
                    f"{label}: simple (single-layer) closure is included in the excision "
                    "and not reported separately",
                    index, "repair",
                ))
                continue
            diameter = diameters.get(index)
            if (coded_behavior(proc, ctx) == "benign" and diameter is not None
                    and diameter <= SMALL_BENIGN_CM):
                result.findings.append(info(
                    "REPAIR_INCLUDED_NCCI",
                    f"{label}: benign excision of excised diameter {fmt_cm(diameter)} cm "
                    f"(≤ 0.5 cm) includes its own {complexity} repair under NCCI (NCCI Policy "
                    "Manual ch. III), whatever else is excised this session; repair not "
                    "reported", index, "repair",
                ))
                continue
            wounds.append(Wound(index, proc, str(complexity), length, "repair.length_cm"))
        else:
            wounds.append(Wound(index, proc, str(complexity), length, "length_cm"))
    return wounds


def _place_all(
    wounds: list[Wound], complexity: str, result: RuleResult
) -> dict[str, list[Wound]]:
    groups: dict[str, list[Wound]] = defaultdict(list)
    for w in wounds:
        label = f"{complexity} repair (procedure {w.index})"
        group, found = place(f"repair_{complexity}", w.proc, w.index, label)
        result.findings.extend(found)
        if group is not None:
            groups[group].append(w)
    return groups


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    """Codes `repair` procedures and the `repair` documented on `excision` procedures."""
    result = RuleResult()
    wounds = _collect(items, result, ctx)
    by_complexity: dict[str, list[Wound]] = {c: [] for c in COMPLEXITIES}
    for w in wounds:
        by_complexity[w.complexity].append(w)
    complex_groups = _place_all(by_complexity["complex"], "complex", result)
    for group, members in list(complex_groups.items()):
        total = sum((w.length for w in members), Decimal(0))
        if total <= COMPLEX_MIN_CM:
            del complex_groups[group]
            for w in members:
                result.findings.append(warning(
                    "COMPLEX_AS_INTERMEDIATE",
                    f"complex repair (procedure {w.index}): complex repairs in the "
                    f"{GROUP_NAMES['complex'][group]} total {fmt_cm(total)} cm (≤ 1.0 cm); "
                    "complex codes start at 1.1 cm, so it is reported as intermediate",
                    w.index, w.field,
                ))
                by_complexity["intermediate"].append(w)
    placed = {
        "simple": _place_all(by_complexity["simple"], "simple", result),
        "intermediate": _place_all(by_complexity["intermediate"], "intermediate", result),
        "complex": complex_groups,
    }
    for complexity in COMPLEXITIES:
        for group in sorted(placed[complexity]):
            result.lines.extend(_lines(complexity, group, placed[complexity][group], ctx))
    return result


def _lines(complexity: str, group: str, members: list[Wound], ctx: RuleContext) -> list[DraftLine]:
    family = f"repair_{complexity}"
    members = sorted(members, key=lambda w: w.index)
    total = sum((w.length for w in members), Decimal(0))
    parts = " + ".join(f"{w.proc.site} {fmt_cm(w.length)}" for w in members)
    summed = (f"{parts} = {fmt_cm(total)} cm (same complexity and site group summed)"
              if len(members) > 1 else f"{parts} cm")
    head = f"{complexity.capitalize()} repair, {GROUP_NAMES[complexity][group]}: {summed}"
    extra = addon(family, group)
    units_addon = 0
    if extra is not None and total > extra.base_cm:
        main = bracket_code(family, group, extra.base_cm)
        units_addon = ceil_div(total - extra.base_cm, extra.step_cm)
    else:
        main = bracket_code(family, group, total)
    assert main is not None  # open-ended bracket or add-on covers every length
    procs = [w.proc for w in members]
    indexes = tuple(dict.fromkeys(w.index for w in members))

    lesions = [w.proc.lesion or (f"#{w.index}" if w.proc.type == "excision" else None)
               for w in members]

    def draft(code: str, units: int, rationale: str) -> DraftLine:
        return folded_line(procs, indexes, ctx, code=code, units=units, family="repair",
                           rationale=rationale, lesions=lesions)

    if extra is None or not units_addon:
        return [draft(main.code, 1, f"{head} → {main.code}")]
    return [
        draft(main.code, 1, f"{head} → {main.code} for the first {fmt_cm(extra.base_cm)} cm "
              f"+ {extra.code} × {units_addon}"),
        draft(extra.code, units_addon,
              f"{head}: {fmt_cm(total - extra.base_cm)} cm beyond {fmt_cm(extra.base_cm)} cm → "
              f"+{extra.code} × {units_addon} (each further {fmt_cm(extra.step_cm)} cm or part)"),
    ]
