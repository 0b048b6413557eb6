"""Families a coder bills by the session's total, and hidradenitis excision by region.

A procedure documented through `other` (or `phototherapy`, for the excimer laser) with a
code of a family in coding/data/count_families.csv is not passed through as written: the
family's procedures of the encounter are summed and coded once, by the table's brackets —
nail debridement 11720 (1–5 nails) / 11721 (6 or more); incision and drainage 10060 (simple
or single) / 10061 (complicated or multiple); excimer laser 96920 / 96921 / 96922 by total
area (< 250, 250–500, > 500 sq cm); vascular lesion destruction 17106 / 17107 / 17108 (< 10,
10–50, > 50 sq cm); patch tests 95044 and photo-patch tests 95052, one unit per test; skin
tags 11200 (up to 15) + 11201 per further 10 or part; acne surgery 10040, cryotherapy for
acne 17340 and chemical exfoliation 17360 once per session. What the note documents: `count`
(nails, abscesses, allergens, tags), `area_sq_cm` (the area treated), `complicated` (I&D).
A procedure that does not document its measure counts as its documented code's bracket (the
least the coder's code says) with a warning naming the field: the total can be no less, and
may be more.

Hidradenitis excision 11450–11471 (coding/data/hidradenitis_codes.csv): one line per region
excised, the code by `region` (axillary — also read from `site: axilla` —, inguinal,
perianal, perineal, umbilical) and `closure` (simple or intermediate / complex). Without
them the documented code is kept, with a warning.
"""

from __future__ import annotations

import re
from decimal import Decimal

from coding.model import Procedure
from coding.rules.base import DraftLine, ItemList, RuleContext, RuleResult
from coding.rules.common import (
    ceil_div,
    fmt_num,
    folded_line,
    info,
    single_line,
    text,
    warning,
)
from coding.tables import CountRow, count_families, count_family_of, hidradenitis_codes

__all__ = ["counted", "code"]

HIDRADENITIS = frozenset({"11450", "11451", "11462", "11463", "11470", "11471"})
_NOUN = {"nail_debridement": "nail(s) debrided", "incision_drainage": "abscess(es) drained",
         "patch_test": "patch test(s)", "photo_patch_test": "photo-patch test(s)",
         "skin_tag": "skin tag(s) removed"}


def counted(proc: Procedure) -> bool:
    """Whether this rule codes the procedure (its code is in a counted family)."""
    return isinstance(proc.code, str) and (proc.code in count_family_of()
                                           or proc.code in HIDRADENITIS)


def code(items: ItemList, ctx: RuleContext, family_name: str) -> RuleResult:
    """Lines for `items` (all `counted`); `family_name` is the line family (other or
    phototherapy) so the engine's NCCI folding and edits see the usual family."""
    result = RuleResult()
    pools: dict[str, ItemList] = {}
    for index, proc in items:
        if proc.code in HIDRADENITIS:
            result.lines.append(_hidradenitis(index, proc, result, family_name))
        else:
            pools.setdefault(count_family_of()[str(proc.code)], []).append((index, proc))
    for family, pool in pools.items():
        _family(family, pool, ctx, result, family_name)
    return result


# families whose documented units are the count even at one: a unit of 95044 is one test
# (CPT "specify number of tests"), a unit of 10060 one drained abscess. For the others a
# single unit is the line's unit (11721 × 1), and more than one can only be the count (11720
# is billed once a session, so "11720 × 4" documents four nails).
UNITS_ARE_COUNT = frozenset({"patch_test", "photo_patch_test", "incision_drainage",
                             "therapeutic_injection"})


def _documented(proc: Procedure, measure: str) -> Decimal | None:
    """The count or area the note writes for the family's measure, or None."""
    if measure == "count":
        count = proc.count
        if isinstance(count, int) and not isinstance(count, bool) and count >= 1:
            return Decimal(count)
        return None
    area = proc.area_sq_cm
    return area if isinstance(area, Decimal) and area.is_finite() and area >= 0 else None


def _least(row: CountRow) -> Decimal:
    """The least count or area a documented code says (its bracket's lower bound)."""
    lower = row.lower or Decimal(0)
    if row.over:
        return lower + (1 if row.measure == "count" else 0)
    return lower


def _family(family: str, pool: ItemList, ctx: RuleContext, result: RuleResult,
            family_name: str) -> None:
    rows = count_families()[family]
    brackets = [r for r in rows if r.measure in ("count", "area_sq_cm", "session")
                and r.addon is None]
    measure = brackets[0].measure
    total = Decimal(0)
    floor = 0  # the highest bracket a procedure without its measure documents
    parts = []
    for index, proc in pool:
        if measure == "session":
            continue
        value = _documented(proc, measure)
        if value is None:
            value = _undocumented(family, measure, index, proc, rows, brackets, result)
            floor = max(floor, next((n for n, r in enumerate(brackets)
                                     if r.code == proc.code), 0))
        total += value
        parts.append((index, value))
    chosen_rank = max([n for n, r in enumerate(brackets) if r.admits(total)] + [floor])
    chosen = brackets[chosen_rank]
    flagged = [i for i, p in pool if p.complicated is True]
    flag_row = next((r for r in rows if r.measure == "complicated"), None)
    if flag_row is not None and flagged:
        chosen = next(r for r in brackets if r.code == flag_row.code)
    units = int(total) if chosen.units == "per_count" and total >= 1 else 1
    procs = [p for _, p in pool]
    indexes = [i for i, _ in pool]
    shown = _shown(family, measure, total, parts, pool)
    why = f"{shown} → {chosen.code} × {units} [{chosen.source}]"
    if flag_row is not None and flagged:
        why = (f"{shown}; documented complicated (procedure "
               f"{', '.join(map(str, flagged))}) → {chosen.code} × 1 [{flag_row.source}]")
    line = _line(procs, indexes, ctx, chosen.code, units, family_name, why)
    result.lines.append(line)
    documented = {p.code for p in procs}
    if documented != {chosen.code}:
        result.findings.append(info(
            "FAMILY_RECODED",
            f"{', '.join(sorted(str(c) for c in documented))} documented; the session's total "
            f"codes to {chosen.code} × {units} ({shown})", indexes[0]))
    for row in rows:
        step = row.addon
        if step is None or measure != "count" or total <= step[0]:
            continue
        extra = ceil_div(total - step[0], step[1])
        result.lines.append(_line(
            procs, indexes, ctx, row.code, extra, family_name,
            f"{shown}: +{row.code} × {extra} for the {fmt_num(total - step[0])} beyond "
            f"{fmt_num(step[0])} (each further {fmt_num(step[1])} or part) [{row.source}]"))


