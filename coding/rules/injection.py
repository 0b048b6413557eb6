"""Injections: intralesional 11900/11901 and therapeutic subcutaneous/intramuscular 96372,
each with its drug on its own HCPCS line (drugs.py).

- Intralesional: lesions are summed over the session; up to and including 7 → 11900, more
  than 7 → 11901, one unit per session (CPT descriptors; count lesions, not needle sticks).
- `injection` with route subcutaneous or intramuscular → 96372, one unit per separately
  documented injection. Two or more on one date go on one line with the units combined
  (96372 × 2), not as identical lines a payer denies as duplicates (CARC 18): CPT reports
  96372 per injection, and one line with its units says so without a 59/XU that would claim
  a distinct service where none is needed.
- Chemodenervation of eccrine glands for hyperhidrosis (onabotulinumtoxinA, J0585 with its
  wastage on a JW line): route `chemodenervation_axillae` → 64650 (both axillae) and
  `chemodenervation_other` → 64653 (other areas such as scalp, face, neck, "per day"): one
  unit per code per day however many areas or procedures (CPT descriptors).
- The drugs of every procedure are coded together (drugs.py: units per drug per day).
- An administration an NCCI edit folded into another procedure (`ctx.bundled`) is not
  coded; its drug still is (the drug is supplied whatever the administration's fate).
"""

from __future__ import annotations

from coding.model import Procedure
from coding.rules.base import ItemList, RuleContext, RuleResult
from coding.rules.common import (
    error,
    folded_line,
    read_count,
    single_line,
)
from coding.rules.drugs import drug_lines

__all__ = ["ROUTES", "INTRALESIONAL_LIMIT", "intralesional_code", "code"]

INTRALESIONAL_LIMIT = 7  # 11900 covers up to and including 7 lesions
ROUTES = {"subcutaneous": "96372", "intramuscular": "96372",
          "chemodenervation_axillae": "64650", "chemodenervation_other": "64653"}
PER_DAY = frozenset({"64650", "64653"})


def intralesional_code(lesions: int) -> str:
    return "11900" if lesions <= INTRALESIONAL_LIMIT else "11901"


def code(items: ItemList, ctx: RuleContext) -> RuleResult:
    """Codes `intralesional` and `injection` procedures and their drugs."""
    result = RuleResult()
    pooled: list[tuple[int, Procedure, int]] = []
    given: list[tuple[int, Procedure, str]] = []
    per_day: dict[str, list[tuple[int, Procedure]]] = {}
    each: list[tuple[int, Procedure]] = []  # 96372: one unit per injection
    for index, proc in items:
        if proc.type == "intralesional":
            given.append((index, proc, "intralesionally"))
            if (index, "intralesional") in ctx.bundled:
                continue
            label = f"intralesional injection (procedure {index})"
            lesions, found = read_count(proc, index, "lesions", label)
            result.findings.extend(found)
            if lesions is not None:
                pooled.append((index, proc, lesions))
            continue
        given.append((index, proc, f"by {proc.route} injection"))
        if (index, "injection") in ctx.bundled:
            continue
        label = f"injection (procedure {index})"
        cpt = ROUTES.get(proc.route) if isinstance(proc.route, str) else None
        if cpt is None:
            result.findings.append(error(
                "BAD_FIELD" if proc.route is not None else "MISSING_FIELD",
                f"{label}: route {proc.route!r} is not one of {', '.join(ROUTES)}",
                index, "route"))
        elif cpt in PER_DAY:
            per_day.setdefault(cpt, []).append((index, proc))
        else:
            each.append((index, proc))
    if len(each) == 1:
        index, proc = each[0]
        result.lines.append(single_line(
            proc, index, code="96372", units=1, family="injection",
            rationale=f"Therapeutic {proc.route} injection → 96372 × 1; drug on its own line"))
    elif each:
        routes = ", ".join(f"{p.route} (procedure {i})" for i, p in each)
        result.lines.append(folded_line(
            [p for _, p in each], [i for i, _ in each], ctx, code="96372", units=len(each),
            family="injection",
            rationale=(f"{len(each)} separately documented therapeutic injections ({routes}) → "
                       f"96372 × {len(each)}, one unit per injection on one line (identical "
                       "lines are denied as duplicates, CARC 18); drugs on their own lines")))
    if pooled:
        total = sum(n for _, _, n in pooled)
        cpt = intralesional_code(total)
        procs = [p for _, p, _ in pooled]
        indexes = tuple(i for i, _, _ in pooled)
        bracket = "up to and including 7" if cpt == "11900" else "more than 7"
        summed = (" (summed over the session: "
                  + " + ".join(f"{n} in procedure {i}" for i, _, n in pooled) + ")"
                  if len(pooled) > 1 else "")
        result.lines.insert(0, folded_line(
            procs, indexes, ctx, code=cpt, units=1, family="intralesional",
            rationale=(f"Intralesional injection of {total} lesion(s){summed}: {bracket} → "
                       f"{cpt} × 1 per session; drug on its own line")))
    for cpt, group in per_day.items():
        where = "both axillae" if cpt == "64650" else "other areas (scalp, face, neck …)"
        result.lines.append(folded_line(
            [p for _, p in group], [i for i, _ in group], ctx, code=cpt, units=1,
            family="injection",
            rationale=(f"Chemodenervation of eccrine glands, {where} → {cpt} × 1 per day "
                       f"({len(group)} documented procedure(s)); drug on its own line")))
    result.extend(drug_lines(given, ctx))
    return result