def _undocumented(family: str, measure: str, index: int, proc: Procedure,
                  rows: tuple[CountRow, ...], brackets: list[CountRow],
                  result: RuleResult) -> Decimal:
    """What a procedure without its count or area still says: its units where they are the
    count, an add-on's units (11201 × u: at least 15 + 10 × (u − 1) + 1 tags), else the least
    its documented code's bracket means — with a finding saying which."""
    units = proc.units if isinstance(proc.units, int) and not isinstance(proc.units, bool) \
        and proc.units >= 1 else None
    field = "count" if measure == "count" else "area_sq_cm"
    addon = next((r.addon for r in rows if r.code == proc.code and r.addon), None)
    if measure == "count" and addon is None and units is not None \
            and (units > 1 or family in UNITS_ARE_COUNT):
        result.findings.append(info(
            "COUNT_FROM_UNITS", f"procedure {index} ({proc.code}): no count documented; the "
            f"units ({units}) are read as the count", index, "count"))
        return Decimal(units)
    if family == "incision_drainage":  # one documented I&D is one abscess; 10061 as written
        return Decimal(1) if proc.code == brackets[0].code else Decimal(2)
    if family == "therapeutic_injection":  # one documented injection is one unit
        return Decimal(1)
    if addon is not None:
        value = addon[0] + addon[1] * ((units or 1) - 1) + 1
    else:
        row = next((r for r in brackets if r.code == proc.code), brackets[0])
        value = _least(row)
    result.findings.append(warning(
        "MEASURE_MISSING",
        f"procedure {index} ({proc.code}): {field} not documented; "
        f"{family.replace('_', ' ')} is coded by the session's total "
        f"{field.replace('_sq_cm', ' in sq cm')}, so it counts as the least its documented "
        f"code says ({fmt_num(value)}) — document {field}", index, field))
    return value


def _shown(family: str, measure: str, total: Decimal, parts: list[tuple[int, Decimal]],
           pool: ItemList) -> str:
    if measure == "session":
        return (f"{family.replace('_', ' ')}: one per session ({len(pool)} documented "
                "procedure(s))")
    what = "sq cm treated" if measure == "area_sq_cm" else _NOUN.get(family, "counted")
    summed = ""
    if len(parts) > 1:
        summed = " (summed over the session: " + " + ".join(
            f"{fmt_num(v)} in procedure {i}" for i, v in parts) + ")"
    return f"{family.replace('_', ' ')}: {fmt_num(total)} {what}{summed}"


def _line(procs: list[Procedure], indexes: list[int], ctx: RuleContext, cpt: str, units: int,
          family_name: str, rationale: str) -> DraftLine:
    line = folded_line(procs, indexes, ctx, code=cpt, units=units, family=family_name,
                       rationale=rationale)
    # modifiers documented on every folded procedure (e.g. a payer's 59) stay on the line
    common = [m for m in _written(procs[0]) if all(m in _written(p) for p in procs[1:])]
    line.modifiers.extend(common)
    return line


def _hidradenitis(index: int, proc: Procedure, result: RuleResult,
                  family_name: str) -> DraftLine:
    region = text(proc.region) or ("axillary" if text(proc.site) == "axilla" else None)
    closure = text(proc.closure)
    found = hidradenitis_codes().get((region or "", closure or ""))
    label = f"hidradenitis excision (procedure {index})"
    if found is None:
        missing = "region" if region is None else "closure"
        result.findings.append(warning(
            "MEASURE_MISSING",
            f"{label}: {missing} not documented; the code (11450–11471) is chosen by region "
            "(axillary, inguinal, perianal, perineal, umbilical) and closure (simple, "
            f"intermediate, complex): {proc.code} kept as documented", index, missing))
        cpt, why = str(proc.code), f"Documented as {proc.code}; region/closure not documented"
    else:
        cpt, source = found
        why = (f"Hidradenitis excision, {region} region, {closure} closure → {cpt} × 1 "
               f"[{source}]")
        if cpt != proc.code:
            result.findings.append(info(
                "FAMILY_RECODED", f"{label}: {proc.code} documented; {region} region with "
                f"{closure} closure codes to {cpt}", index, "code"))
    line = single_line(proc, index, code=cpt, units=1, family=family_name,
                       modifiers=_written(proc), rationale=why)
    return line


def _written(proc: Procedure) -> list[str]:
    """The documented modifiers that are modifiers (two letters/digits)."""
    mods = proc.modifiers if isinstance(proc.modifiers, (tuple, list)) else ()
    return [m for m in mods if isinstance(m, str) and re.fullmatch(r"[0-9A-Z]{2}", m)]
